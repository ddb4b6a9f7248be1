package user

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	sqladmin "google.golang.org/api/sqladmin/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
	"github.com/stratus-dev/stratus/providers/gcp/internal/password"
)

const (
	name      = "app"
	inst      = "orders-db"
	uid       = "2d5e7f10-9a3b-4c6d-8e1f-0a2b3c4d5e6f"
	namespace = "team-a"
	secret    = "app-password"
	pw        = "correct-Horse-battery-9"
	instPath  = "/v1/projects/" + gcptest.Project + "/instances/" + inst
	usersPath = instPath + "/users"
	opPath    = "/v1/projects/" + gcptest.Project + "/operations/op-1"
)

// newUser returns a User resource of inst whose password pw is recorded.
func newUser(mods ...func(*v1beta1.User)) *v1beta1.User {
	cr := &v1beta1.User{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.UserSpec{ForProvider: v1beta1.UserParameters{
			Instance:          new(inst),
			PasswordSecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: namespace, Name: secret}, Key: "password"},
		}},
	}
	meta.SetExternalName(cr, name)
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: password.Hash(types.UID(uid), pw)})
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func passwordSecret(p string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: secret}, Data: map[string][]byte{"password": []byte(p)}}
}

// cloudSQL is the user's instance as Cloud SQL reports it.
func cloudSQL(state string) *sqladmin.DatabaseInstance {
	return &sqladmin.DatabaseInstance{Name: inst, DatabaseVersion: "POSTGRES_15", State: state, IpAddresses: []*sqladmin.IpMapping{{Type: "PRIMARY", IpAddress: "127.0.1.2"}}}
}

