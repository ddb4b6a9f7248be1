// Package azure tests the Azure provider's controllers on the local control
// plane against the Stratus local cloud's Azure Resource Manager, over TLS,
// with real PostgreSQL servers behind the flexible servers.
package azure

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/controller"
	"github.com/stratus-dev/stratus/test/harness"
	"github.com/stratus-dev/stratus/test/lcclient"
)

func TestMain(m *testing.M) { harness.Main(m) }

// Where every test's resources are: each test has a local cloud of its own.
const (
	subscription = "00000000-0000-0000-0000-0000000000aa"
	tenant       = "stratus-tests"
	location     = "eastus"
)

// The client the tests' ProviderConfigs authenticate as. The local clouds
// accept this client only.
const (
	clientID     = "stratus-provider"
	clientSecret = "provider-Secret-42"
)

// The tags Stratus puts on what it creates (Azure tag names cannot hold
// '/').
const (
	tagName = "stratus.dev_name"
	tagUID  = "stratus.dev_uid"
)

// Timing of the tests: the local cloud's transitions, the provider's poll,
// and how long a wait for a resource to converge may take.
const (
	delay        = 300 * time.Millisecond
	pollInterval = time.Second
	timeout      = 90 * time.Second
)

var (
	// writes logs the shared provider's writes to the API server.
	writes    = &writeLog{}
	startOnce sync.Once
	errStart  error
)

// A fixture is one test's local cloud, ProviderConfig and namespace, served
// by the package's provider.
type fixture struct {
	env *harness.Env
	lc  *localcloud.Cloud
	ns  string
	// id is short and unique among the package's tests: every name a test
	// uses starts with it.
	id string

	// ProviderConfig is the name of the test's ProviderConfig.
	ProviderConfig string

	// Calls counts the Resource Manager calls made through the endpoint
	// the test's ProviderConfig names.
	Calls *callCounter

	cred azcore.TokenCredential
	opts *arm.ClientOptions

	mu      sync.Mutex
	objects []client.Object
}

// A setting changes how setUp builds a test's local cloud.
type setting func(*localcloud.Options)

// withDelays gives the local cloud other transition delays.
func withDelays(d cloud.Delays) setting {
	return func(o *localcloud.Options) { o.Delays = d }
}

// setUp marks the test parallel and starts a local cloud for it, a
// ProviderConfig pointing at it (through a TLS proxy that counts calls, so
// the ProviderConfig carries a CA bundle) and, once per package, the Azure
// provider's controllers. Everything but the provider stops when the test
// ends.
func setUp(t *testing.T, settings ...setting) *fixture {
	t.Helper()
	t.Parallel()
	env := harness.Get(t)
	f := &fixture{env: env, ns: env.Namespace(t)}
	f.ProviderConfig = f.ns
	f.id = shortID(f.ns)
	o := localcloud.Options{
		Dir:          filepath.Join(pgtest.Dir(t), "lc"),
		Delays:       cloud.Delays{Create: delay, Modify: delay, Delete: delay, Start: delay, Stop: delay},
		AzureClients: map[string]string{clientID: clientSecret, "stratus-tests": "secret"},
	}
	for _, s := range settings {
		s(&o)
	}
	lc, err := localcloud.Start(context.Background(), o)
	if err != nil {
		t.Fatalf("cannot start the local cloud: %v", err)
	}
	t.Cleanup(func() {
		if err := lc.Close(); err != nil {
			t.Errorf("cannot stop the local cloud: %v", err)
		}
	})
	f.lc = lc
	if f.cred, f.opts, err = lcclient.Azure(lc.Endpoints()); err != nil {
		t.Fatal(err)
	}
	f.Calls = newCallCounter(t, lc.Endpoints().Azure, lc.Endpoints().AzureCA)
	startProvider(t, env)

	ctx := context.Background()
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "azure-creds"},
		StringData: map[string]string{"credentials": fmt.Sprintf(`{"clientId": %q, "clientSecret": %q}`, clientID, clientSecret)},
	}
	if err := env.Client.Create(ctx, creds); err != nil {
		t.Fatal(err)
	}
	pc := &v1beta1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig},
		Spec: v1beta1.ProviderConfigSpec{
			SubscriptionID: subscription,
			TenantID:       tenant,
			Credentials: v1beta1.ProviderCredentials{
				Source: xpv2.CredentialsSourceSecret,
				CommonCredentialSelectors: xpv2.CommonCredentialSelectors{SecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: creds.Name}, Key: "credentials",
				}},
			},
			// The provider reaches the local cloud through a proxy that
			// counts its calls, with a certificate of its own.
			Endpoint: &v1beta1.Endpoint{ResourceManager: f.Calls.URL, ActiveDirectory: f.Calls.URL},
			TLS:      &v1beta1.TLS{CABundle: f.Calls.CA},
		},
	}
	if err := env.Client.Create(ctx, pc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Usages go with their resources, so the ProviderConfig's
		// finalizer is gone once the test's resources are.
		_ = env.Client.Delete(context.Background(), pc)
	})
	// First of all, while the local cloud, the proxy and the
	// ProviderConfig are still there for the provider to delete with.
	t.Cleanup(func() { f.deleteAll(t) })
	return f
}

