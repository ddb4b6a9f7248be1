package aws

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

// dbStates polls a DB instance until status is want (or, for want "",
// until it is gone), returning the distinct statuses seen.
func dbStates(t *testing.T, ctx context.Context, c *rds.Client, id, want string) []string {
	t.Helper()
	var seen []string
	eventually(t, 45*time.Second, "DB instance "+id+" reaching "+want, func() (bool, error) {
		out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)})
		var nf *types.DBInstanceNotFoundFault
		if errors.As(err, &nf) {
			return want == "", nil
		}
		if err != nil {
			return false, err
		}
		st := awssdk.ToString(out.DBInstances[0].DBInstanceStatus)
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		return st == want, nil
	})
	return seen
}

// describeDB returns one DB instance.
func describeDB(t *testing.T, ctx context.Context, c *rds.Client, id string) types.DBInstance {
	t.Helper()
	out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)})
	if err != nil {
		t.Fatalf("DescribeDBInstances(%s): %v", id, err)
	}
	return out.DBInstances[0]
}

// newSubnetGroup makes a network and a DB subnet group over it.
func newSubnetGroup(t *testing.T, ctx context.Context, f *fixture, name string) network {
	t.Helper()
	n := newNetwork(t, ctx, f.ec2)
	if _, err := f.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{
		DBSubnetGroupName: awssdk.String(name), DBSubnetGroupDescription: awssdk.String("test"), SubnetIds: []string{n.subnetA, n.subnetB},
	}); err != nil {
		t.Fatalf("CreateDBSubnetGroup: %v", err)
	}
	return n
}

func TestDBInstanceEndToEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	newSubnetGroup(t, ctx, f, "db-subnets")

	out, err := f.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: awssdk.String("Orders"), Engine: awssdk.String("postgres"), EngineVersion: awssdk.String("15.4"),
		DBInstanceClass: awssdk.String("db.t3.micro"), AllocatedStorage: awssdk.Int32(20), DBName: awssdk.String("app"),
		MasterUsername: awssdk.String("app"), MasterUserPassword: awssdk.String("first-password"), DBSubnetGroupName: awssdk.String("DB-Subnets"),
		Tags: []types.Tag{{Key: awssdk.String("team"), Value: awssdk.String("core")}},
	})
	if err != nil {
		t.Fatalf("CreateDBInstance: %v", err)
	}
	if got := awssdk.ToString(out.DBInstance.DBInstanceIdentifier); got != "orders" {
		t.Errorf("CreateDBInstance(...).DBInstanceIdentifier: want the lower-case orders, got %s", got)
	}
	if diff := cmp.Diff([]string{"creating", "available"}, dbStates(t, ctx, f.rds, "orders", "available")); diff != "" {
		t.Errorf("statuses to available: -want, +got:\n%s", diff)
	}
	db := describeDB(t, ctx, f.rds, "orders")
	host, port := awssdk.ToString(db.Endpoint.Address), int(awssdk.ToInt32(db.Endpoint.Port))
	if got, err := pgtest.Query(ctx, host, port, "app", "first-password", "app", "SELECT current_user || '@' || current_database()"); err != nil || got != "app@app" {
		t.Fatalf("Query(endpoint, master credentials): want app@app, got %q, %v", got, err)
	}
	if db.DBSubnetGroup == nil || awssdk.ToString(db.DBSubnetGroup.DBSubnetGroupName) != "db-subnets" || len(db.VpcSecurityGroups) != 1 {
		t.Errorf("DescribeDBInstances(...): want the instance in db-subnets with the VPC's default group, got %+v", db)
	}

	// Tags by the instance's ARN.
	arn := db.DBInstanceArn
	if _, err := f.rds.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []types.Tag{{Key: awssdk.String("env"), Value: awssdk.String("dev")}}}); err != nil {
		t.Fatalf("AddTagsToResource: %v", err)
	}
	if _, err := f.rds.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatalf("RemoveTagsFromResource: %v", err)
	}
	if tags, err := f.rds.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: arn}); err != nil {
		t.Errorf("ListTagsForResource: %v", err)
	} else if diff := cmp.Diff([]types.Tag{{Key: awssdk.String("env"), Value: awssdk.String("dev")}}, tags.TagList, cmpTags()); diff != "" {
		t.Errorf("ListTagsForResource(db): -want, +got:\n%s", diff)
	}

	// Modify class, storage and password: modifying, then available, and
	// the new password works.
	if _, err := f.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: awssdk.String("orders"), DBInstanceClass: awssdk.String("db.t3.small"), AllocatedStorage: awssdk.Int32(30),
		MasterUserPassword: awssdk.String("second-password"), ApplyImmediately: awssdk.Bool(true),
	}); err != nil {
		t.Fatalf("ModifyDBInstance: %v", err)
	}
	if diff := cmp.Diff([]string{"modifying", "available"}, dbStates(t, ctx, f.rds, "orders", "available")); diff != "" {
		t.Errorf("statuses after modify: -want, +got:\n%s", diff)
	}
	db = describeDB(t, ctx, f.rds, "orders")
	if awssdk.ToString(db.DBInstanceClass) != "db.t3.small" || awssdk.ToInt32(db.AllocatedStorage) != 30 {
		t.Errorf("DescribeDBInstances(after modify): want db.t3.small with 30 GiB, got %s with %d", awssdk.ToString(db.DBInstanceClass), awssdk.ToInt32(db.AllocatedStorage))
	}
	if _, err := pgtest.Query(ctx, host, port, "app", "second-password", "app", "SELECT 'ok'"); err != nil {
		t.Errorf("Query(new password): %v", err)
	}
	if _, err := pgtest.Query(ctx, host, port, "app", "first-password", "app", "SELECT 'ok'"); err == nil {
		t.Errorf("Query(old password): want refused, got in")
	}

	// Stop and start: the server stops and comes back on the same endpoint.
	if _, err := f.rds.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: awssdk.String("orders")}); err != nil {
		t.Fatalf("StopDBInstance: %v", err)
	}
	if diff := cmp.Diff([]string{"stopping", "stopped"}, dbStates(t, ctx, f.rds, "orders", "stopped")); diff != "" {
		t.Errorf("statuses to stopped: -want, +got:\n%s", diff)
	}
	if _, err := pgtest.Query(ctx, host, port, "app", "second-password", "app", "SELECT 'ok'"); err == nil {
		t.Errorf("Query(stopped): want refused, got in")
	}
	if _, err := f.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String("orders"), AllocatedStorage: awssdk.Int32(40)}); code(err) != "InvalidDBInstanceState" {
		t.Errorf("ModifyDBInstance(stopped): want InvalidDBInstanceState, got %v", err)
	}
	if _, err := f.rds.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: awssdk.String("orders")}); err != nil {
		t.Fatalf("StartDBInstance: %v", err)
	}
	if diff := cmp.Diff([]string{"starting", "available"}, dbStates(t, ctx, f.rds, "orders", "available")); diff != "" {
		t.Errorf("statuses to available again: -want, +got:\n%s", diff)
	}
	if _, err := pgtest.Query(ctx, host, port, "app", "second-password", "app", "SELECT 'ok'"); err != nil {
		t.Errorf("Query(started): %v", err)
	}

	// Deletion protection holds until turned off; then delete: deleting,
	// then gone, with the server and its data.
	if _, err := f.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String("orders"), DeletionProtection: awssdk.Bool(true)}); err != nil {
		t.Fatalf("ModifyDBInstance(deletion protection): %v", err)
	}
	del := &rds.DeleteDBInstanceInput{DBInstanceIdentifier: awssdk.String("orders"), SkipFinalSnapshot: awssdk.Bool(true)}
	if _, err := f.rds.DeleteDBInstance(ctx, del); code(err) != "InvalidParameterCombination" {
		t.Errorf("DeleteDBInstance(protected): want InvalidParameterCombination, got %v", err)
	}
	if _, err := f.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String("orders"), DeletionProtection: awssdk.Bool(false)}); err != nil {
		t.Fatalf("ModifyDBInstance(no deletion protection): %v", err)
	}
	if _, err := f.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("db-subnets")}); code(err) != "InvalidDBSubnetGroupStateFault" {
		t.Errorf("DeleteDBSubnetGroup(in use): want InvalidDBSubnetGroupStateFault, got %v", err)
	}
	if _, err := f.rds.DeleteDBInstance(ctx, del); err != nil {
		t.Fatalf("DeleteDBInstance: %v", err)
	}
	var st *types.InvalidDBInstanceStateFault
	if _, err := f.rds.DeleteDBInstance(ctx, del); !errors.As(err, &st) {
		t.Errorf("DeleteDBInstance(deleting): want InvalidDBInstanceStateFault, got %v", err)
	}
	if diff := cmp.Diff([]string{"deleting"}, dbStates(t, ctx, f.rds, "orders", "")); diff != "" {
		t.Errorf("statuses to gone: -want, +got:\n%s", diff)
	}
	if _, err := pgtest.Query(ctx, host, port, "app", "second-password", "app", "SELECT 'ok'"); err == nil {
		t.Errorf("Query(deleted): want refused, got in")
	}
	if s := f.env.PG.Servers(); len(s) != 0 {
		t.Errorf("PG.Servers() after delete: want none, got %+v", s)
	}
	if ids := f.svc.dbs.IDs(); len(ids) != 0 {
		t.Errorf("DB instance rows after delete: want none, got %v", ids)
	}
	if _, err := f.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("db-subnets")}); err != nil {
		t.Errorf("DeleteDBSubnetGroup(no longer used): %v", err)
	}
}

func TestDBInstanceErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	newSubnetGroup(t, ctx, f, "subnets")
	create := func(mut func(*rds.CreateDBInstanceInput)) error {
		in := &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: awssdk.String("probe"), Engine: awssdk.String("postgres"), DBInstanceClass: awssdk.String("db.t3.micro"),
			AllocatedStorage: awssdk.Int32(20), MasterUsername: awssdk.String("app"), MasterUserPassword: awssdk.String("long-enough"),
			DBSubnetGroupName: awssdk.String("subnets"),
		}
		mut(in)
		_, err := f.rds.CreateDBInstance(ctx, in)
		return err
	}
	// One instance exists, so that duplicates can be probed; it is never
	// waited for.
	if err := create(func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = awssdk.String("taken") }); err != nil {
		t.Fatalf("CreateDBInstance: %v", err)
	}

	cases := map[string]struct {
		reason string
		call   func() error
		want   string
	}{
		"Duplicate": {
			reason: "An identifier is taken once used.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = awssdk.String("TAKEN") })
			},
			want: "DBInstanceAlreadyExists",
		},
		"MySQL": {
			reason: "The local cloud runs PostgreSQL only.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.Engine = awssdk.String("mysql") })
			},
			want: "InvalidParameterValue",
		},
		"PostgreSQL16": {
			reason: "The local cloud runs PostgreSQL 15 only.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.EngineVersion = awssdk.String("16.1") })
			},
			want: "InvalidParameterCombination",
		},
		"ShortPassword": {
			reason: "Master passwords have at least 8 characters.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.MasterUserPassword = awssdk.String("short") })
			},
			want: "InvalidParameterValue",
		},
		"NoUser": {
			reason: "PostgreSQL instances need a master user name.",
			call:   func() error { return create(func(in *rds.CreateDBInstanceInput) { in.MasterUsername = nil }) },
			want:   "MissingParameter",
		},
		"NoStorage": {
			reason: "PostgreSQL instances need storage.",
			call:   func() error { return create(func(in *rds.CreateDBInstanceInput) { in.AllocatedStorage = nil }) },
			want:   "MissingParameter",
		},
		"TinyStorage": {
			reason: "gp2 storage starts at 20 GiB.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.AllocatedStorage = awssdk.Int32(5) })
			},
			want: "InvalidParameterCombination",
		},
		"BadIdentifier": {
			reason: "Identifiers must not hold two hyphens in a row.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = awssdk.String("a--b") })
			},
			want: "InvalidParameterValue",
		},
		"BadClass": {
			reason: "Instance classes start with db.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.DBInstanceClass = awssdk.String("t3.micro") })
			},
			want: "InvalidParameterValue",
		},
		"UnknownSubnetGroup": {
			reason: "The DB subnet group must exist.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.DBSubnetGroupName = awssdk.String("nope") })
			},
			want: "DBSubnetGroupNotFoundFault",
		},
		"UnknownSecurityGroup": {
			reason: "VPC security groups must exist.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.VpcSecurityGroupIds = []string{"sg-0123456789abcdef0"} })
			},
			want: "InvalidParameterValue",
		},
		"ReservedUser": {
			reason: "rdsadmin is RDS's own.",
			call: func() error {
				return create(func(in *rds.CreateDBInstanceInput) { in.MasterUsername = awssdk.String("rdsadmin") })
			},
			want: "InvalidParameterValue",
		},
		"DescribeMissing": {
			reason: "Describing an unknown instance is DBInstanceNotFound.",
			call: func() error {
				_, err := f.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("nope")})
				return err
			},
			want: "DBInstanceNotFound",
		},
		"DeleteWithoutSnapshotChoice": {
			reason: "Deleting needs SkipFinalSnapshot or a final snapshot name.",
			call: func() error {
				_, err := f.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: awssdk.String("taken")})
				return err
			},
			want: "InvalidParameterCombination",
		},
		"ModifyCreating": {
			reason: "Only available instances can be modified.",
			call: func() error {
				_, err := f.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String("taken"), AllocatedStorage: awssdk.Int32(30)})
				return err
			},
			want: "InvalidDBInstanceState",
		},
		"StopCreating": {
			reason: "Only available instances can be stopped.",
			call: func() error {
				_, err := f.rds.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: awssdk.String("taken")})
				return err
			},
			want: "InvalidDBInstanceState",
		},
		"BadFilter": {
			reason: "Filters have names RDS knows.",
			call: func() error {
				_, err := f.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{{Name: awssdk.String("flavor"), Values: []string{"red"}}}})
				return err
			},
			want: "InvalidParameterValue",
		},
		"TagMissingResource": {
			reason: "Tags go on instances that exist.",
			call: func() error {
				_, err := f.rds.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{
					ResourceName: awssdk.String("arn:aws:rds:us-east-1:000000000000:db:nope"), Tags: []types.Tag{{Key: awssdk.String("a"), Value: awssdk.String("b")}},
				})
				return err
			},
			want: "DBInstanceNotFound",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, code(tc.call())); diff != "" {
				t.Errorf("%s\nerror code: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}

	// The SDK's typed faults work.
	var exists *types.DBInstanceAlreadyExistsFault
	if err := create(func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = awssdk.String("taken") }); !errors.As(err, &exists) {
		t.Errorf("CreateDBInstance(taken): want *types.DBInstanceAlreadyExistsFault, got %T %v", err, err)
	}
	var nf *types.DBInstanceNotFoundFault
	if _, err := f.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("nope")}); !errors.As(err, &nf) {
		t.Errorf("DescribeDBInstances(nope): want *types.DBInstanceNotFoundFault, got %T %v", err, err)
	}

	// Listing and filtering find the instance being created.
	all, err := f.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{{Name: awssdk.String("db-instance-id"), Values: []string{"taken"}}}})
	if err != nil || len(all.DBInstances) != 1 || awssdk.ToString(all.DBInstances[0].DBInstanceStatus) != "creating" || all.DBInstances[0].Endpoint != nil {
		t.Errorf("DescribeDBInstances(db-instance-id=taken): want it creating, without an endpoint yet, got %+v, %v", all, err)
	}
	// A creating instance can be deleted when no snapshot is asked for.
	if _, err := f.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: awssdk.String("taken"), SkipFinalSnapshot: awssdk.Bool(true)}); err != nil {
		t.Errorf("DeleteDBInstance(creating): %v", err)
	}
	dbStates(t, ctx, f.rds, "taken", "")
}

