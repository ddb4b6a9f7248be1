package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// An OSDisk describes the managed disk a virtual machine boots from.
type OSDisk struct {
	// Caching of the disk: None, ReadOnly or ReadWrite (the default).
	// +optional
	// +kubebuilder:validation:Enum=None;ReadOnly;ReadWrite
	Caching *string `json:"caching,omitempty"`

	// StorageAccountType of the disk, e.g. Standard_LRS, StandardSSD_LRS
	// or Premium_LRS (the default).
	// +optional
	StorageAccountType *string `json:"storageAccountType,omitempty"`

	// DiskSizeGB is the disk's size in GiB; the image's size when unset.
	// +optional
	// +kubebuilder:validation:Minimum=1
	DiskSizeGB *int32 `json:"diskSizeGb,omitempty"`
}

// A SourceImageReference names the Azure Marketplace image a virtual
// machine is created from.
type SourceImageReference struct {
	// Publisher of the image, e.g. Canonical.
	// +kubebuilder:validation:MinLength=1
	Publisher string `json:"publisher"`

	// Offer of the image, e.g. ubuntu-24_04-lts.
	// +kubebuilder:validation:MinLength=1
	Offer string `json:"offer"`

	// SKU of the image, e.g. server.
	// +kubebuilder:validation:MinLength=1
	SKU string `json:"sku"`

	// Version of the image; latest when unset.
	// +optional
	Version *string `json:"version,omitempty"`
}

