package gcp

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// A callCounter is a reverse proxy in front of a local cloud's GCP endpoint
// that counts the calls passing through it, by method and path.
type callCounter struct {
	// URL of the proxy.
	URL string

	mu     sync.Mutex
	count  map[string]int
	hidden map[string]int
}

func newCallCounter(t *testing.T, target string) *callCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &callCounter{count: map[string]int{}, hidden: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.count[r.Method+" "+r.URL.Path]++
		hide := r.Method == http.MethodGet && c.hidden[r.URL.Path] > 0
		if hide {
			c.hidden[r.URL.Path]--
		}
		c.mu.Unlock()
		if hide {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":{"code":404,"message":"hidden by the test","errors":[{"message":"hidden by the test","domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

// Hide answers the next n GET calls of path with 404, as an API does for a
// resource it is not consistent about yet, or for a name it keeps after a
// delete.
func (c *callCounter) Hide(path string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hidden[path] = n
}

// Snapshot returns the calls counted so far.
func (c *callCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.count))
	maps.Copy(out, c.count)
	return out
}

// Reads returns how many GET calls were counted.
func (c *callCounter) Reads() int {
	n := 0
	for k, v := range c.Snapshot() {
		if len(k) > 4 && k[:4] == "GET " {
			n += v
		}
	}
	return n
}

// MutatingSince returns the calls after the snapshot before that may change
// something: every one but GET.
func (c *callCounter) MutatingSince(before map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range c.Snapshot() {
		if len(k) > 4 && k[:4] == "GET " {
			continue
		}
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}
