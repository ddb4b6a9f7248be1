package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// A RootVolume configures the EBS volume an instance boots from. AWS reads
// it only when it launches the instance.
type RootVolume struct {
	// SizeGB is the size of the volume in GiB. Defaults to the AMI's
	// snapshot size.
	// +optional
	// +kubebuilder:validation:Minimum=1
	SizeGB *int32 `json:"sizeGb,omitempty"`

	// VolumeType of the volume. Defaults to the AMI's volume type.
	// +optional
	// +kubebuilder:validation:Enum=standard;gp2;gp3;io1;io2;st1;sc1
	VolumeType *string `json:"volumeType,omitempty"`

	// DeleteOnTermination deletes the volume with the instance. Defaults
	// to the AMI's setting (true for most AMIs).
	// +optional
	DeleteOnTermination *bool `json:"deleteOnTermination,omitempty"`
}

// InstanceParameters are the configurable fields of an EC2 instance.
type InstanceParameters struct {
	// Region of the instance. Defaults to the ProviderConfig's region.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// ImageID is the AMI the instance launches from, e.g.
	// ami-0abcdef1234567890. Required (here or in initProvider) to create
	// an instance.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="imageId cannot be changed"
	ImageID *string `json:"imageId,omitempty"`

	// InstanceType of the instance, e.g. t3.micro. Required (here or in
	// initProvider) to create an instance. Changing it stops the instance,
	// changes its type and starts it again.
	// +optional
	// +kubebuilder:validation:MinLength=1
	InstanceType *string `json:"instanceType,omitempty"`

	// SubnetID is the subnet the instance launches in. Set it, or let
	// subnetIdRef or subnetIdSelector set it from a Subnet resource. AWS
	// uses a default subnet of the default VPC when none is set.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="subnetId cannot be changed"
	SubnetID *string `json:"subnetId,omitempty"`

	// SubnetIDRef references the Subnet resource whose ID sets subnetId.
	// +optional
	SubnetIDRef *xpv2.Reference `json:"subnetIdRef,omitempty"`

	// SubnetIDSelector selects the Subnet resource whose ID sets subnetId.
	// +optional
	SubnetIDSelector *xpv2.Selector `json:"subnetIdSelector,omitempty"`

	// SecurityGroupIDs are the security groups of the instance. Set them,
	// or let securityGroupIdRefs or securityGroupIdSelector set them from
	// SecurityGroup resources. AWS uses the VPC's default group when none
	// is set.
	// +optional
	// +listType=set
	SecurityGroupIDs []string `json:"securityGroupIds,omitempty"`

	// SecurityGroupIDRefs reference the SecurityGroup resources whose IDs
	// set securityGroupIds.
	// +optional
	SecurityGroupIDRefs []xpv2.Reference `json:"securityGroupIdRefs,omitempty"`

	// SecurityGroupIDSelector selects the SecurityGroup resources whose
	// IDs set securityGroupIds.
	// +optional
	SecurityGroupIDSelector *xpv2.Selector `json:"securityGroupIdSelector,omitempty"`

	// KeyName is the name of the EC2 key pair whose public key is
	// installed on the instance.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="keyName cannot be changed"
	KeyName *string `json:"keyName,omitempty"`

	// UserData is the plain-text script or cloud-init configuration the
	// instance runs at first boot. Stratus encodes it in base64 for AWS.
	// +optional
	// +kubebuilder:validation:MaxLength=16384
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="userData cannot be changed"
	UserData *string `json:"userData,omitempty"`

	// RootVolume configures the volume the instance boots from.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="rootVolume cannot be changed"
	RootVolume *RootVolume `json:"rootVolume,omitempty"`

	// Tags of the instance; its volumes get them when it launches.
	// Stratus adds stratus.dev/name and stratus.dev/uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// InstanceObservation is the observed state of an EC2 instance.
type InstanceObservation struct {
	// InstanceID is the ID AWS gave the instance.
	InstanceID string `json:"instanceId,omitempty"`

	// State of the instance: pending, running, stopping, stopped or
	// shutting-down.
	State string `json:"state,omitempty"`

	// InstanceType the instance runs as.
	InstanceType string `json:"instanceType,omitempty"`

	// PrivateIP is the instance's primary private IPv4 address.
	PrivateIP string `json:"privateIp,omitempty"`

	// PublicIP is the instance's public IPv4 address, if it has one.
	PublicIP string `json:"publicIp,omitempty"`

	// PrivateDNS is the instance's private DNS name.
	PrivateDNS string `json:"privateDns,omitempty"`

	// PublicDNS is the instance's public DNS name, if it has one.
	PublicDNS string `json:"publicDns,omitempty"`

	// LaunchTime is when the instance last started.
	LaunchTime *metav1.Time `json:"launchTime,omitempty"`

	// AvailabilityZone the instance runs in.
	AvailabilityZone string `json:"availabilityZone,omitempty"`
}

// An InstanceSpec defines the desired state of an EC2 instance.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.imageId) || (has(self.initProvider) && has(self.initProvider.imageId))",message="spec.forProvider.imageId is required to create an instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.instanceType) || (has(self.initProvider) && has(self.initProvider.instanceType))",message="spec.forProvider.instanceType is required to create an instance"
type InstanceSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the instance.
	ForProvider InstanceParameters `json:"forProvider"`

	// InitProvider are fields used only to create the instance; Stratus
	// does not keep them in sync afterwards.
	// +optional
	InitProvider *InstanceParameters `json:"initProvider,omitempty"`
}

// An InstanceStatus represents the observed state of an EC2 instance.
type InstanceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state AWS reports.
	AtProvider InstanceObservation `json:"atProvider,omitempty"`
}

// An Instance is an Amazon EC2 instance. Its external name is the instance
// ID. It publishes the connection details publicIP and privateIP.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,aws}
type Instance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   InstanceSpec   `json:"spec"`
	Status InstanceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// An InstanceList is a list of EC2 instances.
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
