package azure

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

func TestRestart(t *testing.T) {
	t.Parallel()
	dir := pgtest.Dir(t)
	ctx := context.Background()
	const login, password = "app_admin", "Restart-Passw0rd"
	var addr, host, token string

	// Before: a server with a database, a database and a virtual network
	// still being created when the local cloud stops.
	t.Run("Before", func(t *testing.T) {
		slow := cloudtest.FastDelays()
		slow.Modify, slow.Create = 2*time.Second, 2*time.Second
		h := startHarness(t, cloudtest.NewEnv(t, dir, slow), "")
		addr = h.srv.Listener.Addr().String()
		h.createGroup(t, "keep-rg")
		c := h.pg(t)
		p, err := c.servers.BeginCreateOrUpdate(ctx, "keep-rg", "kept", newServer(login, password), nil)
		sv := done(t, "BeginCreateOrUpdate", p, err)
		host = *sv.Properties.FullyQualifiedDomainName
		if _, err := c.databases.BeginCreate(ctx, "keep-rg", "kept", "late", armpostgresqlflexibleservers.Database{}, nil); err != nil {
			t.Fatalf("databases.BeginCreate: %v", err)
		}
		vp, err := h.net(t).vnets.BeginCreateOrUpdate(ctx, "keep-rg", "vnet", vnet("10.30.0.0/16", map[string]string{"a": "10.30.1.0/24"}), nil)
		if err != nil {
			t.Fatalf("vnets.BeginCreateOrUpdate: %v", err)
		}
		if token, err = vp.ResumeToken(); err != nil {
			t.Fatalf("ResumeToken: %v", err)
		}
		// The test's cleanups stop the server, Tick and the PostgreSQL
		// servers, as a stopping local cloud does.
	})
	if t.Failed() {
		return
	}

	// After: a new service over the same folder, on the same address.
	h := startHarness(t, cloudtest.NewEnv(t, dir, cloudtest.FastDelays()), addr)
	c := h.pg(t)
	n := h.net(t)

	// The poller the client held across the restart finishes.
	vp, err := n.vnets.BeginCreateOrUpdate(ctx, "keep-rg", "vnet", armnetwork.VirtualNetwork{}, &armnetwork.VirtualNetworksClientBeginCreateOrUpdateOptions{ResumeToken: token})
	v := done(t, "resumed vnets.BeginCreateOrUpdate", vp, err)
	if diff := cmp.Diff(armnetwork.ProvisioningStateSucceeded, *v.Properties.ProvisioningState); diff != "" {
		t.Errorf("resumed vnet: -want, +got:\n%s", diff)
	}

	// The server comes back Ready at the same endpoint, with its data and
	// the database created across the restart.
	eventually(t, "the server is Ready again", 30*time.Second, func() bool {
		got, err := c.servers.Get(ctx, "keep-rg", "kept", nil)
		return err == nil && *got.Properties.State == armpostgresqlflexibleservers.ServerStateReady
	})
	got, err := c.servers.Get(ctx, "keep-rg", "kept", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(host, *got.Properties.FullyQualifiedDomainName); diff != "" {
		t.Errorf("endpoint after restart: -want, +got:\n%s", diff)
	}
	eventually(t, "the database created across the restart", 30*time.Second, func() bool {
		out, err := pgtest.Query(ctx, host, 5432, login, password, "late", "SELECT current_database()")
		return err == nil && out == "late"
	})
	if _, err := h.groups(t).Get(ctx, "keep-rg", nil); err != nil {
		t.Errorf("groups.Get after restart: %v", err)
	}

	// Reset deletes everything, PostgreSQL servers included.
	if err := h.svc.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	_, err = c.servers.Get(ctx, "keep-rg", "kept", nil)
	wantCode(t, "Get after Reset", err, code{http.StatusNotFound, "ResourceGroupNotFound"})
	if diff := cmp.Diff(0, len(h.env.PG.Servers())); diff != "" {
		t.Errorf("PG.Servers() after Reset: -want count, +got:\n%s", diff)
	}
	if _, err := pgtest.Query(ctx, host, 5432, login, password, "postgres", "SELECT 1::text"); err == nil {
		t.Errorf("the server still accepts connections after Reset")
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.createGroup(t, "rg")
	opts := h.options()
	opts.Retry = policy.RetryOptions{MaxRetries: -1}
	cases := map[string]struct {
		cfg  fault.Config
		want code
	}{
		"Throttle":    {fault.Config{Throttle: 1}, code{http.StatusTooManyRequests, "TooManyRequests"}},
		"ServerError": {fault.Config{Error: 1}, code{http.StatusInternalServerError, "InternalServerError"}},
	}
	for name, tc := range cases {
		if err := h.env.Faults.Set("arm", tc.cfg); err != nil {
			t.Fatal(err)
		}
		// A new credential still gets its token: faults are for ARM only.
		c, err := armresources.NewResourceGroupsClient(testSub, h.credential(t, testClient, testSecret), opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(ctx, "rg", nil)
		wantCode(t, name, err, tc.want)
		if name == "Throttle" {
			var re *azcore.ResponseError
			if !errors.As(err, &re) || re.RawResponse.Header.Get("Retry-After") != "1" {
				t.Errorf("%s: want Retry-After 1 on the response, got %v", name, err)
			}
		}
	}
	if err := h.env.Faults.Set("arm", fault.Config{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.groups(t).Get(ctx, "rg", nil); err != nil {
		t.Errorf("Get without faults: %v", err)
	}
}
