package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// testPlatformAWS proves the AWS Compositions of the portable platform
// (package/platform/compositions/{postgresql,compute}-aws.yaml) on the local
// cloud: a PostgreSQLInstance becomes an RDS instance in a VPC of its own
// that its connection Secret reaches, a storage change reaches RDS, two
// ComputeInstances (with and without a public address) become EC2
// instances; once the claims are deleted AWS holds nothing of them.
//
// The claims run at the same time, since the database takes longest; the
// check that AWS is empty comes after all of them are gone. No other
// subtest of TestPlatform creates anything on AWS.
func testPlatformAWS(t *testing.T, p *platformEnv) {
	ns := p.namespace(t)
	rdsc, ec2c := platformAWSClients(p.lc.AWS)

	db := newClaim("PostgreSQLInstance", ns, "aws-db", "aws", map[string]any{
		"size": "small", "version": "15", "storageGB": 20,
	})
	vm := newClaim("ComputeInstance", ns, "aws-vm", "aws", map[string]any{
		"size": "small", "image": "ubuntu-22.04",
		"network": map[string]any{"cidr": "10.30.0.0/24", "publicIP": true},
	})
	private := newClaim("ComputeInstance", ns, "aws-vm-private", "aws", map[string]any{
		"size": "medium", "image": "ubuntu-22.04",
		"network": map[string]any{"cidr": "10.31.0.0/26", "publicIP": false},
	})
	for _, c := range []*unstructured.Unstructured{db, vm, private} {
		p.create(t, c)
	}

	// The machines are Ready long before the database.
	platformAWSCheckMachine(t, p, ec2c, vm, "t3.micro", "10.30.0.0/24", true)
	platformAWSCheckMachine(t, p, ec2c, private, "t3.medium", "10.31.0.0/26", false)
	p.deleteClaim(t, vm)
	p.deleteClaim(t, private)

	p.waitReady(t, db)
	p.checkPostgres(t, p.secret(t, ns, "aws-db-conn"))
	id := platformAWSCheckDatabase(t, p, rdsc, ec2c, db)

	// Storage grows in RDS when the claim asks for more.
	p.setParam(t, db, 30, "storageGB")
	platformAWSWaitStorage(t, rdsc, id, 30)

	p.deleteClaim(t, db)
	if _, err := platformAWSDescribeDB(context.Background(), rdsc, id); !errors.Is(err, errPlatformAWSNoDB) {
		t.Errorf("RDS after the claim was deleted: DescribeDBInstances(%s): %v; want DBInstanceNotFound", id, err)
	}
	checkAWSEmpty(t, p.lc.AWS)
}

// platformAWSClients returns RDS and EC2 clients for the local cloud's AWS
// endpoint, signed with its default key.
func platformAWSClients(endpoint string) (*rds.Client, *ec2.Client) {
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	}
	return rds.NewFromConfig(cfg), ec2.NewFromConfig(cfg)
}

// platformAWSDatabase is what the test compares of an RDS instance.
type platformAWSDatabase struct {
	Status      string
	Engine      string
	Major       string
	Class       string
	StorageGB   int32
	DBName      string
	Username    string
	Endpoint    string
	SubnetGroup string
	VPC         string
	Groups      []string
	MultiAZ     bool
	Protected   bool
	Claim       string
}

