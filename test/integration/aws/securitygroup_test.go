package aws

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// securityGroup returns the security group id from moto.
func (f *fixture) securityGroup(ctx context.Context, id string) (*ec2types.SecurityGroup, error) {
	out, err := f.EC2().DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.SecurityGroups) != 1 {
		return nil, fmt.Errorf("%d security groups with ID %s, want 1", len(out.SecurityGroups), id)
	}
	return &out.SecurityGroups[0], nil
}

// ruleStrings describes each IPv4 range of rules as "protocol from-to cidr
// description", sorted, for comparison.
func ruleStrings(rules []ec2types.IpPermission) []string {
	out := []string{}
	for _, r := range rules {
		for _, rg := range r.IpRanges {
			out = append(out, fmt.Sprintf("%s %d-%d %s %s", aws.ToString(r.IpProtocol), aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), aws.ToString(rg.CidrIp), aws.ToString(rg.Description)))
		}
	}
	slices.Sort(out)
	return out
}

// wantRules waits until the security group id has exactly the ingress and
// egress rules given as ruleStrings.
func (f *fixture) wantRules(t *testing.T, what, id string, ingress, egress []string) {
	t.Helper()
	eventually(t, what, func() error {
		sg, err := f.securityGroup(context.Background(), id)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(ingress, ruleStrings(sg.IpPermissions)); diff != "" {
			return fmt.Errorf("ingress rules: -want, +got:\n%s", diff)
		}
		if diff := cmp.Diff(egress, ruleStrings(sg.IpPermissionsEgress)); diff != "" {
			return fmt.Errorf("egress rules: -want, +got:\n%s", diff)
		}
		return nil
	})
}

// allEgress is the egress rule AWS gives every new security group.
const allEgress = "-1 0-0 0.0.0.0/0 "

func tcp(port int32, description string, cidrs ...string) ec2v1beta1.SecurityGroupRule {
	r := ec2v1beta1.SecurityGroupRule{IPProtocol: "tcp", FromPort: aws.Int32(port), ToPort: aws.Int32(port), CIDRBlocks: cidrs}
	if description != "" {
		r.Description = aws.String(description)
	}
	return r
}

// TestSecurityGroupLifecycle creates a security group in a VPC it selects
// by label, updates its tags and rules, and deletes it.
func TestSecurityGroupLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := f.readyVPC(t, f.ns+"-vpc", "10.40.0.0/16", map[string]string{"network": f.ns})

	sg := &ec2v1beta1.SecurityGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-sg"},
		Spec: ec2v1beta1.SecurityGroupSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.SecurityGroupParameters{
				Description:   aws.String("web servers"),
				VPCIDSelector: &xpv2.Selector{MatchLabels: map[string]string{"network": f.ns}},
				Ingress:       []ec2v1beta1.SecurityGroupRule{tcp(443, "https", "0.0.0.0/0")},
				Tags:          map[string]string{"team": "web"},
			},
		},
	}
	f.create(t, sg)
	f.ready(t, sg)

	id := meta.GetExternalName(sg)
	at := sg.Status.AtProvider
	if id == "" || at.GroupID != id {
		t.Fatalf("external name %q, atProvider.groupId %q: want the same group ID", id, at.GroupID)
	}
	vpcID := meta.GetExternalName(vpc)
	if got := aws.ToString(sg.Spec.ForProvider.VPCID); got != vpcID {
		t.Errorf("spec.forProvider.vpcId = %q, want the selected VPC's ID %q", got, vpcID)
	}
	if sg.Spec.ForProvider.VPCIDRef == nil || sg.Spec.ForProvider.VPCIDRef.Name != vpc.Name {
		t.Errorf("spec.forProvider.vpcIdRef = %v, want the selected VPC %s", sg.Spec.ForProvider.VPCIDRef, vpc.Name)
	}
	if at.VPCID != vpcID || at.ARN == "" || at.OwnerID == "" {
		t.Errorf("atProvider = %+v, want VPC %s, an ARN and an owner", at, vpcID)
	}
	// The group is named after the resource, and late initialization
	// records the name; rules are not late-initialized.
	if got := aws.ToString(sg.Spec.ForProvider.GroupName); got != sg.Name {
		t.Errorf("spec.forProvider.groupName = %q, want the resource's name %q", got, sg.Name)
	}
	if sg.Spec.ForProvider.Egress != nil {
		t.Errorf("spec.forProvider.egress = %v, want it left unset (unmanaged)", sg.Spec.ForProvider.Egress)
	}
	// Unset egress leaves AWS's default egress rule alone.
	f.wantRules(t, "rules created in moto", id, []string{"tcp 443-443 0.0.0.0/0 https"}, []string{allEgress})

	// Once in sync, polls make no change in AWS.
	before := f.Calls.Snapshot()
	time.Sleep(5 * time.Second) // Over two poll intervals.
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an up-to-date security group made mutating calls: %v", got)
	}

	// A tag update reaches AWS.
	f.updateWithRetry(t, sg, func() { sg.Spec.ForProvider.Tags = map[string]string{"team": "platform"} })
	eventually(t, "security group tags updated in moto", func() error {
		got, err := f.securityGroup(ctx, id)
		if err != nil {
			return err
		}
		if tags := motoTags(got.Tags); tags["team"] != "platform" {
			return fmt.Errorf("tags %v, want team=platform", tags)
		}
		return nil
	})

	f.deleteAndWait(t, sg)
	if _, err := f.EC2().DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}}); err == nil {
		t.Errorf("security group %s still exists in moto after its managed resource was deleted", id)
	}
}

