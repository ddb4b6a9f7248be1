package main

import (
	"bytes"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A callCounter is a reverse proxy in front of moto that counts the AWS API
// calls passing through it by action, and the calls that failed by action
// and HTTP status. RDS and EC2 speak the Query protocol:
// the action is the Action field of the form-encoded body.
type callCounter struct {
	// URL of the proxy, for the provider's ProviderConfig.
	URL string

	srv *http.Server

	mu    sync.Mutex
	count map[string]int
}

// startCallCounter serves a proxy to target on a free loopback port.
func startCallCounter(target string) (*callCounter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot parse %s", target)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Wrap(err, "cannot listen for the AWS call counter")
	}
	c := &callCounter{URL: "http://" + l.Addr().String(), count: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	c.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(sw, r)
		v, err := url.ParseQuery(string(body))
		if err != nil || v.Get("Action") == "" {
			return
		}
		what := v.Get("Action")
		if sw.status >= http.StatusBadRequest {
			what += " (HTTP " + strconv.Itoa(sw.status) + ")"
		}
		c.mu.Lock()
		c.count[what]++
		c.mu.Unlock()
	})}
	go func() { _ = c.srv.Serve(l) }()
	return c, nil
}

// A statusWriter remembers the status code of the response it writes.
type statusWriter struct {
	http.ResponseWriter

	status int
}

// WriteHeader writes and remembers the status code.
func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Snapshot returns the calls counted so far, by action.
func (c *callCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.count)
}

// Close stops the proxy.
func (c *callCounter) Close() error {
	return c.srv.Close()
}

// A callRow is how many calls of one action a phase made.
type callRow struct {
	Action string `json:"action"`
	Count  int    `json:"count"`
}

// callsSince returns the calls in now that were not in before, most
// frequent first.
func callsSince(before, now map[string]int) []callRow {
	rows := []callRow{}
	for a, n := range now {
		if d := n - before[a]; d > 0 {
			rows = append(rows, callRow{Action: a, Count: d})
		}
	}
	slices.SortFunc(rows, func(a, b callRow) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Action < b.Action {
			return -1
		}
		return 1
	})
	return rows
}
