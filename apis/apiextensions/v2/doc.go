// Package v2 holds the apiextensions.crossplane.io v2 CompositeResourceDefinition,
// served beside v1 (the storage version). v2 XRDs define namespaced or
// cluster-scoped composite resources, which carry Crossplane's machinery under
// spec.crossplane and have no claims.
// +kubebuilder:object:generate=true
// +groupName=apiextensions.crossplane.io
// +versionName=v2
package v2
