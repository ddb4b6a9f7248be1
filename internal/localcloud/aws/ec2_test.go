package aws

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
)

// network is a VPC with two subnets in different zones, as the tests use.
type network struct {
	vpc     string
	subnetA string
	subnetB string
}

func newNetwork(t *testing.T, ctx context.Context, c *ec2.Client) network {
	t.Helper()
	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock: awssdk.String("10.0.0.0/16"),
		TagSpecifications: []types.TagSpecification{{
			ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: awssdk.String("app"), Value: awssdk.String("test")}},
		}},
	})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	n := network{vpc: awssdk.ToString(v.Vpc.VpcId)}
	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId: v.Vpc.VpcId, CidrBlock: awssdk.String([]string{"10.0.1.0/24", "10.0.2.0/24"}[i]), AvailabilityZone: awssdk.String(z),
		})
		if err != nil {
			t.Fatalf("CreateSubnet: %v", err)
		}
		if i == 0 {
			n.subnetA = awssdk.ToString(sn.Subnet.SubnetId)
		} else {
			n.subnetB = awssdk.ToString(sn.Subnet.SubnetId)
		}
	}
	return n
}

func TestVPCs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	n := newNetwork(t, ctx, f.ec2)

	// The new VPC is found by ID and by tag, with AWS's defaults.
	byTag, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: awssdk.String("tag:app"), Values: []string{"test"}}}})
	if err != nil {
		t.Fatalf("DescribeVpcs: %v", err)
	}
	if len(byTag.Vpcs) != 1 || awssdk.ToString(byTag.Vpcs[0].VpcId) != n.vpc {
		t.Fatalf("DescribeVpcs(tag:app=test): want just %s, got %+v", n.vpc, byTag.Vpcs)
	}
	got := byTag.Vpcs[0]
	type vpcView struct {
		CIDR, State, Tenancy string
		IsDefault            bool
	}
	if diff := cmp.Diff(vpcView{CIDR: "10.0.0.0/16", State: "available", Tenancy: "default"},
		vpcView{CIDR: awssdk.ToString(got.CidrBlock), State: string(got.State), Tenancy: string(got.InstanceTenancy), IsDefault: awssdk.ToBool(got.IsDefault)}); diff != "" {
		t.Errorf("DescribeVpcs(...): -want, +got:\n%s", diff)
	}

	// The region has a default VPC, as every AWS account does.
	def, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: awssdk.String("is-default"), Values: []string{"true"}}}})
	if err != nil || len(def.Vpcs) != 1 || awssdk.ToString(def.Vpcs[0].CidrBlock) != defaultVPCCIDR {
		t.Errorf("DescribeVpcs(is-default=true): want the default VPC, got %+v, %v", def, err)
	}

	// Pages: the default VPC's six subnets and the two new ones.
	var pages []int
	var token *string
	for {
		out, err := f.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{MaxResults: awssdk.Int32(5), NextToken: token})
		if err != nil {
			t.Fatalf("DescribeSubnets(MaxResults=5): %v", err)
		}
		pages = append(pages, len(out.Subnets))
		if token = out.NextToken; token == nil {
			break
		}
	}
	if diff := cmp.Diff([]int{5, 3}, pages); diff != "" {
		t.Errorf("DescribeSubnets(MaxResults=5) pages: -want, +got:\n%s", diff)
	}

	// Another region has its own resources.
	cfg := sdkConfig(f.url, "test", "test")
	cfg.Region = "eu-west-1"
	eu := ec2.NewFromConfig(cfg)
	if _, err := eu.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{n.vpc}}); code(err) != "InvalidVpcID.NotFound" {
		t.Errorf("DescribeVpcs(eu-west-1, a us-east-1 VPC): want InvalidVpcID.NotFound, got %v", err)
	}
	euZones, err := eu.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil || len(euZones.AvailabilityZones) != 3 || awssdk.ToString(euZones.AvailabilityZones[0].ZoneName) != "eu-west-1a" {
		t.Errorf("DescribeAvailabilityZones(eu-west-1): want eu-west-1a to c, got %+v, %v", euZones, err)
	}

	// DNS attributes: support on, host names off, until changed.
	attr := func(a types.VpcAttributeName) bool {
		out, err := f.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: awssdk.String(n.vpc), Attribute: a})
		if err != nil {
			t.Fatalf("DescribeVpcAttribute(%s): %v", a, err)
		}
		if a == types.VpcAttributeNameEnableDnsSupport {
			return awssdk.ToBool(out.EnableDnsSupport.Value)
		}
		return awssdk.ToBool(out.EnableDnsHostnames.Value)
	}
	if !attr(types.VpcAttributeNameEnableDnsSupport) || attr(types.VpcAttributeNameEnableDnsHostnames) {
		t.Errorf("DescribeVpcAttribute: want DNS support on and host names off")
	}
	if _, err := f.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: awssdk.String(n.vpc), EnableDnsHostnames: &types.AttributeBooleanValue{Value: awssdk.Bool(true)}}); err != nil {
		t.Fatalf("ModifyVpcAttribute: %v", err)
	}
	if !attr(types.VpcAttributeNameEnableDnsHostnames) {
		t.Errorf("DescribeVpcAttribute(enableDnsHostnames) after ModifyVpcAttribute: want true")
	}

	// Tags change with CreateTags and DeleteTags.
	if _, err := f.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{n.vpc}, Tags: []types.Tag{{Key: awssdk.String("env"), Value: awssdk.String("dev")}}}); err != nil {
		t.Fatalf("CreateTags: %v", err)
	}
	if _, err := f.ec2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{n.vpc}, Tags: []types.Tag{{Key: awssdk.String("app")}}}); err != nil {
		t.Fatalf("DeleteTags: %v", err)
	}
	tags, err := f.ec2.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{{Name: awssdk.String("resource-id"), Values: []string{n.vpc}}}})
	if err != nil {
		t.Fatalf("DescribeTags: %v", err)
	}
	var keys []string
	for _, tg := range tags.Tags {
		keys = append(keys, awssdk.ToString(tg.Key)+"="+awssdk.ToString(tg.Value)+"@"+string(tg.ResourceType))
	}
	if diff := cmp.Diff([]string{"env=dev@vpc"}, keys); diff != "" {
		t.Errorf("DescribeTags(...): -want, +got:\n%s", diff)
	}

	// A VPC with subnets cannot go; once they are gone it can.
	if _, err := f.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: awssdk.String(n.vpc)}); code(err) != "DependencyViolation" {
		t.Errorf("DeleteVpc(with subnets): want DependencyViolation, got %v", err)
	}
	for _, sn := range []string{n.subnetA, n.subnetB} {
		if _, err := f.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: awssdk.String(sn)}); err != nil {
			t.Fatalf("DeleteSubnet: %v", err)
		}
	}
	if _, err := f.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: awssdk.String(n.vpc)}); err != nil {
		t.Fatalf("DeleteVpc: %v", err)
	}
	if _, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{n.vpc}}); code(err) != "InvalidVpcID.NotFound" {
		t.Errorf("DescribeVpcs(deleted): want InvalidVpcID.NotFound, got %v", err)
	}
}

