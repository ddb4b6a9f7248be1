// Package proc runs the server processes Stratus starts for local work and
// tests (etcd, kube-apiserver, moto, PostgreSQL): each with its output in a
// log file, a readiness wait that reports an early exit with the end of that
// log, and an orderly stop. On Linux a server dies with the process that
// started it, so a crashed parent leaves none behind.
package proc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// StopGrace is how long a process may take to exit after SIGTERM before it is
// killed.
const StopGrace = 10 * time.Second

// logTailLines is how many lines of a process log an error message quotes.
const logTailLines = 15

// A Process is one running server whose output goes to a log file.
type Process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	log     *os.File

	done chan struct{}
	err  error // set before done is closed
}

// Start starts the binary at path with args, sending its stdout and stderr to
// logPath. name is how errors refer to it.
func Start(name, path string, args []string, logPath string) (*Process, error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot create log file for %s", name)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout = lf
	cmd.Stderr = lf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		_ = lf.Close()
		return nil, errors.Wrapf(err, "cannot start %s", name)
	}
	p := &Process{name: name, logPath: logPath, cmd: cmd, log: lf, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = lf.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitError describes a process that ended when it should not have, quoting
// the end of its log so that the cause (a port in use, a bad flag) is visible
// without opening the file.
func (p *Process) ExitError() error {
	return errors.Errorf("%s exited before it became ready (%v); last lines of %s:\n%s",
		p.name, p.err, p.logPath, Tail(p.logPath, logTailLines))
}

// Stop asks the process to end with SIGTERM and kills it if it has not ended
// within the grace period. It returns once the process is gone.
func (p *Process) Stop() error {
	if p == nil || p.Exited() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(StopGrace):
	}
	if err := p.cmd.Process.Kill(); err != nil && !p.Exited() {
		return errors.Wrapf(err, "cannot kill %s", p.name)
	}
	<-p.done
	return nil
}

// Tail returns the last n lines of the file at path, or a note saying why it
// could not be read.
func Tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	lines := strings.Split(string(bytes.TrimRight(b, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// Name is how errors refer to the process.
func (p *Process) Name() string { return p.name }

// LogPath is the file that receives the process's output.
func (p *Process) LogPath() string { return p.logPath }

// Pid is the process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// pollInterval is how often WaitHTTP checks a server.
const pollInterval = 100 * time.Millisecond

// WaitHTTP polls url with hc until it answers 200 OK, the process exits, or
// ctx ends. header, when not empty, is sent as the Authorization header.
func (p *Process) WaitHTTP(ctx context.Context, hc *http.Client, url, authorization string) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	var last string
	for {
		if p.Exited() {
			return p.ExitError()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return errors.Wrapf(err, "cannot build readiness request for %s", p.name)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := hc.Do(req)
		switch {
		case err == nil:
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
		case ctx.Err() == nil:
			// A request cut short by the deadline says nothing about the
			// server; keep what the previous check saw.
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			if last == "" {
				last = "no answer"
			}
			return errors.Errorf("%s did not become ready (last check of %s: %s); last lines of %s:\n%s",
				p.name, url, last, p.logPath, Tail(p.logPath, logTailLines))
		case <-t.C:
		}
	}
}

// FreePort asks the kernel for a free loopback TCP port. Another process may
// take it before the caller listens on it; a server that loses that race
// exits, and WaitHTTP reports why.
func FreePort() (int, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, errors.Wrap(err, "cannot find a free loopback port")
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
