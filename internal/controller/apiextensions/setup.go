// Package apiextensions wires the composition engine's controllers: the
// definition controller (XRDs), and through it one composite and one claim
// controller per XRD, plus the revision controller (Compositions).
package apiextensions

import (
	"context"
	"crypto/tls"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpcomposite "github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	"github.com/stratus-dev/stratus/internal/composition/pt"
	ctrls "github.com/stratus-dev/stratus/internal/controller"
	"github.com/stratus-dev/stratus/internal/controller/apiextensions/claim"
	"github.com/stratus-dev/stratus/internal/controller/apiextensions/composite"
	"github.com/stratus-dev/stratus/internal/controller/apiextensions/definition"
	"github.com/stratus-dev/stratus/internal/controller/apiextensions/revision"
	"github.com/stratus-dev/stratus/internal/engine"
	"github.com/stratus-dev/stratus/internal/xfn"
)

// Options configure the composition engine.
type Options struct {
	// FunctionTLS is the client TLS configuration for calling composition
	// functions over mTLS. Nil with FunctionInsecure false means function
	// calls fail with an error saying how to configure them.
	FunctionTLS *tls.Config

	// FunctionInsecure calls composition functions without TLS. For local
	// development only.
	FunctionInsecure bool
}

// Setup adds the composition engine's controllers to mgr.
func Setup(mgr ctrl.Manager, o controller.Options, eo Options) error {
	e := engine.New(mgr.GetCache(), o.Logger.WithValues("component", "engine"))
	if err := mgr.Add(stopper{e}); err != nil {
		return errors.Wrap(err, "cannot add controller engine to manager")
	}

	var grpcOpts []xfn.GRPCRunnerOption
	switch {
	case eo.FunctionInsecure:
		grpcOpts = append(grpcOpts, xfn.WithInsecure())
	case eo.FunctionTLS != nil:
		grpcOpts = append(grpcOpts, xfn.WithTLSConfig(eo.FunctionTLS))
	}
	remote := xfn.NewGRPCRunner(mgr.GetClient(), grpcOpts...)
	router := xfn.NewRouter(mgr.GetClient(), remote,
		xfn.WithBuiltin(xfn.FunctionPatchAndTransform, pt.NewFunction()),
		xfn.WithBuiltin(xfn.FunctionAutoReady, xfn.AutoReady()),
		xfn.WithBuiltin(xfn.FunctionConnectionDetails, xfn.ConnectionDetails()),
	)
	pipeline := xfn.NewPipeline(router, mgr.GetClient(), xfn.WithLogger(o.Logger.WithValues("component", "pipeline")))

	compositeFor := func(xrd *v1.CompositeResourceDefinition) (reconcile.Reconciler, []engine.Watch, error) {
		xp, err := xrd.Crossplane()
		if err != nil {
			return nil, nil, errors.Wrap(err, "cannot convert CompositeResourceDefinition")
		}
		gvk := xp.GetCompositeGroupVersionKind()
		scope := xpextv1.CompositeResourceScopeLegacyCluster
		if xp.Spec.Scope != nil {
			scope = *xp.Spec.Scope
		}
		s := xpcomposite.SchemaModern
		if scope == xpextv1.CompositeResourceScopeLegacyCluster {
			s = xpcomposite.SchemaLegacy
		}
		namespaced := scope == xpextv1.CompositeResourceScopeNamespaced
		name := definition.CompositeControllerName(xrd.Name)
		w := composite.WatcherFn(func(composed schema.GroupVersionKind) error {
			return e.AddWatch(name, engine.Watch{GroupVersionKind: composed, Handler: composite.EnqueueForComposite(gvk, namespaced)})
		})
		return composite.NewReconciler(mgr.GetClient(), xrd.Name, gvk, s, pipeline,
				composite.WithWatcher(w),
				composite.WithPollInterval(o.PollInterval),
				composite.WithLogger(o.Logger.WithValues("controller", name)),
				composite.WithRecorder(ctrls.EventRecorder(mgr, name)),
			), []engine.Watch{
				{GroupVersionKind: v1.CompositionRevisionGroupVersionKind, Object: &v1.CompositionRevision{}, Handler: composite.EnqueueForRevision(mgr.GetClient(), gvk, s)},
			}, nil
	}
	claimFor := func(xrd *v1.CompositeResourceDefinition) (reconcile.Reconciler, []engine.Watch, error) {
		xp, err := xrd.Crossplane()
		if err != nil {
			return nil, nil, errors.Wrap(err, "cannot convert CompositeResourceDefinition")
		}
		claimGVK := xp.GetClaimGroupVersionKind()
		xrGVK := xp.GetCompositeGroupVersionKind()
		name := definition.ClaimControllerName(xrd.Name)
		return claim.NewReconciler(mgr.GetClient(), claimGVK, xrGVK,
				claim.WithLogger(o.Logger.WithValues("controller", name)),
				claim.WithRecorder(ctrls.EventRecorder(mgr, name)),
			), []engine.Watch{
				{GroupVersionKind: xrGVK, Handler: claim.EnqueueForClaim(claimGVK)},
			}, nil
	}

	if err := definition.Setup(mgr, e, compositeFor, claimFor, o); err != nil {
		return errors.Wrap(err, "cannot set up definition controller")
	}
	return errors.Wrap(revision.Setup(mgr, o), "cannot set up revision controller")
}

// stopper stops the engine's controllers when the manager stops.
type stopper struct{ e *engine.Engine }

func (s stopper) Start(ctx context.Context) error {
	<-ctx.Done()
	// Bounded, so that a stuck reconcile cannot hold the manager past its
	// own shutdown grace period.
	sctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	return s.e.StopAll(sctx)
}

// stopTimeout bounds how long the engine's controllers may take to stop.
const stopTimeout = 15 * time.Second