func TestEC2Errors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	n := newNetwork(t, ctx, f.ec2)
	sg, err := f.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: awssdk.String("web"), Description: awssdk.String("web"), VpcId: awssdk.String(n.vpc)})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	web := sg.GroupId
	tcp := func(port int32, cidr string) []types.IpPermission {
		return []types.IpPermission{{IpProtocol: awssdk.String("tcp"), FromPort: awssdk.Int32(port), ToPort: awssdk.Int32(port), IpRanges: []types.IpRange{{CidrIp: awssdk.String(cidr)}}}}
	}
	if _, err := f.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: web, IpPermissions: tcp(443, "0.0.0.0/0")}); err != nil {
		t.Fatalf("AuthorizeSecurityGroupIngress: %v", err)
	}

	cases := map[string]struct {
		reason string
		call   func() error
		want   string
	}{
		"MissingVpc": {
			reason: "Describing a VPC that does not exist fails.",
			call: func() error {
				_, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}})
				return err
			},
			want: "InvalidVpcID.NotFound",
		},
		"MissingSubnet": {
			reason: "Describing a subnet that does not exist fails.",
			call: func() error {
				_, err := f.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0123456789abcdef0"}})
				return err
			},
			want: "InvalidSubnetID.NotFound",
		},
		"MissingGroup": {
			reason: "Describing a security group that does not exist fails.",
			call: func() error {
				_, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0123456789abcdef0"}})
				return err
			},
			want: "InvalidGroup.NotFound",
		},
		"MissingInstance": {
			reason: "Describing an instance that does not exist fails.",
			call: func() error {
				_, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
				return err
			},
			want: "InvalidInstanceID.NotFound",
		},
		"MalformedInstance": {
			reason: "An instance ID of the wrong shape is malformed.",
			call: func() error {
				_, err := f.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"bogus"}})
				return err
			},
			want: "InvalidInstanceID.Malformed",
		},
		"BadVpcRange": {
			reason: "A VPC must be between /16 and /28.",
			call: func() error {
				_, err := f.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: awssdk.String("10.0.0.0/8")})
				return err
			},
			want: "InvalidVpc.Range",
		},
		"BadCIDR": {
			reason: "A CIDR block must be one.",
			call: func() error {
				_, err := f.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: awssdk.String("10.0.0.1/16")})
				return err
			},
			want: "InvalidParameterValue",
		},
		"SubnetOutsideVpc": {
			reason: "A subnet must be inside its VPC.",
			call: func() error {
				_, err := f.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: awssdk.String(n.vpc), CidrBlock: awssdk.String("10.1.0.0/24")})
				return err
			},
			want: "InvalidSubnet.Range",
		},
		"SubnetConflict": {
			reason: "Subnets of a VPC must not overlap.",
			call: func() error {
				_, err := f.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: awssdk.String(n.vpc), CidrBlock: awssdk.String("10.0.1.0/25")})
				return err
			},
			want: "InvalidSubnet.Conflict",
		},
		"SubnetBadZone": {
			reason: "A subnet's zone must be one of the region's.",
			call: func() error {
				_, err := f.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: awssdk.String(n.vpc), CidrBlock: awssdk.String("10.0.9.0/24"), AvailabilityZone: awssdk.String("eu-west-1a")})
				return err
			},
			want: "InvalidParameterValue",
		},
		"SubnetMissingVpc": {
			reason: "A subnet's VPC must exist.",
			call: func() error {
				_, err := f.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: awssdk.String("vpc-0123456789abcdef0"), CidrBlock: awssdk.String("10.0.9.0/24")})
				return err
			},
			want: "InvalidVpcID.NotFound",
		},
		"DuplicateGroup": {
			reason: "Group names are unique per VPC.",
			call: func() error {
				_, err := f.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: awssdk.String("web"), Description: awssdk.String("again"), VpcId: awssdk.String(n.vpc)})
				return err
			},
			want: "InvalidGroup.Duplicate",
		},
		"DuplicateRule": {
			reason: "A rule the group has already cannot be added again.",
			call: func() error {
				_, err := f.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: web, IpPermissions: tcp(443, "0.0.0.0/0")})
				return err
			},
			want: "InvalidPermission.Duplicate",
		},
		"RevokeMissingRule": {
			reason: "Revoking a rule a non-default VPC's group lacks fails.",
			call: func() error {
				_, err := f.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: web, IpPermissions: tcp(22, "0.0.0.0/0")})
				return err
			},
			want: "InvalidPermission.NotFound",
		},
		"DescribeMissingRule": {
			reason: "Describing a rule the group lacks fails.",
			call: func() error {
				_, err := f.ec2.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: web, IpPermissions: tcp(22, "0.0.0.0/0")})
				return err
			},
			want: "InvalidPermission.NotFound",
		},
		"PortsRequired": {
			reason: "TCP rules need ports.",
			call: func() error {
				_, err := f.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: web, IpPermissions: []types.IpPermission{{
					IpProtocol: awssdk.String("tcp"), IpRanges: []types.IpRange{{CidrIp: awssdk.String("10.0.0.0/8")}},
				}}})
				return err
			},
			want: "InvalidParameterValue",
		},
		"UnknownImage": {
			reason: "Instances boot only images of the catalog.",
			call: func() error {
				_, err := f.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: awssdk.String("ami-0123456789abcdef0"), MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1), SubnetId: awssdk.String(n.subnetA)})
				return err
			},
			want: "InvalidAMIID.NotFound",
		},
		"UnknownSubnet": {
			reason: "Instances launch in subnets that exist.",
			call: func() error {
				_, err := f.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: awssdk.String("ami-04681a1dbd79675a5"), MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1), SubnetId: awssdk.String("subnet-0123456789abcdef0")})
				return err
			},
			want: "InvalidSubnetID.NotFound",
		},
		"BadInstanceType": {
			reason: "Instance types have a shape.",
			call: func() error {
				_, err := f.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: awssdk.String("ami-04681a1dbd79675a5"), MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1), InstanceType: "huge"})
				return err
			},
			want: "InvalidParameterValue",
		},
		"UnknownFilter": {
			reason: "Filters have names the action knows.",
			call: func() error {
				_, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: awssdk.String("flavor"), Values: []string{"red"}}}})
				return err
			},
			want: "InvalidParameterValue",
		},
		"TagUnknownResource": {
			reason: "Tags go on resources that exist.",
			call: func() error {
				_, err := f.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"subnet-0123456789abcdef0"}, Tags: []types.Tag{{Key: awssdk.String("a"), Value: awssdk.String("b")}}})
				return err
			},
			want: "InvalidSubnetID.NotFound",
		},
		"ReservedTag": {
			reason: "aws: tags are AWS's own.",
			call: func() error {
				_, err := f.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{n.vpc}, Tags: []types.Tag{{Key: awssdk.String("aws:x"), Value: awssdk.String("b")}}})
				return err
			},
			want: "InvalidParameterValue",
		},
		"DeleteDefaultGroup": {
			reason: "A VPC's default group cannot be deleted.",
			call: func() error {
				out, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
					{Name: awssdk.String("vpc-id"), Values: []string{n.vpc}}, {Name: awssdk.String("group-name"), Values: []string{"default"}},
				}})
				if err != nil || len(out.SecurityGroups) != 1 {
					return err
				}
				_, err = f.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: out.SecurityGroups[0].GroupId})
				return err
			},
			want: "CannotDelete",
		},
		"DryRun": {
			reason: "DryRun answers that the call would have succeeded.",
			call: func() error {
				_, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{DryRun: awssdk.Bool(true)})
				return err
			},
			want: "DryRunOperation",
		},
		"MaxResultsWithIDs": {
			reason: "MaxResults does not go with IDs.",
			call: func() error {
				_, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{n.vpc}, MaxResults: awssdk.Int32(5)})
				return err
			},
			want: "InvalidParameterCombination",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, code(tc.call())); diff != "" {
				t.Errorf("%s\nerror code: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSecurityGroupRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	n := newNetwork(t, ctx, f.ec2)
	out, err := f.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: awssdk.String("db"), Description: awssdk.String("PostgreSQL"), VpcId: awssdk.String(n.vpc),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup, Tags: []types.Tag{{Key: awssdk.String("uid"), Value: awssdk.String("u1")}}}},
	})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	id := out.GroupId
	rule := func(proto string, port int32, cidr, desc string) types.IpPermission {
		p := types.IpPermission{IpProtocol: awssdk.String(proto), IpRanges: []types.IpRange{{CidrIp: awssdk.String(cidr)}}}
		if desc != "" {
			p.IpRanges[0].Description = awssdk.String(desc)
		}
		if proto != "-1" {
			p.FromPort, p.ToPort = awssdk.Int32(port), awssdk.Int32(port)
		}
		return p
	}
	if _, err := f.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: id, IpPermissions: []types.IpPermission{
		rule("tcp", 5432, "10.0.0.0/16", "vpc"), rule("tcp", 5432, "192.168.0.0/24", ""), rule("6", 22, "10.0.0.0/16", ""),
	}}); err != nil {
		t.Fatalf("AuthorizeSecurityGroupIngress: %v", err)
	}
	if _, err := f.ec2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: id, IpPermissions: []types.IpPermission{rule("-1", 0, "0.0.0.0/0", "")}}); err != nil {
		t.Fatalf("RevokeSecurityGroupEgress: %v", err)
	}
	if _, err := f.ec2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: id, IpPermissions: []types.IpPermission{rule("tcp", 443, "0.0.0.0/0", "")}}); err != nil {
		t.Fatalf("AuthorizeSecurityGroupEgress: %v", err)
	}
	if _, err := f.ec2.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: id, IpPermissions: []types.IpPermission{rule("tcp", 22, "10.0.0.0/16", "ssh")}}); err != nil {
		t.Fatalf("UpdateSecurityGroupRuleDescriptionsIngress: %v", err)
	}
	if _, err := f.ec2.UpdateSecurityGroupRuleDescriptionsEgress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsEgressInput{GroupId: id, IpPermissions: []types.IpPermission{rule("tcp", 443, "0.0.0.0/0", "https")}}); err != nil {
		t.Fatalf("UpdateSecurityGroupRuleDescriptionsEgress: %v", err)
	}
	if _, err := f.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: id, IpPermissions: []types.IpPermission{rule("tcp", 5432, "192.168.0.0/24", "")}}); err != nil {
		t.Fatalf("RevokeSecurityGroupIngress: %v", err)
	}

	got, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{{Name: awssdk.String("tag:uid"), Values: []string{"u1"}}}})
	if err != nil || len(got.SecurityGroups) != 1 {
		t.Fatalf("DescribeSecurityGroups(tag:uid=u1): want one group, got %+v, %v", got, err)
	}
	flat := func(ps []types.IpPermission) []string {
		var out []string
		for _, p := range ps {
			for _, r := range p.IpRanges {
				out = append(out, awssdk.ToString(p.IpProtocol)+" "+itoa(p.FromPort)+"-"+itoa(p.ToPort)+" "+awssdk.ToString(r.CidrIp)+" "+awssdk.ToString(r.Description))
			}
		}
		slices.Sort(out)
		return out
	}
	g := got.SecurityGroups[0]
	if diff := cmp.Diff([]string{"tcp 22-22 10.0.0.0/16 ssh", "tcp 5432-5432 10.0.0.0/16 vpc"}, flat(g.IpPermissions)); diff != "" {
		t.Errorf("DescribeSecurityGroups(...).IpPermissions: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tcp 443-443 0.0.0.0/0 https"}, flat(g.IpPermissionsEgress)); diff != "" {
		t.Errorf("DescribeSecurityGroups(...).IpPermissionsEgress: -want, +got:\n%s", diff)
	}
	if _, err := f.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: id}); err != nil {
		t.Fatalf("DeleteSecurityGroup: %v", err)
	}
	if _, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{awssdk.ToString(id)}}); code(err) != "InvalidGroup.NotFound" {
		t.Errorf("DescribeSecurityGroups(deleted): want InvalidGroup.NotFound, got %v", err)
	}
}

