// Package controller sets up every controller of the Stratus AWS provider.
package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/controller/config"
	"github.com/stratus-dev/stratus/providers/aws/controller/ec2/instance"
	"github.com/stratus-dev/stratus/providers/aws/controller/ec2/securitygroup"
	"github.com/stratus-dev/stratus/providers/aws/controller/ec2/subnet"
	"github.com/stratus-dev/stratus/providers/aws/controller/ec2/vpc"
	"github.com/stratus-dev/stratus/providers/aws/controller/rds/dbinstance"
	"github.com/stratus-dev/stratus/providers/aws/controller/rds/dbsubnetgroup"
)

// Setup adds every AWS provider controller to mgr.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	return provider.Setup(mgr, o,
		config.Setup,
		vpc.Setup,
		subnet.Setup,
		securitygroup.Setup,
		instance.Setup,
		dbsubnetgroup.Setup,
		dbinstance.Setup,
	)
}
