package azure

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	dbv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/controller/dbforpostgresql/flexibleserver"
	"github.com/stratus-dev/stratus/test/harness"
)

// admin is the administrator login of the tests' servers.
const admin = "stratus"

// newServer returns a flexible server managed resource in resource group rg
// (by reference) whose administrator password is in the key password of the
// Secret <name>-password and whose connection details go to the Secret
// <name>-conn, both in the test's namespace.
func (f *fixture) newServer(name, rg string) *dbv1beta1.FlexibleServer {
	return &dbv1beta1.FlexibleServer{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: dbv1beta1.FlexibleServerSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: name + "-conn"},
			},
			ForProvider: dbv1beta1.FlexibleServerParameters{
				ResourceGroupNameRef: &xpv2.Reference{Name: rg},
				Location:             new(location),
				Version:              new("15"),
				SKUName:              new("Standard_B1ms"),
				SKUTier:              new("Burstable"),
				StorageSizeGB:        new(int32(32)),
				AdministratorLogin:   new(admin),
				AdministratorPasswordSecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: name + "-password"},
					Key:             "password",
				},
			},
		},
	}
}

// server returns the flexible server name of group rg from the local cloud.
func (f *fixture) server(t *testing.T, rg, name string) (*armpostgresqlflexibleservers.Server, error) {
	t.Helper()
	rsp, err := f.Servers(t).Get(context.Background(), rg, name, nil)
	if err != nil {
		return nil, err
	}
	return &rsp.Server, nil
}

// serverNames returns the names of the servers of group rg in the local
// cloud.
func (f *fixture) serverNames(t *testing.T, rg string) []string {
	t.Helper()
	var names []string
	p := f.Servers(t).NewListByResourceGroupPager(rg, nil)
	for p.More() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Value {
			names = append(names, *s.Name)
		}
	}
	return names
}

// connect waits until the connection Secret of s holds what a client needs,
// with password, and runs a query on database db with it.
func (f *fixture) connect(t *testing.T, s *dbv1beta1.FlexibleServer, password, db string) {
	t.Helper()
	ref := s.Spec.WriteConnectionSecretToReference
	var data map[string][]byte
	eventually(t, "connection details published", func() error {
		sec := &corev1.Secret{}
		if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, sec); err != nil {
			return err
		}
		data = sec.Data
		for k, v := range map[string]string{"endpoint": s.Status.AtProvider.FQDN, "port": "5432", "username": admin} {
			if got := string(data[k]); got != v || v == "" {
				return fmt.Errorf("connection Secret key %s = %q, want %q", k, got, v)
			}
		}
		if string(data["password"]) != password {
			// Never print a password, even in a test.
			return fmt.Errorf("connection Secret key password is not the administrator password")
		}
		return nil
	})
	got, err := pgtest.Query(context.Background(), string(data["endpoint"]), 5432, string(data["username"]), string(data["password"]), db, "SELECT current_user || '@' || current_database()")
	if err != nil {
		t.Fatalf("cannot query the server with its connection Secret: %v", err)
	}
	if want := admin + "@" + db; got != want {
		t.Errorf("query answered %q, want %q", got, want)
	}
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

