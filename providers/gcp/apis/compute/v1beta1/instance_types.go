package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Desired statuses of an instance.
const (
	StatusRunning    = "RUNNING"
	StatusTerminated = "TERMINATED"
)

// A BootDisk is the persistent disk an instance boots from. Compute Engine
// reads it only when it creates the instance.
type BootDisk struct {
	// Image the disk is made from: an image or image family URL, e.g.
	// projects/debian-cloud/global/images/family/debian-12.
	// +kubebuilder:validation:MinLength=1
	Image string `json:"image"`

	// SizeGB is the size of the disk in GB. Defaults to the image's size.
	// +optional
	// +kubebuilder:validation:Minimum=1
	SizeGB *int64 `json:"sizeGb,omitempty"`

	// Type of the disk, e.g. pd-balanced, pd-ssd or pd-standard.
	// +optional
	Type *string `json:"type,omitempty"`
}

// An AccessConfig gives a network interface an external address.
type AccessConfig struct {
	// Name of the access config. Compute Engine uses "External NAT" when it
	// is unset.
	// +optional
	Name *string `json:"name,omitempty"`

	// NetworkTier of the external address.
	// +optional
	// +kubebuilder:validation:Enum=PREMIUM;STANDARD
	NetworkTier *string `json:"networkTier,omitempty"`
}

// A NetworkInterface attaches an instance to a VPC network.
type NetworkInterface struct {
	// Network to attach to: a URL, a partial URL such as
	// projects/my-project/global/networks/my-net, or global/networks/my-net.
	// Set it, or let networkRef or networkSelector set it from a Network.
	// With an auto mode network the subnetwork may be left out.
	// +optional
	Network *string `json:"network,omitempty"`

	// NetworkRef references the Network whose self link sets network.
	// +optional
	NetworkRef *xpv2.Reference `json:"networkRef,omitempty"`

	// NetworkSelector selects the Network whose self link sets network.
	// +optional
	NetworkSelector *xpv2.Selector `json:"networkSelector,omitempty"`

	// Subnetwork to attach to, in the instance's region: a URL or a
	// partial URL such as regions/us-central1/subnetworks/my-subnet. Set it,
	// or let subnetworkRef or subnetworkSelector set it from a Subnetwork.
	// +optional
	Subnetwork *string `json:"subnetwork,omitempty"`

	// SubnetworkRef references the Subnetwork whose self link sets
	// subnetwork.
	// +optional
	SubnetworkRef *xpv2.Reference `json:"subnetworkRef,omitempty"`

	// SubnetworkSelector selects the Subnetwork whose self link sets
	// subnetwork.
	// +optional
	SubnetworkSelector *xpv2.Selector `json:"subnetworkSelector,omitempty"`

	// AccessConfigs give the interface an ephemeral external address; at
	// most one. None means no external address.
	// +optional
	// +kubebuilder:validation:MaxItems=1
	// +listType=atomic
	AccessConfigs []AccessConfig `json:"accessConfigs,omitempty"`
}

