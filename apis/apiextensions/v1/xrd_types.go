package v1

import (
	"encoding/json"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// These types describe the same JSON as Crossplane's XRD, so every Crossplane
// XRD applies unchanged. They are declared here rather than imported because
// controller-gen would otherwise also pick up the Pipeline-only Composition
// types that share Crossplane's package.

// A CompositeResourceScope says where composite resources of a kind live.
type CompositeResourceScope string

// Scopes of composite resources.
const (
	// CompositeResourceScopeNamespaced XRs live in a namespace and compose
	// resources in it.
	CompositeResourceScopeNamespaced CompositeResourceScope = "Namespaced"

	// CompositeResourceScopeCluster XRs are cluster-scoped, without claims.
	CompositeResourceScopeCluster CompositeResourceScope = "Cluster"

	// CompositeResourceScopeLegacyCluster XRs are cluster-scoped and may be
	// offered in namespaces through claims (Crossplane v1 semantics).
	CompositeResourceScopeLegacyCluster CompositeResourceScope = "LegacyCluster"
)

// CompositeResourceDefinitionSpec defines a kind of composite resource.
// +kubebuilder:validation:XValidation:rule="!has(self.scope) || self.scope == 'LegacyCluster' || !has(self.claimNames)",message="Only LegacyCluster composite resources can offer claims"
// +kubebuilder:validation:XValidation:rule="!has(self.scope) || self.scope == 'LegacyCluster' || !has(self.connectionSecretKeys)",message="Only LegacyCluster composite resources support connection secrets"
type CompositeResourceDefinitionSpec struct {
	// Group of the defined composite resource and claim.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	Group string `json:"group"`

	// Names of the composite resource kind.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	// +kubebuilder:validation:XValidation:rule="self.plural == self.plural.lowerAscii()",message="Plural name must be lowercase"
	// +kubebuilder:validation:XValidation:rule="!has(self.singular) || self.singular == self.singular.lowerAscii()",message="Singular name must be lowercase"
	Names extv1.CustomResourceDefinitionNames `json:"names"`

	// Scope of the composite resources: LegacyCluster (the v1 default),
	// Namespaced or Cluster.
	// +optional
	// +kubebuilder:validation:Enum=LegacyCluster;Namespaced;Cluster
	// +kubebuilder:default=LegacyCluster
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	Scope *CompositeResourceScope `json:"scope,omitempty"`

	// ClaimNames, when set, offer the composite resource in namespaces as a
	// claim of these names. LegacyCluster only.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	// +kubebuilder:validation:XValidation:rule="self.plural == self.plural.lowerAscii()",message="Plural name must be lowercase"
	// +kubebuilder:validation:XValidation:rule="!has(self.singular) || self.singular == self.singular.lowerAscii()",message="Singular name must be lowercase"
	ClaimNames *extv1.CustomResourceDefinitionNames `json:"claimNames,omitempty"`

	// ConnectionSecretKeys, when set, are the only connection detail keys
	// published to the composite resource's Secret. LegacyCluster only.
	// +optional
	ConnectionSecretKeys []string `json:"connectionSecretKeys,omitempty"`

	// DefaultCompositeDeletePolicy of claims that set none.
	// +optional
	// +kubebuilder:validation:Enum=Background;Foreground
	// +kubebuilder:default=Background
	DefaultCompositeDeletePolicy *xpv2.CompositeDeletePolicy `json:"defaultCompositeDeletePolicy,omitempty"`

	// DefaultCompositionRef names the Composition used when a composite
	// resource selects none.
	// +optional
	DefaultCompositionRef *CompositionReference `json:"defaultCompositionRef,omitempty"`

	// DefaultCompositionRevisionSelector selects revisions for composite
	// resources that set no selector of their own.
	// +optional
	DefaultCompositionRevisionSelector *metav1.LabelSelector `json:"defaultCompositionRevisionSelector,omitempty"`

	// EnforcedCompositionRef names the only Composition composite resources
	// of this kind may use.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	EnforcedCompositionRef *CompositionReference `json:"enforcedCompositionRef,omitempty"`

	// DefaultCompositionUpdatePolicy of composite resources that set none.
	// +optional
	// +kubebuilder:validation:Enum=Automatic;Manual
	// +kubebuilder:default=Automatic
	DefaultCompositionUpdatePolicy *xpv2.UpdatePolicy `json:"defaultCompositionUpdatePolicy,omitempty"`

	// Versions of the composite resource; exactly one is referenceable.
	Versions []CompositeResourceDefinitionVersion `json:"versions"`

	// Conversion strategy between versions of the composite resource.
	// +optional
	Conversion *extv1.CustomResourceConversion `json:"conversion,omitempty"`

	// Metadata added to the generated CRDs.
	// +optional
	Metadata *CompositeResourceDefinitionSpecMetadata `json:"metadata,omitempty"`
}

// A CompositionReference names a Composition.
type CompositionReference struct {
	// Name of the Composition.
	Name string `json:"name"`
}

// CompositeResourceDefinitionSpecMetadata are labels and annotations for the
// generated CRDs.
type CompositeResourceDefinitionSpecMetadata struct {
	// Labels added to the generated CRDs.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations added to the generated CRDs.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// A CompositeResourceDefinitionVersion is one version of a composite
// resource kind.
type CompositeResourceDefinitionVersion struct {
	// Name of the version, for example v1alpha1.
	Name string `json:"name"`

	// Referenceable marks the version Compositions refer to; exactly one
	// version is referenceable.
	Referenceable bool `json:"referenceable"`

	// Served versions are served by the API server.
	Served bool `json:"served"`

	// Deprecated versions warn their users.
	// +optional
	Deprecated *bool `json:"deprecated,omitempty"`

	// DeprecationWarning overrides the default deprecation warning.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	DeprecationWarning *string `json:"deprecationWarning,omitempty"`

	// Schema of this version.
	// +optional
	Schema *CompositeResourceValidation `json:"schema,omitempty"`

	// AdditionalPrinterColumns shown by kubectl get, beside the standard
	// ones.
	// +optional
	AdditionalPrinterColumns []extv1.CustomResourceColumnDefinition `json:"additionalPrinterColumns,omitempty"`

	// Subresources of this version beside status.
	// +optional
	Subresources *CompositeResourceDefinitionVersionSubresources `json:"subresources,omitempty"`
}

// CompositeResourceDefinitionVersionSubresources are optional subresources.
type CompositeResourceDefinitionVersionSubresources struct {
	// Scale subresource.
	// +optional
	Scale *extv1.CustomResourceSubresourceScale `json:"scale,omitempty"`
}

// CompositeResourceValidation is the schema of a version.
type CompositeResourceValidation struct {
	// OpenAPIV3Schema of the composite resource (its spec and status).
	// +kubebuilder:pruning:PreserveUnknownFields
	OpenAPIV3Schema runtime.RawExtension `json:"openAPIV3Schema,omitempty"`
}

// A TypeReference names a kind by API version and kind.
type TypeReference struct {
	// APIVersion of the kind.
	APIVersion string `json:"apiVersion"`

	// Kind name.
	Kind string `json:"kind"`
}

// CompositeResourceDefinitionStatus is the observed state of an XRD.
type CompositeResourceDefinitionStatus struct {
	xpv2.ConditionedStatus `json:",inline"`

	// Controllers that reconcile the defined kinds.
	// +optional
	Controllers CompositeResourceDefinitionControllerStatus `json:"controllers,omitempty"`
}

// CompositeResourceDefinitionControllerStatus names the kinds the core
// reconciles for an XRD.
type CompositeResourceDefinitionControllerStatus struct {
	// CompositeResourceTypeRef is the composite resource kind reconciled.
	// +optional
	CompositeResourceTypeRef TypeReference `json:"compositeResourceType,omitempty"`

	// CompositeResourceClaimTypeRef is the claim kind reconciled.
	// +optional
	CompositeResourceClaimTypeRef TypeReference `json:"compositeResourceClaimType,omitempty"`
}

// A CompositeResourceDefinition defines a new kind of composite resource (XR)
// and, optionally, the claim that offers it in namespaces.
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="ESTABLISHED",type="string",JSONPath=".status.conditions[?(@.type=='Established')].status"
// +kubebuilder:printcolumn:name="OFFERED",type="string",JSONPath=".status.conditions[?(@.type=='Offered')].status"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=crossplane,shortName=xrd;xrds
// +kubebuilder:validation:XValidation:rule="self.metadata.name == self.spec.names.plural + '.' + self.spec.group",message="metadata.name must be spec.names.plural + '.' + spec.group"
type CompositeResourceDefinition struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CompositeResourceDefinitionSpec   `json:"spec,omitempty"`
	Status CompositeResourceDefinitionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A CompositeResourceDefinitionList is a list of CompositeResourceDefinitions.
type CompositeResourceDefinitionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CompositeResourceDefinition `json:"items"`
}

// SetConditions of this XRD.
func (c *CompositeResourceDefinition) SetConditions(cs ...xpv2.Condition) {
	c.Status.SetConditions(cs...)
}

// GetCondition of this XRD.
func (c *CompositeResourceDefinition) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return c.Status.GetCondition(ct)
}

// Crossplane returns this XRD as Crossplane's own type, which
// crossplane-runtime's xcrd package and helpers take. The two share one JSON
// shape.
func (c *CompositeResourceDefinition) Crossplane() (*xpextv1.CompositeResourceDefinition, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	out := &xpextv1.CompositeResourceDefinition{}
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	out.APIVersion = SchemeGroupVersion.String()
	out.Kind = "CompositeResourceDefinition"
	return out, nil
}
