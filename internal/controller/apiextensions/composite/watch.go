package composite

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
)

// EnqueueForComposite returns an event handler that maps a composed resource
// to the composite resource of kind xr that controls it. Namespaced composite
// resources control only resources in their own namespace.
func EnqueueForComposite(xr schema.GroupVersionKind, namespaced bool) handler.EventHandler {
	apiVersion := xr.GroupVersion().String()
	return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		for _, ref := range o.GetOwnerReferences() {
			if ref.Controller == nil || !*ref.Controller || ref.APIVersion != apiVersion || ref.Kind != xr.Kind {
				continue
			}
			nn := types.NamespacedName{Name: ref.Name}
			if namespaced {
				nn.Namespace = o.GetNamespace()
			}
			return []reconcile.Request{{NamespacedName: nn}}
		}
		return nil
	})
}

// EnqueueForRevision returns an event handler that maps a new or changed
// CompositionRevision to the composite resources of kind xr that use its
// Composition, so that those following the newest revision move at once.
func EnqueueForRevision(c client.Reader, xr schema.GroupVersionKind, s composite.Schema) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		comp := o.GetLabels()[v1.LabelCompositionName]
		if comp == "" {
			return nil
		}
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(xr.GroupVersion().WithKind(xr.Kind + "List"))
		if err := c.List(ctx, l); err != nil {
			return nil
		}
		var out []reconcile.Request
		for i := range l.Items {
			x := &composite.Unstructured{Unstructured: l.Items[i], Schema: s}
			if ref := x.GetCompositionReference(); ref != nil && ref.Name == comp {
				out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: x.GetNamespace(), Name: x.GetName()}})
			}
		}
		return out
	})
}
