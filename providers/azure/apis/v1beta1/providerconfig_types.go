package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ProviderConfigSpec says which Azure subscription the provider manages, how
// it authenticates and which endpoint it calls.
type ProviderConfigSpec struct {
	// SubscriptionID of the Azure subscription that managed resources are
	// created in.
	// +kubebuilder:validation:MinLength=1
	SubscriptionID string `json:"subscriptionID"`

	// TenantID of the Microsoft Entra tenant the client credentials belong to.
	// +kubebuilder:validation:MinLength=1
	TenantID string `json:"tenantID"`

	// Credentials used to authenticate to Azure.
	Credentials ProviderCredentials `json:"credentials"`

	// Endpoint overrides the Azure Resource Manager and token endpoints, to
	// reach the Stratus local cloud or another compatible server.
	// +optional
	Endpoint *Endpoint `json:"endpoint,omitempty"`

	// TLS adds certificate authorities to trust, for an endpoint whose
	// certificate a private CA signed, such as the Stratus local cloud's.
	// +optional
	TLS *TLS `json:"tls,omitempty"`
}

// TLS configures how the provider checks the certificates of the endpoints
// it calls.
// +kubebuilder:validation:XValidation:rule="!(has(self.caBundle) && has(self.caBundleSecretRef))",message="set caBundle or caBundleSecretRef, not both"
type TLS struct {
	// CABundle holds PEM-encoded CA certificates that are trusted in
	// addition to the system's.
	// +optional
	CABundle string `json:"caBundle,omitempty"`

	// CABundleSecretRef selects the key of a Secret that holds PEM-encoded
	// CA certificates that are trusted in addition to the system's.
	// +optional
	CABundleSecretRef *xpv2.SecretKeySelector `json:"caBundleSecretRef,omitempty"`
}

// ProviderCredentials say where the Azure credentials come from.
type ProviderCredentials struct {
	// Source of the credentials. A Secret holds a JSON object with the
	// service principal's clientId and clientSecret.
	// +kubebuilder:validation:Enum=Secret;Environment;Filesystem
	Source xpv2.CredentialsSource `json:"source"`

	xpv2.CommonCredentialSelectors `json:",inline"`
}

// An Endpoint overrides where Azure requests are sent.
type Endpoint struct {
	// ResourceManager is the base URL of Azure Resource Manager.
	// +kubebuilder:validation:Pattern=`^https?://`
	ResourceManager string `json:"resourceManager"`

	// ActiveDirectory is the base URL of the token authority. Defaults to
	// Microsoft Entra ID's public authority, https://login.microsoftonline.com/.
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	ActiveDirectory string `json:"activeDirectory,omitempty"`

	// Audience of the tokens requested for Resource Manager. Defaults to
	// the public cloud's Resource Manager audience.
	// +optional
	Audience string `json:"audience,omitempty"`
}

// A ProviderConfigStatus is the observed state of a ProviderConfig.
type ProviderConfigStatus struct {
	xpv2.ProviderConfigStatus `json:",inline"`
}

// A ProviderConfig configures how the Azure provider reaches Azure.
// +stratus:methodset=providerconfig
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:printcolumn:name="SOURCE",type="string",JSONPath=".spec.credentials.source",priority=1
// +kubebuilder:printcolumn:name="SUBSCRIPTION",type="string",JSONPath=".spec.subscriptionID",priority=1
// +kubebuilder:printcolumn:name="ENDPOINT",type="string",JSONPath=".spec.endpoint.resourceManager",priority=1
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,azure}
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
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,azure}
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
