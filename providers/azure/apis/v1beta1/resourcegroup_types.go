package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ResourceGroupParameters are the configurable fields of a resource group.
type ResourceGroupParameters struct {
	// Location of the resource group, e.g. eastus. It holds the group's
	// metadata; the group's resources may be elsewhere. Required (here or
	// in initProvider) to create a resource group.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location cannot be changed"
	Location *string `json:"location,omitempty"`

	// Tags of the resource group. Stratus adds stratus.dev_name and
	// stratus.dev_uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// ResourceGroupObservation is the observed state of a resource group.
type ResourceGroupObservation struct {
	// ID is the group's Azure Resource Manager ID.
	ID string `json:"id,omitempty"`

	// ProvisioningState of the group, e.g. Succeeded or Deleting.
	ProvisioningState string `json:"provisioningState,omitempty"`

	// Location of the group, as Azure normalized it.
	Location string `json:"location,omitempty"`
}

// A ResourceGroupSpec defines the desired state of a resource group.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.location) || (has(self.initProvider) && has(self.initProvider.location))",message="spec.forProvider.location is required to create a resource group"
type ResourceGroupSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the resource
	// group.
	ForProvider ResourceGroupParameters `json:"forProvider"`

	// InitProvider are fields used only to create the resource group;
	// Stratus does not keep them in sync afterwards.
	// +optional
	InitProvider *ResourceGroupParameters `json:"initProvider,omitempty"`
}

// A ResourceGroupStatus represents the observed state of a resource group.
type ResourceGroupStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider ResourceGroupObservation `json:"atProvider,omitempty"`
}

// A ResourceGroup is an Azure resource group. Its external name is the
// group's name, which defaults to the resource's name. Deleting a resource
// group deletes every Azure resource in it.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.provisioningState"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type ResourceGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ResourceGroupSpec   `json:"spec"`
	Status ResourceGroupStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A ResourceGroupList is a list of ResourceGroups.
// +stratus:methodset=managedlist
type ResourceGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ResourceGroup `json:"items"`
}

// ResourceGroup kind.
var (
	ResourceGroupKind             = "ResourceGroup"
	ResourceGroupGroupVersionKind = SchemeGroupVersion.WithKind(ResourceGroupKind)
)

func init() {
	SchemeBuilder.Register(&ResourceGroup{}, &ResourceGroupList{})
}
