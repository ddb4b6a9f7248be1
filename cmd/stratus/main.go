// Command stratus runs the Stratus control plane.
//
//	stratus core   run the core controllers against any Kubernetes API server
//	stratus dev    run a local control plane, install the CRDs and run the core
//	stratus localcloud  serve AWS, GCP and Azure APIs on loopback, with real PostgreSQL
package main

import (
	"github.com/alecthomas/kong"
	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type cli struct {
	Debug   bool             `help:"Print debug logs."                                  short:"d"`
	Version kong.VersionFlag `help:"Print the version and exit."`

	Core coreCmd `cmd:"" help:"Run the core controllers against a Kubernetes API server."`
	Dev  devCmd  `cmd:"" help:"Run a local control plane built from source, install the Stratus CRDs and run the core against it."`

	Localcloud localcloudCmd `cmd:"" help:"Serve AWS, GCP and Azure management APIs on loopback ports, with a real PostgreSQL server behind every database." name:"localcloud"`
}

func main() {
	c := &cli{}
	ctx := kong.Parse(c,
		kong.Name("stratus"),
		kong.Description("Stratus: a multicloud infrastructure control plane."),
		kong.Vars{"version": version},
		kong.UsageOnError(),
	)
	level := zapcore.InfoLevel
	if c.Debug {
		level = zapcore.DebugLevel
	}
	zl := zap.New(zap.UseDevMode(c.Debug), zap.Level(level))
	ctrl.SetLogger(zl)
	ctx.BindTo(logging.NewLogrLogger(zl.WithName("stratus")), (*logging.Logger)(nil))
	ctx.FatalIfErrorf(ctx.Run())
}
