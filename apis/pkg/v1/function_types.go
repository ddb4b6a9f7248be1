package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	xppkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
)

// FunctionStatus is the observed state of a Function.
type FunctionStatus struct {
	xpv2.ConditionedStatus `json:",inline"`
	xppkgv1.PackageStatus  `json:",inline"`

	// Endpoint is the gRPC address (host:port) the function's runtime
	// serves RunFunction on. The package manager sets it once the function
	// runs; composition pipeline steps call it there.
	// +optional
	Endpoint string `json:"endpoint,omitempty"`
}

// A Function is a composition function: a gRPC server that composition
// pipeline steps call by name. The built-in functions
// function-patch-and-transform and function-auto-ready need no Function
// object; one with an endpoint takes their place.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="INSTALLED",type="string",JSONPath=".status.conditions[?(@.type=='Installed')].status"
// +kubebuilder:printcolumn:name="HEALTHY",type="string",JSONPath=".status.conditions[?(@.type=='Healthy')].status"
// +kubebuilder:printcolumn:name="PACKAGE",type="string",JSONPath=".spec.package"
// +kubebuilder:printcolumn:name="ENDPOINT",type="string",JSONPath=".status.endpoint",priority=1
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,pkg}
type Function struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   xppkgv1.FunctionSpec `json:"spec,omitempty"`
	Status FunctionStatus       `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A FunctionList is a list of Functions.
type FunctionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Function `json:"items"`
}
