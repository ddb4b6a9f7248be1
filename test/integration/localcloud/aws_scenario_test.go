package localcloud_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// An awsTrace is what a client observed running the scenario against one
// endpoint: entry name to a comparable observation (an error code, "ok", a
// count, the states an instance went through).
type awsTrace struct {
	mu      sync.Mutex
	entries map[string]string
}

func (t *awsTrace) set(key, value string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries[key] = value
}

// outcome records "ok" or the API error code of err.
func (t *awsTrace) outcome(key string, err error) {
	t.set(key, awsCode(err))
}

func awsCode(err error) string {
	if err == nil {
		return "ok"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "error: " + err.Error()
}

// awsConfig is an SDK configuration for an endpoint, with the keys both
// endpoints accept and few retries.
func awsConfig(endpoint string) aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "differential"}, nil
		}),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// awsScenario runs the same RDS and EC2 calls against one endpoint.
type awsScenario struct {
	ec2   *ec2.Client
	rds   *rds.Client
	trace *awsTrace
	// poll is how long to wait for an asynchronous state.
	poll time.Duration
}

func newAWSScenario(endpoint string) *awsScenario {
	cfg := awsConfig(endpoint)
	return &awsScenario{ec2: ec2.NewFromConfig(cfg), rds: rds.NewFromConfig(cfg), trace: &awsTrace{entries: map[string]string{}}, poll: 45 * time.Second}
}

// errStop ends a scenario whose later steps depend on a failed one.
var errStop = errors.New("scenario cannot go on")

// must records err and stops the scenario if it is one.
func (s *awsScenario) must(key string, err error) error {
	s.trace.outcome(key, err)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errStop, key, err)
	}
	return nil
}

// awsNetwork is the network the scenario builds.
type awsNetwork struct {
	vpc, subnetA, subnetB, group, instance string
}

func tagSpec(rt ec2types.ResourceType, uid string) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: []ec2types.Tag{{Key: aws.String("uid"), Value: aws.String(uid)}}}}
}

func byTag(uid string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("tag:uid"), Values: []string{uid}}}
}

// run runs the whole scenario; an error means a step the rest needs
// failed (its outcome is in the trace).
func (s *awsScenario) run(ctx context.Context) error {
	n, err := s.network(ctx)
	if err != nil {
		return err
	}
	if err := s.rules(ctx, n); err != nil {
		return err
	}
	if err := s.instance(ctx, &n); err != nil {
		return err
	}
	if err := s.database(ctx, n); err != nil {
		return err
	}
	if err := s.teardown(ctx, n); err != nil {
		return err
	}
	s.probes(ctx, n)
	return nil
}

