// Package core builds the Stratus core: a controller-runtime manager with the
// core controllers, metrics and health endpoints, and optional leader
// election. `stratus core` runs it against any API server; `stratus dev` runs
// it in-process against the local control plane.
package core

import (
	"net/http"
	"time"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/apis"
	ctrls "github.com/stratus-dev/stratus/internal/controller"
	"github.com/stratus-dev/stratus/internal/controller/apiextensions"
	"github.com/stratus-dev/stratus/internal/xfn"
)

// LeaderElectionID names the Lease that core replicas compete for.
const LeaderElectionID = "stratus-core-leader"

// Options configure the core.
type Options struct {
	// MetricsBindAddress serves Prometheus metrics; "0" turns them off.
	MetricsBindAddress string

	// HealthProbeBindAddress serves /healthz and /readyz; "0" turns them
	// off.
	HealthProbeBindAddress string

	// LeaderElection makes only one of several core replicas reconcile.
	LeaderElection bool

	// LeaderElectionNamespace holds the leader election Lease.
	LeaderElectionNamespace string

	// MaxConcurrentReconciles bounds the parallel reconciles of each
	// controller.
	MaxConcurrentReconciles int

	// PollInterval is how often each controller rechecks a resource that
	// nothing has changed.
	PollInterval time.Duration

	// Logger receives the core's logs.
	Logger logging.Logger

	// FunctionTLSCertsDir holds ca.crt, tls.crt and tls.key, the client
	// certificates for calling composition functions over mTLS.
	FunctionTLSCertsDir string

	// FunctionInsecure calls composition functions without TLS, for
	// local development.
	FunctionInsecure bool

	// Controllers to run. Nil means the core controllers: the composition
	// engine.
	Controllers []ctrls.SetupFn
}

// Scheme returns the API types the core reads and writes.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, errors.Wrap(err, "cannot add Kubernetes APIs to scheme")
	}
	if err := extv1.AddToScheme(s); err != nil {
		return nil, errors.Wrap(err, "cannot add apiextensions APIs to scheme")
	}
	if err := apis.AddToScheme(s); err != nil {
		return nil, errors.Wrap(err, "cannot add Stratus core APIs to scheme")
	}
	return s, nil
}

// NewManager returns a manager that runs the core controllers against the
// API server cfg points at. Start it to run them.
func NewManager(cfg *rest.Config, o Options) (ctrl.Manager, error) {
	if o.MaxConcurrentReconciles < 1 {
		return nil, errors.Errorf("max concurrent reconciles must be at least 1, not %d", o.MaxConcurrentReconciles)
	}
	if o.PollInterval <= 0 {
		return nil, errors.Errorf("poll interval must be positive, not %s", o.PollInterval)
	}
	if o.Logger == nil {
		o.Logger = logging.NewNopLogger()
	}
	if o.Controllers == nil {
		eo := apiextensions.Options{FunctionInsecure: o.FunctionInsecure}
		if !o.FunctionInsecure && o.FunctionTLSCertsDir != "" {
			tc, err := xfn.LoadTLSConfig(o.FunctionTLSCertsDir)
			if err != nil {
				return nil, errors.Wrap(err, "cannot load composition function client certificates")
			}
			eo.FunctionTLS = tc
		}
		o.Controllers = []ctrls.SetupFn{func(mgr ctrl.Manager, co controller.Options) error {
			return apiextensions.Setup(mgr, co, eo)
		}}
	}
	s, err := Scheme()
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: s,
		// Composite resources, claims and composed resources are read as
		// unstructured objects; reading them from the informer cache keeps
		// reconciles off the API server and starts the watches that bring
		// their changes in at once.
		Client:                        client.Options{Cache: &client.CacheOptions{Unstructured: true}},
		Metrics:                       metricsserver.Options{BindAddress: o.MetricsBindAddress},
		HealthProbeBindAddress:        o.HealthProbeBindAddress,
		LeaderElection:                o.LeaderElection,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       o.LeaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot create controller manager")
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, errors.Wrap(err, "cannot add health check")
	}
	// Ready once the informer caches have synced, so that a rollout does
	// not route to a replica that cannot yet see the cluster.
	if err := mgr.AddReadyzCheck("informers", func(req *http.Request) error {
		if !mgr.GetCache().WaitForCacheSync(req.Context()) {
			return errors.New("informer caches have not synced")
		}
		return nil
	}); err != nil {
		return nil, errors.Wrap(err, "cannot add ready check")
	}

	co := controller.DefaultOptions()
	co.Logger = o.Logger
	co.MaxConcurrentReconciles = o.MaxConcurrentReconciles
	co.PollInterval = o.PollInterval
	if err := ctrls.Setup(mgr, co, o.Controllers...); err != nil {
		return nil, errors.Wrap(err, "cannot set up core controllers")
	}
	return mgr, nil
}
