package provider

import (
	"time"

	"github.com/alecthomas/kong"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
)

// Flags are the command-line flags of every provider binary.
type Flags struct {
	Debug                   bool             `help:"Print debug logs."                                                         short:"d"`
	Version                 kong.VersionFlag `help:"Print the version and exit."`
	Kubeconfig              string           `env:"KUBECONFIG"                                                                 help:"Kubeconfig file of the API server to manage; empty means in-cluster configuration or ~/.kube/config." type:"path"`
	MetricsBindAddress      string           `default:":8080"                                                                  help:"Address to serve Prometheus metrics on; 0 turns them off."`
	HealthProbeBindAddress  string           `default:":8081"                                                                  help:"Address to serve /healthz and /readyz on; 0 turns them off."`
	LeaderElection          bool             `env:"LEADER_ELECTION"                                                            help:"Use leader election, so that only one of several replicas reconciles."`
	LeaderElectionNamespace string           `default:"stratus-system"                                                         help:"Namespace of the leader election Lease."`
	PollInterval            time.Duration    `default:"1m"                                                                     help:"How often a managed resource is checked against the cloud for drift."`
	MaxReconcileRate        int              `default:"10"                                                                     help:"Reconciles per second across all controllers, and parallel reconciles per controller."`
	APIQPS                  float32          `default:"50"                                                                     help:"Requests per second the provider may make to the API server." name:"api-qps"`
	CreationGracePeriod     time.Duration    `default:"30s"                                                                    help:"How long a just-created resource the cloud does not list yet is awaited before it is created again."`
	APIBurst                int              `default:"100"                                                                    help:"Requests the provider may make to the API server in a burst above --api-qps." name:"api-burst"`
}

// Main parses the command line of the provider called name and runs it
// until SIGINT or SIGTERM. addToScheme adds the provider's API types; setup
// adds its controllers.
func Main(name, description, version string, addToScheme func(*runtime.Scheme) error, setup SetupFn) {
	f := &Flags{}
	kctx := kong.Parse(f, kong.Name(name), kong.Description(description), kong.Vars{"version": version}, kong.UsageOnError())
	level := zapcore.InfoLevel
	if f.Debug {
		level = zapcore.DebugLevel
	}
	zl := zap.New(zap.UseDevMode(f.Debug), zap.Level(level))
	ctrl.SetLogger(zl)
	log := logging.NewLogrLogger(zl.WithName(name))
	kctx.FatalIfErrorf(Run(name, *f, log, addToScheme, setup))
}

// Run runs the provider called name until SIGINT or SIGTERM.
func Run(name string, f Flags, log logging.Logger, addToScheme func(*runtime.Scheme) error, setup SetupFn) error {
	cfg, err := ctrl.GetConfig()
	if f.Kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", f.Kubeconfig)
	}
	if err != nil {
		return errors.Wrap(err, "cannot load kubeconfig")
	}
	cfg.QPS, cfg.Burst = f.APIQPS, f.APIBurst
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return errors.Wrap(err, "cannot add Kubernetes APIs to scheme")
	}
	if err := addToScheme(s); err != nil {
		return errors.Wrap(err, "cannot add provider APIs to scheme")
	}
	mgr, co, err := NewManager(cfg, s, Options{
		Name:                    name,
		MetricsBindAddress:      f.MetricsBindAddress,
		HealthProbeBindAddress:  f.HealthProbeBindAddress,
		LeaderElection:          f.LeaderElection,
		LeaderElectionNamespace: f.LeaderElectionNamespace,
		PollInterval:            f.PollInterval,
		MaxReconcileRate:        f.MaxReconcileRate,
		CreationGracePeriod:     f.CreationGracePeriod,
		Logger:                  log,
	})
	if err != nil {
		return err
	}
	if err := setup(mgr, co); err != nil {
		return errors.Wrap(err, "cannot set up controllers")
	}
	log.Info("Starting provider", "host", cfg.Host, "poll-interval", f.PollInterval, "max-reconcile-rate", f.MaxReconcileRate)
	return errors.Wrapf(mgr.Start(ctrl.SetupSignalHandler()), "cannot run %s", name)
}
