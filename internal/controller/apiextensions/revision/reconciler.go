// Package revision keeps an immutable CompositionRevision for every distinct
// spec a Composition has had. Composite resources compose from revisions, so
// that a change to a Composition rolls out only to those whose update policy
// is Automatic.
package revision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"time"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	xpcontroller "github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	ctrls "github.com/stratus-dev/stratus/internal/controller"
)

const (
	finalizer        = "revision.apiextensions.crossplane.io"
	reconcileTimeout = 30 * time.Second

	reasonRevise event.Reason = "CreateRevision"

	// requeueExists is how soon a Composition whose revision existed
	// before this controller's cache saw it is looked at again.
	requeueExists = time.Second
)

// Hash returns a short hash of a Composition's spec, the same for equal
// specs.
func Hash(spec *v1.CompositionSpec) (string, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return "", errors.Wrap(err, "cannot hash Composition spec")
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:7], nil
}

// A Reconciler creates CompositionRevisions.
type Reconciler struct {
	client client.Client
	log    logging.Logger
	record event.Recorder
}

// Reconcile a Composition. A write that lost a race with another writer
// (or with this controller's own stale cache) is retried at once, quietly.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	return ctrls.RequeueOnConflict(r.reconcile(ctx, req))
}

func (r *Reconciler) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, reconcileTimeout)
	defer cancel()

	comp := &v1.Composition{}
	if err := r.client.Get(ctx, req.NamespacedName, comp); err != nil {
		return reconcile.Result{}, errors.Wrap(client.IgnoreNotFound(err), "cannot get Composition")
	}
	l := &v1.CompositionRevisionList{}
	if err := r.client.List(ctx, l, client.MatchingLabels{v1.LabelCompositionName: comp.Name}); err != nil {
		return reconcile.Result{}, errors.Wrap(err, "cannot list CompositionRevisions")
	}

	if meta.WasDeleted(comp) {
		return reconcile.Result{}, r.delete(ctx, comp, l)
	}
	if !meta.FinalizerExists(comp, finalizer) {
		meta.AddFinalizer(comp, finalizer)
		if err := r.client.Update(ctx, comp); err != nil {
			return reconcile.Result{}, errors.Wrap(err, "cannot add finalizer")
		}
	}

	hash, err := Hash(&comp.Spec)
	if err != nil {
		return reconcile.Result{}, err
	}
	var newest int64
	var match *v1.CompositionRevision
	for i := range l.Items {
		rev := &l.Items[i]
		if rev.Spec.Revision > newest {
			newest = rev.Spec.Revision
		}
		if rev.Labels[v1.LabelCompositionHash] == hash {
			match = rev
		}
	}
	switch {
	case match != nil && match.Spec.Revision == newest:
		return reconcile.Result{}, nil
	case match != nil:
		// The Composition went back to an earlier spec: that revision
		// becomes the newest again.
		match.Spec.Revision = newest + 1
		return reconcile.Result{}, errors.Wrap(r.client.Update(ctx, match), "cannot update CompositionRevision")
	}

	rev := &v1.CompositionRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:   comp.Name + "-" + hash,
			Labels: map[string]string{v1.LabelCompositionName: comp.Name, v1.LabelCompositionHash: hash},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: v1.SchemeGroupVersion.String(), Kind: "Composition", Name: comp.Name, UID: comp.UID,
				Controller: new(true), BlockOwnerDeletion: new(true),
			}},
		},
		Spec: v1.CompositionRevisionSpec{CompositionSpec: *comp.Spec.DeepCopy(), Revision: newest + 1},
	}
	// The revision carries the Composition's labels, so that revision
	// selectors match what composition selectors match.
	maps.Copy(rev.Labels, comp.Labels)
	rev.Labels[v1.LabelCompositionName] = comp.Name
	rev.Labels[v1.LabelCompositionHash] = hash
	err = r.client.Create(ctx, rev)
	if kerrors.IsAlreadyExists(err) {
		return r.exists(ctx, comp, rev)
	}
	if err != nil {
		return reconcile.Result{}, errors.Wrapf(err, "cannot create CompositionRevision %s", rev.Name)
	}
	r.record.Event(comp, event.Normal(reasonRevise, "Created CompositionRevision "+rev.Name))
	r.log.Debug("Created CompositionRevision", "composition", comp.Name, "revision", rev.Spec.Revision)
	return reconcile.Result{}, nil
}

// exists handles a revision that could not be created because one of its
// name exists. The name holds the hash of the spec, so that is normally the
// very revision wanted, created by an earlier reconcile that the cache this
// one listed from has not seen yet: nothing is wrong, and the next reconcile
// sees it (and renumbers it if it is not the newest). A revision of that
// name that belongs to another Composition is an error.
func (r *Reconciler) exists(ctx context.Context, comp *v1.Composition, want *v1.CompositionRevision) (reconcile.Result, error) {
	got := &v1.CompositionRevision{}
	err := r.client.Get(ctx, client.ObjectKeyFromObject(want), got)
	if client.IgnoreNotFound(err) != nil {
		return reconcile.Result{}, errors.Wrapf(err, "cannot get CompositionRevision %s", want.Name)
	}
	if err == nil && (got.Labels[v1.LabelCompositionName] != comp.Name || got.Labels[v1.LabelCompositionHash] != want.Labels[v1.LabelCompositionHash]) {
		return reconcile.Result{}, errors.Errorf("cannot create CompositionRevision %s: one of that name exists and is not a revision of Composition %s with hash %s", want.Name, comp.Name, want.Labels[v1.LabelCompositionHash])
	}
	r.log.Debug("CompositionRevision exists already", "composition", comp.Name, "revision", want.Name)
	return reconcile.Result{RequeueAfter: requeueExists}, nil
}

// delete deletes a deleting Composition's revisions, since nothing
// garbage-collects on a bare control plane, and releases the Composition.
func (r *Reconciler) delete(ctx context.Context, comp *v1.Composition, l *v1.CompositionRevisionList) error {
	for i := range l.Items {
		if err := r.client.Delete(ctx, &l.Items[i]); client.IgnoreNotFound(err) != nil {
			return errors.Wrapf(err, "cannot delete CompositionRevision %s", l.Items[i].Name)
		}
	}
	meta.RemoveFinalizer(comp, finalizer)
	return errors.Wrap(client.IgnoreNotFound(r.client.Update(ctx, comp)), "cannot remove finalizer")
}

// Setup adds the revision controller to mgr.
func Setup(mgr ctrl.Manager, o xpcontroller.Options) error {
	r := &Reconciler{
		client: mgr.GetClient(),
		log:    o.Logger.WithValues("controller", "revision"),
		record: ctrls.EventRecorder(mgr, "revision"),
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("revision").
		For(&v1.Composition{}).
		Owns(&v1.CompositionRevision{}).
		WithOptions(ctrls.Options(o)).
		Complete(r)
}
