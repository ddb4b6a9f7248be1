// Command provider-azure runs the Stratus Azure provider: managed-resource
// controllers for resource groups, PostgreSQL flexible servers, virtual
// networks and Linux virtual machines on the official Azure SDK for Go.
package main

import (
	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis"
	"github.com/stratus-dev/stratus/providers/azure/controller"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	provider.Main("provider-azure", "Stratus Azure provider: resource groups, PostgreSQL flexible servers, networks and Linux virtual machines.", version, apis.AddToScheme, controller.Setup)
}
