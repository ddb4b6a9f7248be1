package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// DBInstanceParameters are the configurable fields of an RDS DB instance.
// +kubebuilder:validation:XValidation:rule="!has(self.autoGeneratePassword) || !self.autoGeneratePassword || has(self.masterUserPasswordSecretRef)",message="autoGeneratePassword requires masterUserPasswordSecretRef, which says where to store the generated password"
type DBInstanceParameters struct {
	// Region of the DB instance. Defaults to the ProviderConfig's region.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// Engine is the database engine. Required (here or in initProvider) to
	// create a DB instance.
	// +optional
	// +kubebuilder:validation:Enum=postgres;mysql;mariadb
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="engine cannot be changed"
	Engine *string `json:"engine,omitempty"`

	// EngineVersion is the version of the engine, e.g. 16.3, or a major
	// version such as 16 that lets AWS choose the minor version. AWS
	// chooses a default when it is unset. A later minor version that AWS
	// upgraded the instance to satisfies it: AWS cannot downgrade.
	// +optional
	EngineVersion *string `json:"engineVersion,omitempty"`

	// DBInstanceClass is the compute and memory class, e.g. db.t3.micro.
	// Required (here or in initProvider) to create a DB instance.
	// +optional
	DBInstanceClass *string `json:"dbInstanceClass,omitempty"`

	// AllocatedStorage is the storage size in GiB. Required (here or in
	// initProvider) to create a DB instance. AWS cannot shrink storage.
	// +optional
	// +kubebuilder:validation:Minimum=1
	AllocatedStorage *int32 `json:"allocatedStorage,omitempty"`

	// StorageType is the storage type, e.g. gp2, gp3, io1 or standard.
	// +optional
	StorageType *string `json:"storageType,omitempty"`

	// DBName is the name of the database created with the instance.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dbName cannot be changed"
	DBName *string `json:"dbName,omitempty"`

	// MasterUsername is the name of the master user. Required (here or in
	// initProvider) to create a DB instance.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="masterUsername cannot be changed"
	MasterUsername *string `json:"masterUsername,omitempty"`

	// MasterUserPasswordSecretRef selects the key of a Secret that holds
	// the master user's password. Changing the password in the Secret
	// changes it on the instance. Required (here or in initProvider) to
	// create a DB instance.
	// +optional
	MasterUserPasswordSecretRef *xpv2.SecretKeySelector `json:"masterUserPasswordSecretRef,omitempty"`

	// AutoGeneratePassword generates a strong master password when the
	// Secret or key masterUserPasswordSecretRef selects does not exist,
	// and writes it there (creating the Secret if needed).
	// +optional
	AutoGeneratePassword *bool `json:"autoGeneratePassword,omitempty"`

	// Port the database listens on. Defaults to the engine's port.
	// +optional
	// +kubebuilder:validation:Minimum=1150
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`

	// PubliclyAccessible gives the instance a publicly resolvable DNS
	// name.
	// +optional
	PubliclyAccessible *bool `json:"publiclyAccessible,omitempty"`

	// MultiAZ runs a standby instance in another availability zone.
	// +optional
	MultiAZ *bool `json:"multiAZ,omitempty"`

	// BackupRetentionPeriod is the number of days automated backups are
	// kept; 0 turns automated backups off.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=35
	BackupRetentionPeriod *int32 `json:"backupRetentionPeriod,omitempty"`

	// DeletionProtection makes AWS refuse to delete the instance.
	// +optional
	DeletionProtection *bool `json:"deletionProtection,omitempty"`

	// SkipFinalSnapshot deletes the instance without a final snapshot.
	// Used only when the instance is deleted.
	// +optional
	SkipFinalSnapshot *bool `json:"skipFinalSnapshot,omitempty"`

	// FinalDBSnapshotIdentifier names the snapshot taken when the instance
	// is deleted, unless skipFinalSnapshot is true. Used only when the
	// instance is deleted.
	// +optional
	FinalDBSnapshotIdentifier *string `json:"finalDBSnapshotIdentifier,omitempty"`

	// ApplyImmediately applies changes at once rather than in the next
	// maintenance window. Used only when the instance is modified.
	// +optional
	ApplyImmediately *bool `json:"applyImmediately,omitempty"`

	// DBSubnetGroupName is the DB subnet group, and so the VPC, of the
	// instance. Set it, or let dbSubnetGroupNameRef or
	// dbSubnetGroupNameSelector set it from a DBSubnetGroup resource.
	// +optional
	DBSubnetGroupName *string `json:"dbSubnetGroupName,omitempty"`

	// DBSubnetGroupNameRef references the DBSubnetGroup resource whose name
	// sets dbSubnetGroupName.
	// +optional
	DBSubnetGroupNameRef *xpv2.Reference `json:"dbSubnetGroupNameRef,omitempty"`

	// DBSubnetGroupNameSelector selects the DBSubnetGroup resource whose
	// name sets dbSubnetGroupName.
	// +optional
	DBSubnetGroupNameSelector *xpv2.Selector `json:"dbSubnetGroupNameSelector,omitempty"`

	// VPCSecurityGroupIDs are the IDs of the VPC security groups of the
	// instance. Set them, or let vpcSecurityGroupIdRefs or
	// vpcSecurityGroupIdSelector set them from SecurityGroup resources.
	// +optional
	VPCSecurityGroupIDs []string `json:"vpcSecurityGroupIds,omitempty"`

	// VPCSecurityGroupIDRefs reference the SecurityGroup resources whose
	// IDs set vpcSecurityGroupIds.
	// +optional
	VPCSecurityGroupIDRefs []xpv2.Reference `json:"vpcSecurityGroupIdRefs,omitempty"`

	// VPCSecurityGroupIDSelector selects the SecurityGroup resources whose
	// IDs set vpcSecurityGroupIds.
	// +optional
	VPCSecurityGroupIDSelector *xpv2.Selector `json:"vpcSecurityGroupIdSelector,omitempty"`

	// Tags of the DB instance. Stratus adds stratus.dev/name and
	// stratus.dev/uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// DBInstanceObservation is the observed state of an RDS DB instance.
type DBInstanceObservation struct {
	// Status of the instance as AWS reports it, e.g. creating, available,
	// modifying, backing-up or deleting.
	Status string `json:"status,omitempty"`

	// Address is the DNS name of the instance's endpoint.
	Address string `json:"address,omitempty"`

	// Port of the instance's endpoint.
	Port int32 `json:"port,omitempty"`

	// ARN of the instance.
	ARN string `json:"arn,omitempty"`

	// ResourceID is the region-unique, immutable identifier AWS gave the
	// instance (DbiResourceId).
	ResourceID string `json:"resourceId,omitempty"`

	// EngineVersionActual is the engine version the instance runs, which
	// AWS may have upgraded past spec.forProvider.engineVersion.
	EngineVersionActual string `json:"engineVersionActual,omitempty"`

	// DBInstanceClass is the class the instance runs on.
	DBInstanceClass string `json:"dbInstanceClass,omitempty"`

	// AllocatedStorage is the storage the instance has, in GiB.
	AllocatedStorage int32 `json:"allocatedStorage,omitempty"`

	// AvailabilityZone the instance runs in.
	AvailabilityZone string `json:"availabilityZone,omitempty"`

	// DBSubnetGroupName is the DB subnet group of the instance.
	DBSubnetGroupName string `json:"dbSubnetGroupName,omitempty"`

	// VPCSecurityGroupIDs are the security groups of the instance.
	VPCSecurityGroupIDs []string `json:"vpcSecurityGroupIds,omitempty"`

	// PendingModifiedValues lists the changes AWS will apply in the next
	// maintenance window, e.g. "allocatedStorage=100, dbInstanceClass=db.m5.large".
	PendingModifiedValues string `json:"pendingModifiedValues,omitempty"`
}

// A DBInstanceSpec defines the desired state of a DB instance.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.engine) || (has(self.initProvider) && has(self.initProvider.engine))",message="spec.forProvider.engine is required to create a DB instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.dbInstanceClass) || (has(self.initProvider) && has(self.initProvider.dbInstanceClass))",message="spec.forProvider.dbInstanceClass is required to create a DB instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.allocatedStorage) || (has(self.initProvider) && has(self.initProvider.allocatedStorage))",message="spec.forProvider.allocatedStorage is required to create a DB instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.masterUsername) || (has(self.initProvider) && has(self.initProvider.masterUsername))",message="spec.forProvider.masterUsername is required to create a DB instance"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.masterUserPasswordSecretRef) || (has(self.initProvider) && has(self.initProvider.masterUserPasswordSecretRef))",message="spec.forProvider.masterUserPasswordSecretRef is required to create a DB instance"
type DBInstanceSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the DB
	// instance.
	ForProvider DBInstanceParameters `json:"forProvider"`

	// InitProvider are fields used only to create the DB instance; Stratus
	// does not keep them in sync afterwards.
	// +optional
	InitProvider *DBInstanceParameters `json:"initProvider,omitempty"`
}

// A DBInstanceStatus represents the observed state of a DB instance.
type DBInstanceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state AWS reports.
	AtProvider DBInstanceObservation `json:"atProvider,omitempty"`
}

// A DBInstance is an Amazon RDS database instance. Its external name is the
// DB instance identifier, which defaults to the resource's name. Its
// connection details are endpoint (the address), address, port, username
// and password.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.status"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,aws}
type DBInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DBInstanceSpec   `json:"spec"`
	Status DBInstanceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A DBInstanceList is a list of DBInstances.
// +stratus:methodset=managedlist
type DBInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DBInstance `json:"items"`
}

// DBInstance kind.
var (
	DBInstanceKind             = "DBInstance"
	DBInstanceGroupVersionKind = SchemeGroupVersion.WithKind(DBInstanceKind)
)

func init() {
	SchemeBuilder.Register(&DBInstance{}, &DBInstanceList{})
}
