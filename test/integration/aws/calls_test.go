package aws

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// A callCounter is a reverse proxy in front of moto that counts the AWS
// API actions passing through it. EC2 and RDS speak the Query protocol: the
// action is the Action field of the form-encoded body.
type callCounter struct {
	// URL of the proxy.
	URL string

	mu    sync.Mutex
	count map[string]int
}

func newCallCounter(t *testing.T, target string) *callCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &callCounter{count: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			c.mu.Lock()
			c.count[v.Get("Action")]++
			c.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

// Snapshot returns the calls counted so far, by action.
func (c *callCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.count))
	maps.Copy(out, c.count)
	return out
}

// MutatingSince returns the calls after the snapshot before that may change
// something in AWS: every action but Describe*, List* and Get*.
func (c *callCounter) MutatingSince(before map[string]int) map[string]int {
	out := map[string]int{}
	for a, n := range c.Snapshot() {
		if strings.HasPrefix(a, "Describe") || strings.HasPrefix(a, "List") || strings.HasPrefix(a, "Get") {
			continue
		}
		if d := n - before[a]; d != 0 {
			out[a] = d
		}
	}
	return out
}
