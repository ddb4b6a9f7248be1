// Package harness runs integration tests against real parts: the local
// control plane (etcd and kube-apiserver built by `make tools`) and, for AWS
// tests, a moto server.
//
// A test package starts the control plane once, from TestMain:
//
//	func TestMain(m *testing.M) { harness.Main(m) }
//
// and each test then takes its own namespace and a client:
//
//	env := harness.Get(t)
//	ns := env.Namespace(t)
//	env.Client.Create(ctx, obj)
//
// The Stratus CRDs from cluster/crds are installed before any test runs.
package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/core"
	"github.com/stratus-dev/stratus/internal/crds"
	"github.com/stratus-dev/stratus/internal/localcp"
	awsapis "github.com/stratus-dev/stratus/providers/aws/apis"
	azureapis "github.com/stratus-dev/stratus/providers/azure/apis"
	gcpapis "github.com/stratus-dev/stratus/providers/gcp/apis"
)

// An Env is a running local control plane with the Stratus CRDs installed.
type Env struct {
	// ControlPlane is the running etcd and kube-apiserver.
	ControlPlane *localcp.ControlPlane

	// Config reaches the API server as an administrator.
	Config *rest.Config

	// Scheme knows the Kubernetes, apiextensions and Stratus API types.
	Scheme *runtime.Scheme

	// Client reads and writes through the API server, with no cache.
	Client client.Client

	// Root is the root of the Stratus source tree.
	Root string
}

var (
	env      *Env
	cleanups []func()
	mu       sync.Mutex
)

// Main starts the local control plane, installs the CRDs, runs the package's
// tests and stops everything it started. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := Start(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "harness: cannot start the local control plane: %v\n", err)
		return 1
	}
	env = e
	code := m.Run()
	mu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	mu.Unlock()
	if err := e.ControlPlane.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "harness: cannot stop the local control plane: %v\n", err)
		return 1
	}
	return code
}

// atExit runs fn after the package's tests, before the control plane stops.
func atExit(fn func()) {
	mu.Lock()
	defer mu.Unlock()
	cleanups = append(cleanups, fn)
}

// Start starts a local control plane and installs the Stratus CRDs. Most
// tests want Main and Get instead; Start is for tests that need a control
// plane of their own.
func Start(ctx context.Context) (*Env, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	cp, err := localcp.Start(ctx, localcp.Options{BinDir: filepath.Join(root, ".cache", "bin")})
	if err != nil {
		return nil, err
	}
	e, err := newEnv(ctx, cp, root)
	if err != nil {
		_ = cp.Stop()
		return nil, err
	}
	return e, nil
}

func newEnv(ctx context.Context, cp *localcp.ControlPlane, root string) (*Env, error) {
	s, err := Scheme()
	if err != nil {
		return nil, err
	}
	c, err := client.New(cp.Config, client.Options{Scheme: s})
	if err != nil {
		return nil, errors.Wrap(err, "cannot create API client")
	}
	if _, err := crds.Install(ctx, c, filepath.Join(root, "cluster", "crds")); err != nil {
		return nil, err
	}
	return &Env{ControlPlane: cp, Config: cp.Config, Scheme: s, Client: c, Root: root}, nil
}

// Scheme returns a scheme with every API type Stratus defines or uses.
func Scheme() (*runtime.Scheme, error) {
	s, err := core.Scheme()
	if err != nil {
		return nil, err
	}
	for _, add := range []func(*runtime.Scheme) error{awsapis.AddToScheme, gcpapis.AddToScheme, azureapis.AddToScheme} {
		if err := add(s); err != nil {
			return nil, errors.Wrap(err, "cannot add Stratus APIs to scheme")
		}
	}
	return s, nil
}

// Root returns the root of the Stratus source tree that holds the working
// directory.
func Root() (string, error) {
	return localcp.SourceRoot()
}

// Get returns the environment Main started. It fails the test when the
// package's TestMain does not call Main.
func Get(t testing.TB) *Env {
	t.Helper()
	if env == nil {
		t.Fatal("harness: no control plane: the package's TestMain must call harness.Main(m)")
	}
	return env
}

// Namespace creates a namespace for this test alone and deletes it when the
// test ends.
func (e *Env) Namespace(t testing.TB) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: namePrefix(t.Name())}}
	if err := e.Client.Create(context.Background(), ns); err != nil {
		t.Fatalf("harness: cannot create namespace: %v", err)
	}
	t.Cleanup(func() {
		// Without kube-controller-manager nothing empties a deleted
		// namespace, so it stays Terminating; the name is unique, and the
		// control plane is thrown away after the package's tests.
		if err := e.Client.Delete(context.Background(), ns); err != nil {
			t.Errorf("harness: cannot delete namespace %s: %v", ns.Name, err)
		}
	})
	return ns.Name
}

// namePrefix turns a test name into a valid generateName prefix.
func namePrefix(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	p := strings.Trim(b.String(), "-")
	if len(p) > 40 {
		p = strings.Trim(p[:40], "-")
	}
	if p == "" {
		p = "test"
	}
	return p + "-"
}
