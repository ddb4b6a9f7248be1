package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// A SecondaryRange is an extra IP range of a subnetwork, e.g. for the pods
// of a Kubernetes cluster.
type SecondaryRange struct {
	// RangeName names the range within the subnetwork.
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`
	RangeName string `json:"rangeName"`

	// IPCIDRRange is the range, e.g. 10.4.0.0/14.
	// +kubebuilder:validation:MinLength=1
	IPCIDRRange string `json:"ipCidrRange"`
}

// SubnetworkParameters are the configurable fields of a subnetwork.
type SubnetworkParameters struct {
	// Region of the subnetwork, e.g. us-central1. Required in
	// forProvider, also to observe an existing subnetwork.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// Network the subnetwork belongs to: a URL, a partial URL such as
	// projects/my-project/global/networks/my-net, or global/networks/my-net.
	// Set it, or let networkRef or networkSelector set it from a Network.
	// Required (here or in initProvider, directly or by reference) to
	// create a subnetwork.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="network cannot be changed"
	Network *string `json:"network,omitempty"`

	// NetworkRef references the Network whose self link sets network.
	// +optional
	NetworkRef *xpv2.Reference `json:"networkRef,omitempty"`

	// NetworkSelector selects the Network whose self link sets network.
	// +optional
	NetworkSelector *xpv2.Selector `json:"networkSelector,omitempty"`

	// IPCIDRRange is the subnetwork's primary IPv4 range, e.g.
	// 10.10.0.0/24. Required (here or in initProvider) to create a
	// subnetwork.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="ipCidrRange cannot be changed"
	IPCIDRRange *string `json:"ipCidrRange,omitempty"`

	// PrivateIPGoogleAccess lets instances without external addresses
	// reach Google APIs.
	// +optional
	PrivateIPGoogleAccess *bool `json:"privateIpGoogleAccess,omitempty"`

	// SecondaryIPRanges are the subnetwork's extra ranges. Leaving them
	// unset leaves the subnetwork's ranges alone.
	// +optional
	// +listType=map
	// +listMapKey=rangeName
	SecondaryIPRanges []SecondaryRange `json:"secondaryIpRanges,omitempty"`

	// Description of the subnetwork, for people.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="description cannot be changed"
	Description *string `json:"description,omitempty"`
}

// SubnetworkObservation is the observed state of a subnetwork.
type SubnetworkObservation struct {
	// ID is the numeric ID Compute Engine gave the subnetwork.
	ID string `json:"id,omitempty"`

	// SelfLink is the subnetwork's URL, what other resources refer to it
	// by.
	SelfLink string `json:"selfLink,omitempty"`

	// Network is the URL of the subnetwork's network.
	Network string `json:"network,omitempty"`

	// IPCIDRRange is the subnetwork's primary range.
	IPCIDRRange string `json:"ipCidrRange,omitempty"`

	// GatewayAddress is the range's gateway.
	GatewayAddress string `json:"gatewayAddress,omitempty"`

	// State is CREATING while the insert operation runs, DELETING while
	// the delete operation runs, and READY otherwise.
	State string `json:"state,omitempty"`
}

// A SubnetworkSpec defines the desired state of a subnetwork.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.region)",message="spec.forProvider.region is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.ipCidrRange) || (has(self.initProvider) && has(self.initProvider.ipCidrRange))",message="spec.forProvider.ipCidrRange is required to create a subnetwork"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.network) || has(self.forProvider.networkRef) || has(self.forProvider.networkSelector) || (has(self.initProvider) && (has(self.initProvider.network) || has(self.initProvider.networkRef) || has(self.initProvider.networkSelector)))",message="spec.forProvider.network, networkRef or networkSelector is required to create a subnetwork"
type SubnetworkSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the
	// subnetwork.
	ForProvider SubnetworkParameters `json:"forProvider"`

	// InitProvider are fields used only to create the subnetwork; Stratus
	// does not keep them in sync afterwards. Its region is ignored:
	// forProvider.region is the subnetwork's.
	// +optional
	InitProvider *SubnetworkParameters `json:"initProvider,omitempty"`
}

// A SubnetworkStatus represents the observed state of a subnetwork.
type SubnetworkStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Compute Engine reports.
	AtProvider SubnetworkObservation `json:"atProvider,omitempty"`
}

// A Subnetwork is a regional IP range of a Compute Engine VPC network. Its
// external name is the subnetwork name, which defaults to the resource's
// name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,gcp}
type Subnetwork struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SubnetworkSpec   `json:"spec"`
	Status SubnetworkStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A SubnetworkList is a list of Subnetworks.
// +stratus:methodset=managedlist
type SubnetworkList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Subnetwork `json:"items"`
}

// Subnetwork kind.
var (
	SubnetworkKind             = "Subnetwork"
	SubnetworkGroupVersionKind = SchemeGroupVersion.WithKind(SubnetworkKind)
)

func init() {
	SchemeBuilder.Register(&Subnetwork{}, &SubnetworkList{})
}
