package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/test/harness"
)

// TestDevRunsProviders runs `stratus dev --providers aws`: the provider runs
// as a process of its own with a default ProviderConfig pointing at the local
// cloud, so a DBInstance with no ProviderConfig named becomes Ready and its
// Secret connects; a provider crash stops stratus dev with one line naming
// the provider's log.
func TestDevRunsProviders(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	// stratus dev finds providers beside etcd and kube-apiserver, where
	// make build puts them.
	build := exec.Command("go", "build", "-o", filepath.Join(root, ".cache", "bin", "provider-aws"), "./cmd/provider-aws")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/provider-aws: %v\n%s", err, out)
	}
	dev := startDev(t, root, buildStratus(t, root), "--providers", "aws")
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

	endpoint := kubectl("", "get", "providerconfigs.aws.stratus.dev", "default", "-o", "jsonpath={.spec.endpoint.url}")
	if want := dev.localCloud(t).AWS; endpoint != want {
		t.Errorf("default AWS ProviderConfig points at %q, want the local cloud at %q", endpoint, want)
	}
	kubectl(`apiVersion: rds.aws.stratus.dev/v1beta1
kind: DBInstance
metadata:
  name: dev-db
spec:
  forProvider:
    engine: postgres
    dbInstanceClass: db.t3.micro
    allocatedStorage: 20
    dbName: app
    masterUsername: app
    autoGeneratePassword: true
    masterUserPasswordSecretRef: {namespace: default, name: dev-db-password, key: password}
    skipFinalSnapshot: true
  writeConnectionSecretToRef: {namespace: default, name: dev-db-conn}
`, "apply", "-f", "-")
	kubectl("", "wait", "--for=condition=Ready", "dbinstance.rds.aws.stratus.dev/dev-db", "--timeout=120s")
	secret := func(key string) string {
		return kubectl("", "get", "secret", "-n", "default", "dev-db-conn", "-o", "go-template={{index .data \""+key+"\" | base64decode}}")
	}
	port, err := strconv.Atoi(secret("port"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := pgtest.Query(context.Background(), secret("address"), port, "app", secret("password"), "app", "SELECT current_user"); err != nil || got != "app" {
		t.Errorf("connecting with dev-db-conn: got %q, %v", got, err)
	}
	kubectl("", "delete", "dbinstance.rds.aws.stratus.dev/dev-db", "--timeout=120s")

	// A provider crash ends stratus dev with a line that names its log.
	if out, err := exec.Command("pkill", "-KILL", "-f", "provider-aws --kubeconfig "+dev.kubeconfig()).CombinedOutput(); err != nil {
		t.Fatalf("pkill provider-aws: %v\n%s", err, out)
	}
	select {
	case err := <-dev.exited:
		if err == nil {
			t.Error("stratus dev exited cleanly after its provider crashed; want an error")
		}
	case <-time.After(60 * time.Second):
		_ = dev.cmd.Process.Signal(syscall.SIGKILL)
		t.Fatal("stratus dev kept running after its provider crashed")
	}
	want := "provider-aws exited unexpectedly; read " + filepath.Join(dev.state, "provider-aws.log")
	if !strings.Contains(dev.errs.String(), want) {
		t.Errorf("stratus dev's error output should contain %q, got:\n%s", want, dev.errs.String())
	}
}
