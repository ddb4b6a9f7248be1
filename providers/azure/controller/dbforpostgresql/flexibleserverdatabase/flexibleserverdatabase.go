// Package flexibleserverdatabase manages the databases of Azure Database for
// PostgreSQL flexible servers.
package flexibleserverdatabase

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// codeServerDropping is Azure's answer to a change of a server being
// deleted, which takes its databases and firewall rules with it.
const codeServerDropping = "ServerGroupDropping"

// An API is the part of the PostgreSQL flexible servers API that manages
// databases; *armpostgresqlflexibleservers.DatabasesClient is one.
type API interface {
	Get(ctx context.Context, rg, server, name string, o *armpostgresqlflexibleservers.DatabasesClientGetOptions) (armpostgresqlflexibleservers.DatabasesClientGetResponse, error)
	BeginCreate(ctx context.Context, rg, server, name string, d armpostgresqlflexibleservers.Database, o *armpostgresqlflexibleservers.DatabasesClientBeginCreateOptions) (*runtime.Poller[armpostgresqlflexibleservers.DatabasesClientCreateResponse], error)
	BeginDelete(ctx context.Context, rg, server, name string, o *armpostgresqlflexibleservers.DatabasesClientBeginDeleteOptions) (*runtime.Poller[armpostgresqlflexibleservers.DatabasesClientDeleteResponse], error)
}

// APIs are the clients a database is managed with.
type APIs struct {
	API     API
	Servers clients.ServerGetter
}

// NewAPIs returns the clients of conn's subscription.
func NewAPIs(conn *clients.Connection) (APIs, error) {
	api, err := armpostgresqlflexibleservers.NewDatabasesClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	servers, err := armpostgresqlflexibleservers.NewServersClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	return APIs{API: api, Servers: servers}, nil
}

// Setup adds a controller that reconciles flexible server databases.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPI: NewAPIs, ops: clients.NewOperations(mgr.GetClient())}
	k := provider.Kind{Managed: v1beta1.FlexibleServerDatabaseGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The database's name is the external name, the resource's name
	// unless set.
	return provider.SetupManaged(mgr, o, k, &v1beta1.FlexibleServerDatabase{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn   clients.ConnectionSource
	newAPI func(*clients.Connection) (APIs, error)
	ops    *clients.Operations
}

// Connect returns a client for the database's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.FlexibleServerDatabase) (managed.TypedExternalClient[*v1beta1.FlexibleServerDatabase], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	apis, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create databases client")
	}
	return &external{api: apis.API, servers: apis.Servers, ops: c.ops}, nil
}

type external struct {
	api     API
	servers clients.ServerGetter
	ops     *clients.Operations

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
}

// A place is where a database is: its resource group, server and name.
type place struct{ rg, server, name string }

func placeOf(cr *v1beta1.FlexibleServerDatabase) (place, error) {
	fp := cr.Spec.ForProvider
	p := place{rg: clients.Deref(fp.ResourceGroupName), server: clients.Deref(fp.ServerName), name: meta.GetExternalName(cr)}
	switch {
	case p.rg == "":
		return p, errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from a reference)")
	case p.server == "":
		return p, errors.New("spec.forProvider.serverName is not set (nor resolved from its reference)")
	}
	return p, nil
}

// resume resumes the operation op describes on the database at p.
func (e *external) resume(p place) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate:
			return clients.AsPoller(e.api.BeginCreate(ctx, p.rg, p.server, p.name, armpostgresqlflexibleservers.Database{}, &armpostgresqlflexibleservers.DatabasesClientBeginCreateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.api.BeginDelete(ctx, p.rg, p.server, p.name, &armpostgresqlflexibleservers.DatabasesClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("databases have no %s operation", op.Verb)
	}
}

// Observe polls the operation in progress, if any, and finds the database
// by its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.FlexibleServerDatabase) (managed.ExternalObservation, error) {
	p, err := placeOf(cr)
	if err != nil || p.name == "" {
		return managed.ExternalObservation{}, err
	}
	if e.op, err = e.ops.Check(ctx, cr, e.resume(p)); err != nil {
		return managed.ExternalObservation{}, err
	}
	rsp, err := e.api.Get(ctx, p.rg, p.server, p.name, nil)
	if clients.IsNotFound(err) {
		return e.absent(ctx, cr, p)
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get database")
	}
	observed := &v1beta1.FlexibleServerDatabaseParameters{}
	cr.Status.AtProvider = v1beta1.FlexibleServerDatabaseObservation{ID: clients.Deref(rsp.ID)}
	if dp := rsp.Properties; dp != nil {
		observed.Charset, observed.Collation = dp.Charset, dp.Collation
		cr.Status.AtProvider.Charset, cr.Status.AtProvider.Collation = clients.Deref(dp.Charset), clients.Deref(dp.Collation)
	}
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	// Azure reports no state: a database or rule it shows exists.
	clients.SetConditions(cr, clients.StateSucceeded, e.op)
	return managed.ExternalObservation{
		ResourceExists: true,
		// Azure cannot change a database: charset and collation are
		// immutable, and there is nothing else.
		ResourceUpToDate:        true,
		ResourceLateInitialized: lateInit,
	}, nil
}

// absent observes a database Azure does not have. While its server exists but
// cannot take it yet (being provisioned, say), the database waits, Creating,
// instead of failing to create with an error that would back the resource
// off for ever longer; it is observed again at the next poll.
func (e *external) absent(ctx context.Context, cr resource.Managed, p place) (managed.ExternalObservation, error) {
	if meta.WasDeleted(cr) {
		return managed.ExternalObservation{}, nil
	}
	state, err := clients.ServerNotReady(ctx, e.servers, p.rg, p.server)
	if err != nil || state == "" {
		return managed.ExternalObservation{}, err
	}
	cr.SetConditions(xpv2.Creating().WithMessage("waiting for flexible server " + p.server + ", which is " + state))
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

// Create starts creating the database and records the operation.
func (e *external) Create(ctx context.Context, cr *v1beta1.FlexibleServerDatabase) (managed.ExternalCreation, error) {
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create database")
	}
	fp := cr.Spec.ForProvider
	provider.FillNil(&fp, cr.Spec.InitProvider, nil)
	d := armpostgresqlflexibleservers.Database{}
	if fp.Charset != nil || fp.Collation != nil {
		d.Properties = &armpostgresqlflexibleservers.DatabaseProperties{Charset: fp.Charset, Collation: fp.Collation}
	}
	poller, err := clients.AsPoller(e.api.BeginCreate(ctx, p.rg, p.server, p.name, d, nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create database")
	}
	// The reconciler saves the record with the external name.
	return managed.ExternalCreation{}, clients.Wrap(e.ops.Start(ctx, cr, clients.VerbCreate, poller, nil), "cannot create database")
}

// Update does nothing: a database cannot be changed.
func (e *external) Update(context.Context, *v1beta1.FlexibleServerDatabase) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, nil
}

// Delete starts dropping the database, unless Observe saw that under way.
func (e *external) Delete(ctx context.Context, cr *v1beta1.FlexibleServerDatabase) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if e.op != nil && e.op.Verb == clients.VerbDelete {
		return managed.ExternalDelete{}, nil
	}
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete database")
	}
	poller, err := clients.AsPoller(e.api.BeginDelete(ctx, p.rg, p.server, p.name, nil))
	if clients.IsNotFound(err) || clients.IsCode(err, codeServerDropping) {
		// Gone, or going with its server.
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete database")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete database")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
