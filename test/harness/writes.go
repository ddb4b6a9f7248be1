package harness

import (
	"maps"
	"net/http"
	"strings"
	"sync"

	"k8s.io/client-go/rest"
)

// A WriteCounter counts a client's write requests (every method but GET)
// to the API server whose path contains one of Match.
type WriteCounter struct {
	// Match selects the paths to count; empty counts every write.
	Match []string

	next  http.RoundTripper
	mu    sync.Mutex
	count map[string]int
}

// Wrap returns a copy of cfg whose requests pass through the counter.
func (w *WriteCounter) Wrap(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.Wrap(func(rt http.RoundTripper) http.RoundTripper { w.next = rt; return w })
	return c
}

// RoundTrip counts req if it is a matching write, and sends it on.
func (w *WriteCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && w.matches(req.URL.Path) {
		w.mu.Lock()
		if w.count == nil {
			w.count = map[string]int{}
		}
		w.count[req.Method+" "+req.URL.Path]++
		w.mu.Unlock()
	}
	return w.next.RoundTrip(req)
}

func (w *WriteCounter) matches(path string) bool {
	if len(w.Match) == 0 {
		return true
	}
	for _, m := range w.Match {
		if strings.Contains(path, m) {
			return true
		}
	}
	return false
}

// Snapshot returns the writes counted so far, by method and path.
func (w *WriteCounter) Snapshot() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.count))
	maps.Copy(out, w.count)
	return out
}

// Since returns the writes counted after the snapshot before.
func (w *WriteCounter) Since(before map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range w.Snapshot() {
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}
