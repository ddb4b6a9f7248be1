// Package cloudtest runs one emulated cloud service in a test, with a real
// state folder and real PostgreSQL servers, on an httptest server.
package cloudtest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// FastDelays keep asynchronous states visible to a test that polls every few
// tens of milliseconds without making it wait.
func FastDelays() cloud.Delays {
	d := 300 * time.Millisecond
	return cloud.Delays{Create: d, Modify: d, Delete: d, Start: d, Stop: d}
}

// NewEnv returns an environment over a fresh state folder (or dir, when not
// empty, to test a restart over the same state). The PostgreSQL servers stop
// when the test ends.
func NewEnv(t testing.TB, dir string, d cloud.Delays) *cloud.Env {
	t.Helper()
	if dir == "" {
		dir = pgtest.Dir(t)
	}
	s, err := store.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := pg.New(pg.Options{Dir: filepath.Join(dir, "postgres")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	ipam, err := cloud.NewIPAM(s)
	if err != nil {
		t.Fatal(err)
	}
	return &cloud.Env{
		Store:      s,
		PG:         m,
		Faults:     fault.NewInjector(),
		Delays:     d,
		IPs:        ipam,
		SigningKey: []byte("cloudtest-signing-key-0123456789"),
		Now:        time.Now,
		Log:        logging.NewNopLogger(),
	}
}

// Tick calls svc.Tick every cloud.TickInterval until the test ends.
func Tick(t testing.TB, svc cloud.Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(cloud.TickInterval)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tk.C:
				svc.Tick(ctx, now)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// Serve serves svc over plain HTTP and ticks it until the test ends.
func Serve(t testing.TB, svc cloud.Service) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	Tick(t, svc)
	return srv
}

// ServeTLS serves svc over HTTPS (srv.Client() trusts it) and ticks it until
// the test ends.
func ServeTLS(t testing.TB, svc cloud.Service) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(svc.Handler())
	t.Cleanup(srv.Close)
	Tick(t, svc)
	return srv
}