// network creates a VPC, two subnets and a security group, and records
// what describing them shows.
func (s *awsScenario) network(ctx context.Context) (awsNetwork, error) {
	var n awsNetwork
	v, err := s.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, "vpc-1")})
	if err := s.must("ec2.CreateVpc", err); err != nil {
		return n, err
	}
	n.vpc = aws.ToString(v.Vpc.VpcId)
	vpcs, err := s.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: byTag("vpc-1")})
	if err := s.must("ec2.DescribeVpcs(tag)", err); err != nil {
		return n, err
	}
	s.trace.set("ec2.DescribeVpcs(tag).count", strconv.Itoa(len(vpcs.Vpcs)))
	if len(vpcs.Vpcs) == 1 {
		got := vpcs.Vpcs[0]
		s.trace.set("ec2.Vpc", fmt.Sprintf("cidr=%s state=%s default=%v tenancy=%s", aws.ToString(got.CidrBlock), got.State, aws.ToBool(got.IsDefault), got.InstanceTenancy))
	}
	def, err := s.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	s.trace.outcome("ec2.DescribeVpcs(is-default)", err)
	if err == nil {
		s.trace.set("ec2.DescribeVpcs(is-default).count", strconv.Itoa(len(def.Vpcs)))
	}
	s.vpcAttributes(ctx, n.vpc)

	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		sn, err := s.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId: aws.String(n.vpc), CidrBlock: aws.String(fmt.Sprintf("10.0.%d.0/24", i+1)), AvailabilityZone: aws.String(z),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, "subnet-"+z),
		})
		if err := s.must("ec2.CreateSubnet("+z+")", err); err != nil {
			return n, err
		}
		id := aws.ToString(sn.Subnet.SubnetId)
		if i == 0 {
			n.subnetA = id
		} else {
			n.subnetB = id
		}
	}
	_, err = s.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(n.subnetB), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	s.trace.outcome("ec2.ModifySubnetAttribute", err)
	subnets, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{n.vpc}}}})
	if err := s.must("ec2.DescribeSubnets(vpc-id)", err); err != nil {
		return n, err
	}
	var seen []string
	for _, sn := range subnets.Subnets {
		seen = append(seen, fmt.Sprintf("%s %s free=%d public=%v default=%v state=%s", aws.ToString(sn.CidrBlock), aws.ToString(sn.AvailabilityZone),
			aws.ToInt32(sn.AvailableIpAddressCount), aws.ToBool(sn.MapPublicIpOnLaunch), aws.ToBool(sn.DefaultForAz), sn.State))
	}
	sort.Strings(seen)
	s.trace.set("ec2.Subnets", strings.Join(seen, "; "))

	g, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("web"), Description: aws.String("web servers"), VpcId: aws.String(n.vpc),
		TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, "sg-web"),
	})
	if err := s.must("ec2.CreateSecurityGroup", err); err != nil {
		return n, err
	}
	n.group = aws.ToString(g.GroupId)
	groups, err := s.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{n.vpc}}}})
	if err := s.must("ec2.DescribeSecurityGroups(vpc-id)", err); err != nil {
		return n, err
	}
	var names []string
	for _, sg := range groups.SecurityGroups {
		names = append(names, aws.ToString(sg.GroupName)+" egress="+awsRules(sg.IpPermissionsEgress))
	}
	sort.Strings(names)
	s.trace.set("ec2.SecurityGroups(vpc)", strings.Join(names, "; "))
	return n, nil
}

// vpcAttributes reads, changes and reads the VPC's DNS attributes.
func (s *awsScenario) vpcAttributes(ctx context.Context, vpc string) {
	read := func(key string, a ec2types.VpcAttributeName) {
		out, err := s.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpc), Attribute: a})
		if err != nil {
			s.trace.outcome(key, err)
			return
		}
		v := out.EnableDnsSupport
		if a == ec2types.VpcAttributeNameEnableDnsHostnames {
			v = out.EnableDnsHostnames
		}
		s.trace.set(key, strconv.FormatBool(v != nil && aws.ToBool(v.Value)))
	}
	read("ec2.VpcAttribute(dnsSupport)", ec2types.VpcAttributeNameEnableDnsSupport)
	read("ec2.VpcAttribute(dnsHostnames)", ec2types.VpcAttributeNameEnableDnsHostnames)
	_, err := s.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	s.trace.outcome("ec2.ModifyVpcAttribute(dnsHostnames)", err)
	read("ec2.VpcAttribute(dnsHostnames).after", ec2types.VpcAttributeNameEnableDnsHostnames)
}

// awsRules writes IPv4 rules in a stable, comparable form.
func awsRules(ps []ec2types.IpPermission) string {
	var out []string
	for _, p := range ps {
		ports := ""
		if p.FromPort != nil || p.ToPort != nil {
			ports = fmt.Sprintf(":%d-%d", aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort))
		}
		for _, r := range p.IpRanges {
			out = append(out, aws.ToString(p.IpProtocol)+ports+" "+aws.ToString(r.CidrIp)+" "+strconv.Quote(aws.ToString(r.Description)))
		}
	}
	sort.Strings(out)
	return "[" + strings.Join(out, ", ") + "]"
}

