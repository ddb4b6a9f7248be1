package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// UserParameters are the configurable fields of a Cloud SQL user.
// +kubebuilder:validation:XValidation:rule="!has(self.autoGeneratePassword) || !self.autoGeneratePassword || has(self.passwordSecretRef)",message="autoGeneratePassword requires passwordSecretRef, which says where to store the generated password"
type UserParameters struct {
	// Instance is the name of the Cloud SQL instance the user belongs to.
	// Set it, or let instanceRef or instanceSelector set it from a
	// DatabaseInstance.
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

	// Host the user may connect from, for MySQL instances only; Cloud SQL
	// uses % (any host) when it is unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="host cannot be changed"
	Host *string `json:"host,omitempty"`

	// PasswordSecretRef selects the key of a Secret that holds the user's
	// password. Changing the password in the Secret changes it in Cloud
	// SQL. Required (here or in initProvider) to create a user.
	// +optional
	PasswordSecretRef *xpv2.SecretKeySelector `json:"passwordSecretRef,omitempty"`

	// AutoGeneratePassword generates a strong password when the Secret or
	// key passwordSecretRef selects does not exist, and writes it there
	// (creating the Secret if needed).
	// +optional
	AutoGeneratePassword *bool `json:"autoGeneratePassword,omitempty"`
}

// UserObservation is the observed state of a Cloud SQL user.
type UserObservation struct {
	// Instance the user belongs to.
	Instance string `json:"instance,omitempty"`

	// Type of the user: BUILT_IN for a user with a password.
	Type string `json:"type,omitempty"`

	// Host the user may connect from (MySQL).
	Host string `json:"host,omitempty"`
}

// A UserSpec defines the desired state of a Cloud SQL user.
// +kubebuilder:validation:XValidation:rule="has(self.forProvider.instance) || has(self.forProvider.instanceRef) || has(self.forProvider.instanceSelector)",message="spec.forProvider.instance, instanceRef or instanceSelector is required"
// +kubebuilder:validation:XValidation:rule="!('*' in self.managementPolicies || 'Create' in self.managementPolicies) || has(self.forProvider.passwordSecretRef) || (has(self.initProvider) && has(self.initProvider.passwordSecretRef))",message="spec.forProvider.passwordSecretRef is required to create a user"
type UserSpec struct {
	xpv2.ClusterManagedResourceSpec `json:",inline"`

	// ForProvider are the fields Stratus keeps in sync with the user.
	ForProvider UserParameters `json:"forProvider"`

	// InitProvider are fields used only to create the user; Stratus does
	// not keep them in sync afterwards.
	// +optional
	InitProvider *UserParameters `json:"initProvider,omitempty"`
}

// A UserStatus represents the observed state of a Cloud SQL user.
type UserStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	// AtProvider is the state Cloud SQL reports.
	AtProvider UserObservation `json:"atProvider,omitempty"`
}

// A User is a built-in user (with a password) of a Cloud SQL instance. Its
// external name is the user name, which defaults to the resource's name;
// set the crossplane.io/external-name annotation to choose another. Its
// connection details are username, password, and the instance's endpoint
// and port.
// +stratus:methodset=managed
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="INSTANCE",type="string",JSONPath=".status.atProvider.instance"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,managed,gcp}
type User struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   UserSpec   `json:"spec"`
	Status UserStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A UserList is a list of Users.
// +stratus:methodset=managedlist
type UserList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []User `json:"items"`
}

// User kind.
var (
	UserKind             = "User"
	UserGroupVersionKind = SchemeGroupVersion.WithKind(UserKind)
)

func init() {
	SchemeBuilder.Register(&User{}, &UserList{})
}
