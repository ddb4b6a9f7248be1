package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcp"
	"github.com/stratus-dev/stratus/internal/proc"
)

// knownProviders are the providers stratus dev can run, by cloud.
var knownProviders = []string{"aws", "gcp", "azure"}

// providerStartTimeout bounds how long a provider may take to be ready.
const providerStartTimeout = time.Minute

// A devProvider is a provider process that stratus dev runs.
type devProvider struct {
	cloud string
	p     *proc.Process
}

// startProviders runs provider-<cloud> from binDir for each cloud, each with
// its log in dir, against the control plane of kubeconfig, and waits until
// each is ready (its caches synced).
func startProviders(ctx context.Context, clouds []string, binDir, dir, kubeconfig string) ([]devProvider, error) {
	started := make([]devProvider, 0, len(clouds))
	stopAll := func() {
		for _, p := range started {
			_ = p.p.Stop()
		}
	}
	for _, cloud := range clouds {
		if !slices.Contains(knownProviders, cloud) {
			stopAll()
			return nil, errors.Errorf("unknown provider %q: want some of %s", cloud, strings.Join(knownProviders, ", "))
		}
		name := "provider-" + cloud
		bin := filepath.Join(binDir, name)
		if _, err := os.Stat(bin); err != nil {
			stopAll()
			return nil, errors.Errorf("%s is not at %s: run 'make build'", name, bin)
		}
		port, err := proc.FreePort()
		if err != nil {
			stopAll()
			return nil, err
		}
		health := fmt.Sprintf("127.0.0.1:%d", port)
		p, err := proc.Start(name, bin, []string{
			"--kubeconfig", kubeconfig,
			"--metrics-bind-address", "0",
			"--health-probe-bind-address", health,
			// Quick to notice drift and cloud-side changes on a laptop.
			"--poll-interval", "15s",
		}, filepath.Join(dir, name+".log"))
		if err != nil {
			stopAll()
			return nil, err
		}
		started = append(started, devProvider{cloud: cloud, p: p})
		wctx, cancel := context.WithTimeout(ctx, providerStartTimeout)
		err = p.WaitHTTP(wctx, http.DefaultClient, "http://"+health+"/readyz", "")
		cancel()
		if err != nil {
			stopAll()
			return nil, err
		}
	}
	return started, nil
}

// watchProviders reports the first provider that exits, in one line that
// names its log.
func watchProviders(ps []devProvider) <-chan error {
	ch := make(chan error, len(ps))
	for _, p := range ps {
		go func() {
			for !p.p.Exited() {
				time.Sleep(200 * time.Millisecond)
			}
			ch <- errors.Errorf("%s exited unexpectedly; read %s", p.p.Name(), p.p.LogPath())
		}()
	}
	return ch
}

// devNamespace holds the Secrets stratus dev creates for providers.
const devNamespace = "stratus-system"

// providerConfigs return, per cloud, the objects that point its provider's
// default ProviderConfig at the local cloud.
var providerConfigs = map[string]func(localcloud.Endpoints) ([]map[string]any, error){
	"aws":   infallible(awsProviderConfig),
	"gcp":   infallible(gcpProviderConfig),
	"azure": azureProviderConfig,
}

// infallible adapts a ProviderConfig builder that cannot fail.
func infallible(fn func(localcloud.Endpoints) []map[string]any) func(localcloud.Endpoints) ([]map[string]any, error) {
	return func(e localcloud.Endpoints) ([]map[string]any, error) { return fn(e), nil }
}

// Identities of the local cloud's Azure: its token endpoint issues tokens to
// any client, so these only need to be well-formed.
const (
	localAzureSubscription = "00000000-0000-0000-0000-000000000000"
	localAzureTenant       = "00000000-0000-0000-0000-000000000002"
	localAzureClient       = "00000000-0000-0000-0000-000000000001"
)

