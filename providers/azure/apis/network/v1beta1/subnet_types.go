package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// SubnetParameters are the configurable fields of a subnet.
type SubnetParameters struct {
	// ResourceGroupName is the resource group of the virtual network. Set
	// it, or let resourceGroupNameRef or resourceGroupNameSelector set it
	// from a ResourceGroup resource. When all three are unset and the
	// network is given by virtualNetworkNameRef or
	// virtualNetworkNameSelector, it is the resource group of that
	// VirtualNetwork.
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

	// VirtualNetworkName is the virtual network of the subnet. Set it, or
	// let virtualNetworkNameRef or virtualNetworkNameSelector set it from a
	// VirtualNetwork resource.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="virtualNetworkName cannot be changed"
	VirtualNetworkName *string `json:"virtualNetworkName,omitempty"`

	// VirtualNetworkNameRef references the VirtualNetwork resource whose
	// name sets virtualNetworkName.
	// +optional
	VirtualNetworkNameRef *xpv2.Reference `json:"virtualNetworkNameRef,omitempty"`

	// VirtualNetworkNameSelector selects the VirtualNetwork resource whose
	// name sets virtualNetworkName.
	// +optional
	VirtualNetworkNameSelector *xpv2.Selector `json:"virtualNetworkNameSelector,omitempty"`

	// AddressPrefixes are the subnet's IPv4 ranges, within the network's
	// address space, e.g. [10.0.1.0/24]. Required (here or in
	// initProvider) to create a subnet. They cannot change while network
	// interfaces use the subnet.
	// +optional
	// +kubebuilder:validation:MinItems=1
	AddressPrefixes []string `json:"addressPrefixes,omitempty"`
}

// SubnetObservation is the observed state of a subnet.
type SubnetObservation struct {
	// ID is the subnet's Azure Resource Manager ID, which network
	// interfaces reference.
	ID string `json:"id,omitempty"`

	// ProvisioningState of the subnet, e.g. Updating or Succeeded.
	ProvisioningState string `json:"provisioningState,omitempty"`

	// AddressPrefixes are the subnet's ranges.
	AddressPrefixes []string `json:"addressPrefixes,omitempty"`

	// IPConfigurations is the number of IP configurations (of network
	// interfaces) in the subnet.
	IPConfigurations int `json:"ipConfigurations,omitempty"`
}

// A SubnetSpec defines the desired state of a subnet.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector) || has(self.forProvider.virtualNetworkNameRef) || has(self.forProvider.virtualNetworkNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required unless the virtual network is referenced"
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.virtualNetworkName) || has(self.forProvider.virtualNetworkNameRef) || has(self.forProvider.virtualNetworkNameSelector)",message="spec.forProvider.virtualNetworkName, virtualNetworkNameRef or virtualNetworkNameSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.addressPrefixes) || (has(self.initProvider) && has(self.initProvider.addressPrefixes))",message="spec.forProvider.addressPrefixes is required to create a subnet"
type SubnetSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the subnet.
	ForProvider SubnetParameters `json:"forProvider"`

	// InitProvider are fields used only to create the subnet. The resource
	// group and network are always taken from forProvider.
	// +optional
	InitProvider *SubnetParameters `json:"initProvider,omitempty"`
}

// A SubnetStatus represents the observed state of a subnet.
type SubnetStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider SubnetObservation `json:"atProvider,omitempty"`
}

// A Subnet is a subnet of an Azure virtual network. Its external name is the
// subnet's name, which defaults to the resource's name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.provisioningState"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type Subnet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SubnetSpec   `json:"spec"`
	Status SubnetStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A SubnetList is a list of Subnets.
// +stratus:methodset=managedlist
type SubnetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Subnet `json:"items"`
}

// Subnet kind.
var (
	SubnetKind             = "Subnet"
	SubnetGroupVersionKind = SchemeGroupVersion.WithKind(SubnetKind)
)

func init() {
	SchemeBuilder.Register(&Subnet{}, &SubnetList{})
}
