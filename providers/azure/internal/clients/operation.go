package clients

import (
	"context"
	"encoding/json"
	stderrors "errors"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// AnnotationOperation records the long-running Azure operation the provider
// started on a managed resource and has not yet seen finish: what it does
// and the SDK's resume token for it. A reconcile never waits for an
// operation: it starts it, records it, and each later reconcile polls it
// once, until it is done. The token holds the operation's status URL, not
// the request: no secret is in it.
const AnnotationOperation = "azure.stratus.dev/operation"

// What an operation does.
const (
	VerbCreate = "create"
	VerbUpdate = "update"
	VerbDelete = "delete"
)

// An Operation is a long-running operation recorded on a managed resource.
type Operation struct {
	// Verb says what the operation does: create, update or delete.
	Verb string `json:"verb"`

	// Token is the SDK's resume token.
	Token string `json:"token"`

	// Commit are annotations to set on the resource once the operation
	// has succeeded, e.g. the hash of a password it sets.
	Commit map[string]string `json:"commit,omitempty"`
}

// GetOperation returns the operation recorded on o, or nil when there is
// none (or the record is not one this provider wrote).
func GetOperation(o metav1.Object) *Operation {
	v, ok := o.GetAnnotations()[AnnotationOperation]
	if !ok {
		return nil
	}
	op := &Operation{}
	if err := json.Unmarshal([]byte(v), op); err != nil || op.Token == "" {
		return nil
	}
	return op
}

// setOperation records op on o, or removes the record when op is nil.
func setOperation(o metav1.Object, op *Operation) {
	if op == nil {
		meta.RemoveAnnotations(o, AnnotationOperation)
		return
	}
	b, _ := json.Marshal(op) //nolint:errchkjson // An Operation always encodes.
	meta.AddAnnotations(o, map[string]string{AnnotationOperation: string(b)})
}

// A Poller is a long-running operation: an SDK runtime.Poller of any result
// type, through AsPoller.
type Poller interface {
	// Poll asks Azure once how the operation is doing.
	Poll(ctx context.Context) (*http.Response, error)

	// Done reports whether the operation has ended.
	Done() bool

	// ResumeToken returns a token another Poller can resume the
	// operation from.
	ResumeToken() (string, error)

	// Err returns the operation's error once it is done: nil when it
	// succeeded.
	Err(ctx context.Context) error
}

type poller[T any] struct{ *runtime.Poller[T] }

func (p poller[T]) Err(ctx context.Context) error {
	_, err := p.Result(ctx)
	return err
}

// AsPoller adapts what an SDK Begin method returns.
func AsPoller[T any](p *runtime.Poller[T], err error) (Poller, error) {
	if err != nil {
		return nil, err
	}
	return poller[T]{Poller: p}, nil
}

// A ResumeFn resumes the operation op describes, without sending a request.
type ResumeFn func(ctx context.Context, op Operation) (Poller, error)

// Operations record and check the long-running operations of managed
// resources.
type Operations struct {
	kube client.Client
}

// NewOperations returns Operations that record operations through kube.
func NewOperations(kube client.Client) *Operations {
	return &Operations{kube: kube}
}

// Start records the operation p that verb began on cr, in memory only: the
// managed reconciler persists the whole resource after Create. The record
// replaces any before it (a deletion supersedes a create in progress). An
// operation that ended at once (a PUT that changed nothing) is not
// recorded; its error, if any, is returned and its commit annotations are
// set.
func (o *Operations) Start(ctx context.Context, cr client.Object, verb string, p Poller, commit map[string]string) error {
	if p.Done() {
		if err := p.Err(ctx); err != nil {
			return err
		}
		// It supersedes any operation recorded before.
		setOperation(cr, nil)
		meta.AddAnnotations(cr, commit)
		return nil
	}
	tk, err := p.ResumeToken()
	if err != nil {
		return errors.Wrap(err, "cannot get the resume token of the operation")
	}
	setOperation(cr, &Operation{Verb: verb, Token: tk, Commit: commit})
	return nil
}

// Record is Start followed by writing the record (or the commit
// annotations of an operation that ended at once) to the API server, for
// operations begun where the managed reconciler does not persist the
// resource (Update, Delete).
func (o *Operations) Record(ctx context.Context, cr client.Object, verb string, p Poller, commit map[string]string) error {
	if err := o.Start(ctx, cr, verb, p, commit); err != nil {
		return err
	}
	if GetOperation(cr) != nil {
		// The commit waits in the record.
		return o.persist(ctx, cr)
	}
	return o.persist(ctx, cr, slices.Collect(maps.Keys(commit))...)
}

// Check polls the operation recorded on cr once. It returns the operation
// while it is in progress, and nil once it is done (or when there is
// none), having removed the record (and, when it succeeded, set its commit
// annotations) in the API server. A failed operation's error is returned
// after its record is removed, so that the next reconcile starts afresh
// from what Azure shows.
func (o *Operations) Check(ctx context.Context, cr client.Object, resume ResumeFn) (*Operation, error) {
	op := GetOperation(cr)
	if op == nil {
		return nil, nil
	}
	p, err := resume(ctx, *op)
	if err != nil {
		// A token this SDK cannot read: forget it, Azure's view of the
		// resource is what counts.
		return nil, o.finish(ctx, cr, nil)
	}
	resp, err := p.Poll(ctx)
	if resp != nil {
		// The poller has read what it needs; the body is a buffer.
		_ = resp.Body.Close()
	}
	if err != nil {
		var re *azcore.ResponseError
		switch {
		case IsNotFound(err):
			// Azure forgot the operation (it keeps finished ones for a
			// while only).
			return nil, o.finish(ctx, cr, nil)
		case stderrors.As(err, &re) && failedStatus(re.StatusCode):
			// A Location poll answers with the error of the operation
			// that failed.
			if err := o.finish(ctx, cr, nil); err != nil {
				return nil, err
			}
			return nil, Wrap(err, "the "+op.Verb+" operation failed")
		}
		return nil, Wrap(err, "cannot poll the "+op.Verb+" operation")
	}
	if !p.Done() {
		return op, nil
	}
	opErr := p.Err(ctx)
	var re *azcore.ResponseError
	if opErr != nil && !stderrors.As(opErr, &re) {
		// The result could not be read (the connection failed): the
		// operation is still worth polling.
		return nil, Wrap(opErr, "cannot read the result of the "+op.Verb+" operation")
	}
	commit := op.Commit
	if opErr != nil {
		commit = nil
	}
	if err := o.finish(ctx, cr, commit); err != nil {
		return nil, err
	}
	return nil, Wrap(opErr, "the "+op.Verb+" operation failed")
}

// failedStatus reports whether a poll's HTTP status says the operation
// failed, rather than that the poll should be retried (408, 429, 5xx).
func failedStatus(code int) bool {
	return code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests
}

// finish removes the operation record of cr and sets commit, in the API
// server.
func (o *Operations) finish(ctx context.Context, cr client.Object, commit map[string]string) error {
	setOperation(cr, nil)
	meta.AddAnnotations(cr, commit)
	return o.persist(ctx, cr, slices.Collect(maps.Keys(commit))...)
}

// persist writes cr's operation record and its annotations keys to the API
// server, leaving every other annotation as the server has it. It patches a
// copy, so that cr keeps the status this reconcile observed, and takes on
// the new resourceVersion, so that the reconcile's status update still
// applies.
func (o *Operations) persist(ctx context.Context, cr client.Object, keys ...string) error {
	a := map[string]any{}
	for _, k := range append(keys, AnnotationOperation) {
		a[k] = nil
		if v, ok := cr.GetAnnotations()[k]; ok {
			a[k] = v
		}
	}
	b, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": a}})
	if err != nil {
		return errors.Wrap(err, "cannot encode annotations")
	}
	stored, ok := cr.DeepCopyObject().(client.Object)
	if !ok {
		return errors.Errorf("%T is not a client.Object", cr)
	}
	err = o.kube.Patch(ctx, stored, client.RawPatch(types.MergePatchType, b))
	if kerrors.IsNotFound(err) {
		// The resource is gone (this reconcile read it from a cache that
		// is behind): there is nothing to record, and the reconcile must
		// go on to remove what the resource left, such as its usage.
		return nil
	}
	if err != nil {
		return errors.Wrap(err, "cannot record the state of the long-running operation")
	}
	cr.SetResourceVersion(stored.GetResourceVersion())
	return nil
}

// busyPollInterval is how soon a resource with an operation in progress is
// observed again, when the poll interval is longer: Azure's operations take
// seconds to minutes, and a resource should not wait a whole poll interval
// to become Ready.
const busyPollInterval = 5 * time.Second

// PollInterval is a managed.PollIntervalHook: resources with an operation
// in progress are polled every busyPollInterval at least, others every
// pollInterval.
func PollInterval(mg resource.Managed, pollInterval time.Duration) time.Duration {
	if GetOperation(mg) != nil && pollInterval > busyPollInterval {
		return busyPollInterval
	}
	return pollInterval
}
