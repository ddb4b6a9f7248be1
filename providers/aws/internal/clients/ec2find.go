package clients

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// UIDFilter returns the EC2 describe filter that matches the resources
// tagged with mg's UID: those a create for mg made, even if their IDs were
// never recorded.
func UIDFilter(mg resource.Object) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("tag:" + TagUID), Values: []string{string(mg.GetUID())}}}
}

// BoolMatches reports whether an observed value satisfies a desired one;
// an unset desired value matches anything.
func BoolMatches(desired, observed *bool) bool {
	return desired == nil || aws.ToBool(desired) == aws.ToBool(observed)
}