// azureProviderConfig points Resource Manager and Entra ID at the local
// cloud's HTTPS endpoint and trusts the CA that signed its certificate.
func azureProviderConfig(e localcloud.Endpoints) ([]map[string]any, error) {
	ca, err := os.ReadFile(e.AzureCA)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the local cloud's Azure CA")
	}
	return []map[string]any{
		{
			"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": "azure-localcloud-creds", "namespace": devNamespace},
			"stringData": map[string]any{"credentials": fmt.Sprintf(`{"clientId": %q, "clientSecret": "local-secret"}`, localAzureClient)},
		},
		{
			"apiVersion": "azure.stratus.dev/v1beta1", "kind": "ProviderConfig",
			"metadata": map[string]any{"name": "default"},
			"spec": map[string]any{
				"subscriptionID": localAzureSubscription,
				"tenantID":       localAzureTenant,
				"credentials": map[string]any{
					"source":    "Secret",
					"secretRef": map[string]any{"namespace": devNamespace, "name": "azure-localcloud-creds", "key": "credentials"},
				},
				"endpoint": map[string]any{"resourceManager": e.Azure, "activeDirectory": e.Azure},
				"tls":      map[string]any{"caBundle": string(ca)},
			},
		},
	}, nil
}

// gcpProviderConfig needs no credentials: the local cloud's GCP APIs accept
// unauthenticated calls.
func gcpProviderConfig(e localcloud.Endpoints) []map[string]any {
	return []map[string]any{{
		"apiVersion": "gcp.stratus.dev/v1beta1", "kind": "ProviderConfig",
		"metadata": map[string]any{"name": "default"},
		"spec": map[string]any{
			"projectID":   "stratus-local",
			"credentials": map[string]any{"source": "None"},
			"endpoints":   map[string]any{"sqladmin": e.GCP, "compute": e.GCP},
		},
	}}
}

// awsProviderConfig uses the local cloud's default AWS keys.
func awsProviderConfig(e localcloud.Endpoints) []map[string]any {
	return []map[string]any{
		{
			"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": "aws-localcloud-creds", "namespace": devNamespace},
			"stringData": map[string]any{"credentials": "[default]\naws_access_key_id = test\naws_secret_access_key = test\n"},
		},
		{
			"apiVersion": "aws.stratus.dev/v1beta1", "kind": "ProviderConfig",
			"metadata": map[string]any{"name": "default"},
			"spec": map[string]any{
				"region": "us-east-1",
				"credentials": map[string]any{
					"source":    "Secret",
					"secretRef": map[string]any{"namespace": devNamespace, "name": "aws-localcloud-creds", "key": "credentials"},
				},
				"endpoint": map[string]any{"url": e.AWS},
			},
		},
	}
}

// applyProviderConfigs creates (or updates) the default ProviderConfig of
// each cloud, pointed at the local cloud.
func applyProviderConfigs(ctx context.Context, kube client.Client, clouds []string, e localcloud.Endpoints) error {
	ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": devNamespace}}
	objs := []map[string]any{ns}
	for _, c := range clouds {
		if pc, ok := providerConfigs[c]; ok {
			o, err := pc(e)
			if err != nil {
				return err
			}
			objs = append(objs, o...)
		}
	}
	for _, o := range objs {
		if err := apply(ctx, kube, o); err != nil {
			return err
		}
	}
	return nil
}

// devFieldOwner is the field manager of what stratus dev applies.
const devFieldOwner = "stratus-dev"

// apply creates or updates o with server-side apply.
func apply(ctx context.Context, kube client.Client, o map[string]any) error {
	u := &unstructured.Unstructured{Object: o}
	err := kube.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(devFieldOwner), client.ForceOwnership)
	return errors.Wrapf(err, "cannot apply %s %s", u.GetKind(), u.GetName())
}

// devProviders starts the providers --providers names, after pointing their
// default ProviderConfigs at the local cloud, and returns a channel that
// reports a provider crash and a function that stops them all.
func devProviders(ctx context.Context, c *devCmd, cp *localcp.ControlPlane, kube client.Client, e *localcloud.Endpoints, say func(string, ...any)) (<-chan error, func(), error) {
	if len(c.Providers) == 0 {
		return nil, func() {}, nil
	}
	if err := applyProviderConfigs(ctx, kube, c.Providers, *e); err != nil {
		return nil, nil, err
	}
	bin, err := localBinDir(c.BinDir)
	if err != nil {
		return nil, nil, err
	}
	say("==> Starting providers %s (logs in %s)", strings.Join(c.Providers, ", "), cp.Dir)
	ps, err := startProviders(ctx, c.Providers, bin, cp.Dir, cp.KubeconfigPath)
	if err != nil {
		return nil, nil, err
	}
	return watchProviders(ps), func() {
		say("==> Stopping providers")
		for _, p := range ps {
			_ = p.p.Stop()
		}
	}, nil
}
