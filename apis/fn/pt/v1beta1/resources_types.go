package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Resources is the input of function-patch-and-transform: templates of the
// composed resources to render and the patch sets they may share. A
// Composition in Resources mode carries the same two lists in its spec.
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=crossplane
type Resources struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// PatchSets are named groups of patches that resource templates include
	// with a patch of type PatchSet.
	// +optional
	PatchSets []PatchSet `json:"patchSets,omitempty"`

	// Resources are the templates of the composed resources, rendered in
	// order.
	Resources []ComposedTemplate `json:"resources"`
}

// A PatchSet is a named group of patches that resource templates include by
// name, in place of a patch of type PatchSet.
type PatchSet struct {
	// Name of this PatchSet.
	Name string `json:"name"`

	// Patches of this PatchSet. A PatchSet cannot include another PatchSet.
	Patches []ComposedPatch `json:"patches"`
}

// A ComposedTemplate is the template of one composed resource: a base object,
// the patches that fill it from the composite resource or feed the composite
// resource from it, the connection details it contributes and how to tell
// when it is ready.
type ComposedTemplate struct {
	// Name of the composed resource, unique among the templates. It keys the
	// resource in the desired and observed state; it is not the resource's
	// metadata.name.
	Name string `json:"name"`

	// Base is the composed resource before patches are applied. It may be
	// omitted to patch a resource of the same name produced by an earlier
	// step of a function pipeline.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:EmbeddedResource
	// +optional
	Base runtime.RawExtension `json:"base,omitempty"`

	// Patches to and from the composite resource, applied in order.
	// +optional
	Patches []ComposedPatch `json:"patches,omitempty"`

	// ConnectionDetails the composed resource contributes to the composite
	// resource's connection details.
	// +optional
	ConnectionDetails []ConnectionDetail `json:"connectionDetails,omitempty"`

	// ReadinessChecks that all must pass for the composed resource to be
	// ready. Without any, the resource is ready when its Ready condition is
	// True.
	// +optional
	ReadinessChecks []ReadinessCheck `json:"readinessChecks,omitempty"`
}

// A ConnectionDetailType is where a connection detail's value comes from.
type ConnectionDetailType string

// Connection detail types.
const (
	// ConnectionDetailTypeFromConnectionSecretKey takes the value of a key of
	// the composed resource's connection details.
	ConnectionDetailTypeFromConnectionSecretKey ConnectionDetailType = "FromConnectionSecretKey"
	// ConnectionDetailTypeFromFieldPath takes the value of a field of the
	// observed composed resource.
	ConnectionDetailTypeFromFieldPath ConnectionDetailType = "FromFieldPath"
	// ConnectionDetailTypeFromValue takes a fixed value.
	ConnectionDetailTypeFromValue ConnectionDetailType = "FromValue"
)

// A ConnectionDetail is one connection detail a composed resource contributes
// to its composite resource.
type ConnectionDetail struct {
	// Name of the connection detail in the composite resource's connection
	// details. Defaults to fromConnectionSecretKey for that type.
	// +optional
	Name string `json:"name,omitempty"`

	// Type of the connection detail. When omitted it is inferred from which
	// of value, fromConnectionSecretKey and fromFieldPath is set.
	// +kubebuilder:validation:Enum=FromConnectionSecretKey;FromFieldPath;FromValue
	// +optional
	Type ConnectionDetailType `json:"type,omitempty"`

	// FromConnectionSecretKey is the key of the composed resource's
	// connection details to take the value from.
	// +optional
	FromConnectionSecretKey *string `json:"fromConnectionSecretKey,omitempty"`

	// FromFieldPath is the field of the observed composed resource to take
	// the value from. Strings are taken as they are, other values as JSON.
	// +optional
	FromFieldPath *string `json:"fromFieldPath,omitempty"`

	// Value is the fixed value of a FromValue connection detail.
	// +optional
	Value *string `json:"value,omitempty"`
}

// A ReadinessCheckType is a kind of readiness check.
type ReadinessCheckType string

// Readiness check types.
const (
	// ReadinessCheckTypeNonEmpty passes when the field exists.
	ReadinessCheckTypeNonEmpty ReadinessCheckType = "NonEmpty"
	// ReadinessCheckTypeMatchString passes when the field equals a string.
	ReadinessCheckTypeMatchString ReadinessCheckType = "MatchString"
	// ReadinessCheckTypeMatchInteger passes when the field equals an integer.
	ReadinessCheckTypeMatchInteger ReadinessCheckType = "MatchInteger"
	// ReadinessCheckTypeMatchTrue passes when the field is true.
	ReadinessCheckTypeMatchTrue ReadinessCheckType = "MatchTrue"
	// ReadinessCheckTypeMatchFalse passes when the field is false.
	ReadinessCheckTypeMatchFalse ReadinessCheckType = "MatchFalse"
	// ReadinessCheckTypeMatchCondition passes when a condition has a status.
	ReadinessCheckTypeMatchCondition ReadinessCheckType = "MatchCondition"
	// ReadinessCheckTypeNone always passes.
	ReadinessCheckTypeNone ReadinessCheckType = "None"
)

// A ReadinessCheck tells whether an observed composed resource is ready.
type ReadinessCheck struct {
	// Type of the check.
	// +kubebuilder:validation:Enum=MatchString;MatchInteger;NonEmpty;MatchCondition;MatchTrue;MatchFalse;None
	Type ReadinessCheckType `json:"type"`

	// FieldPath of the observed composed resource the check reads. Required
	// by every type but MatchCondition and None.
	// +optional
	FieldPath *string `json:"fieldPath,omitempty"`

	// MatchString is the value a MatchString check expects.
	// +optional
	MatchString *string `json:"matchString,omitempty"`

	// MatchInteger is the value a MatchInteger check expects.
	// +optional
	MatchInteger *int64 `json:"matchInteger,omitempty"`

	// MatchCondition is the condition a MatchCondition check expects.
	// +optional
	MatchCondition *MatchConditionReadinessCheck `json:"matchCondition,omitempty"`
}

// A MatchConditionReadinessCheck names a condition and the status it must
// have.
type MatchConditionReadinessCheck struct {
	// Type of the condition.
	// +kubebuilder:default=Ready
	Type xpv2.ConditionType `json:"type"`

	// Status the condition must have.
	// +kubebuilder:default="True"
	Status corev1.ConditionStatus `json:"status"`
}
