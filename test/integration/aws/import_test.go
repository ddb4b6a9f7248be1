package aws

import (
	"context"
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

// vpcExists reports whether moto has the VPC id.
func (f *fixture) vpcExists(t *testing.T, id string) bool {
	t.Helper()
	out, err := f.EC2().DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if err != nil {
		return false
	}
	return len(out.Vpcs) == 1
}

// TestVPCObserveOnlyImport imports a VPC that Stratus did not create with
// an observe-only managed resource: it reports the VPC without changing
// it, and deleting the resource leaves the VPC.
func TestVPCObserveOnlyImport(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	out, err := f.EC2().CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock: aws.String("10.50.0.0/16"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{
			{Key: aws.String("owner"), Value: aws.String("another-team")},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Vpc.VpcId)

	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-imported", Annotations: map[string]string{meta.AnnotationKeyExternalName: id}},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			// Nothing to create, so nothing is required.
			ForProvider: ec2v1beta1.VPCParameters{},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)
	at := vpc.Status.AtProvider
	if at.VPCID != id || at.CIDRBlock != "10.50.0.0/16" || at.State != "available" || at.OwnerID == "" {
		t.Errorf("atProvider = %+v, want VPC %s with CIDR 10.50.0.0/16, available, with an owner", at, id)
	}
	if meta.GetExternalName(vpc) != id {
		t.Errorf("external name = %q, want the imported VPC's ID %q", meta.GetExternalName(vpc), id)
	}
	// Observe-only neither writes the spec nor tags the VPC as Stratus's.
	if vpc.Spec.ForProvider.CIDRBlock != nil || vpc.Spec.ForProvider.Tags != nil {
		t.Errorf("spec.forProvider = %+v, want it untouched by an observe-only import", vpc.Spec.ForProvider)
	}
	if got := f.vpcsTagged(t, "stratus.dev/uid", string(vpc.GetUID())); len(got) != 0 {
		t.Errorf("an observe-only import tagged the VPC: %v", got[0].Tags)
	}

	f.deleteAndWait(t, vpc)
	if !f.vpcExists(t, id) {
		t.Errorf("VPC %s was deleted with an observe-only managed resource", id)
	}
}

// TestVPCDeletionPolicyOrphan deletes a managed resource whose deletion
// policy is Orphan: the VPC it created stays.
func TestVPCDeletionPolicyOrphan(t *testing.T) {
	f := setUp(t)
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-orphan"},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				DeletionPolicy:          xpv2.DeletionOrphan,
			},
			ForProvider: ec2v1beta1.VPCParameters{CIDRBlock: aws.String("10.60.0.0/16")},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)
	id := meta.GetExternalName(vpc)
	if id == "" {
		t.Fatal("no external name recorded")
	}

	f.deleteAndWait(t, vpc)
	if !f.vpcExists(t, id) {
		t.Errorf("VPC %s was deleted with a managed resource whose deletion policy is Orphan", id)
	}
	// The orphaned VPC is adoptable again by its ID.
	again := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-adopt", Annotations: map[string]string{meta.AnnotationKeyExternalName: id}},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider:                ec2v1beta1.VPCParameters{CIDRBlock: aws.String("10.60.0.0/16")},
		},
	}
	f.create(t, again)
	f.env.WaitFor(t, again, timeout, harness.HasCondition("Ready", "True"))
	f.deleteAndWait(t, again)
	if f.vpcExists(t, id) {
		t.Errorf("VPC %s survived the deletion of the managed resource that adopted it", id)
	}
}