func itoa(p *int32) string {
	if p == nil {
		return "nil"
	}
	return strconv.Itoa(int(*p))
}

// states polls an instance until it reaches want, returning the distinct
// states seen on the way.
func states(t *testing.T, ctx context.Context, c *ec2.Client, id string, want types.InstanceStateName) []string {
	t.Helper()
	var seen []string
	eventually(t, 10*time.Second, "instance "+id+" reaching "+string(want), func() (bool, error) {
		out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			return false, err
		}
		st := string(out.Reservations[0].Instances[0].State.Name)
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		return st == string(want), nil
	})
	return seen
}

func TestInstanceLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	n := newNetwork(t, ctx, f.ec2)
	if _, err := f.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: awssdk.String(n.subnetB), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: awssdk.Bool(true)}}); err != nil {
		t.Fatalf("ModifySubnetAttribute: %v", err)
	}
	sg, err := f.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: awssdk.String("vm"), Description: awssdk.String("vm"), VpcId: awssdk.String(n.vpc)})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	run := &ec2.RunInstancesInput{
		ImageId: awssdk.String("ami-04681a1dbd79675a5"), InstanceType: types.InstanceTypeT3Micro, MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1),
		SubnetId: awssdk.String(n.subnetB), SecurityGroupIds: []string{awssdk.ToString(sg.GroupId)}, ClientToken: awssdk.String("token-1"),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: awssdk.String("uid"), Value: awssdk.String("vm-1")}}},
			{ResourceType: types.ResourceTypeVolume, Tags: []types.Tag{{Key: awssdk.String("uid"), Value: awssdk.String("vm-1")}}},
		},
	}
	out, err := f.ec2.RunInstances(ctx, run)
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	in := out.Instances[0]
	id := awssdk.ToString(in.InstanceId)
	if in.State.Name != types.InstanceStateNamePending {
		t.Errorf("RunInstances(...).State: want pending, got %s", in.State.Name)
	}
	if !netip.MustParsePrefix("10.0.2.0/24").Contains(netip.MustParseAddr(awssdk.ToString(in.PrivateIpAddress))) {
		t.Errorf("RunInstances(...).PrivateIpAddress: want an address of 10.0.2.0/24, got %s", awssdk.ToString(in.PrivateIpAddress))
	}
	if !netip.MustParsePrefix(cloud.PublicRange).Contains(netip.MustParseAddr(awssdk.ToString(in.PublicIpAddress))) {
		t.Errorf("RunInstances(...).PublicIpAddress: want an address of %s, got %q", cloud.PublicRange, awssdk.ToString(in.PublicIpAddress))
	}

	// The same client token answers the same instance; other parameters
	// with it are refused.
	again, err := f.ec2.RunInstances(ctx, run)
	if err != nil || awssdk.ToString(again.Instances[0].InstanceId) != id {
		t.Errorf("RunInstances(same token): want instance %s again, got %+v, %v", id, again, err)
	}
	other := *run
	other.InstanceType = types.InstanceTypeT3Large
	if _, err := f.ec2.RunInstances(ctx, &other); code(err) != "IdempotentParameterMismatch" {
		t.Errorf("RunInstances(same token, other type): want IdempotentParameterMismatch, got %v", err)
	}

	if diff := cmp.Diff([]string{"pending", "running"}, states(t, ctx, f.ec2, id, types.InstanceStateNameRunning)); diff != "" {
		t.Errorf("states to running: -want, +got:\n%s", diff)
	}
	// The type changes only while stopped.
	modify := &ec2.ModifyInstanceAttributeInput{InstanceId: awssdk.String(id), InstanceType: &types.AttributeValue{Value: awssdk.String("t3.large")}}
	if _, err := f.ec2.ModifyInstanceAttribute(ctx, modify); code(err) != "IncorrectInstanceState" {
		t.Errorf("ModifyInstanceAttribute(running): want IncorrectInstanceState, got %v", err)
	}
	if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("StopInstances: %v", err)
	}
	if diff := cmp.Diff([]string{"stopping", "stopped"}, states(t, ctx, f.ec2, id, types.InstanceStateNameStopped)); diff != "" {
		t.Errorf("states to stopped: -want, +got:\n%s", diff)
	}
	if _, err := f.ec2.ModifyInstanceAttribute(ctx, modify); err != nil {
		t.Fatalf("ModifyInstanceAttribute(stopped): %v", err)
	}
	if _, err := f.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("StartInstances: %v", err)
	}
	if diff := cmp.Diff([]string{"pending", "running"}, states(t, ctx, f.ec2, id, types.InstanceStateNameRunning)); diff != "" {
		t.Errorf("states to running again: -want, +got:\n%s", diff)
	}
	byTag, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{
		{Name: awssdk.String("tag:uid"), Values: []string{"vm-1"}},
		{Name: awssdk.String("instance-state-name"), Values: []string{"pending", "running"}},
		{Name: awssdk.String("vpc-id"), Values: []string{n.vpc}},
		{Name: awssdk.String("subnet-id"), Values: []string{n.subnetB}},
	}})
	if err != nil || len(byTag.Reservations) != 1 {
		t.Fatalf("DescribeInstances(filters): want one reservation, got %+v, %v", byTag, err)
	}
	got := byTag.Reservations[0].Instances[0]
	if got.InstanceType != types.InstanceTypeT3Large || awssdk.ToString(got.PublicIpAddress) == "" {
		t.Errorf("DescribeInstances(...): want a t3.large with a public address, got %s %q", got.InstanceType, awssdk.ToString(got.PublicIpAddress))
	}
	vol := awssdk.ToString(got.BlockDeviceMappings[0].Ebs.VolumeId)
	volTags, err := f.ec2.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{{Name: awssdk.String("resource-type"), Values: []string{"volume"}}}})
	if err != nil || len(volTags.Tags) != 1 || awssdk.ToString(volTags.Tags[0].ResourceId) != vol {
		t.Errorf("DescribeTags(volume): want the root volume's uid tag, got %+v, %v", volTags, err)
	}

	// A subnet with an instance, and the instance's group, cannot go.
	if _, err := f.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: awssdk.String(n.subnetB)}); code(err) != "DependencyViolation" {
		t.Errorf("DeleteSubnet(with instance): want DependencyViolation, got %v", err)
	}
	if _, err := f.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); code(err) != "DependencyViolation" {
		t.Errorf("DeleteSecurityGroup(in use): want DependencyViolation, got %v", err)
	}

	if _, err := f.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	if diff := cmp.Diff([]string{"shutting-down", "terminated"}, states(t, ctx, f.ec2, id, types.InstanceStateNameTerminated)); diff != "" {
		t.Errorf("states to terminated: -want, +got:\n%s", diff)
	}
	if _, err := f.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}}); code(err) != "IncorrectInstanceState" {
		t.Errorf("StartInstances(terminated): want IncorrectInstanceState, got %v", err)
	}
	// Its addresses are free again, and the subnet can go.
	sub, err := f.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{n.subnetB}})
	if err != nil || awssdk.ToInt32(sub.Subnets[0].AvailableIpAddressCount) != 251 {
		t.Errorf("DescribeSubnets(...).AvailableIpAddressCount: want 251, got %+v, %v", sub, err)
	}
	if _, err := f.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: awssdk.String(n.subnetB)}); err != nil {
		t.Errorf("DeleteSubnet(after terminate): %v", err)
	}
	// A terminated instance stays listed for an hour, then it is gone.
	f.svc.Tick(ctx, time.Now().Add(2*terminatedKept))
	if _, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}); code(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("DescribeInstances(an hour after terminated): want InvalidInstanceID.NotFound, got %v", err)
	}
}

