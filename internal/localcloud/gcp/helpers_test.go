package gcp

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sqladmin/v1"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
)

const testProject = "test-project"

// requirePostgres fails a test that needs PostgreSQL when it is missing.
func requirePostgres(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(pg.DefaultBinDir); err != nil {
		t.Fatalf("PostgreSQL 15 is required: %v", err)
	}
}

// serve starts a GCP service over env and serves it until the test ends.
func serve(t *testing.T, env *cloud.Env, o Options) (*Service, *httptest.Server) {
	t.Helper()
	svc, err := New(env, o)
	if err != nil {
		t.Fatal(err)
	}
	return svc, cloudtest.Serve(t, svc)
}

func sqlClient(t *testing.T, url string, opts ...option.ClientOption) *sqladmin.Service {
	t.Helper()
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithoutAuthentication()}
	}
	c, err := sqladmin.NewService(context.Background(), append([]option.ClientOption{option.WithEndpoint(url + "/")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// computeClients are the Compute Engine clients the tests use.
type computeClients struct {
	instances *compute.InstancesClient
	networks  *compute.NetworksClient
	subnets   *compute.SubnetworksClient
	zoneOps   *compute.ZoneOperationsClient
	globalOps *compute.GlobalOperationsClient
	regionOps *compute.RegionOperationsClient
}

// newComputeClients returns clients of the service at url, without
// credentials unless opts gives some.
func newComputeClients(t *testing.T, url string, opts ...option.ClientOption) *computeClients {
	t.Helper()
	ctx := context.Background()
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithoutAuthentication()}
	}
	opts = append([]option.ClientOption{option.WithEndpoint(url)}, opts...)
	c := &computeClients{}
	var err error
	must := func() {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c.instances, err = compute.NewInstancesRESTClient(ctx, opts...)
	must()
	c.networks, err = compute.NewNetworksRESTClient(ctx, opts...)
	must()
	c.subnets, err = compute.NewSubnetworksRESTClient(ctx, opts...)
	must()
	c.zoneOps, err = compute.NewZoneOperationsRESTClient(ctx, opts...)
	must()
	c.globalOps, err = compute.NewGlobalOperationsRESTClient(ctx, opts...)
	must()
	c.regionOps, err = compute.NewRegionOperationsRESTClient(ctx, opts...)
	must()
	t.Cleanup(func() {
		_ = c.instances.Close()
		_ = c.networks.Close()
		_ = c.subnets.Close()
		_ = c.zoneOps.Close()
		_ = c.globalOps.Close()
		_ = c.regionOps.Close()
	})
	return c
}

// apiErr is what a test expects of an error: Google's code and reason.
type apiErr struct {
	Code   int
	Reason string
}

// errOf returns the code and reason of a googleapi.Error, or a zero apiErr
// for nil, or -1 when err is some other error.
func errOf(err error) apiErr {
	if err == nil {
		return apiErr{}
	}
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return apiErr{Code: -1, Reason: err.Error()}
	}
	r := ""
	if len(ge.Errors) > 0 {
		r = ge.Errors[0].Reason
	}
	return apiErr{Code: ge.Code, Reason: r}
}

// wantErr fails the test unless err is the Google error want.
func wantErr(t *testing.T, what string, err error, want apiErr) {
	t.Helper()
	if diff := cmp.Diff(want, errOf(err)); diff != "" {
		t.Errorf("%s\n%s: -want, +got:\n%s", what, what, diff)
	}
}

// waitSQL polls a Cloud SQL operation as a client does until it is done.
func waitSQL(t *testing.T, c *sqladmin.Service, op *sqladmin.Operation) *sqladmin.Operation {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, err := c.Operations.Get(testProject, op.Name).Do()
		if err != nil {
			t.Fatalf("Operations.Get(%s): %v", op.Name, err)
		}
		if got.Status == opDone {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s (%s) not done after 90s: %s", op.Name, op.OperationType, got.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitStatus polls an instance in testZone until it has status want.
func waitStatus(t *testing.T, c *computeClients, name, want string) *computepb.Instance {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		in, err := c.instances.Get(context.Background(), &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: name})
		if err != nil {
			t.Fatalf("Get(%s): %v", name, err)
		}
		if in.GetStatus() == want {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s is %s, not %s, after 30s", name, in.GetStatus(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
