package securitygroup

import (
	"cmp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// allProtocols is the protocol of a rule that allows all traffic. Its
// ports mean nothing.
const allProtocols = "-1"

// A permission is one IPv4 range of one rule, normalised so that the forms
// AWS and the spec may write a rule in compare equal: the unit in which
// Stratus authorizes and revokes rules.
type permission struct {
	protocol string
	fromPort int32
	toPort   int32
	cidr     string
}

// protocols maps the protocol numbers AWS reports by name to their names.
var protocols = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

// newPermission returns the normalised permission of a rule's range. A
// port that is unset is -1 (all), as AWS reports it; protocol -1 has no
// ports.
func newPermission(protocol string, from, to *int32, cidr string) permission {
	p := strings.ToLower(protocol)
	if name, ok := protocols[p]; ok {
		p = name
	}
	if p == allProtocols {
		return permission{protocol: p, fromPort: -1, toPort: -1, cidr: cidr}
	}
	return permission{protocol: p, fromPort: aws.ToInt32(portOrAll(from)), toPort: aws.ToInt32(portOrAll(to)), cidr: cidr}
}

func portOrAll(p *int32) *int32 {
	if p == nil {
		return aws.Int32(-1)
	}
	return p
}

// ipPermission returns the EC2 form of p with a description, if any.
func (p permission) ipPermission(description *string) ec2types.IpPermission {
	ip := ec2types.IpPermission{
		IpProtocol: aws.String(p.protocol),
		IpRanges:   []ec2types.IpRange{{CidrIp: aws.String(p.cidr), Description: description}},
	}
	if p.protocol != allProtocols {
		ip.FromPort, ip.ToPort = aws.Int32(p.fromPort), aws.Int32(p.toPort)
	}
	return ip
}

func comparePermissions(a, b permission) int {
	return cmp.Or(
		cmp.Compare(a.protocol, b.protocol),
		cmp.Compare(a.fromPort, b.fromPort),
		cmp.Compare(a.toPort, b.toPort),
		cmp.Compare(a.cidr, b.cidr),
	)
}

// desiredPermissions returns the permissions of the spec's rules with their
// descriptions; a nil description accepts any. Of two rules that allow the
// same range, the later one's description counts.
func desiredPermissions(rules []v1beta1.SecurityGroupRule) map[permission]*string {
	out := map[permission]*string{}
	for _, r := range rules {
		for _, cidr := range r.CIDRBlocks {
			out[newPermission(r.IPProtocol, r.FromPort, r.ToPort, cidr)] = r.Description
		}
	}
	return out
}

// observedPermissions returns the IPv4 permissions of the group's rules
// with their descriptions. Rules for other groups, prefix lists and IPv6
// ranges are not part of the spec and are left out, so Stratus never
// changes them.
func observedPermissions(ips []ec2types.IpPermission) map[permission]string {
	out := map[permission]string{}
	for _, ip := range ips {
		for _, r := range ip.IpRanges {
			out[newPermission(aws.ToString(ip.IpProtocol), ip.FromPort, ip.ToPort, aws.ToString(r.CidrIp))] = aws.ToString(r.Description)
		}
	}
	return out
}

// A ruleDiff is what turns a group's rules in one direction into the
// spec's, each in a stable order.
type ruleDiff struct {
	// authorize are the permissions the group lacks.
	authorize []ec2types.IpPermission

	// revoke are the permissions the spec does not have.
	revoke []ec2types.IpPermission

	// describe are permissions the group has with another description.
	describe []ec2types.IpPermission
}

// empty reports whether the rules already match.
func (d ruleDiff) empty() bool {
	return len(d.authorize) == 0 && len(d.revoke) == 0 && len(d.describe) == 0
}

// diffRules returns what turns the observed rules into the desired ones.
// Nil desired rules are unmanaged: nothing is to be done.
func diffRules(desired []v1beta1.SecurityGroupRule, observed []ec2types.IpPermission) ruleDiff {
	if desired == nil {
		return ruleDiff{}
	}
	want, have := desiredPermissions(desired), observedPermissions(observed)
	var authorize, revoke, describe []permission
	for p, d := range want {
		desc, ok := have[p]
		switch {
		case !ok:
			authorize = append(authorize, p)
		case d != nil && *d != desc:
			describe = append(describe, p)
		}
	}
	for p := range have {
		if _, ok := want[p]; !ok {
			revoke = append(revoke, p)
		}
	}
	d := ruleDiff{}
	for _, p := range sorted(authorize) {
		d.authorize = append(d.authorize, p.ipPermission(want[p]))
	}
	for _, p := range sorted(revoke) {
		d.revoke = append(d.revoke, p.ipPermission(nil))
	}
	for _, p := range sorted(describe) {
		d.describe = append(d.describe, p.ipPermission(want[p]))
	}
	return d
}

func sorted(ps []permission) []permission {
	slices.SortFunc(ps, comparePermissions)
	return ps
}
