package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	democlaims "github.com/stratus-dev/stratus/examples/platform"
	"github.com/stratus-dev/stratus/internal/core"
	"github.com/stratus-dev/stratus/internal/crds"
	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/internal/localcp"
	"github.com/stratus-dev/stratus/package/platform"
)

type devCmd struct {
	Dir           string `default:".cache/dev"   help:"Directory for the control plane's data, logs and kubeconfig. It is emptied at start." type:"path"`
	BinDir        string `help:"Directory holding the etcd, kube-apiserver and kubectl binaries built by 'make tools'; empty means .cache/bin of this source tree." env:"STRATUS_BIN_DIR" type:"path"`
	CRDs          string `default:"cluster/crds" help:"Directory of CustomResourceDefinitions to install."                                        name:"crds" type:"path"`
	APIServerPort int    `default:"0"            help:"Loopback port for kube-apiserver; 0 picks a free one."                                     name:"apiserver-port"`
	EtcdPort      int    `default:"0"            help:"Loopback port for etcd clients; 0 picks a free one."`

	MetricsBindAddress      string        `default:"0"  help:"Address to serve the core's Prometheus metrics on; 0 turns them off."`
	HealthProbeBindAddress  string        `default:"0"  help:"Address to serve the core's /healthz and /readyz on; 0 turns them off."`
	MaxConcurrentReconciles int           `default:"10" help:"Maximum number of resources each controller reconciles at once."`
	PollInterval            time.Duration `default:"1m" help:"How often each controller rechecks a resource that nothing has changed."`
	FunctionTLSCertsDir     string        `help:"Directory with ca.crt, tls.crt and tls.key for calling composition functions over mTLS; empty calls them without TLS, as suits local development." type:"path"`

	LocalCloud         bool `default:"true" help:"Run the local cloud (stratus localcloud) beside the control plane, with its state in the dev directory." negatable:""`
	LocalCloudPortBase int  `default:"4566" help:"First of the local cloud's four loopback ports (AWS, GCP, Azure, admin); 0 picks free ports."`

	Providers []string `help:"Providers to run as processes of their own (aws, gcp, azure), each with a log in the dev directory and a default ProviderConfig pointing at the local cloud." sep:","`

	Platform bool `help:"Install the portable platform (package/platform: the PostgreSQLInstance and ComputeInstance XRDs and their Compositions for AWS, GCP and Azure) once the core runs."`
	Demo     bool `help:"Run the demo that make run shows: the providers for aws, gcp and azure (unless --providers is given) and the platform, then a database and a machine claimed on each cloud in the namespace demo, with a live table until all are Ready."`
}

// Run starts the local control plane, installs the CRDs and runs the core
// until interrupted, then stops everything it started.
func (c *devCmd) Run(log logging.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c.imply()
	return runDev(ctx, c, os.Stdout, log)
}

// imply turns on what --demo needs: the providers of every cloud, unless
// some were named, and the platform.
func (c *devCmd) imply() {
	if !c.Demo {
		return
	}
	c.Platform = true
	if len(c.Providers) == 0 {
		c.Providers = slices.Clone(knownProviders)
	}
}

func runDev(ctx context.Context, c *devCmd, out io.Writer, log logging.Logger) (err error) {
	say := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
	}

	say("==> Starting the local control plane (etcd and kube-apiserver) in %s", c.Dir)
	cp, err := localcp.Start(ctx, localcp.Options{
		BinDir:        c.BinDir,
		Dir:           c.Dir,
		APIServerPort: c.APIServerPort,
		EtcdPort:      c.EtcdPort,
		Progress:      prefixWriter{w: out, prefix: "    "},
	})
	if err != nil {
		return errors.Wrap(err, "cannot start the local control plane")
	}
	defer func() {
		say("==> Stopping the local control plane")
		if serr := cp.Stop(); serr != nil && err == nil {
			err = errors.Wrap(serr, "cannot stop the local control plane")
		}
	}()

	var cloudLines []string
	var endpoints *localcloud.Endpoints
	if c.LocalCloud {
		lc, e, lines, err := devLocalCloud(ctx, c, cp.Dir, say)
		if err != nil {
			return err
		}
		defer func() {
			say("==> Stopping the local cloud")
			if serr := lc.Stop(); serr != nil && err == nil {
				err = errors.Wrap(serr, "cannot stop the local cloud")
			}
		}()
		cloudLines, endpoints = lines, e
	}
	if len(c.Providers) > 0 && endpoints == nil {
		return errors.New("--providers needs the local cloud (drop --no-local-cloud)")
	}

	x := coreExtras{out: out, cloudLines: cloudLines, endpoints: endpoints, coreLog: "the output of this command (standard error)"}
	if f, ok := out.(*os.File); ok && c.Demo {
		// The table of the demo is redrawn in place on a terminal; the
		// core's log lines would break it, so they go to a file.
		if x.terminal = terminalWidth(f); x.terminal != nil {
			x.coreLog = filepath.Join(cp.Dir, "core.log")
			restore, err := redirectStderr(x.coreLog)
			if err != nil {
				return err
			}
			defer restore()
		}
	}
	return runCore(ctx, c, cp, say, x, log)
}

