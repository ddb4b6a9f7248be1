// Package clients builds Google API clients from ProviderConfigs and holds
// what the GCP controllers share: thin adapters over the Cloud SQL Admin and
// Compute Engine SDKs, error classification, long-running operation
// bookkeeping, the labels Stratus puts on what it creates, and late
// initialization of nested parameters.
package clients

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"

	"google.golang.org/api/option"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
)

// maxCached bounds the API clients a Configurer keeps. Each ProviderConfig
// (and each rotation of its credentials) needs its own; past the bound the
// cache starts again.
const maxCached = 64

// A Source returns the API clients of a managed resource, for the project
// and with the credentials of the ProviderConfig it uses. Configurer is the
// real one; controller tests use fakes.
type Source interface {
	SQL(ctx context.Context, mg resource.LegacyManaged) (*SQL, error)         //nolint:staticcheck // The issue asks for cluster-scoped managed resources, which crossplane-runtime calls LegacyManaged.
	Compute(ctx context.Context, mg resource.LegacyManaged) (*Compute, error) //nolint:staticcheck // As above.
}

// A Configurer builds API clients for managed resources from the
// ProviderConfigs they reference, and records that each resource uses its
// ProviderConfig. Clients are kept and shared by every resource of the
// same ProviderConfig and credentials, so that connections and access
// tokens are reused rather than made per reconcile.
type Configurer struct {
	kube    client.Client
	tracker resource.LegacyTracker

	mu      sync.Mutex
	sql     map[string]*SQL
	compute map[string]*Compute
}

// NewConfigurer returns a Configurer that reads ProviderConfigs and their
// Secrets through kube.
func NewConfigurer(kube client.Client) *Configurer {
	return &Configurer{
		kube:    kube,
		tracker: provider.UsageTracker(kube, &v1beta1.ProviderConfigUsage{}),
		sql:     map[string]*SQL{},
		compute: map[string]*Compute{},
	}
}

// A Config is what a ProviderConfig says about reaching Google Cloud.
type Config struct {
	// Project the clients manage.
	Project string
	// Source of the credentials.
	Source xpv2.CredentialsSource
	// Credentials are a service account's JSON key; nil for source None.
	Credentials []byte
	// SQLAdmin and Compute are the endpoints, or empty for Google's.
	SQLAdmin, Compute string
}

// SQL returns the Cloud SQL Admin client for mg.
func (c *Configurer) SQL(ctx context.Context, mg resource.LegacyManaged) (*SQL, error) { //nolint:staticcheck // See Source.
	cfg, err := c.Config(ctx, mg)
	if err != nil {
		return nil, err
	}
	key := cfg.key(APISQLAdmin)
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sql[key]; ok {
		return s, nil
	}
	opts, err := cfg.Options(APISQLAdmin)
	if err != nil {
		return nil, err
	}
	// The client outlives this reconcile; the context it is made with
	// would bound its token source.
	s, err := NewSQL(context.WithoutCancel(ctx), cfg.Project, opts...)
	if err != nil {
		return nil, err
	}
	if len(c.sql) >= maxCached {
		c.sql = map[string]*SQL{}
	}
	c.sql[key] = s
	return s, nil
}

// Compute returns the Compute Engine client for mg.
func (c *Configurer) Compute(ctx context.Context, mg resource.LegacyManaged) (*Compute, error) { //nolint:staticcheck // See Source.
	cfg, err := c.Config(ctx, mg)
	if err != nil {
		return nil, err
	}
	key := cfg.key(APICompute)
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compute[key]; ok {
		return s, nil
	}
	opts, err := cfg.Options(APICompute)
	if err != nil {
		return nil, err
	}
	// As for SQL.
	s, err := NewCompute(context.WithoutCancel(ctx), cfg.Project, opts...)
	if err != nil {
		return nil, err
	}
	if len(c.compute) >= maxCached {
		for _, old := range c.compute {
			_ = old.Close()
		}
		c.compute = map[string]*Compute{}
	}
	c.compute[key] = s
	return s, nil
}

