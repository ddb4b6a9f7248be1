package aws

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// readyVPC creates a VPC managed resource with cidr and labels and waits
// until it is Ready.
func (f *fixture) readyVPC(t *testing.T, name, cidr string, labels map[string]string) *ec2v1beta1.VPC {
	t.Helper()
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider:                ec2v1beta1.VPCParameters{CIDRBlock: aws.String(cidr)},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)
	return vpc
}

// subnet returns the subnet id from moto.
func (f *fixture) subnet(ctx context.Context, id string) (*ec2types.Subnet, error) {
	out, err := f.EC2().DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.Subnets) != 1 {
		return nil, fmt.Errorf("%d subnets with ID %s, want 1", len(out.Subnets), id)
	}
	return &out.Subnets[0], nil
}

// TestSubnetLifecycle creates a subnet in a VPC it references by name,
// updates it and deletes it.
func TestSubnetLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := f.readyVPC(t, f.ns+"-vpc", "10.30.0.0/16", nil)

	sn := &ec2v1beta1.Subnet{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-subnet"},
		Spec: ec2v1beta1.SubnetSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.SubnetParameters{
				VPCIDRef:         &xpv2.Reference{Name: vpc.Name},
				CIDRBlock:        aws.String("10.30.1.0/24"),
				AvailabilityZone: aws.String("us-east-1b"),
				Tags:             map[string]string{"tier": "private"},
			},
		},
	}
	f.create(t, sn)
	f.ready(t, sn)

	id := meta.GetExternalName(sn)
	at := sn.Status.AtProvider
	if id == "" || at.SubnetID != id {
		t.Fatalf("external name %q, atProvider.subnetId %q: want the same subnet ID", id, at.SubnetID)
	}
	vpcID := meta.GetExternalName(vpc)
	if got := aws.ToString(sn.Spec.ForProvider.VPCID); got != vpcID {
		t.Errorf("spec.forProvider.vpcId = %q, want the referenced VPC's ID %q", got, vpcID)
	}
	if at.VPCID != vpcID || at.AvailabilityZone != "us-east-1b" || at.State != "available" || at.ARN == "" || at.AvailableIPAddressCount == 0 {
		t.Errorf("atProvider = %+v, want VPC %s, zone us-east-1b, state available, an ARN and free addresses", at, vpcID)
	}
	// Late initialization records what AWS chose.
	if aws.ToString(sn.Spec.ForProvider.Region) != region || sn.Spec.ForProvider.MapPublicIPOnLaunch == nil || *sn.Spec.ForProvider.MapPublicIPOnLaunch {
		t.Errorf("spec.forProvider not late-initialized: region %v, mapPublicIpOnLaunch %v", sn.Spec.ForProvider.Region, sn.Spec.ForProvider.MapPublicIPOnLaunch)
	}

	// An update reaches AWS.
	f.updateWithRetry(t, sn, func() {
		sn.Spec.ForProvider.MapPublicIPOnLaunch = aws.Bool(true)
		sn.Spec.ForProvider.Tags = map[string]string{"tier": "public"}
	})
	eventually(t, "subnet attribute and tags updated in moto", func() error {
		got, err := f.subnet(ctx, id)
		if err != nil {
			return err
		}
		if !aws.ToBool(got.MapPublicIpOnLaunch) {
			return fmt.Errorf("mapPublicIpOnLaunch is still false")
		}
		if tags := motoTags(got.Tags); tags["tier"] != "public" {
			return fmt.Errorf("tags %v, want tier=public", tags)
		}
		return nil
	})

	f.deleteAndWait(t, sn)
	if _, err := f.EC2().DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}}); err == nil {
		t.Errorf("subnet %s still exists in moto after its managed resource was deleted", id)
	}
}

// motoTags turns the EC2 tags moto reports into a map.
func motoTags(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// updateWithRetry reads obj, applies mutate and writes it back, again on a
// conflict with the provider's own writes.
func (f *fixture) updateWithRetry(t *testing.T, obj client.Object, mutate func()) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := f.env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate()
		return f.env.Client.Update(context.Background(), obj)
	})
	if err != nil {
		t.Fatalf("cannot update %s: %v", obj.GetName(), err)
	}
}
