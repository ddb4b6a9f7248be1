package provider

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	ctrls "github.com/stratus-dev/stratus/internal/controller"
)

// A Kind names a managed resource kind and the ProviderConfigUsage kind
// that records which ProviderConfig its resources use.
type Kind struct {
	// Managed is the managed resource kind.
	Managed schema.GroupVersionKind

	// Usage is the provider's ProviderConfigUsage kind.
	Usage schema.GroupVersionKind
}

// ControllerName returns the name of the controller of a managed kind.
func ControllerName(gvk schema.GroupVersionKind) string {
	return "managed/" + strings.ToLower(gvk.Kind) + "." + gvk.Group
}

// SetupManaged adds a controller for the managed resources of kind k to
// mgr. conn connects to the cloud for each resource. Every controller:
//
//   - treats external names as deterministic: each external client finds a
//     resource it created before a crash (by name, or by the resource's UID
//     tag) instead of creating another, so an interrupted create is retried
//     rather than left for a human;
//   - honors spec.managementPolicies;
//   - skips status writes that would change nothing;
//   - deletes the resource's ProviderConfigUsage when it removes its
//     finalizer, so that a ProviderConfig no longer in use can be deleted
//     even without a garbage collector;
//   - deletes, when it removes the finalizer (once the external resource is
//     gone, or is to be kept), the Secrets the resource controls: its
//     connection Secret and, if conn is a SecretGenerator, the Secrets conn
//     names, such as one holding a generated password. Secrets it does not
//     control stay.
//
// ro are further reconciler options, e.g. managed.WithInitializers() for
// kinds whose external name the cloud chooses.
func SetupManaged[T resource.Managed](mgr ctrl.Manager, o ControllerOptions, k Kind, obj T, conn managed.TypedExternalConnector[T], ro ...managed.ReconcilerOption) error {
	name := ControllerName(k.Managed)
	kube := &quietStatusClient{Client: mgr.GetClient()}
	opts := []managed.ReconcilerOption{
		managed.WithTypedExternalConnector(conn),
		managed.WithPollInterval(o.PollInterval),
		managed.WithLogger(o.Logger.WithValues("controller", name)),
		managed.WithRecorder(ctrls.EventRecorder(mgr, name)),
		managed.WithDeterministicExternalName(true),
		managed.WithFinalizer(&secretFinalizer[T]{
			Finalizer: &usageFinalizer{
				Finalizer: resource.NewAPIFinalizer(kube, managed.FinalizerName),
				client:    kube,
				usage:     k.Usage,
			},
			client:    kube,
			generated: generatedSecrets[T](conn),
		}),
	}
	if o.CreationGracePeriod > 0 {
		opts = append(opts, managed.WithCreationGracePeriod(o.CreationGracePeriod))
	}
	if o.Features != nil && o.Features.Enabled(managementPoliciesFeature) {
		opts = append(opts, managed.WithManagementPolicies())
	}
	r := managed.NewReconciler(withClient{Manager: mgr, client: kube}, resource.ManagedKind(k.Managed), append(opts, ro...)...)
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(ctrls.Options(o.Options)).
		For(obj).
		WithEventFilter(resource.DesiredStateChanged()).
		Complete(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter))
}

// withClient is a manager whose client is replaced, so that the managed
// reconciler (which takes its client from the manager) writes through it.
type withClient struct {
	ctrl.Manager
	client client.Client
}

// GetClient returns the replacement client.
func (m withClient) GetClient() client.Client { return m.client }
