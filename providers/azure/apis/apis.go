// Package apis holds the API groups of the Stratus Azure provider.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// AddToScheme adds every Azure provider API group to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	return v1beta1.AddToScheme(s)
}
