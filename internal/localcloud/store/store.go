// Package store keeps the local cloud's resources in a folder, one JSON file
// per resource, so that a restarted (or crashed and restarted) local cloud
// finds everything it had. Every write reaches the disk before the call that
// made it returns: a resource the local cloud has answered for is never lost.
package store

import (
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const fileSuffix = ".json"

// A Store holds every table of one local cloud, under one folder.
type Store struct {
	dir string

	mu     sync.Mutex
	tables map[string]*table
}

// table is the untyped state of one kind of resource.
type table struct {
	dir  string
	mu   sync.Mutex
	rows map[string]json.RawMessage
}

// Open opens (creating it if needed) the store under dir and loads every
// table already there.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, errors.Wrapf(err, "cannot create state folder %s", dir)
	}
	return &Store{dir: dir, tables: map[string]*table{}}, nil
}

// Dir is the folder the store keeps its tables in.
func (s *Store) Dir() string { return s.dir }

// table returns the table named kind, loading it from disk on first use.
func (s *Store) table(kind string) (*table, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tables[kind]; ok {
		return t, nil
	}
	t := &table{dir: filepath.Join(s.dir, filepath.FromSlash(kind)), rows: map[string]json.RawMessage{}}
	if err := os.MkdirAll(t.dir, 0o750); err != nil {
		return nil, errors.Wrapf(err, "cannot create table folder %s", t.dir)
	}
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read table folder %s", t.dir)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, fileSuffix) {
			// Temporary files of a write cut short by a crash are ignored:
			// the previous version of the row is still in place.
			continue
		}
		id, err := url.PathUnescape(strings.TrimSuffix(name, fileSuffix))
		if err != nil {
			return nil, errors.Wrapf(err, "cannot decode row file name %s in %s", name, t.dir)
		}
		b, err := os.ReadFile(filepath.Join(t.dir, name))
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read row %s of %s", id, kind)
		}
		if !json.Valid(b) {
			return nil, errors.Errorf("row %s of %s (%s) is not valid JSON; remove the file or the state folder", id, kind, filepath.Join(t.dir, name))
		}
		t.rows[id] = b
	}
	s.tables[kind] = t
	return t, nil
}

// Kinds returns the names of the tables that hold at least one row, sorted.
func (s *Store) Kinds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kinds []string
	for k, t := range s.tables {
		t.mu.Lock()
		n := len(t.rows)
		t.mu.Unlock()
		if n > 0 {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	return kinds
}

// Raw returns every row of every loaded table as JSON, keyed by kind and ID.
// The admin endpoint lists resources with it.
func (s *Store) Raw() map[string]map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]json.RawMessage{}
	for k, t := range s.tables {
		t.mu.Lock()
		if len(t.rows) > 0 {
			rows := make(map[string]json.RawMessage, len(t.rows))
			maps.Copy(rows, t.rows)
			out[k] = rows
		}
		t.mu.Unlock()
	}
	return out
}

// write stores b as row id, on disk first: a temporary file is synced and
// renamed over the old one, so a crash leaves either version whole.
func (t *table) write(id string, b []byte) error {
	path := filepath.Join(t.dir, url.PathEscape(id)+fileSuffix)
	f, err := os.CreateTemp(t.dir, ".tmp-*")
	if err != nil {
		return errors.Wrapf(err, "cannot write row %s", id)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return errors.Wrapf(err, "cannot write row %s", id)
	}
	t.rows[id] = b
	return nil
}

func (t *table) remove(id string) error {
	path := filepath.Join(t.dir, url.PathEscape(id)+fileSuffix)
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return errors.Wrapf(err, "cannot remove row %s", id)
	}
	delete(t.rows, id)
	return nil
}

// A Table is one kind of resource, typed. Rows are values of T encoded as
// JSON; T should be a struct of exported fields.
type Table[T any] struct {
	kind string
	t    *table
}

// NewTable opens the table named kind (a slash-separated name such as
// "aws/rds/dbinstances") in s.
func NewTable[T any](s *Store, kind string) (*Table[T], error) {
	t, err := s.table(kind)
	if err != nil {
		return nil, err
	}
	return &Table[T]{kind: kind, t: t}, nil
}

// Kind is the table's name.
func (tb *Table[T]) Kind() string { return tb.kind }

func (tb *Table[T]) decode(id string, b json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, errors.Wrapf(err, "cannot decode %s %s", tb.kind, id)
}

// Get returns row id and whether it exists.
func (tb *Table[T]) Get(id string) (T, bool, error) {
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	b, ok := tb.t.rows[id]
	if !ok {
		var zero T
		return zero, false, nil
	}
	v, err := tb.decode(id, b)
	return v, true, err
}

// List returns every row, ordered by ID.
func (tb *Table[T]) List() ([]T, error) {
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	ids := make([]string, 0, len(tb.t.rows))
	for id := range tb.t.rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, err := tb.decode(id, tb.t.rows[id])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// IDs returns the IDs of every row, sorted.
func (tb *Table[T]) IDs() []string {
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	ids := make([]string, 0, len(tb.t.rows))
	for id := range tb.t.rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Put stores v as row id, replacing any row there.
func (tb *Table[T]) Put(id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errors.Wrapf(err, "cannot encode %s %s", tb.kind, id)
	}
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	return tb.t.write(id, b)
}

// ErrExists is returned by Create when the row is already there.
var ErrExists = errors.New("already exists")

// ErrNotFound is returned by Update when the row is not there.
var ErrNotFound = errors.New("not found")

// Create stores v as row id unless a row with that ID exists, in which case
// it returns ErrExists and the existing row. The check and the write are one
// step: of two concurrent creates, exactly one wins.
func (tb *Table[T]) Create(id string, v T) (T, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return v, errors.Wrapf(err, "cannot encode %s %s", tb.kind, id)
	}
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	if old, ok := tb.t.rows[id]; ok {
		cur, derr := tb.decode(id, old)
		if derr != nil {
			return cur, derr
		}
		return cur, ErrExists
	}
	return v, tb.t.write(id, b)
}

// Update applies fn to row id and stores the result, as one step. It returns
// ErrNotFound when there is no such row. When fn returns an error nothing is
// stored and the error is returned as is, so fn can return the API error the
// caller should answer with.
func (tb *Table[T]) Update(id string, fn func(*T) error) (T, error) {
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	b, ok := tb.t.rows[id]
	if !ok {
		var zero T
		return zero, ErrNotFound
	}
	v, err := tb.decode(id, b)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	nb, err := json.Marshal(v)
	if err != nil {
		return v, errors.Wrapf(err, "cannot encode %s %s", tb.kind, id)
	}
	return v, tb.t.write(id, nb)
}

// Delete removes row id; removing a missing row is not an error.
func (tb *Table[T]) Delete(id string) error {
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	return tb.t.remove(id)
}

// Clear removes every row.
func (tb *Table[T]) Clear() error {
	tb.t.mu.Lock()
	defer tb.t.mu.Unlock()
	for id := range tb.t.rows {
		if err := tb.t.remove(id); err != nil {
			return err
		}
	}
	return nil
}
