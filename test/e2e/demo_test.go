package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stratus-dev/stratus/test/harness"
)

// demoReadyTimeout bounds how long the demo may take to have every claim
// Ready; on two cores it takes one to two minutes.
const demoReadyTimeout = 6 * time.Minute

var (
	// allReady is the line the demo prints once every claim is Ready.
	allReady = regexp.MustCompile(`==> All (\d+) demo claims are Ready after \S+`)
	// psqlLine is a printed psql command: psql (or its full path) and a
	// quoted URI.
	psqlLine = regexp.MustCompile(`^\s+(\S*psql '[^']+')\s*$`)
)

// TestDemo runs `stratus dev --demo`, what make run runs: every claim of the
// demo becomes Ready while a table shows their progress, the printed psql
// commands connect, Ctrl-C stops everything, and a second run in the same
// directory starts from a clean state.
func TestDemo(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	stratus := buildStratus(t, root)
	bin := demoBinDir(t, root)

	dev := startDev(t, root, stratus, "--demo", "--bin-dir", bin)
	waitAllReady(t, dev)
	out := dev.out.String()

	// The table showed the claims converging: a header, and for each claim
	// a row that was not Ready yet and one that is.
	if !strings.Contains(out, "NAMESPACE/NAME") {
		t.Errorf("the demo printed no table header; stdout:\n%s", out)
	}
	rows := demoRows(out)
	if len(rows) == 0 {
		t.Fatalf("the demo printed no table rows; stdout:\n%s", out)
	}
	for name, ready := range rows {
		if !ready["True"] {
			t.Errorf("no row shows claim %s Ready", name)
		}
		if len(ready) < 2 {
			t.Errorf("the rows of claim %s show no progress (READY only %v)", name, ready)
		}
	}
	if m := allReady.FindStringSubmatch(out); m != nil && m[1] != strconv.Itoa(len(rows)) {
		t.Errorf("the demo says %s claims are Ready, but its table has %d", m[1], len(rows))
	}

	// Every printed psql command connects, as printed.
	var psql []string
	for l := range strings.SplitSeq(out, "\n") {
		if m := psqlLine.FindStringSubmatch(l); m != nil {
			psql = append(psql, m[1])
		}
	}
	if len(psql) == 0 {
		t.Errorf("the demo printed no psql command; stdout:\n%s", out)
	}
	for _, cmd := range psql {
		b, err := exec.Command("bash", "-c", cmd+" -tAc 'select 1'").CombinedOutput()
		if err != nil || strings.TrimSpace(string(b)) != "1" {
			t.Errorf("%s -tAc 'select 1': %v\n%s", cmd, err, b)
		}
	}

	// Ctrl-C while the demo runs stops everything.
	stopDev(t, dev, dev.state)

	// A second run in the same directory starts from a clean state.
	again := startDev(t, root, stratus, "--demo", "--bin-dir", bin, "--dir", dev.state)
	stopDev(t, again, dev.state)
}

// demoBinDir returns a directory with the providers built from this tree
// beside the etcd, kube-apiserver and kubectl that make tools built, so that
// the test neither needs make build nor replaces binaries others run.
func demoBinDir(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"etcd", "kube-apiserver", "kubectl"} {
		if err := os.Symlink(filepath.Join(root, ".cache", "bin", name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, cloud := range []string{"aws", "gcp", "azure"} {
		name := "provider-" + cloud
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./cmd/"+name)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/%s: %v\n%s", name, err, out)
		}
	}
	return dir
}

// waitAllReady waits until the demo says every claim is Ready. On failure it
// shows stdout and the ends of the providers' and the local cloud's logs.
func waitAllReady(t *testing.T, d *devProcess) {
	t.Helper()
	deadline := time.After(demoReadyTimeout)
	for !allReady.MatchString(d.out.String()) {
		select {
		case err := <-d.exited:
			t.Fatalf("stratus dev --demo exited before every claim was Ready: %v\nstdout:\n%s\nstderr (end):\n%s\n%s", err, d.out, tail(d.errs.String(), 30), demoLogs(d.state))
		case <-deadline:
			t.Fatalf("not every demo claim was Ready within %s\nstdout:\n%s\n%s", demoReadyTimeout, d.out, demoLogs(d.state))
		case <-time.After(time.Second):
		}
	}
}

// demoLogs returns the ends of the providers' and the local cloud's logs.
func demoLogs(dir string) string {
	var b strings.Builder
	logs, _ := filepath.Glob(filepath.Join(dir, "provider-*.log"))
	for _, l := range append(logs, filepath.Join(dir, "localcloud.log")) {
		content, err := os.ReadFile(l)
		if err != nil {
			continue
		}
		b.WriteString("--- end of " + l + ":\n" + tail(string(content), 20) + "\n")
	}
	return b.String()
}

// demoRows returns, for each claim in the demo's table, the READY values
// its rows showed.
func demoRows(out string) map[string]map[string]bool {
	rows := map[string]map[string]bool{}
	for l := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(l)
		// NAMESPACE/NAME KIND CLOUD SYNCED READY ELAPSED [REASON…]
		if len(f) < 6 || !strings.HasPrefix(f[0], "demo/") || f[1] == "deleted" {
			continue
		}
		if rows[f[0]] == nil {
			rows[f[0]] = map[string]bool{}
		}
		rows[f[0]][f[4]] = true
	}
	return rows
}

// stopDev sends stratus dev Ctrl-C and checks that it exits cleanly within
// a minute, leaving no process with state in dir.
func stopDev(t *testing.T, d *devProcess, dir string) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		if err != nil {
			t.Errorf("stratus dev exited with %v after Ctrl-C, want success\nstderr (end):\n%s", err, tail(d.errs.String(), 30))
		}
	case <-time.After(time.Minute):
		t.Fatalf("stratus dev did not exit within a minute of Ctrl-C\nstdout:\n%s", d.out)
	}
	if left := processesUsing(t, dir, d.cmd.Process.Pid); len(left) != 0 {
		t.Errorf("processes left behind after Ctrl-C: %v", left)
	}
	if !strings.Contains(d.out.String(), "Stopping the local control plane") {
		t.Errorf("stratus dev should say it stops the control plane; stdout:\n%s", d.out)
	}
}
