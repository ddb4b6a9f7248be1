// Package provider is the runtime every Stratus provider shares: a
// controller-runtime manager with metrics, health checks, leader election and
// a global reconcile rate, and the wiring that turns a typed external client
// into a crossplane-runtime managed-resource controller that writes nothing
// when nothing changed and leaves no ProviderConfigUsage behind.
package provider

import (
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/feature"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
)

// Options configure a provider's manager and controllers.
type Options struct {
	// Name of the provider, e.g. provider-aws. It names the leader
	// election Lease.
	Name string

	// MetricsBindAddress serves Prometheus metrics; "0" turns them off.
	MetricsBindAddress string

	// HealthProbeBindAddress serves /healthz and /readyz; "0" turns them
	// off.
	HealthProbeBindAddress string

	// LeaderElection makes only one of several replicas reconcile.
	LeaderElection bool

	// LeaderElectionNamespace holds the leader election Lease.
	LeaderElectionNamespace string

	// PollInterval is how often a managed resource that nothing changed is
	// observed again, to notice drift in the cloud.
	PollInterval time.Duration

	// MaxReconcileRate bounds the reconciles per second across all the
	// provider's controllers, and the parallel reconciles of each.
	MaxReconcileRate int

	// CreationGracePeriod is how long after a create a resource the cloud
	// does not show yet is taken for eventual consistency rather than gone.
	// Zero means 30 seconds, which suits real clouds; an emulator that is
	// consistent at once can use less.
	CreationGracePeriod time.Duration

	// Logger receives the provider's logs.
	Logger logging.Logger
}

// ControllerOptions configure a provider's controllers.
type ControllerOptions struct {
	controller.Options

	// CreationGracePeriod: see Options.
	CreationGracePeriod time.Duration
}

// A SetupFn adds one or more controllers to a provider's manager.
type SetupFn func(mgr ctrl.Manager, o ControllerOptions) error

// Setup adds each controller to mgr.
func Setup(mgr ctrl.Manager, o ControllerOptions, fns ...SetupFn) error {
	for i, fn := range fns {
		if err := fn(mgr, o); err != nil {
			return errors.Wrapf(err, "cannot set up controller %d", i)
		}
	}
	return nil
}

// NewManager returns a manager for a provider whose API types s knows, and
// the options its controllers take.
func NewManager(cfg *rest.Config, s *runtime.Scheme, o Options) (ctrl.Manager, ControllerOptions, error) {
	if o.MaxReconcileRate < 1 {
		return nil, ControllerOptions{}, errors.Errorf("max reconcile rate must be at least 1, not %d", o.MaxReconcileRate)
	}
	if o.PollInterval <= 0 {
		return nil, ControllerOptions{}, errors.Errorf("poll interval must be positive, not %s", o.PollInterval)
	}
	if o.Logger == nil {
		o.Logger = logging.NewNopLogger()
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: s,
		// Managed fields are of no use to a provider, and crossplane-runtime
		// compares whole objects (reference resolution on every reconcile):
		// with them a comparison costs ~50 times more CPU, and they are a
		// large share of the informer caches (docs/providers/aws.md).
		// Updates without managedFields leave the server's copy alone.
		Cache:                         cache.Options{DefaultTransform: cache.TransformStripManagedFields()},
		Metrics:                       metricsserver.Options{BindAddress: o.MetricsBindAddress},
		HealthProbeBindAddress:        o.HealthProbeBindAddress,
		LeaderElection:                o.LeaderElection,
		LeaderElectionID:              o.Name + "-leader",
		LeaderElectionNamespace:       o.LeaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return nil, ControllerOptions{}, errors.Wrap(err, "cannot create controller manager")
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, ControllerOptions{}, errors.Wrap(err, "cannot add health check")
	}
	if err := mgr.AddReadyzCheck("informers", func(req *http.Request) error {
		if !mgr.GetCache().WaitForCacheSync(req.Context()) {
			return errors.New("informer caches have not synced")
		}
		return nil
	}); err != nil {
		return nil, ControllerOptions{}, errors.Wrap(err, "cannot add ready check")
	}
	return mgr, NewControllerOptions(o), nil
}

// NewControllerOptions returns the options a provider's controllers take.
// Management policies are on: observe-only imports need them.
func NewControllerOptions(o Options) ControllerOptions {
	if o.Logger == nil {
		o.Logger = logging.NewNopLogger()
	}
	co := controller.DefaultOptions()
	co.Logger = o.Logger
	co.PollInterval = o.PollInterval
	co.MaxConcurrentReconciles = o.MaxReconcileRate
	co.GlobalRateLimiter = ratelimiter.NewGlobal(o.MaxReconcileRate)
	co.Features = &feature.Flags{}
	co.Features.Enable(feature.EnableBetaManagementPolicies)
	return ControllerOptions{Options: co, CreationGracePeriod: o.CreationGracePeriod}
}
