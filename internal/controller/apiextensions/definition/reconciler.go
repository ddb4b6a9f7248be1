// Package definition reconciles CompositeResourceDefinitions (XRDs): each
// XRD yields the CRD of its composite resource (and of its claim, when it
// offers one), and the definition controller starts and stops the
// controllers that reconcile those kinds.
package definition

import (
	"context"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	xpcontroller "github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/xcrd"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	ctrls "github.com/stratus-dev/stratus/internal/controller"
	"github.com/stratus-dev/stratus/internal/engine"
)

const (
	// finalizer keeps an XRD until its composite resources are gone.
	finalizer = "definition.apiextensions.crossplane.io"

	// fieldOwner is the server-side apply field manager for generated CRDs.
	fieldOwner = "stratus-definition"

	// waitEstablished is how soon an XRD is checked again while its CRD is
	// not yet served.
	waitEstablished = time.Second

	// waitDeletion is how soon a deleting XRD is checked again while its
	// composite resources are still going.
	waitDeletion = 2 * time.Second

	reconcileTimeout = time.Minute
)

// Reasons for events and conditions.
const (
	ReasonRenderCRD    xpv2.ConditionReason = "InvalidDefinition"
	ReasonApplyCRD     xpv2.ConditionReason = "ApplyCustomResourceDefinitionError"
	ReasonWaitingCRD   xpv2.ConditionReason = "WaitingForCustomResourceDefinition"
	ReasonStartControl xpv2.ConditionReason = "StartControllerError"
	ReasonDeleting     xpv2.ConditionReason = "DeletingCompositeResources"

	reasonEstablish event.Reason = "EstablishComposite"
	reasonOffer     event.Reason = "OfferClaim"
	reasonTerminate event.Reason = "TerminateComposite"
)

// A ControllerEngine starts and stops named controllers at run time.
type ControllerEngine interface {
	Kind(name string) (schema.GroupVersionKind, bool)
	Start(ctx context.Context, name string, o controller.Options, primary schema.GroupVersionKind, watches ...engine.Watch) error
	Stop(ctx context.Context, name string) error
}

// A ReconcilerFactory returns the reconciler of one XRD's composite resources
// or claims, and any extra kinds that controller must watch.
type ReconcilerFactory func(xrd *v1.CompositeResourceDefinition) (reconcile.Reconciler, []engine.Watch, error)

// CompositeControllerName is the engine name of an XRD's composite controller.
func CompositeControllerName(xrdName string) string { return "composite/" + xrdName }

// ClaimControllerName is the engine name of an XRD's claim controller.
func ClaimControllerName(xrdName string) string { return "claim/" + xrdName }

// A Reconciler reconciles XRDs.
type Reconciler struct {
	client    client.Client
	engine    ControllerEngine
	composite ReconcilerFactory
	claim     ReconcilerFactory
	options   xpcontroller.Options
	log       logging.Logger
	record    event.Recorder
}

// A ReconcilerOption configures a Reconciler.
type ReconcilerOption func(*Reconciler)

// WithLogger sets the reconciler's logger.
func WithLogger(l logging.Logger) ReconcilerOption {
	return func(r *Reconciler) { r.log = l }
}

// WithRecorder sets the reconciler's event recorder.
func WithRecorder(er event.Recorder) ReconcilerOption {
	return func(r *Reconciler) { r.record = er }
}

// WithClaimReconciler sets how claim reconcilers are built. Without it XRDs
// that offer claims get their claim CRD but no claim controller.
func WithClaimReconciler(f ReconcilerFactory) ReconcilerOption {
	return func(r *Reconciler) { r.claim = f }
}

// NewReconciler returns a Reconciler of XRDs that runs one composite
// controller per XRD through e, built by composite.
func NewReconciler(c client.Client, e ControllerEngine, composite ReconcilerFactory, o xpcontroller.Options, opts ...ReconcilerOption) *Reconciler {
	r := &Reconciler{
		client:    c,
		engine:    e,
		composite: composite,
		options:   o,
		log:       logging.NewNopLogger(),
		record:    event.NewNopRecorder(),
	}
	for _, fn := range opts {
		fn(r)
	}
	return r
}

// Reconcile an XRD. A write that lost a race with another writer is retried
// at once, quietly.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	return ctrls.RequeueOnConflict(r.reconcile(ctx, req))
}

