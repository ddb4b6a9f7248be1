// Package v1beta1 holds the compute.gcp.stratus.dev v1beta1 API: managed
// resources for Compute Engine (VPC networks, subnetworks and virtual
// machine instances).
// +kubebuilder:object:generate=true
// +groupName=compute.gcp.stratus.dev
// +versionName=v1beta1
package v1beta1
