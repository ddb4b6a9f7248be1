// Package e2e runs the stratus binary the way a developer does.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/test/harness"
)

// buildStratus builds the stratus binary into a temporary directory.
func buildStratus(t *testing.T, root string) string {
	t.Helper()
	return buildCommand(t, root, "stratus")
}

// buildCommand builds ./cmd/<name> into a temporary directory.
func buildCommand(t *testing.T, root, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/"+name)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/%s: %v\n%s", name, err, out)
	}
	return bin
}

// output collects a process's output for assertions and failure messages.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(b)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// A devProcess is a running `stratus dev`.
type devProcess struct {
	cmd    *exec.Cmd
	state  string
	out    *output
	errs   *output
	exited chan error
}

// startDev runs `stratus dev` with its state in a temporary directory and
// waits until it reports that it is running. It is killed when the test
// ends, if it is still running.
func startDev(t *testing.T, root, stratus string, extra ...string) *devProcess {
	t.Helper()
	d := &devProcess{state: filepath.Join(pgtest.Dir(t), "dev"), out: &output{}, errs: &output{}, exited: make(chan error, 1)}
	d.cmd = exec.Command(stratus, "dev", "--dir", d.state,
		"--bin-dir", filepath.Join(root, ".cache", "bin"),
		"--crds", filepath.Join(root, "cluster", "crds"),
		// Free ports, so that tests never meet a developer's local cloud.
		"--local-cloud-port-base", "0")
	d.cmd.Args = append(d.cmd.Args, extra...)
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stderr = d.errs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	running := make(chan struct{})
	go func() {
		s := bufio.NewScanner(stdout)
		once := sync.Once{}
		for s.Scan() {
			_, _ = d.out.Write(append(s.Bytes(), '\n'))
			if strings.Contains(s.Text(), "Stratus is running") {
				once.Do(func() { close(running) })
			}
		}
		d.exited <- d.cmd.Wait()
	}()
	t.Cleanup(func() { _ = d.cmd.Process.Kill() })

	select {
	case <-running:
	case err := <-d.exited:
		t.Fatalf("stratus dev exited before it was running: %v\nstdout:\n%s\nstderr:\n%s", err, d.out, d.errs)
	case <-time.After(2 * time.Minute):
		t.Fatalf("stratus dev did not report running within 2 minutes\nstdout:\n%s\nstderr:\n%s", d.out, d.errs)
	}
	return d
}

// kubeconfig is the path of the kubeconfig stratus dev writes.
func (d *devProcess) kubeconfig() string { return filepath.Join(d.state, "kubeconfig") }

// localCloud returns where the local cloud that stratus dev started serves.
func (d *devProcess) localCloud(t *testing.T) localcloud.Endpoints {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(d.state, "localcloud", "endpoints.json"))
	if err != nil {
		t.Fatalf("stratus dev started no local cloud: %v", err)
	}
	var e localcloud.Endpoints
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("cannot read the local cloud's endpoints: %v", err)
	}
	return e
}

func TestDevStartsAndStopsCleanly(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	d := startDev(t, root, buildStratus(t, root))
	cmd, state, out, errs, exited := d.cmd, d.state, d.out, d.errs, d.exited

	kubeconfig := filepath.Join(state, "kubeconfig")
	if !strings.Contains(out.String(), "kubeconfig:  "+kubeconfig) {
		t.Errorf("stratus dev should print the kubeconfig path %s; stdout:\n%s", kubeconfig, out)
	}

	// The printed kubeconfig works with kubectl (the one make tools built).
	kubectl := exec.Command(filepath.Join(root, ".cache", "bin", "kubectl"), "--kubeconfig", kubeconfig, "get", "crds", "-o", "name")
	b, err := kubectl.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl get crds: %v\n%s", err, b)
	}
	got := map[string]bool{}
	for l := range strings.FieldsSeq(string(b)) {
		got[strings.TrimPrefix(l, "customresourcedefinition.apiextensions.k8s.io/")] = true
	}
	// Every CRD in cluster/crds (files are named <group>_<plural>.yaml) is
	// installed.
	files, err := filepath.Glob(filepath.Join(root, "cluster", "crds", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in cluster/crds: %v", err)
	}
	want := map[string]bool{}
	for _, f := range files {
		group, plural, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".yaml"), "_")
		want[plural+"."+group] = true
	}
	for name := range got {
		if !want[name] {
			delete(got, name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kubectl get crds: -want, +got:\n%s", diff)
	}

	servers := processesUsing(t, state, cmd.Process.Pid)
	if len(servers) != 3 {
		t.Errorf("want etcd, kube-apiserver and the local cloud running with state in %s, found %d processes: %v", state, len(servers), servers)
	}

	// Ctrl-C: the terminal sends SIGINT; stratus stops everything it started.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("stratus dev exited with %v after Ctrl-C, want success\nstderr:\n%s", err, errs)
		}
	case <-time.After(time.Minute):
		t.Fatalf("stratus dev did not exit within a minute of Ctrl-C\nstdout:\n%s", out)
	}
	if left := processesUsing(t, state, cmd.Process.Pid); len(left) != 0 {
		t.Errorf("processes left behind after Ctrl-C: %v", left)
	}
	if !strings.Contains(out.String(), "Stopping the local control plane") {
		t.Errorf("stratus dev should say it stops the control plane; stdout:\n%s", out)
	}
}

func TestDevReportsStartProblems(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	stratus := buildStratus(t, root)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	bin := filepath.Join(root, ".cache", "bin")

	cases := map[string]struct {
		reason string
		args   []string
		want   string
	}{
		"PortInUse": {
			reason: "A requested API server port that is taken is named, with what to do.",
			args:   []string{"--bin-dir", bin, "--apiserver-port", taken},
			want:   "kube-apiserver port " + taken + " on 127.0.0.1 (",
		},
		"LocalCloudPortInUse": {
			reason: "A local cloud port that is taken is named in one line, with the log to read.",
			args:   []string{"--bin-dir", bin, "--local-cloud-port-base", taken},
			want:   "cannot listen on 127.0.0.1:" + taken,
		},
		"MissingBinaries": {
			reason: "Missing control plane binaries point at make tools.",
			args:   []string{"--bin-dir", t.TempDir()},
			want:   "etcd is not at",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			args := append([]string{"dev", "--dir", filepath.Join(pgtest.Dir(t), "dev"), "--crds", filepath.Join(root, "cluster", "crds")}, tc.args...)
			b, err := exec.CommandContext(ctx, stratus, args...).CombinedOutput()
			if err == nil {
				t.Fatalf("%s\nstratus dev: want a failure, got success:\n%s", tc.reason, b)
			}
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("%s\nstratus dev: output should contain %q, got:\n%s", tc.reason, tc.want, b)
			}
			if name == "MissingBinaries" && !strings.Contains(string(b), "run 'make tools'") {
				t.Errorf("%s\nstratus dev: output should say to run make tools, got:\n%s", tc.reason, b)
			}
		})
	}
}

// processesUsing lists the processes other than exclude whose command line
// mentions path.
func processesUsing(t *testing.T, path string, exclude int) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == exclude {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(b) == 0 {
			continue
		}
		if bytes.Contains(b, []byte(path)) {
			found = append(found, e.Name()+": "+strings.ReplaceAll(string(bytes.TrimRight(b, "\x00")), "\x00", " "))
		}
	}
	return found
}
