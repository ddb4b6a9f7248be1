package azure

import (
	"context"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

type pgClients struct {
	servers   *armpostgresqlflexibleservers.ServersClient
	databases *armpostgresqlflexibleservers.DatabasesClient
	rules     *armpostgresqlflexibleservers.FirewallRulesClient
}

func (h *harness) pg(t *testing.T) pgClients {
	t.Helper()
	f, err := armpostgresqlflexibleservers.NewClientFactory(testSub, h.cred, h.options())
	if err != nil {
		t.Fatal(err)
	}
	return pgClients{servers: f.NewServersClient(), databases: f.NewDatabasesClient(), rules: f.NewFirewallRulesClient()}
}

func newServer(login, password string) armpostgresqlflexibleservers.Server {
	return armpostgresqlflexibleservers.Server{
		Location: new(testRegion),
		SKU:      &armpostgresqlflexibleservers.SKU{Name: new("Standard_D2ds_v5"), Tier: new(armpostgresqlflexibleservers.SKUTierGeneralPurpose)},
		Tags:     map[string]*string{"app": new("orders")},
		Properties: &armpostgresqlflexibleservers.ServerProperties{
			AdministratorLogin:         new(login),
			AdministratorLoginPassword: new(password),
			Version:                    new(armpostgresqlflexibleservers.PostgresMajorVersionFifteen),
			Storage:                    &armpostgresqlflexibleservers.Storage{StorageSizeGB: new(int32(32))},
			Backup:                     &armpostgresqlflexibleservers.Backup{BackupRetentionDays: new(int32(7))},
			Network:                    &armpostgresqlflexibleservers.Network{PublicNetworkAccess: new(armpostgresqlflexibleservers.ServerPublicNetworkAccessStateEnabled)},
			CreateMode:                 new(armpostgresqlflexibleservers.CreateModeDefault),
		},
	}
}

func TestFlexibleServerEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	c := h.pg(t)
	h.createGroup(t, "db-rg")
	const login, password, newPassword = "orders_admin", "Initial-Passw0rd", "Rotated-Passw0rd!"

	// Validation errors come back at once.
	bad := newServer(login, "short")
	_, err := c.servers.BeginCreateOrUpdate(ctx, "db-rg", "orders-bad", bad, nil)
	wantCode(t, "BeginCreateOrUpdate with a weak password", err, code{http.StatusBadRequest, "InvalidParameterValue"})
	bad = newServer(login, password)
	bad.SKU.Tier = new(armpostgresqlflexibleservers.SKUTierBurstable)
	bad.Properties.HighAvailability = &armpostgresqlflexibleservers.HighAvailability{Mode: new(armpostgresqlflexibleservers.HighAvailabilityModeZoneRedundant)}
	_, err = c.servers.BeginCreateOrUpdate(ctx, "db-rg", "orders-bad", bad, nil)
	wantCode(t, "BeginCreateOrUpdate with high availability on Burstable", err, code{http.StatusBadRequest, "InvalidParameterValue"})
	_, err = c.servers.BeginCreateOrUpdate(ctx, "missing-rg", "orders", newServer(login, password), nil)
	wantCode(t, "BeginCreateOrUpdate in a missing group", err, code{http.StatusNotFound, "ResourceGroupNotFound"})

	// Create: the server is Provisioning until its PostgreSQL server is up.
	p, err := c.servers.BeginCreateOrUpdate(ctx, "db-rg", "orders", newServer(login, password), nil)
	if err != nil {
		t.Fatalf("BeginCreateOrUpdate: %v", err)
	}
	resp, err := p.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	_ = resp.Body.Close()
	if p.Done() {
		t.Fatalf("Poll: done at once, want the creation in progress")
	}
	got, err := c.servers.Get(ctx, "db-rg", "orders", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(armpostgresqlflexibleservers.ServerStateProvisioning, *got.Properties.State); diff != "" {
		t.Errorf("Get while creating: -want state, +got:\n%s", diff)
	}
	if got.Properties.AdministratorLoginPassword != nil {
		t.Errorf("Get: the password is returned")
	}
	res, err := p.PollUntilDone(ctx, poll)
	if err != nil {
		t.Fatalf("PollUntilDone: %v", err)
	}
	sv := res.Server
	if diff := cmp.Diff(armpostgresqlflexibleservers.ServerStateReady, *sv.Properties.State); diff != "" {
		t.Errorf("created server: -want state, +got:\n%s", diff)
	}
	wantID := "/subscriptions/" + testSub + "/resourceGroups/db-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders"
	if diff := cmp.Diff(wantID, *sv.ID); diff != "" {
		t.Errorf("created server: -want ID, +got:\n%s", diff)
	}
	if sv.Properties.AdministratorLoginPassword != nil {
		t.Errorf("created server: the password is returned")
	}
	host := *sv.Properties.FullyQualifiedDomainName
	out, err := pgtest.Query(ctx, host, 5432, login, password, "postgres", "SELECT current_user")
	if err != nil {
		t.Fatalf("connect to %s:5432 as %s: %v", host, login, err)
	}
	if diff := cmp.Diff(login, out); diff != "" {
		t.Errorf("SELECT current_user: -want, +got:\n%s", diff)
	}

	// The same request again changes nothing and needs no polling.
	again, err := c.servers.BeginCreateOrUpdate(ctx, "db-rg", "orders", newServer(login, password), nil)
	if err != nil {
		t.Fatalf("BeginCreateOrUpdate again: %v", err)
	}
	if !again.Done() {
		t.Errorf("BeginCreateOrUpdate again: want a finished poller for an unchanged server")
	}
	if ids := h.svc.servers.IDs(); len(ids) != 1 {
		t.Errorf("servers after an idempotent create: %v", ids)
	}

	// A database, reachable with the administrator login.
	dp, err := c.databases.BeginCreate(ctx, "db-rg", "orders", "appdb", armpostgresqlflexibleservers.Database{Properties: &armpostgresqlflexibleservers.DatabaseProperties{Charset: new("UTF8")}}, nil)
	db := done(t, "databases.BeginCreate", dp, err)
	if diff := cmp.Diff(wantID+"/databases/appdb", *db.ID); diff != "" {
		t.Errorf("databases.BeginCreate: -want ID, +got:\n%s", diff)
	}
	if out, err := pgtest.Query(ctx, host, 5432, login, password, "appdb", "SELECT current_database()"); err != nil || out != "appdb" {
		t.Errorf("connect to appdb: %q, %v", out, err)
	}
	var dbs []string
	for pager := c.databases.NewListByServerPager("db-rg", "orders", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("NextPage: %v", err)
		}
		for _, d := range page.Value {
			dbs = append(dbs, *d.Name)
		}
	}
	if diff := cmp.Diff([]string{"appdb", "postgres"}, dbs); diff != "" {
		t.Errorf("databases.NewListByServerPager: -want, +got:\n%s", diff)
	}
	_, err = c.databases.Get(ctx, "db-rg", "orders", "nope", nil)
	wantCode(t, "databases.Get a missing database", err, code{http.StatusNotFound, "ResourceNotFound"})

	// Firewall rules are kept (not enforced).
	fp, err := c.rules.BeginCreateOrUpdate(ctx, "db-rg", "orders", "office", armpostgresqlflexibleservers.FirewallRule{Properties: &armpostgresqlflexibleservers.FirewallRuleProperties{StartIPAddress: new("10.1.0.0"), EndIPAddress: new("10.1.0.255")}}, nil)
	rule := done(t, "rules.BeginCreateOrUpdate", fp, err)
	if diff := cmp.Diff("10.1.0.255", *rule.Properties.EndIPAddress); diff != "" {
		t.Errorf("rules.BeginCreateOrUpdate: -want end, +got:\n%s", diff)
	}
	_, err = c.rules.BeginCreateOrUpdate(ctx, "db-rg", "orders", "reversed", armpostgresqlflexibleservers.FirewallRule{Properties: &armpostgresqlflexibleservers.FirewallRuleProperties{StartIPAddress: new("10.1.0.9"), EndIPAddress: new("10.1.0.1")}}, nil)
	wantCode(t, "rules.BeginCreateOrUpdate reversed", err, code{http.StatusBadRequest, "InvalidParameterValue"})

	// Update size, storage and password: Updating, then reflected.
	up, err := c.servers.BeginUpdate(ctx, "db-rg", "orders", armpostgresqlflexibleservers.ServerForPatch{
		SKU: &armpostgresqlflexibleservers.SKUForPatch{Name: new("Standard_D4ds_v5"), Tier: new(armpostgresqlflexibleservers.SKUTierGeneralPurpose)},
		Properties: &armpostgresqlflexibleservers.ServerPropertiesForPatch{
			Storage:                    &armpostgresqlflexibleservers.Storage{StorageSizeGB: new(int32(64))},
			AdministratorLoginPassword: new(newPassword),
		},
	}, nil)
	if err != nil {
		t.Fatalf("BeginUpdate: %v", err)
	}
	got, err = c.servers.Get(ctx, "db-rg", "orders", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(armpostgresqlflexibleservers.ServerStateUpdating, *got.Properties.State); diff != "" {
		t.Errorf("Get while updating: -want state, +got:\n%s", diff)
	}
	upd, err := up.PollUntilDone(ctx, poll)
	if err != nil {
		t.Fatalf("BeginUpdate: PollUntilDone: %v", err)
	}
	type shape struct {
		State   armpostgresqlflexibleservers.ServerState
		SKU     string
		Storage int32
		Host    string
		Tags    map[string]*string
	}
	want := shape{armpostgresqlflexibleservers.ServerStateReady, "Standard_D4ds_v5", 64, host, map[string]*string{"app": new("orders")}}
	if diff := cmp.Diff(want, shape{*upd.Properties.State, *upd.SKU.Name, *upd.Properties.Storage.StorageSizeGB, *upd.Properties.FullyQualifiedDomainName, upd.Tags}); diff != "" {
		t.Errorf("updated server: -want, +got:\n%s", diff)
	}
	if out, err := pgtest.Query(ctx, host, 5432, login, newPassword, "postgres", "SELECT 'new password works'"); err != nil || out != "new password works" {
		t.Errorf("connect with the new password: %q, %v", out, err)
	}
	if _, err := pgtest.Query(ctx, host, 5432, login, password, "postgres", "SELECT 1::text"); err == nil {
		t.Errorf("the old password still connects")
	}
	_, err = c.servers.BeginUpdate(ctx, "db-rg", "orders", armpostgresqlflexibleservers.ServerForPatch{
		Properties: &armpostgresqlflexibleservers.ServerPropertiesForPatch{Storage: &armpostgresqlflexibleservers.Storage{StorageSizeGB: new(int32(32))}},
	}, nil)
	wantCode(t, "BeginUpdate shrinking storage", err, code{http.StatusBadRequest, "InvalidParameterValue"})

	// Stop and start.
	sp, err := c.servers.BeginStop(ctx, "db-rg", "orders", nil)
	done(t, "BeginStop", sp, err)
	got, err = c.servers.Get(ctx, "db-rg", "orders", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(armpostgresqlflexibleservers.ServerStateStopped, *got.Properties.State); diff != "" {
		t.Errorf("Get after stop: -want state, +got:\n%s", diff)
	}
	if _, err := pgtest.Query(ctx, host, 5432, login, newPassword, "postgres", "SELECT 1::text"); err == nil {
		t.Errorf("a stopped server accepts connections")
	}
	_, err = c.databases.BeginCreate(ctx, "db-rg", "orders", "other", armpostgresqlflexibleservers.Database{}, nil)
	wantCode(t, "databases.BeginCreate on a stopped server", err, code{http.StatusBadRequest, "ServerStoppedError"})
	_, err = c.servers.BeginStop(ctx, "db-rg", "orders", nil)
	wantCode(t, "BeginStop a stopped server", err, code{http.StatusConflict, "ServerIsNotReady"})
	stp, err := c.servers.BeginStart(ctx, "db-rg", "orders", nil)
	done(t, "BeginStart", stp, err)
	if out, err := pgtest.Query(ctx, host, 5432, login, newPassword, "appdb", "SELECT current_database()"); err != nil || out != "appdb" {
		t.Errorf("connect after start: %q, %v", out, err)
	}
	rp, err := c.servers.BeginRestart(ctx, "db-rg", "orders", nil)
	done(t, "BeginRestart", rp, err)
	if _, err := pgtest.Query(ctx, host, 5432, login, newPassword, "postgres", "SELECT 1::text"); err != nil {
		t.Errorf("connect after restart: %v", err)
	}

	// Drop the database and the rule.
	ddp, err := c.databases.BeginDelete(ctx, "db-rg", "orders", "appdb", nil)
	done(t, "databases.BeginDelete", ddp, err)
	if _, err := pgtest.Query(ctx, host, 5432, login, newPassword, "appdb", "SELECT 1::text"); err == nil {
		t.Errorf("the dropped database still accepts connections")
	}
	_, err = c.databases.BeginDelete(ctx, "db-rg", "orders", "postgres", nil)
	wantCode(t, "databases.BeginDelete postgres", err, code{http.StatusBadRequest, "InvalidParameterValue"})
	frp, err := c.rules.BeginDelete(ctx, "db-rg", "orders", "office", nil)
	done(t, "rules.BeginDelete", frp, err)
	_, err = c.rules.Get(ctx, "db-rg", "orders", "office", nil)
	wantCode(t, "rules.Get a deleted rule", err, code{http.StatusNotFound, "ResourceNotFound"})

	// Delete the server: Dropping, then gone with its PostgreSQL server.
	delp, err := c.servers.BeginDelete(ctx, "db-rg", "orders", nil)
	if err != nil {
		t.Fatalf("BeginDelete: %v", err)
	}
	got, err = c.servers.Get(ctx, "db-rg", "orders", nil)
	if err != nil {
		t.Fatalf("Get while deleting: %v", err)
	}
	if diff := cmp.Diff(armpostgresqlflexibleservers.ServerStateDropping, *got.Properties.State); diff != "" {
		t.Errorf("Get while deleting: -want state, +got:\n%s", diff)
	}
	done(t, "BeginDelete", delp, nil)
	_, err = c.servers.Get(ctx, "db-rg", "orders", nil)
	wantCode(t, "Get a deleted server", err, code{http.StatusNotFound, "ResourceNotFound"})
	if _, err := pgtest.Query(ctx, host, 5432, login, newPassword, "postgres", "SELECT 1::text"); err == nil {
		t.Errorf("the deleted server still accepts connections")
	}
	if diff := cmp.Diff(0, len(h.env.PG.Servers())); diff != "" {
		t.Errorf("PG.Servers() after delete: -want count, +got:\n%s", diff)
	}
	if n := len(h.svc.servers.IDs()) + len(h.svc.databases.IDs()) + len(h.svc.rules.IDs()); n != 0 {
		t.Errorf("rows left after delete: %d", n)
	}
}