// rules authorizes, revokes and describes security group rules.
func (s *awsScenario) rules(ctx context.Context, n awsNetwork) error {
	perm := func(proto string, port int32, cidr, desc string) []ec2types.IpPermission {
		p := ec2types.IpPermission{IpProtocol: aws.String(proto), IpRanges: []ec2types.IpRange{{CidrIp: aws.String(cidr)}}}
		if desc != "" {
			p.IpRanges[0].Description = aws.String(desc)
		}
		if proto != "-1" {
			p.FromPort, p.ToPort = aws.Int32(port), aws.Int32(port)
		}
		return []ec2types.IpPermission{p}
	}
	g := aws.String(n.group)
	_, err := s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g, IpPermissions: perm("tcp", 5432, "10.0.0.0/16", "db")})
	if err := s.must("ec2.AuthorizeSecurityGroupIngress(5432)", err); err != nil {
		return err
	}
	_, err = s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g, IpPermissions: perm("tcp", 22, "10.0.0.0/16", "")})
	s.trace.outcome("ec2.AuthorizeSecurityGroupIngress(22)", err)
	_, err = s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g, IpPermissions: perm("tcp", 5432, "10.0.0.0/16", "db")})
	s.trace.outcome("ec2.AuthorizeSecurityGroupIngress(duplicate)", err)
	_, err = s.ec2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: g, IpPermissions: perm("-1", 0, "0.0.0.0/0", "")})
	s.trace.outcome("ec2.RevokeSecurityGroupEgress(all)", err)
	_, err = s.ec2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: g, IpPermissions: perm("tcp", 443, "0.0.0.0/0", "")})
	s.trace.outcome("ec2.AuthorizeSecurityGroupEgress(443)", err)
	_, err = s.ec2.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: g, IpPermissions: perm("tcp", 22, "10.0.0.0/16", "ssh")})
	s.trace.outcome("ec2.UpdateSecurityGroupRuleDescriptionsIngress", err)
	_, err = s.ec2.UpdateSecurityGroupRuleDescriptionsEgress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsEgressInput{GroupId: g, IpPermissions: perm("tcp", 443, "0.0.0.0/0", "https")})
	s.trace.outcome("ec2.UpdateSecurityGroupRuleDescriptionsEgress", err)
	_, err = s.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: g, IpPermissions: perm("tcp", 8080, "10.0.0.0/16", "")})
	s.trace.outcome("ec2.RevokeSecurityGroupIngress(missing)", err)
	_, err = s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("again"), VpcId: aws.String(n.vpc)})
	s.trace.outcome("ec2.CreateSecurityGroup(duplicate)", err)
	groups, err := s.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: byTag("sg-web")})
	if err := s.must("ec2.DescribeSecurityGroups(tag)", err); err != nil {
		return err
	}
	s.trace.set("ec2.DescribeSecurityGroups(tag).count", strconv.Itoa(len(groups.SecurityGroups)))
	if len(groups.SecurityGroups) == 1 {
		sg := groups.SecurityGroups[0]
		s.trace.set("ec2.SecurityGroup.ingress", awsRules(sg.IpPermissions))
		s.trace.set("ec2.SecurityGroup.egress", awsRules(sg.IpPermissionsEgress))
	}
	return nil
}

// instanceStates polls an instance until it is in want and records the
// distinct states seen, the first one being what the call answered.
func (s *awsScenario) instanceStates(ctx context.Context, key, id string, first ec2types.InstanceStateName, want ec2types.InstanceStateName) *ec2types.Instance {
	seen := []string{string(first)}
	deadline := time.Now().Add(s.poll)
	var last *ec2types.Instance
	for time.Now().Before(deadline) {
		out, err := s.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			seen = append(seen, awsCode(err))
			break
		}
		last = &out.Reservations[0].Instances[0]
		if st := string(last.State.Name); seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if last.State.Name == want {
			break
		}
		time.Sleep(30 * time.Millisecond)
	}
	s.trace.set(key, strings.Join(seen, ">"))
	return last
}

