// Package v1beta1 holds the azure.stratus.dev v1beta1 API: the ProviderConfig
// that tells the Azure provider which subscription to manage and how to reach
// Azure Resource Manager (or the Stratus local cloud), the
// ProviderConfigUsages that record which managed resources use it, and the
// ResourceGroup managed resource that every other Azure resource lives in.
// +kubebuilder:object:generate=true
// +groupName=azure.stratus.dev
// +versionName=v1beta1
package v1beta1
