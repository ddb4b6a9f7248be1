package flexibleserverdatabase

import (
	"context"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5/fake"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
	"github.com/stratus-dev/stratus/providers/azure/internal/fakes"
)

const (
	name   = "orders"
	rg     = "shop"
	server = "shop-db"
	id     = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/" + server + "/databases/" + name
)

// A cloud is what the fake API knows: the database (nil when there is
// none), the state of its server (empty when there is no server), and the
// writes it was asked for.
type cloud struct {
	db          *armpostgresqlflexibleservers.Database
	serverState armpostgresqlflexibleservers.ServerState
	create      azfake.PollerResponder[armpostgresqlflexibleservers.DatabasesClientCreateResponse]
	delete      azfake.PollerResponder[armpostgresqlflexibleservers.DatabasesClientDeleteResponse]
	deleteErr   azfake.ErrorResponder

	calls []any
}

func (c *cloud) apis(t *testing.T) APIs {
	t.Helper()
	dbs := &fake.DatabasesServer{
		Get: func(_ context.Context, g, s, n string, _ *armpostgresqlflexibleservers.DatabasesClientGetOptions) (azfake.Responder[armpostgresqlflexibleservers.DatabasesClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armpostgresqlflexibleservers.DatabasesClientGetResponse]
			if c.db == nil || g != rg || s != server || n != name {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armpostgresqlflexibleservers.DatabasesClientGetResponse{Database: *c.db}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreate: func(_ context.Context, _, _, _ string, d armpostgresqlflexibleservers.Database, _ *armpostgresqlflexibleservers.DatabasesClientBeginCreateOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.DatabasesClientCreateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, d)
			return c.create, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, string, string, *armpostgresqlflexibleservers.DatabasesClientBeginDeleteOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.DatabasesClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, c.deleteErr
		},
	}
	servers := &fake.ServersServer{
		Get: func(context.Context, string, string, *armpostgresqlflexibleservers.ServersClientGetOptions) (azfake.Responder[armpostgresqlflexibleservers.ServersClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armpostgresqlflexibleservers.ServersClientGetResponse]
			if c.serverState == "" {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armpostgresqlflexibleservers.ServersClientGetResponse{Server: armpostgresqlflexibleservers.Server{
				Properties: &armpostgresqlflexibleservers.ServerProperties{State: &c.serverState},
			}}, nil)
			return r, azfake.ErrorResponder{}
		},
	}
	apis, err := NewAPIs(fakes.Connection(fake.NewServerFactoryTransport(&fake.ServerFactory{DatabasesServer: *dbs, ServersServer: *servers})))
	if err != nil {
		t.Fatal(err)
	}
	return apis
}

func database() *armpostgresqlflexibleservers.Database {
	return &armpostgresqlflexibleservers.Database{
		ID: new(id), Name: new(name),
		Properties: &armpostgresqlflexibleservers.DatabaseProperties{Charset: new("UTF8"), Collation: new("en_US.utf8")},
	}
}

func newDatabase(mods ...func(*v1beta1.FlexibleServerDatabase)) *v1beta1.FlexibleServerDatabase {
	cr := &v1beta1.FlexibleServerDatabase{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid"), ResourceVersion: "1"},
		Spec: v1beta1.FlexibleServerDatabaseSpec{ForProvider: v1beta1.FlexibleServerDatabaseParameters{
			ResourceGroupName: new(rg), ServerName: new(server), Charset: new("UTF8"), Collation: new("en_US.utf8"),
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func observed(cr *v1beta1.FlexibleServerDatabase) {
	cr.Status.AtProvider = v1beta1.FlexibleServerDatabaseObservation{ID: id, Charset: "UTF8", Collation: "en_US.utf8"}
	cr.SetConditions(xpv2.Available())
}

func TestObserve(t *testing.T) {
	deleted := metav1.Now()
	type want struct {
		o   managed.ExternalObservation
		err string
		cr  *v1beta1.FlexibleServerDatabase
	}
	cases := map[string]struct {
		reason string
		cloud  *cloud
		cr     *v1beta1.FlexibleServerDatabase
		want   want
	}{
		"NotFound": {
			reason: "A database Azure does not have, on a Ready server, is created.",
			cloud:  &cloud{serverState: armpostgresqlflexibleservers.ServerStateReady},
			cr:     newDatabase(),
			want:   want{cr: newDatabase()},
		},
		"NoServer": {
			reason: "A database whose server does not exist is created, which fails with Azure's error.",
			cloud:  &cloud{},
			cr:     newDatabase(),
			want:   want{cr: newDatabase()},
		},
		"WaitingForServer": {
			reason: "A database whose server is being provisioned waits, Creating, rather than fail to be created.",
			cloud:  &cloud{serverState: armpostgresqlflexibleservers.ServerStateProvisioning},
			cr:     newDatabase(),
			want: want{
				cr: newDatabase(func(cr *v1beta1.FlexibleServerDatabase) {
					cr.SetConditions(xpv2.Creating().WithMessage("waiting for flexible server " + server + ", which is Provisioning"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"DeletedWhileWaiting": {
			reason: "A database being deleted does not wait for its server: it does not exist.",
			cloud:  &cloud{serverState: armpostgresqlflexibleservers.ServerStateProvisioning},
			cr:     newDatabase(func(cr *v1beta1.FlexibleServerDatabase) { cr.SetDeletionTimestamp(&deleted) }),
			want:   want{cr: newDatabase(func(cr *v1beta1.FlexibleServerDatabase) { cr.SetDeletionTimestamp(&deleted) })},
		},
		"Exists": {
			reason: "A database Azure has is Available and up to date: there is nothing to change.",
			cloud:  &cloud{db: database()},
			cr:     newDatabase(),
			want:   want{cr: newDatabase(observed), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}},
		},
		"LateInitialized": {
			reason: "The charset and collation Azure chose fill the spec.",
			cloud:  &cloud{db: database()},
			cr: newDatabase(func(cr *v1beta1.FlexibleServerDatabase) {
				cr.Spec.ForProvider.Charset, cr.Spec.ForProvider.Collation = nil, nil
			}),
			want: want{cr: newDatabase(observed), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true}},
		},
		"NoServerName": {
			reason: "Without a server name there is nothing to observe.",
			cloud:  &cloud{},
			cr:     newDatabase(func(cr *v1beta1.FlexibleServerDatabase) { cr.Spec.ForProvider.ServerName = nil }),
			want: want{
				cr:  newDatabase(func(cr *v1beta1.FlexibleServerDatabase) { cr.Spec.ForProvider.ServerName = nil }),
				err: "spec.forProvider.serverName is not set (nor resolved from its reference)",
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			apis := tc.cloud.apis(t)
			e := &external{api: apis.API, servers: apis.Servers, ops: clients.NewOperations(fakes.NewKube(nil))}
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, errText(err)); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, fakes.EquateOperations()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	c := &cloud{create: fakes.Accepted(2, armpostgresqlflexibleservers.DatabasesClientCreateResponse{})}
	apis := c.apis(t)
	e := &external{api: apis.API, servers: apis.Servers, ops: clients.NewOperations(fakes.NewKube(nil))}
	cr := newDatabase(func(cr *v1beta1.FlexibleServerDatabase) {
		cr.Spec.ForProvider.Collation = nil
		cr.Spec.InitProvider = &v1beta1.FlexibleServerDatabaseParameters{Collation: new("C")}
	})
	if _, err := e.Create(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	want := []any{armpostgresqlflexibleservers.Database{Properties: &armpostgresqlflexibleservers.DatabaseProperties{Charset: new("UTF8"), Collation: new("C")}}}
	if diff := cmp.Diff(want, c.calls); diff != "" {
		t.Errorf("Create(...): -want calls, +got calls:\n%s", diff)
	}
	if op := clients.GetOperation(cr); op == nil || op.Verb != clients.VerbCreate {
		t.Errorf("Create(...): operation %+v, want the create recorded", op)
	}
}

func TestDelete(t *testing.T) {
	type want struct {
		calls   []any
		patches []string
		err     string
	}
	cases := map[string]struct {
		reason    string
		op        *clients.Operation
		deleteErr azfake.ErrorResponder
		want      want
	}{
		"Started":  {reason: "The drop is started and recorded.", want: want{calls: []any{"delete"}, patches: []string{"azure.stratus.dev/operation=delete"}}},
		"Underway": {reason: "A drop in progress is not started again.", op: &clients.Operation{Verb: clients.VerbDelete, Token: "t"}, want: want{}},
		"ServerDropping": {
			reason:    "A database whose server is being dropped goes with it.",
			deleteErr: fakes.Error(http.StatusConflict, "ServerGroupDropping"),
			want:      want{calls: []any{"delete"}},
		},
		"Refused": {
			reason:    "Another refusal is returned.",
			deleteErr: fakes.Error(http.StatusConflict, "ServerIsNotReady"),
			want:      want{calls: []any{"delete"}, err: "cannot delete database: ServerIsNotReady"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{delete: fakes.Accepted(2, armpostgresqlflexibleservers.DatabasesClientDeleteResponse{}), deleteErr: tc.deleteErr}
			apis := c.apis(t)
			k := fakes.NewKube(nil)
			e := &external{api: apis.API, servers: apis.Servers, ops: clients.NewOperations(k), op: tc.op}
			_, err := e.Delete(context.Background(), newDatabase())
			got := want{calls: c.calls, patches: k.Patches, err: errText(err)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDelete(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