// instance runs, stops, resizes, starts and terminates an instance.
func (s *awsScenario) instance(ctx context.Context, n *awsNetwork) error {
	run := &ec2.RunInstancesInput{
		ImageId: aws.String("ami-04681a1dbd79675a5"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(n.subnetB), SecurityGroupIds: []string{n.group}, ClientToken: aws.String("differential-1"),
		TagSpecifications: append(tagSpec(ec2types.ResourceTypeInstance, "vm-1"), tagSpec(ec2types.ResourceTypeVolume, "vm-1")...),
	}
	out, err := s.ec2.RunInstances(ctx, run)
	if err := s.must("ec2.RunInstances", err); err != nil {
		return err
	}
	in := out.Instances[0]
	id := aws.ToString(in.InstanceId)
	private := aws.ToString(in.PrivateIpAddress)
	inSubnet := private != "" && netip.MustParsePrefix("10.0.2.0/24").Contains(netip.MustParseAddr(private))
	s.trace.set("ec2.RunInstances.privateIpInSubnet", strconv.FormatBool(inSubnet))
	s.trace.set("ec2.RunInstances.placement", fmt.Sprintf("zone=%s subnet=%v vpc=%v", aws.ToString(in.Placement.AvailabilityZone), aws.ToString(in.SubnetId) == n.subnetB, aws.ToString(in.VpcId) == n.vpc))
	again, err := s.ec2.RunInstances(ctx, run)
	s.trace.outcome("ec2.RunInstances(same token)", err)
	if err == nil {
		s.trace.set("ec2.RunInstances(same token).sameInstance", strconv.FormatBool(aws.ToString(again.Instances[0].InstanceId) == id))
	}

	running := s.instanceStates(ctx, "ec2.states.launch", id, in.State.Name, ec2types.InstanceStateNameRunning)
	if running != nil {
		s.trace.set("ec2.Instance.publicIp", strconv.FormatBool(aws.ToString(running.PublicIpAddress) != ""))
		s.trace.set("ec2.Instance.groups", strconv.Itoa(len(running.SecurityGroups)))
		s.trace.set("ec2.Instance.rootVolume", strconv.FormatBool(len(running.BlockDeviceMappings) == 1 && running.BlockDeviceMappings[0].Ebs != nil))
	}
	_, err = s.ec2.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &ec2types.AttributeValue{Value: aws.String("t3.large")}})
	s.trace.outcome("ec2.ModifyInstanceAttribute(running)", err)

	stop, err := s.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	if err := s.must("ec2.StopInstances", err); err != nil {
		return err
	}
	s.instanceStates(ctx, "ec2.states.stop", id, stop.StoppingInstances[0].CurrentState.Name, ec2types.InstanceStateNameStopped)
	_, err = s.ec2.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &ec2types.AttributeValue{Value: aws.String("t3.large")}})
	s.trace.outcome("ec2.ModifyInstanceAttribute(stopped)", err)
	start, err := s.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	if err := s.must("ec2.StartInstances", err); err != nil {
		return err
	}
	if got := s.instanceStates(ctx, "ec2.states.start", id, start.StartingInstances[0].CurrentState.Name, ec2types.InstanceStateNameRunning); got != nil {
		s.trace.set("ec2.Instance.type", string(got.InstanceType))
	}
	found, err := s.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: append(byTag("vm-1"),
		ec2types.Filter{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}},
		ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{n.vpc}},
		ec2types.Filter{Name: aws.String("subnet-id"), Values: []string{n.subnetB}},
		ec2types.Filter{Name: aws.String("instance-id"), Values: []string{id}},
	)})
	s.trace.outcome("ec2.DescribeInstances(filters)", err)
	if err == nil {
		s.trace.set("ec2.DescribeInstances(filters).count", strconv.Itoa(len(found.Reservations)))
	}
	tags, err := s.ec2.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{{Name: aws.String("key"), Values: []string{"uid"}}, {Name: aws.String("value"), Values: []string{"vm-1"}}}})
	s.trace.outcome("ec2.DescribeTags(vm-1)", err)
	if err == nil {
		var types []string
		for _, tg := range tags.Tags {
			types = append(types, string(tg.ResourceType))
		}
		sort.Strings(types)
		s.trace.set("ec2.DescribeTags(vm-1).types", strings.Join(types, ","))
	}

	n.instance = id
	return nil
}