// platformAWSCheckDatabase checks the status of the Ready PostgreSQLInstance
// claim db and that its RDS instance is what the claim asked for, in the
// network the claim's status names. It returns the DB instance identifier.
func platformAWSCheckDatabase(t *testing.T, p *platformEnv, rdsc *rds.Client, ec2c *ec2.Client, db *unstructured.Unstructured) string {
	t.Helper()
	ctx := context.Background()
	res := platformAWSResources(t, db, "instance", "subnetGroup", "network", "subnetA", "subnetB", "securityGroup")
	conn := p.secret(t, db.GetNamespace(), db.GetName()+"-conn")
	endpoint := string(conn["host"]) + ":" + string(conn["port"])
	if got := claimStatus(db, "cloud"); got != "aws" {
		t.Errorf("%s status.cloud = %q; want aws", db.GetName(), got)
	}
	if got := claimStatus(db, "endpoint"); got != endpoint {
		t.Errorf("%s status.endpoint = %q; want the Secret's host:port %q", db.GetName(), got, endpoint)
	}

	i, err := platformAWSDescribeDB(ctx, rdsc, res["instance"])
	if err != nil {
		t.Fatalf("RDS: %v", err)
	}
	got := platformAWSDatabase{
		Status:    aws.ToString(i.DBInstanceStatus),
		Engine:    aws.ToString(i.Engine),
		Class:     aws.ToString(i.DBInstanceClass),
		StorageGB: aws.ToInt32(i.AllocatedStorage),
		DBName:    aws.ToString(i.DBName),
		Username:  aws.ToString(i.MasterUsername),
		MultiAZ:   aws.ToBool(i.MultiAZ),
		Protected: aws.ToBool(i.DeletionProtection),
		Claim:     platformAWSRDSTag(i.TagList, "platform.stratus.dev/claim"),
	}
	if v := aws.ToString(i.EngineVersion); len(v) >= 2 {
		got.Major = v[:2]
	}
	if e := i.Endpoint; e != nil {
		got.Endpoint = aws.ToString(e.Address) + ":" + strconv.Itoa(int(aws.ToInt32(e.Port)))
	}
	if g := i.DBSubnetGroup; g != nil {
		got.SubnetGroup, got.VPC = aws.ToString(g.DBSubnetGroupName), aws.ToString(g.VpcId)
	}
	for _, g := range i.VpcSecurityGroups {
		got.Groups = append(got.Groups, aws.ToString(g.VpcSecurityGroupId))
	}
	want := platformAWSDatabase{
		Status: "available", Engine: "postgres", Major: "15", Class: "db.t3.micro", StorageGB: 20,
		DBName: string(conn["database"]), Username: string(conn["username"]), Endpoint: endpoint,
		SubnetGroup: res["subnetGroup"], VPC: res["network"], Groups: []string{res["securityGroup"]},
		Claim: db.GetNamespace() + "/" + db.GetName(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RDS instance %s of claim %s: -want, +got:\n%s", res["instance"], db.GetName(), diff)
	}

	// The subnet group spans the claim's two subnets in two zones.
	sn, err := ec2c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{res["subnetA"], res["subnetB"]}})
	if err != nil {
		t.Fatalf("EC2: cannot describe the subnets of %s: %v", db.GetName(), err)
	}
	zones := map[string]string{}
	for _, s := range sn.Subnets {
		zones[aws.ToString(s.SubnetId)] = aws.ToString(s.VpcId) + " " + aws.ToString(s.AvailabilityZone)
	}
	wantZones := map[string]string{res["subnetA"]: res["network"] + " us-east-1a", res["subnetB"]: res["network"] + " us-east-1b"}
	if diff := cmp.Diff(wantZones, zones); diff != "" {
		t.Errorf("subnets (VPC and zone) of claim %s: -want, +got:\n%s", db.GetName(), diff)
	}
	return res["instance"]
}

// platformAWSMachine is what the test compares of an EC2 instance.
type platformAWSMachine struct {
	State     string
	Type      string
	Image     string
	PrivateIP string
	PublicIP  string
	Subnet    string
	VPC       string
	Groups    []string
	Claim     string
}

