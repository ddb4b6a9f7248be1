package harness

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/proc"
)

// EnvPython names the environment variable that overrides the Python
// interpreter used to run moto.
const EnvPython = "STRATUS_PYTHON"

// A Moto is a running moto server, a third-party AWS emulator.
type Moto struct {
	// Endpoint is the URL to point AWS SDK clients at.
	Endpoint string

	p *proc.Process
}

var (
	moto     *Moto
	errMoto  error
	motoOnce sync.Once
)

// StartMoto starts a moto server on a free loopback port and waits until it
// answers. Stop it with Stop; most tests want MotoFor instead.
func StartMoto(ctx context.Context, logDir string) (*Moto, error) {
	python := os.Getenv(EnvPython)
	if python == "" {
		python = "python3"
	}
	path, err := exec.LookPath(python)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot find %s to run moto (set %s to a Python that has moto installed)", python, EnvPython)
	}
	port, err := proc.FreePort()
	if err != nil {
		return nil, err
	}
	p, err := proc.Start("moto", path, []string{"-m", "moto.server", "-H", "127.0.0.1", "-p", strconv.Itoa(port)}, filepath.Join(logDir, "moto.log"))
	if err != nil {
		return nil, err
	}
	m := &Moto{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), p: p}
	if err := p.WaitHTTP(ctx, http.DefaultClient, m.Endpoint+"/moto-api/", ""); err != nil {
		_ = p.Stop()
		return nil, errors.Wrap(err, "moto did not start (is moto installed for this Python? pip install 'moto[server]')")
	}
	return m, nil
}

// Reset wipes every resource moto holds.
func (m *Moto) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/moto-api/reset", nil)
	if err != nil {
		return errors.Wrap(err, "cannot build moto reset request")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return errors.Wrap(err, "cannot reset moto")
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.Errorf("cannot reset moto: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop stops the moto server.
func (m *Moto) Stop() error {
	return m.p.Stop()
}

// MotoFor returns the package's moto server, started on first use and
// stopped after the package's tests, reset so that the test starts from
// moto's initial state. Tests that use it must not run in parallel with each
// other, since they share one server.
func MotoFor(t testing.TB) *Moto {
	t.Helper()
	motoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stratus-moto-")
		if err != nil {
			errMoto = errors.Wrap(err, "cannot create moto log directory")
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		moto, errMoto = StartMoto(ctx, dir)
		if errMoto != nil {
			return
		}
		atExit(func() {
			_ = moto.Stop()
			_ = os.RemoveAll(dir)
		})
	})
	if errMoto != nil {
		t.Fatalf("harness: %v", errMoto)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := moto.Reset(ctx); err != nil {
		t.Fatalf("harness: %v", err)
	}
	return moto
}
