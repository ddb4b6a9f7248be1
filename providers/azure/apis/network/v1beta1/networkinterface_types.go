package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// NetworkInterfaceParameters are the configurable fields of a network
// interface with one IP configuration.
// +kubebuilder:validation:XValidation:rule="!has(self.privateIpAddressAllocation) || self.privateIpAddressAllocation != 'Static' || has(self.privateIpAddress)",message="a Static privateIpAddressAllocation needs privateIpAddress"
type NetworkInterfaceParameters struct {
	// ResourceGroupName is the resource group of the interface. Set it, or
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

	// Location of the interface, the location of its virtual network.
	// Required (here or in initProvider) to create an interface.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location cannot be changed"
	Location *string `json:"location,omitempty"`

	// SubnetID is the Azure Resource Manager ID of the subnet the interface
	// takes its address from. Set it, or let subnetIdRef or
	// subnetIdSelector set it from a Subnet resource.
	// +optional
	SubnetID *string `json:"subnetId,omitempty"`

	// SubnetIDRef references the Subnet resource whose ID sets subnetId.
	// +optional
	SubnetIDRef *xpv2.Reference `json:"subnetIdRef,omitempty"`

	// SubnetIDSelector selects the Subnet resource whose ID sets subnetId.
	// +optional
	SubnetIDSelector *xpv2.Selector `json:"subnetIdSelector,omitempty"`

	// PrivateIPAddressAllocation is Dynamic (Azure picks the address, the
	// default) or Static (privateIpAddress).
	// +optional
	// +kubebuilder:validation:Enum=Dynamic;Static
	PrivateIPAddressAllocation *string `json:"privateIpAddressAllocation,omitempty"`

	// PrivateIPAddress is the interface's address when the allocation is
	// Static.
	// +optional
	// +kubebuilder:validation:Format=ipv4
	PrivateIPAddress *string `json:"privateIpAddress,omitempty"`

	// PublicIPAddressID is the Azure Resource Manager ID of a public IP
	// address to associate with the interface.
	// +optional
	PublicIPAddressID *string `json:"publicIpAddressId,omitempty"`

	// Tags of the interface. Stratus adds stratus.dev_name and
	// stratus.dev_uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// NetworkInterfaceObservation is the observed state of a network interface.
type NetworkInterfaceObservation struct {
	// ID is the interface's Azure Resource Manager ID, which virtual
	// machines reference.
	ID string `json:"id,omitempty"`

	// ProvisioningState of the interface, e.g. Updating or Succeeded.
	ProvisioningState string `json:"provisioningState,omitempty"`

	// PrivateIPAddress is the interface's private address.
	PrivateIPAddress string `json:"privateIpAddress,omitempty"`

	// MACAddress of the interface.
	MACAddress string `json:"macAddress,omitempty"`

	// VirtualMachineID is the ID of the virtual machine the interface is
	// attached to, if any.
	VirtualMachineID string `json:"virtualMachineId,omitempty"`
}

// A NetworkInterfaceSpec defines the desired state of a network interface.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.location) || (has(self.initProvider) && has(self.initProvider.location))",message="spec.forProvider.location is required to create a network interface"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.subnetId) || has(self.forProvider.subnetIdRef) || has(self.forProvider.subnetIdSelector) || (has(self.initProvider) && (has(self.initProvider.subnetId) || has(self.initProvider.subnetIdRef) || has(self.initProvider.subnetIdSelector)))",message="spec.forProvider.subnetId, subnetIdRef or subnetIdSelector is required to create a network interface"
type NetworkInterfaceSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the interface.
	ForProvider NetworkInterfaceParameters `json:"forProvider"`

	// InitProvider are fields used only to create the interface; Stratus
	// does not keep them in sync afterwards. The resource group is always
	// taken from forProvider.
	// +optional
	InitProvider *NetworkInterfaceParameters `json:"initProvider,omitempty"`
}

// A NetworkInterfaceStatus represents the observed state of a network
// interface.
type NetworkInterfaceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider NetworkInterfaceObservation `json:"atProvider,omitempty"`
}

// A NetworkInterface is an Azure network interface with one IP
// configuration. Its external name is the interface's name, which defaults
// to the resource's name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.provisioningState"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type NetworkInterface struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   NetworkInterfaceSpec   `json:"spec"`
	Status NetworkInterfaceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A NetworkInterfaceList is a list of NetworkInterfaces.
// +stratus:methodset=managedlist
type NetworkInterfaceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []NetworkInterface `json:"items"`
}

// NetworkInterface kind.
var (
	NetworkInterfaceKind             = "NetworkInterface"
	NetworkInterfaceGroupVersionKind = SchemeGroupVersion.WithKind(NetworkInterfaceKind)
)

func init() {
	SchemeBuilder.Register(&NetworkInterface{}, &NetworkInterfaceList{})
}
