// Package v1beta1 holds the pt.fn.crossplane.io v1beta1 API: the input of the
// built-in function-patch-and-transform, whose resource templates and patch
// sets are also the body of a Composition in Resources mode.
// +kubebuilder:object:generate=true
// +groupName=pt.fn.crossplane.io
// +versionName=v1beta1
package v1beta1
