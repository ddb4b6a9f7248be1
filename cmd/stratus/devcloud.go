package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/proc"
)

// localCloudStartTimeout bounds how long the local cloud may take to serve.
const localCloudStartTimeout = time.Minute

// devLocalCloud starts the local cloud for stratus dev inside the dev
// directory and returns it with the lines that describe it.
func devLocalCloud(ctx context.Context, c *devCmd, devDir string, say func(string, ...any)) (*proc.Process, *localcloud.Endpoints, []string, error) {
	dir := filepath.Join(devDir, "localcloud")
	say("==> Starting the local cloud (AWS, GCP and Azure APIs, PostgreSQL) in %s", dir)
	lc, e, err := startLocalCloud(ctx, dir, c.LocalCloudPortBase)
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "cannot start the local cloud")
	}
	return lc, &e, []string{
		"    local cloud: AWS " + e.AWS + ", GCP " + e.GCP + ", Azure " + e.Azure,
		"                 resources: " + e.Admin + "/v1/resources, log: " + lc.LogPath(),
	}, nil
}

// startLocalCloud runs `stratus localcloud` as a child process with its state
// in dir and its output in dir's log file, and waits until it serves.
func startLocalCloud(ctx context.Context, dir string, portBase int) (*proc.Process, localcloud.Endpoints, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, localcloud.Endpoints{}, errors.Wrap(err, "cannot find the stratus binary to run the local cloud")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: PostgreSQL servers run as the postgres user when stratus runs as root.
		return nil, localcloud.Endpoints{}, errors.Wrapf(err, "cannot create %s", dir)
	}
	port := func(i int) string {
		if portBase == 0 {
			return "0"
		}
		return strconv.Itoa(portBase + i)
	}
	args := []string{"localcloud", "--dir", dir,
		"--aws-port", port(0), "--gcp-port", port(1), "--azure-port", port(2), "--admin-port", port(3)}
	p, err := proc.Start("local cloud", exe, args, filepath.Join(filepath.Dir(dir), "localcloud.log"))
	if err != nil {
		return nil, localcloud.Endpoints{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, localCloudStartTimeout)
	defer cancel()
	e, err := waitEndpoints(ctx, p, filepath.Join(dir, "endpoints.json"))
	if err == nil {
		err = p.WaitHTTP(ctx, http.DefaultClient, e.Admin+"/healthz", "")
	}
	if err != nil {
		_ = p.Stop()
		return nil, localcloud.Endpoints{}, err
	}
	return p, e, nil
}

// waitEndpoints waits for the local cloud to record where it serves.
func waitEndpoints(ctx context.Context, p *proc.Process, path string) (localcloud.Endpoints, error) {
	for {
		if p.Exited() {
			return localcloud.Endpoints{}, p.ExitError()
		}
		if b, err := os.ReadFile(path); err == nil {
			var e localcloud.Endpoints
			if err := json.Unmarshal(b, &e); err == nil && e.Admin != "" {
				return e, nil
			}
		}
		select {
		case <-ctx.Done():
			return localcloud.Endpoints{}, errors.Errorf("the local cloud did not start within %s; last lines of %s:\n%s",
				localCloudStartTimeout, p.LogPath(), proc.Tail(p.LogPath(), 15))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