// TestFlexibleServerLifecycle creates a server with a generated password,
// connects to it with its connection Secret, checks that an up-to-date
// server costs no mutating call, updates it (a PATCH of what changed, then a
// new password from the Secret) and deletes it.
func TestFlexibleServerLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))
	s := f.newServer(f.name("db"), rg.Name)
	s.Spec.ForProvider.AutoGeneratePassword = new(true)
	s.Spec.ForProvider.Tags = map[string]string{"team": "platform"}
	f.create(t, s)
	f.ready(t, s)

	name := meta.GetExternalName(s)
	if name != s.Name || deref(s.Spec.ForProvider.ResourceGroupName) != rg.Name {
		t.Fatalf("external name %q, resource group %v: want %s in %s", name, s.Spec.ForProvider.ResourceGroupName, s.Name, rg.Name)
	}
	at := s.Status.AtProvider
	if at.State != "Ready" || at.FQDN == "" || !strings.HasSuffix(at.ID, "/flexibleServers/"+name) || at.Version != "15" || at.StorageSizeGB != 32 {
		t.Errorf("atProvider = %+v, want a Ready 15 server of 32 GiB with an FQDN and ID", at)
	}
	// Late initialization records what Azure chose.
	if fp := s.Spec.ForProvider; deref(fp.HighAvailability) != "Disabled" || deref(fp.PublicNetworkAccess) != "Enabled" || deref(fp.BackupRetentionDays) != 7 {
		t.Errorf("spec.forProvider not late-initialized: %+v", fp)
	}

	// The generated password is in the password Secret and in the
	// connection details, and nowhere in the resource; the details
	// connect.
	pw := string(f.secretData(t, s.Name+"-password")["password"])
	if len(pw) != 32 {
		t.Fatalf("generated password has %d characters, want 32", len(pw))
	}
	f.connect(t, s, pw, "postgres")
	f.wantControlledBy(t, s.Name+"-password", s)
	f.wantControlledBy(t, s.Name+"-conn", s)
	if h := s.GetAnnotations()[flexibleserver.AnnotationPasswordHash]; h == "" || strings.Contains(h, pw) {
		t.Errorf("annotation %s is empty or holds the password", flexibleserver.AnnotationPasswordHash)
	}

	// A server in sync with its spec costs only reads.
	f.quiet(t)
	calls, w := f.Calls.Snapshot(), writes.Snapshot()
	time.Sleep(4 * pollInterval)
	if got := f.Calls.Snapshot(); got["GET /subscriptions/"+subscription+"/resourcegroups/"+strings.ToLower(rg.Name)+"/providers/microsoft.dbforpostgresql/flexibleservers/"+strings.ToLower(name)] <= calls["GET /subscriptions/"+subscription+"/resourcegroups/"+strings.ToLower(rg.Name)+"/providers/microsoft.dbforpostgresql/flexibleservers/"+strings.ToLower(name)] {
		t.Fatal("no GET of the server in 4 poll intervals: it was not reconciled, so the check proves nothing")
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating calls while nothing changed: %v", got)
	}
	if got := writes.Since(w, f.id); len(got) != 0 {
		t.Errorf("API server writes while nothing changed: %v", got)
	}

	// An update reaches the cloud in one PATCH.
	patches := f.Calls.Count("PATCH", "/flexibleservers/"+name)
	f.update(t, s, func() {
		s.Spec.ForProvider.StorageSizeGB = new(int32(64))
		s.Spec.ForProvider.BackupRetentionDays = new(int32(14))
		s.Spec.ForProvider.Tags["team"] = "data"
	})
	eventually(t, "storage, backups and tags updated in the cloud", func() error {
		got, err := f.server(t, rg.Name, name)
		if err != nil {
			return err
		}
		p := got.Properties
		if *p.Storage.StorageSizeGB != 64 || *p.Backup.BackupRetentionDays != 14 || deref(got.Tags["team"]) != "data" || *p.State != "Ready" {
			return fmt.Errorf("server has %d GiB, %d days of backups, tags %v, state %s", *p.Storage.StorageSizeGB, *p.Backup.BackupRetentionDays, fromPtrMap(got.Tags), *p.State)
		}
		return nil
	})
	if n := f.Calls.Count("PATCH", "/flexibleservers/"+name) - patches; n != 1 {
		t.Errorf("%d PATCHes of the server for one change, want 1", n)
	}
	if got := string(f.secretData(t, s.Name+"-password")["password"]); got != pw {
		t.Error("the generated password changed")
	}

	// A new password in the Secret is set on the server and published.
	hash := s.GetAnnotations()[flexibleserver.AnnotationPasswordHash]
	pwSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: s.Name + "-password"}}
	f.update(t, pwSecret, func() { pwSecret.Data = map[string][]byte{"password": []byte("second-Password-2")} })
	f.env.WaitFor(t, s, timeout, func(client.Object) (bool, string) {
		if h := s.GetAnnotations()[flexibleserver.AnnotationPasswordHash]; h == hash {
			return false, "the recorded password hash did not change"
		}
		return true, ""
	})
	f.connect(t, s, "second-Password-2", "postgres")
	if _, err := pgtest.Query(ctx, s.Status.AtProvider.FQDN, 5432, admin, pw, "postgres", "SELECT 1"); err == nil {
		t.Error("the old password still works")
	}

	f.deleteAndWait(t, s)
	if _, err := f.server(t, rg.Name, name); !isNotFound(err) {
		t.Errorf("server %s: got error %v, want it gone from the cloud", name, err)
	}
	// The local control plane has no garbage collector: the provider
	// deletes the Secrets the server controls.
	f.wantNoSecret(t, s.Name+"-conn")
	f.wantNoSecret(t, s.Name+"-password")
}

