package gcp

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sqladmin/v1"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

func newPostgres(name, rootPassword string) *sqladmin.DatabaseInstance {
	return &sqladmin.DatabaseInstance{
		Name:            name,
		DatabaseVersion: "POSTGRES_15",
		Region:          "us-central1",
		RootPassword:    rootPassword,
		Settings: &sqladmin.Settings{
			Tier:       "db-custom-1-3840",
			UserLabels: map[string]string{"team": "data"},
		},
	}
}

// TestCloudSQLDatabaseLifecycle drives a Cloud SQL instance through the
// official client from creation to deletion, connecting to the real server
// with the endpoint and credentials the API gives.
func TestCloudSQLDatabaseLifecycle(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	_, srv := serve(t, env, Options{})
	c := sqlClient(t, srv.URL)

	op, err := c.Instances.Insert(testProject, newPostgres("orders", "root-pw'1")).Do()
	if err != nil {
		t.Fatalf("Instances.Insert: %v", err)
	}
	if op.Kind != "sql#operation" || op.OperationType != "CREATE" || op.TargetId != "orders" || op.Status != opPending {
		t.Errorf("Insert operation: got %+v", op)
	}
	got, err := c.Instances.Get(testProject, "orders").Do()
	if err != nil {
		t.Fatal(err)
	}
	if got.State != statePendingCreate {
		t.Errorf("state right after insert: want %s, got %s", statePendingCreate, got.State)
	}
	_, err = c.Instances.Insert(testProject, newPostgres("orders", "x")).Do()
	wantErr(t, "Insert of an existing name", err, apiErr{Code: http.StatusConflict, Reason: "instanceAlreadyExists"})
	_, err = c.Users.Insert(testProject, "orders", &sqladmin.User{Name: "early", Password: "x"}).Do()
	wantErr(t, "Users.Insert during creation", err, apiErr{Code: http.StatusConflict, Reason: "operationInProgress"})

	done := waitSQL(t, c, op)
	if done.Error != nil || done.StartTime == "" || done.EndTime == "" {
		t.Errorf("finished CREATE: got %+v", done)
	}
	got, err = c.Instances.Get(testProject, "orders").Do()
	if err != nil {
		t.Fatal(err)
	}
	if got.State != stateRunnable || len(got.IpAddresses) != 1 || got.IpAddresses[0].Type != "PRIMARY" {
		t.Fatalf("created instance: state %s, addresses %+v", got.State, got.IpAddresses)
	}
	wantFields := map[string]string{
		"connectionName": testProject + ":us-central1:orders",
		"backendType":    "SECOND_GEN",
		"instanceType":   "CLOUD_SQL_INSTANCE",
		"gceZone":        "us-central1-a",
		"tier":           "db-custom-1-3840",
		"label":          "data",
		"selfLink":       sqlBase + testProject + "/instances/orders",
	}
	gotFields := map[string]string{
		"connectionName": got.ConnectionName,
		"backendType":    got.BackendType,
		"instanceType":   got.InstanceType,
		"gceZone":        got.GceZone,
		"tier":           got.Settings.Tier,
		"label":          got.Settings.UserLabels["team"],
		"selfLink":       got.SelfLink,
	}
	if diff := cmp.Diff(wantFields, gotFields); diff != "" {
		t.Errorf("Instances.Get(...): -want, +got:\n%s", diff)
	}
	if got.Settings.SettingsVersion != 1 || got.Settings.DataDiskSizeGb != 10 || got.Settings.ActivationPolicy != policyAlways || got.RootPassword != "" || got.Etag == "" {
		t.Errorf("created instance settings: %+v", got.Settings)
	}
	if b, _ := pem.Decode([]byte(got.ServerCaCert.Cert)); b == nil {
		t.Errorf("serverCaCert is not PEM: %q", got.ServerCaCert.Cert)
	} else if cert, err := x509.ParseCertificate(b.Bytes); err != nil || !cert.IsCA {
		t.Errorf("serverCaCert: %v, CA %v", err, cert != nil && cert.IsCA)
	}
	host := got.IpAddresses[0].IpAddress
	if out, err := pgtest.Query(ctx, host, 5432, "postgres", "root-pw'1", "postgres", "SELECT current_user"); err != nil || out != "postgres" {
		t.Fatalf("connect as postgres to %s:5432: %q, %v", host, out, err)
	}

	// A second user and a database of its own.
	waitSQL(t, c, mustOp(t)(c.Users.Insert(testProject, "orders", &sqladmin.User{Name: "app", Password: "app-pw"}).Do()))
	_, err = c.Users.Insert(testProject, "orders", &sqladmin.User{Name: "app", Password: "again"}).Do()
	wantErr(t, "Users.Insert of an existing user", err, apiErr{Code: http.StatusConflict, Reason: "alreadyExists"})
	waitSQL(t, c, mustOp(t)(c.Databases.Insert(testProject, "orders", &sqladmin.Database{Name: "shop"}).Do()))
	users, err := c.Users.List(testProject, "orders").Do()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"app", "postgres"}, userNames(users.Items)); diff != "" {
		t.Errorf("Users.List(...): -want, +got:\n%s", diff)
	}
	if u, err := c.Users.Get(testProject, "orders", "app").Do(); err != nil || u.Name != "app" || u.Kind != "sql#user" {
		t.Errorf("Users.Get(app): %+v, %v", u, err)
	}
	_, err = c.Users.Get(testProject, "orders", "nobody").Do()
	wantErr(t, "Users.Get of a missing user", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})
	dbs, err := c.Databases.List(testProject, "orders").Do()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"postgres", "shop"}, databaseNames(dbs.Items)); diff != "" {
		t.Errorf("Databases.List(...): -want, +got:\n%s", diff)
	}
	if d, err := c.Databases.Get(testProject, "orders", "shop").Do(); err != nil || d.Charset != "UTF8" || d.Collation != "en_US.UTF8" {
		t.Errorf("Databases.Get(shop): %+v, %v", d, err)
	}
	_, err = c.Databases.Insert(testProject, "orders", &sqladmin.Database{Name: "shop"}).Do()
	wantErr(t, "Databases.Insert of an existing database", err, apiErr{Code: http.StatusConflict, Reason: "alreadyExists"})
	if out, err := pgtest.Query(ctx, host, 5432, "app", "app-pw", "shop", "SELECT current_user || '@' || current_database()"); err != nil || out != "app@shop" {
		t.Fatalf("connect as app to shop: %q, %v", out, err)
	}
	if out, err := pgtest.Query(ctx, host, 5432, "app", "app-pw", "shop", "SELECT pg_has_role('app', 'cloudsqlsuperuser', 'MEMBER')::text"); err != nil || out != "true" {
		t.Errorf("app is a member of cloudsqlsuperuser: %q, %v", out, err)
	}

	// Modify: tier and storage, then the user's password.
	patch := &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{Tier: "db-custom-2-7680", DataDiskSizeGb: 20, SettingsVersion: 1}}
	pop := mustOp(t)(c.Instances.Patch(testProject, "orders", patch).Do())
	_, err = c.Instances.Patch(testProject, "orders", patch).Do()
	wantErr(t, "Patch while a patch runs", err, apiErr{Code: http.StatusConflict, Reason: "operationInProgress"})
	if got, _ := c.Instances.Get(testProject, "orders").Do(); got.Settings.Tier != "db-custom-1-3840" {
		t.Errorf("tier while the patch runs: want the old one, got %s", got.Settings.Tier)
	}
	waitSQL(t, c, pop)
	got, err = c.Instances.Get(testProject, "orders").Do()
	if err != nil {
		t.Fatal(err)
	}
	if got.Settings.Tier != "db-custom-2-7680" || got.Settings.DataDiskSizeGb != 20 || got.Settings.SettingsVersion != 2 || got.Settings.UserLabels["team"] != "data" {
		t.Errorf("patched settings: tier %s, disk %d, version %d, labels %v", got.Settings.Tier, got.Settings.DataDiskSizeGb, got.Settings.SettingsVersion, got.Settings.UserLabels)
	}
	_, err = c.Instances.Patch(testProject, "orders", patch).Do()
	wantErr(t, "Patch with a stale settingsVersion", err, apiErr{Code: http.StatusPreconditionFailed, Reason: "staleData"})
	_, err = c.Instances.Patch(testProject, "orders", &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{DataDiskSizeGb: 15}}).Do()
	wantErr(t, "Patch shrinking the disk", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	waitSQL(t, c, mustOp(t)(c.Users.Update(testProject, "orders", &sqladmin.User{Password: "app-pw-2"}).Name("app").Do()))
	if _, err := pgtest.Query(ctx, host, 5432, "app", "app-pw", "shop", "SELECT 'x'"); err == nil {
		t.Error("the old password still connects")
	}
	if out, err := pgtest.Query(ctx, host, 5432, "app", "app-pw-2", "shop", "SELECT 'new'"); err != nil || out != "new" {
		t.Errorf("connect with the new password: %q, %v", out, err)
	}

	// Deletion protection keeps the instance until it is turned off.
	waitSQL(t, c, mustOp(t)(c.Instances.Patch(testProject, "orders", &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{DeletionProtectionEnabled: true}}).Do()))
	_, err = c.Instances.Delete(testProject, "orders").Do()
	wantErr(t, "Delete of a protected instance", err, apiErr{Code: http.StatusBadRequest, Reason: "protectedInstance"})
	off := &sqladmin.Settings{DeletionProtectionEnabled: false, ForceSendFields: []string{"DeletionProtectionEnabled"}}
	waitSQL(t, c, mustOp(t)(c.Instances.Patch(testProject, "orders", &sqladmin.DatabaseInstance{Settings: off}).Do()))

	ops, err := c.Operations.List(testProject).Instance("orders").Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(ops.Items) != 7 || ops.Items[0].OperationType != "UPDATE" || ops.Items[len(ops.Items)-1].OperationType != "CREATE" {
		t.Errorf("Operations.List: want 7 operations, newest first, got %d: %v", len(ops.Items), opTypes(ops.Items))
	}

	dop := mustOp(t)(c.Instances.Delete(testProject, "orders").Do())
	if got, _ := c.Instances.Get(testProject, "orders").Do(); got == nil || got.State != statePendingDelete {
		t.Errorf("state right after delete: %+v", got)
	}
	waitSQL(t, c, dop)
	_, err = c.Instances.Get(testProject, "orders").Do()
	wantErr(t, "Get after delete", err, apiErr{Code: http.StatusNotFound, Reason: "instanceDoesNotExist"})
	if _, err := pgtest.Query(ctx, host, 5432, "postgres", "root-pw'1", "postgres", "SELECT 'x'"); err == nil {
		t.Error("the deleted instance's server still accepts connections")
	}
	if s := env.PG.Servers(); len(s) != 0 {
		t.Errorf("PG.Servers() after delete: %+v", s)
	}
}

