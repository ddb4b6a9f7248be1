// Package claim reconciles composite resource claims: each claim is bound to
// a composite resource (XR) that it creates, or an existing one it names;
// the claim's spec flows to the XR, the XR's status flows back, and the XR
// writes its connection Secret into the claim's namespace.
package claim

import (
	"context"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/claim"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/reference"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ctrls "github.com/stratus-dev/stratus/internal/controller"
)

const (
	finalizer        = "finalizer.apiextensions.crossplane.io"
	reconcileTimeout = time.Minute
	waitDeleted      = time.Second
	retryAfter       = 5 * time.Second

	// Labels on XRs created for claims.
	labelClaimName      = "crossplane.io/claim-name"
	labelClaimNamespace = "crossplane.io/claim-namespace"

	// TypeCompositeSynced is the claim condition that carries its composite
	// resource's Synced condition when that is False.
	TypeCompositeSynced xpv2.ConditionType = "CompositeSynced"

	// ReasonBind is the Synced reason when a claim cannot be bound.
	ReasonBind xpv2.ConditionReason = "BindCompositeResourceError"

	reasonBound event.Reason = "BindCompositeResource"
)

// claimOnly are the claim spec fields that do not flow to the XR.
var claimOnly = map[string]bool{"compositeDeletePolicy": true, "resourceRef": true, "writeConnectionSecretToRef": true}

// A Reconciler reconciles the claims of one XRD.
type Reconciler struct {
	client   client.Client
	claimGVK schema.GroupVersionKind
	xrGVK    schema.GroupVersionKind
	log      logging.Logger
	record   event.Recorder
}

// A ReconcilerOption configures a Reconciler.
type ReconcilerOption func(*Reconciler)

// WithLogger sets the logger.
func WithLogger(l logging.Logger) ReconcilerOption { return func(r *Reconciler) { r.log = l } }

// WithRecorder sets the event recorder.
func WithRecorder(e event.Recorder) ReconcilerOption { return func(r *Reconciler) { r.record = e } }

// NewReconciler returns a reconciler of claims of kind claimGVK, bound to
// composite resources of kind xrGVK.
func NewReconciler(c client.Client, claimGVK, xrGVK schema.GroupVersionKind, opts ...ReconcilerOption) *Reconciler {
	r := &Reconciler{client: c, claimGVK: claimGVK, xrGVK: xrGVK, log: logging.NewNopLogger(), record: event.NewNopRecorder()}
	for _, fn := range opts {
		fn(r)
	}
	return r
}

// Reconcile a claim. A write that lost a race with another writer is
// retried at once, quietly.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	return ctrls.RequeueOnConflict(r.reconcile(ctx, req))
}

