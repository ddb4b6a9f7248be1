// Package gcp tests the GCP provider's controllers on the local control
// plane against the Stratus local cloud's Cloud SQL Admin and Compute
// Engine APIs, with real PostgreSQL servers behind the Cloud SQL instances.
package gcp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"github.com/go-logr/logr"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/controller"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) {
	// The tests spend their time waiting for the local cloud's transitions
	// and the provider's polls, not computing: run more of them at once
	// than there are CPUs (go test's default). -parallel still wins.
	_ = flag.Set("test.parallel", "8")
	harness.Main(m)
}

// project every test's resources are in; each test has a local cloud of
// its own.
const project = "stratus-test"

// Timing of the tests: the local cloud's transitions, the provider's poll,
// and how long a wait for a resource to converge may take.
const (
	delay        = 300 * time.Millisecond
	pollInterval = 2 * time.Second
	timeout      = 90 * time.Second
)

var (
	// writes counts the shared provider's writes to the API server.
	writes    = &harness.WriteCounter{}
	startOnce sync.Once
	errStart  error
)

// A fixture is one test's local cloud, ProviderConfig and namespace, served
// by the package's provider.
type fixture struct {
	env *harness.Env
	lc  *localcloud.Cloud
	ns  string

	// ProviderConfig is the name of the test's ProviderConfig.
	ProviderConfig string

	// Calls counts the Google API calls made through the endpoint the
	// test's ProviderConfig names.
	Calls *callCounter
}

// setUp starts a local cloud for the test, a ProviderConfig pointing at it
// (through a proxy that counts calls) and, once per package, the GCP
// provider's controllers. Everything but the provider stops when the test
// ends.
func setUp(t *testing.T) *fixture {
	t.Helper()
	return setUpWith(t, nil)
}

// setUpWith is setUp with a local cloud that injects faults, per API
// (sqladmin, compute).
func setUpWith(t *testing.T, faults map[string]fault.Config) *fixture {
	t.Helper()
	env := harness.Get(t)
	f := &fixture{env: env, ns: env.Namespace(t)}
	f.ProviderConfig = f.ns
	f.lc = startLocalCloud(t, false, faults)
	f.Calls = newCallCounter(t, f.lc.Endpoints().GCP)
	startProvider(t, env)

	pc := &v1beta1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig},
		Spec: v1beta1.ProviderConfigSpec{
			ProjectID: project,
			// The local cloud needs no authentication; the test of
			// service account keys uses a local cloud that does.
			Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceNone},
			Endpoints:   &v1beta1.Endpoints{SQLAdmin: f.Calls.URL, Compute: f.Calls.URL},
		},
	}
	if err := env.Client.Create(context.Background(), pc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Usages go with their resources, so the ProviderConfig's
		// finalizer is gone once the test's resources are.
		_ = env.Client.Delete(context.Background(), pc)
	})
	return f
}

// startLocalCloud starts a local cloud with short transitions and faults,
// closed when the test ends; requireAuth makes its GCP APIs refuse calls
// without a token.
func startLocalCloud(t *testing.T, requireAuth bool, faults map[string]fault.Config) *localcloud.Cloud {
	t.Helper()
	lc, err := localcloud.Start(context.Background(), localcloud.Options{
		Dir:            filepath.Join(pgtest.Dir(t), "lc"),
		Delays:         cloud.Delays{Create: delay, Modify: delay, Delete: delay, Start: delay, Stop: delay},
		GCPRequireAuth: requireAuth,
		Faults:         faults,
	})
	if err != nil {
		t.Fatalf("cannot start the local cloud: %v", err)
	}
	t.Cleanup(func() {
		if err := lc.Close(); err != nil {
			t.Errorf("cannot stop the local cloud: %v", err)
		}
	})
	return lc
}

// startProvider runs the GCP provider's controllers in-process, once for
// the package: every test's resources name a ProviderConfig of their own,
// so one provider serves them all. It runs until the process ends.
func startProvider(t *testing.T, env *harness.Env) {
	t.Helper()
	startOnce.Do(func() {
		// The provider logs nothing in tests; conditions and the
		// resources' state say what happened.
		ctrl.SetLogger(logr.Discard())
		cfg := writes.Wrap(env.Config)
		// One provider serves every test at once: client-go's default
		// of five requests per second would make them wait on each other.
		cfg.QPS, cfg.Burst = 200, 400
		mgr, co, err := provider.NewManager(cfg, env.Scheme, provider.Options{
			Name:                   "provider-gcp",
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
		t.Fatalf("cannot start the GCP provider: %v", errStart)
	}
}

// ref returns a reference to the test's ProviderConfig.
func (f *fixture) ref() *xpv2.Reference { return &xpv2.Reference{Name: f.ProviderConfig} }

// SQL returns a Cloud SQL Admin client of the test's local cloud, to check
// what the provider did.
func (f *fixture) SQL(t *testing.T) *sqladmin.Service {
	t.Helper()
	s, err := sqladmin.NewService(context.Background(), option.WithEndpoint(f.lc.Endpoints().GCP+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// computeOptions are the options of Compute Engine clients of the test's
// local cloud.
func (f *fixture) computeOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(f.lc.Endpoints().GCP), option.WithoutAuthentication()}
}

// Instances returns a Compute Engine instances client of the test's local
// cloud.
func (f *fixture) Instances(t *testing.T) *compute.InstancesClient {
	t.Helper()
	c, err := compute.NewInstancesRESTClient(context.Background(), f.computeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Networks returns a Compute Engine networks client of the test's local
// cloud.
func (f *fixture) Networks(t *testing.T) *compute.NetworksClient {
	t.Helper()
	c, err := compute.NewNetworksRESTClient(context.Background(), f.computeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Subnetworks returns a Compute Engine subnetworks client of the test's
// local cloud.
func (f *fixture) Subnetworks(t *testing.T) *compute.SubnetworksClient {
	t.Helper()
	c, err := compute.NewSubnetworksRESTClient(context.Background(), f.computeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// create creates obj and deletes it (waiting until it is gone) when the test
// ends, unless the test deleted it already.
func (f *fixture) create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := f.env.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("cannot create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		if err := f.env.Client.Delete(context.Background(), obj); client.IgnoreNotFound(err) != nil {
			t.Errorf("cannot delete %s: %v", obj.GetName(), err)
			return
		}
		f.env.WaitForGone(t, obj, timeout)
	})
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

// updateWithRetry reads obj, applies mutate and writes it back, again on a
// conflict with the provider's own writes.
func (f *fixture) updateWithRetry(t *testing.T, obj client.Object, mutate func()) {
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

// writesTo returns the provider's API server writes so far to paths that
// contain one of names.
func writesTo(names ...string) map[string]int {
	out := map[string]int{}
	for k, n := range writes.Snapshot() {
		for _, name := range names {
			if strings.Contains(k, "/"+name) {
				out[k] = n
				break
			}
		}
	}
	return out
}

// writesSince returns the writes to paths that contain one of names after
// the snapshot before.
func writesSince(before map[string]int, names ...string) map[string]int {
	out := map[string]int{}
	for k, n := range writesTo(names...) {
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// isNotFound reports whether err is a Google API error 404.
func isNotFound(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound
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
