package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
)

type localcloudCmd struct {
	Dir   string `default:".cache/localcloud" help:"Folder holding all state: resources, PostgreSQL data, certificates. Restarting over the same folder keeps everything." type:"path"`
	Reset bool   `help:"Delete the folder's state before starting."`

	AWSPort   int `default:"4566" help:"Port for AWS (RDS and EC2); 0 reuses the last port or picks a free one."   name:"aws-port"`
	GCPPort   int `default:"4567" help:"Port for GCP (Cloud SQL Admin and Compute); 0 as for --aws-port."          name:"gcp-port"`
	AzurePort int `default:"4568" help:"Port for Azure (Resource Manager and Entra ID, HTTPS); 0 as for --aws-port." name:"azure-port"`
	AdminPort int `default:"4569" help:"Port for the admin API; 0 as for --aws-port."                              name:"admin-port"`

	CreateDelay time.Duration `default:"2s" help:"Least time a resource spends creating (databases also wait for their server)."`
	ModifyDelay time.Duration `default:"1s" help:"Time a modification stays in progress."`
	DeleteDelay time.Duration `default:"1s" help:"Time a resource spends deleting."`
	StartDelay  time.Duration `default:"1s" help:"Time a machine takes to start."`
	StopDelay   time.Duration `default:"1s" help:"Time a machine takes to stop."`

	AWSCredential  []string `help:"ACCESS_KEY_ID:SECRET that AWS requests may be signed with (repeatable); none means test:test." name:"aws-credential"`
	AzureClient    []string `help:"CLIENT_ID:SECRET the Azure token endpoint accepts (repeatable); none accepts any client."       name:"azure-client"`
	GCPRequireAuth bool     `help:"Refuse GCP requests without a bearer token."                                                  name:"gcp-require-auth"`
	Fault          []string `help:"Faults to inject, as API=throttle:RATE,error:RATE,latency:DURATION with API one of rds, ec2, sqladmin, compute, arm (repeatable)."`

	PostgresBinDir string `default:"/usr/lib/postgresql/15/bin" help:"Folder of PostgreSQL's binaries (initdb, postgres)." type:"path"`
}

// Run serves the local cloud until interrupted.
func (c *localcloudCmd) Run(log logging.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runLocalcloud(ctx, c, os.Stdout, log)
}

func pairs(flag string, vals []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vals {
		k, s, ok := strings.Cut(v, ":")
		if !ok || k == "" || s == "" {
			return nil, errors.Errorf("--%s %q: want ID:SECRET", flag, v)
		}
		out[k] = s
	}
	return out, nil
}

func (c *localcloudCmd) options(log logging.Logger) (localcloud.Options, error) {
	aws, err := pairs("aws-credential", c.AWSCredential)
	if err != nil {
		return localcloud.Options{}, err
	}
	az, err := pairs("azure-client", c.AzureClient)
	if err != nil {
		return localcloud.Options{}, err
	}
	faults := map[string]fault.Config{}
	for _, f := range c.Fault {
		api, fc, err := fault.Parse(f)
		if err != nil {
			return localcloud.Options{}, err
		}
		faults[api] = fc
	}
	return localcloud.Options{
		Dir:            c.Dir,
		Ports:          localcloud.Ports{AWS: c.AWSPort, GCP: c.GCPPort, Azure: c.AzurePort, Admin: c.AdminPort},
		Delays:         cloud.Delays{Create: c.CreateDelay, Modify: c.ModifyDelay, Delete: c.DeleteDelay, Start: c.StartDelay, Stop: c.StopDelay},
		AWSCredentials: aws,
		AzureClients:   az,
		GCPRequireAuth: c.GCPRequireAuth,
		Faults:         faults,
		PostgresBinDir: c.PostgresBinDir,
		Logger:         log,
	}, nil
}

func runLocalcloud(ctx context.Context, c *localcloudCmd, out io.Writer, log logging.Logger) error {
	o, err := c.options(log)
	if err != nil {
		return err
	}
	if c.Reset {
		fmt.Fprintf(out, "==> Deleting the local cloud's state in %s\n", c.Dir)
		if err := os.RemoveAll(c.Dir); err != nil {
			return errors.Wrapf(err, "cannot delete %s", c.Dir)
		}
	}
	fmt.Fprintf(out, "==> Starting the local cloud in %s\n", c.Dir)
	lc, err := localcloud.Start(ctx, o)
	if err != nil {
		return errors.Wrap(err, "cannot start the local cloud")
	}
	e := lc.Endpoints()
	fmt.Fprintf(out, "    AWS (RDS, EC2):                 %s   (any region; credentials %s)\n", e.AWS, credentialHint(o.AWSCredentials))
	fmt.Fprintf(out, "    GCP (Cloud SQL Admin, Compute): %s\n", e.GCP)
	fmt.Fprintf(out, "    Azure (ARM, Entra ID, HTTPS):   %s   (CA: %s)\n", e.Azure, e.AzureCA)
	fmt.Fprintf(out, "    Admin:                          %s/v1/resources\n", e.Admin)
	fmt.Fprintf(out, "    PostgreSQL:                     %s\n", pgHint(o.PostgresBinDir))
	fmt.Fprintln(out, "==> Local cloud ready. Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "==> Stopping the local cloud (state is kept)")
	case err = <-lc.Err():
	}
	if cerr := lc.Close(); cerr != nil && err == nil {
		err = errors.Wrap(cerr, "cannot stop the local cloud cleanly")
	}
	return err
}

func credentialHint(m map[string]string) string {
	if len(m) == 0 {
		return "test/test"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return strings.Join(keys, ", ")
}

func pgHint(dir string) string {
	if dir == "" {
		dir = pg.DefaultBinDir
	}
	return "servers from " + dir + ", one loopback address each, port 5432"
}
