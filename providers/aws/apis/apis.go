// Package apis holds the API groups of the Stratus AWS provider.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
)

// AddToScheme adds every AWS provider API group to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	return v1beta1.AddToScheme(s)
}
