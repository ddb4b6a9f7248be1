package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// A SecurityGroupRule allows traffic of one protocol and port range to or
// from IPv4 ranges.
// +kubebuilder:validation:XValidation:rule="!(self.ipProtocol in ['tcp', 'udp', '6', '17']) || (has(self.fromPort) && has(self.toPort))",message="fromPort and toPort are required for tcp and udp rules"
type SecurityGroupRule struct {
	// IPProtocol is tcp, udp, icmp, icmpv6, a protocol number, or -1 for
	// all protocols (and all ports).
	// +kubebuilder:validation:MinLength=1
	IPProtocol string `json:"ipProtocol"`

	// FromPort is the first port of the range; for icmp, the ICMP type
	// (-1 for all). Ignored for protocol -1.
	// +optional
	FromPort *int32 `json:"fromPort,omitempty"`

	// ToPort is the last port of the range; for icmp, the ICMP code (-1
	// for all). Ignored for protocol -1.
	// +optional
	ToPort *int32 `json:"toPort,omitempty"`

	// CIDRBlocks are the IPv4 ranges the rule allows, e.g. 10.0.0.0/16.
	// +kubebuilder:validation:MinItems=1
	CIDRBlocks []string `json:"cidrBlocks"`

	// Description of the rule. When unset, any description AWS has is
	// accepted.
	// +optional
	Description *string `json:"description,omitempty"`
}

// SecurityGroupParameters are the configurable fields of a security group.
//
// Ingress and egress are each managed only when set: an unset list leaves
// the group's rules in that direction alone (so the all-traffic egress rule
// AWS adds to every new group stays), while a set list, even an empty one,
// is the exact set of IPv4 rules the group has. Rules that reference other
// groups, prefix lists or IPv6 ranges are never changed.
type SecurityGroupParameters struct {
	// Region of the security group. Defaults to the ProviderConfig's
	// region.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// GroupName is the name of the security group, unique within its VPC.
	// Defaults to the resource's metadata.name.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="groupName cannot be changed"
	GroupName *string `json:"groupName,omitempty"`

	// Description of the security group. Required (here or in
	// initProvider) to create a security group.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="description cannot be changed"
	Description *string `json:"description,omitempty"`

	// VPCID is the ID of the VPC the security group belongs to; AWS uses
	// the region's default VPC when it is unset. Set it, or let vpcIdRef
	// or vpcIdSelector set it from a VPC resource.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="vpcId cannot be changed"
	VPCID *string `json:"vpcId,omitempty"`

	// VPCIDRef references the VPC resource whose ID sets vpcId.
	// +optional
	VPCIDRef *xpv2.Reference `json:"vpcIdRef,omitempty"`

	// VPCIDSelector selects the VPC resource whose ID sets vpcId.
	// +optional
	VPCIDSelector *xpv2.Selector `json:"vpcIdSelector,omitempty"`

	// Ingress rules of the security group. Unset leaves the group's
	// ingress rules alone; an empty list removes them all. (No omitempty:
	// an empty list must survive a round trip through the provider.)
	// +optional
	// +listType=atomic
	Ingress []SecurityGroupRule `json:"ingress"`

	// Egress rules of the security group. Unset leaves the group's egress
	// rules, e.g. the all-traffic rule AWS adds to a new group, alone; an
	// empty list removes them all.
	// +optional
	// +listType=atomic
	Egress []SecurityGroupRule `json:"egress"`

	// Tags of the security group. Stratus adds stratus.dev/name and
	// stratus.dev/uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// SecurityGroupObservation is the observed state of a security group.
type SecurityGroupObservation struct {
	// GroupID is the ID AWS gave the security group.
	GroupID string `json:"groupId,omitempty"`

	// ARN of the security group.
	ARN string `json:"arn,omitempty"`

	// OwnerID is the AWS account that owns the security group.
	OwnerID string `json:"ownerId,omitempty"`

	// VPCID is the VPC the security group belongs to.
	VPCID string `json:"vpcId,omitempty"`
}

// A SecurityGroupSpec defines the desired state of a security group.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.description) || (has(self.initProvider) && has(self.initProvider.description))",message="spec.forProvider.description is required to create a security group"
type SecurityGroupSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the security
	// group.
	ForProvider SecurityGroupParameters `json:"forProvider"`

	// InitProvider are fields used only to create the security group;
	// Stratus does not keep them in sync afterwards.
	// +optional
	InitProvider *SecurityGroupParameters `json:"initProvider,omitempty"`
}

// A SecurityGroupStatus represents the observed state of a security group.
type SecurityGroupStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state AWS reports.
	AtProvider SecurityGroupObservation `json:"atProvider,omitempty"`
}

// A SecurityGroup is an Amazon EC2 security group: a stateful firewall for
// the network interfaces of a VPC. Its external name is the group ID.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="VPC",type="string",JSONPath=".status.atProvider.vpcId"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,aws}
type SecurityGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SecurityGroupSpec   `json:"spec"`
	Status SecurityGroupStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A SecurityGroupList is a list of security groups.
// +stratus:methodset=managedlist
type SecurityGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SecurityGroup `json:"items"`
}

// SecurityGroup kind.
var (
	SecurityGroupKind             = "SecurityGroup"
	SecurityGroupGroupVersionKind = SchemeGroupVersion.WithKind(SecurityGroupKind)
)

func init() {
	SchemeBuilder.Register(&SecurityGroup{}, &SecurityGroupList{})
}
