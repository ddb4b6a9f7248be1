package v1beta1

// A PatchType is a kind of patch.
type PatchType string

// Patch types.
const (
	// PatchTypeFromCompositeFieldPath copies a field of the observed
	// composite resource to the composed resource.
	PatchTypeFromCompositeFieldPath PatchType = "FromCompositeFieldPath"
	// PatchTypePatchSet includes the patches of a named PatchSet.
	PatchTypePatchSet PatchType = "PatchSet"
	// PatchTypeToCompositeFieldPath copies a field of the observed composed
	// resource to the composite resource.
	PatchTypeToCompositeFieldPath PatchType = "ToCompositeFieldPath"
	// PatchTypeCombineFromComposite combines fields of the observed composite
	// resource into one field of the composed resource.
	PatchTypeCombineFromComposite PatchType = "CombineFromComposite"
	// PatchTypeCombineToComposite combines fields of the observed composed
	// resource into one field of the composite resource.
	PatchTypeCombineToComposite PatchType = "CombineToComposite"
)

// A FromFieldPathPolicy says what to do when a patch's source field is
// missing.
type FromFieldPathPolicy string

// From field path policies.
const (
	// FromFieldPathPolicyOptional skips the patch when its source is missing.
	FromFieldPathPolicyOptional FromFieldPathPolicy = "Optional"
	// FromFieldPathPolicyRequired fails when the patch's source is missing.
	FromFieldPathPolicyRequired FromFieldPathPolicy = "Required"
)

// A ToFieldPathPolicy says how a patch's value is written to its
// destination.
type ToFieldPathPolicy string

// To field path policies.
const (
	// ToFieldPathPolicyReplace replaces the destination with the value.
	ToFieldPathPolicyReplace ToFieldPathPolicy = "Replace"
	// ToFieldPathPolicyMergeObjects merges objects recursively, keeping the
	// destination's existing values; arrays are replaced.
	ToFieldPathPolicyMergeObjects ToFieldPathPolicy = "MergeObjects"
	// ToFieldPathPolicyMergeObjectsAppendArrays merges objects recursively,
	// keeping the destination's existing values; arrays are appended to.
	ToFieldPathPolicyMergeObjectsAppendArrays ToFieldPathPolicy = "MergeObjectsAppendArrays"
	// ToFieldPathPolicyForceMergeObjects merges objects recursively,
	// overwriting the destination's existing values; arrays are replaced.
	ToFieldPathPolicyForceMergeObjects ToFieldPathPolicy = "ForceMergeObjects"
	// ToFieldPathPolicyForceMergeObjectsAppendArrays merges objects
	// recursively, overwriting the destination's existing values; arrays are
	// appended to.
	ToFieldPathPolicyForceMergeObjectsAppendArrays ToFieldPathPolicy = "ForceMergeObjectsAppendArrays"
	// ToFieldPathPolicyAppendArray is the older name of
	// ForceMergeObjectsAppendArrays, kept for existing Compositions; prefer
	// the newer one.
	ToFieldPathPolicyAppendArray ToFieldPathPolicy = "AppendArray"
)

// A PatchPolicy tunes how a patch reads its source and writes its
// destination.
type PatchPolicy struct {
	// FromFieldPath says what to do when the source field is missing:
	// Optional (the default) skips the patch, Required fails.
	// +kubebuilder:validation:Enum=Optional;Required
	// +optional
	FromFieldPath *FromFieldPathPolicy `json:"fromFieldPath,omitempty"`

	// ToFieldPath says how the value is written to the destination field.
	// Replace is the default.
	// +kubebuilder:validation:Enum=Replace;MergeObjects;MergeObjectsAppendArrays;ForceMergeObjects;ForceMergeObjectsAppendArrays;AppendArray
	// +optional
	ToFieldPath *ToFieldPathPolicy `json:"toFieldPath,omitempty"`
}

// GetFromFieldPathPolicy returns the from field path policy, Optional unless
// set.
func (p *PatchPolicy) GetFromFieldPathPolicy() FromFieldPathPolicy {
	if p == nil || p.FromFieldPath == nil {
		return FromFieldPathPolicyOptional
	}
	return *p.FromFieldPath
}

// GetToFieldPathPolicy returns the to field path policy, Replace unless set.
func (p *PatchPolicy) GetToFieldPathPolicy() ToFieldPathPolicy {
	if p == nil || p.ToFieldPath == nil {
		return ToFieldPathPolicyReplace
	}
	return *p.ToFieldPath
}

// A ComposedPatch copies a value, possibly transformed, between the composite
// resource and a composed resource, or includes a PatchSet.
type ComposedPatch struct {
	// Type of the patch. FromCompositeFieldPath is the default.
	// +kubebuilder:validation:Enum=FromCompositeFieldPath;PatchSet;ToCompositeFieldPath;CombineFromComposite;CombineToComposite
	// +kubebuilder:default=FromCompositeFieldPath
	// +optional
	Type PatchType `json:"type,omitempty"`

	// FromFieldPath is the source field of a FromCompositeFieldPath or
	// ToCompositeFieldPath patch.
	// +optional
	FromFieldPath *string `json:"fromFieldPath,omitempty"`

	// ToFieldPath is the destination field. It defaults to fromFieldPath for
	// FromCompositeFieldPath and ToCompositeFieldPath patches. A [*] segment
	// patches every element of an existing array.
	// +optional
	ToFieldPath *string `json:"toFieldPath,omitempty"`

	// PatchSetName is the PatchSet a PatchSet patch includes.
	// +optional
	PatchSetName *string `json:"patchSetName,omitempty"`

	// Combine is how a CombineFromComposite or CombineToComposite patch
	// combines its source fields into one value.
	// +optional
	Combine *Combine `json:"combine,omitempty"`

	// Transforms applied, in order, to the value before it is written.
	// +optional
	Transforms []Transform `json:"transforms,omitempty"`

	// Policy tunes how the patch reads and writes.
	// +optional
	Policy *PatchPolicy `json:"policy,omitempty"`
}

// GetType returns the patch's type, FromCompositeFieldPath unless set.
func (p *ComposedPatch) GetType() PatchType {
	if p.Type == "" {
		return PatchTypeFromCompositeFieldPath
	}
	return p.Type
}

// A CombineStrategy is how a combine patch combines its variables.
type CombineStrategy string

// Combine strategies.
const (
	// CombineStrategyString formats the variables with a format string.
	CombineStrategyString CombineStrategy = "string"
)

// A Combine combines several source fields into one value.
type Combine struct {
	// Variables are the source fields, in the order the strategy receives
	// them.
	// +kubebuilder:validation:MinItems=1
	Variables []CombineVariable `json:"variables"`

	// Strategy of the combination.
	// +kubebuilder:validation:Enum=string
	Strategy CombineStrategy `json:"strategy"`

	// String configures the string strategy.
	// +optional
	String *StringCombine `json:"string,omitempty"`
}

// A CombineVariable is one source field of a Combine.
type CombineVariable struct {
	// FromFieldPath is the source field.
	FromFieldPath string `json:"fromFieldPath"`
}

// A StringCombine formats a Combine's variables into a string.
type StringCombine struct {
	// Format is a Go fmt format string with one verb per variable, such as
	// "%s-%s".
	Format string `json:"fmt"`
}