func (r *Reconciler) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) { //nolint:gocyclo // One pass through the XRD's lifecycle; each step returns early.
	log := r.log.WithValues("request", req)
	ctx, cancel := context.WithTimeout(ctx, reconcileTimeout)
	defer cancel()

	xrd := &v1.CompositeResourceDefinition{}
	if err := r.client.Get(ctx, req.NamespacedName, xrd); err != nil {
		return reconcile.Result{}, errors.Wrap(client.IgnoreNotFound(err), "cannot get CompositeResourceDefinition")
	}
	orig := xrd.Status.DeepCopy()
	xp, err := xrd.Crossplane()
	if err != nil {
		return reconcile.Result{}, errors.Wrap(err, "cannot convert CompositeResourceDefinition")
	}

	if meta.WasDeleted(xrd) {
		return r.delete(ctx, xrd, xp, orig, log)
	}

	if !meta.FinalizerExists(xrd, finalizer) {
		meta.AddFinalizer(xrd, finalizer)
		if err := r.client.Update(ctx, xrd); err != nil {
			return reconcile.Result{}, errors.Wrap(err, "cannot add finalizer")
		}
	}

	crd, err := xcrd.ForCompositeResource(xp)
	if err != nil {
		xrd.SetConditions(established(ReasonRenderCRD, "Cannot render the composite resource CRD: "+err.Error()+". Fix the XRD's spec."))
		r.record.Event(xrd, event.Warning(reasonEstablish, err))
		return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
	}
	ok, err := r.applyCRD(ctx, crd)
	if err != nil {
		xrd.SetConditions(established(ReasonApplyCRD, "Cannot apply the composite resource CRD "+crd.Name+": "+err.Error()))
		r.record.Event(xrd, event.Warning(reasonEstablish, err))
		return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
	}
	if !ok {
		xrd.SetConditions(established(ReasonWaitingCRD, "Waiting for the API server to serve the composite resource CRD "+crd.Name+"."))
		return reconcile.Result{RequeueAfter: waitEstablished}, r.updateStatus(ctx, xrd, orig)
	}

	xrGVK := xp.GetCompositeGroupVersionKind()
	started, err := r.ensure(ctx, CompositeControllerName(xrd.Name), xrGVK, r.composite, xrd)
	if err != nil {
		xrd.SetConditions(established(ReasonStartControl, "Cannot start the composite resource controller: "+err.Error()))
		r.record.Event(xrd, event.Warning(reasonEstablish, err))
		return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
	}
	if started {
		r.record.Event(xrd, event.Normal(reasonEstablish, "Started the composite resource controller for "+xrGVK.String()))
		log.Debug("Started composite resource controller", "kind", xrGVK.String())
	}
	xrd.SetConditions(xpextv1.WatchingComposite())
	xrd.Status.Controllers.CompositeResourceTypeRef = typeRef(xrGVK)

	if !xp.OffersClaim() {
		if err := r.engine.Stop(ctx, ClaimControllerName(xrd.Name)); err != nil {
			return reconcile.Result{}, errors.Wrap(err, "cannot stop the claim controller of an XRD that no longer offers a claim")
		}
		xrd.Status.Controllers.CompositeResourceClaimTypeRef = v1.TypeReference{}
		removeCondition(xrd, xpextv1.TypeOffered)
		return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
	}

	ccrd, err := xcrd.ForCompositeResourceClaim(xp)
	if err != nil {
		xrd.SetConditions(offered(ReasonRenderCRD, "Cannot render the claim CRD: "+err.Error()+". Fix the XRD's spec.claimNames."))
		r.record.Event(xrd, event.Warning(reasonOffer, err))
		return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
	}
	ok, err = r.applyCRD(ctx, ccrd)
	if err != nil {
		xrd.SetConditions(offered(ReasonApplyCRD, "Cannot apply the claim CRD "+ccrd.Name+": "+err.Error()))
		r.record.Event(xrd, event.Warning(reasonOffer, err))
		return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
	}
	if !ok {
		xrd.SetConditions(offered(ReasonWaitingCRD, "Waiting for the API server to serve the claim CRD "+ccrd.Name+"."))
		return reconcile.Result{RequeueAfter: waitEstablished}, r.updateStatus(ctx, xrd, orig)
	}
	if r.claim != nil {
		claimGVK := xp.GetClaimGroupVersionKind()
		started, err := r.ensure(ctx, ClaimControllerName(xrd.Name), claimGVK, r.claim, xrd)
		if err != nil {
			xrd.SetConditions(offered(ReasonStartControl, "Cannot start the claim controller: "+err.Error()))
			r.record.Event(xrd, event.Warning(reasonOffer, err))
			return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
		}
		if started {
			r.record.Event(xrd, event.Normal(reasonOffer, "Started the claim controller for "+claimGVK.String()))
		}
		xrd.Status.Controllers.CompositeResourceClaimTypeRef = typeRef(claimGVK)
	}
	xrd.SetConditions(xpextv1.WatchingClaim())
	return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
}