func (r *Reconciler) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) { //nolint:gocyclo // One pass through the binding lifecycle, returning early.
	ctx, cancel := context.WithTimeout(ctx, reconcileTimeout)
	defer cancel()

	cm := claim.New(claim.WithGroupVersionKind(r.claimGVK))
	if err := r.client.Get(ctx, req.NamespacedName, cm.GetUnstructured()); err != nil {
		return reconcile.Result{}, errors.Wrap(client.IgnoreNotFound(err), "cannot get claim")
	}
	orig := cm.DeepCopy()

	if meta.IsPaused(cm) {
		cm.SetConditions(xpv2.ReconcilePaused().WithMessage("Reconciliation is paused by the crossplane.io/paused annotation."))
		return reconcile.Result{}, r.writeStatus(ctx, orig, cm)
	}
	if meta.WasDeleted(cm) {
		return r.delete(ctx, cm)
	}

	if cm.GetResourceReference() == nil || !meta.FinalizerExists(cm, finalizer) {
		meta.AddFinalizer(cm, finalizer)
		if cm.GetResourceReference() == nil {
			// Name the XR before creating it, so that a crash between the
			// two never leaves a second XR behind.
			cm.SetResourceReference(&reference.Composite{
				APIVersion: r.xrGVK.GroupVersion().String(),
				Kind:       r.xrGVK.Kind,
				Name:       cm.GetName() + "-" + utilrand.String(5),
			})
		}
		if err := r.client.Update(ctx, cm.GetUnstructured()); err != nil {
			return reconcile.Result{}, errors.Wrap(err, "cannot bind claim")
		}
		orig = cm.DeepCopy()
	}

	xr := composite.New(composite.WithGroupVersionKind(r.xrGVK), composite.WithSchema(composite.SchemaLegacy))
	err := r.client.Get(ctx, types.NamespacedName{Name: cm.GetResourceReference().Name}, xr.GetUnstructured())
	exists := err == nil
	if err != nil && !kerrors.IsNotFound(err) {
		return reconcile.Result{}, errors.Wrap(err, "cannot get composite resource")
	}
	if exists {
		if ref := xr.GetClaimReference(); ref != nil && ref.Name != "" && (ref.Name != cm.GetName() || ref.Namespace != cm.GetNamespace()) {
			msg := "Cannot bind to " + r.xrGVK.Kind + " " + xr.GetName() + ": it is bound to claim " + ref.Namespace + "/" + ref.Name + ". Name another composite resource in spec.resourceRef, or remove it to create a new one."
			cm.SetConditions(xpv2.Condition{Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: ReasonBind, Message: msg, LastTransitionTime: metav1.Now()})
			return reconcile.Result{RequeueAfter: retryAfter}, r.writeStatus(ctx, orig, cm)
		}
	}

	before := xr.DeepCopy()
	r.configure(cm, xr)
	switch {
	case !exists:
		if err := r.client.Create(ctx, xr.GetUnstructured()); err != nil {
			cm.SetConditions(xpv2.ReconcileError(errors.Wrap(err, "cannot create composite resource")))
			return reconcile.Result{RequeueAfter: retryAfter}, r.writeStatus(ctx, orig, cm)
		}
		r.record.Event(cm, event.Normal(reasonBound, "Created and bound "+r.xrGVK.Kind+" "+xr.GetName()))
		// The new XR has no status yet. Its first status brings the claim
		// back through the XR watch, and the claim's status is written then:
		// one write per claim fewer than writing "waiting" now.
		return reconcile.Result{}, nil
	case !reflect.DeepEqual(before.Object["spec"], xr.Object["spec"]) || !reflect.DeepEqual(before.GetLabels(), xr.GetLabels()):
		if err := r.client.Update(ctx, xr.GetUnstructured()); err != nil {
			if kerrors.IsConflict(err) {
				return reconcile.Result{}, errors.Wrap(err, "cannot update composite resource")
			}
			cm.SetConditions(xpv2.ReconcileError(errors.Wrap(err, "cannot update composite resource")))
			return reconcile.Result{RequeueAfter: retryAfter}, r.writeStatus(ctx, orig, cm)
		}
	}

	propagateStatus(xr, cm)
	cm.SetConditions(syncedFrom(xr))
	return reconcile.Result{}, r.writeStatus(ctx, orig, cm)
}

// syncedFrom is the Synced condition of a claim whose XR is in place: False,
// with the XR's reason and message, while the XR cannot be composed (so that
// `kubectl get` on the claim shows SYNCED False and why), True otherwise.
func syncedFrom(xr *composite.Unstructured) xpv2.Condition {
	if s := xr.GetCondition(xpv2.TypeSynced); s.Status == corev1.ConditionFalse {
		return xpv2.Condition{Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: s.Reason,
			Message: xr.GetKind() + " " + xr.GetName() + ": " + s.Message, LastTransitionTime: s.LastTransitionTime}
	}
	return xpv2.ReconcileSuccess()
}

// configure makes xr what cm asks for: the claim's spec (less its own
// fields), the claim reference and labels, and a connection Secret in the
// claim's namespace.
func (r *Reconciler) configure(cm *claim.Unstructured, xr *composite.Unstructured) {
	xr.SetName(cm.GetResourceReference().Name)
	spec, _ := xr.Object["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
	}
	cs, _ := cm.Object["spec"].(map[string]any)
	for k, v := range cs {
		if !claimOnly[k] {
			spec[k] = v
		}
	}
	xr.Object["spec"] = spec
	xr.SetClaimReference(&reference.Claim{
		APIVersion: r.claimGVK.GroupVersion().String(),
		Kind:       r.claimGVK.Kind,
		Namespace:  cm.GetNamespace(),
		Name:       cm.GetName(),
	})
	if ref := cm.GetWriteConnectionSecretToReference(); ref != nil && ref.Name != "" {
		xr.SetWriteConnectionSecretToReference(&xpv2.SecretReference{Namespace: cm.GetNamespace(), Name: ref.Name})
	}
	l := xr.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[labelClaimName] = cm.GetName()
	l[labelClaimNamespace] = cm.GetNamespace()
	xr.SetLabels(l)
}

