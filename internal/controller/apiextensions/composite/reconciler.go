// Package composite reconciles composite resources (XRs): it selects a
// Composition and revision, runs its pipeline (Resources mode runs as a
// one-step pipeline of the built-in patch-and-transform function), applies
// the composed resources, deletes those that left the desired state,
// publishes connection details and reports readiness in words that say
// which resource is not ready and why.
package composite

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	ptv1beta1 "github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
	ctrls "github.com/stratus-dev/stratus/internal/controller"
	"github.com/stratus-dev/stratus/internal/xfn"
)

const (
	finalizer        = "composite.apiextensions.crossplane.io"
	reconcileTimeout = time.Minute

	// retryAfter is how soon a composite resource that cannot be composed
	// yet (no Composition, no revision, a failing step) is tried again.
	retryAfter = 5 * time.Second

	// waitDeleted is how soon a deleting composite resource checks whether
	// its composed resources are gone.
	waitDeleted = time.Second
)

// Condition reasons.
const (
	ReasonSelectComposition xpv2.ConditionReason = "SelectCompositionError"
	ReasonCompose           xpv2.ConditionReason = "ComposeResourcesError"
	ReasonPipelineFatal     xpv2.ConditionReason = "PipelineFatalResult"
	ReasonPublish           xpv2.ConditionReason = "PublishConnectionDetailsError"
	ReasonWaitingRevision   xpv2.ConditionReason = "WaitingForCompositionRevision"

	reasonCompose event.Reason = "ComposeResources"
	reasonDelete  event.Reason = "DeleteComposedResources"
	reasonResult  event.Reason = "FunctionResult"
)

// A PipelineRunner runs a Composition's function pipeline.
type PipelineRunner interface {
	Run(ctx context.Context, req xfn.PipelineRequest) (*xfn.PipelineResult, error)
}

// A Watcher makes the composite controller watch a kind of composed
// resource, so that a change to one reaches its XR at once.
type Watcher interface {
	WatchComposed(gvk schema.GroupVersionKind) error
}

// A WatcherFn is a function that satisfies Watcher.
type WatcherFn func(gvk schema.GroupVersionKind) error

// WatchComposed watches gvk.
func (fn WatcherFn) WatchComposed(gvk schema.GroupVersionKind) error { return fn(gvk) }

// A Reconciler reconciles the composite resources of one XRD.
type Reconciler struct {
	client   client.Client
	xrdName  string
	gvk      schema.GroupVersionKind
	schema   composite.Schema
	pipeline PipelineRunner
	watcher  Watcher
	poll     time.Duration
	log      logging.Logger
	record   event.Recorder
}

// A ReconcilerOption configures a Reconciler.
type ReconcilerOption func(*Reconciler)

// WithLogger sets the logger.
func WithLogger(l logging.Logger) ReconcilerOption { return func(r *Reconciler) { r.log = l } }

// WithRecorder sets the event recorder.
func WithRecorder(e event.Recorder) ReconcilerOption { return func(r *Reconciler) { r.record = e } }

// WithWatcher sets how composed kinds get watched.
func WithWatcher(w Watcher) ReconcilerOption { return func(r *Reconciler) { r.watcher = w } }

// WithPollInterval sets how often a composite resource is recomposed when
// nothing changes.
func WithPollInterval(d time.Duration) ReconcilerOption { return func(r *Reconciler) { r.poll = d } }

// NewReconciler returns a reconciler of the composite resources of kind gvk,
// defined by the XRD named xrdName.
func NewReconciler(c client.Client, xrdName string, gvk schema.GroupVersionKind, s composite.Schema, p PipelineRunner, opts ...ReconcilerOption) *Reconciler {
	r := &Reconciler{
		client:   c,
		xrdName:  xrdName,
		gvk:      gvk,
		schema:   s,
		pipeline: p,
		watcher:  WatcherFn(func(schema.GroupVersionKind) error { return nil }),
		poll:     time.Minute,
		log:      logging.NewNopLogger(),
		record:   event.NewNopRecorder(),
	}
	for _, fn := range opts {
		fn(r)
	}
	return r
}

// Reconcile a composite resource. A write that lost a race with another
// writer is retried at once, quietly.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	return ctrls.RequeueOnConflict(r.reconcile(ctx, req))
}

