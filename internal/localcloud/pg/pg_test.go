package pg

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

func waitReady(t *testing.T, m *Manager, id string, spec Spec) Status {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := m.Ensure(id, spec)
		if s.Ready {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("Ensure(%s): not ready after 60s: %v", id, s.Err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLifecycle runs real servers: create, connect as the admin user, add a
// role and a database, stop and start again keeping port and data, remove.
func TestLifecycle(t *testing.T) {
	if _, err := os.Stat(DefaultBinDir); err != nil {
		t.Fatalf("PostgreSQL 15 is required: %v", err)
	}
	ctx := context.Background()
	m, err := New(Options{Dir: pgtest.Dir(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })

	spec := Spec{User: "admin", Password: "s3cret'pw", Database: "app"}
	s := waitReady(t, m, "rds/db-1", spec)
	got, err := pgtest.Query(ctx, s.Host, s.Port, "admin", "s3cret'pw", "app", "SELECT current_user || '@' || current_database()")
	if err != nil || got != "admin@app" {
		t.Fatalf("query as admin: got %q, %v", got, err)
	}
	if _, err := pgtest.Query(ctx, s.Host, s.Port, "admin", "wrong", "app", "SELECT 'x'"); err == nil {
		t.Fatal("a wrong password connected")
	}

	if err := m.SetRole(ctx, "rds/db-1", "reader", "pw2"); err != nil {
		t.Fatal(err)
	}
	if err := m.CreateDatabase(ctx, "rds/db-1", "reports", "reader"); err != nil {
		t.Fatal(err)
	}
	if got, err := pgtest.Query(ctx, s.Host, s.Port, "reader", "pw2", "reports", "SELECT current_database()"); err != nil || got != "reports" {
		t.Fatalf("query as reader: got %q, %v", got, err)
	}
	if err := m.SetRole(ctx, "rds/db-1", "admin", "new-pw"); err != nil {
		t.Fatal(err)
	}

	if err := m.Stop("rds/db-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := pgtest.Query(ctx, s.Host, s.Port, "admin", "new-pw", "app", "SELECT 'x'"); err == nil {
		t.Fatal("a stopped server answered")
	}
	s2 := waitReady(t, m, "rds/db-1", spec)
	if s2.Port != s.Port || s2.Host != s.Host {
		t.Errorf("address changed across a restart: %s:%d then %s:%d", s.Host, s.Port, s2.Host, s2.Port)
	}
	if got, err := pgtest.Query(ctx, s.Host, s.Port, "admin", "new-pw", "app", "SELECT current_user"); err != nil || got != "admin" {
		t.Fatalf("after restart the changed password should hold: got %q, %v", got, err)
	}

	if err := m.DropDatabase(ctx, "rds/db-1", "reports"); err != nil {
		t.Fatal(err)
	}
	if err := m.DropRole(ctx, "rds/db-1", "reader"); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove("rds/db-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := pgtest.Query(ctx, s.Host, s.Port, "admin", "new-pw", "app", "SELECT 'x'"); err == nil {
		t.Fatal("a removed server answered")
	}
	if len(m.Servers()) != 0 {
		t.Errorf("Servers() after Remove: %+v", m.Servers())
	}
}

// TestRestartManager shows a new manager over the same folder brings back a
// server with its port and data.
func TestRestartManager(t *testing.T) {
	ctx := context.Background()
	dir := pgtest.Dir(t)
	m, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{User: "postgres", Password: "rootpw"}
	s := waitReady(t, m, "gcp/p/i", spec)
	if err := m.Exec(ctx, "gcp/p/i", "", "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('yes'); GRANT SELECT ON kept TO postgres"); err != nil {
		t.Fatal(err)
	}
	_ = m.Close()

	m2, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m2.Close() })
	s2 := waitReady(t, m2, "gcp/p/i", Spec{User: "ignored", Password: "ignored"})
	if s2.Port != s.Port || s2.Host != s.Host {
		t.Errorf("address changed: %s:%d then %s:%d", s.Host, s.Port, s2.Host, s2.Port)
	}
	got, err := pgtest.Query(ctx, s2.Host, s2.Port, "postgres", "rootpw", "postgres", "SELECT v FROM kept")
	if err != nil || got != "yes" {
		t.Fatalf("data after restart: got %q, %v", got, err)
	}
}