// coreExtras is what runCore needs from the steps before it.
type coreExtras struct {
	out        io.Writer
	cloudLines []string
	endpoints  *localcloud.Endpoints
	// terminal is the width of the terminal stdout is, nil if it is none.
	terminal func() int
	// coreLog says where the core's log goes.
	coreLog string
}

// runCore installs the CRDs on the local control plane and runs the core,
// with the providers, the platform and the demo as asked, until ctx ends.
func runCore(ctx context.Context, c *devCmd, cp *localcp.ControlPlane, say func(string, ...any), x coreExtras, log logging.Logger) error {
	s, err := core.Scheme()
	if err != nil {
		return err
	}
	kube, err := client.New(cp.Config, client.Options{Scheme: s})
	if err != nil {
		return errors.Wrap(err, "cannot create API client")
	}
	say("==> Installing CustomResourceDefinitions from %s", c.CRDs)
	installed, err := crds.Install(ctx, kube, c.CRDs)
	if err != nil {
		return errors.Wrap(err, "cannot install CRDs")
	}
	say("    %d CRDs established", len(installed))

	mgr, err := core.NewManager(cp.Config, core.Options{
		MetricsBindAddress:      c.MetricsBindAddress,
		HealthProbeBindAddress:  c.HealthProbeBindAddress,
		MaxConcurrentReconciles: c.MaxConcurrentReconciles,
		PollInterval:            c.PollInterval,
		FunctionTLSCertsDir:     c.FunctionTLSCertsDir,
		FunctionInsecure:        c.FunctionTLSCertsDir == "",
		Logger:                  log,
	})
	if err != nil {
		return err
	}
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()

	crashed, stopProviders, err := devProviders(ctx, c, cp, kube, x.endpoints, say)
	if err != nil {
		return err
	}
	defer stopProviders()

	if c.Platform {
		if err := installPlatform(ctx, kube, platform.FS, say); err != nil {
			return errors.Wrap(err, "cannot install the platform")
		}
	}

	kubectl := kubectlPath(c.BinDir)
	printRunning(c, cp, x, kubectl, say)

	demoFailed, stopDemo := startDemo(ctx, c, kube, demoEnv{
		Out: x.out, Terminal: x.terminal, Dir: cp.Dir,
		Kubeconfig: cp.KubeconfigPath, Kubectl: kubectl, CoreLog: x.coreLog,
	})
	defer stopDemo()

	select {
	case <-ctx.Done():
		stopDemo()
		say("==> Interrupted; shutting down")
		cancel()
		return errors.Wrap(<-done, "core stopped with an error")
	case err := <-done:
		return errors.Wrap(err, "core stopped unexpectedly")
	case err = <-crashed:
	case err = <-demoFailed:
	}
	// Stop the core before anything else, so that its last words go
	// where its log went.
	stopDemo()
	cancel()
	<-done
	return err
}

// printRunning says where everything is and what to try, then that Stratus
// is running (the line scripts wait for).
func printRunning(c *devCmd, cp *localcp.ControlPlane, x coreExtras, kubectl string, say func(string, ...any)) {
	say("")
	say("    API server:  %s", cp.APIServerURL)
	say("    kubeconfig:  %s", cp.KubeconfigPath)
	say("    logs:        %s", filepath.Join(cp.Dir, "{etcd,kube-apiserver}.log"))
	switch len(c.Providers) {
	case 0:
	case 1:
		say("                 %s", filepath.Join(cp.Dir, "provider-"+c.Providers[0]+".log"))
	default:
		say("                 %s", filepath.Join(cp.Dir, "provider-{"+strings.Join(c.Providers, ",")+"}.log"))
	}
	if x.terminal != nil && c.Demo {
		say("                 %s (the core)", x.coreLog)
	}
	for _, l := range x.cloudLines {
		say("%s", l)
	}
	say("")
	say("    Try:")
	say("      export KUBECONFIG=%s", cp.KubeconfigPath)
	switch {
	case c.Platform:
		say("      %s get xrd,composition", kubectl)
	default:
		say("      %s get crds", kubectl)
	}
	say("")
	say("==> Stratus is running. Press Ctrl-C to stop.")
}

// startDemo runs the demo in the background when --demo is set. The channel
// reports a demo that could not start; the function stops the demo and
// waits for it, so that nothing prints after it returns.
func startDemo(ctx context.Context, c *devCmd, kube client.Client, env demoEnv) (<-chan error, func()) {
	failed := make(chan error, 1)
	if !c.Demo {
		return failed, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if err := runDemo(ctx, kube, democlaims.Claims, env); err != nil && ctx.Err() == nil {
			failed <- errors.Wrap(err, "cannot run the demo")
		}
	}()
	return failed, func() {
		cancel()
		<-finished
	}
}

// kubectlPath is the kubectl make tools built, or kubectl from PATH.
func kubectlPath(binDir string) string {
	if bin, err := localBinDir(binDir); err == nil {
		if _, serr := os.Stat(filepath.Join(bin, "kubectl")); serr == nil {
			return filepath.Join(bin, "kubectl")
		}
	}
	return "kubectl"
}

// localBinDir returns dir, or the default binary directory when dir is empty.
func localBinDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return localcp.DefaultBinDir()
}

// A prefixWriter indents each write, for nested progress lines.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