// startProvider runs the Azure provider's controllers in-process, once for
// the package: every test's resources name a ProviderConfig of their own,
// so one provider serves them all. It runs until the process ends.
func startProvider(t *testing.T, env *harness.Env) {
	t.Helper()
	startOnce.Do(func() {
		mgr, co, err := provider.NewManager(writes.Wrap(env.Config), env.Scheme, provider.Options{
			Name:                   "provider-azure",
			MetricsBindAddress:     "0",
			HealthProbeBindAddress: "0",
			PollInterval:           pollInterval,
			MaxReconcileRate:       50,
			// The local cloud is consistent at once: a resource it does
			// not show after a create is gone, not late.
			CreationGracePeriod: time.Second,
		})
		if err != nil {
			errStart = err
			return
		}
		if errStart = controller.Setup(mgr, co); errStart != nil {
			return
		}
		go func() { _ = mgr.Start(context.Background()) }()
	})
	if errStart != nil {
		t.Fatalf("cannot start the Azure provider: %v", errStart)
	}
}

// shortID returns a short form of the test namespace ns: a few letters of
// the test's name and the namespace's random suffix. Azure resource IDs
// hold several names, and long ones are more than the local cloud's state
// folder can hold in a file name (see docs/providers/azure.md).
func shortID(ns string) string {
	name, suffix := strings.TrimPrefix(ns, "test"), ""
	if i := strings.LastIndex(name, "-"); i >= 0 {
		name, suffix = name[:i], name[i+1:]
	}
	if len(name) > 10 {
		name = name[:10]
	}
	return strings.Trim(name, "-") + "-" + suffix
}

// name returns the name of one of the test's resources.
func (f *fixture) name(s string) string { return f.id + "-" + s }

// ref returns a reference to the test's ProviderConfig.
func (f *fixture) ref() *xpv2.Reference { return &xpv2.Reference{Name: f.ProviderConfig} }

// spec returns the managed resource spec every test resource starts from.
func (f *fixture) spec() xpv2.ClusterManagedResourceSpec {
	return xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()}
}

