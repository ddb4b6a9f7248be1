package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// An ACLEntry is a network allowed to connect to an instance's public IP
// address.
type ACLEntry struct {
	// Name of the entry, for people.
	// +optional
	Name *string `json:"name,omitempty"`

	// Value is the network in CIDR notation, e.g. 203.0.113.0/24, or one
	// IPv4 address.
	// +kubebuilder:validation:MinLength=1
	Value string `json:"value"`
}

// IPConfiguration says how an instance is reached.
type IPConfiguration struct {
	// IPv4Enabled gives the instance a public IPv4 address. At least one of
	// a public address and a private network is needed.
	// +optional
	IPv4Enabled *bool `json:"ipv4Enabled,omitempty"`

	// AuthorizedNetworks may connect to the public address. Leaving them
	// unset leaves the instance's entries alone.
	// +optional
	// +listType=atomic
	AuthorizedNetworks []ACLEntry `json:"authorizedNetworks,omitempty"`

	// PrivateNetwork is the VPC network the instance gets a private address
	// in, as a resource link such as projects/my-project/global/networks/my-net
	// (a full Compute Engine URL works too). Set it, or let
	// privateNetworkRef or privateNetworkSelector set it from a Network.
	// +optional
	PrivateNetwork *string `json:"privateNetwork,omitempty"`

	// PrivateNetworkRef references the Network whose self link sets
	// privateNetwork.
	// +optional
	PrivateNetworkRef *xpv2.Reference `json:"privateNetworkRef,omitempty"`

	// PrivateNetworkSelector selects the Network whose self link sets
	// privateNetwork.
	// +optional
	PrivateNetworkSelector *xpv2.Selector `json:"privateNetworkSelector,omitempty"`
}

// BackupConfiguration says when and how an instance is backed up.
type BackupConfiguration struct {
	// Enabled turns automated backups on.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// StartTime is when the daily backup window starts, HH:MM in UTC.
	// +optional
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	StartTime *string `json:"startTime,omitempty"`

	// PointInTimeRecoveryEnabled keeps the write-ahead log, so that the
	// instance can be restored to any point in the retention period.
	// +optional
	PointInTimeRecoveryEnabled *bool `json:"pointInTimeRecoveryEnabled,omitempty"`

	// TransactionLogRetentionDays is how long the log is kept (1 to 7
	// days; up to 35 for the Enterprise Plus edition).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=35
	TransactionLogRetentionDays *int64 `json:"transactionLogRetentionDays,omitempty"`

	// RetainedBackups is how many automated backups are kept.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=365
	RetainedBackups *int64 `json:"retainedBackups,omitempty"`
}

// MaintenanceWindow is when Cloud SQL may restart the instance to update it.
type MaintenanceWindow struct {
	// Day of the week, 1 (Monday) to 7 (Sunday).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=7
	Day int64 `json:"day"`

	// Hour of the day, 0 to 23, in UTC.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=23
	Hour int64 `json:"hour"`

	// UpdateTrack says how early the instance gets updates.
	// +optional
	// +kubebuilder:validation:Enum=canary;stable;week5
	UpdateTrack *string `json:"updateTrack,omitempty"`
}

// A DatabaseFlag is a database server setting, e.g. max_connections.
type DatabaseFlag struct {
	// Name of the flag.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Value of the flag; empty for flags that take none.
	// +optional
	Value string `json:"value,omitempty"`
}

