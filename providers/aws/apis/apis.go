// Package apis holds the API groups of the Stratus AWS provider.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	rdsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
)

// AddToScheme adds every AWS provider API group to a scheme.
func AddToScheme(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{v1beta1.AddToScheme, ec2v1beta1.AddToScheme, rdsv1beta1.AddToScheme} {
		if err := add(s); err != nil {
			return err
		}
	}
	return nil
}
