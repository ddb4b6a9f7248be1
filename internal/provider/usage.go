package provider

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/feature"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/providerconfig"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	ctrls "github.com/stratus-dev/stratus/internal/controller"
)

const managementPoliciesFeature = feature.EnableBetaManagementPolicies

// A usageFinalizer deletes a managed resource's ProviderConfigUsage just
// before it removes the resource's finalizer. The usage is owned by the
// resource, but an API server without a garbage collector (the Stratus
// local control plane) never deletes it, and a ProviderConfig with usages
// cannot be deleted.
type usageFinalizer struct {
	resource.Finalizer

	client client.Client
	usage  schema.GroupVersionKind
}

// RemoveFinalizer deletes the usage of obj, then removes its finalizer.
func (f *usageFinalizer) RemoveFinalizer(ctx context.Context, obj resource.Object) error {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(f.usage)
	// The tracker names a usage after the UID of the resource using it.
	u.SetName(string(obj.GetUID()))
	if err := f.client.Delete(ctx, u); resource.IgnoreNotFound(err) != nil {
		return errors.Wrap(err, "cannot delete provider config usage")
	}
	return f.Finalizer.RemoveFinalizer(ctx, obj)
}

// SetupProviderConfig adds the controller that counts a ProviderConfig's
// users and keeps a ProviderConfig in use from being deleted.
func SetupProviderConfig(mgr ctrl.Manager, o ControllerOptions, k resource.ProviderConfigKinds, pc, usage client.Object) error {
	name := providerconfig.ControllerName(k.Config.GroupKind().String())
	r := providerconfig.NewReconciler(mgr, k,
		providerconfig.WithLogger(o.Logger.WithValues("controller", name)),
		providerconfig.WithRecorder(ctrls.EventRecorder(mgr, name)))
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(ctrls.Options(o.Options)).
		For(pc).
		Watches(usage, &resource.EnqueueRequestForProviderConfig{}).
		Complete(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter))
}

// UsageTracker returns the tracker that records which ProviderConfig a
// managed resource uses, for every provider. It does not track a resource
// being deleted: its usage exists already until the usage finalizer deletes
// it, and tracking it again (from a cache that has not yet seen the
// resource go) would create a usage that nothing ever deletes, keeping its
// ProviderConfig in use forever.
func UsageTracker(c client.Client, usage resource.LegacyProviderConfigUsage) resource.LegacyTracker { //nolint:staticcheck // Stratus managed resources are cluster-scoped, which crossplane-runtime calls legacy.
	return &skipDeleted{LegacyTracker: resource.NewLegacyProviderConfigUsageTracker(c, usage)}
}

// skipDeleted tracks resources that are not being deleted.
type skipDeleted struct {
	resource.LegacyTracker
}

// Track records that mg uses its ProviderConfig, unless mg is being deleted.
func (t *skipDeleted) Track(ctx context.Context, mg resource.LegacyManaged) error { //nolint:staticcheck // See UsageTracker.
	if meta.WasDeleted(mg) {
		return nil
	}
	return t.LegacyTracker.Track(ctx, mg)
}
