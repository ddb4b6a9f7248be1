// Package v1 holds the apiextensions.crossplane.io v1 API: the
// CompositeResourceDefinition (XRD, the storage version), the Composition in
// both of its modes (Resources and Pipeline) and the CompositionRevision.
// Their shapes match Crossplane's, so Crossplane manifests apply unchanged.
// +kubebuilder:object:generate=true
// +groupName=apiextensions.crossplane.io
// +versionName=v1
package v1
