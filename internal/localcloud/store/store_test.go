package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type row struct {
	Name  string
	State string
}

func TestTableSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := NewTable[row](s, "aws/rds/dbinstances")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Create("db/1", row{Name: "db/1", State: "creating"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Create("db/1", row{Name: "db/1", State: "other"}); !errors.Is(err, ErrExists) {
		t.Errorf("second Create: want ErrExists, got %v", err)
	}
	if _, err := tb.Update("db/1", func(r *row) error { r.State = "available"; return nil }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("refused")
	if _, err := tb.Update("db/1", func(r *row) error { r.State = "lost"; return boom }); !errors.Is(err, boom) {
		t.Errorf("Update whose fn fails: want fn's error, got %v", err)
	}
	if _, err := tb.Update("missing", func(*row) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of a missing row: want ErrNotFound, got %v", err)
	}
	if err := tb.Put("db-2", row{Name: "db-2"}); err != nil {
		t.Fatal(err)
	}
	if err := tb.Delete("db-2"); err != nil {
		t.Fatal(err)
	}
	// A write cut short by a crash leaves a temporary file behind.
	if err := os.WriteFile(filepath.Join(dir, "aws", "rds", "dbinstances", ".tmp-123"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tb2, err := NewTable[row](s2, "aws/rds/dbinstances")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tb2.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]row{{Name: "db/1", State: "available"}}, got); diff != "" {
		t.Errorf("rows after reopening: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"aws/rds/dbinstances"}, s2.Kinds(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Kinds(): -want, +got:\n%s", diff)
	}
	if err := tb2.Clear(); err != nil {
		t.Fatal(err)
	}
	if ids := tb2.IDs(); len(ids) != 0 {
		t.Errorf("IDs after Clear: %v", ids)
	}
}

func TestCorruptRowIsReported(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "gcp", "sql")
	if err := os.MkdirAll(p, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "x.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTable[row](s, "gcp/sql"); err == nil {
		t.Error("NewTable over a corrupt row: want an error naming the file, got none")
	}
}