// LinuxVirtualMachineParameters are the configurable fields of a Linux
// virtual machine.
// +kubebuilder:validation:XValidation:rule="has(self.adminSshKey) || has(self.adminPasswordSecretRef) || !has(self.adminUsername)",message="adminSshKey or adminPasswordSecretRef is required"
type LinuxVirtualMachineParameters struct {
	// ResourceGroupName is the resource group of the machine. Set it, or
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

	// Location of the machine, the location of its network interfaces.
	// Required (here or in initProvider) to create a machine.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location cannot be changed"
	Location *string `json:"location,omitempty"`

	// Size of the machine, e.g. Standard_B1s. Required (here or in
	// initProvider) to create a machine. A change resizes the machine in
	// place.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Size *string `json:"size,omitempty"`

	// AdminUsername is the administrator's user name. Required (here or in
	// initProvider) to create a machine.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="adminUsername cannot be changed"
	AdminUsername *string `json:"adminUsername,omitempty"`

	// AdminSSHKey is the administrator's OpenSSH public key, e.g.
	// "ssh-ed25519 AAAA...". With a key and no password, password
	// logins are turned off.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="adminSshKey cannot be changed"
	AdminSSHKey *string `json:"adminSshKey,omitempty"`

	// AdminPasswordSecretRef selects the key of a Secret that holds the
	// administrator's password. It is used to create the machine only:
	// Azure cannot change it afterwards.
	// +optional
	AdminPasswordSecretRef *xpv2.SecretKeySelector `json:"adminPasswordSecretRef,omitempty"`

	// OSDisk describes the disk the machine boots from. It is deleted with
	// the machine.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="osDisk cannot be changed"
	OSDisk *OSDisk `json:"osDisk,omitempty"`

	// SourceImageReference is the image the machine is created from.
	// Required (here or in initProvider) to create a machine.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="sourceImageReference cannot be changed"
	SourceImageReference *SourceImageReference `json:"sourceImageReference,omitempty"`

	// NetworkInterfaceIDs are the Azure Resource Manager IDs of the
	// machine's network interfaces; the first is the primary one. Set
	// them, or let networkInterfaceIdRefs or networkInterfaceIdSelector set
	// them from NetworkInterface resources. Azure changes them only on a
	// deallocated machine.
	// +optional
	NetworkInterfaceIDs []string `json:"networkInterfaceIds,omitempty"`

	// NetworkInterfaceIDRefs reference the NetworkInterface resources whose
	// IDs set networkInterfaceIds.
	// +optional
	NetworkInterfaceIDRefs []xpv2.Reference `json:"networkInterfaceIdRefs,omitempty"`

	// NetworkInterfaceIDSelector selects the NetworkInterface resources
	// whose IDs set networkInterfaceIds.
	// +optional
	NetworkInterfaceIDSelector *xpv2.Selector `json:"networkInterfaceIdSelector,omitempty"`

	// Tags of the machine. Stratus adds stratus.dev_name and
	// stratus.dev_uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// LinuxVirtualMachineObservation is the observed state of a virtual machine.
type LinuxVirtualMachineObservation struct {
	// ID is the machine's Azure Resource Manager ID.
	ID string `json:"id,omitempty"`

	// VMID is the machine's unique identifier.
	VMID string `json:"vmId,omitempty"`

	// ProvisioningState of the machine, e.g. Creating, Updating, Succeeded
	// or Deleting.
	ProvisioningState string `json:"provisioningState,omitempty"`

	// PowerState of the machine, e.g. starting, running, stopped or
	// deallocated.
	PowerState string `json:"powerState,omitempty"`

	// Size of the machine.
	Size string `json:"size,omitempty"`

	// PrivateIPAddress is the private address of the primary network
	// interface.
	PrivateIPAddress string `json:"privateIpAddress,omitempty"`

	// PublicIPAddress is the public address of the primary network
	// interface, if it has one.
	PublicIPAddress string `json:"publicIpAddress,omitempty"`

	// OSDiskName is the name Azure gave the OS disk.
	OSDiskName string `json:"osDiskName,omitempty"`
}

// A LinuxVirtualMachineSpec defines the desired state of a virtual machine.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.location) || (has(self.initProvider) && has(self.initProvider.location))",message="spec.forProvider.location is required to create a virtual machine"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.size) || (has(self.initProvider) && has(self.initProvider.size))",message="spec.forProvider.size is required to create a virtual machine"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.adminUsername) || (has(self.initProvider) && has(self.initProvider.adminUsername))",message="spec.forProvider.adminUsername is required to create a virtual machine"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.sourceImageReference) || (has(self.initProvider) && has(self.initProvider.sourceImageReference))",message="spec.forProvider.sourceImageReference is required to create a virtual machine"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.networkInterfaceIds) || has(self.forProvider.networkInterfaceIdRefs) || has(self.forProvider.networkInterfaceIdSelector) || (has(self.initProvider) && (has(self.initProvider.networkInterfaceIds) || has(self.initProvider.networkInterfaceIdRefs) || has(self.initProvider.networkInterfaceIdSelector)))",message="spec.forProvider.networkInterfaceIds, networkInterfaceIdRefs or networkInterfaceIdSelector is required to create a virtual machine"
type LinuxVirtualMachineSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the machine.
	ForProvider LinuxVirtualMachineParameters `json:"forProvider"`

	// InitProvider are fields used only to create the machine; Stratus
	// does not keep them in sync afterwards. The resource group is always
	// taken from forProvider.
	// +optional
	InitProvider *LinuxVirtualMachineParameters `json:"initProvider,omitempty"`
}

// A LinuxVirtualMachineStatus represents the observed state of a virtual
// machine.
type LinuxVirtualMachineStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider LinuxVirtualMachineObservation `json:"atProvider,omitempty"`
}

// A LinuxVirtualMachine is an Azure virtual machine running Linux. Its
// external name is the machine's name, which defaults to the resource's
// name. Its connection details are username, privateIP and, when the primary
// network interface has a public address, publicIP.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.powerState"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type LinuxVirtualMachine struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   LinuxVirtualMachineSpec   `json:"spec"`
	Status LinuxVirtualMachineStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A LinuxVirtualMachineList is a list of LinuxVirtualMachines.
// +stratus:methodset=managedlist
type LinuxVirtualMachineList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LinuxVirtualMachine `json:"items"`
}

// LinuxVirtualMachine kind.
var (
	LinuxVirtualMachineKind             = "LinuxVirtualMachine"
	LinuxVirtualMachineGroupVersionKind = SchemeGroupVersion.WithKind(LinuxVirtualMachineKind)
)

func init() {
	SchemeBuilder.Register(&LinuxVirtualMachine{}, &LinuxVirtualMachineList{})
}