// ResourceGroups returns a resource groups client of the test's local
// cloud, reached directly, to check what the provider did.
func (f *fixture) ResourceGroups(t *testing.T) *armresources.ResourceGroupsClient {
	t.Helper()
	c, err := armresources.NewResourceGroupsClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Servers returns a flexible servers client of the test's local cloud.
func (f *fixture) Servers(t *testing.T) *armpostgresqlflexibleservers.ServersClient {
	t.Helper()
	c, err := armpostgresqlflexibleservers.NewServersClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Databases returns a flexible server databases client of the test's local
// cloud.
func (f *fixture) Databases(t *testing.T) *armpostgresqlflexibleservers.DatabasesClient {
	t.Helper()
	c, err := armpostgresqlflexibleservers.NewDatabasesClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FirewallRules returns a flexible server firewall rules client of the
// test's local cloud.
func (f *fixture) FirewallRules(t *testing.T) *armpostgresqlflexibleservers.FirewallRulesClient {
	t.Helper()
	c, err := armpostgresqlflexibleservers.NewFirewallRulesClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// VirtualNetworks returns a virtual networks client of the test's local
// cloud.
func (f *fixture) VirtualNetworks(t *testing.T) *armnetwork.VirtualNetworksClient {
	t.Helper()
	c, err := armnetwork.NewVirtualNetworksClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Subnets returns a subnets client of the test's local cloud.
func (f *fixture) Subnets(t *testing.T) *armnetwork.SubnetsClient {
	t.Helper()
	c, err := armnetwork.NewSubnetsClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Interfaces returns a network interfaces client of the test's local cloud.
func (f *fixture) Interfaces(t *testing.T) *armnetwork.InterfacesClient {
	t.Helper()
	c, err := armnetwork.NewInterfacesClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// PublicIPs returns a public IP addresses client of the test's local cloud.
func (f *fixture) PublicIPs(t *testing.T) *armnetwork.PublicIPAddressesClient {
	t.Helper()
	c, err := armnetwork.NewPublicIPAddressesClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// VirtualMachines returns a virtual machines client of the test's local
// cloud.
func (f *fixture) VirtualMachines(t *testing.T) *armcompute.VirtualMachinesClient {
	t.Helper()
	c, err := armcompute.NewVirtualMachinesClient(subscription, f.cred, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// create creates obj, to be deleted when the test ends unless the test
// deleted it already.
func (f *fixture) create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := f.env.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("cannot create %T %s: %v", obj, obj.GetName(), err)
	}
	f.mu.Lock()
	f.objects = append(f.objects, obj)
	f.mu.Unlock()
}

// deleteAll deletes every object the test created and waits until they are
// gone. Resource groups go first: deleting one deletes what is in it, at
// once, so the other resources are gone (or going) by the time they are
// deleted, rather than refused because something still uses them.
func (f *fixture) deleteAll(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	del := func(obj client.Object) {
		if err := f.env.Client.Delete(context.Background(), obj); client.IgnoreNotFound(err) != nil {
			t.Errorf("cannot delete %s: %v", obj.GetName(), err)
		}
	}
	for _, obj := range f.objects {
		if rg, ok := obj.(*v1beta1.ResourceGroup); ok {
			del(rg)
			eventually(t, "resource group "+rg.Name+" being deleted", func() error {
				err := f.env.Client.Get(context.Background(), client.ObjectKeyFromObject(rg), rg)
				if kerrors.IsNotFound(err) {
					return nil
				}
				if err != nil {
					return err
				}
				// Being deleted, or never Ready (so never created).
				if c := rg.GetCondition(xpv2.TypeReady); c.Reason != xpv2.ReasonDeleting && c.Status == corev1.ConditionTrue {
					return fmt.Errorf("Ready is %s", c.Reason)
				}
				return nil
			})
		}
	}
	for i := len(f.objects) - 1; i >= 0; i-- {
		del(f.objects[i])
	}
	for _, obj := range f.objects {
		f.env.WaitForGone(t, obj, timeout)
	}
}

// ready waits until obj is Ready and Synced.
func (f *fixture) ready(t *testing.T, obj client.Object) {
	t.Helper()
	f.env.WaitFor(t, obj, timeout, harness.HasCondition("Ready", "True"))
	f.env.WaitFor(t, obj, timeout, harness.HasCondition("Synced", "True"))
}

// deleteAndWait deletes obj and waits until it is gone.
func (f *fixture) deleteAndWait(t *testing.T, obj client.Object) {
	t.Helper()
	if err := f.env.Client.Delete(context.Background(), obj); err != nil {
		t.Fatalf("cannot delete %s: %v", obj.GetName(), err)
	}
	f.env.WaitForGone(t, obj, timeout)
}

// update reads obj, applies mutate and writes it back, retrying on
// conflicts with the provider's writes.
func (f *fixture) update(t *testing.T, obj client.Object, mutate func()) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := f.env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate()
		return f.env.Client.Update(context.Background(), obj)
	})
	if err != nil {
		t.Fatalf("cannot update %s: %v", obj.GetName(), err)
	}
}

// secretData returns the data of the Secret name in the test's namespace.
func (f *fixture) secretData(t *testing.T, name string) map[string][]byte {
	t.Helper()
	s := &corev1.Secret{}
	if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
		t.Fatalf("cannot get Secret %s: %v", name, err)
	}
	return s.Data
}

// eventually polls fn until it returns nil or the timeout passes.
func eventually(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = fn(); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, fmt.Errorf("gave up after %s: %w", timeout, err))
}

// quiet waits until the provider has settled on the test's resources: no
// mutating Resource Manager call and no API server write to a path holding
// the test's ID for a few poll intervals. Tests call it before they
// take the snapshots a steady-state check compares with.
func (f *fixture) quiet(t *testing.T) {
	t.Helper()
	eventually(t, "the provider settles", func() error {
		calls, w := f.Calls.Snapshot(), writes.Snapshot()
		time.Sleep(3 * pollInterval)
		if got := f.Calls.MutatingSince(calls); len(got) != 0 {
			return fmt.Errorf("mutating calls: %v", got)
		}
		if got := writes.Since(w, f.id); len(got) != 0 {
			return fmt.Errorf("API server writes: %v", got)
		}
		return nil
	})
}

// condition returns the condition of type ct of obj as the API server has
// it.
func (f *fixture) condition(t *testing.T, obj interface {
	client.Object
	GetCondition(xpv2.ConditionType) xpv2.Condition
}, ct xpv2.ConditionType) xpv2.Condition {
	t.Helper()
	if err := f.env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatal(err)
	}
	return obj.GetCondition(ct)
}

// warnings returns the messages of the Warning events about the object
// called name.
func (f *fixture) warnings(t *testing.T, name string) []string {
	t.Helper()
	events := &corev1.EventList{}
	if err := f.env.Client.List(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events.Items {
		if e.InvolvedObject.Name == name && e.Type == corev1.EventTypeWarning {
			out = append(out, e.Message)
		}
	}
	return out
}

// pemOf encodes a DER certificate as PEM.
func pemOf(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// tlsTo returns a transport that trusts the CA in the PEM file ca.
func tlsTo(t *testing.T, ca string) *http.Transport {
	t.Helper()
	pool, err := localcloud.CAPool(ca)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
}

// contains reports whether any of s contains sub.
func contains(s []string, sub string) bool {
	for _, v := range s {
		if strings.Contains(v, sub) {
			return true
		}
	}
	return false
}

// toPtrMap turns tags into the SDK's shape.
func toPtrMap(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = new(v)
	}
	return out
}

// fromPtrMap turns the SDK's tags into a map.
func fromPtrMap(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// deref returns what p points to, or the zero value.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// isNotFound reports whether err is Azure's 404.
func isNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// armresourcesGroup returns a resource group in location l.
func armresourcesGroup(l string) armresources.ResourceGroup {
	return armresources.ResourceGroup{Location: new(l)}
}
