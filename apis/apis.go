// Package apis holds the API groups the Stratus core serves. Each group lives
// in apis/<group>/<version>. Provider API groups live with their providers,
// under providers/<cloud>/apis.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	extv1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	extv1beta1 "github.com/stratus-dev/stratus/apis/apiextensions/v1beta1"
	extv2 "github.com/stratus-dev/stratus/apis/apiextensions/v2"
	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
)

// AddToScheme adds every core API group to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{
		extv1.AddToScheme,
		extv2.AddToScheme,
		extv1beta1.AddToScheme,
		pkgv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}
