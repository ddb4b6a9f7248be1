package clients

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
)

// A ServerGetter reads PostgreSQL flexible servers;
// *armpostgresqlflexibleservers.ServersClient is one.
type ServerGetter interface {
	Get(ctx context.Context, rg, name string, o *armpostgresqlflexibleservers.ServersClientGetOptions) (armpostgresqlflexibleservers.ServersClientGetResponse, error)
}

// ServerNotReady returns the state of flexible server name of group rg when
// the server exists but cannot take new databases or firewall rules yet
// (it is being provisioned, updated or started), and "" otherwise: when it
// is Ready, or gone, or in a state it will not leave on its own.
func ServerNotReady(ctx context.Context, servers ServerGetter, rg, name string) (string, error) {
	rsp, err := servers.Get(ctx, rg, name, nil)
	if IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", Wrap(err, "cannot get flexible server "+name)
	}
	if rsp.Properties == nil || rsp.Properties.State == nil {
		return "", nil
	}
	switch s := *rsp.Properties.State; s {
	case armpostgresqlflexibleservers.ServerStateProvisioning, armpostgresqlflexibleservers.ServerStateUpdating,
		armpostgresqlflexibleservers.ServerStateStarting, armpostgresqlflexibleservers.ServerStateRestarting:
		return string(s), nil
	}
	return "", nil
}
