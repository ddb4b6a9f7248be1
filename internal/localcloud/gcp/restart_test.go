package gcp

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sqladmin/v1"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

// TestRestart stops a service with resources at rest and in flight, starts
// a new one over the same folder, and shows everything carries on: the
// database answers on the same address, the creations in progress finish,
// and tokens issued before still work.
func TestRestart(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	dir := pgtest.Dir(t)

	var (
		token *oauth2.Token
		host  string
		ip    string
	)
	t.Run("BeforeRestart", func(t *testing.T) {
		// Long enough that the instance is still starting, a database is
		// still being created and a patch still runs when the service stops.
		d := cloudtest.FastDelays()
		d.Start, d.Create, d.Modify = 3*time.Second, 4*time.Second, 4*time.Second
		env := cloudtest.NewEnv(t, dir, d)
		svc, err := New(env, Options{RequireAuth: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.jobs.wait)
		srv := cloudtest.Serve(t, svc)
		cc := clientcredentials.Config{ClientID: "stratus", TokenURL: srv.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
		if token, err = cc.Token(ctx); err != nil {
			t.Fatal(err)
		}
		auth := option.WithTokenSource(oauth2.StaticTokenSource(token))
		c := sqlClient(t, srv.URL, auth)
		waitSQL(t, c, mustOp(t)(c.Instances.Insert(testProject, newPostgres("keep", "root-pw")).Do()))
		waitSQL(t, c, mustOp(t)(c.Users.Insert(testProject, "keep", &sqladmin.User{Name: "app", Password: "app-pw"}).Do()))
		waitSQL(t, c, mustOp(t)(c.Databases.Insert(testProject, "keep", &sqladmin.Database{Name: "appdb"}).Do()))
		in, err := c.Instances.Get(testProject, "keep").Do()
		if err != nil {
			t.Fatal(err)
		}
		host = in.IpAddresses[0].IpAddress
		if _, err := pgtest.Query(ctx, host, 5432, "app", "app-pw", "appdb", "SELECT 'x'"); err != nil {
			t.Fatalf("before restart: %v", err)
		}
		if _, err := c.Instances.Patch(testProject, "keep", &sqladmin.DatabaseInstance{Settings: &sqladmin.Settings{Tier: "db-custom-2-7680"}}).Do(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Instances.Insert(testProject, newPostgres("late", "late-pw")).Do(); err != nil {
			t.Fatal(err)
		}
		// Stop once late's server is up but before the create delay has
		// passed. (Stopping while the manager copies a new server's files
		// leaves them half copied; see the report.)
		for deadline := time.Now().Add(30 * time.Second); !serverReady(env, pgID(testProject, "late")); {
			if time.Now().After(deadline) {
				t.Fatal("late's server did not come up")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if in, err := c.Instances.Get(testProject, "late").Do(); err != nil || in.State != statePendingCreate {
			t.Fatalf("late should still be in creation at the restart: %+v, %v", in, err)
		}

		cc2 := newComputeClients(t, srv.URL, auth)
		waitOp(t)(cc2.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject,
			NetworkResource: &computepb.Network{Name: new("vpc"), AutoCreateSubnetworks: new(true)}}))
		if _, err := cc2.instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: testProject, Zone: testZone,
			InstanceResource: withNetwork(newVM("vm", ""), "global/networks/vpc")}); err != nil {
			t.Fatal(err)
		}
		vm, err := cc2.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm"})
		if err != nil {
			t.Fatal(err)
		}
		ip = vm.GetNetworkInterfaces()[0].GetNetworkIP()
		if vm.GetStatus() != statusProvisioning {
			t.Fatalf("vm should still be starting at the restart, is %s", vm.GetStatus())
		}
	})

	env := cloudtest.NewEnv(t, dir, cloudtest.FastDelays())
	_, srv := serve(t, env, Options{RequireAuth: true})
	auth := option.WithTokenSource(oauth2.StaticTokenSource(token))
	c := sqlClient(t, srv.URL, auth)

	in, err := c.Instances.Get(testProject, "keep").Do()
	if err != nil {
		t.Fatalf("the token issued before the restart: %v", err)
	}
	if in.State != stateRunnable || in.IpAddresses[0].IpAddress != host {
		t.Errorf("keep after restart: state %s, address %+v, want %s", in.State, in.IpAddresses, host)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := pgtest.Query(ctx, host, 5432, "app", "app-pw", "appdb", "SELECT current_user")
		if err == nil && out == "app" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keep's server did not come back on %s:5432: %v", host, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitSQL(t, c, mustOp(t)(func() (*sqladmin.Operation, error) {
		ops, err := c.Operations.List(testProject).Instance("keep").MaxResults(1).Do()
		if err != nil || len(ops.Items) != 1 || ops.Items[0].OperationType != "UPDATE" {
			return nil, fmt.Errorf("keep's latest operation should be the patch: %+v, %w", ops, err)
		}
		return ops.Items[0], nil
	}()))
	if in, _ := c.Instances.Get(testProject, "keep").Do(); in.Settings.Tier != "db-custom-2-7680" {
		t.Errorf("the patch in flight at the restart: tier %s", in.Settings.Tier)
	}
	users, err := c.Users.List(testProject, "keep").Do()
	if err != nil || len(users.Items) != 2 {
		t.Errorf("users after restart: %+v, %v", users, err)
	}

	ops, err := c.Operations.List(testProject).Instance("late").Do()
	if err != nil || len(ops.Items) != 1 {
		t.Fatalf("late's operations: %+v, %v", ops, err)
	}
	waitSQL(t, c, ops.Items[0])
	late, err := c.Instances.Get(testProject, "late").Do()
	if err != nil || late.State != stateRunnable {
		t.Fatalf("late after restart: %+v, %v", late, err)
	}
	if _, err := pgtest.Query(ctx, late.IpAddresses[0].IpAddress, 5432, "postgres", "late-pw", "postgres", "SELECT 'x'"); err != nil {
		t.Errorf("late's server: %v", err)
	}

	cc := newComputeClients(t, srv.URL, auth)
	vm := waitStatus(t, cc, "vm", statusRunning)
	if vm.GetNetworkInterfaces()[0].GetNetworkIP() != ip {
		t.Errorf("vm's address after restart: want %s, got %s", ip, vm.GetNetworkInterfaces()[0].GetNetworkIP())
	}
	if _, err := cc.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "vpc"}); err != nil {
		t.Errorf("subnetwork after restart: %v", err)
	}
}

