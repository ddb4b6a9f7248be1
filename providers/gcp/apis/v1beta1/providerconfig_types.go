package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ProviderConfigSpec says which GCP project the provider manages, how it
// authenticates and which endpoints it calls.
type ProviderConfigSpec struct {
	// ProjectID of the GCP project that managed resources are created in.
	// +kubebuilder:validation:MinLength=1
	ProjectID string `json:"projectID"`

	// Credentials used to authenticate to Google Cloud.
	Credentials ProviderCredentials `json:"credentials"`

	// Endpoints override the Google API endpoints, to reach the Stratus
	// local cloud or another compatible server.
	// +optional
	Endpoints *Endpoints `json:"endpoints,omitempty"`
}

// ProviderCredentials say where the GCP credentials come from.
type ProviderCredentials struct {
	// Source of the credentials. Secret, Environment and Filesystem hold a
	// service account's JSON key; access tokens come from its token_uri
	// (Google's, or a local cloud's /token). None sends no credentials: it
	// is for local endpoints such as the Stratus local cloud, and is
	// refused unless spec.endpoints is set.
	// +kubebuilder:validation:Enum=Secret;Environment;Filesystem;None
	Source xpv2.CredentialsSource `json:"source"`

	xpv2.CommonCredentialSelectors `json:",inline"`
}

// Endpoints override where Google API requests are sent, per API.
type Endpoints struct {
	// SQLAdmin is the base URL of the Cloud SQL Admin API, e.g.
	// http://127.0.0.1:4567 for the Stratus local cloud.
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	SQLAdmin string `json:"sqladmin,omitempty"`

	// Compute is the base URL of the Compute Engine API, e.g.
	// http://127.0.0.1:4567 for the Stratus local cloud.
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	Compute string `json:"compute,omitempty"`
}

// A ProviderConfigStatus is the observed state of a ProviderConfig.
type ProviderConfigStatus struct {
	xpv2.ProviderConfigStatus `json:",inline"`
}

// A ProviderConfig configures how the GCP provider reaches Google Cloud.
// +stratus:methodset=providerconfig
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="SOURCE",type="string",JSONPath=".spec.credentials.source",priority=1
// +kubebuilder:printcolumn:name="PROJECT",type="string",JSONPath=".spec.projectID",priority=1
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,gcp}
type ProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// A ProviderConfigList is a list of ProviderConfigs.
type ProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfig `json:"items"`
}

// A ProviderConfigUsage records that a managed resource uses a
// ProviderConfig, so that a ProviderConfig in use is not deleted.
// +stratus:methodset=providerconfigusage
// +kubebuilder:object:root=true
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="CONFIG-NAME",type="string",JSONPath=".providerConfigRef.name"
// +kubebuilder:printcolumn:name="RESOURCE-KIND",type="string",JSONPath=".resourceRef.kind"
// +kubebuilder:printcolumn:name="RESOURCE-NAME",type="string",JSONPath=".resourceRef.name"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,gcp}
type ProviderConfigUsage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	xpv2.ProviderConfigUsage `json:",inline"`
}

// A ProviderConfigUsageList is a list of ProviderConfigUsages.
// +stratus:methodset=providerconfigusagelist
// +kubebuilder:object:root=true
type ProviderConfigUsageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfigUsage `json:"items"`
}