// TestFlexibleServerUserPassword creates a server with an administrator
// password from a Secret the user wrote, and deletes it: the connection
// Secret goes with the server, the user's Secret stays.
func TestFlexibleServerUserPassword(t *testing.T) {
	f := setUp(t)
	rg := f.readyResourceGroup(t, f.name("rg"))
	s := f.newServer(f.name("db"), rg.Name)
	pwSecret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: s.Name + "-password"},
		StringData: map[string]string{"password": "users-Password-1"},
	}
	if err := f.env.Client.Create(context.Background(), pwSecret); err != nil {
		t.Fatal(err)
	}
	f.create(t, s)
	f.ready(t, s)
	f.connect(t, s, "users-Password-1", "postgres")

	f.deleteAndWait(t, s)
	f.wantNoSecret(t, s.Name+"-conn")
	if got := string(f.secretData(t, s.Name+"-password")["password"]); got != "users-Password-1" {
		t.Error("the user's password Secret changed when its server was deleted")
	}
}

// TestFlexibleServerCreateInterrupted simulates a provider that stopped
// after Azure accepted a create but before the create was recorded: the next
// reconcile must adopt the server (found by its name, the resource's name),
// not create a second one, and give it the password it knows.
func TestFlexibleServerCreateInterrupted(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))
	s := f.newServer(f.name("db"), rg.Name)
	s.Spec.ForProvider.AutoGeneratePassword = new(true)
	// Nothing reconciles it yet.
	s.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	f.create(t, s)
	// The state a crash leaves: the create is pending and Azure has the
	// server, created with a password nobody recorded.
	if _, err := f.Servers(t).BeginCreateOrUpdate(ctx, rg.Name, s.Name, armpostgresqlflexibleservers.Server{
		Location: new(location),
		Properties: &armpostgresqlflexibleservers.ServerProperties{
			AdministratorLogin:         new(admin),
			AdministratorLoginPassword: new("lost-In-the-crash-1"),
		},
	}, nil); err != nil {
		t.Fatal(err)
	}
	f.update(t, s, func() {
		meta.SetExternalCreatePending(s, time.Now())
		s.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	})
	f.ready(t, s)
	if got := f.serverNames(t, rg.Name); len(got) != 1 || got[0] != s.Name {
		t.Fatalf("servers in the cloud = %v, want exactly %s", got, s.Name)
	}
	// The adopted server gets the password Stratus knows, and its tags.
	pw := string(f.secretData(t, s.Name+"-password")["password"])
	f.connect(t, s, pw, "postgres")
	got, err := f.server(t, rg.Name, s.Name)
	if err != nil {
		t.Fatal(err)
	}
	if v := deref(got.Tags[tagUID]); v != string(s.GetUID()) {
		t.Errorf("tag %s of the adopted server = %q, want the resource's UID", tagUID, v)
	}
}