// teardown tries to delete what the instance and the subnets still use,
// then terminates the instance. It comes last: an emulator that allows
// such deletes leaves nothing for later steps to need.
func (s *awsScenario) teardown(ctx context.Context, n awsNetwork) error {
	id := n.instance
	_, err := s.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(n.subnetB)})
	s.trace.outcome("ec2.DeleteSubnet(with instance)", err)
	_, err = s.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(n.group)})
	s.trace.outcome("ec2.DeleteSecurityGroup(in use)", err)
	_, err = s.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(n.vpc)})
	s.trace.outcome("ec2.DeleteVpc(with subnets)", err)

	term, err := s.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	if err := s.must("ec2.TerminateInstances", err); err != nil {
		return err
	}
	if got := s.instanceStates(ctx, "ec2.states.terminate", id, term.TerminatingInstances[0].CurrentState.Name, ec2types.InstanceStateNameTerminated); got != nil {
		s.trace.set("ec2.Instance(terminated).listed", "true")
	}
	_, err = s.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	s.trace.outcome("ec2.StartInstances(terminated)", err)
	return nil
}

// dbStatuses polls a DB instance until its status is want ("" for gone)
// and records the distinct statuses seen, the first being what the call
// answered.
func (s *awsScenario) dbStatuses(ctx context.Context, key, id, first, want string) *rdstypes.DBInstance {
	seen := []string{first}
	deadline := time.Now().Add(s.poll)
	var last *rdstypes.DBInstance
	for time.Now().Before(deadline) {
		out, err := s.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		var nf *rdstypes.DBInstanceNotFoundFault
		if errors.As(err, &nf) {
			seen = append(seen, "(gone)")
			break
		}
		if err != nil {
			seen = append(seen, awsCode(err))
			break
		}
		last = &out.DBInstances[0]
		if st := aws.ToString(last.DBInstanceStatus); seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if aws.ToString(last.DBInstanceStatus) == want {
			break
		}
		time.Sleep(30 * time.Millisecond)
	}
	s.trace.set(key, strings.Join(seen, ">"))
	return last
}

