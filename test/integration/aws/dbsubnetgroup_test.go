package aws

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	rdsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
)

// defaultSubnets returns the IDs of the subnets of moto's default VPC, one
// per availability zone, sorted.
func (f *fixture) defaultSubnets(t *testing.T) []string {
	t.Helper()
	out, err := f.EC2().DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(out.Subnets))
	for _, s := range out.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	if len(ids) < 3 {
		t.Fatalf("moto's default VPC has %d subnets, want at least 3", len(ids))
	}
	slices.Sort(ids)
	return ids
}

// dbSubnetGroup returns the DB subnet group name from moto with its tags.
func (f *fixture) dbSubnetGroup(ctx context.Context, name string) (*rdstypes.DBSubnetGroup, map[string]string, error) {
	out, err := f.RDS().DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(name)})
	if err != nil {
		return nil, nil, err
	}
	if len(out.DBSubnetGroups) != 1 {
		return nil, nil, fmt.Errorf("%d DB subnet groups named %s, want 1", len(out.DBSubnetGroups), name)
	}
	g := &out.DBSubnetGroups[0]
	tags, err := f.RDS().ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBSubnetGroupArn})
	if err != nil {
		return nil, nil, err
	}
	m := map[string]string{}
	for _, t := range tags.TagList {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return g, m, nil
}

// groupSubnets returns the sorted subnet IDs of g.
func groupSubnets(g *rdstypes.DBSubnetGroup) []string {
	ids := make([]string, 0, len(g.Subnets))
	for _, s := range g.Subnets {
		ids = append(ids, aws.ToString(s.SubnetIdentifier))
	}
	slices.Sort(ids)
	return ids
}

// TestDBSubnetGroupLifecycle creates a DB subnet group of subnets of moto's
// default VPC, updates its description, subnets and tags, and deletes it.
func TestDBSubnetGroupLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	subnets := f.defaultSubnets(t)
	g := &rdsv1beta1.DBSubnetGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-subnets"},
		Spec: rdsv1beta1.DBSubnetGroupSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: rdsv1beta1.DBSubnetGroupParameters{
				Description: aws.String("databases"),
				SubnetIDs:   subnets[:2],
				Tags:        map[string]string{"team": "platform"},
			},
		},
	}
	f.create(t, g)
	f.ready(t, g)

	name := meta.GetExternalName(g)
	if name != g.Name {
		t.Errorf("external name = %q, want the resource's name %q", name, g.Name)
	}
	at := g.Status.AtProvider
	if at.ARN == "" || at.VPCID == "" || at.Status != "Complete" || !slices.Equal(slices.Sorted(slices.Values(at.SubnetIDs)), subnets[:2]) {
		t.Errorf("atProvider = %+v, want an ARN, a VPC, status Complete and subnets %v", at, subnets[:2])
	}
	if aws.ToString(g.Spec.ForProvider.Region) != region {
		t.Errorf("spec.forProvider.region = %v, want it late-initialized to %s", g.Spec.ForProvider.Region, region)
	}
	_, tags, err := f.dbSubnetGroup(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if tags["team"] != "platform" || tags["stratus.dev/uid"] != string(g.GetUID()) {
		t.Errorf("moto tags = %v, want team=platform and the resource's UID", tags)
	}

	// An update reaches AWS.
	before := f.Calls.Snapshot()
	f.updateWithRetry(t, g, func() {
		g.Spec.ForProvider.Description = aws.String("all databases")
		g.Spec.ForProvider.SubnetIDs = subnets[:3]
		g.Spec.ForProvider.Tags["team"] = "data"
	})
	eventually(t, "DB subnet group description, subnets and tags updated in moto", func() error {
		got, tags, err := f.dbSubnetGroup(ctx, name)
		if err != nil {
			return err
		}
		if d := aws.ToString(got.DBSubnetGroupDescription); d != "all databases" {
			return fmt.Errorf("description is %q", d)
		}
		if s := groupSubnets(got); !slices.Equal(s, subnets[:3]) {
			return fmt.Errorf("subnets are %v, want %v", s, subnets[:3])
		}
		if tags["team"] != "data" {
			return fmt.Errorf("tags are %v", tags)
		}
		return nil
	})
	if got := f.Calls.MutatingSince(before); got["ModifyDBSubnetGroup"] == 0 {
		t.Errorf("mutating calls for the update = %v, want ModifyDBSubnetGroup", got)
	}

	f.deleteAndWait(t, g)
	if _, _, err := f.dbSubnetGroup(ctx, name); err == nil {
		t.Errorf("DB subnet group %s still exists in moto after its managed resource was deleted", name)
	}
}