// TestSecurityGroupRules changes a security group's rules and checks that
// exactly the missing rules are added and the extra ones removed, in both
// directions, including rules added behind Stratus's back.
func TestSecurityGroupRules(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	sg := &ec2v1beta1.SecurityGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-sg"},
		Spec: ec2v1beta1.SecurityGroupSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.SecurityGroupParameters{
				// No VPC: AWS uses the region's default VPC.
				GroupName:   aws.String("db"),
				Description: aws.String("databases"),
				Ingress:     []ec2v1beta1.SecurityGroupRule{tcp(5432, "", "10.0.0.0/8", "192.168.0.0/16")},
			},
		},
	}
	f.create(t, sg)
	f.ready(t, sg)
	id := meta.GetExternalName(sg)
	if sg.Status.AtProvider.VPCID == "" || aws.ToString(sg.Spec.ForProvider.VPCID) != sg.Status.AtProvider.VPCID {
		t.Errorf("spec.forProvider.vpcId = %v, want the default VPC %q late-initialized", sg.Spec.ForProvider.VPCID, sg.Status.AtProvider.VPCID)
	}
	f.wantRules(t, "rules created in moto", id, []string{"tcp 5432-5432 10.0.0.0/8 ", "tcp 5432-5432 192.168.0.0/16 "}, []string{allEgress})

	// Add a rule, remove a range, describe a range, and manage egress:
	// the default all-traffic rule goes.
	f.updateWithRetry(t, sg, func() {
		sg.Spec.ForProvider.Ingress = []ec2v1beta1.SecurityGroupRule{
			tcp(5432, "vpc", "10.0.0.0/8"),
			{IPProtocol: "icmp", FromPort: aws.Int32(-1), ToPort: aws.Int32(-1), CIDRBlocks: []string{"10.0.0.0/8"}},
		}
		sg.Spec.ForProvider.Egress = []ec2v1beta1.SecurityGroupRule{tcp(443, "", "0.0.0.0/0")}
	})
	f.wantRules(t, "rules changed in moto", id,
		[]string{"icmp -1--1 10.0.0.0/8 ", "tcp 5432-5432 10.0.0.0/8 vpc"},
		[]string{"tcp 443-443 0.0.0.0/0 "})

	// A rule added outside Stratus is revoked; an equivalent spelling of
	// a rule ("-1" with ports) matches the rule AWS has.
	if _, err := f.EC2().AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
	}}}); err != nil {
		t.Fatal(err)
	}
	f.wantRules(t, "rule added outside Stratus revoked", id,
		[]string{"icmp -1--1 10.0.0.0/8 ", "tcp 5432-5432 10.0.0.0/8 vpc"},
		[]string{"tcp 443-443 0.0.0.0/0 "})

	// The all-traffic rule, written with ports, and an empty ingress list
	// that removes every ingress rule. Unsetting the region makes the
	// provider late-initialize it, writing the spec back: the empty list
	// must survive that write.
	f.updateWithRetry(t, sg, func() {
		sg.Spec.ForProvider.Region = nil
		sg.Spec.ForProvider.Ingress = []ec2v1beta1.SecurityGroupRule{}
		sg.Spec.ForProvider.Egress = []ec2v1beta1.SecurityGroupRule{{IPProtocol: "-1", FromPort: aws.Int32(0), ToPort: aws.Int32(0), CIDRBlocks: []string{"0.0.0.0/0"}}}
	})
	f.wantRules(t, "ingress emptied and egress restored in moto", id, []string{}, []string{allEgress})
	f.env.WaitFor(t, sg, timeout, func(o client.Object) (bool, string) {
		return o.(*ec2v1beta1.SecurityGroup).Spec.ForProvider.Region != nil, "spec.forProvider.region is not late-initialized yet"
	})
	if sg.Spec.ForProvider.Ingress == nil {
		t.Error("spec.forProvider.ingress: [] did not survive the provider's writes; an empty list must stay distinct from an unset one")
	}
	before := f.Calls.Snapshot()
	time.Sleep(5 * time.Second) // Over two poll intervals.
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an up-to-date security group made mutating calls: %v", got)
	}
}