// database makes a DB subnet group and a PostgreSQL instance, modifies,
// tags and deletes them.
func (s *awsScenario) database(ctx context.Context, n awsNetwork) error {
	_, err := s.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{
		DBSubnetGroupName: aws.String("db-subnets"), DBSubnetGroupDescription: aws.String("two zones"), SubnetIds: []string{n.subnetA, n.subnetB},
	})
	if err := s.must("rds.CreateDBSubnetGroup", err); err != nil {
		return err
	}
	_, err = s.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{
		DBSubnetGroupName: aws.String("db-subnets"), DBSubnetGroupDescription: aws.String("again"), SubnetIds: []string{n.subnetA, n.subnetB},
	})
	s.trace.outcome("rds.CreateDBSubnetGroup(duplicate)", err)
	_, err = s.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{
		DBSubnetGroupName: aws.String("one-zone"), DBSubnetGroupDescription: aws.String("one zone"), SubnetIds: []string{n.subnetA},
	})
	s.trace.outcome("rds.CreateDBSubnetGroup(one zone)", err)
	groups, err := s.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("db-subnets")})
	if err := s.must("rds.DescribeDBSubnetGroups", err); err != nil {
		return err
	}
	g := groups.DBSubnetGroups[0]
	s.trace.set("rds.DBSubnetGroup", fmt.Sprintf("subnets=%d sameVpc=%v status=%s", len(g.Subnets), aws.ToString(g.VpcId) == n.vpc, aws.ToString(g.SubnetGroupStatus)))

	create := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("postgres"), EngineVersion: aws.String("15.4"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20), DBName: aws.String("app"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("long-enough-password"), DBSubnetGroupName: aws.String("db-subnets"),
		VpcSecurityGroupIds: []string{n.group}, BackupRetentionPeriod: aws.Int32(1), Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	}
	out, err := s.rds.CreateDBInstance(ctx, create)
	if err := s.must("rds.CreateDBInstance", err); err != nil {
		return err
	}
	db := s.dbStatuses(ctx, "rds.statuses.create", "orders", aws.ToString(out.DBInstance.DBInstanceStatus), "available")
	if db != nil {
		s.trace.set("rds.DBInstance", fmt.Sprintf("engine=%s version=%s class=%s storage=%d user=%s db=%s endpoint=%v groups=%d subnetGroup=%s",
			aws.ToString(db.Engine), aws.ToString(db.EngineVersion), aws.ToString(db.DBInstanceClass), aws.ToInt32(db.AllocatedStorage),
			aws.ToString(db.MasterUsername), aws.ToString(db.DBName), db.Endpoint != nil && aws.ToString(db.Endpoint.Address) != "",
			len(db.VpcSecurityGroups), subnetGroupName(db)))
	}
	_, err = s.rds.CreateDBInstance(ctx, create)
	s.trace.outcome("rds.CreateDBInstance(duplicate)", err)

	mod, err := s.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders"), DBInstanceClass: aws.String("db.t3.small"), AllocatedStorage: aws.Int32(30),
		MasterUserPassword: aws.String("another-long-password"), ApplyImmediately: aws.Bool(true),
	})
	if err := s.must("rds.ModifyDBInstance", err); err != nil {
		return err
	}
	if db := s.dbStatuses(ctx, "rds.statuses.modify", "orders", aws.ToString(mod.DBInstance.DBInstanceStatus), "available"); db != nil {
		s.trace.set("rds.DBInstance(modified)", fmt.Sprintf("class=%s storage=%d", aws.ToString(db.DBInstanceClass), aws.ToInt32(db.AllocatedStorage)))
	}

	arn := aws.ToString(out.DBInstance.DBInstanceArn)
	_, err = s.rds.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: []rdstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	s.trace.outcome("rds.AddTagsToResource", err)
	_, err = s.rds.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"team"}})
	s.trace.outcome("rds.RemoveTagsFromResource", err)
	tags, err := s.rds.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	s.trace.outcome("rds.ListTagsForResource", err)
	if err == nil {
		var kv []string
		for _, t := range tags.TagList {
			kv = append(kv, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
		}
		slices.Sort(kv)
		s.trace.set("rds.ListTagsForResource.tags", strings.Join(kv, ","))
	}

	_, err = s.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String("db-subnets")})
	s.trace.outcome("rds.DeleteDBSubnetGroup(in use)", err)
	del, err := s.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders"), SkipFinalSnapshot: aws.Bool(true)})
	if err := s.must("rds.DeleteDBInstance", err); err != nil {
		return err
	}
	s.dbStatuses(ctx, "rds.statuses.delete", "orders", aws.ToString(del.DBInstance.DBInstanceStatus), "")
	_, err = s.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String("db-subnets")})
	s.trace.outcome("rds.DeleteDBSubnetGroup", err)
	_, err = s.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("db-subnets")})
	s.trace.outcome("rds.DescribeDBSubnetGroups(deleted)", err)
	return nil
}

func subnetGroupName(db *rdstypes.DBInstance) string {
	if db.DBSubnetGroup == nil {
		return "(none)"
	}
	return aws.ToString(db.DBSubnetGroup.DBSubnetGroupName)
}

