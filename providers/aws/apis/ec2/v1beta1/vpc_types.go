package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// VPCParameters are the configurable fields of a VPC.
type VPCParameters struct {
	// Region of the VPC. Defaults to the ProviderConfig's region.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// CIDRBlock is the IPv4 range of the VPC, e.g. 10.0.0.0/16. Required
	// (here or in initProvider) to create a VPC.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="cidrBlock cannot be changed"
	CIDRBlock *string `json:"cidrBlock,omitempty"`

	// InstanceTenancy of instances launched in the VPC.
	// +optional
	// +kubebuilder:validation:Enum=default;dedicated
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="instanceTenancy cannot be changed"
	InstanceTenancy *string `json:"instanceTenancy,omitempty"`

	// EnableDNSSupport turns the Amazon-provided DNS server on.
	// +optional
	EnableDNSSupport *bool `json:"enableDnsSupport,omitempty"`

	// EnableDNSHostnames gives instances with public IPs public DNS names.
	// +optional
	EnableDNSHostnames *bool `json:"enableDnsHostnames,omitempty"`

	// Tags of the VPC. Stratus adds stratus.dev/name and stratus.dev/uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// VPCObservation is the observed state of a VPC.
type VPCObservation struct {
	// VPCID is the ID AWS gave the VPC.
	VPCID string `json:"vpcId,omitempty"`

	// State of the VPC: pending or available.
	State string `json:"state,omitempty"`

	// CIDRBlock is the VPC's primary IPv4 range.
	CIDRBlock string `json:"cidrBlock,omitempty"`

	// IsDefault is true for the region's default VPC.
	IsDefault bool `json:"isDefault,omitempty"`

	// OwnerID is the AWS account that owns the VPC.
	OwnerID string `json:"ownerId,omitempty"`

	// DHCPOptionsID is the set of DHCP options of the VPC.
	DHCPOptionsID string `json:"dhcpOptionsId,omitempty"`
}

// A VPCSpec defines the desired state of a VPC.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.cidrBlock) || (has(self.initProvider) && has(self.initProvider.cidrBlock))",message="spec.forProvider.cidrBlock is required to create a VPC"
type VPCSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the VPC.
	ForProvider VPCParameters `json:"forProvider"`

	// InitProvider are fields used only to create the VPC; Stratus does
	// not keep them in sync afterwards.
	// +optional
	InitProvider *VPCParameters `json:"initProvider,omitempty"`
}

// A VPCStatus represents the observed state of a VPC.
type VPCStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state AWS reports.
	AtProvider VPCObservation `json:"atProvider,omitempty"`
}

// A VPC is an Amazon Virtual Private Cloud. Its external name is the VPC ID.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,aws}
type VPC struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   VPCSpec   `json:"spec"`
	Status VPCStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A VPCList is a list of VPCs.
// +stratus:methodset=managedlist
type VPCList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []VPC `json:"items"`
}