// TestSecurityGroupCreateInterrupted simulates a provider that stopped
// after AWS created a security group but before its ID was recorded: the
// next reconcile must adopt the group, not create a second one (which AWS
// would refuse anyway, as the name is taken).
func TestSecurityGroupCreateInterrupted(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	sg := &ec2v1beta1.SecurityGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-sg"},
		Spec: ec2v1beta1.SecurityGroupSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				// Nothing reconciles it yet.
				ManagementPolicies: xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			ForProvider: ec2v1beta1.SecurityGroupParameters{
				Description: aws.String("interrupted"),
				Ingress:     []ec2v1beta1.SecurityGroupRule{tcp(80, "", "10.0.0.0/8")},
			},
		},
	}
	f.create(t, sg)
	// The state a crash leaves: the create is pending, AWS has a group
	// tagged with the resource's UID, and no external name is recorded.
	if _, err := f.EC2().CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(sg.Name),
		Description: aws.String("interrupted"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: []ec2types.Tag{
			{Key: aws.String("stratus.dev/uid"), Value: aws.String(string(sg.GetUID()))},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	meta.SetExternalCreatePending(sg, sg.CreationTimestamp.Time)
	sg.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	if err := f.env.Client.Update(ctx, sg); err != nil {
		t.Fatal(err)
	}
	f.ready(t, sg)
	out, err := f.EC2().DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:stratus.dev/uid"), Values: []string{string(sg.GetUID())}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SecurityGroups) != 1 {
		t.Fatalf("%d security groups in moto for the resource, want exactly 1", len(out.SecurityGroups))
	}
	id := aws.ToString(out.SecurityGroups[0].GroupId)
	if got := meta.GetExternalName(sg); got != id {
		t.Fatalf("external name %q, want the adopted group's ID %q", got, id)
	}
	// The adopted group is brought to the spec.
	f.wantRules(t, "adopted group's rules in moto", id, []string{"tcp 80-80 10.0.0.0/8 "}, []string{allEgress})
}