// Config reads the ProviderConfig mg uses, and its credentials, after
// recording that mg uses it.
func (c *Configurer) Config(ctx context.Context, mg resource.LegacyManaged) (Config, error) { //nolint:staticcheck // See Source.
	if err := c.tracker.Track(ctx, mg); err != nil {
		return Config{}, errors.Wrap(err, "cannot track provider config usage")
	}
	ref := mg.GetProviderConfigReference()
	if ref == nil {
		return Config{}, errors.New("no providerConfigRef")
	}
	pc := &v1beta1.ProviderConfig{}
	if err := c.kube.Get(ctx, types.NamespacedName{Name: ref.Name}, pc); err != nil {
		return Config{}, errors.Wrapf(err, "cannot get ProviderConfig %q", ref.Name)
	}
	cfg := Config{Project: pc.Spec.ProjectID, Source: pc.Spec.Credentials.Source}
	if e := pc.Spec.Endpoints; e != nil {
		cfg.SQLAdmin, cfg.Compute = e.SQLAdmin, e.Compute
	}
	if cfg.Source == xpv2.CredentialsSourceNone {
		return cfg, nil
	}
	data, err := resource.CommonCredentialExtractor(ctx, cfg.Source, c.kube, pc.Spec.Credentials.CommonCredentialSelectors)
	if err != nil {
		return Config{}, errors.Wrapf(err, "cannot read the credentials of ProviderConfig %q", ref.Name)
	}
	if err := checkServiceAccountKey(data); err != nil {
		return Config{}, errors.Wrapf(err, "cannot use the credentials of ProviderConfig %q", ref.Name)
	}
	cfg.Credentials = data
	return cfg, nil
}

// checkServiceAccountKey checks that data is a service account's JSON key,
// without ever quoting it: it holds a private key.
func checkServiceAccountKey(data []byte) error {
	var key struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(data, &key); err != nil {
		return errors.New("the credentials are not JSON: want a service account key")
	}
	if key.Type != "service_account" || key.ClientEmail == "" || key.PrivateKey == "" {
		return errors.New("want a service account key: JSON with type service_account, client_email and private_key")
	}
	return nil
}

// APIs the provider calls.
const (
	APISQLAdmin = "sqladmin"
	APICompute  = "compute"
)

// Options returns the client options that reach api (one of APISQLAdmin and
// APICompute) at its configured endpoint, Google's by default, with the
// configured credentials.
func (cfg Config) Options(api string) ([]option.ClientOption, error) {
	var opts []option.ClientOption
	endpoint := cfg.Compute
	if api == APISQLAdmin {
		endpoint = cfg.SQLAdmin
	}
	switch {
	case endpoint == "":
	case api == APISQLAdmin:
		opts = append(opts, option.WithEndpoint(sqlEndpoint(endpoint)))
	default:
		opts = append(opts, option.WithEndpoint(computeEndpoint(endpoint)))
	}
	if cfg.Source == xpv2.CredentialsSourceNone {
		if endpoint == "" {
			// Google's APIs refuse unauthenticated calls; None is for
			// local endpoints such as the Stratus local cloud.
			return nil, errors.New("credentials source None needs spec.endpoints: Google's APIs need credentials")
		}
		return append(opts, option.WithoutAuthentication()), nil
	}
	return append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, cfg.Credentials)), nil
}

// key identifies the clients of one API for this configuration, without
// holding the credentials themselves.
func (cfg Config) key(api string) string {
	h := sha256.New()
	for _, s := range []string{api, cfg.Project, string(cfg.Source), cfg.SQLAdmin, cfg.Compute} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(cfg.Credentials)
	return hex.EncodeToString(h.Sum(nil))
}

// sqlEndpoint returns the base URL the Cloud SQL Admin client takes: the
// server's root, with a trailing slash (the client appends v1/projects/…).
func sqlEndpoint(e string) string {
	e = strings.TrimSuffix(strings.TrimSuffix(e, "/"), "/v1")
	return e + "/"
}

// computeEndpoint returns the base URL the Compute Engine clients take:
// the server's root without a trailing slash (the clients append
// /compute/v1/projects/…).
func computeEndpoint(e string) string {
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(e, "/"), "/compute/v1"), "/")
}
