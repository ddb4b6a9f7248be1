package v2

import (
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
)

// CompositeResourceDefinitionSpec defines a kind of composite resource. v2
// XRDs have no claims and no XR connection Secrets.
type CompositeResourceDefinitionSpec struct {
	// Group of the defined composite resource.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	Group string `json:"group"`

	// Names of the composite resource kind.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	// +kubebuilder:validation:XValidation:rule="self.plural == self.plural.lowerAscii()",message="Plural name must be lowercase"
	Names extv1.CustomResourceDefinitionNames `json:"names"`

	// Scope of the composite resources: Namespaced (the v2 default) or
	// Cluster.
	// +optional
	// +kubebuilder:validation:Enum=Namespaced;Cluster;LegacyCluster
	// +kubebuilder:default=Namespaced
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	Scope *v1.CompositeResourceScope `json:"scope,omitempty"`

	// DefaultCompositionRef names the Composition used when a composite
	// resource selects none.
	// +optional
	DefaultCompositionRef *v1.CompositionReference `json:"defaultCompositionRef,omitempty"`

	// DefaultCompositionRevisionSelector selects revisions for composite
	// resources that set no selector of their own.
	// +optional
	DefaultCompositionRevisionSelector *metav1.LabelSelector `json:"defaultCompositionRevisionSelector,omitempty"`

	// EnforcedCompositionRef names the only Composition composite resources
	// of this kind may use.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	EnforcedCompositionRef *v1.CompositionReference `json:"enforcedCompositionRef,omitempty"`

	// DefaultCompositionUpdatePolicy of composite resources that set none.
	// +optional
	// +kubebuilder:validation:Enum=Automatic;Manual
	// +kubebuilder:default=Automatic
	DefaultCompositionUpdatePolicy *string `json:"defaultCompositionUpdatePolicy,omitempty"`

	// Versions of the composite resource; exactly one is referenceable.
	Versions []v1.CompositeResourceDefinitionVersion `json:"versions"`

	// Conversion strategy between versions of the composite resource.
	// +optional
	Conversion *extv1.CustomResourceConversion `json:"conversion,omitempty"`

	// Metadata added to the generated CRDs.
	// +optional
	Metadata *v1.CompositeResourceDefinitionSpecMetadata `json:"metadata,omitempty"`
}

// A CompositeResourceDefinition defines a new kind of composite resource
// (XR). In v2, XRs are namespaced by default and have no claims.
// +kubebuilder:object:root=true
// +kubebuilder:printcolumn:name="ESTABLISHED",type="string",JSONPath=".status.conditions[?(@.type=='Established')].status"
// +kubebuilder:printcolumn:name="OFFERED",type="string",JSONPath=".status.conditions[?(@.type=='Offered')].status"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=crossplane,shortName=xrd;xrds
// +kubebuilder:validation:XValidation:rule="self.metadata.name == self.spec.names.plural + '.' + self.spec.group",message="metadata.name must be spec.names.plural + '.' + spec.group"
type CompositeResourceDefinition struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CompositeResourceDefinitionSpec      `json:"spec,omitempty"`
	Status v1.CompositeResourceDefinitionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A CompositeResourceDefinitionList is a list of CompositeResourceDefinitions.
type CompositeResourceDefinitionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CompositeResourceDefinition `json:"items"`
}
