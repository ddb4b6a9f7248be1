package aws

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	"github.com/stratus-dev/stratus/test/harness"
)

// vpcsTagged returns the VPCs in moto tagged with the given key and value.
func (f *fixture) vpcsTagged(t *testing.T, key, value string) []ec2types.Vpc {
	t.Helper()
	out, err := f.EC2().DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + key), Values: []string{value}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Vpcs
}

func TestVPCLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-vpc"},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.VPCParameters{
				CIDRBlock: aws.String("10.10.0.0/16"),
				Tags:      map[string]string{"team": "platform"},
			},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)

	id := meta.GetExternalName(vpc)
	if vpc.Status.AtProvider.VPCID != id || id == "" {
		t.Fatalf("external name %q, atProvider.vpcId %q: want the same VPC ID", id, vpc.Status.AtProvider.VPCID)
	}
	// Late initialization records what AWS chose.
	if aws.ToString(vpc.Spec.ForProvider.Region) != region || aws.ToString(vpc.Spec.ForProvider.InstanceTenancy) != "default" {
		t.Errorf("spec.forProvider not late-initialized: region %v, instanceTenancy %v", vpc.Spec.ForProvider.Region, vpc.Spec.ForProvider.InstanceTenancy)
	}

	// An update reaches AWS.
	f.updateWithRetry(t, vpc, func() {
		vpc.Spec.ForProvider.EnableDNSHostnames = aws.Bool(true)
		vpc.Spec.ForProvider.Tags["team"] = "data"
	})
	eventually(t, "VPC DNS hostnames and tags updated in moto", func() error {
		attr, err := f.EC2().DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: ec2types.VpcAttributeNameEnableDnsHostnames})
		if err != nil {
			return err
		}
		if !aws.ToBool(attr.EnableDnsHostnames.Value) {
			return fmt.Errorf("enableDnsHostnames is still false")
		}
		if got := f.vpcsTagged(t, "team", "data"); len(got) != 1 {
			return fmt.Errorf("%d VPCs tagged team=data, want 1", len(got))
		}
		return nil
	})

	f.deleteAndWait(t, vpc)
	if _, err := f.EC2().DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}}); err == nil {
		t.Errorf("VPC %s still exists in moto after its managed resource was deleted", id)
	}
}

// TestVPCCreateInterrupted simulates a provider that stopped after AWS
// accepted a create but before the VPC ID was recorded: the next reconcile
// must adopt the VPC it created, not create a second one.
func TestVPCCreateInterrupted(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-vpc"},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				// Nothing reconciles it yet.
				ManagementPolicies: xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			ForProvider: ec2v1beta1.VPCParameters{CIDRBlock: aws.String("10.20.0.0/16")},
		},
	}
	f.create(t, vpc)
	// The state a crash leaves: the create is pending, AWS has a VPC tagged
	// with the resource's UID, and no external name is recorded.
	if _, err := f.EC2().CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock: aws.String("10.20.0.0/16"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{
			{Key: aws.String("stratus.dev/uid"), Value: aws.String(string(vpc.GetUID()))},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	meta.SetExternalCreatePending(vpc, vpc.CreationTimestamp.Time)
	vpc.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	if err := f.env.Client.Update(ctx, vpc); err != nil {
		t.Fatal(err)
	}
	f.ready(t, vpc)
	if got := f.vpcsTagged(t, "stratus.dev/uid", string(vpc.GetUID())); len(got) != 1 {
		t.Fatalf("%d VPCs in moto for the resource, want exactly 1", len(got))
	}
	if got := meta.GetExternalName(vpc); got == "" {
		t.Fatal("the adopted VPC's ID was not recorded as the external name")
	}
	f.env.WaitFor(t, vpc, timeout, harness.HasCondition("Ready", "True"))
}
