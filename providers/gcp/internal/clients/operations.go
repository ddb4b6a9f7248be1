package clients

import (
	"context"
	"maps"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// AnnotationOperation records the long-running operation that a managed
// resource's last create, update or delete started, until an observe sees
// it done. While it runs the resource is not changed again; when it fails,
// its error surfaces on the Synced condition.
const AnnotationOperation = "gcp.stratus.dev/operation"

// pendingPoll is how often a resource with a recorded operation is
// observed, at most.
const pendingPoll = 5 * time.Second

// errNotAnOperation says that a recorded reference names no operation of
// the API asked (it was edited, or copied from another kind): it is
// forgotten, as an operation the API no longer knows is.
var errNotAnOperation = errors.New("not an operation of this API")

// An Operation is a long-running operation that a mutation started.
type Operation struct {
	// Ref names the operation for GetOperation.
	Ref string
	// Type is what the operation does, e.g. insert, stop or CREATE_USER.
	Type string
	// Done reports whether the operation has finished.
	Done bool
	// Error is what a finished operation failed with; empty if it
	// succeeded or still runs.
	Error string
}

// Err returns the error of a failed operation, or nil.
func (o *Operation) Err() error {
	if o == nil || !o.Done || o.Error == "" {
		return nil
	}
	return errors.Errorf("%s operation failed: %s", o.Type, o.Error)
}

// An OperationGetter returns the operation a reference names.
type OperationGetter interface {
	GetOperation(ctx context.Context, ref string) (*Operation, error)
}

// PendingOperation returns the operation recorded on mg, or "".
func PendingOperation(mg client.Object) string {
	return mg.GetAnnotations()[AnnotationOperation]
}

// SetPendingOperation records op on mg, in memory: the managed reconciler
// saves the annotations Create sets. Update and Delete use
// RecordOperation instead.
func SetPendingOperation(mg client.Object, op *Operation) {
	if op == nil || op.Done {
		return
	}
	meta.AddAnnotations(mg, map[string]string{AnnotationOperation: op.Ref})
}

// RecordOperation records op on mg in the API server, with the annotations
// set, unless it is done already: an operation that failed at once returns
// its error instead.
func RecordOperation(ctx context.Context, kube client.Client, mg client.Object, op *Operation, set map[string]string) error {
	if err := op.Err(); err != nil {
		return err
	}
	if op == nil || op.Done {
		if len(set) == 0 {
			return nil
		}
		return PatchAnnotations(ctx, kube, mg, set)
	}
	a := map[string]string{AnnotationOperation: op.Ref}
	maps.Copy(a, set)
	return PatchAnnotations(ctx, kube, mg, a)
}

// A SettleFn returns the annotations to set and remove on a resource once
// its operation is done; failed says whether it failed.
type SettleFn func(failed bool) (set map[string]string, remove []string)

// SettleOperation checks the operation recorded on mg. It returns the
// operation while it runs. Once it is done (or the API no longer knows it)
// it removes the record from mg in the API server, with the changes settle
// asks for, and returns nil, or the operation's error if it failed.
func SettleOperation(ctx context.Context, kube client.Client, api OperationGetter, mg client.Object, settle SettleFn) (*Operation, error) {
	ref := PendingOperation(mg)
	if ref == "" {
		return nil, nil
	}
	op, err := api.GetOperation(ctx, ref)
	if err != nil && !IsNotFound(err) && !errors.Is(err, errNotAnOperation) {
		return nil, Wrap(err, "cannot get operation "+ref)
	}
	if op != nil && !op.Done {
		return op, nil
	}
	failed := op.Err() != nil
	var set map[string]string
	remove := []string{AnnotationOperation}
	if settle != nil {
		s, r := settle(failed)
		set, remove = s, append(remove, r...)
	}
	if err := PatchAnnotations(ctx, kube, mg, set, remove...); err != nil {
		return nil, err
	}
	return nil, op.Err()
}

// PatchAnnotations sets and removes annotations of mg in the API server.
// It patches a copy, so that mg keeps whatever else this reconcile changed
// (its status), and takes on the new resourceVersion, so that the
// reconcile's later writes still apply.
func PatchAnnotations(ctx context.Context, kube client.Client, mg client.Object, set map[string]string, remove ...string) error {
	orig, ok := mg.DeepCopyObject().(client.Object)
	if !ok {
		return errors.Errorf("cannot copy %T", mg)
	}
	p, _ := mg.DeepCopyObject().(client.Object)
	meta.AddAnnotations(p, set)
	meta.RemoveAnnotations(p, remove...)
	if err := kube.Patch(ctx, p, client.MergeFrom(orig)); err != nil {
		// A resource that is gone (read from a cache that has not seen it
		// go) has nothing to record.
		return errors.Wrap(resource.IgnoreNotFound(err), "cannot record operation annotations")
	}
	meta.AddAnnotations(mg, set)
	meta.RemoveAnnotations(mg, remove...)
	mg.SetResourceVersion(p.GetResourceVersion())
	return nil
}

// PollIntervalHook observes a resource that has an operation recorded at
// least every five seconds, so that the end of a create or update is seen
// soon after it happens, and every other resource at the poll interval.
func PollIntervalHook(mg resource.Managed, interval time.Duration) time.Duration {
	if PendingOperation(mg) != "" && interval > pendingPoll {
		return pendingPoll
	}
	return interval
}
