package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// FlexibleServerDatabaseParameters are the configurable fields of a database
// of a flexible server. A database cannot be changed once created.
type FlexibleServerDatabaseParameters struct {
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

	// ServerName is the flexible server the database is on. Set it, or let
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

	// Charset of the database. Azure uses UTF8 when it is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="charset cannot be changed"
	Charset *string `json:"charset,omitempty"`

	// Collation of the database, e.g. en_US.utf8. Azure chooses one when it
	// is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="collation cannot be changed"
	Collation *string `json:"collation,omitempty"`
}

// FlexibleServerDatabaseObservation is the observed state of a database.
type FlexibleServerDatabaseObservation struct {
	// ID is the database's Azure Resource Manager ID.
	ID string `json:"id,omitempty"`

	// Charset of the database.
	Charset string `json:"charset,omitempty"`

	// Collation of the database.
	Collation string `json:"collation,omitempty"`
}

// A FlexibleServerDatabaseSpec defines the desired state of a database.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector) || has(self.forProvider.serverNameRef) || has(self.forProvider.serverNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required unless the server is referenced"
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.serverName) || has(self.forProvider.serverNameRef) || has(self.forProvider.serverNameSelector)",message="spec.forProvider.serverName, serverNameRef or serverNameSelector is required"
type FlexibleServerDatabaseSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields of the database.
	ForProvider FlexibleServerDatabaseParameters `json:"forProvider"`

	// InitProvider are fields used only to create the database. The
	// resource group and server are always taken from forProvider.
	// +optional
	InitProvider *FlexibleServerDatabaseParameters `json:"initProvider,omitempty"`
}

// A FlexibleServerDatabaseStatus represents the observed state of a
// database.
type FlexibleServerDatabaseStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider FlexibleServerDatabaseObservation `json:"atProvider,omitempty"`
}

// A FlexibleServerDatabase is a database of an Azure Database for PostgreSQL
// flexible server, owned by the server's administrator. Its external name is
// the database's name, which defaults to the resource's name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="SERVER",type="string",JSONPath=".spec.forProvider.serverName"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type FlexibleServerDatabase struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   FlexibleServerDatabaseSpec   `json:"spec"`
	Status FlexibleServerDatabaseStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A FlexibleServerDatabaseList is a list of FlexibleServerDatabases.
// +stratus:methodset=managedlist
type FlexibleServerDatabaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlexibleServerDatabase `json:"items"`
}

// FlexibleServerDatabase kind.
var (
	FlexibleServerDatabaseKind             = "FlexibleServerDatabase"
	FlexibleServerDatabaseGroupVersionKind = SchemeGroupVersion.WithKind(FlexibleServerDatabaseKind)
)

func init() {
	SchemeBuilder.Register(&FlexibleServerDatabase{}, &FlexibleServerDatabaseList{})
}