// probes records the errors of calls that must fail.
func (s *awsScenario) probes(ctx context.Context, n awsNetwork) {
	missing := "0123456789abcdef0"
	probe := func(key string, err error) { s.trace.outcome("probe."+key, err) }
	_, err := s.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-" + missing}})
	probe("DescribeVpcs(missing)", err)
	_, err = s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-" + missing}})
	probe("DescribeSubnets(missing)", err)
	_, err = s.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-" + missing}})
	probe("DescribeSecurityGroups(missing)", err)
	_, err = s.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-" + missing}})
	probe("DescribeInstances(missing)", err)
	_, err = s.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.vpc), CidrBlock: aws.String("10.0.1.0/25")})
	probe("CreateSubnet(conflict)", err)
	_, err = s.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.vpc), CidrBlock: aws.String("10.9.0.0/24")})
	probe("CreateSubnet(outside VPC)", err)
	_, err = s.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String("vpc-" + missing), CidrBlock: aws.String("10.0.9.0/24")})
	probe("CreateSubnet(missing VPC)", err)
	_, err = s.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
	probe("CreateVpc(too large)", err)
	_, err = s.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-" + missing), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(n.subnetA)})
	probe("RunInstances(unknown image)", err)
	_, err = s.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-04681a1dbd79675a5"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String("subnet-" + missing)})
	probe("RunInstances(missing subnet)", err)
	_, err = s.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-" + missing}})
	probe("TerminateInstances(missing)", err)
	_, err = s.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String("sg-" + missing)})
	probe("DeleteSecurityGroup(missing)", err)
	_, err = s.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-" + missing)})
	probe("DeleteVpc(missing)", err)
	im, err := s.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-04681a1dbd79675a5"}})
	probe("DescribeImages(amzn2)", err)
	if err == nil && len(im.Images) == 1 {
		s.trace.set("probe.DescribeImages(amzn2).image", aws.ToString(im.Images[0].Name)+" "+aws.ToString(im.Images[0].RootDeviceName)+" "+string(im.Images[0].Architecture))
	}
	_, err = s.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-" + missing}})
	probe("DescribeImages(missing)", err)
	az, err := s.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	probe("DescribeAvailabilityZones", err)
	if err == nil {
		var names []string
		for _, z := range az.AvailabilityZones {
			names = append(names, aws.ToString(z.ZoneName))
		}
		s.trace.set("probe.DescribeAvailabilityZones.names", strings.Join(names, ","))
	}

	_, err = s.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("missing")})
	probe("DescribeDBInstances(missing)", err)
	_, err = s.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("missing"), SkipFinalSnapshot: aws.Bool(true)})
	probe("DeleteDBInstance(missing)", err)
	_, err = s.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("missing")})
	probe("DescribeDBSubnetGroups(missing)", err)
	_, err = s.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String("missing")})
	probe("DeleteDBSubnetGroup(missing)", err)
	_, err = s.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String("bad"), DBSubnetGroupDescription: aws.String("x"), SubnetIds: []string{"subnet-" + missing, n.subnetA}})
	probe("CreateDBSubnetGroup(missing subnet)", err)

	// Bad creates: each would fail on AWS; where an emulator accepts one,
	// the instance it made is removed again.
	bad := func(key string, mut func(*rds.CreateDBInstanceInput)) {
		in := &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String("probe-" + strings.ToLower(strings.NewReplacer("(", "", ")", "", " ", "-").Replace(key))),
			Engine:               aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20),
			MasterUsername: aws.String("app"), MasterUserPassword: aws.String("long-enough-password"),
		}
		mut(in)
		_, err := s.rds.CreateDBInstance(ctx, in)
		probe(key, err)
		if err == nil {
			_, _ = s.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: in.DBInstanceIdentifier, SkipFinalSnapshot: aws.Bool(true)})
		}
	}
	bad("CreateDBInstance(mysql)", func(in *rds.CreateDBInstanceInput) { in.Engine = aws.String("mysql") })
	bad("CreateDBInstance(short password)", func(in *rds.CreateDBInstanceInput) { in.MasterUserPassword = aws.String("short") })
	bad("CreateDBInstance(bad identifier)", func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = aws.String("bad--name") })
	bad("CreateDBInstance(unknown subnet group)", func(in *rds.CreateDBInstanceInput) { in.DBSubnetGroupName = aws.String("missing") })

	// Deleting without choosing about the final snapshot.
	_, err = s.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("snapshot-probe"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("long-enough-password"),
	})
	probe("CreateDBInstance(snapshot probe)", err)
	_, err = s.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("snapshot-probe")})
	probe("DeleteDBInstance(no snapshot choice)", err)
	_, _ = s.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("snapshot-probe"), SkipFinalSnapshot: aws.Bool(true)})
}
