// Package controller sets up every controller of the Stratus AWS provider.
package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/controller/config"
	"github.com/stratus-dev/stratus/providers/aws/controller/ec2/vpc"
)

// Setup adds every AWS provider controller to mgr.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	return provider.Setup(mgr, o,
		config.Setup,
		vpc.Setup,
	)
}
