package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ptv1beta1 "github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// A CompositionMode says how a Composition composes resources.
type CompositionMode string

// Composition modes.
const (
	// CompositionModeResources composes the resources listed in
	// spec.resources, patched and transformed (Crossplane v1's classic mode).
	CompositionModeResources CompositionMode = "Resources"

	// CompositionModePipeline runs the functions of spec.pipeline in order.
	CompositionModePipeline CompositionMode = "Pipeline"
)

// CompositionSpec says how to compose resources for one kind of composite
// resource.
type CompositionSpec struct {
	// CompositeTypeRef is the kind of composite resource this Composition
	// composes.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="Value is immutable"
	CompositeTypeRef TypeReference `json:"compositeTypeRef"`

	// Mode is Resources (compose spec.resources) or Pipeline (run
	// spec.pipeline). When unset, it is Pipeline if spec.pipeline is set and
	// Resources otherwise, so manifests of either Crossplane generation work.
	// +optional
	// +kubebuilder:validation:Enum=Resources;Pipeline
	Mode *CompositionMode `json:"mode,omitempty"`

	// PatchSets are named lists of patches that resources can include.
	// Resources mode only.
	// +optional
	PatchSets []ptv1beta1.PatchSet `json:"patchSets,omitempty"`

	// Resources are the templates of the composed resources. Resources mode
	// only.
	// +optional
	Resources []ptv1beta1.ComposedTemplate `json:"resources,omitempty"`

	// Pipeline is the list of function steps run in Pipeline mode.
	// +optional
	// +kubebuilder:validation:MaxItems=99
	// +listType=map
	// +listMapKey=step
	Pipeline []PipelineStep `json:"pipeline,omitempty"`

	// WriteConnectionSecretsToNamespace is where composed resources write
	// their connection Secrets when their template names no namespace.
	// +optional
	WriteConnectionSecretsToNamespace *string `json:"writeConnectionSecretsToNamespace,omitempty"`
}

// A PipelineStep runs one composition function.
type PipelineStep struct {
	// Step names this step, unique within the pipeline.
	Step string `json:"step"`

	// FunctionRef names the function this step runs.
	FunctionRef FunctionReference `json:"functionRef"`

	// Input passed to the function: a KRM-shaped object of the function's
	// own input kind.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:EmbeddedResource
	Input *runtime.RawExtension `json:"input,omitempty"`

	// Credentials the function needs, passed to it by name.
	// +optional
	// +listType=map
	// +listMapKey=name
	Credentials []FunctionCredentials `json:"credentials,omitempty"`

	// Requirements the function has before it first runs.
	// +optional
	Requirements *FunctionRequirements `json:"requirements,omitempty"`
}

// A FunctionReference names a composition function.
type FunctionReference struct {
	// Name of the function.
	Name string `json:"name"`
}

// FunctionCredentials are credentials passed to a function.
type FunctionCredentials struct {
	// Name the function knows these credentials by.
	Name string `json:"name"`

	// Source of the credentials.
	// +kubebuilder:validation:Enum=None;Secret
	Source string `json:"source"`

	// SecretRef names the Secret holding them, for source Secret.
	// +optional
	SecretRef *xpv2.SecretReference `json:"secretRef,omitempty"`
}

// FunctionRequirements are resources a function needs before it runs.
type FunctionRequirements struct {
	// RequiredResources are fetched and passed to the function.
	// +optional
	// +listType=map
	// +listMapKey=requirementName
	RequiredResources []RequiredResourceSelector `json:"requiredResources,omitempty"`
}

// A RequiredResourceSelector selects resources a function needs.
type RequiredResourceSelector struct {
	// RequirementName is the key the function finds the resources under.
	RequirementName string `json:"requirementName"`

	// APIVersion of the resources.
	APIVersion string `json:"apiVersion"`

	// Kind of the resources.
	Kind string `json:"kind"`

	// Namespace of the resources, for namespaced kinds.
	// +optional
	Namespace *string `json:"namespace,omitempty"`

	// Name of the one resource to fetch.
	// +optional
	Name *string `json:"name,omitempty"`

	// MatchLabels selects resources by label.
	// +optional
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// GetMode returns the Composition's mode, inferring it when unset.
func (s *CompositionSpec) GetMode() CompositionMode {
	if s.Mode != nil {
		return *s.Mode
	}
	if len(s.Pipeline) > 0 {
		return CompositionModePipeline
	}
	return CompositionModeResources
}

// A Composition says how to compose resources for a kind of composite
// resource: either as patched templates (Resources mode) or as a pipeline of
// composition functions (Pipeline mode).
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:name="XR-KIND",type="string",JSONPath=".spec.compositeTypeRef.kind"
// +kubebuilder:printcolumn:name="XR-APIVERSION",type="string",JSONPath=".spec.compositeTypeRef.apiVersion"
// +kubebuilder:printcolumn:name="MODE",type="string",JSONPath=".spec.mode",priority=1
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories=crossplane,shortName=comp
type Composition struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec CompositionSpec `json:"spec,omitempty"`
}

// +kubebuilder:object:root=true

// A CompositionList is a list of Compositions.
type CompositionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Composition `json:"items"`
}

// CompositionRevisionSpec is an immutable snapshot of a Composition's spec.
type CompositionRevisionSpec struct {
	CompositionSpec `json:",inline"`

	// Revision number. Newer revisions have larger numbers; a Composition
	// that returns to an earlier spec makes that revision the newest again.
	Revision int64 `json:"revision"`
}

// CompositionRevisionStatus is the observed state of a CompositionRevision.
type CompositionRevisionStatus struct {
	xpv2.ConditionedStatus `json:",inline"`
}

// A CompositionRevision is an immutable snapshot of a Composition. Every
// change to a Composition yields a new revision; composite resources follow
// the newest (update policy Automatic) or stay on the one they pin (Manual).
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="REVISION",type="string",JSONPath=".spec.revision"
// +kubebuilder:printcolumn:name="XR-KIND",type="string",JSONPath=".spec.compositeTypeRef.kind"
// +kubebuilder:printcolumn:name="XR-APIVERSION",type="string",JSONPath=".spec.compositeTypeRef.apiVersion"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories=crossplane,shortName=comprev
type CompositionRevision struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CompositionRevisionSpec   `json:"spec,omitempty"`
	Status CompositionRevisionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A CompositionRevisionList is a list of CompositionRevisions.
type CompositionRevisionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CompositionRevision `json:"items"`
}

// Labels on CompositionRevisions.
const (
	// LabelCompositionName names the Composition a revision snapshots.
	LabelCompositionName = "crossplane.io/composition-name"

	// LabelCompositionHash is a hash of the snapshotted spec.
	LabelCompositionHash = "crossplane.io/composition-hash"
)
