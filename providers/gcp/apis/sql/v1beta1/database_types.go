package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// DatabaseParameters are the configurable fields of a database in a Cloud
// SQL instance.
type DatabaseParameters struct {
	// Instance is the name of the Cloud SQL instance that holds the
	// database. Set it, or let instanceRef or instanceSelector set it from
	// a DatabaseInstance.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="instance cannot be changed"
	Instance *string `json:"instance,omitempty"`

	// InstanceRef references the DatabaseInstance whose name sets instance.
	// +optional
	InstanceRef *xpv2.Reference `json:"instanceRef,omitempty"`

	// InstanceSelector selects the DatabaseInstance whose name sets
	// instance.
	// +optional
	InstanceSelector *xpv2.Selector `json:"instanceSelector,omitempty"`

	// Charset of the database, e.g. UTF8. Cloud SQL chooses the engine's
	// default when it is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="charset cannot be changed"
	Charset *string `json:"charset,omitempty"`

	// Collation of the database, e.g. en_US.UTF8. Cloud SQL chooses the
	// engine's default when it is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="collation cannot be changed"
	Collation *string `json:"collation,omitempty"`
}

// DatabaseObservation is the observed state of a database.
type DatabaseObservation struct {
	// Instance that holds the database.
	Instance string `json:"instance,omitempty"`

	// Charset of the database.
	Charset string `json:"charset,omitempty"`

	// Collation of the database.
	Collation string `json:"collation,omitempty"`

	// SelfLink is the URL of the database in the Cloud SQL Admin API.
	SelfLink string `json:"selfLink,omitempty"`
}

// A DatabaseSpec defines the desired state of a database.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.instance) || has(self.forProvider.instanceRef) || has(self.forProvider.instanceSelector)",message="spec.forProvider.instance, instanceRef or instanceSelector is required"
type DatabaseSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the database.
	ForProvider DatabaseParameters `json:"forProvider"`

	// InitProvider are fields used only to create the database; Stratus
	// does not keep them in sync afterwards.
	// +optional
	InitProvider *DatabaseParameters `json:"initProvider,omitempty"`
}

// A DatabaseStatus represents the observed state of a database.
type DatabaseStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Cloud SQL reports.
	AtProvider DatabaseObservation `json:"atProvider,omitempty"`
}

// A Database is a database in a Cloud SQL instance. Its external name is
// the database name, which defaults to the resource's name; set the
// crossplane.io/external-name annotation to choose another.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="INSTANCE",type="string",JSONPath=".status.atProvider.instance"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,gcp}
type Database struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DatabaseSpec   `json:"spec"`
	Status DatabaseStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A DatabaseList is a list of Databases.
// +stratus:methodset=managedlist
type DatabaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Database `json:"items"`
}

// Database kind.
var (
	DatabaseKind             = "Database"
	DatabaseGroupVersionKind = SchemeGroupVersion.WithKind(DatabaseKind)
)

func init() {
	SchemeBuilder.Register(&Database{}, &DatabaseList{})
}
