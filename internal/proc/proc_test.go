package proc

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTail(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		reason  string
		content string
		n       int
		want    string
	}{
		"Short": {
			reason:  "A log shorter than n lines is quoted whole, indented.",
			content: "one\ntwo\n",
			n:       5,
			want:    "  one\n  two",
		},
		"Long": {
			reason:  "Only the last n lines are quoted.",
			content: "1\n2\n3\n4\n",
			n:       2,
			want:    "  3\n  4",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, Tail(p, tc.n)); diff != "" {
				t.Errorf("%s\nTail(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if got := Tail(filepath.Join(dir, "missing"), 3); !strings.HasPrefix(got, "(log unreadable: ") {
		t.Errorf("Tail(missing): want a note that the log is unreadable, got %q", got)
	}
}

func TestWaitHTTP(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer ready.Close()
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("[-]etcd failed"))
	}))
	defer notReady.Close()

	cases := map[string]struct {
		reason  string
		script  string
		url     string
		auth    string
		timeout time.Duration
		want    []string // substrings of the error; none means success
	}{
		"Ready": {
			reason:  "A server answering 200 with the credentials sent is ready.",
			script:  "sleep 30",
			url:     ready.URL,
			auth:    "Bearer t",
			timeout: 5 * time.Second,
		},
		"NotReady": {
			reason:  "A server that never answers 200 times out, quoting its last answer and its log.",
			script:  "echo warming up; sleep 30",
			url:     notReady.URL,
			timeout: 500 * time.Millisecond,
			want:    []string{"server did not become ready", "HTTP 503: [-]etcd failed", "warming up"},
		},
		"Exited": {
			reason:  "A server that exits is reported at once with the end of its log.",
			script:  "echo 'bind: address already in use' >&2; exit 3",
			url:     notReady.URL,
			timeout: 10 * time.Second,
			want:    []string{"server exited before it became ready (exit status 3)", "bind: address already in use"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := Start("server", "/bin/sh", []string{"-c", tc.script}, filepath.Join(t.TempDir(), "server.log"))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = p.Stop() }()
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			err = p.WaitHTTP(ctx, http.DefaultClient, tc.url, tc.auth)
			if len(tc.want) == 0 {
				if err != nil {
					t.Errorf("%s\nWaitHTTP(...): %v", tc.reason, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s\nWaitHTTP(...): want an error, got none", tc.reason)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s\nWaitHTTP(...): error should contain %q, got:\n%v", tc.reason, w, err)
				}
			}
		})
	}
}

func TestStop(t *testing.T) {
	p, err := Start("sleeper", "/bin/sh", []string{"-c", "exec sleep 60"}, filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Exited() {
		t.Fatal("Exited(): want a running process")
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop(): %v", err)
	}
	if !p.Exited() {
		t.Error("Exited() after Stop(): want true")
	}
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(p.Pid()))); err == nil {
		t.Errorf("process %d still exists after Stop()", p.Pid())
	}
	if err := p.Stop(); err != nil {
		t.Errorf("second Stop(): %v", err)
	}
}

func TestStartMissingBinary(t *testing.T) {
	_, err := Start("ghost", filepath.Join(t.TempDir(), "nope"), nil, filepath.Join(t.TempDir(), "log"))
	if err == nil || !strings.Contains(err.Error(), "cannot start ghost") {
		t.Errorf("Start(missing): want a 'cannot start ghost' error, got %v", err)
	}
}
