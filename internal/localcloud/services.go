package localcloud

import (
	"github.com/stratus-dev/stratus/internal/localcloud/aws"
	"github.com/stratus-dev/stratus/internal/localcloud/azure"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/gcp"
)

// Services returns the factories of the AWS, GCP and Azure services, in the
// order StartWith serves them.
func Services() []Factory {
	return []Factory{
		func(env *cloud.Env, o Options) (cloud.Service, error) {
			return aws.New(env, aws.Options{Credentials: o.AWSCredentials})
		},
		func(env *cloud.Env, o Options) (cloud.Service, error) {
			return gcp.New(env, gcp.Options{RequireAuth: o.GCPRequireAuth})
		},
		func(env *cloud.Env, o Options) (cloud.Service, error) {
			return azure.New(env, azure.Options{Clients: o.AzureClients})
		},
	}
}
