// Package pgtest helps tests that run the local cloud's PostgreSQL servers.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Dir returns a temporary folder that the postgres user can reach: when the
// tests run as root, the servers run as postgres, and the folders testing
// creates are private to their owner.
func Dir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for p := dir; p != os.TempDir() && p != filepath.Dir(p); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil { //nolint:gosec // G302: the postgres user must enter it.
			t.Fatalf("cannot open %s to the postgres user: %v", p, err)
		}
	}
	return dir
}

// Exec connects to a server as a client would and runs statements (several,
// separated by semicolons, are allowed).
func Exec(ctx context.Context, host string, port int, user, password, db, statements string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d dbname=%s sslmode=disable", host, port, db))
	if err != nil {
		return err
	}
	cfg.User, cfg.Password = user, password
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(ctx) }()
	_, err = c.Exec(ctx, statements)
	return err
}

// Query connects to a server as a client would and returns the result of a
// query that yields one text value.
func Query(ctx context.Context, host string, port int, user, password, db, query string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d dbname=%s sslmode=disable", host, port, db))
	if err != nil {
		return "", err
	}
	cfg.User, cfg.Password = user, password
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer func() { _ = c.Close(ctx) }()
	var out string
	err = c.QueryRow(ctx, query).Scan(&out)
	return out, err
}
