package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/test/harness"
)

// TestAWSExamplesBecomeReady is the AWS provider's acceptance test, run the
// way a developer would: `stratus dev` (which starts the local cloud) and
// provider-aws as a process of its own; examples/aws applied with kubectl
// (the ProviderConfig's endpoint pointed at this test's local cloud); every
// managed resource Ready; the database's connection Secret connects to its
// PostgreSQL server; then everything deleted and gone from the local cloud.
func TestAWSExamplesBecomeReady(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	dev := startDev(t, root, buildStratus(t, root))
	providerBin := buildCommand(t, root, "provider-aws")

	logs := t.TempDir()
	endpoint := dev.localCloud(t).AWS

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
		// The examples point at the local cloud's default port; this
		// test's local cloud listens elsewhere.
		kubectl(strings.ReplaceAll(string(b), defaultAWSEndpoint, endpoint), "apply", "-f", "-")
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
	// ... and it connects: the local cloud runs a real PostgreSQL server.
	secret := func(key string) string {
		return kubectl("", "get", "secret", "-n", "default", "example-db-conn", "-o", "go-template={{index .data \""+key+"\" | base64decode}}")
	}
	port, err := strconv.Atoi(secret("port"))
	if err != nil {
		t.Fatalf("connection Secret port: %v", err)
	}
	ctx := context.Background()
	got, err := pgtest.Query(ctx, secret("address"), port, secret("username"), secret("password"), "app", "SELECT current_user")
	if err != nil || got != secret("username") {
		t.Errorf("connecting with the connection Secret: got %q, %v", got, err)
	}

	// Delete the managed resources first: the provider needs the
	// ProviderConfig and its credentials Secret to delete them in AWS. The
	// ProviderConfig (file 00-*) goes last, once nothing uses it.
	for i := len(files) - 1; i >= 1; i-- {
		b, _ := os.ReadFile(files[i])
		kubectl(strings.ReplaceAll(string(b), defaultAWSEndpoint, endpoint), "delete", "--wait=false", "-f", "-")
	}
	gone := false
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(time.Second) {
		if strings.TrimSpace(kubectl("", "get", "managed", "-o", "name")) == "" {
			gone = true
			break
		}
	}
	if !gone {
		t.Fatalf("managed resources left after deleting examples/aws:\n%s", kubectl("", "get", "managed", "-o", "yaml"))
	}
	checkAWSEmpty(t, endpoint)
	b, _ := os.ReadFile(files[0])
	kubectl(strings.ReplaceAll(string(b), defaultAWSEndpoint, endpoint), "delete", "--timeout=1m", "-f", "-")
}

// defaultAWSEndpoint is where examples/aws expect the local cloud's AWS.
const defaultAWSEndpoint = "http://127.0.0.1:4566"

// checkAWSEmpty fails the test if the AWS endpoint still holds a DB
// instance, a live EC2 instance or a VPC other than the default one.
func checkAWSEmpty(t *testing.T, endpoint string) {
	t.Helper()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})}
	dbs, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dbs.DBInstances) != 0 {
		t.Errorf("AWS still has %d DB instances", len(dbs.DBInstances))
	}
	e := ec2.NewFromConfig(cfg)
	live, err := e.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{
		Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Reservations) != 0 {
		t.Errorf("AWS still has live EC2 instances: %d reservations", len(live.Reservations))
	}
	vpcs, err := e.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"false"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vpcs.Vpcs) != 0 {
		t.Errorf("AWS still has %d non-default VPCs", len(vpcs.Vpcs))
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
