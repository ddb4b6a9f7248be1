package aws

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// TestInitProviderIsUsedOnlyToCreate checks spec.initProvider: its values
// shape the create (the CIDR block and the tags come only from there) but
// are not enforced afterwards, nor copied into spec.forProvider.
func TestInitProviderIsUsedOnlyToCreate(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-vpc"},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			InitProvider: &ec2v1beta1.VPCParameters{
				CIDRBlock: aws.String("10.50.0.0/16"),
				Tags:      map[string]string{"owner": "bootstrap"},
			},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)
	if got := f.vpcsTagged(t, "owner", "bootstrap"); len(got) != 1 || aws.ToString(got[0].CidrBlock) != "10.50.0.0/16" {
		t.Fatalf("want one VPC 10.50.0.0/16 tagged owner=bootstrap from initProvider, got %+v", got)
	}

	// Retag it outside Stratus: initProvider does not put the old tag
	// back, and nothing removes the new one.
	id := aws.String(vpc.Status.AtProvider.VPCID)
	f.tagEC2(t, *id, "owner", "ops")
	calls := f.Calls.Snapshot()
	time.Sleep(5 * time.Second)
	if got := f.vpcsTagged(t, "owner", "ops"); len(got) != 1 {
		t.Errorf("a tag set outside Stratus on a VPC whose tags come from initProvider was changed: %d VPCs tagged owner=ops", len(got))
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating AWS calls for a VPC whose tags come only from initProvider: %v", got)
	}
	if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(vpc), vpc); err != nil {
		t.Fatal(err)
	}
	if vpc.Spec.ForProvider.Tags != nil || vpc.Spec.ForProvider.CIDRBlock != nil {
		t.Errorf("fields initProvider sets must not be late-initialized into forProvider; got tags %v, cidrBlock %v",
			vpc.Spec.ForProvider.Tags, aws.ToString(vpc.Spec.ForProvider.CIDRBlock))
	}
	if aws.ToString(vpc.Spec.ForProvider.Region) != region {
		t.Errorf("fields initProvider leaves unset are late-initialized: region %q, want %q", aws.ToString(vpc.Spec.ForProvider.Region), region)
	}
}

// tagEC2 sets one tag on an EC2 resource in moto, as someone outside
// Stratus would.
func (f *fixture) tagEC2(t *testing.T, id, key, value string) {
	t.Helper()
	if _, err := f.EC2().CreateTags(context.Background(), &ec2.CreateTagsInput{
		Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String(key), Value: aws.String(value)}},
	}); err != nil {
		t.Fatal(err)
	}
}
