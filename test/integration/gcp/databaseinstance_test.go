package gcp

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	sqladmin "google.golang.org/api/sqladmin/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	sqlv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/controller/sql/databaseinstance"
)

// newDatabaseInstance returns a PostgreSQL Cloud SQL instance managed
// resource whose administrator password is in the key password of the
// Secret <name>-password and whose connection details go to the Secret
// <name>-conn, both in the test's namespace.
func (f *fixture) newDatabaseInstance(name string) *sqlv1beta1.DatabaseInstance {
	return &sqlv1beta1.DatabaseInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: sqlv1beta1.DatabaseInstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: name + "-conn"},
			},
			ForProvider: sqlv1beta1.DatabaseInstanceParameters{
				Region:          new("us-central1"),
				DatabaseVersion: new("POSTGRES_15"),
				Settings:        &sqlv1beta1.Settings{Tier: new("db-f1-micro")},
				RootPasswordSecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: name + "-password"},
					Key:             "password",
				},
			},
		},
	}
}

// sqlInstance returns the Cloud SQL instance name from the local cloud.
func (f *fixture) sqlInstance(t *testing.T, name string) (*sqladmin.DatabaseInstance, error) {
	t.Helper()
	return f.SQL(t).Instances.Get(project, name).Do()
}

// sqlInstanceNames returns the names of every Cloud SQL instance in the
// local cloud.
func (f *fixture) sqlInstanceNames(t *testing.T) []string {
	t.Helper()
	out, err := f.SQL(t).Instances.List(project).Do()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(out.Items))
	for _, in := range out.Items {
		names = append(names, in.Name)
	}
	return names
}

// secretData returns the data of the Secret name in the test's namespace.
func (f *fixture) secretData(t *testing.T, name string) map[string][]byte {
	t.Helper()
	s := &corev1.Secret{}
	if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
		t.Fatalf("cannot get Secret %s: %v", name, err)
	}
	return s.Data
}

// wantNoSecret fails the test if the Secret name is in the test's namespace.
// The provider deletes the Secrets a managed resource controls before it
// removes the resource's finalizer, so they are gone once it is.
func (f *fixture) wantNoSecret(t *testing.T, name string) {
	t.Helper()
	err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, &corev1.Secret{})
	if !kerrors.IsNotFound(err) {
		t.Errorf("Secret %s: got error %v, want it deleted with its managed resource", name, err)
	}
}

// wantControlledBy fails the test unless obj controls the Secret name in
// the test's namespace, so that a garbage collector would delete it too.
func (f *fixture) wantControlledBy(t *testing.T, name string, obj client.Object) {
	t.Helper()
	s := &corev1.Secret{}
	if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
		t.Fatalf("cannot get Secret %s: %v", name, err)
	}
	if !metav1.IsControlledBy(s, obj) {
		t.Errorf("Secret %s has controller %+v, want %s", name, metav1.GetControllerOf(s), obj.GetName())
	}
}

// connects waits until the connection Secret name holds details that
// connect to a PostgreSQL server as the user they name, in database db,
// with the password pw, and returns them.
func (f *fixture) connects(t *testing.T, name, db, pw string) map[string][]byte {
	t.Helper()
	var data map[string][]byte
	eventually(t, "connection Secret "+name+" connects", func() error {
		s := &corev1.Secret{}
		if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
			return err
		}
		data = s.Data
		if string(data["password"]) != pw {
			// Never print a password, even in a test.
			return fmt.Errorf("the connection Secret's password is not the expected one (keys %v)", slicesOf(data))
		}
		port, err := strconv.Atoi(string(data["port"]))
		if err != nil {
			return fmt.Errorf("port %q: %w", data["port"], err)
		}
		got, err := pgtest.Query(context.Background(), string(data["endpoint"]), port, string(data["username"]), pw, db, "SELECT current_user")
		if err != nil {
			return fmt.Errorf("cannot query %s:%d as %s: %w", data["endpoint"], port, data["username"], err)
		}
		if got != string(data["username"]) {
			return fmt.Errorf("current_user is %q, want %q", got, data["username"])
		}
		return nil
	})
	return data
}

// slicesOf returns the keys of a Secret's data, sorted.
func slicesOf(data map[string][]byte) []string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	return keys
}