func serverReady(env *cloud.Env, id string) bool {
	for _, sv := range env.PG.Servers() {
		if sv.ID == id {
			return sv.Ready
		}
	}
	return false
}

// TestFaults shows injected throttling and server errors reach the SDKs as
// Google's error codes, per API.
func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	_, srv := serve(t, env, Options{})
	c := sqlClient(t, srv.URL)
	cc := newComputeClients(t, srv.URL)
	insertNet := func() error {
		_, err := cc.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject,
			NetworkResource: &computepb.Network{Name: new("net"), AutoCreateSubnetworks: new(false)}})
		return err
	}

	cases := map[string]struct {
		api    string
		cfg    fault.Config
		call   func() error
		want   apiErr
		status string
	}{
		"SQLThrottled": {api: "sqladmin", cfg: fault.Config{Throttle: 1}, call: func() error { _, err := c.Instances.List(testProject).Do(); return err },
			want: apiErr{Code: http.StatusTooManyRequests, Reason: "rateLimitExceeded"}, status: "RESOURCE_EXHAUSTED"},
		"SQLServerError": {api: "sqladmin", cfg: fault.Config{Error: 1}, call: func() error { _, err := c.Instances.List(testProject).Do(); return err },
			want: apiErr{Code: http.StatusServiceUnavailable, Reason: "backendError"}, status: "UNAVAILABLE"},
		"ComputeThrottled": {api: "compute", cfg: fault.Config{Throttle: 1}, call: insertNet,
			want: apiErr{Code: http.StatusTooManyRequests, Reason: "rateLimitExceeded"}, status: "RESOURCE_EXHAUSTED"},
		"ComputeServerError": {api: "compute", cfg: fault.Config{Error: 1}, call: insertNet,
			want: apiErr{Code: http.StatusServiceUnavailable, Reason: "backendError"}, status: "UNAVAILABLE"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := env.Faults.Set(tc.api, tc.cfg); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = env.Faults.Set(tc.api, fault.Config{}) }()
			err := tc.call()
			wantErr(t, name, err, tc.want)
			var ge *googleapi.Error
			if !errorsAs(err, &ge) || !strings.Contains(ge.Body, `"status":"`+tc.status+`"`) {
				t.Errorf("error body should carry status %s: %v", tc.status, err)
			}
		})
	}

	// Faults are per API: throttling Cloud SQL leaves Compute Engine alone.
	if err := env.Faults.Set("sqladmin", fault.Config{Throttle: 1}); err != nil {
		t.Fatal(err)
	}
	if err := insertNet(); err != nil {
		t.Errorf("Compute Engine while Cloud SQL is throttled: %v", err)
	}
	_ = env.Faults.Set("sqladmin", fault.Config{})
	if _, err := c.Instances.List(testProject).Do(); err != nil {
		t.Errorf("Cloud SQL once faults are off: %v", err)
	}
}