// Settings are a Cloud SQL instance's settings.
type Settings struct {
	// Tier is the machine type, e.g. db-f1-micro, db-g1-small or
	// db-custom-2-7680. Required (here or in initProvider) to create an
	// instance.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Tier *string `json:"tier,omitempty"`

	// Edition of Cloud SQL the instance runs on.
	// +optional
	// +kubebuilder:validation:Enum=ENTERPRISE;ENTERPRISE_PLUS
	Edition *string `json:"edition,omitempty"`

	// AvailabilityType is ZONAL, or REGIONAL for a standby in another zone.
	// +optional
	// +kubebuilder:validation:Enum=ZONAL;REGIONAL
	AvailabilityType *string `json:"availabilityType,omitempty"`

	// DataDiskSizeGB is the size of the data disk in GB. Cloud SQL cannot
	// shrink a disk: a larger disk (e.g. grown by diskAutoresize) satisfies
	// a smaller value.
	// +optional
	// +kubebuilder:validation:Minimum=10
	DataDiskSizeGB *int64 `json:"dataDiskSizeGb,omitempty"`

	// DataDiskType is the kind of data disk.
	// +optional
	// +kubebuilder:validation:Enum=PD_SSD;PD_HDD;HYPERDISK_BALANCED
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dataDiskType cannot be changed"
	DataDiskType *string `json:"dataDiskType,omitempty"`

	// DiskAutoresize grows the data disk when it is nearly full.
	// +optional
	DiskAutoresize *bool `json:"diskAutoresize,omitempty"`

	// IPConfiguration says how the instance is reached.
	// +optional
	IPConfiguration *IPConfiguration `json:"ipConfiguration,omitempty"`

	// BackupConfiguration says when and how the instance is backed up.
	// +optional
	BackupConfiguration *BackupConfiguration `json:"backupConfiguration,omitempty"`

	// MaintenanceWindow is when Cloud SQL may restart the instance.
	// +optional
	MaintenanceWindow *MaintenanceWindow `json:"maintenanceWindow,omitempty"`

	// DatabaseFlags are server settings. Leaving them unset leaves the
	// instance's flags alone.
	// +optional
	// +listType=map
	// +listMapKey=name
	DatabaseFlags []DatabaseFlag `json:"databaseFlags,omitempty"`

	// UserLabels of the instance. Stratus adds the label stratus-uid.
	// +optional
	UserLabels map[string]string `json:"userLabels,omitempty"`

	// DeletionProtectionEnabled makes Cloud SQL refuse to delete the
	// instance.
	// +optional
	DeletionProtectionEnabled *bool `json:"deletionProtectionEnabled,omitempty"`
}

// DatabaseInstanceParameters are the configurable fields of a Cloud SQL
// instance.
// +kubebuilder:validation:XValidation:rule="!has(self.autoGeneratePassword) || !self.autoGeneratePassword || has(self.rootPasswordSecretRef)",message="autoGeneratePassword requires rootPasswordSecretRef, which says where to store the generated password"
type DatabaseInstanceParameters struct {
	// Region of the instance, e.g. us-central1. Cloud SQL uses us-central1
	// when it is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// DatabaseVersion is the engine and its major version, e.g. POSTGRES_16
	// or MYSQL_8_0. Required (here or in initProvider) to create an
	// instance. A newer major version of the same engine upgrades the
	// instance in place.
	// +optional
	// +kubebuilder:validation:Pattern=`^(POSTGRES|MYSQL)_[0-9][0-9_]*$`
	// +kubebuilder:validation:XValidation:rule="self.startsWith('POSTGRES_') == oldSelf.startsWith('POSTGRES_')",message="databaseVersion cannot change the engine"
	DatabaseVersion *string `json:"databaseVersion,omitempty"`

	// Settings of the instance. settings.tier is required (here or in
	// initProvider) to create an instance.
	// +optional
	Settings *Settings `json:"settings,omitempty"`

	// RootPasswordSecretRef selects the key of a Secret that holds the
	// password of the built-in administrator (postgres for PostgreSQL,
	// root for MySQL). Changing the password in the Secret changes it on
	// the instance. Without it the administrator has no password and
	// the connection details carry none.
	// +optional
	RootPasswordSecretRef *xpv2.SecretKeySelector `json:"rootPasswordSecretRef,omitempty"`

	// AutoGeneratePassword generates a strong administrator password when
	// the Secret or key rootPasswordSecretRef selects does not exist, and
	// writes it there (creating the Secret if needed).
	// +optional
	AutoGeneratePassword *bool `json:"autoGeneratePassword,omitempty"`
}