// TestDatabaseInstanceLifecycle creates a Cloud SQL instance with a
// generated password, connects to it with its connection Secret, checks
// that an up-to-date instance costs no mutating call and no write, updates
// it, changes its password, and deletes it.
func TestDatabaseInstanceLifecycle(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-db")
	db.Spec.ForProvider.AutoGeneratePassword = new(true)
	db.Spec.ForProvider.Settings.UserLabels = map[string]string{"team": "platform"}
	f.create(t, db)
	f.ready(t, db)

	if got := meta.GetExternalName(db); got != db.Name {
		t.Fatalf("external name = %q, want the resource's name %q", got, db.Name)
	}
	at := db.Status.AtProvider
	if at.State != "RUNNABLE" || at.PublicIP == "" || at.ConnectionName != project+":us-central1:"+db.Name || at.SelfLink == "" || at.ServiceAccountEmailAddress == "" {
		t.Errorf("atProvider = %+v, want a RUNNABLE instance with a public IP, connection name, self link and service account", at)
	}
	// Late initialization records what Cloud SQL chose.
	if s := db.Spec.ForProvider.Settings; s.Edition == nil || *s.Edition != "ENTERPRISE" || s.DataDiskSizeGB == nil || *s.DataDiskSizeGB != 10 {
		t.Errorf("spec.forProvider.settings not late-initialized: edition %v, dataDiskSizeGb %v", s.Edition, s.DataDiskSizeGB)
	}

	// The generated password is in the password Secret and in the
	// connection details, which connect; it is nowhere in the resource.
	pw := string(f.secretData(t, db.Name+"-password")["password"])
	if len(pw) != 32 {
		t.Fatalf("generated password has %d characters, want 32", len(pw))
	}
	conn := f.connects(t, db.Name+"-conn", "postgres", pw)
	for k, want := range map[string]string{"port": "5432", "username": "postgres", "connectionName": at.ConnectionName, "publicIP": at.PublicIP, "endpoint": at.PublicIP} {
		if got := string(conn[k]); got != want {
			t.Errorf("connection Secret key %s = %q, want %q", k, got, want)
		}
	}
	f.wantControlledBy(t, db.Name+"-password", db)
	f.wantControlledBy(t, db.Name+"-conn", db)
	if !strings.Contains(string(conn["serverCACertificateCert"]), "BEGIN CERTIFICATE") {
		t.Errorf("connection Secret key serverCACertificateCert holds no certificate")
	}
	if h := db.GetAnnotations()[databaseinstance.AnnotationPasswordHash]; h == "" || strings.Contains(h, pw) {
		t.Errorf("annotation %s is empty or holds the password", databaseinstance.AnnotationPasswordHash)
	}

	// An instance in sync with its spec costs only reads, and no writes.
	time.Sleep(3 * time.Second)
	calls, before := f.Calls.Snapshot(), writesTo(db.Name)
	reads := f.Calls.Reads()
	time.Sleep(5 * time.Second)
	if f.Calls.Reads() <= reads {
		t.Fatal("no reads in 5 s with a 2 s poll: the instance was not reconciled, so the check proves nothing")
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating calls while nothing changed: %v", got)
	}
	if got := writesSince(before, db.Name); len(got) != 0 {
		t.Errorf("API server writes while nothing changed: %v", got)
	}

	// An update reaches Cloud SQL: settings are patched, labels replaced.
	f.updateWithRetry(t, db, func() {
		s := db.Spec.ForProvider.Settings
		s.DataDiskSizeGB = new(int64(20))
		s.UserLabels = map[string]string{"team": "data"}
		s.DatabaseFlags = []sqlv1beta1.DatabaseFlag{{Name: "max_connections", Value: "50"}}
		s.BackupConfiguration = &sqlv1beta1.BackupConfiguration{Enabled: new(true), StartTime: new("03:00")}
	})
	eventually(t, "settings patched in the local cloud", func() error {
		got, err := f.sqlInstance(t, db.Name)
		if err != nil {
			return err
		}
		s := got.Settings
		want := map[string]string{"team": "data", "stratus-uid": string(db.GetUID())}
		switch {
		case s.DataDiskSizeGb != 20:
			return fmt.Errorf("data disk is %d GB", s.DataDiskSizeGb)
		case !maps.Equal(s.UserLabels, want):
			return fmt.Errorf("labels are %v, want %v", s.UserLabels, want)
		case len(s.DatabaseFlags) != 1 || s.DatabaseFlags[0].Name != "max_connections":
			return fmt.Errorf("flags are %v", s.DatabaseFlags)
		case s.BackupConfiguration == nil || !s.BackupConfiguration.Enabled || s.BackupConfiguration.StartTime != "03:00":
			return fmt.Errorf("backup configuration is %+v", s.BackupConfiguration)
		}
		return nil
	})
	f.ready(t, db)

	// A new password in the Secret is set on the instance and published.
	f.updateSecret(t, db.Name+"-password", "password", "second-Password-2")
	f.connects(t, db.Name+"-conn", "postgres", "second-Password-2")

	f.deleteAndWait(t, db)
	if _, err := f.sqlInstance(t, db.Name); !isNotFound(err) {
		t.Errorf("Cloud SQL instance %s: got error %v, want it not found", db.Name, err)
	}
	// The local control plane has no garbage collector: the provider
	// deletes the Secrets the instance controls.
	f.wantNoSecret(t, db.Name+"-conn")
	f.wantNoSecret(t, db.Name+"-password")
}

// TestDatabaseInstanceUserPassword creates a Cloud SQL instance with an
// administrator password from a Secret the user wrote, and deletes it: the
// connection Secret goes with the instance, the user's Secret stays.
func TestDatabaseInstanceUserPassword(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-db")
	pwSecret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: db.Name + "-password"},
		StringData: map[string]string{"password": "users-Password-1"},
	}
	if err := f.env.Client.Create(context.Background(), pwSecret); err != nil {
		t.Fatal(err)
	}
	f.create(t, db)
	f.ready(t, db)
	f.connects(t, db.Name+"-conn", "postgres", "users-Password-1")

	f.deleteAndWait(t, db)
	f.wantNoSecret(t, db.Name+"-conn")
	if got := string(f.secretData(t, db.Name+"-password")["password"]); got != "users-Password-1" {
		t.Error("the user's password Secret changed when its instance was deleted")
	}
}

// updateSecret sets key of the Secret name in the test's namespace.
func (f *fixture) updateSecret(t *testing.T, name, key, value string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name}}
	f.updateWithRetry(t, s, func() {
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		s.Data[key] = []byte(value)
	})
}
