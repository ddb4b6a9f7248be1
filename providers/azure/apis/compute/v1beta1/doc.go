// Package v1beta1 holds the compute.azure.stratus.dev v1beta1 API: managed
// resources for Azure virtual machines.
// +kubebuilder:object:generate=true
// +groupName=compute.azure.stratus.dev
// +versionName=v1beta1
package v1beta1
