package main

import (
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/core"
)

// managerFlags are the flags of every command that runs the core.
type managerFlags struct {
	MetricsBindAddress      string        `default:":8080"          help:"Address to serve Prometheus metrics on; 0 turns them off."`
	HealthProbeBindAddress  string        `default:":8081"          help:"Address to serve /healthz and /readyz on; 0 turns them off."`
	LeaderElection          bool          `env:"LEADER_ELECTION"    help:"Use leader election, so that only one of several replicas reconciles."`
	LeaderElectionNamespace string        `default:"stratus-system" help:"Namespace of the leader election Lease."`
	MaxConcurrentReconciles int           `default:"10"             help:"Maximum number of resources each controller reconciles at once."`
	PollInterval            time.Duration `default:"1m"             help:"How often each controller rechecks a resource that nothing has changed."`
	FunctionTLSCertsDir     string        `env:"FUNCTION_TLS_CERTS_DIR" help:"Directory with ca.crt, tls.crt and tls.key for calling composition functions over mTLS." type:"path"`
	FunctionInsecure        bool          `help:"Call composition functions without TLS (development only)."`
	APIQPS                  float32       `default:"500"            help:"Requests per second the core may make to the API server." name:"api-qps"`
	APIBurst                int           `default:"1000"           help:"Requests the core may make to the API server in a burst above --api-qps." name:"api-burst"`
}

func (f managerFlags) options(log logging.Logger) core.Options {
	return core.Options{
		MetricsBindAddress:      f.MetricsBindAddress,
		HealthProbeBindAddress:  f.HealthProbeBindAddress,
		LeaderElection:          f.LeaderElection,
		LeaderElectionNamespace: f.LeaderElectionNamespace,
		MaxConcurrentReconciles: f.MaxConcurrentReconciles,
		PollInterval:            f.PollInterval,
		FunctionTLSCertsDir:     f.FunctionTLSCertsDir,
		FunctionInsecure:        f.FunctionInsecure,
		Logger:                  log,
	}
}

type coreCmd struct {
	managerFlags `embed:""`

	Kubeconfig string `env:"KUBECONFIG" help:"Kubeconfig file of the API server to manage; empty means in-cluster configuration or ~/.kube/config." type:"path"`
}

// Run runs the core until it is interrupted.
func (c *coreCmd) Run(log logging.Logger) error {
	cfg, err := restConfig(c.Kubeconfig)
	if err != nil {
		return err
	}
	// client-go's defaults (5 per second, bursts of 10) would throttle a
	// controller that writes for hundreds of composite resources.
	cfg.QPS, cfg.Burst = c.APIQPS, c.APIBurst
	mgr, err := core.NewManager(cfg, c.options(log))
	if err != nil {
		return err
	}
	log.Info("Starting core", "host", cfg.Host)
	return errors.Wrap(mgr.Start(ctrl.SetupSignalHandler()), "cannot run core")
}

// restConfig loads the kubeconfig at path, or the default configuration when
// path is empty.
func restConfig(path string) (*rest.Config, error) {
	if path == "" {
		cfg, err := ctrl.GetConfig()
		return cfg, errors.Wrap(err, "cannot load in-cluster or default kubeconfig")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	return cfg, errors.Wrapf(err, "cannot load kubeconfig %s", path)
}
