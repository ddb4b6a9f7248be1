// Package clients builds Azure SDK connections from ProviderConfigs and holds
// what the Azure controllers share: error classification with stable
// messages, long-running operations kept across reconciles, the tags Stratus
// puts on what it creates, and password Secrets.
package clients

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// Retries inside one reconcile. azcore retries throttling (429 with
// Retry-After), 408 and 5xx answers; a Retry-After longer than
// maxRetryDelay is not waited for inside the reconcile: the error is
// returned, and the managed reconciler requeues the resource with
// exponential backoff.
const (
	maxRetries    = 2
	retryDelay    = 500 * time.Millisecond
	maxRetryDelay = 3 * time.Second
)

// maxCachedCredentials bounds the credentials kept between reconciles: one
// per distinct ProviderConfig (and credentials Secret) in use.
const maxCachedCredentials = 64

// A Connection is what the Azure SDK clients of one subscription need.
type Connection struct {
	// SubscriptionID of the subscription managed resources live in.
	SubscriptionID string

	// Credential gets tokens for Resource Manager.
	Credential azcore.TokenCredential

	// Options of every ARM client: cloud endpoints, transport, retries.
	Options *arm.ClientOptions
}

// A ConnectionSource returns the Azure connection of a managed resource.
// Configurer is the real one; controller tests use fakes.
type ConnectionSource interface {
	Connect(ctx context.Context, mg resource.LegacyManaged) (*Connection, error) //nolint:staticcheck // The issue asks for cluster-scoped managed resources, which crossplane-runtime calls LegacyManaged.
}

// A Configurer builds the Azure connection of a managed resource from the
// ProviderConfig it references, and records that the resource uses it.
// Credentials are kept between reconciles (keyed by everything they are
// built from), so that a token is requested once per hour per
// ProviderConfig rather than on every reconcile.
type Configurer struct {
	kube    client.Client
	tracker resource.LegacyTracker

	mu    sync.Mutex
	cache map[string]*Connection
}

// NewConfigurer returns a Configurer that reads ProviderConfigs and their
// Secrets through kube.
func NewConfigurer(kube client.Client) *Configurer {
	return &Configurer{
		kube:    kube,
		tracker: provider.UsageTracker(kube, &v1beta1.ProviderConfigUsage{}),
		cache:   map[string]*Connection{},
	}
}

// Credentials are a service principal's client credentials.
type Credentials struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// ParseCredentials reads client credentials from a JSON object with clientId
// and clientSecret.
func ParseCredentials(data []byte) (Credentials, error) {
	var c Credentials
	if err := json.Unmarshal(data, &c); err != nil {
		// Never quote the data or the decoder's error: they may hold the
		// secret.
		return Credentials{}, errors.New("credentials are not a JSON object with clientId and clientSecret")
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		return Credentials{}, errors.New("credentials need both clientId and clientSecret")
	}
	return c, nil
}

// Connect returns the Azure connection of mg.
func (c *Configurer) Connect(ctx context.Context, mg resource.LegacyManaged) (*Connection, error) { //nolint:staticcheck // The issue asks for cluster-scoped managed resources, which crossplane-runtime calls LegacyManaged.
	if err := c.tracker.Track(ctx, mg); err != nil {
		return nil, errors.Wrap(err, "cannot track provider config usage")
	}
	ref := mg.GetProviderConfigReference()
	pc := &v1beta1.ProviderConfig{}
	if err := c.kube.Get(ctx, types.NamespacedName{Name: ref.Name}, pc); err != nil {
		return nil, errors.Wrapf(err, "cannot get ProviderConfig %q", ref.Name)
	}
	data, err := resource.CommonCredentialExtractor(ctx, pc.Spec.Credentials.Source, c.kube, pc.Spec.Credentials.CommonCredentialSelectors)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read the credentials of ProviderConfig %q", ref.Name)
	}
	creds, err := ParseCredentials(data)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot parse the credentials of ProviderConfig %q", ref.Name)
	}
	ca, err := c.caBundle(ctx, pc.Spec.TLS)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read the CA bundle of ProviderConfig %q", ref.Name)
	}
	return c.connection(pc.Spec, creds, ca)
}

