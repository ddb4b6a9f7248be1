// Package v1beta1 holds the network.azure.stratus.dev v1beta1 API: managed
// resources for Azure virtual networks, their subnets and network
// interfaces.
// +kubebuilder:object:generate=true
// +groupName=network.azure.stratus.dev
// +versionName=v1beta1
package v1beta1