// An IPAddress is one of an instance's addresses.
type IPAddress struct {
	// Type of the address: PRIMARY (public), PRIVATE or OUTGOING.
	Type string `json:"type,omitempty"`

	// IPAddress is the address.
	IPAddress string `json:"ipAddress,omitempty"`
}

// DatabaseInstanceObservation is the observed state of a Cloud SQL
// instance.
type DatabaseInstanceObservation struct {
	// State of the instance as Cloud SQL reports it: PENDING_CREATE,
	// RUNNABLE, SUSPENDED, PENDING_DELETE, MAINTENANCE or FAILED.
	State string `json:"state,omitempty"`

	// DatabaseVersion the instance runs.
	DatabaseVersion string `json:"databaseVersion,omitempty"`

	// ConnectionName is project:region:instance, what the Cloud SQL
	// connectors take.
	ConnectionName string `json:"connectionName,omitempty"`

	// IPAddresses of the instance.
	IPAddresses []IPAddress `json:"ipAddresses,omitempty"`

	// PublicIP is the instance's public (PRIMARY) address, if it has one.
	PublicIP string `json:"publicIp,omitempty"`

	// PrivateIP is the instance's address in its private network, if it
	// has one.
	PrivateIP string `json:"privateIp,omitempty"`

	// SelfLink is the URL of the instance in the Cloud SQL Admin API.
	SelfLink string `json:"selfLink,omitempty"`

	// ServiceAccountEmailAddress is the service account the instance acts
	// as, e.g. to read backups from Cloud Storage.
	ServiceAccountEmailAddress string `json:"serviceAccountEmailAddress,omitempty"`

	// GCEZone is the zone the instance runs in.
	GCEZone string `json:"gceZone,omitempty"`

	// SettingsVersion goes up by one with every change of the settings.
	SettingsVersion int64 `json:"settingsVersion,omitempty"`
}

// A DatabaseInstanceSpec defines the desired state of a Cloud SQL instance.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.databaseVersion) || (has(self.initProvider) && has(self.initProvider.databaseVersion))",message="spec.forProvider.databaseVersion is required to create a database instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || (has(self.forProvider.settings) && has(self.forProvider.settings.tier)) || (has(self.initProvider) && has(self.initProvider.settings) && has(self.initProvider.settings.tier))",message="spec.forProvider.settings.tier is required to create a database instance"
type DatabaseInstanceSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the instance.
	ForProvider DatabaseInstanceParameters `json:"forProvider"`

	// InitProvider are fields used only to create the instance; Stratus
	// does not keep them in sync afterwards.
	// +optional
	InitProvider *DatabaseInstanceParameters `json:"initProvider,omitempty"`
}

// A DatabaseInstanceStatus represents the observed state of a Cloud SQL
// instance.
type DatabaseInstanceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Cloud SQL reports.
	AtProvider DatabaseInstanceObservation `json:"atProvider,omitempty"`
}

// A DatabaseInstance is a Cloud SQL instance. Its external name is the
// instance name, which defaults to the resource's name. Its connection
// details are endpoint (the public address, else the private one), port,
// username, password, connectionName, publicIP, privateIP and
// serverCACertificateCert.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,gcp}
type DatabaseInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DatabaseInstanceSpec   `json:"spec"`
	Status DatabaseInstanceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A DatabaseInstanceList is a list of DatabaseInstances.
// +stratus:methodset=managedlist
type DatabaseInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DatabaseInstance `json:"items"`
}

// DatabaseInstance kind.
var (
	DatabaseInstanceKind             = "DatabaseInstance"
	DatabaseInstanceGroupVersionKind = SchemeGroupVersion.WithKind(DatabaseInstanceKind)
)

func init() {
	SchemeBuilder.Register(&DatabaseInstance{}, &DatabaseInstanceList{})
}