// TestFlexibleServerInvalid creates a server Azure rejects (a storage size
// it does not offer): the resource reports Azure's message, never the
// password, and nothing is created.
func TestFlexibleServerInvalid(t *testing.T) {
	f := setUp(t)
	rg := f.readyResourceGroup(t, f.name("rg"))
	s := f.newServer(f.name("db"), rg.Name)
	s.Spec.ForProvider.AutoGeneratePassword = new(true)
	s.Spec.ForProvider.StorageSizeGB = new(int32(33))
	f.create(t, s)
	f.env.WaitFor(t, s, timeout, func(client.Object) (bool, string) {
		c := s.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "InvalidParameterValue") || !strings.Contains(c.Message, "storage size 33 GB is not supported") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	if c := s.GetCondition(xpv2.TypeReady); c.Status == corev1.ConditionTrue {
		t.Errorf("Ready = True for a server Azure rejected")
	}
	pw := string(f.secretData(t, s.Name+"-password")["password"])
	for _, c := range s.Status.Conditions {
		if pw == "" || strings.Contains(c.Message, pw) {
			t.Errorf("condition %s holds the administrator password (or no password was generated)", c.Type)
		}
	}
	if contains(f.warnings(t, s.Name), pw) {
		t.Error("an event holds the administrator password")
	}
	if got := f.serverNames(t, rg.Name); len(got) != 0 {
		t.Errorf("servers in the cloud = %v, want none", got)
	}
}

// TestFlexibleServerFailedOperation deletes a server in the cloud while the
// create Stratus started is in progress, which cancels the create: the
// failed operation's error surfaces on the resource (and in an event), and
// the next reconciles create the server again.
func TestFlexibleServerFailedOperation(t *testing.T) {
	f := setUp(t, withDelays(cloud.Delays{Create: 6 * time.Second, Modify: delay, Delete: delay, Start: delay, Stop: delay}))
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))
	s := f.newServer(f.name("db"), rg.Name)
	s.Spec.ForProvider.AutoGeneratePassword = new(true)
	f.create(t, s)
	f.env.WaitFor(t, s, timeout, harness.HasCondition("Ready", "False"))
	if c := f.condition(t, s, xpv2.TypeReady); c.Reason != xpv2.ReasonCreating {
		t.Fatalf("Ready reason %q while the server is created, want %q", c.Reason, xpv2.ReasonCreating)
	}
	if _, err := f.Servers(t).BeginDelete(ctx, rg.Name, s.Name, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the failed create reported", func() error {
		if contains(f.warnings(t, s.Name), "OperationPreempted") {
			return nil
		}
		return fmt.Errorf("warnings: %v", f.warnings(t, s.Name))
	})
	f.ready(t, s)
	if got := f.serverNames(t, rg.Name); len(got) != 1 {
		t.Errorf("servers in the cloud = %v, want the one created again", got)
	}
}

// TestFlexibleServerSchema checks the rules the API server enforces before
// the provider sees a server.
func TestFlexibleServerSchema(t *testing.T) {
	f := setUp(t)
	cases := map[string]struct {
		mutate func(*dbv1beta1.FlexibleServer)
		want   string
	}{
		"AutoGenerateWithoutSecret": {
			mutate: func(s *dbv1beta1.FlexibleServer) {
				s.Spec.ForProvider.AutoGeneratePassword = new(true)
				s.Spec.ForProvider.AdministratorPasswordSecretRef = nil
			},
			want: "autoGeneratePassword requires administratorPasswordSecretRef",
		},
		"NoResourceGroup": {
			mutate: func(s *dbv1beta1.FlexibleServer) { s.Spec.ForProvider.ResourceGroupNameRef = nil },
			want:   "spec.forProvider.resourceGroupName, resourceGroupNameRef or resourceGroupNameSelector is required",
		},
		"NoLogin": {
			mutate: func(s *dbv1beta1.FlexibleServer) { s.Spec.ForProvider.AdministratorLogin = nil },
			want:   "spec.forProvider.administratorLogin is required to create a flexible server",
		},
		"UnknownTier": {
			mutate: func(s *dbv1beta1.FlexibleServer) { s.Spec.ForProvider.SKUTier = new("Huge") },
			want:   "Unsupported value",
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			s := f.newServer(f.name(strings.ToLower(n)), "rg")
			tc.mutate(s)
			err := f.env.Client.Create(context.Background(), s)
			if err == nil {
				_ = f.env.Client.Delete(context.Background(), s)
				t.Fatalf("the API server accepted the server, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}
