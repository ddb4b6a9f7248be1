package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/test/harness"
)

// defaultGCPEndpoint is where examples/gcp expect the local cloud's GCP APIs.
const defaultGCPEndpoint = "http://127.0.0.1:4567"

// gcpProject is the project of examples/gcp.
const gcpProject = "stratus-local"

// TestGCPExamplesBecomeReady is the GCP provider's acceptance test, run the
// way a developer would: `stratus dev` (which starts the local cloud) and
// provider-gcp as a process of its own; examples/gcp applied with kubectl
// (the ProviderConfig's endpoints pointed at this test's local cloud); every
// managed resource Ready; the Cloud SQL instance's connection Secret, and
// the user's, connect to its PostgreSQL server; then everything deleted and
// gone from the local cloud.
func TestGCPExamplesBecomeReady(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	dev := startDev(t, root, buildStratus(t, root))
	providerBin := buildCommand(t, root, "provider-gcp")
	endpoint := dev.localCloud(t).GCP

	providerLog, err := os.Create(filepath.Join(t.TempDir(), "provider-gcp.log"))
	if err != nil {
		t.Fatal(err)
	}
	provider := exec.Command(providerBin, "--kubeconfig", dev.kubeconfig(),
		"--metrics-bind-address", "0", "--health-probe-bind-address", "0",
		"--poll-interval", "5s", "--creation-grace-period", "2s")
	provider.Stdout, provider.Stderr = providerLog, providerLog
	if err := provider.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = provider.Process.Kill()
		_ = provider.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(providerLog.Name())
			t.Logf("provider-gcp log:\n%s", tail(string(b), 60))
		}
	})

	kubectlPath := filepath.Join(root, ".cache", "bin", "kubectl")
	kubectl := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(kubectlPath, append([]string{"--kubeconfig", dev.kubeconfig()}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	files, err := filepath.Glob(filepath.Join(root, "examples", "gcp", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in examples/gcp: %v", err)
	}
	sort.Strings(files)
	manifest := func(f string) string {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The examples point at the local cloud's default port; this
		// test's local cloud listens elsewhere.
		return strings.ReplaceAll(string(b), defaultGCPEndpoint, endpoint)
	}
	for _, f := range files {
		kubectl(manifest(f), "apply", "-f", "-")
	}

	names := strings.Fields(kubectl("", "get", "managed", "-o", "name"))
	if len(names) < 6 {
		t.Fatalf("want at least one managed resource of each of the 6 GCP kinds from examples/gcp, got %v", names)
	}
	deadline := time.Now().Add(4 * time.Minute)
	for _, n := range names {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("timed out waiting for %s\n%s", n, kubectl("", "get", "managed"))
		}
		cmd := exec.Command(kubectlPath, "--kubeconfig", dev.kubeconfig(), "wait", "--for=condition=Ready", n, "--timeout="+left.Round(time.Second).String())
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s did not become Ready: %v\n%s\n%s", n, err, b, kubectl("", "get", "managed", "-o", "wide"))
		}
	}
	t.Logf("all Ready:\n%s", kubectl("", "get", "managed"))

	// The instance's connection Secret has what a client needs, and it
	// connects: the local cloud runs a real PostgreSQL server. So does
	// the user's, to the user's database.
	secret := func(name, key string) string {
		return kubectl("", "get", "secret", "-n", "default", name, "-o", "go-template={{index .data \""+key+"\" | base64decode}}")
	}
	keys := kubectl("", "get", "secret", "-n", "default", "example-db-conn", "-o", "go-template={{range $k, $v := .data}}{{$k}} {{end}}")
	for _, k := range []string{"endpoint", "port", "username", "password", "connectionName", "publicIP", "serverCACertificateCert"} {
		if !strings.Contains(" "+keys, " "+k+" ") {
			t.Errorf("connection Secret example-db-conn lacks %q; has %s", k, keys)
		}
	}
	ctx := context.Background()
	for _, c := range []struct{ secret, db string }{{"example-db-conn", "postgres"}, {"example-app-user-conn", "app"}} {
		port, err := strconv.Atoi(secret(c.secret, "port"))
		if err != nil {
			t.Fatalf("connection Secret %s port: %v", c.secret, err)
		}
		user := secret(c.secret, "username")
		got, err := pgtest.Query(ctx, secret(c.secret, "endpoint"), port, user, secret(c.secret, "password"), c.db, "SELECT current_user")
		if err != nil || got != user {
			t.Errorf("connecting with the connection Secret %s: got %q, %v", c.secret, got, err)
		}
	}

	// Delete the managed resources first: the provider needs the
	// ProviderConfig to delete them in the local cloud. The ProviderConfig
	// (file 00-*) goes last, once nothing uses it.
	for i := len(files) - 1; i >= 1; i-- {
		kubectl(manifest(files[i]), "delete", "--wait=false", "-f", "-")
	}
	gone := false
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(time.Second) {
		if strings.TrimSpace(kubectl("", "get", "managed", "-o", "name")) == "" {
			gone = true
			break
		}
	}
	if !gone {
		t.Fatalf("managed resources left after deleting examples/gcp:\n%s", kubectl("", "get", "managed", "-o", "yaml"))
	}
	checkGCPEmpty(t, endpoint)
	kubectl(manifest(files[0]), "delete", "--timeout=1m", "-f", "-")
}

// checkGCPEmpty fails the test if the GCP endpoint still holds a Cloud SQL
// instance, a Compute Engine instance in the examples' zone or a network.
func checkGCPEmpty(t *testing.T, endpoint string) {
	t.Helper()
	ctx := context.Background()
	sql, err := sqladmin.NewService(ctx, option.WithEndpoint(endpoint+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	dbs, err := sql.Instances.List(gcpProject).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(dbs.Items) != 0 {
		t.Errorf("GCP still has %d Cloud SQL instances", len(dbs.Items))
	}
	opts := []option.ClientOption{option.WithEndpoint(endpoint), option.WithoutAuthentication()}
	vms, err := compute.NewInstancesRESTClient(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer vms.Close()
	if n := count(t, func() error {
		_, err := vms.List(ctx, &computepb.ListInstancesRequest{Project: gcpProject, Zone: "us-central1-a"}).Next()
		return err
	}); n != 0 {
		t.Error("GCP still has Compute Engine instances")
	}
	nets, err := compute.NewNetworksRESTClient(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer nets.Close()
	if n := count(t, func() error {
		_, err := nets.List(ctx, &computepb.ListNetworksRequest{Project: gcpProject}).Next()
		return err
	}); n != 0 {
		t.Error("GCP still has networks")
	}
}

// count returns 0 when first says a list is empty, and 1 when it has an
// item.
func count(t *testing.T, first func() error) int {
	t.Helper()
	err := first()
	if errors.Is(err, iterator.Done) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return 1
}
