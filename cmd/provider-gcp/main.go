// Command provider-gcp runs the Stratus GCP provider: managed-resource
// controllers for Cloud SQL and Compute Engine on Google's official Go
// clients.
package main

import (
	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis"
	"github.com/stratus-dev/stratus/providers/gcp/controller"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	provider.Main("provider-gcp", "Stratus GCP provider: Cloud SQL and Compute Engine managed resources.", version, apis.AddToScheme, controller.Setup)
}
