package composite

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
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
