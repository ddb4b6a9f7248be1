// Package database manages the databases of Cloud SQL instances.
package database

import (
	"context"

	sqladmin "google.golang.org/api/sqladmin/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	gcpv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
)

// kind names databases in messages.
const kind = "Cloud SQL database"

// An API is the part of the Cloud SQL Admin API that manages databases.
type API interface {
	clients.OperationGetter
	GetInstance(ctx context.Context, name string) (*sqladmin.DatabaseInstance, error)
	GetDatabase(ctx context.Context, instance, name string) (*sqladmin.Database, error)
	InsertDatabase(ctx context.Context, instance string, d *sqladmin.Database) (*clients.Operation, error)
	PatchDatabase(ctx context.Context, instance, name string, d *sqladmin.Database) (*clients.Operation, error)
	DeleteDatabase(ctx context.Context, instance, name string) (*clients.Operation, error)
}

// Setup adds a controller that reconciles Cloud SQL databases, with API
// clients from src.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions, src clients.Source) error {
	c := &connector{source: src, kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.DatabaseGroupVersionKind, Usage: gcpv1beta1.ProviderConfigUsageGroupVersionKind}
	// The database name is the external name, the resource's name unless
	// set.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Database{}, c, managed.WithPollIntervalHook(clients.PollIntervalHook))
}

type connector struct {
	source clients.Source
	kube   client.Client
}

// Connect returns a client for the project of the database's
// ProviderConfig.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Database) (managed.TypedExternalClient[*v1beta1.Database], error) {
	api, err := c.source.SQL(ctx, cr)
	if err != nil {
		return nil, err
	}
	return &external{api: api, kube: c.kube}, nil
}

type external struct {
	api  API
	kube client.Client
}

// instance returns the name of the database's instance, which the schema
// requires (directly or by reference).
func instance(cr *v1beta1.Database) string {
	if i := cr.Spec.ForProvider.Instance; i != nil {
		return *i
	}
	return ""
}

// Observe finds the database by its instance and name. Cloud SQL shows a
// database only once the operation that creates it is done; until then the
// recorded operation says it is being created.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Database) (managed.ExternalObservation, error) {
	name, inst := meta.GetExternalName(cr), instance(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	if inst == "" {
		return managed.ExternalObservation{}, errors.New("spec.forProvider.instance is not set")
	}
	running, err := clients.SettleOperation(ctx, e.kube, e.api, cr, nil)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	d, err := e.api.GetDatabase(ctx, inst, name)
	if clients.IsNotFound(err) {
		if running != nil && running.Type == "CREATE_DATABASE" && !meta.WasDeleted(cr) {
			cr.SetConditions(xpv2.Creating())
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		return clients.AwaitInstance(ctx, e.api, cr, inst)
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get Cloud SQL database")
	}
	if clients.Foreign(cr, nil) {
		return clients.ObserveForeign(cr, kind)
	}
	observed := &v1beta1.DatabaseParameters{}
	if d.Charset != "" {
		observed.Charset = new(d.Charset)
	}
	if d.Collation != "" {
		observed.Collation = new(d.Collation)
	}
	lateInit := clients.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = v1beta1.DatabaseObservation{Instance: inst, Charset: d.Charset, Collation: d.Collation, SelfLink: d.SelfLink}
	cr.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        running != nil || !differs(&cr.Spec.ForProvider, d),
		ResourceLateInitialized: lateInit,
	}, nil
}

// differs reports whether the spec asks for another charset or collation.
func differs(fp *v1beta1.DatabaseParameters, d *sqladmin.Database) bool {
	return (fp.Charset != nil && *fp.Charset != d.Charset) || (fp.Collation != nil && *fp.Collation != d.Collation)
}

// Create inserts the database, named by the external name.
func (e *external) Create(ctx context.Context, cr *v1beta1.Database) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	clients.FillNil(&p, cr.Spec.InitProvider, nil)
	d := &sqladmin.Database{Name: meta.GetExternalName(cr)}
	if p.Charset != nil {
		d.Charset = *p.Charset
	}
	if p.Collation != nil {
		d.Collation = *p.Collation
	}
	op, err := e.api.InsertDatabase(ctx, instance(cr), d)
	switch {
	case clients.IsAlreadyExists(err):
		// Databases have no labels to tell whose one is; a crashed
		// create is adopted by Observe before it gets here.
		return managed.ExternalCreation{}, clients.MarkConflict(cr, kind)
	case clients.IsBusy(err):
		return managed.ExternalCreation{}, errors.New("cannot create Cloud SQL database yet: the instance runs another operation; the create is retried")
	case err != nil:
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create Cloud SQL database")
	}
	if err := op.Err(); err != nil {
		return managed.ExternalCreation{}, err
	}
	clients.ClearConflict(cr)
	clients.SetPendingOperation(cr, op)
	return managed.ExternalCreation{}, nil
}

// Update asks Cloud SQL for the spec's charset and collation. Neither can
// change once set (the schema says so), so this happens only for a
// database adopted with other values, which Cloud SQL may refuse: its
// error shows on the Synced condition.
func (e *external) Update(ctx context.Context, cr *v1beta1.Database) (managed.ExternalUpdate, error) {
	fp := cr.Spec.ForProvider
	d := &sqladmin.Database{Name: meta.GetExternalName(cr)}
	if fp.Charset != nil {
		d.Charset = *fp.Charset
	}
	if fp.Collation != nil {
		d.Collation = *fp.Collation
	}
	op, err := e.api.PatchDatabase(ctx, instance(cr), d.Name, d)
	if clients.IsBusy(err) {
		return managed.ExternalUpdate{}, errors.New("cannot patch Cloud SQL database yet: the instance runs another operation; the update is retried")
	}
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot patch Cloud SQL database")
	}
	return managed.ExternalUpdate{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Delete deletes the database, unless an operation of the provider's still
// runs on it.
func (e *external) Delete(ctx context.Context, cr *v1beta1.Database) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if clients.PendingOperation(cr) != "" {
		return managed.ExternalDelete{}, nil
	}
	op, err := e.api.DeleteDatabase(ctx, instance(cr), meta.GetExternalName(cr))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if clients.IsBusy(err) {
		return managed.ExternalDelete{}, errors.New("cannot delete Cloud SQL database yet: the instance runs another operation; the delete is retried")
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete Cloud SQL database")
	}
	return managed.ExternalDelete{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Disconnect does nothing: the clients are shared and kept.
func (e *external) Disconnect(context.Context) error { return nil }
