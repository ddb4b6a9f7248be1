// Package v1beta1 holds the aws.stratus.dev v1beta1 API: the ProviderConfig
// that tells the AWS provider how to reach AWS (or an AWS-compatible endpoint
// such as moto or the Stratus local cloud), and the ProviderConfigUsages that
// record which managed resources use it.
// +kubebuilder:object:generate=true
// +groupName=aws.stratus.dev
// +versionName=v1beta1
package v1beta1