// ensure runs the named controller for gvk, restarting it when it runs for
// another version. It reports whether it started the controller.
func (r *Reconciler) ensure(ctx context.Context, name string, gvk schema.GroupVersionKind, f ReconcilerFactory, xrd *v1.CompositeResourceDefinition) (bool, error) {
	if running, ok := r.engine.Kind(name); ok {
		if running == gvk {
			return false, nil
		}
		if err := r.engine.Stop(ctx, name); err != nil {
			return false, err
		}
	}
	rec, watches, err := f(xrd)
	if err != nil {
		return false, err
	}
	o := r.options.ForControllerRuntime()
	o.Reconciler = rec
	return true, r.engine.Start(ctx, name, o, gvk, watches...)
}

// applyCRD applies crd and reports whether the API server serves it.
func (r *Reconciler) applyCRD(ctx context.Context, crd *extv1.CustomResourceDefinition) (bool, error) {
	crd.SetGroupVersionKind(extv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(crd)
	if err != nil {
		return false, errors.Wrap(err, "cannot convert CRD")
	}
	delete(u, "status")
	unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
	if err := r.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(&unstructured.Unstructured{Object: u}), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return false, errors.Wrap(err, "cannot apply CRD")
	}
	got := &extv1.CustomResourceDefinition{}
	if err := r.client.Get(ctx, client.ObjectKey{Name: crd.Name}, got); err != nil {
		return false, errors.Wrap(err, "cannot get CRD")
	}
	return xcrd.IsEstablished(got.Status), nil
}

// delete deletes every composite resource (and claim) of a deleting XRD,
// waits until they are gone, stops its controllers and deletes its CRDs.
func (r *Reconciler) delete(ctx context.Context, xrd *v1.CompositeResourceDefinition, xp *xpextv1.CompositeResourceDefinition, orig *v1.CompositeResourceDefinitionStatus, log logging.Logger) (reconcile.Result, error) {
	if !meta.FinalizerExists(xrd, finalizer) {
		return reconcile.Result{}, nil
	}
	xrd.SetConditions(xpextv1.TerminatingComposite())

	kinds := []schema.GroupVersionKind{xp.GetCompositeGroupVersionKind()}
	if xp.OffersClaim() {
		kinds = append([]schema.GroupVersionKind{xp.GetClaimGroupVersionKind()}, kinds...)
	}
	remaining := 0
	for _, gvk := range kinds {
		n, err := r.deleteAll(ctx, gvk)
		if err != nil {
			xrd.SetConditions(established(ReasonDeleting, "Cannot delete "+gvk.Kind+" resources: "+err.Error()))
			return reconcile.Result{}, r.updateStatus(ctx, xrd, orig)
		}
		remaining += n
	}
	if remaining > 0 {
		// The controllers keep running until every composite resource has
		// released its composed resources.
		xrd.SetConditions(established(ReasonDeleting, "Waiting for composite resources and claims to be deleted before the XRD is removed."))
		return reconcile.Result{RequeueAfter: waitDeletion}, r.updateStatus(ctx, xrd, orig)
	}

	for _, name := range []string{ClaimControllerName(xrd.Name), CompositeControllerName(xrd.Name)} {
		if err := r.engine.Stop(ctx, name); err != nil {
			return reconcile.Result{}, errors.Wrap(err, "cannot stop controller")
		}
	}
	for _, gvk := range kinds {
		crd := &extv1.CustomResourceDefinition{}
		crd.SetName(pluralFor(xp, gvk) + "." + gvk.Group)
		if err := r.client.Delete(ctx, crd); client.IgnoreNotFound(err) != nil {
			return reconcile.Result{}, errors.Wrapf(err, "cannot delete CRD %s", crd.Name)
		}
	}
	r.record.Event(xrd, event.Normal(reasonTerminate, "Stopped controllers and deleted the CRDs of "+xrd.Name))
	log.Debug("Deleted XRD's CRDs", "xrd", xrd.Name)
	meta.RemoveFinalizer(xrd, finalizer)
	return reconcile.Result{}, errors.Wrap(r.client.Update(ctx, xrd), "cannot remove finalizer")
}

