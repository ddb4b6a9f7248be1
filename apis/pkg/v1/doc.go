// Package v1 holds the pkg.crossplane.io v1 API types Stratus serves. It
// starts with Function, which composition pipeline steps name; the package
// manager adds Provider and Configuration.
// +kubebuilder:object:generate=true
// +groupName=pkg.crossplane.io
// +versionName=v1
package v1
