package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// FlexibleServerParameters are the configurable fields of a PostgreSQL
// flexible server.
// +kubebuilder:validation:XValidation:rule="!has(self.autoGeneratePassword) || !self.autoGeneratePassword || has(self.administratorPasswordSecretRef)",message="autoGeneratePassword requires administratorPasswordSecretRef, which says where to store the generated password"
type FlexibleServerParameters struct {
	// ResourceGroupName is the resource group of the server. Set it, or
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

	// Location of the server, e.g. eastus. Required (here or in
	// initProvider) to create a server.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location cannot be changed"
	Location *string `json:"location,omitempty"`

	// Version is the PostgreSQL major version. Azure chooses one when it
	// is unset. It can be raised (a major version upgrade), never lowered.
	// +optional
	// +kubebuilder:validation:Enum="11";"12";"13";"14";"15";"16";"17";"18"
	Version *string `json:"version,omitempty"`

	// SKUName is the compute size, e.g. Standard_B1ms or Standard_D2ds_v5.
	// Azure chooses one when it is unset.
	// +optional
	SKUName *string `json:"skuName,omitempty"`

	// SKUTier is the compute tier of skuName.
	// +optional
	// +kubebuilder:validation:Enum=Burstable;GeneralPurpose;MemoryOptimized
	SKUTier *string `json:"skuTier,omitempty"`

	// StorageSizeGB is the storage size in GiB: 32, 64, 128, 256, 512,
	// 1024, 2048, 4096, 8192, 16384 or 32767. Storage can grow, not
	// shrink.
	// +optional
	// +kubebuilder:validation:Minimum=32
	StorageSizeGB *int32 `json:"storageSizeGb,omitempty"`

	// AdministratorLogin is the name of the administrator. Required (here
	// or in initProvider) to create a server.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="administratorLogin cannot be changed"
	AdministratorLogin *string `json:"administratorLogin,omitempty"`

	// AdministratorPasswordSecretRef selects the key of a Secret that
	// holds the administrator's password. Changing the password in the
	// Secret changes it on the server. Required (here or in initProvider)
	// to create a server.
	// +optional
	AdministratorPasswordSecretRef *xpv2.SecretKeySelector `json:"administratorPasswordSecretRef,omitempty"`

	// AutoGeneratePassword generates a strong administrator password when
	// the Secret or key administratorPasswordSecretRef selects does not
	// exist, and writes it there (creating the Secret if needed).
	// +optional
	AutoGeneratePassword *bool `json:"autoGeneratePassword,omitempty"`

	// BackupRetentionDays is the number of days backups are kept.
	// +optional
	// +kubebuilder:validation:Minimum=7
	// +kubebuilder:validation:Maximum=35
	BackupRetentionDays *int32 `json:"backupRetentionDays,omitempty"`

	// HighAvailability is the high availability mode: Disabled, SameZone
	// or ZoneRedundant (not on the Burstable tier).
	// +optional
	// +kubebuilder:validation:Enum=Disabled;SameZone;ZoneRedundant
	HighAvailability *string `json:"highAvailability,omitempty"`

	// PublicNetworkAccess says whether the server is reachable from public
	// networks (subject to its firewall rules): Enabled or Disabled.
	// +optional
	// +kubebuilder:validation:Enum=Enabled;Disabled
	PublicNetworkAccess *string `json:"publicNetworkAccess,omitempty"`

	// Tags of the server. Stratus adds stratus.dev_name and
	// stratus.dev_uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// FlexibleServerObservation is the observed state of a flexible server.
type FlexibleServerObservation struct {
	// ID is the server's Azure Resource Manager ID.
	ID string `json:"id,omitempty"`

	// State of the server as Azure reports it, e.g. Provisioning, Ready,
	// Updating, Stopped or Dropping.
	State string `json:"state,omitempty"`

	// FQDN is the server's fully qualified domain name, which clients
	// connect to on port 5432.
	FQDN string `json:"fqdn,omitempty"`

	// Version is the PostgreSQL major version the server runs.
	Version string `json:"version,omitempty"`

	// MinorVersion is the PostgreSQL minor version the server runs.
	MinorVersion string `json:"minorVersion,omitempty"`

	// SKUName is the server's compute size.
	SKUName string `json:"skuName,omitempty"`

	// StorageSizeGB is the server's storage size in GiB.
	StorageSizeGB int32 `json:"storageSizeGb,omitempty"`

	// HighAvailabilityState is the state of the standby, e.g. NotEnabled
	// or Healthy.
	HighAvailabilityState string `json:"highAvailabilityState,omitempty"`
}

// A FlexibleServerSpec defines the desired state of a flexible server.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.resourceGroupName) || has(self.forProvider.resourceGroupNameRef) || has(self.forProvider.resourceGroupNameSelector)",message="spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.location) || (has(self.initProvider) && has(self.initProvider.location))",message="spec.forProvider.location is required to create a flexible server"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.administratorLogin) || (has(self.initProvider) && has(self.initProvider.administratorLogin))",message="spec.forProvider.administratorLogin is required to create a flexible server"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.administratorPasswordSecretRef) || (has(self.initProvider) && has(self.initProvider.administratorPasswordSecretRef))",message="spec.forProvider.administratorPasswordSecretRef is required to create a flexible server"
type FlexibleServerSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the server.
	ForProvider FlexibleServerParameters `json:"forProvider"`

	// InitProvider are fields used only to create the server; Stratus does
	// not keep them in sync afterwards. The resource group is always taken
	// from forProvider.
	// +optional
	InitProvider *FlexibleServerParameters `json:"initProvider,omitempty"`
}

// A FlexibleServerStatus represents the observed state of a flexible server.
type FlexibleServerStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Azure reports.
	AtProvider FlexibleServerObservation `json:"atProvider,omitempty"`
}

// A FlexibleServer is an Azure Database for PostgreSQL flexible server. Its
// external name is the server's name, which defaults to the resource's name.
// Its connection details are endpoint (the FQDN), port (5432), username and
// password.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,azure}
type FlexibleServer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   FlexibleServerSpec   `json:"spec"`
	Status FlexibleServerStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A FlexibleServerList is a list of FlexibleServers.
// +stratus:methodset=managedlist
type FlexibleServerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FlexibleServer `json:"items"`
}

// FlexibleServer kind.
var (
	FlexibleServerKind             = "FlexibleServer"
	FlexibleServerGroupVersionKind = SchemeGroupVersion.WithKind(FlexibleServerKind)
)

func init() {
	SchemeBuilder.Register(&FlexibleServer{}, &FlexibleServerList{})
}
