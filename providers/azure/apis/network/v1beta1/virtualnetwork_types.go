package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// VirtualNetworkParameters are the configurable fields of a virtual network.
type VirtualNetworkParameters struct {
	// ResourceGroupName is the resource group of the network. Set it, or
	// let resourceGroupNameRef or resourceGroupNameSelector set it from a
	// ResourceGroup resource.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="resourceGroupName cannot be changed"
	ResourceGroupName *string `json:"resourceGroupName,omitempty"`

	// ResourceGroupNameRef references the ResourceGroup resource whose name
	// sets resourceGroupName.
	// +optional
	ResourceGroupNameRef *xpv2.Reference `json:"resourceGroupNameRef,omitempty"`

	// ResourceGroupNameSelector selects the ResourceGroup resource whose
	// name sets resourceGroupName.
	// +optional
	ResourceGroupNameSelector *xpv2.Selector `json:"resourceGroupNameSelector,omitempty"`

	// Location of the network, e.g. eastus. Required (here or in
	// initProvider) to create a network.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location cannot be changed"
	Location *string `json:"location,omitempty"`

	// AddressSpace is the network's list of IPv4 ranges, e.g.
	// [10.0.0.0/16]. Required (here or in initProvider) to create a
	// network. Ranges can be added; a range that subnets use cannot be
	// removed.
	// +optional
	// +kubebuilder:validation:MinItems=1
	AddressSpace []string `json:"addressSpace,omitempty"`

	// Tags of the network. Stratus adds stratus.dev_name and
	// stratus.dev_uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// VirtualNetworkObservation is the observed state of a virtual network.
type VirtualNetworkObservation struct {
	// ID is the network's Azure Resource Manager ID.
	ID string `json:"id,omitempty"`

	// ProvisioningState of the network, e.g. Updating or Succeeded.
	ProvisioningState string `json:"provisioningState,omitempty"`

	// ResourceGUID is the network's immutable unique identifier.
	ResourceGUID string `json:"resourceGuid,omitempty"`

	// AddressSpace is the network's address space.
	AddressSpace []string `json:"addressSpace,omitempty"`

	// Subnets are the names of the network's subnets.
	Subnets []string `json:"subnets,omitempty"`
}

// A VirtualNetworkSpec defines the desired state of a virtual network.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.location) || (has(self.initProvider) && has(self.initProvider.location))",message="spec.forProvider.location is required to create a virtual network"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.addressSpace) || (has(self.initProvider) && has(self.initProvider.addressSpace))",message="spec.forProvider.addressSpace is required to create a virtual network"
type VirtualNetworkSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the network.
	ForProvider VirtualNetworkParameters `json:"forProvider"`

	// InitProvider are fields used only to create the network; Stratus
	// does not keep them in sync afterwards. The resource group is always
	// taken from forProvider.
	// +optional
	InitProvider *VirtualNetworkParameters `json:"initProvider,omitempty"`
}

// A VirtualNetworkStatus represents the observed state of a virtual network.
type VirtualNetworkStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider VirtualNetworkObservation `json:"atProvider,omitempty"`
}

// A VirtualNetwork is an Azure virtual network. Its external name is the
// network's name, which defaults to the resource's name. Its subnets are
// Subnet resources of their own: Stratus never adds or removes subnets when
// it updates a network.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.provisioningState"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type VirtualNetwork struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   VirtualNetworkSpec   `json:"spec"`
	Status VirtualNetworkStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A VirtualNetworkList is a list of VirtualNetworks.
// +stratus:methodset=managedlist
type VirtualNetworkList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []VirtualNetwork `json:"items"`
}

// VirtualNetwork kind.
var (
	VirtualNetworkKind             = "VirtualNetwork"
	VirtualNetworkGroupVersionKind = SchemeGroupVersion.WithKind(VirtualNetworkKind)
)

func init() {
	SchemeBuilder.Register(&VirtualNetwork{}, &VirtualNetworkList{})
}