func pluralFor(xp *xpextv1.CompositeResourceDefinition, gvk schema.GroupVersionKind) string {
	if xp.Spec.ClaimNames != nil && gvk.Kind == xp.Spec.ClaimNames.Kind {
		return xp.Spec.ClaimNames.Plural
	}
	return xp.Spec.Names.Plural
}

// deleteAll deletes every object of gvk and returns how many still exist.
func (r *Reconciler) deleteAll(ctx context.Context, gvk schema.GroupVersionKind) (int, error) {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := r.client.List(ctx, l); err != nil {
		if kerrors.IsNotFound(err) || apimeta.IsNoMatchError(err) {
			return 0, nil
		}
		return 0, errors.Wrapf(err, "cannot list %s", gvk.Kind)
	}
	for i := range l.Items {
		o := &l.Items[i]
		if o.GetDeletionTimestamp() != nil {
			continue
		}
		if err := r.client.Delete(ctx, o); client.IgnoreNotFound(err) != nil {
			return 0, errors.Wrapf(err, "cannot delete %s %s", gvk.Kind, o.GetName())
		}
	}
	return len(l.Items), nil
}

// updateStatus writes the XRD's status when it differs from orig.
func (r *Reconciler) updateStatus(ctx context.Context, xrd *v1.CompositeResourceDefinition, orig *v1.CompositeResourceDefinitionStatus) error {
	if statusEqual(orig, &xrd.Status) {
		return nil
	}
	return errors.Wrap(r.client.Status().Update(ctx, xrd), "cannot update CompositeResourceDefinition status")
}

func statusEqual(a, b *v1.CompositeResourceDefinitionStatus) bool {
	if a.Controllers != b.Controllers || len(a.Conditions) != len(b.Conditions) {
		return false
	}
	return a.Equal(&b.ConditionedStatus)
}

func typeRef(gvk schema.GroupVersionKind) v1.TypeReference {
	apiVersion, kind := gvk.ToAPIVersionAndKind()
	return v1.TypeReference{APIVersion: apiVersion, Kind: kind}
}

func removeCondition(xrd *v1.CompositeResourceDefinition, ct xpv2.ConditionType) {
	kept := xrd.Status.Conditions[:0]
	for _, c := range xrd.Status.Conditions {
		if c.Type != ct {
			kept = append(kept, c)
		}
	}
	xrd.Status.Conditions = kept
}

func established(reason xpv2.ConditionReason, msg string) xpv2.Condition {
	return xpv2.Condition{Type: xpextv1.TypeEstablished, Status: corev1.ConditionFalse, Reason: reason, Message: strings.TrimSpace(msg), LastTransitionTime: metav1.Now()}
}

func offered(reason xpv2.ConditionReason, msg string) xpv2.Condition {
	return xpv2.Condition{Type: xpextv1.TypeOffered, Status: corev1.ConditionFalse, Reason: reason, Message: strings.TrimSpace(msg), LastTransitionTime: metav1.Now()}
}

// Setup adds the definition controller to mgr. Composite and claim
// controllers run on e.
func Setup(mgr ctrl.Manager, e ControllerEngine, composite, claim ReconcilerFactory, o xpcontroller.Options) error {
	r := NewReconciler(mgr.GetClient(), e, composite, o,
		WithLogger(o.Logger.WithValues("controller", "definition")),
		WithRecorder(ctrls.EventRecorder(mgr, "definition")),
		WithClaimReconciler(claim),
	)
	return ctrl.NewControllerManagedBy(mgr).
		Named("definition").
		For(&v1.CompositeResourceDefinition{}).
		Owns(&extv1.CustomResourceDefinition{}).
		WithOptions(ctrls.Options(o)).
		Complete(r)
}
