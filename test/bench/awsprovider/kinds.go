package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// tagUID is the tag the provider puts on every AWS resource it creates,
// holding the managed resource's UID.
const tagUID = "stratus.dev/uid"

// A kind is a managed resource kind the benchmark can create many of.
type kind struct {
	// GVK of the managed resource.
	GVK schema.GroupVersionKind

	// What the report calls one instance of the kind in moto.
	Noun string

	// Spec returns spec.forProvider, and any other spec fields but
	// providerConfigRef, of managed resource number i, named name, whose
	// Secrets go to namespace ns.
	Spec func(o options, name, ns string) map[string]any

	// Count returns how many resources of the kind moto holds that the
	// provider created.
	Count func(ctx context.Context, cfg aws.Config) (int, error)
}

// kinds are the kinds -kind chooses from.
var kinds = map[string]kind{
	"dbinstance": {
		GVK:   schema.GroupVersionKind{Group: "rds.aws.stratus.dev", Version: "v1beta1", Kind: "DBInstance"},
		Noun:  "DB instances",
		Spec:  dbInstanceSpec,
		Count: countDBInstances,
	},
	"vpc": {
		GVK:   schema.GroupVersionKind{Group: "ec2.aws.stratus.dev", Version: "v1beta1", Kind: "VPC"},
		Noun:  "VPCs",
		Spec:  vpcSpec,
		Count: countVPCs,
	},
}

// dbInstanceSpec is the smallest PostgreSQL instance, with a password the
// provider generates into a Secret of its own, and (with
// -connection-secrets) a connection Secret.
func dbInstanceSpec(o options, name, ns string) map[string]any {
	spec := map[string]any{
		"forProvider": map[string]any{
			"engine":               "postgres",
			"dbInstanceClass":      "db.t3.micro",
			"allocatedStorage":     int64(20),
			"masterUsername":       "bench",
			"autoGeneratePassword": true,
			"masterUserPasswordSecretRef": map[string]any{
				"namespace": ns, "name": name + "-password", "key": "password",
			},
			"skipFinalSnapshot": true,
		},
	}
	if o.connectionSecrets {
		spec["writeConnectionSecretToRef"] = map[string]any{"namespace": ns, "name": name + "-conn"}
	}
	return spec
}

// countDBInstances counts every DB instance moto holds, page by page.
func countDBInstances(ctx context.Context, cfg aws.Config) (int, error) {
	n := 0
	p := rds.NewDescribeDBInstancesPaginator(rds.NewFromConfig(cfg), &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, errors.Wrap(err, "cannot describe DB instances in moto")
		}
		n += len(page.DBInstances)
	}
	return n, nil
}

// vpcSpec is a VPC; moto does not mind that they all overlap.
func vpcSpec(_ options, _, _ string) map[string]any {
	return map[string]any{"forProvider": map[string]any{"cidrBlock": "10.0.0.0/16"}}
}

// countVPCs counts the VPCs moto holds that carry the provider's UID tag,
// leaving out the default VPC.
func countVPCs(ctx context.Context, cfg aws.Config) (int, error) {
	n := 0
	in := &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{tagUID}}}}
	p := ec2.NewDescribeVpcsPaginator(ec2.NewFromConfig(cfg), in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, errors.Wrap(err, "cannot describe VPCs in moto")
		}
		n += len(page.Vpcs)
	}
	return n, nil
}
