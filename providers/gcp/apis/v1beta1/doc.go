// Package v1beta1 holds the gcp.stratus.dev v1beta1 API: the ProviderConfig
// that tells the GCP provider which project to manage and how to reach Google
// Cloud (or the Stratus local cloud), and the ProviderConfigUsages that record
// which managed resources use it.
// +kubebuilder:object:generate=true
// +groupName=gcp.stratus.dev
// +versionName=v1beta1
package v1beta1
