package securitygroup

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// perm returns an EC2 permission for one range; ports < -1 mean none.
func perm(protocol string, from, to int32, cidr, description string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String(protocol), IpRanges: []ec2types.IpRange{{CidrIp: aws.String(cidr)}}}
	if from >= -1 {
		p.FromPort, p.ToPort = aws.Int32(from), aws.Int32(to)
	}
	if description != "" {
		p.IpRanges[0].Description = aws.String(description)
	}
	return p
}

// noPorts marks a permission without ports.
const noPorts = -2

func rule(protocol string, from, to *int32, description *string, cidrs ...string) v1beta1.SecurityGroupRule {
	return v1beta1.SecurityGroupRule{IPProtocol: protocol, FromPort: from, ToPort: to, CIDRBlocks: cidrs, Description: description}
}

func TestDiffRules(t *testing.T) {
	ssh := perm("tcp", 22, 22, "10.0.0.0/8", "")
	cases := map[string]struct {
		reason   string
		desired  []v1beta1.SecurityGroupRule
		observed []ec2types.IpPermission
		want     ruleDiff
	}{
		"Unmanaged": {
			reason:   "Unset rules are unmanaged: whatever the group has stays.",
			desired:  nil,
			observed: []ec2types.IpPermission{ssh, perm("-1", noPorts, noPorts, "0.0.0.0/0", "")},
		},
		"EmptyRevokesAll": {
			reason:   "An empty rule list revokes every IPv4 rule, AWS's default egress rule included.",
			desired:  []v1beta1.SecurityGroupRule{},
			observed: []ec2types.IpPermission{perm("-1", noPorts, noPorts, "0.0.0.0/0", ""), ssh},
			want: ruleDiff{revoke: []ec2types.IpPermission{
				perm("-1", noPorts, noPorts, "0.0.0.0/0", ""),
				perm("tcp", 22, 22, "10.0.0.0/8", ""),
			}},
		},
		"InSync": {
			reason: "Rules equal after normalisation need nothing: order, ranges split or merged, protocol numbers and case, ports of protocol -1, and unset ports for all.",
			desired: []v1beta1.SecurityGroupRule{
				rule("-1", aws.Int32(0), aws.Int32(65535), nil, "0.0.0.0/0"),
				rule("6", aws.Int32(22), aws.Int32(22), nil, "192.168.0.0/16", "10.0.0.0/8"),
				rule("ICMP", nil, nil, nil, "10.0.0.0/8"),
			},
			observed: []ec2types.IpPermission{
				perm("icmp", -1, -1, "10.0.0.0/8", ""),
				{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{
					{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("set by hand")},
					{CidrIp: aws.String("192.168.0.0/16")},
				}},
				perm("-1", noPorts, noPorts, "0.0.0.0/0", ""),
			},
		},
		"AddAndRemove": {
			reason:   "Only missing ranges are authorized and only extra ones revoked.",
			desired:  []v1beta1.SecurityGroupRule{rule("tcp", aws.Int32(22), aws.Int32(22), nil, "10.0.0.0/8"), rule("tcp", aws.Int32(443), aws.Int32(443), aws.String("https"), "0.0.0.0/0")},
			observed: []ec2types.IpPermission{ssh, perm("tcp", 80, 80, "0.0.0.0/0", "")},
			want: ruleDiff{
				authorize: []ec2types.IpPermission{perm("tcp", 443, 443, "0.0.0.0/0", "https")},
				revoke:    []ec2types.IpPermission{perm("tcp", 80, 80, "0.0.0.0/0", "")},
			},
		},
		"PortRangeChanged": {
			reason:   "A rule whose ports changed is a different rule: the new one is authorized, the old revoked.",
			desired:  []v1beta1.SecurityGroupRule{rule("tcp", aws.Int32(22), aws.Int32(23), nil, "10.0.0.0/8")},
			observed: []ec2types.IpPermission{ssh},
			want: ruleDiff{
				authorize: []ec2types.IpPermission{perm("tcp", 22, 23, "10.0.0.0/8", "")},
				revoke:    []ec2types.IpPermission{ssh},
			},
		},
		"Description": {
			reason:   "A range whose description differs from a set one is described anew, not revoked.",
			desired:  []v1beta1.SecurityGroupRule{rule("tcp", aws.Int32(22), aws.Int32(22), aws.String("ssh"), "10.0.0.0/8")},
			observed: []ec2types.IpPermission{perm("tcp", 22, 22, "10.0.0.0/8", "old")},
			want:     ruleDiff{describe: []ec2types.IpPermission{perm("tcp", 22, 22, "10.0.0.0/8", "ssh")}},
		},
		"OtherSourcesIgnored": {
			reason:  "Rules for other groups, prefix lists and IPv6 ranges are not Stratus's to revoke.",
			desired: []v1beta1.SecurityGroupRule{},
			observed: []ec2types.IpPermission{{
				IpProtocol:       aws.String("tcp"),
				FromPort:         aws.Int32(5432),
				ToPort:           aws.Int32(5432),
				UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-other")}},
				Ipv6Ranges:       []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
				PrefixListIds:    []ec2types.PrefixListId{{PrefixListId: aws.String("pl-1")}},
			}},
		},
		"Sorted": {
			reason:   "Permissions are authorized in a stable order.",
			desired:  []v1beta1.SecurityGroupRule{rule("udp", aws.Int32(53), aws.Int32(53), nil, "10.0.0.2/32"), rule("tcp", aws.Int32(443), aws.Int32(443), nil, "10.0.0.0/8"), rule("tcp", aws.Int32(80), aws.Int32(80), nil, "10.0.0.0/8")},
			observed: nil,
			want: ruleDiff{authorize: []ec2types.IpPermission{
				perm("tcp", 80, 80, "10.0.0.0/8", ""),
				perm("tcp", 443, 443, "10.0.0.0/8", ""),
				perm("udp", 53, 53, "10.0.0.2/32", ""),
			}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			got := diffRules(tc.desired, tc.observed)
			if diff := cmp.Diff(tc.want, got, cmpOpts...); diff != "" {
				t.Errorf("%s\ndiffRules(...): -want, +got:\n%s", tc.reason, diff)
			}
			if got.empty() != (len(tc.want.authorize)+len(tc.want.revoke)+len(tc.want.describe) == 0) {
				t.Errorf("%s\ndiffRules(...).empty() = %t", tc.reason, got.empty())
			}
		})
	}
}
