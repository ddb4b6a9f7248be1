// Package apis holds the API groups of the Stratus Azure provider.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	computev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/compute/v1beta1"
	dbforpostgresqlv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	networkv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/network/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// AddToScheme adds every Azure provider API group to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{v1beta1.AddToScheme, dbforpostgresqlv1beta1.AddToScheme, networkv1beta1.AddToScheme, computev1beta1.AddToScheme} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}
