package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/test/harness"
	"github.com/stratus-dev/stratus/test/lcclient"
)

// azureExampleEndpoint is where examples/azure expects the local cloud's
// Azure APIs, as `stratus dev` serves them by default.
const azureExampleEndpoint = "https://127.0.0.1:4568"

// azureExampleSubscription is the subscription of examples/azure.
const azureExampleSubscription = "00000000-0000-0000-0000-000000000000"

// TestAzureExamplesBecomeReady is the Azure provider's acceptance test, run
// the way a developer would: `stratus dev` (with its local cloud) and
// provider-azure as a process of its own; the local cloud's CA put in the
// Secret examples/azure names; examples/azure applied with kubectl (the
// ProviderConfig's endpoint pointed at this test's local cloud); every
// managed resource Ready; the database's connection Secret connects; then
// everything deleted and gone from the local cloud.
func TestAzureExamplesBecomeReady(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	dev := startDev(t, root, buildStratus(t, root))
	providerBin := buildCommand(t, root, "provider-azure")
	b, err := os.ReadFile(filepath.Join(dev.state, "localcloud", "endpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e localcloud.Endpoints
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}

	logs := t.TempDir()
	providerLog, err := os.Create(filepath.Join(logs, "provider-azure.log"))
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
			t.Logf("provider-azure log:\n%s", tail(string(b), 60))
		}
	})

	kubectl := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(root, ".cache", "bin", "kubectl"), append([]string{"--kubeconfig", dev.kubeconfig()}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	// The step examples/azure/00-providerconfig.yaml asks for.
	kubectl("", "create", "secret", "generic", "azure-localcloud-ca", "-n", "default", "--from-file=ca.pem="+e.AzureCA)

	files, err := filepath.Glob(filepath.Join(root, "examples", "azure", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in examples/azure: %v", err)
	}
	sort.Strings(files)
	manifest := func(f string) string {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The examples point at the local cloud's default port; this
		// test's local cloud listens elsewhere.
		return strings.ReplaceAll(string(b), azureExampleEndpoint, e.Azure)
	}
	for _, f := range files {
		kubectl(manifest(f), "apply", "-f", "-")
	}

	names := strings.Fields(kubectl("", "get", "managed", "-o", "name"))
	kinds := map[string]bool{}
	for _, n := range names {
		kinds[strings.SplitN(n, "/", 2)[0]] = true
	}
	if len(kinds) < 8 {
		t.Fatalf("want at least one managed resource of each of the 8 Azure kinds from examples/azure, got %v", names)
	}
	deadline := time.Now().Add(4 * time.Minute)
	for _, n := range names {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("timed out waiting for %s\n%s", n, kubectl("", "get", "managed"))
		}
		cmd := exec.Command(filepath.Join(root, ".cache", "bin", "kubectl"), "--kubeconfig", dev.kubeconfig(),
			"wait", "--for=condition=Ready", n, "--timeout="+left.Round(time.Second).String())
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s did not become Ready: %v\n%s\n%s", n, err, b, kubectl("", "get", "managed", "-o", "wide"))
		}
	}
	t.Logf("all Ready:\n%s", kubectl("", "get", "managed"))

	// The server's connection Secret connects, to the example database.
	secret := func(key string) string {
		out := kubectl("", "get", "secret", "-n", "default", "example-db-conn", "-o", "go-template={{index .data \""+key+"\" | base64decode}}")
		return strings.TrimSpace(out)
	}
	port, err := strconv.Atoi(secret("port"))
	if err != nil {
		t.Fatalf("connection Secret example-db-conn: port %q: %v", secret("port"), err)
	}
	got, err := pgtest.Query(context.Background(), secret("endpoint"), port, secret("username"), secret("password"), "example-app", "SELECT current_database()")
	if err != nil || got != "example-app" {
		t.Fatalf("cannot query database example-app with the connection Secret: %q, %v", got, err)
	}

	// Delete the managed resources first: the provider needs the
	// ProviderConfig and its Secrets to delete them in Azure. The
	// ProviderConfig (file 00-*) goes last, once nothing uses it.
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
		t.Fatalf("managed resources left after deleting examples/azure:\n%s", kubectl("", "get", "managed", "-o", "yaml"))
	}
	checkAzureEmpty(t, e)
	kubectl(manifest(files[0]), "delete", "--timeout=1m", "-f", "-")
}

// checkAzureEmpty fails the test if the local cloud still holds a resource
// group, flexible server, virtual network, network interface or virtual
// machine in the examples' subscription.
func checkAzureEmpty(t *testing.T, e localcloud.Endpoints) {
	t.Helper()
	ctx := context.Background()
	cred, opts, err := lcclient.Azure(e)
	if err != nil {
		t.Fatal(err)
	}
	count := func(what string, next func() (int, bool, error)) {
		n := 0
		for {
			k, more, err := next()
			if err != nil {
				t.Fatalf("cannot list %s: %v", what, err)
			}
			n += k
			if !more {
				break
			}
		}
		if n != 0 {
			t.Errorf("the local cloud still has %d %s", n, what)
		}
	}
	groups, _ := armresources.NewResourceGroupsClient(azureExampleSubscription, cred, opts)
	gp := groups.NewListPager(nil)
	count("resource groups", func() (int, bool, error) {
		p, err := gp.NextPage(ctx)
		return len(p.Value), gp.More(), err
	})
	servers, _ := armpostgresqlflexibleservers.NewServersClient(azureExampleSubscription, cred, opts)
	sp := servers.NewListBySubscriptionPager(nil)
	count("flexible servers", func() (int, bool, error) {
		p, err := sp.NextPage(ctx)
		return len(p.Value), sp.More(), err
	})
	vnets, _ := armnetwork.NewVirtualNetworksClient(azureExampleSubscription, cred, opts)
	vp := vnets.NewListAllPager(nil)
	count("virtual networks", func() (int, bool, error) {
		p, err := vp.NextPage(ctx)
		return len(p.Value), vp.More(), err
	})
	nics, _ := armnetwork.NewInterfacesClient(azureExampleSubscription, cred, opts)
	np := nics.NewListAllPager(nil)
	count("network interfaces", func() (int, bool, error) {
		p, err := np.NextPage(ctx)
		return len(p.Value), np.More(), err
	})
	vms, _ := armcompute.NewVirtualMachinesClient(azureExampleSubscription, cred, opts)
	mp := vms.NewListAllPager(nil)
	count("virtual machines", func() (int, bool, error) {
		p, err := mp.NextPage(ctx)
		return len(p.Value), mp.More(), err
	})
}
