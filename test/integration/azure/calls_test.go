package azure

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/rest"
)

// A callCounter is a TLS reverse proxy in front of a local cloud's Azure
// endpoint that counts the Resource Manager calls passing through it, by
// method and path. Token requests are not counted.
type callCounter struct {
	// URL of the proxy.
	URL string

	// CA is the PEM certificate the proxy serves with, for the
	// ProviderConfig's CA bundle.
	CA string

	mu    sync.Mutex
	count map[string]int
}

// newCallCounter starts a proxy to target, whose certificate the CA in the
// PEM file ca signed.
func newCallCounter(t *testing.T, target, ca string) *callCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &callCounter{count: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = tlsTo(t, ca)
	// The proxy keeps the Host header: the local cloud builds the URLs of
	// its operations from it, so that polls come through the proxy too.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/subscriptions/") {
			c.mu.Lock()
			c.count[r.Method+" "+strings.ToLower(r.URL.Path)]++
			c.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	c.CA = pemOf(srv.Certificate().Raw)
	return c
}

// Snapshot returns the calls counted so far.
func (c *callCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.count))
	maps.Copy(out, c.count)
	return out
}

// MutatingSince returns the calls after the snapshot before that may change
// something: every one but GET.
func (c *callCounter) MutatingSince(before map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range c.Snapshot() {
		if strings.HasPrefix(k, "GET ") {
			continue
		}
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// Count returns the calls counted so far with method whose path holds sub
// (in any case).
func (c *callCounter) Count(method, sub string) int {
	n := 0
	for k, v := range c.Snapshot() {
		m, path, _ := strings.Cut(k, " ")
		if m == method && strings.Contains(path, strings.ToLower(sub)) {
			n += v
		}
	}
	return n
}

// A writeLog records a client's writes to the API server (every method but
// GET), by method and path. The provider is shared by the package's tests,
// which run in parallel: each test looks at the writes to paths holding its
// own namespace, which every name it uses starts with.
type writeLog struct {
	next http.RoundTripper

	mu    sync.Mutex
	count map[string]int
}

// Wrap returns a copy of cfg whose requests pass through the log.
func (w *writeLog) Wrap(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.Wrap(func(rt http.RoundTripper) http.RoundTripper { w.next = rt; return w })
	return c
}

// RoundTrip records req if it is a write, and sends it on.
func (w *writeLog) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		w.mu.Lock()
		if w.count == nil {
			w.count = map[string]int{}
		}
		w.count[req.Method+" "+req.URL.Path]++
		w.mu.Unlock()
	}
	return w.next.RoundTrip(req)
}

// Snapshot returns the writes recorded so far.
func (w *writeLog) Snapshot() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.count))
	maps.Copy(out, w.count)
	return out
}

// Since returns the writes after the snapshot before to paths that hold
// sub.
func (w *writeLog) Since(before map[string]int, sub string) map[string]int {
	out := map[string]int{}
	for k, n := range w.Snapshot() {
		if !strings.Contains(k, sub) {
			continue
		}
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}
