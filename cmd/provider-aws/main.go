// Command provider-aws runs the Stratus AWS provider: managed-resource
// controllers for RDS and EC2 on the official AWS SDK for Go.
package main

import (
	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis"
	"github.com/stratus-dev/stratus/providers/aws/controller"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	provider.Main("provider-aws", "Stratus AWS provider: RDS and EC2 managed resources.", version, apis.AddToScheme, controller.Setup)
}
