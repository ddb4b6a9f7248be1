package database

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	sqladmin "google.golang.org/api/sqladmin/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
)

const (
	name     = "app"
	inst     = "orders-db"
	instPath = "/v1/projects/" + gcptest.Project + "/instances/" + inst
	dbsPath  = instPath + "/databases"
	selfLink = "https://sqladmin.googleapis.com/sql/v1beta4/projects/" + gcptest.Project + "/instances/" + inst + "/databases/" + name
)

func newDatabase(mods ...func(*v1beta1.Database)) *v1beta1.Database {
	cr := &v1beta1.Database{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-1"), ResourceVersion: "1"},
		Spec:       v1beta1.DatabaseSpec{ForProvider: v1beta1.DatabaseParameters{Instance: new(inst)}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func database(charset string) *sqladmin.Database {
	return &sqladmin.Database{Name: name, Instance: inst, Charset: charset, Collation: "en_US.UTF8", SelfLink: selfLink}
}

func newExternal(t *testing.T, routes gcptest.Routes) (*external, *gcptest.Server) {
	t.Helper()
	srv := gcptest.NewServer(t, routes)
	api, err := clients.NewSQL(context.Background(), gcptest.Project, srv.SQLOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	return &external{api: api, kube: gcptest.NewKube()}, srv
}

func TestObserve(t *testing.T) {
	get := "GET " + dbsPath + "/" + name
	type want struct {
		cr *v1beta1.Database
		o  managed.ExternalObservation
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Database
		want   want
	}{
		"LateInitialized": {
			reason: "An existing database is Available; the charset and collation Cloud SQL chose are recorded.",
			routes: gcptest.Routes{get: gcptest.OK(database("UTF8"))},
			cr:     newDatabase(),
			want: want{
				cr: newDatabase(func(cr *v1beta1.Database) {
					cr.Spec.ForProvider.Charset, cr.Spec.ForProvider.Collation = new("UTF8"), new("en_US.UTF8")
					cr.Status.AtProvider = v1beta1.DatabaseObservation{Instance: inst, Charset: "UTF8", Collation: "en_US.UTF8", SelfLink: selfLink}
					cr.SetConditions(xpv2.Available())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
			},
		},
		"CharsetDiffers": {
			reason: "A database of another charset (adopted) needs an update, which Cloud SQL may refuse.",
			routes: gcptest.Routes{get: gcptest.OK(database("SQL_ASCII"))},
			cr: newDatabase(func(cr *v1beta1.Database) {
				cr.Spec.ForProvider.Charset, cr.Spec.ForProvider.Collation = new("UTF8"), new("en_US.UTF8")
			}),
			want: want{
				cr: newDatabase(func(cr *v1beta1.Database) {
					cr.Spec.ForProvider.Charset, cr.Spec.ForProvider.Collation = new("UTF8"), new("en_US.UTF8")
					cr.Status.AtProvider = v1beta1.DatabaseObservation{Instance: inst, Charset: "SQL_ASCII", Collation: "en_US.UTF8", SelfLink: selfLink}
					cr.SetConditions(xpv2.Available())
				}),
				o: managed.ExternalObservation{ResourceExists: true},
			},
		},
		"NotFound": {
			reason: "A database Cloud SQL does not know, of a RUNNABLE instance, does not exist.",
			routes: gcptest.Routes{
				get:               gcptest.Error(http.StatusNotFound, "notFound", "The database does not exist."),
				"GET " + instPath: gcptest.OK(&sqladmin.DatabaseInstance{Name: inst, State: "RUNNABLE"}),
			},
			cr:   newDatabase(),
			want: want{cr: newDatabase()},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, _ := newExternal(t, tc.routes)
			o, err := e.Observe(context.Background(), tc.cr)
			if err != nil {
				t.Fatalf("%s\nObserve(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, test.EquateConditions()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateAndDelete(t *testing.T) {
	e, srv := newExternal(t, gcptest.Routes{
		"POST " + dbsPath:                gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "CREATE_DATABASE", Status: "PENDING"}),
		"DELETE " + dbsPath + "/" + name: gcptest.Error(http.StatusNotFound, "notFound", "The database does not exist."),
	})
	cr := newDatabase(func(cr *v1beta1.Database) { cr.Spec.ForProvider.Charset = new("UTF8") })
	if _, err := e.Create(context.Background(), cr); err != nil {
		t.Fatalf("Create(...): %v", err)
	}
	if got := clients.PendingOperation(cr); got != "operations/op-1" {
		t.Errorf("Create(...): recorded operation %q, want operations/op-1", got)
	}
	meta.RemoveAnnotations(cr, clients.AnnotationOperation)
	if _, err := e.Delete(context.Background(), cr); err != nil {
		t.Errorf("Delete(...) of a database that is gone: %v", err)
	}
	want := []string{
		"POST " + dbsPath + " " + gcptest.JSON(map[string]any{"name": name, "charset": "UTF8"}),
		"DELETE " + dbsPath + "/" + name,
	}
	if diff := cmp.Diff(want, srv.Requests()); diff != "" {
		t.Errorf("Create and Delete: -want requests, +got requests:\n%s", diff)
	}
}
