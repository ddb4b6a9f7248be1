package v1beta1

import (
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// An EnvironmentConfig holds arbitrary, cluster-scoped data that
// compositions can read, for example the network IDs of a region.
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories=crossplane,shortName=envcfg
type EnvironmentConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Data of this EnvironmentConfig, merged into the environment of the
	// compositions that select it.
	// +optional
	Data map[string]extv1.JSON `json:"data,omitempty"`
}

// +kubebuilder:object:root=true

// An EnvironmentConfigList is a list of EnvironmentConfigs.
type EnvironmentConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []EnvironmentConfig `json:"items"`
}