// platformAWSCheckMachine waits until the ComputeInstance claim vm is Ready
// and checks its status, its Secret and its EC2 instance: of type
// instanceType, with a private address in cidr and a public one exactly
// when public is true.
func platformAWSCheckMachine(t *testing.T, p *platformEnv, ec2c *ec2.Client, vm *unstructured.Unstructured, instanceType, cidr string, public bool) {
	t.Helper()
	p.waitReady(t, vm)
	res := platformAWSResources(t, vm, "instance", "network", "subnet", "securityGroup")
	conn := p.secret(t, vm.GetNamespace(), vm.GetName()+"-conn")
	if got := claimStatus(vm, "cloud"); got != "aws" {
		t.Errorf("%s status.cloud = %q; want aws", vm.GetName(), got)
	}
	privateIP, publicIP := claimStatus(vm, "privateIP"), claimStatus(vm, "publicIP")
	if a, err := netip.ParseAddr(privateIP); err != nil || !netip.MustParsePrefix(cidr).Contains(a) {
		t.Errorf("%s status.privateIP = %q; want an address in %s", vm.GetName(), privateIP, cidr)
	}
	if (publicIP != "") != public {
		t.Errorf("%s status.publicIP = %q; want one: %t", vm.GetName(), publicIP, public)
	}
	secret := map[string]string{"privateIP": string(conn["privateIP"]), "publicIP": string(conn["publicIP"])}
	if diff := cmp.Diff(map[string]string{"privateIP": privateIP, "publicIP": publicIP}, secret); diff != "" {
		t.Errorf("Secret %s-conn against the claim's status: -want, +got:\n%s", vm.GetName(), diff)
	}

	out, err := ec2c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{res["instance"]}})
	if err != nil {
		t.Fatalf("EC2: cannot describe instance %s of %s: %v", res["instance"], vm.GetName(), err)
	}
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("EC2: DescribeInstances(%s) answered %d reservations; want one with one instance", res["instance"], len(out.Reservations))
	}
	i := out.Reservations[0].Instances[0]
	got := platformAWSMachine{
		Type:      string(i.InstanceType),
		Image:     aws.ToString(i.ImageId),
		PrivateIP: aws.ToString(i.PrivateIpAddress),
		PublicIP:  aws.ToString(i.PublicIpAddress),
		Subnet:    aws.ToString(i.SubnetId),
		VPC:       aws.ToString(i.VpcId),
		Claim:     platformAWSEC2Tag(i.Tags, "platform.stratus.dev/claim"),
	}
	if i.State != nil {
		got.State = string(i.State.Name)
	}
	for _, g := range i.SecurityGroups {
		got.Groups = append(got.Groups, aws.ToString(g.GroupId))
	}
	want := platformAWSMachine{
		State: "running", Type: instanceType, Image: "ami-0c7217cdde317cfec", PrivateIP: privateIP, PublicIP: publicIP,
		Subnet: res["subnet"], VPC: res["network"], Groups: []string{res["securityGroup"]},
		Claim: vm.GetNamespace() + "/" + vm.GetName(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EC2 instance %s of claim %s: -want, +got:\n%s", res["instance"], vm.GetName(), diff)
	}
}

// platformAWSResources returns status.resources of the claim u and fails
// the test unless it names every role.
func platformAWSResources(t *testing.T, u *unstructured.Unstructured, roles ...string) map[string]string {
	t.Helper()
	res, _, _ := unstructured.NestedStringMap(u.Object, "status", "resources")
	for _, r := range roles {
		if res[r] == "" {
			t.Fatalf("%s %s: status.resources.%s is not set; status.resources = %v", u.GetKind(), u.GetName(), r, res)
		}
	}
	return res
}

// errPlatformAWSNoDB is returned by platformAWSDescribeDB when RDS has no
// such instance.
var errPlatformAWSNoDB = errors.New("no such DB instance")

// platformAWSDescribeDB returns the RDS instance id.
func platformAWSDescribeDB(ctx context.Context, rdsc *rds.Client, id string) (rdstypes.DBInstance, error) {
	out, err := rdsc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	var nf *rdstypes.DBInstanceNotFoundFault
	switch {
	case errors.As(err, &nf):
		return rdstypes.DBInstance{}, errPlatformAWSNoDB
	case err != nil:
		return rdstypes.DBInstance{}, fmt.Errorf("cannot describe DB instance %s: %w", id, err)
	case len(out.DBInstances) != 1:
		return rdstypes.DBInstance{}, fmt.Errorf("DescribeDBInstances answered %d instances for %s; want one", len(out.DBInstances), id)
	}
	return out.DBInstances[0], nil
}

// platformAWSWaitStorage waits until RDS reports gb GiB of storage for the
// instance id.
func platformAWSWaitStorage(t *testing.T, rdsc *rds.Client, id string, gb int32) {
	t.Helper()
	start := time.Now()
	got := int32(0)
	for deadline := start.Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		i, err := platformAWSDescribeDB(context.Background(), rdsc, id)
		if err != nil {
			t.Fatalf("RDS: %v", err)
		}
		if got = aws.ToInt32(i.AllocatedStorage); got == gb {
			t.Logf("RDS instance %s has %d GiB after %s", id, gb, time.Since(start).Round(time.Second))
			return
		}
	}
	t.Fatalf("RDS instance %s has %d GiB of storage 2m after the claim asked for %d", id, got, gb)
}

// platformAWSRDSTag returns the value of the tag key in tags.
func platformAWSRDSTag(tags []rdstypes.Tag, key string) string {
	for _, tag := range tags {
		if aws.ToString(tag.Key) == key {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}

// platformAWSEC2Tag returns the value of the tag key in tags.
func platformAWSEC2Tag(tags []ec2types.Tag, key string) string {
	for _, tag := range tags {
		if aws.ToString(tag.Key) == key {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}
