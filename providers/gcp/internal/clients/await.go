package clients

import (
	"context"

	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// An InstanceGetter returns a Cloud SQL instance.
type InstanceGetter interface {
	GetInstance(ctx context.Context, name string) (*sqladmin.DatabaseInstance, error)
}

// stateRunnable is the state of a Cloud SQL instance that takes user and
// database calls.
const stateRunnable = "RUNNABLE"

// AwaitInstance is what Observe returns for a user or database mg that does
// not exist in the Cloud SQL instance called instance. While the instance
// is not RUNNABLE (being created, say) Cloud SQL refuses to create either,
// so mg is reported as being created and left for the next poll, rather
// than created, refused and retried with an ever longer backoff. Otherwise
// it does not exist, and is created (or, being deleted, is gone).
func AwaitInstance(ctx context.Context, api InstanceGetter, mg resource.Managed, instance string) (managed.ExternalObservation, error) {
	if meta.WasDeleted(mg) {
		return managed.ExternalObservation{}, nil
	}
	db, err := api.GetInstance(ctx, instance)
	if IsNotFound(err) {
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, Wrap(err, "cannot get Cloud SQL instance")
	}
	if db.State == stateRunnable {
		return managed.ExternalObservation{}, nil
	}
	mg.SetConditions(xpv2.Creating().WithMessage("waiting for Cloud SQL instance " + instance + ", which is " + db.State))
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}
