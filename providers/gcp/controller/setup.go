// Package controller sets up every controller of the Stratus GCP provider.
package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/controller/compute/instance"
	"github.com/stratus-dev/stratus/providers/gcp/controller/compute/network"
	"github.com/stratus-dev/stratus/providers/gcp/controller/compute/subnetwork"
	"github.com/stratus-dev/stratus/providers/gcp/controller/config"
	"github.com/stratus-dev/stratus/providers/gcp/controller/sql/database"
	"github.com/stratus-dev/stratus/providers/gcp/controller/sql/databaseinstance"
	"github.com/stratus-dev/stratus/providers/gcp/controller/sql/user"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
)

// Setup adds every GCP provider controller to mgr. The managed-resource
// controllers share one Configurer, so that resources of one ProviderConfig
// share their API clients (and access tokens).
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	src := clients.NewConfigurer(mgr.GetClient())
	with := func(setup func(ctrl.Manager, provider.ControllerOptions, clients.Source) error) provider.SetupFn {
		return func(mgr ctrl.Manager, o provider.ControllerOptions) error { return setup(mgr, o, src) }
	}
	return provider.Setup(mgr, o,
		config.Setup,
		with(network.Setup),
		with(subnetwork.Setup),
		with(instance.Setup),
		with(databaseinstance.Setup),
		with(user.Setup),
		with(database.Setup),
	)
}
