// Package controller sets up every controller of the Stratus Azure provider.
package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/controller/compute/linuxvirtualmachine"
	"github.com/stratus-dev/stratus/providers/azure/controller/config"
	"github.com/stratus-dev/stratus/providers/azure/controller/dbforpostgresql/flexibleserver"
	"github.com/stratus-dev/stratus/providers/azure/controller/dbforpostgresql/flexibleserverdatabase"
	"github.com/stratus-dev/stratus/providers/azure/controller/dbforpostgresql/flexibleserverfirewallrule"
	"github.com/stratus-dev/stratus/providers/azure/controller/network/networkinterface"
	"github.com/stratus-dev/stratus/providers/azure/controller/network/subnet"
	"github.com/stratus-dev/stratus/providers/azure/controller/network/virtualnetwork"
	"github.com/stratus-dev/stratus/providers/azure/controller/resourcegroup"
)

// Setup adds every Azure provider controller to mgr.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	return provider.Setup(mgr, o,
		config.Setup,
		resourcegroup.Setup,
		flexibleserver.Setup,
		flexibleserverdatabase.Setup,
		flexibleserverfirewallrule.Setup,
		virtualnetwork.Setup,
		subnet.Setup,
		networkinterface.Setup,
		linuxvirtualmachine.Setup,
	)
}
