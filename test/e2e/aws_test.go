package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stratus-dev/stratus/test/harness"
)

// TestAWSExamplesBecomeReady is the AWS provider's acceptance test, run the
// way a developer would: `stratus dev`, moto, and provider-aws as a process
// of its own; examples/aws applied with kubectl (the ProviderConfig's
// endpoint pointed at this test's moto); every managed resource Ready; then
// everything deleted and gone from moto.
func TestAWSExamplesBecomeReady(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	dev := startDev(t, root, buildStratus(t, root))
	providerBin := buildCommand(t, root, "provider-aws")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logs := t.TempDir()
	moto, err := harness.StartMoto(ctx, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = moto.Stop() })

	providerLog, err := os.Create(filepath.Join(logs, "provider-aws.log"))
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
			t.Logf("provider-aws log:\n%s", tail(string(b), 60))
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

	files, err := filepath.Glob(filepath.Join(root, "examples", "aws", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in examples/aws: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The examples point at moto's default port; this test's moto
		// listens elsewhere.
		kubectl(strings.ReplaceAll(string(b), "http://127.0.0.1:5000", moto.Endpoint), "apply", "-f", "-")
	}

	names := strings.Fields(kubectl("", "get", "managed", "-o", "name"))
	if len(names) < 7 {
		t.Fatalf("want at least one managed resource of each of the 7 AWS kinds from examples/aws, got %v", names)
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

	// The database's connection Secret has what a client needs.
	keys := kubectl("", "get", "secret", "-n", "default", "example-db-conn", "-o", "go-template={{range $k, $v := .data}}{{$k}} {{end}}")
	for _, k := range []string{"endpoint", "address", "port", "username", "password"} {
		if !strings.Contains(" "+keys, " "+k+" ") {
			t.Errorf("connection Secret example-db-conn lacks %q; has %s", k, keys)
		}
	}

	// Delete in reverse order of creation; the provider deletes each cloud
	// resource before its managed resource goes.
	for i := len(files) - 1; i >= 0; i-- {
		b, _ := os.ReadFile(files[i])
		kubectl(strings.ReplaceAll(string(b), "http://127.0.0.1:5000", moto.Endpoint), "delete", "--wait=false", "-f", "-")
	}
	for time.Now().Before(deadline.Add(2 * time.Minute)) {
		if strings.TrimSpace(kubectl("", "get", "managed", "-o", "name")) == "" {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("managed resources left after deleting examples/aws:\n%s", kubectl("", "get", "managed", "-o", "wide"))
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
