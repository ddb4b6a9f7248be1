// Package apis holds the API groups of the Stratus GCP provider.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	computev1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	sqlv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
)

// AddToScheme adds every GCP provider API group to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{v1beta1.AddToScheme, sqlv1beta1.AddToScheme, computev1beta1.AddToScheme} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}