// InstanceParameters are the configurable fields of a Compute Engine
// instance.
type InstanceParameters struct {
	// Zone of the instance, e.g. us-central1-a. Required in forProvider,
	// also to observe an existing instance.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="zone cannot be changed"
	Zone *string `json:"zone,omitempty"`

	// MachineType of the instance, e.g. e2-micro or n2-standard-2.
	// Required (here or in initProvider) to create an instance. Compute
	// Engine changes the machine type of a stopped instance only: a
	// running one is stopped first if allowStoppingForUpdate is true.
	// +optional
	// +kubebuilder:validation:MinLength=1
	MachineType *string `json:"machineType,omitempty"`

	// BootDisk is the disk the instance boots from. Required (here or in
	// initProvider) to create an instance.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="bootDisk cannot be changed"
	BootDisk *BootDisk `json:"bootDisk,omitempty"`

	// NetworkInterfaces attach the instance to networks. Required (here or
	// in initProvider) to create an instance. Compute Engine sets them at
	// creation; later changes are not applied.
	// +optional
	// +kubebuilder:validation:MaxItems=8
	// +listType=atomic
	NetworkInterfaces []NetworkInterface `json:"networkInterfaces,omitempty"`

	// Metadata of the instance, e.g. startup-script. Leaving it unset
	// leaves the instance's metadata alone.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`

	// Labels of the instance. Stratus adds the label stratus-uid.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Tags are the network tags that firewall rules and routes select the
	// instance by. Leaving them unset leaves the instance's tags alone.
	// +optional
	// +listType=set
	Tags []string `json:"tags,omitempty"`

	// DesiredStatus is RUNNING (the default) or TERMINATED (stopped).
	// Stratus starts or stops the instance to match.
	// +optional
	// +kubebuilder:validation:Enum=RUNNING;TERMINATED
	DesiredStatus *string `json:"desiredStatus,omitempty"`

	// AllowStoppingForUpdate lets Stratus stop a running instance to
	// change its machine type, and start it again afterwards. Without it
	// such a change is refused with an error on the Synced condition.
	// +optional
	AllowStoppingForUpdate *bool `json:"allowStoppingForUpdate,omitempty"`
}

// InstanceObservation is the observed state of a Compute Engine instance.
type InstanceObservation struct {
	// Status of the instance: PROVISIONING, STAGING, RUNNING, STOPPING,
	// TERMINATED, SUSPENDING or SUSPENDED.
	Status string `json:"status,omitempty"`

	// ID is the numeric ID Compute Engine gave the instance.
	ID string `json:"id,omitempty"`

	// SelfLink is the instance's URL.
	SelfLink string `json:"selfLink,omitempty"`

	// MachineType the instance runs as.
	MachineType string `json:"machineType,omitempty"`

	// NetworkIP is the internal address of the first network interface.
	NetworkIP string `json:"networkIP,omitempty"`

	// NatIP is the external address of the first network interface, while
	// the instance runs with an access config.
	NatIP string `json:"natIP,omitempty"`
}

// An InstanceSpec defines the desired state of a Compute Engine instance.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.zone)",message="spec.forProvider.zone is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.machineType) || (has(self.initProvider) && has(self.initProvider.machineType))",message="spec.forProvider.machineType is required to create an instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.bootDisk) || (has(self.initProvider) && has(self.initProvider.bootDisk))",message="spec.forProvider.bootDisk is required to create an instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.networkInterfaces) || (has(self.initProvider) && has(self.initProvider.networkInterfaces))",message="spec.forProvider.networkInterfaces is required to create an instance"
type InstanceSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the instance.
	ForProvider InstanceParameters `json:"forProvider"`

	// InitProvider are fields used only to create the instance; Stratus
	// does not keep them in sync afterwards. Its zone is ignored:
	// forProvider.zone is the instance's.
	// +optional
	InitProvider *InstanceParameters `json:"initProvider,omitempty"`
}

// An InstanceStatus represents the observed state of a Compute Engine
// instance.
type InstanceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Compute Engine reports.
	AtProvider InstanceObservation `json:"atProvider,omitempty"`
}

// An Instance is a Compute Engine virtual machine. Its external name is the
// instance name, which defaults to the resource's name. It publishes the
// connection details privateIP and, while it has one, publicIP.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.status"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,gcp}
type Instance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   InstanceSpec   `json:"spec"`
	Status InstanceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// An InstanceList is a list of Instances.
// +stratus:methodset=managedlist
type InstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Instance `json:"items"`
}

// Instance kind.
var (
	InstanceKind             = "Instance"
	InstanceGroupVersionKind = SchemeGroupVersion.WithKind(InstanceKind)
)

func init() {
	SchemeBuilder.Register(&Instance{}, &InstanceList{})
}