// propagateStatus copies the XR's status to the claim: its own fields, its
// Ready condition and the conditions functions aimed at the claim.
func propagateStatus(xr *composite.Unstructured, cm *claim.Unstructured) {
	xs, _ := xr.Object["status"].(map[string]any)
	cs, _ := cm.Object["status"].(map[string]any)
	if cs == nil {
		cs = map[string]any{}
	}
	for k, v := range xs {
		switch k {
		case "conditions", "claimConditionTypes", "connectionDetails", "observedGeneration", "crossplane":
			continue
		}
		cs[k] = v
	}
	cm.Object["status"] = cs
	// A composite resource that cannot be composed says why on the claim,
	// so that its user need not look for the XR.
	if s := xr.GetCondition(xpv2.TypeSynced); s.Status == corev1.ConditionFalse {
		cm.SetConditions(xpv2.Condition{Type: TypeCompositeSynced, Status: corev1.ConditionFalse, Reason: s.Reason,
			Message: xr.GetKind() + " " + xr.GetName() + ": " + s.Message, LastTransitionTime: s.LastTransitionTime})
	} else if c := cm.GetCondition(TypeCompositeSynced); c.Status == corev1.ConditionFalse {
		cm.SetConditions(xpv2.Condition{Type: TypeCompositeSynced, Status: corev1.ConditionTrue, Reason: xpv2.ReasonReconcileSuccess, LastTransitionTime: metav1.Now()})
	}
	if ready := xr.GetCondition(xpv2.TypeReady); !ready.LastTransitionTime.IsZero() {
		cm.SetConditions(ready)
	} else {
		cm.SetConditions(xpv2.Creating().WithMessage("Waiting for the composite resource to report readiness."))
	}
	for _, ct := range xr.GetClaimConditionTypes() {
		if c := xr.GetCondition(ct); !c.LastTransitionTime.IsZero() {
			cm.SetConditions(c)
		}
	}
}

// delete deletes the claim's XR per its compositeDeletePolicy, then
// releases the claim.
func (r *Reconciler) delete(ctx context.Context, cm *claim.Unstructured) (reconcile.Result, error) {
	if !meta.FinalizerExists(cm, finalizer) {
		return reconcile.Result{}, nil
	}
	if ref := cm.GetResourceReference(); ref != nil {
		xr := composite.New(composite.WithGroupVersionKind(r.xrGVK), composite.WithSchema(composite.SchemaLegacy))
		err := r.client.Get(ctx, types.NamespacedName{Name: ref.Name}, xr.GetUnstructured())
		if err != nil && !kerrors.IsNotFound(err) {
			return reconcile.Result{}, errors.Wrap(err, "cannot get composite resource")
		}
		if err == nil {
			bound := xr.GetClaimReference()
			ours := bound != nil && bound.Name == cm.GetName() && bound.Namespace == cm.GetNamespace()
			if ours {
				if xr.GetDeletionTimestamp() == nil {
					if err := r.client.Delete(ctx, xr.GetUnstructured()); client.IgnoreNotFound(err) != nil {
						return reconcile.Result{}, errors.Wrap(err, "cannot delete composite resource")
					}
				}
				p := cm.GetCompositeDeletePolicy()
				if p != nil && *p == xpv2.CompositeDeleteForeground {
					return reconcile.Result{RequeueAfter: waitDeleted}, nil
				}
			}
		}
	}
	meta.RemoveFinalizer(cm, finalizer)
	return reconcile.Result{}, errors.Wrap(client.IgnoreNotFound(r.client.Update(ctx, cm.GetUnstructured())), "cannot remove finalizer")
}

func (r *Reconciler) writeStatus(ctx context.Context, orig, cm *claim.Unstructured) error {
	if reflect.DeepEqual(orig.Object["status"], cm.Object["status"]) {
		return nil
	}
	return errors.Wrap(client.IgnoreNotFound(r.client.Status().Update(ctx, cm.GetUnstructured())), "cannot update claim status")
}

// EnqueueForClaim returns an event handler that maps a composite resource to
// the claim it is bound to.
func EnqueueForClaim(claimGVK schema.GroupVersionKind) handler.EventHandler {
	apiVersion := claimGVK.GroupVersion().String()
	return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		xr := composite.New(composite.WithSchema(composite.SchemaLegacy))
		u, ok := o.(interface{ UnstructuredContent() map[string]any })
		if !ok {
			return nil
		}
		xr.Object = u.UnstructuredContent()
		ref := xr.GetClaimReference()
		if ref == nil || ref.Kind != claimGVK.Kind || ref.APIVersion != apiVersion {
			return nil
		}
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}}}
	})
}
