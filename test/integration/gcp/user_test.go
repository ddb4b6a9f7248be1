package gcp

import (
	"context"
	"strconv"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	sqlv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
)

// TestUserAndDatabase creates a Cloud SQL instance, a database and a user
// that find the instance by reference and by selector; the user's
// connection Secret connects to the database and the user can create a
// table in it. Then the user's password changes, and both go.
func TestUserAndDatabase(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	ctx := context.Background()
	db := f.newDatabaseInstance(f.ns + "-db")
	db.Labels = map[string]string{"example.stratus.dev/db": f.ns}
	db.Spec.ForProvider.AutoGeneratePassword = new(true)
	f.create(t, db)

	database := &sqlv1beta1.Database{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-app", Annotations: map[string]string{meta.AnnotationKeyExternalName: "app"}},
		Spec: sqlv1beta1.DatabaseSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider:                sqlv1beta1.DatabaseParameters{InstanceRef: &xpv2.Reference{Name: db.Name}},
		},
	}
	f.create(t, database)
	user := &sqlv1beta1.User{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-app-user", Annotations: map[string]string{meta.AnnotationKeyExternalName: "app_user"}},
		Spec: sqlv1beta1.UserSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: f.ns + "-app-user-conn"},
			},
			ForProvider: sqlv1beta1.UserParameters{
				InstanceSelector: &xpv2.Selector{MatchLabels: db.Labels},
				PasswordSecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: f.ns + "-app-user-password"},
					Key:             "password",
				},
				AutoGeneratePassword: new(true),
			},
		},
	}
	f.create(t, user)

	f.ready(t, db)
	f.ready(t, database)
	f.ready(t, user)
	if got := database.Status.AtProvider; got.Instance != db.Name || got.Charset != "UTF8" || got.SelfLink == "" {
		t.Errorf("database atProvider = %+v, want a UTF8 database of instance %s", got, db.Name)
	}
	if got := user.Spec.ForProvider.Instance; got == nil || *got != db.Name {
		t.Errorf("user spec.forProvider.instance = %v, want %s resolved from the selector", got, db.Name)
	}

	// The user's connection Secret connects to the database, where the
	// user can work.
	pw := string(f.secretData(t, f.ns+"-app-user-password")["password"])
	conn := f.connects(t, f.ns+"-app-user-conn", "app", pw)
	port, _ := strconv.Atoi(string(conn["port"]))
	if err := pgtest.Exec(ctx, string(conn["endpoint"]), port, "app_user", pw, "app", "CREATE TABLE t (id int); INSERT INTO t VALUES (42)"); err != nil {
		t.Fatalf("the user cannot work in its database: %v", err)
	}
	if got, err := pgtest.Query(ctx, string(conn["endpoint"]), port, "app_user", pw, "app", "SELECT id::text FROM t"); err != nil || got != "42" {
		t.Errorf("SELECT id FROM t = %q, %v; want 42", got, err)
	}

	// A new password in the Secret is set in Cloud SQL.
	f.updateSecret(t, f.ns+"-app-user-password", "password", "new-User-Password-3")
	f.connects(t, f.ns+"-app-user-conn", "app", "new-User-Password-3")

	f.wantControlledBy(t, f.ns+"-app-user-password", user)
	f.deleteAndWait(t, user)
	// The user's connection Secret and generated password go with it.
	f.wantNoSecret(t, f.ns+"-app-user-conn")
	f.wantNoSecret(t, f.ns+"-app-user-password")
	f.deleteAndWait(t, database)
	sql := f.SQL(t)
	if _, err := sql.Users.Get(project, db.Name, "app_user").Do(); !isNotFound(err) {
		t.Errorf("user app_user: got error %v, want it not found", err)
	}
	if _, err := sql.Databases.Get(project, db.Name, "app").Do(); !isNotFound(err) {
		t.Errorf("database app: got error %v, want it not found", err)
	}
}