// caBundle returns the PEM CA bundle t names, if any.
func (c *Configurer) caBundle(ctx context.Context, t *v1beta1.TLS) ([]byte, error) {
	switch {
	case t == nil:
		return nil, nil
	case t.CABundle != "":
		return []byte(t.CABundle), nil
	case t.CABundleSecretRef != nil:
		ref := t.CABundleSecretRef
		s := &corev1.Secret{}
		if err := c.kube.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}, s); err != nil {
			return nil, errors.Wrapf(err, "cannot get Secret %s/%s", ref.Namespace, ref.Name)
		}
		b, ok := s.Data[ref.Key]
		if !ok {
			return nil, errors.Errorf("Secret %s/%s has no key %q", ref.Namespace, ref.Name, ref.Key)
		}
		return b, nil
	}
	return nil, nil
}

// connection returns the cached connection for spec, creds and ca, or
// builds and caches one.
func (c *Configurer) connection(spec v1beta1.ProviderConfigSpec, creds Credentials, ca []byte) (*Connection, error) {
	k := cacheKey(spec, creds, ca)
	c.mu.Lock()
	defer c.mu.Unlock()
	if conn, ok := c.cache[k]; ok {
		return conn, nil
	}
	conn, err := NewConnection(spec, creds, ca)
	if err != nil {
		return nil, err
	}
	if len(c.cache) >= maxCachedCredentials {
		// ProviderConfigs or Secrets changed many times: start over rather
		// than keep credentials nothing uses.
		clear(c.cache)
	}
	c.cache[k] = conn
	return conn, nil
}

// cacheKey identifies everything a connection is built from. It is a hash:
// the cache holds no secret in its keys.
func cacheKey(spec v1beta1.ProviderConfigSpec, creds Credentials, ca []byte) string {
	h := sha256.New()
	for _, s := range []string{spec.SubscriptionID, spec.TenantID, creds.ClientID, creds.ClientSecret, endpointKey(spec.Endpoint), string(ca)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func endpointKey(e *v1beta1.Endpoint) string {
	if e == nil {
		return ""
	}
	return e.ResourceManager + "\x00" + e.ActiveDirectory + "\x00" + e.Audience
}

// NewConnection returns a connection to the subscription spec names, with
// creds, trusting the PEM certificates in ca besides the system's.
func NewConnection(spec v1beta1.ProviderConfigSpec, creds Credentials, ca []byte) (*Connection, error) {
	co := azcore.ClientOptions{
		Cloud: Cloud(spec.Endpoint),
		Retry: policy.RetryOptions{MaxRetries: maxRetries, RetryDelay: retryDelay, MaxRetryDelay: maxRetryDelay},
	}
	if len(ca) > 0 {
		hc, err := httpClient(ca)
		if err != nil {
			return nil, err
		}
		co.Transport = hc
	}
	cred, err := azidentity.NewClientSecretCredential(spec.TenantID, creds.ClientID, creds.ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: co,
		// An overridden authority (the local cloud, a private cloud) is
		// not one Entra ID's instance discovery knows.
		DisableInstanceDiscovery: spec.Endpoint != nil && spec.Endpoint.ActiveDirectory != "",
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot create client secret credential")
	}
	return &Connection{SubscriptionID: spec.SubscriptionID, Credential: cred, Options: &arm.ClientOptions{ClientOptions: co}}, nil
}

// Cloud returns the cloud configuration e describes: Azure's public cloud
// with the endpoints e overrides.
func Cloud(e *v1beta1.Endpoint) cloud.Configuration {
	if e == nil {
		return cloud.AzurePublic
	}
	c := cloud.Configuration{
		ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
		Services:                     map[cloud.ServiceName]cloud.ServiceConfiguration{},
	}
	if e.ActiveDirectory != "" {
		c.ActiveDirectoryAuthorityHost = strings.TrimSuffix(e.ActiveDirectory, "/") + "/"
	}
	rm := cloud.AzurePublic.Services[cloud.ResourceManager]
	if e.Audience != "" {
		rm.Audience = e.Audience
	}
	rm.Endpoint = strings.TrimSuffix(e.ResourceManager, "/")
	c.Services[cloud.ResourceManager] = rm
	return c
}

// httpClient returns an HTTP client that trusts the certificates in ca
// besides the system's.
func httpClient(ca []byte) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("the CA bundle holds no PEM certificate")
	}
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("the default HTTP transport is not an *http.Transport")
	}
	t = t.Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}