// TestCloudSQLInstances covers the other instance calls and what Cloud SQL
// refuses.
func TestCloudSQLInstances(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	svc, srv := serve(t, env, Options{})
	c := sqlClient(t, srv.URL)

	refused := map[string]struct {
		in   *sqladmin.DatabaseInstance
		want apiErr
	}{
		"MySQL": {
			in:   &sqladmin.DatabaseInstance{Name: "my", DatabaseVersion: "MYSQL_8_0", Settings: &sqladmin.Settings{Tier: "db-f1-micro"}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"DefaultEngineIsMySQL": {
			in:   &sqladmin.DatabaseInstance{Name: "my", Settings: &sqladmin.Settings{Tier: "db-f1-micro"}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"SQLServer": {
			in:   &sqladmin.DatabaseInstance{Name: "ms", DatabaseVersion: "SQLSERVER_2019_STANDARD", Settings: &sqladmin.Settings{Tier: "db-custom-2-7680"}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"BadTier": {
			in:   &sqladmin.DatabaseInstance{Name: "pg", DatabaseVersion: "POSTGRES_15", Settings: &sqladmin.Settings{Tier: "db-n1-standard-1"}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"NoSettings": {
			in:   &sqladmin.DatabaseInstance{Name: "pg", DatabaseVersion: "POSTGRES_15"},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"BadName": {
			in:   &sqladmin.DatabaseInstance{Name: "Bad_Name", DatabaseVersion: "POSTGRES_15", Settings: &sqladmin.Settings{Tier: "db-f1-micro"}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"UnknownRegion": {
			in:   &sqladmin.DatabaseInstance{Name: "pg", DatabaseVersion: "POSTGRES_15", Region: "mars-north1", Settings: &sqladmin.Settings{Tier: "db-f1-micro"}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
		"NoAddress": {
			in: &sqladmin.DatabaseInstance{Name: "pg", DatabaseVersion: "POSTGRES_15", Settings: &sqladmin.Settings{
				Tier: "db-f1-micro", IpConfiguration: &sqladmin.IpConfiguration{Ipv4Enabled: false, ForceSendFields: []string{"Ipv4Enabled"}},
			}},
			want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"},
		},
	}
	for name, tc := range refused {
		t.Run("Refuses"+name, func(t *testing.T) {
			_, err := c.Instances.Insert(testProject, tc.in).Do()
			wantErr(t, "Instances.Insert", err, tc.want)
		})
	}
	_, err := c.Instances.Insert(testProject, &sqladmin.DatabaseInstance{Name: "my", DatabaseVersion: "MYSQL_8_0", Settings: &sqladmin.Settings{Tier: "db-f1-micro"}}).Do()
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL only") {
		t.Errorf("MySQL refusal should say the local cloud runs PostgreSQL only: %v", err)
	}
	_, err = c.Instances.Get(testProject, "missing").Do()
	wantErr(t, "Get of a missing instance", err, apiErr{Code: http.StatusNotFound, Reason: "instanceDoesNotExist"})
	_, err = c.Operations.Get(testProject, "00000000-0000-0000-0000-000000000000").Do()
	wantErr(t, "Get of a missing operation", err, apiErr{Code: http.StatusNotFound, Reason: "operationDoesNotExist"})

	// An instance without a root password: postgres exists but cannot log
	// in until users.update gives it a password, as on Cloud SQL.
	in := newPostgres("nopw", "")
	in.Settings.IpConfiguration = &sqladmin.IpConfiguration{Ipv4Enabled: true, PrivateNetwork: "projects/" + testProject + "/global/networks/default"}
	waitSQL(t, c, mustOp(t)(c.Instances.Insert(testProject, in).Do()))
	got, err := c.Instances.Get(testProject, "nopw").Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.IpAddresses) != 2 || got.IpAddresses[1].Type != "PRIVATE" || got.IpAddresses[1].IpAddress != got.IpAddresses[0].IpAddress {
		t.Errorf("public and private addresses: %+v", got.IpAddresses)
	}
	host := got.IpAddresses[0].IpAddress
	if _, err := pgtest.Query(ctx, host, 5432, "postgres", "", "postgres", "SELECT 'x'"); err == nil {
		t.Error("postgres logged in without a password")
	}
	waitSQL(t, c, mustOp(t)(c.Users.Update(testProject, "nopw", &sqladmin.User{Password: "now-set"}).Name("postgres").Host("").Do()))
	if out, err := pgtest.Query(ctx, host, 5432, "postgres", "now-set", "postgres", "SELECT 'in'"); err != nil || out != "in" {
		t.Fatalf("postgres after its password was set: %q, %v", out, err)
	}

	// List, filter and page.
	list, err := c.Instances.List(testProject).Filter(`settings.userLabels.team = "data"`).Do()
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != "nopw" {
		t.Errorf("Instances.List with a filter: %+v, %v", list, err)
	}
	list, err = c.Instances.List(testProject).Filter("name = other").Do()
	if err != nil || len(list.Items) != 0 {
		t.Errorf("Instances.List with a filter matching nothing: %+v, %v", list, err)
	}
	_, err = c.Instances.List(testProject).Filter("name = (").Do()
	wantErr(t, "Instances.List with a bad filter", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	// Restart: the server goes down and comes back.
	waitSQL(t, c, mustOp(t)(c.Instances.Restart(testProject, "nopw").Do()))
	if out, err := pgtest.Query(ctx, host, 5432, "postgres", "now-set", "postgres", "SELECT 'back'"); err != nil || out != "back" {
		t.Errorf("after restart: %q, %v", out, err)
	}

	// Stop with activationPolicy NEVER, start again with ALWAYS.
	waitSQL(t, c, mustOp(t)(c.Instances.Patch(testProject, "nopw", &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{ActivationPolicy: policyNever}}).Do()))
	if got, _ := c.Instances.Get(testProject, "nopw").Do(); got.State != stateRunnable || got.Settings.ActivationPolicy != policyNever {
		t.Errorf("stopped instance: state %s, policy %s", got.State, got.Settings.ActivationPolicy)
	}
	if _, err := pgtest.Query(ctx, host, 5432, "postgres", "now-set", "postgres", "SELECT 'x'"); err == nil {
		t.Error("a stopped instance accepts connections")
	}
	_, err = c.Users.List(testProject, "nopw").Do()
	wantErr(t, "Users.List on a stopped instance", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})
	_, err = c.Instances.Restart(testProject, "nopw").Do()
	wantErr(t, "Restart of a stopped instance", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})
	waitSQL(t, c, mustOp(t)(c.Instances.Patch(testProject, "nopw", &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{ActivationPolicy: policyAlways}}).Do()))
	if out, err := pgtest.Query(ctx, host, 5432, "postgres", "now-set", "postgres", "SELECT 'started'"); err != nil || out != "started" {
		t.Errorf("after ALWAYS: %q, %v", out, err)
	}

	// Update (PUT) replaces the settings: labels left out are gone.
	cur, _ := c.Instances.Get(testProject, "nopw").Do()
	put := &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{Tier: "db-custom-1-3840", SettingsVersion: cur.Settings.SettingsVersion,
		DatabaseFlags: []*sqladmin.DatabaseFlags{{Name: "max_connections", Value: "30"}}, AvailabilityType: "REGIONAL"}}
	waitSQL(t, c, mustOp(t)(c.Instances.Update(testProject, "nopw", put).Do()))
	got, _ = c.Instances.Get(testProject, "nopw").Do()
	if len(got.Settings.UserLabels) != 0 || got.Settings.AvailabilityType != "REGIONAL" || len(got.Settings.DatabaseFlags) != 1 || got.Settings.SettingsVersion != cur.Settings.SettingsVersion+1 {
		t.Errorf("after update: labels %v, availability %s, flags %d, version %d", got.Settings.UserLabels, got.Settings.AvailabilityType, len(got.Settings.DatabaseFlags), got.Settings.SettingsVersion)
	}

	// Databases: patch keeps, delete removes; users: delete removes.
	waitSQL(t, c, mustOp(t)(c.Databases.Insert(testProject, "nopw", &sqladmin.Database{Name: "reports"}).Do()))
	waitSQL(t, c, mustOp(t)(c.Databases.Patch(testProject, "nopw", "reports", &sqladmin.Database{Charset: "UTF8"}).Do()))
	_, err = c.Databases.Patch(testProject, "nopw", "reports", &sqladmin.Database{Collation: "C"}).Do()
	wantErr(t, "Databases.Patch changing the collation", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})
	waitSQL(t, c, mustOp(t)(c.Databases.Delete(testProject, "nopw", "reports").Do()))
	_, err = c.Databases.Get(testProject, "nopw", "reports").Do()
	wantErr(t, "Databases.Get after delete", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})
	if _, err := pgtest.Query(ctx, host, 5432, "postgres", "now-set", "reports", "SELECT 'x'"); err == nil {
		t.Error("the deleted database still accepts connections")
	}
	waitSQL(t, c, mustOp(t)(c.Users.Insert(testProject, "nopw", &sqladmin.User{Name: "temp", Password: "t"}).Do()))
	waitSQL(t, c, mustOp(t)(c.Users.Delete(testProject, "nopw").Name("temp").Do()))
	if _, err := pgtest.Query(ctx, host, 5432, "temp", "t", "postgres", "SELECT 'x'"); err == nil {
		t.Error("the deleted user still connects")
	}
	_, err = c.Users.Delete(testProject, "nopw").Name("temp").Do()
	wantErr(t, "Users.Delete of a missing user", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})

	// A database operation that PostgreSQL refuses fails the operation.
	fop := waitSQL(t, c, mustOp(t)(c.Databases.Delete(testProject, "nopw", "postgres").Do()))
	if fop.Error == nil || len(fop.Error.Errors) != 1 {
		t.Errorf("dropping the database the server runs on should fail the operation: %+v", fop)
	}

	// Reset removes everything, servers included.
	if err := svc.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if s := env.PG.Servers(); len(s) != 0 {
		t.Errorf("PG.Servers() after Reset: %+v", s)
	}
	if list, err := c.Instances.List(testProject).Do(); err != nil || len(list.Items) != 0 {
		t.Errorf("Instances.List after Reset: %+v, %v", list, err)
	}
}

// mustOp returns a function that fails the test on a call's error and
// returns its operation.
func mustOp(t *testing.T) func(*sqladmin.Operation, error) *sqladmin.Operation {
	return func(op *sqladmin.Operation, err error) *sqladmin.Operation {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
}

func userNames(us []*sqladmin.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func databaseNames(ds []*sqladmin.Database) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func opTypes(ops []*sqladmin.Operation) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.OperationType)
	}
	return out
}
