package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// NetworkParameters are the configurable fields of a VPC network.
type NetworkParameters struct {
	// AutoCreateSubnetworks makes an auto mode network, with a subnetwork
	// in every region; false makes a custom mode network, whose
	// subnetworks are Subnetwork resources. Required (here or in
	// initProvider) to create a network.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="autoCreateSubnetworks cannot be changed"
	AutoCreateSubnetworks *bool `json:"autoCreateSubnetworks,omitempty"`

	// RoutingMode is REGIONAL (routers advertise their region's
	// subnetworks) or GLOBAL (every region's).
	// +optional
	// +kubebuilder:validation:Enum=REGIONAL;GLOBAL
	RoutingMode *string `json:"routingMode,omitempty"`

	// MTU of the network in bytes, 1300 to 8896; Compute Engine uses 1460
	// when it is unset.
	// +optional
	// +kubebuilder:validation:Minimum=1300
	// +kubebuilder:validation:Maximum=8896
	MTU *int64 `json:"mtu,omitempty"`

	// Description of the network, for people.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="description cannot be changed"
	Description *string `json:"description,omitempty"`
}

// NetworkObservation is the observed state of a VPC network.
type NetworkObservation struct {
	// ID is the numeric ID Compute Engine gave the network.
	ID string `json:"id,omitempty"`

	// SelfLink is the network's URL, what other resources refer to it by.
	SelfLink string `json:"selfLink,omitempty"`

	// Subnetworks are the URLs of the network's subnetworks.
	Subnetworks []string `json:"subnetworks,omitempty"`

	// State is CREATING while the insert operation runs, DELETING while
	// the delete operation runs, and READY otherwise: networks have no
	// state of their own in Compute Engine.
	State string `json:"state,omitempty"`
}

// A NetworkSpec defines the desired state of a VPC network.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.autoCreateSubnetworks) || (has(self.initProvider) && has(self.initProvider.autoCreateSubnetworks))",message="spec.forProvider.autoCreateSubnetworks is required to create a network"
type NetworkSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the network.
	ForProvider NetworkParameters `json:"forProvider"`

	// InitProvider are fields used only to create the network; Stratus
	// does not keep them in sync afterwards.
	// +optional
	InitProvider *NetworkParameters `json:"initProvider,omitempty"`
}

// A NetworkStatus represents the observed state of a VPC network.
type NetworkStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Compute Engine reports.
	AtProvider NetworkObservation `json:"atProvider,omitempty"`
}

// A Network is a Compute Engine VPC network. Its external name is the
// network name, which defaults to the resource's name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,gcp}
type Network struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   NetworkSpec   `json:"spec"`
	Status NetworkStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A NetworkList is a list of Networks.
// +stratus:methodset=managedlist
type NetworkList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Network `json:"items"`
}

// Network kind.
var (
	NetworkKind             = "Network"
	NetworkGroupVersionKind = SchemeGroupVersion.WithKind(NetworkKind)
)

func init() {
	SchemeBuilder.Register(&Network{}, &NetworkList{})
}