func (r *Reconciler) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) { //nolint:gocyclo // The reconcile loop reads as one sequence of steps, each returning early.
	log := r.log.WithValues("request", req)
	ctx, cancel := context.WithTimeout(ctx, reconcileTimeout)
	defer cancel()

	xr := composite.New(composite.WithGroupVersionKind(r.gvk), composite.WithSchema(r.schema))
	if err := r.client.Get(ctx, req.NamespacedName, xr.GetUnstructured()); err != nil {
		return reconcile.Result{}, errors.Wrap(client.IgnoreNotFound(err), "cannot get composite resource")
	}
	orig := xr.DeepCopy()

	if meta.IsPaused(xr) {
		xr.SetConditions(xpv2.ReconcilePaused().WithMessage("Reconciliation is paused by the crossplane.io/paused annotation."))
		return reconcile.Result{}, r.write(ctx, orig, xr)
	}

	xrd := &v1.CompositeResourceDefinition{}
	if err := r.client.Get(ctx, client.ObjectKey{Name: r.xrdName}, xrd); err != nil {
		return reconcile.Result{}, errors.Wrapf(err, "cannot get CompositeResourceDefinition %s", r.xrdName)
	}

	if meta.WasDeleted(xr) {
		return r.delete(ctx, orig, xr)
	}
	meta.AddFinalizer(xr, finalizer)

	if _, err := selectComposition(ctx, r.client, xrd, xr); err != nil {
		xr.SetConditions(synced(ReasonSelectComposition, "Cannot select a Composition: "+err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}
	rev, _, err := selectRevision(ctx, r.client, xrd, xr)
	if errors.Is(err, errNoRevision) {
		xr.SetConditions(synced(ReasonWaitingRevision, "Waiting for a CompositionRevision of Composition "+xr.GetCompositionReference().Name+"."))
		return reconcile.Result{RequeueAfter: time.Second}, r.write(ctx, orig, xr)
	}
	if err != nil {
		xr.SetConditions(synced(ReasonSelectComposition, "Cannot select a CompositionRevision: "+err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}
	if rev.Spec.CompositeTypeRef.APIVersion != r.gvk.GroupVersion().String() || rev.Spec.CompositeTypeRef.Kind != r.gvk.Kind {
		msg := "Composition " + xr.GetCompositionReference().Name + " composes " + rev.Spec.CompositeTypeRef.Kind + " (" + rev.Spec.CompositeTypeRef.APIVersion + "), not " + r.gvk.Kind + ": choose a Composition for this kind."
		xr.SetConditions(synced(ReasonSelectComposition, msg))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}

	steps, err := Steps(&rev.Spec.CompositionSpec)
	if err != nil {
		xr.SetConditions(synced(ReasonCompose, err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}
	all, err := observe(ctx, r.client, xr)
	if err != nil {
		xr.SetConditions(synced(ReasonCompose, "Cannot observe composed resources: "+err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}
	current, err := r.currentConnectionDetails(ctx, xr)
	if err != nil {
		xr.SetConditions(synced(ReasonPublish, err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}

	// The pipeline observes the existing resources by composition resource
	// name. When it desires a name as another object than the one that
	// exists (a resource of another kind, after a change of Composition),
	// it runs once more without that one, so that it composes the new
	// resource as one that does not exist yet.
	observed := observedFor(all, nil)
	var res *xfn.PipelineResult
	var rendered map[string]*unstructured.Unstructured
	for run := 1; ; run++ {
		res, err = r.pipeline.Run(ctx, xfn.PipelineRequest{
			Composite:                  xr.GetUnstructured(),
			CompositeConnectionDetails: current,
			Observed:                   observed,
			Steps:                      steps,
		})
		if err != nil {
			reason := ReasonCompose
			fe := &xfn.FatalError{}
			if errors.As(err, &fe) {
				reason = ReasonPipelineFatal
			}
			xr.SetConditions(synced(reason, "Cannot compose resources with Composition "+xr.GetCompositionReference().Name+": "+err.Error()))
			r.record.Event(xr, event.Warning(reasonCompose, err))
			return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
		}
		rendered, err = renderAll(r.client, xr, res.Resources, observed)
		if err != nil {
			xr.SetConditions(synced(ReasonCompose, "Cannot render composed resource: "+err.Error()))
			return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
		}
		next := observedFor(all, rendered)
		if run > 1 || sameObserved(observed, next) {
			break
		}
		observed = next
	}
	names := slices.Sorted(maps.Keys(rendered))

	// Record the references before applying, so that a crash after an
	// apply never loses track of what was created.
	if refs := references(xr, rendered); !refsCover(xr.GetResourceReferences(), refs) {
		xr.SetResourceReferences(mergeRefs(xr.GetResourceReferences(), refs))
		if err := r.writeSpec(ctx, orig, xr); err != nil {
			return reconcile.Result{}, err
		}
		orig = xr.DeepCopy()
	}

	var applied []string
	for _, name := range names {
		d := rendered[name]
		if err := r.watcher.WatchComposed(d.GroupVersionKind()); err != nil {
			log.Info("Cannot watch composed resource kind; changes will be seen at the next poll", "kind", d.GroupVersionKind().String(), "error", err)
		}
		var obs *unstructured.Unstructured
		if o, ok := observed[name]; ok && sameObject(d, o.Resource) {
			obs = o.Resource
		}
		did, err := apply(ctx, r.client, d, obs)
		if err != nil {
			xr.SetConditions(synced(ReasonCompose, "Cannot apply composed resource "+strings.TrimSpace(name)+": "+err.Error()))
			r.record.Event(xr, event.Warning(reasonCompose, err))
			return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
		}
		if did {
			applied = append(applied, name)
		}
	}
	if len(applied) > 0 {
		r.record.Event(xr, event.Normal(reasonCompose, "Applied composed resources: "+strings.Join(applied, ", ")))
	}

	left, err := r.deleteStale(ctx, xr, stale(all, rendered))
	if err != nil {
		xr.SetConditions(synced(ReasonCompose, "Cannot compose resources with Composition "+xr.GetCompositionReference().Name+": "+err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}
	// A deleted resource stays referenced until it is gone, so that the
	// XR's own deletion still deletes it should it outlive this run.
	refs := mergeRefs(references(xr, rendered), left)
	sortRefs(refs)
	xr.SetResourceReferences(refs)

	if err := r.publish(ctx, xrd, xr, res.CompositeConnectionDetails); err != nil {
		xr.SetConditions(synced(ReasonPublish, "Cannot publish connection details: "+err.Error()))
		return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
	}

	setStatus(xr, res.Composite)
	if err := setFunctionConditions(xr, res.Conditions); err != nil {
		log.Info("Cannot record claim condition types", "error", err)
	}
	for _, sr := range res.Results {
		if sr.Result.GetSeverity() == fnv1.Severity_SEVERITY_WARNING {
			r.record.Event(xr, event.Warning(reasonResult, errors.Errorf("pipeline step %q: %s", sr.Step, sr.Result.GetMessage())))
		}
	}

	xr.SetConditions(xpv2.ReconcileSuccess())
	if u := unready(res.Resources, rendered, observed); len(u) > 0 {
		xr.SetConditions(xpv2.Creating().WithMessage("Unready resources: " + strings.Join(u, ", ")))
	} else {
		xr.SetConditions(xpv2.Available())
	}

	after := r.poll
	if res.TTL > 0 && res.TTL < after {
		after = res.TTL
	}
	if len(left) > 0 && retryAfter < after {
		// Check soon whether the deleted resources are gone.
		after = retryAfter
	}
	return reconcile.Result{RequeueAfter: after}, r.write(ctx, orig, xr)
}

// renderAll renders the desired composed resources, by composition resource
// name, in the order of their names so that the first error is always the
// same.
func renderAll(c client.Client, xr *composite.Unstructured, desired map[string]xfn.DesiredResource, observed map[string]xfn.ObservedResource) (map[string]*unstructured.Unstructured, error) {
	rendered := make(map[string]*unstructured.Unstructured, len(desired))
	for _, name := range slices.Sorted(maps.Keys(desired)) {
		d := desired[name].Resource
		var obs *unstructured.Unstructured
		if o, ok := observed[name]; ok {
			obs = o.Resource
		}
		if err := render(c, xr, name, d, obs); err != nil {
			return nil, err
		}
		rendered[name] = d
	}
	return rendered, nil
}

// deleteStale deletes composed resources that exist but are not desired, and
// returns the references of those that still exist: a resource with
// finalizers outlives its deletion for a while, and a deletion is seen by
// the next run. Resources controlled by another object are not this XR's to
// delete; they are forgotten.
func (r *Reconciler) deleteStale(ctx context.Context, xr *composite.Unstructured, stale []existing) ([]corev1.ObjectReference, error) {
	left := make([]corev1.ObjectReference, 0, len(stale))
	deleted := make([]string, 0, len(stale))
	defer func() {
		if len(deleted) > 0 {
			r.record.Event(xr, event.Normal(reasonDelete, "Deleted composed resources that left the desired state: "+strings.Join(deleted, ", ")))
		}
	}()
	for _, e := range stale {
		u := e.observed.Resource
		if c := metav1.GetControllerOf(u); c != nil && c.UID != xr.GetUID() {
			continue
		}
		if err := r.watcher.WatchComposed(u.GroupVersionKind()); err != nil {
			r.log.Info("Cannot watch composed resource kind; its deletion will be seen at the next poll", "kind", u.GroupVersionKind().String(), "error", err)
		}
		if u.GetDeletionTimestamp() == nil {
			// Background propagation: foreground deletion waits on the
			// garbage collector, which a bare control plane (the local
			// one) does not run. Composed resources with dependents carry
			// their own finalizers.
			err := r.client.Delete(ctx, u, client.PropagationPolicy(metav1.DeletePropagationBackground))
			if kerrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, errors.Wrapf(err, "cannot delete composed resource %s that left the desired state", e.describe())
			}
			deleted = append(deleted, e.describe())
		}
		left = append(left, e.ref)
	}
	return left, nil
}

// Steps returns the pipeline that composes with spec: its own pipeline in
// Pipeline mode, or one step of the built-in patch-and-transform function
// with the Composition's resources as input in Resources mode.
func Steps(spec *v1.CompositionSpec) ([]xpextv1.PipelineStep, error) {
	switch spec.GetMode() {
	case v1.CompositionModePipeline:
		if len(spec.Pipeline) == 0 {
			return nil, errors.New("the Composition is in Pipeline mode but has no spec.pipeline steps")
		}
		b, err := json.Marshal(spec.Pipeline)
		if err != nil {
			return nil, errors.Wrap(err, "cannot encode the Composition's pipeline")
		}
		var steps []xpextv1.PipelineStep
		return steps, errors.Wrap(json.Unmarshal(b, &steps), "cannot decode the Composition's pipeline")
	case v1.CompositionModeResources:
		in := &ptv1beta1.Resources{Resources: spec.Resources, PatchSets: spec.PatchSets}
		in.SetGroupVersionKind(ptv1beta1.SchemeGroupVersion.WithKind("Resources"))
		b, err := json.Marshal(in)
		if err != nil {
			return nil, errors.Wrap(err, "cannot encode the Composition's resources")
		}
		return []xpextv1.PipelineStep{{
			Step:        "resources",
			FunctionRef: xpextv1.FunctionReference{Name: xfn.FunctionPatchAndTransform},
			Input:       &runtime.RawExtension{Raw: b},
		}}, nil
	}
	return nil, errors.Errorf("unknown Composition mode %q: use Resources or Pipeline", spec.GetMode())
}

// delete deletes the composed resources of a deleting XR and, once they are
// gone, its connection Secret and finalizer.
func (r *Reconciler) delete(ctx context.Context, orig, xr *composite.Unstructured) (reconcile.Result, error) {
	if !meta.FinalizerExists(xr, finalizer) {
		return reconcile.Result{}, nil
	}
	xr.SetConditions(xpv2.Deleting())
	remaining := 0
	for _, ref := range xr.GetResourceReferences() {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(ref.APIVersion)
		u.SetKind(ref.Kind)
		err := r.client.Get(ctx, refKey(xr, ref), u)
		if kerrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return reconcile.Result{}, errors.Wrapf(err, "cannot get composed resource %s %s", ref.Kind, ref.Name)
		}
		remaining++
		if u.GetDeletionTimestamp() != nil {
			continue
		}
		if err := r.client.Delete(ctx, u, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
			xr.SetConditions(xpv2.ReconcileError(errors.Wrapf(err, "cannot delete composed resource %s %s", ref.Kind, ref.Name)))
			return reconcile.Result{RequeueAfter: retryAfter}, r.write(ctx, orig, xr)
		}
	}
	if remaining > 0 {
		return reconcile.Result{RequeueAfter: waitDeleted}, r.write(ctx, orig, xr)
	}
	if ref := xr.GetWriteConnectionSecretToReference(); ref != nil && ref.Name != "" {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}}
		if err := r.client.Delete(ctx, s); client.IgnoreNotFound(err) != nil {
			return reconcile.Result{}, errors.Wrap(err, "cannot delete connection Secret")
		}
	}
	meta.RemoveFinalizer(xr, finalizer)
	return reconcile.Result{}, errors.Wrap(ignoreGone(r.client.Update(ctx, xr.GetUnstructured())), "cannot remove finalizer")
}

// currentConnectionDetails reads the XR's connection Secret, if it has one.
func (r *Reconciler) currentConnectionDetails(ctx context.Context, xr *composite.Unstructured) (map[string][]byte, error) {
	ref := xr.GetWriteConnectionSecretToReference()
	if ref == nil || ref.Name == "" {
		return nil, nil
	}
	s := &corev1.Secret{}
	err := r.client.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, s)
	if kerrors.IsNotFound(err) {
		return nil, nil
	}
	return s.Data, errors.Wrapf(err, "cannot get connection Secret %s/%s", ref.Namespace, ref.Name)
}

// publish writes the XR's connection details, filtered by the XRD's
// connectionSecretKeys, to its connection Secret when they changed.
func (r *Reconciler) publish(ctx context.Context, xrd *v1.CompositeResourceDefinition, xr *composite.Unstructured, cd map[string][]byte) error {
	ref := xr.GetWriteConnectionSecretToReference()
	if ref == nil || ref.Name == "" {
		return nil
	}
	data := map[string][]byte{}
	keys := xrd.Spec.ConnectionSecretKeys
	for k, v := range cd {
		if len(keys) == 0 || slices.Contains(keys, k) {
			data[k] = v
		}
	}
	s := &corev1.Secret{}
	err := r.client.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, s)
	switch {
	case kerrors.IsNotFound(err):
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name, OwnerReferences: []metav1.OwnerReference{ownerRef(xr)}},
			Type:       "connection.crossplane.io/v1alpha1",
			Data:       data,
		}
		if err := r.client.Create(ctx, s); err != nil {
			return errors.Wrapf(err, "cannot create Secret %s/%s", ref.Namespace, ref.Name)
		}
	case err != nil:
		return errors.Wrapf(err, "cannot get Secret %s/%s", ref.Namespace, ref.Name)
	case !controlledBy(s, xr):
		return errors.Errorf("Secret %s/%s exists and is not this composite resource's: choose another name in writeConnectionSecretToRef", ref.Namespace, ref.Name)
	case !bytesMapEqual(s.Data, data):
		s.Data = data
		if err := r.client.Update(ctx, s); err != nil {
			return errors.Wrapf(err, "cannot update Secret %s/%s", ref.Namespace, ref.Name)
		}
	default:
		return nil
	}
	now := metav1.Now()
	xr.SetConnectionDetailsLastPublishedTime(&now)
	return nil
}

// write persists what the reconcile changed: metadata and spec first, then
// status. It writes nothing when nothing changed.
func (r *Reconciler) write(ctx context.Context, orig, xr *composite.Unstructured) error {
	if err := r.writeSpec(ctx, orig, xr); err != nil {
		return err
	}
	if reflect.DeepEqual(orig.Object["status"], xr.Object["status"]) {
		return nil
	}
	return errors.Wrap(ignoreGone(r.client.Status().Update(ctx, xr.GetUnstructured())), "cannot update composite resource status")
}

// writeSpec updates the XR's metadata and spec when they changed, keeping
// the status it was given.
func (r *Reconciler) writeSpec(ctx context.Context, orig, xr *composite.Unstructured) error {
	if reflect.DeepEqual(orig.Object["spec"], xr.Object["spec"]) && reflect.DeepEqual(orig.GetFinalizers(), xr.GetFinalizers()) {
		return nil
	}
	status := xr.Object["status"]
	if err := r.client.Update(ctx, xr.GetUnstructured()); err != nil {
		return errors.Wrap(ignoreGone(err), "cannot update composite resource")
	}
	if status != nil {
		xr.Object["status"] = status
	} else {
		delete(xr.Object, "status")
	}
	return nil
}

// ignoreGone ignores the error of a write to an object that is gone.
func ignoreGone(err error) error {
	if kerrors.IsNotFound(err) {
		return nil
	}
	return err
}

func synced(reason xpv2.ConditionReason, msg string) xpv2.Condition {
	return xpv2.Condition{Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: reason, Message: msg, LastTransitionTime: metav1.Now()}
}

// setStatus copies the status fields the pipeline set on the desired XR,
// apart from the machinery Stratus itself owns.
func setStatus(xr *composite.Unstructured, desired *unstructured.Unstructured) {
	if desired == nil {
		return
	}
	ds, ok := desired.Object["status"].(map[string]any)
	if !ok {
		return
	}
	st, _ := xr.Object["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
	}
	for k, v := range ds {
		switch k {
		case "conditions", "claimConditionTypes", "connectionDetails", "observedGeneration", "crossplane":
			continue
		}
		st[k] = v
	}
	xr.Object["status"] = st
}

// setFunctionConditions sets the conditions functions returned, and records
// which of them the claim should also show.
func setFunctionConditions(xr *composite.Unstructured, conds []*fnv1.Condition) error {
	var claimTypes []xpv2.ConditionType
	for _, c := range conds {
		ct := xpv2.ConditionType(c.GetType())
		if xpextv1.IsSystemConditionType(ct) {
			// Ready, Synced, Healthy and the like are Stratus's to set.
			continue
		}
		status := corev1.ConditionUnknown
		switch c.GetStatus() {
		case fnv1.Status_STATUS_CONDITION_TRUE:
			status = corev1.ConditionTrue
		case fnv1.Status_STATUS_CONDITION_FALSE:
			status = corev1.ConditionFalse
		case fnv1.Status_STATUS_CONDITION_UNKNOWN, fnv1.Status_STATUS_CONDITION_UNSPECIFIED:
		}
		xr.SetConditions(xpv2.Condition{Type: ct, Status: status, Reason: xpv2.ConditionReason(c.GetReason()), Message: c.GetMessage(), LastTransitionTime: metav1.Now()})
		if c.GetTarget() == fnv1.Target_TARGET_COMPOSITE_AND_CLAIM {
			claimTypes = append(claimTypes, ct)
		}
	}
	if len(claimTypes) == 0 {
		return nil
	}
	return xr.SetClaimConditionTypes(claimTypes...)
}

func ownerRef(xr *composite.Unstructured) metav1.OwnerReference {
	gvk := xr.GetObjectKind().GroupVersionKind()
	t := true
	return metav1.OwnerReference{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: xr.GetName(), UID: xr.GetUID(), Controller: &t}
}

// controlledBy reports whether o's controller is xr.
func controlledBy(o metav1.Object, xr *composite.Unstructured) bool {
	c := metav1.GetControllerOf(o)
	return c != nil && c.UID == xr.GetUID()
}

func bytesMapEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || string(v) != string(w) {
			return false
		}
	}
	return true
}

// refsCover reports whether have already lists every reference in want.
func refsCover(have, want []corev1.ObjectReference) bool {
	set := map[corev1.ObjectReference]bool{}
	for _, r := range have {
		set[corev1.ObjectReference{APIVersion: r.APIVersion, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}] = true
	}
	for _, r := range want {
		if !set[r] {
			return false
		}
	}
	return true
}

// mergeRefs returns have plus the references of want it lacks.
func mergeRefs(have, want []corev1.ObjectReference) []corev1.ObjectReference {
	out := append([]corev1.ObjectReference{}, have...)
	for _, r := range want {
		if !refsCover(out, []corev1.ObjectReference{r}) {
			out = append(out, r)
		}
	}
	return out
}
