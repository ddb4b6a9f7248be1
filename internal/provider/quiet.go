package provider

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A quietStatusClient skips status updates that would change nothing.
//
// crossplane-runtime's managed reconciler ends every reconcile, including
// each poll of an unchanged resource, with a status update. The API server
// does not store an identical object, but it still serves the request; with
// hundreds of resources polled every minute that is steady, useless load.
// The client compares the status to be written with the status of the
// object as the reconcile read it (same resourceVersion, from the cache) and
// writes only when they differ.
type quietStatusClient struct {
	client.Client
}

// Status returns a status writer that skips no-op updates.
func (c *quietStatusClient) Status() client.SubResourceWriter {
	return &quietStatusWriter{SubResourceWriter: c.Client.Status(), reader: c.Client}
}

type quietStatusWriter struct {
	client.SubResourceWriter

	reader client.Reader
}

// Update writes the status of obj unless the stored object at the same
// resourceVersion already has that status.
func (w *quietStatusWriter) Update(ctx context.Context, obj client.Object, opts ...client.SubResourceUpdateOption) error {
	unchanged, err := statusUnchanged(ctx, w.reader, obj)
	if err == nil && unchanged {
		return nil
	}
	return w.SubResourceWriter.Update(ctx, obj, opts...)
}

// statusUnchanged reports whether the object r holds for obj has the same
// resourceVersion and status as obj.
func statusUnchanged(ctx context.Context, r client.Reader, obj client.Object) (bool, error) {
	current, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return false, errors.Errorf("%T is not a client.Object", obj)
	}
	if err := r.Get(ctx, client.ObjectKeyFromObject(obj), current); err != nil {
		return false, errors.Wrap(err, "cannot get current object")
	}
	if current.GetResourceVersion() != obj.GetResourceVersion() {
		return false, nil
	}
	want, err := statusOf(obj)
	if err != nil {
		return false, err
	}
	have, err := statusOf(current)
	if err != nil {
		return false, err
	}
	return equality.Semantic.DeepEqual(want, have), nil
}

func statusOf(obj runtime.Object) (any, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, errors.Wrap(err, "cannot convert object to unstructured")
	}
	return u["status"], nil
}
