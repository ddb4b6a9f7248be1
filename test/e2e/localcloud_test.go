package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/test/harness"
	"github.com/stratus-dev/stratus/test/lcclient"
)

// A cloudProcess is a running `stratus localcloud`.
type cloudProcess struct {
	cmd       *exec.Cmd
	endpoints localcloud.Endpoints
	log       string
}

// startLocalCloud runs `stratus localcloud` over dir on free ports (the same
// ports as last time when dir was used before) and waits until it serves.
func startLocalCloud(t *testing.T, stratus, dir string, run int) *cloudProcess {
	t.Helper()
	log := filepath.Join(filepath.Dir(dir), fmt.Sprintf("localcloud-%d.log", run))
	lf, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lf.Close() })
	cmd := exec.Command(stratus, "localcloud", "--dir", dir,
		"--aws-port", "0", "--gcp-port", "0", "--azure-port", "0", "--admin-port", "0",
		"--create-delay", "1s", "--modify-delay", "500ms", "--delete-delay", "500ms")
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &cloudProcess{cmd: cmd, log: log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	exited := make(chan struct{})
	go func() {
		// Only to notice an early exit; the tests reap it with Wait.
		for cmd.ProcessState == nil {
			if err := syscall.Kill(cmd.Process.Pid, 0); err != nil {
				close(exited)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "endpoints.json")); err == nil {
			var e localcloud.Endpoints
			if json.Unmarshal(b, &e) == nil && e.Admin != "" {
				if resp, err := http.Get(e.Admin + "/healthz"); err == nil { //nolint:noctx // a readiness poll.
					_ = resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						p.endpoints = e
						return p
					}
				}
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log)
			t.Fatalf("stratus localcloud did not serve within 60s; log:\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill ends the local cloud the hard way, as a crash would.
func (p *cloudProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// stop ends the local cloud with SIGTERM and checks it exits cleanly.
func (p *cloudProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			b, _ := os.ReadFile(p.log)
			t.Errorf("stratus localcloud did not exit cleanly on SIGTERM: %v\n%s", err, b)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("stratus localcloud did not exit within 30s of SIGTERM")
	}
}

// resources lists what the local cloud holds, as "table/id" strings, and the
// PostgreSQL servers it runs. Operations (kept as history, as the clouds
// keep them) and address allocations are left out.
func (p *cloudProcess) resources(t *testing.T) ([]string, []string) {
	t.Helper()
	resp, err := http.Get(p.endpoints.Admin + "/v1/resources") //nolint:noctx // test helper.
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r localcloud.Resources
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	var rows, servers []string
	for kind, ids := range r.Tables {
		if kind == "ipam" || strings.HasSuffix(kind, "operations") {
			continue
		}
		for id := range ids {
			rows = append(rows, kind+"/"+id)
		}
	}
	for _, s := range r.Postgres {
		if s.Running {
			servers = append(servers, s.ID)
		}
	}
	sort.Strings(rows)
	sort.Strings(servers)
	return rows, servers
}

func query(ctx context.Context, db lcclient.DB, q string) (string, error) {
	return pgtest.Query(ctx, db.Host, db.Port, db.User, db.Password, db.Database, q)
}

// TestLocalCloudSurvivesAKill creates databases on all three clouds, kills
// the local cloud while they are still being created, restarts it, and shows
// that nothing was lost: every resource is there, creation finishes, data
// written after it survives a second kill, and endpoints stay the same.
func TestLocalCloudSurvivesAKill(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	stratus := buildStratus(t, root)
	dir := filepath.Join(pgtest.Dir(t), "localcloud")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	lc := startLocalCloud(t, stratus, dir, 1)
	c, err := lcclient.New(ctx, lc.endpoints)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"aws": "kill-aws", "gcp": "kill-gcp", "azure": "kill-azure"}
	for _, cloud := range lcclient.Clouds {
		if err := c.CreatePostgres(ctx, cloud, names[cloud]); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := lc.resources(t)
	lc.kill(t)

	lc = startLocalCloud(t, stratus, dir, 2)
	after, _ := lc.resources(t)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("resources across a kill during creation: -before, +after:\n%s", diff)
	}
	c, err = lcclient.New(ctx, lc.endpoints)
	if err != nil {
		t.Fatal(err)
	}
	dbs := map[string]lcclient.DB{}
	for _, cloud := range lcclient.Clouds {
		db, err := c.WaitPostgres(ctx, cloud, names[cloud])
		if err != nil {
			t.Fatalf("%v\nlog:\n%s", err, readFile(lc.log))
		}
		if err := pgtest.Exec(ctx, db.Host, db.Port, db.User, db.Password, db.Database, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('"+cloud+"')"); err != nil {
			t.Fatalf("%s: cannot write: %v", db, err)
		}
		dbs[cloud] = db
	}
	lc.kill(t)

	lc = startLocalCloud(t, stratus, dir, 3)
	c, err = lcclient.New(ctx, lc.endpoints)
	if err != nil {
		t.Fatal(err)
	}
	for _, cloud := range lcclient.Clouds {
		db, err := c.WaitPostgres(ctx, cloud, names[cloud])
		if err != nil {
			t.Fatal(err)
		}
		if db.Host != dbs[cloud].Host || db.Port != dbs[cloud].Port {
			t.Errorf("%s endpoint changed across a restart: %s:%d, then %s:%d", cloud, dbs[cloud].Host, dbs[cloud].Port, db.Host, db.Port)
		}
		got, err := query(ctx, db, "SELECT v FROM kept")
		if err != nil || got != cloud {
			t.Errorf("%s: data after a kill and restart: got %q, %v", db, got, err)
		}
	}

	for _, cloud := range lcclient.Clouds {
		if err := c.DeletePostgres(ctx, cloud, names[cloud]); err != nil {
			t.Fatal(err)
		}
	}
	waitEmpty(ctx, t, lc)
	for cloud, db := range dbs {
		if _, err := query(ctx, db, "SELECT 'x'"); err == nil {
			t.Errorf("%s: a deleted database still answers", cloud)
		}
	}
	lc.stop(t)
}

// databaseKinds are the tables of what the tests create: database instances
// and Azure's resource groups. (Other tables fill on first use with defaults
// such as AWS's default VPC.)
var databaseKinds = []string{"aws/rds/dbinstances", "gcp/sqladmin/instances", "azure/postgresql/flexibleservers", "azure/resources/resourcegroups"}

// waitEmpty waits until the local cloud holds no database instance or
// resource group and runs no PostgreSQL server.
func waitEmpty(ctx context.Context, t *testing.T, lc *cloudProcess) {
	t.Helper()
	for {
		all, servers := lc.resources(t)
		var rows []string
		for _, r := range all {
			for _, k := range databaseKinds {
				if strings.HasPrefix(r, k+"/") {
					rows = append(rows, r)
				}
			}
		}
		if len(rows) == 0 && len(servers) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("local cloud still holds %v and runs PostgreSQL for %v", rows, servers)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// TestTenDatabasesAtOnce creates ten PostgreSQL instances at the same time
// through the three clouds' SDKs and connects to every one with the endpoint
// and credentials its API reports. It logs the memory the servers use.
func TestTenDatabasesAtOnce(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	stratus := buildStratus(t, root)
	dir := filepath.Join(pgtest.Dir(t), "localcloud")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	lc := startLocalCloud(t, stratus, dir, 1)
	c, err := lcclient.New(ctx, lc.endpoints)
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ cloud, name string }
	var all []want
	for i := range 10 {
		cloud := lcclient.Clouds[i%3]
		all = append(all, want{cloud, fmt.Sprintf("ten-%s-%d", cloud, i)})
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(all))
	for _, w := range all {
		wg.Go(func() {
			if err := c.CreatePostgres(ctx, w.cloud, w.name); err != nil {
				errs <- err
				return
			}
			db, err := c.WaitPostgres(ctx, w.cloud, w.name)
			if err != nil {
				errs <- err
				return
			}
			got, err := query(ctx, db, "SELECT current_user || ' ' || version()")
			if err != nil || !strings.HasPrefix(got, db.User+" PostgreSQL 15") {
				errs <- fmt.Errorf("%s: query gave %q: %w", db, got, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.Fatalf("log:\n%s", readFile(lc.log))
	}
	t.Logf("10 databases connectable %s after the first create call", time.Since(start).Round(100*time.Millisecond))
	if rss, n, err := serverMemory(dir); err == nil {
		t.Logf("%d PostgreSQL processes, %.1f MiB proportional set size in all, %.1f MiB per instance",
			n, float64(rss)/(1<<20), float64(rss)/10/(1<<20))
	} else {
		t.Logf("cannot measure memory: %v", err)
	}
	for _, w := range all {
		if err := c.DeletePostgres(ctx, w.cloud, w.name); err != nil {
			t.Error(err)
		}
	}
	waitEmpty(ctx, t, lc)
	lc.stop(t)
}

// serverMemory sums the proportional set size (shared pages split among the
// processes sharing them) of every PostgreSQL process whose command line
// names dir.
func serverMemory(dir string) (int64, int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	var total int64
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		// The postmasters: the local cloud's own command line names dir too.
		if err != nil || !strings.HasPrefix(string(cmdline), pg.DefaultBinDir+"/postgres\x00") || !strings.Contains(string(cmdline), dir) {
			continue
		}
		pss, err := pssOf(pid)
		if err != nil {
			continue
		}
		// Backends and background workers are children of the postmaster;
		// their command lines do not name the folder, so count the tree.
		total += pss + childrenPSS(pid)
		n++
	}
	return total, n, nil
}

func pssOf(pid int) (int64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		return 0, err
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(l, "Pss:") {
			f := strings.Fields(l)
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no Pss line for %d", pid)
}

func childrenPSS(pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "task", strconv.Itoa(pid), "children"))
	if err != nil {
		return 0
	}
	var total int64
	for f := range strings.FieldsSeq(string(b)) {
		child, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		if p, err := pssOf(child); err == nil {
			total += p
		}
		total += childrenPSS(child)
	}
	return total
}