func TestImagesAndZones(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	im, err := f.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-04681a1dbd79675a5"}})
	if err != nil || len(im.Images) != 1 || awssdk.ToString(im.Images[0].RootDeviceName) != "/dev/xvda" {
		t.Errorf("DescribeImages(ami-04681a1dbd79675a5): want the Amazon Linux 2 image, got %+v, %v", im, err)
	}
	ubuntu, err := f.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"099720109477"}, Filters: []types.Filter{{Name: awssdk.String("name"), Values: []string{"ubuntu/images/*22.04-amd64*"}}}})
	if err != nil || len(ubuntu.Images) != 1 {
		t.Errorf("DescribeImages(ubuntu 22.04 amd64): want one image, got %+v, %v", ubuntu, err)
	}
	if _, err := f.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-0123456789abcdef0"}}); code(err) != "InvalidAMIID.NotFound" {
		t.Errorf("DescribeImages(unknown): want InvalidAMIID.NotFound, got %v", err)
	}
	az, err := f.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatalf("DescribeAvailabilityZones: %v", err)
	}
	var names []string
	for _, z := range az.AvailabilityZones {
		names = append(names, awssdk.ToString(z.ZoneName)+"/"+awssdk.ToString(z.ZoneId))
	}
	want := []string{"us-east-1a/use1-az1", "us-east-1b/use1-az2", "us-east-1c/use1-az3", "us-east-1d/use1-az4", "us-east-1e/use1-az5", "us-east-1f/use1-az6"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("DescribeAvailabilityZones(): -want, +got:\n%s", diff)
	}
}
