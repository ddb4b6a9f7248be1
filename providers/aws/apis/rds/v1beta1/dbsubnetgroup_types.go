package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// DBSubnetGroupParameters are the configurable fields of a DB subnet group.
type DBSubnetGroupParameters struct {
	// Region of the DB subnet group. Defaults to the ProviderConfig's
	// region.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region cannot be changed"
	Region *string `json:"region,omitempty"`

	// Description of the DB subnet group. Required (here or in
	// initProvider) to create a DB subnet group.
	// +optional
	Description *string `json:"description,omitempty"`

	// SubnetIDs are the IDs of the subnets of the group, which must belong
	// to one VPC and (on AWS) cover at least two availability zones. Set
	// them, or let subnetIdRefs or subnetIdSelector set them from Subnet
	// resources. Required (here or in initProvider, directly or by
	// reference) to create a DB subnet group.
	// +optional
	SubnetIDs []string `json:"subnetIds,omitempty"`

	// SubnetIDRefs reference the Subnet resources whose IDs set subnetIds.
	// +optional
	SubnetIDRefs []xpv2.Reference `json:"subnetIdRefs,omitempty"`

	// SubnetIDSelector selects the Subnet resources whose IDs set
	// subnetIds.
	// +optional
	SubnetIDSelector *xpv2.Selector `json:"subnetIdSelector,omitempty"`

	// Tags of the DB subnet group. Stratus adds stratus.dev/name and
	// stratus.dev/uid.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// DBSubnetGroupObservation is the observed state of a DB subnet group.
type DBSubnetGroupObservation struct {
	// ARN of the DB subnet group.
	ARN string `json:"arn,omitempty"`

	// VPCID is the VPC of the group's subnets.
	VPCID string `json:"vpcId,omitempty"`

	// Status of the group as AWS reports it, e.g. Complete.
	Status string `json:"status,omitempty"`

	// SubnetIDs are the subnets of the group.
	SubnetIDs []string `json:"subnetIds,omitempty"`
}

// A DBSubnetGroupSpec defines the desired state of a DB subnet group.
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.description) || (has(self.initProvider) && has(self.initProvider.description))",message="spec.forProvider.description is required to create a DB subnet group"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.subnetIds) || has(self.forProvider.subnetIdRefs) || has(self.forProvider.subnetIdSelector) || (has(self.initProvider) && (has(self.initProvider.subnetIds) || has(self.initProvider.subnetIdRefs) || has(self.initProvider.subnetIdSelector)))",message="spec.forProvider.subnetIds (or subnetIdRefs or subnetIdSelector) is required to create a DB subnet group"
type DBSubnetGroupSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the DB subnet
	// group.
	ForProvider DBSubnetGroupParameters `json:"forProvider"`

	// InitProvider are fields used only to create the DB subnet group;
	// Stratus does not keep them in sync afterwards.
	// +optional
	InitProvider *DBSubnetGroupParameters `json:"initProvider,omitempty"`
}

// A DBSubnetGroupStatus represents the observed state of a DB subnet group.
type DBSubnetGroupStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state AWS reports.
	AtProvider DBSubnetGroupObservation `json:"atProvider,omitempty"`
}

// A DBSubnetGroup is an Amazon RDS DB subnet group: the subnets, and so the
// VPC, a DB instance may use. Its external name is the group's name, which
// defaults to the resource's name.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.status"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,aws}
type DBSubnetGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DBSubnetGroupSpec   `json:"spec"`
	Status DBSubnetGroupStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A DBSubnetGroupList is a list of DBSubnetGroups.
// +stratus:methodset=managedlist
type DBSubnetGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DBSubnetGroup `json:"items"`
}

// DBSubnetGroup kind.
var (
	DBSubnetGroupKind             = "DBSubnetGroup"
	DBSubnetGroupGroupVersionKind = SchemeGroupVersion.WithKind(DBSubnetGroupKind)
)

func init() {
	SchemeBuilder.Register(&DBSubnetGroup{}, &DBSubnetGroupList{})
}