func newExternal(t *testing.T, routes gcptest.Routes, secrets ...*corev1.Secret) (*external, *gcptest.Server, *gcptest.Kube) {
	t.Helper()
	srv := gcptest.NewServer(t, routes)
	api, err := clients.NewSQL(context.Background(), gcptest.Project, srv.SQLOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	kube := gcptest.NewKube(secrets...)
	return &external{api: api, kube: kube, newPassword: func() (string, error) { return "generated", nil }}, srv, kube
}

func TestObserve(t *testing.T) {
	get := "GET " + usersPath + "/" + name
	notFound := gcptest.Error(http.StatusNotFound, "notFound", "The user does not exist.")
	type want struct {
		cr  *v1beta1.User
		o   managed.ExternalObservation
		err error
	}
	cases := map[string]struct {
		reason  string
		routes  gcptest.Routes
		secrets []*corev1.Secret
		cr      *v1beta1.User
		want    want
	}{
		"Exists": {
			reason:  "An existing user with the recorded password is Available and publishes what connects as it: name, password, and the instance's endpoint and port.",
			routes:  gcptest.Routes{get: gcptest.OK(&sqladmin.User{Name: name, Type: "BUILT_IN"}), "GET " + instPath: gcptest.OK(cloudSQL("RUNNABLE"))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newUser(),
			want: want{
				cr: newUser(func(cr *v1beta1.User) {
					cr.Status.AtProvider = v1beta1.UserObservation{Instance: inst, Type: "BUILT_IN"}
					cr.SetConditions(xpv2.Available())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: managed.ConnectionDetails{
					"username": []byte(name), "password": []byte(pw), "endpoint": []byte("127.0.1.2"), "port": []byte("5432"),
				}},
			},
		},
		"NotFound": {
			reason: "A user Cloud SQL does not know, of a RUNNABLE instance, does not exist.",
			routes: gcptest.Routes{get: notFound, "GET " + instPath: gcptest.OK(cloudSQL("RUNNABLE"))},
			cr:     newUser(),
			want:   want{cr: newUser()},
		},
		"InstanceNotReady": {
			reason: "While the instance is not RUNNABLE (Cloud SQL would refuse the user) the user is reported as being created, and left for the next poll.",
			routes: gcptest.Routes{get: notFound, "GET " + instPath: gcptest.OK(cloudSQL("PENDING_CREATE"))},
			cr:     newUser(),
			want: want{
				cr: newUser(func(cr *v1beta1.User) {
					cr.SetConditions(xpv2.Creating().WithMessage("waiting for Cloud SQL instance orders-db, which is PENDING_CREATE"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"Creating": {
			reason: "Cloud SQL shows a user only once its create is done; until then it is Creating.",
			routes: gcptest.Routes{"GET " + opPath: gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "CREATE_USER", Status: "RUNNING"}), get: notFound},
			cr: newUser(func(cr *v1beta1.User) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: "operations/op-1"})
			}),
			want: want{
				cr: newUser(func(cr *v1beta1.User) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: "operations/op-1"})
					cr.SetConditions(xpv2.Creating())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"CreateFailed": {
			reason: "A create whose operation failed surfaces the operation's error.",
			routes: gcptest.Routes{"GET " + opPath: gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "CREATE_USER", Status: "DONE", Error: &sqladmin.OperationErrors{Errors: []*sqladmin.OperationError{{Code: "ERROR_RDBMS", Message: `role name "pg_x" is reserved`}}}})},
			cr: newUser(func(cr *v1beta1.User) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: "operations/op-1"})
			}),
			want: want{
				cr:  newUser(func(cr *v1beta1.User) { cr.SetResourceVersion("1+") }),
				err: errors.New(`CREATE_USER operation failed: ERROR_RDBMS: role name "pg_x" is reserved`),
			},
		},
		"PasswordChanged": {
			reason:  "A password Secret whose password the user does not have needs an update and is not published.",
			routes:  gcptest.Routes{get: gcptest.OK(&sqladmin.User{Name: name, Type: "BUILT_IN"}), "GET " + instPath: gcptest.OK(cloudSQL("RUNNABLE"))},
			secrets: []*corev1.Secret{passwordSecret("new-Password-2")},
			cr:      newUser(),
			want: want{
				cr: newUser(func(cr *v1beta1.User) {
					cr.Status.AtProvider = v1beta1.UserObservation{Instance: inst, Type: "BUILT_IN"}
					cr.SetConditions(xpv2.Available())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: managed.ConnectionDetails{
					"username": []byte(name), "endpoint": []byte("127.0.1.2"), "port": []byte("5432"),
				}},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, _, _ := newExternal(t, tc.routes, tc.secrets...)
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
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

func TestCreate(t *testing.T) {
	insert := "POST " + usersPath + " " + gcptest.JSON(map[string]any{"name": name, "password": pw})
	unrecorded := func(cr *v1beta1.User) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }
	type want struct {
		cr  *v1beta1.User
		err error
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		want   want
	}{
		"Success": {
			reason: "The user is inserted with the password from its Secret; the operation and the password's hash are recorded.",
			routes: gcptest.Routes{"POST " + usersPath: gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "CREATE_USER", Status: "PENDING"})},
			want: want{cr: newUser(func(cr *v1beta1.User) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: "operations/op-1"})
			})},
		},
		"Busy": {
			reason: "An instance that runs another operation refuses the user; the create is retried.",
			routes: gcptest.Routes{"POST " + usersPath: gcptest.Error(http.StatusConflict, "operationInProgress", "another operation in progress")},
			want: want{
				cr:  newUser(unrecorded),
				err: errors.New("cannot create Cloud SQL user yet: the instance runs another operation; the create is retried"),
			},
		},
		"NameTaken": {
			reason: "A user of that name that Observe did not see is not this resource's: the conflict is recorded.",
			routes: gcptest.Routes{"POST " + usersPath: gcptest.Error(http.StatusConflict, "alreadyExists", "User 'app' already exists")},
			want: want{
				cr: newUser(unrecorded, func(cr *v1beta1.User) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
				}),
				err: errors.New(`Cloud SQL user "app" exists and this resource did not create it: delete it, choose another name (annotation crossplane.io/external-name), or remove the annotation gcp.stratus.dev/name-conflict to adopt it`),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, _ := newExternal(t, tc.routes, passwordSecret(pw))
			cr := newUser(unrecorded)
			_, err := e.Create(context.Background(), cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, cr); diff != "" {
				t.Errorf("%s\nCreate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]string{insert}, srv.Requests()); diff != "" {
				t.Errorf("%s\nCreate(...): -want requests, +got requests:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	hash := func(p string) string { return password.Hash(types.UID(uid), p) }
	cases := map[string]struct {
		reason    string
		secret    string
		routes    gcptest.Routes
		mutations []string
		writes    []string
	}{
		"PasswordChanged": {
			reason:    "A changed password is set, and its hash recorded as pending until the operation is done.",
			secret:    "new-Password-2",
			routes:    gcptest.Routes{"PUT " + usersPath: gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "UPDATE_USER", Status: "PENDING"})},
			mutations: []string{"PUT " + usersPath + "?name=" + name + " " + gcptest.JSON(map[string]any{"name": name, "password": "new-Password-2"})},
			writes:    []string{"patch " + name + " crossplane.io/external-name=" + name + ",gcp.stratus.dev/operation=operations/op-1," + AnnotationPasswordHash + "=" + hash(pw) + "," + AnnotationPendingPasswordHash + "=" + hash("new-Password-2")},
		},
		"PasswordInSync": {
			reason: "A password the user has is not set again.",
			secret: pw,
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, kube := newExternal(t, tc.routes, passwordSecret(tc.secret))
			if _, err := e.Update(context.Background(), newUser()); err != nil {
				t.Fatalf("%s\nUpdate(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.mutations, srv.Mutations()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.writes, kube.Writes()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		want   error
	}{
		"Success": {
			reason: "The user is deleted.",
			routes: gcptest.Routes{"DELETE " + usersPath: gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "DELETE_USER", Status: "DONE"})},
		},
		"InstanceGone": {
			reason: "A user whose instance is gone is gone.",
			routes: gcptest.Routes{"DELETE " + usersPath: gcptest.Error(http.StatusNotFound, "instanceDoesNotExist", "gone")},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, _ := newExternal(t, tc.routes)
			_, err := e.Delete(context.Background(), newUser())
			if diff := cmp.Diff(tc.want, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]string{"DELETE " + usersPath + "?name=" + name}, srv.Mutations()); diff != "" {
				t.Errorf("%s\nDelete(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
		})
	}
}