func TestDBSubnetGroupsAndTags(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	n := newSubnetGroup(t, ctx, f, "group-a")

	cases := map[string]struct {
		reason string
		call   func() error
		want   string
	}{
		"AlreadyExists": {
			reason: "Names are unique.",
			call: func() error {
				_, err := f.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("Group-A"), DBSubnetGroupDescription: awssdk.String("x"), SubnetIds: []string{n.subnetA, n.subnetB}})
				return err
			},
			want: "DBSubnetGroupAlreadyExists",
		},
		"OneZone": {
			reason: "A group covers at least two zones.",
			call: func() error {
				_, err := f.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("one"), DBSubnetGroupDescription: awssdk.String("x"), SubnetIds: []string{n.subnetA}})
				return err
			},
			want: "DBSubnetGroupDoesNotCoverEnoughAZs",
		},
		"UnknownSubnet": {
			reason: "Subnets must exist.",
			call: func() error {
				_, err := f.rds.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("bad"), DBSubnetGroupDescription: awssdk.String("x"), SubnetIds: []string{n.subnetA, "subnet-0123456789abcdef0"}})
				return err
			},
			want: "InvalidSubnet",
		},
		"DescribeMissing": {
			reason: "Describing an unknown group fails.",
			call: func() error {
				_, err := f.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String("nope")})
				return err
			},
			want: "DBSubnetGroupNotFoundFault",
		},
		"ModifyMissing": {
			reason: "Modifying an unknown group fails.",
			call: func() error {
				_, err := f.rds.ModifyDBSubnetGroup(ctx, &rds.ModifyDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("nope"), SubnetIds: []string{n.subnetA, n.subnetB}})
				return err
			},
			want: "DBSubnetGroupNotFoundFault",
		},
		"DeleteMissing": {
			reason: "Deleting an unknown group fails.",
			call: func() error {
				_, err := f.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("nope")})
				return err
			},
			want: "DBSubnetGroupNotFoundFault",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, code(tc.call())); diff != "" {
				t.Errorf("%s\nerror code: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}

	// A third subnet in a third zone joins the group, with a new
	// description.
	sn, err := f.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: awssdk.String(n.vpc), CidrBlock: awssdk.String("10.0.3.0/24"), AvailabilityZone: awssdk.String("us-east-1c")})
	if err != nil {
		t.Fatalf("CreateSubnet: %v", err)
	}
	mod, err := f.rds.ModifyDBSubnetGroup(ctx, &rds.ModifyDBSubnetGroupInput{
		DBSubnetGroupName: awssdk.String("group-a"), DBSubnetGroupDescription: awssdk.String("three zones"),
		SubnetIds: []string{n.subnetA, n.subnetB, awssdk.ToString(sn.Subnet.SubnetId)},
	})
	if err != nil {
		t.Fatalf("ModifyDBSubnetGroup: %v", err)
	}
	var zones []string
	for _, s := range mod.DBSubnetGroup.Subnets {
		zones = append(zones, awssdk.ToString(s.SubnetAvailabilityZone.Name))
	}
	if diff := cmp.Diff([]string{"us-east-1a", "us-east-1b", "us-east-1c"}, zones); diff != "" {
		t.Errorf("ModifyDBSubnetGroup(...) zones: -want, +got:\n%s", diff)
	}
	list, err := f.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{})
	if err != nil || len(list.DBSubnetGroups) != 1 || awssdk.ToString(list.DBSubnetGroups[0].DBSubnetGroupDescription) != "three zones" || awssdk.ToString(list.DBSubnetGroups[0].VpcId) != n.vpc {
		t.Errorf("DescribeDBSubnetGroups(): want group-a in %s, got %+v, %v", n.vpc, list, err)
	}

	// Tags by ARN.
	arn := list.DBSubnetGroups[0].DBSubnetGroupArn
	if _, err := f.rds.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []types.Tag{
		{Key: awssdk.String("a"), Value: awssdk.String("1")}, {Key: awssdk.String("b"), Value: awssdk.String("2")},
	}}); err != nil {
		t.Fatalf("AddTagsToResource: %v", err)
	}
	if _, err := f.rds.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatalf("RemoveTagsFromResource: %v", err)
	}
	tags, err := f.rds.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: arn})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	if diff := cmp.Diff([]types.Tag{{Key: awssdk.String("b"), Value: awssdk.String("2")}}, tags.TagList, cmpTags()); diff != "" {
		t.Errorf("ListTagsForResource(...): -want, +got:\n%s", diff)
	}
	if _, err := f.rds.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: awssdk.String("group-a")}); err != nil {
		t.Fatalf("DeleteDBSubnetGroup: %v", err)
	}
}

// cmpTags compares SDK tags by value.
func cmpTags() cmp.Option {
	return cmp.Comparer(func(a, b types.Tag) bool {
		return awssdk.ToString(a.Key) == awssdk.ToString(b.Key) && awssdk.ToString(a.Value) == awssdk.ToString(b.Value)
	})
}
