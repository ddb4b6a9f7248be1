package localcp

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// writeExe writes an executable shell script named name into dir.
func writeExe(t *testing.T, dir, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
}

// listen holds a loopback port for the duration of the test.
func listen(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	writeExe(t, dir, "good", "exit 0")
	if err := os.WriteFile(filepath.Join(dir, "plain"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o750); err != nil {
		t.Fatal(err)
	}

	type want struct {
		path string
		err  error
	}
	cases := map[string]struct {
		reason string
		name   string
		want   want
	}{
		"Present": {
			reason: "An executable file is returned by path.",
			name:   "good",
			want:   want{path: filepath.Join(dir, "good")},
		},
		"Missing": {
			reason: "A missing binary is reported as ErrBinaryMissing.",
			name:   "kube-apiserver",
			want:   want{err: ErrBinaryMissing},
		},
		"NotExecutable": {
			reason: "A file without an execute bit cannot be run.",
			name:   "plain",
			want:   want{err: ErrBinaryMissing},
		},
		"Directory": {
			reason: "A directory is not a binary.",
			name:   "folder",
			want:   want{err: ErrBinaryMissing},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path, err := binary(dir, tc.name)
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nbinary(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.path, path); diff != "" {
				t.Errorf("%s\nbinary(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	empty := t.TempDir()
	fakes := t.TempDir()
	writeExe(t, fakes, EtcdBinary, "sleep 60")
	writeExe(t, fakes, APIServerBinary, "sleep 60")
	taken := listen(t)

	cases := map[string]struct {
		reason string
		opts   Options
		want   error
	}{
		"MissingEtcd": {
			reason: "Start refuses to run without an etcd binary.",
			opts:   Options{BinDir: empty},
			want:   ErrBinaryMissing,
		},
		"MissingAPIServer": {
			reason: "Start refuses to run without a kube-apiserver binary.",
			opts: func() Options {
				d := t.TempDir()
				writeExe(t, d, EtcdBinary, "sleep 60")
				return Options{BinDir: d}
			}(),
			want: ErrBinaryMissing,
		},
		"APIServerPortInUse": {
			reason: "A requested API server port that is taken is reported before anything starts.",
			opts:   Options{BinDir: fakes, APIServerPort: taken},
			want:   ErrPortInUse,
		},
		"EtcdPortInUse": {
			reason: "A requested etcd port that is taken is reported before anything starts.",
			opts:   Options{BinDir: fakes, EtcdPort: taken},
			want:   ErrPortInUse,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cp, err := Start(context.Background(), tc.opts)
			if diff := cmp.Diff(tc.want, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nStart(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if cp != nil {
				t.Errorf("%s\nStart(...): want no control plane on error, got one in %s", tc.reason, cp.Dir)
			}
		})
	}
}

func TestStartReportsEarlyExit(t *testing.T) {
	// A server that dies at start (here: a port race lost to another
	// process) must be reported with the end of its log, not as a timeout.
	bin := t.TempDir()
	writeExe(t, bin, EtcdBinary, `echo "listen tcp 127.0.0.1:2379: bind: address already in use" >&2; exit 1`)
	writeExe(t, bin, APIServerBinary, "sleep 60")
	dir := filepath.Join(t.TempDir(), "cp")

	cp, err := Start(context.Background(), Options{BinDir: bin, Dir: dir, StartTimeout: 30 * time.Second})
	if err == nil {
		t.Fatal("Start(...): want an error when etcd exits at once, got none")
	}
	if cp != nil {
		t.Errorf("Start(...): want no control plane on error, got one in %s", cp.Dir)
	}
	// The failed start released the directory for the next attempt.
	if l, err := lockDir(dir); err != nil {
		t.Errorf("lockDir(...) after a failed start: %v", err)
	} else {
		_ = unlockDir(l)
	}
	for _, want := range []string{"etcd exited before it became ready", "bind: address already in use"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start(...): error %q should contain %q", err, want)
		}
	}
}

func TestStartTimesOut(t *testing.T) {
	// etcd that never answers its health check: Start gives up at the
	// timeout, says what it last saw, and stops the process it started.
	bin := t.TempDir()
	pidFile := filepath.Join(t.TempDir(), "pid")
	writeExe(t, bin, EtcdBinary, "echo $$ > "+pidFile+"; echo still starting; exec sleep 60")
	writeExe(t, bin, APIServerBinary, "sleep 60")

	_, err := Start(context.Background(), Options{BinDir: bin, StartTimeout: time.Second})
	if err == nil {
		t.Fatal("Start(...): want an error when etcd never becomes ready, got none")
	}
	for _, want := range []string{"etcd did not become ready", "still starting"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start(...): error %q should contain %q", err, want)
		}
	}
	b, rerr := os.ReadFile(pidFile)
	if rerr != nil {
		t.Fatal(rerr)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if _, serr := os.Stat("/proc/" + strconv.Itoa(pid)); serr == nil {
		t.Errorf("Start(...): process %d should have been stopped after the failed start", pid)
	}
}

func TestDefaultBinDir(t *testing.T) {
	t.Setenv(EnvBinDir, "/opt/stratus/bin")
	got, err := DefaultBinDir()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("/opt/stratus/bin", got); diff != "" {
		t.Errorf("DefaultBinDir(): -want, +got:\n%s", diff)
	}

	t.Setenv(EnvBinDir, "")
	got, err = DefaultBinDir()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got, filepath.Join(".cache", "bin")) {
		t.Errorf("DefaultBinDir(): want the source tree's .cache/bin, got %s", got)
	}
}

func TestDirLock(t *testing.T) {
	// A second control plane asked for a directory in use must refuse before
	// it wipes the first one's data.
	bin := t.TempDir()
	writeExe(t, bin, EtcdBinary, "sleep 60")
	writeExe(t, bin, APIServerBinary, "sleep 60")
	dir := filepath.Join(t.TempDir(), "cp")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}

	held, err := lockDir(dir)
	if err != nil {
		t.Fatalf("lockDir(...): %v", err)
	}
	_, err = Start(context.Background(), Options{BinDir: bin, Dir: dir})
	if diff := cmp.Diff(ErrDirInUse, err, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Start(...) on a locked directory: -want error, +got error:\n%s", diff)
	}
	if _, err := os.Stat(data); err != nil {
		t.Errorf("Start(...) on a locked directory must not touch it: %v", err)
	}

	if err := unlockDir(held); err != nil {
		t.Fatal(err)
	}
	again, err := lockDir(dir)
	if err != nil {
		t.Errorf("lockDir(...) after release: %v", err)
	}
	_ = unlockDir(again)
}
