package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// FlexibleServerFirewallRuleParameters are the configurable fields of a
// firewall rule of a flexible server.
type FlexibleServerFirewallRuleParameters struct {
	// ResourceGroupName is the resource group of the server. Set it, or let
	// resourceGroupNameRef or resourceGroupNameSelector set it from a
	// ResourceGroup resource. When all three are unset and the server is
	// given by serverNameRef or serverNameSelector, it is the resource
	// group of that FlexibleServer.
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

	// ServerName is the flexible server the rule belongs to. Set it, or let
	// serverNameRef or serverNameSelector set it from a FlexibleServer
	// resource.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="serverName cannot be changed"
	ServerName *string `json:"serverName,omitempty"`

	// ServerNameRef references the FlexibleServer resource whose name sets
	// serverName.
	// +optional
	ServerNameRef *xpv2.Reference `json:"serverNameRef,omitempty"`

	// ServerNameSelector selects the FlexibleServer resource whose name
	// sets serverName.
	// +optional
	ServerNameSelector *xpv2.Selector `json:"serverNameSelector,omitempty"`

	// StartIPAddress is the first IPv4 address the rule admits. Required
	// (here or in initProvider) to create a rule.
	// +optional
	// +kubebuilder:validation:Format=ipv4
	StartIPAddress *string `json:"startIpAddress,omitempty"`

	// EndIPAddress is the last IPv4 address the rule admits. Required (here
	// or in initProvider) to create a rule.
	// +optional
	// +kubebuilder:validation:Format=ipv4
	EndIPAddress *string `json:"endIpAddress,omitempty"`
}

// FlexibleServerFirewallRuleObservation is the observed state of a firewall
// rule.
type FlexibleServerFirewallRuleObservation struct {
	// ID is the rule's Azure Resource Manager ID.
	ID string `json:"id,omitempty"`
}

// A FlexibleServerFirewallRuleSpec defines the desired state of a firewall
// rule.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector) || has(self.forProvider.serverNameRef) || has(self.forProvider.serverNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required unless the server is referenced"
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.serverName) || has(self.forProvider.serverNameRef) || has(self.forProvider.serverNameSelector)",message="spec.forProvider.serverName, serverNameRef or serverNameSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.startIpAddress) || (has(self.initProvider) && has(self.initProvider.startIpAddress))",message="spec.forProvider.startIpAddress is required to create a firewall rule"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.endIpAddress) || (has(self.initProvider) && has(self.initProvider.endIpAddress))",message="spec.forProvider.endIpAddress is required to create a firewall rule"
type FlexibleServerFirewallRuleSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the rule.
	ForProvider FlexibleServerFirewallRuleParameters `json:"forProvider"`

	// InitProvider are fields used only to create the rule. The resource
	// group and server are always taken from forProvider.
	// +optional
	InitProvider *FlexibleServerFirewallRuleParameters `json:"initProvider,omitempty"`
}

// A FlexibleServerFirewallRuleStatus represents the observed state of a
// firewall rule.
type FlexibleServerFirewallRuleStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider FlexibleServerFirewallRuleObservation `json:"atProvider,omitempty"`
}

// A FlexibleServerFirewallRule admits a range of IPv4 addresses to an Azure
// Database for PostgreSQL flexible server. Its external name is the rule's
// name, which defaults to the resource's name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="SERVER",type="string",JSONPath=".spec.forProvider.serverName"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type FlexibleServerFirewallRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   FlexibleServerFirewallRuleSpec   `json:"spec"`
	Status FlexibleServerFirewallRuleStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A FlexibleServerFirewallRuleList is a list of FlexibleServerFirewallRules.
// +stratus:methodset=managedlist
type FlexibleServerFirewallRuleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlexibleServerFirewallRule `json:"items"`
}

// FlexibleServerFirewallRule kind.
var (
	FlexibleServerFirewallRuleKind             = "FlexibleServerFirewallRule"
	FlexibleServerFirewallRuleGroupVersionKind = SchemeGroupVersion.WithKind(FlexibleServerFirewallRuleKind)
)

func init() {
	SchemeBuilder.Register(&FlexibleServerFirewallRule{}, &FlexibleServerFirewallRuleList{})
}
