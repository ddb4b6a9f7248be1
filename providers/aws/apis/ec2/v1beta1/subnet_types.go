package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// SubnetParameters are the configurable fields of a subnet.
type SubnetParameters struct {
	// Region of the subnet. Defaults to the ProviderConfig's region.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// VPCID is the ID of the VPC the subnet belongs to. Set it, or let
	// vpcIdRef or vpcIdSelector set it from a VPC resource. Required (here
	// or in initProvider, directly or by reference) to create a subnet.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="vpcId cannot be changed"
	VPCID *string `json:"vpcId,omitempty"`

	// VPCIDRef references the VPC resource whose ID sets vpcId.
	// +optional
	VPCIDRef *xpv2.Reference `json:"vpcIdRef,omitempty"`

	// VPCIDSelector selects the VPC resource whose ID sets vpcId.
	// +optional
	VPCIDSelector *xpv2.Selector `json:"vpcIdSelector,omitempty"`

	// CIDRBlock is the IPv4 range of the subnet, within the VPC's range,
	// e.g. 10.0.1.0/24. Required (here or in initProvider) to create a
	// subnet.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="cidrBlock cannot be changed"
	CIDRBlock *string `json:"cidrBlock,omitempty"`

	// AvailabilityZone of the subnet, e.g. us-east-1a. AWS chooses one
	// when it is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="availabilityZone cannot be changed"
	AvailabilityZone *string `json:"availabilityZone,omitempty"`

	// MapPublicIPOnLaunch gives instances launched in the subnet a public
	// IPv4 address.
	// +optional
	MapPublicIPOnLaunch *bool `json:"mapPublicIpOnLaunch,omitempty"`

	// Tags of the subnet. Stratus adds stratus.dev/name and stratus.dev/uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// SubnetObservation is the observed state of a subnet.
type SubnetObservation struct {
	// SubnetID is the ID AWS gave the subnet.
	SubnetID string `json:"subnetId,omitempty"`

	// ARN of the subnet.
	ARN string `json:"arn,omitempty"`

	// State of the subnet: pending or available.
	State string `json:"state,omitempty"`

	// AvailableIPAddressCount is the number of unused IPv4 addresses.
	AvailableIPAddressCount int32 `json:"availableIpAddressCount,omitempty"`

	// AvailabilityZone the subnet is in.
	AvailabilityZone string `json:"availabilityZone,omitempty"`

	// VPCID is the VPC the subnet belongs to.
	VPCID string `json:"vpcId,omitempty"`
}

// A SubnetSpec defines the desired state of a subnet.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.cidrBlock) || (has(self.initProvider) && has(self.initProvider.cidrBlock))",message="spec.forProvider.cidrBlock is required to create a subnet"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.vpcId) || has(self.forProvider.vpcIdRef) || has(self.forProvider.vpcIdSelector) || (has(self.initProvider) && (has(self.initProvider.vpcId) || has(self.initProvider.vpcIdRef) || has(self.initProvider.vpcIdSelector)))",message="spec.forProvider.vpcId, vpcIdRef or vpcIdSelector is required to create a subnet"
type SubnetSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the subnet.
	ForProvider SubnetParameters `json:"forProvider"`

	// InitProvider are fields used only to create the subnet; Stratus
	// does not keep them in sync afterwards.
	// +optional
	InitProvider *SubnetParameters `json:"initProvider,omitempty"`
}

// A SubnetStatus represents the observed state of a subnet.
type SubnetStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state AWS reports.
	AtProvider SubnetObservation `json:"atProvider,omitempty"`
}

// A Subnet is an IPv4 range of an Amazon VPC in one availability zone. Its
// external name is the subnet ID.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,aws}
type Subnet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SubnetSpec   `json:"spec"`
	Status SubnetStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A SubnetList is a list of subnets.
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
