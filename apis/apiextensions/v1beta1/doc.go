// Package v1beta1 holds the apiextensions.crossplane.io v1beta1 API:
// EnvironmentConfig, cluster-scoped data that compositions can read.
// +kubebuilder:object:generate=true
// +groupName=apiextensions.crossplane.io
// +versionName=v1beta1
package v1beta1
