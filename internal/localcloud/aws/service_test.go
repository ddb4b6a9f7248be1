package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	wrong := sdkConfig(f.url, "test", "not-the-secret")
	unknown := sdkConfig(f.url, "nobody", "test")

	cases := map[string]struct {
		reason string
		call   func() error
		want   string
	}{
		"RDSWrongSecret": {
			reason: "A signature made with the wrong secret is refused.",
			call: func() error {
				_, err := rds.NewFromConfig(wrong).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
				return err
			},
			want: "SignatureDoesNotMatch",
		},
		"RDSUnknownKey": {
			reason: "An access key the local cloud does not know is refused.",
			call: func() error {
				_, err := rds.NewFromConfig(unknown).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
				return err
			},
			want: "InvalidClientTokenId",
		},
		"EC2WrongSecret": {
			reason: "A signature made with the wrong secret is refused.",
			call: func() error {
				_, err := ec2.NewFromConfig(wrong).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
				return err
			},
			want: "SignatureDoesNotMatch",
		},
		"EC2UnknownKey": {
			reason: "An access key the local cloud does not know is refused.",
			call: func() error {
				_, err := ec2.NewFromConfig(unknown).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
				return err
			},
			want: "AuthFailure",
		},
		"Accepted": {
			reason: "The default key is accepted.",
			call: func() error {
				_, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
				return err
			},
			want: "",
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

// rawAnswer is what a raw request got: the status and the error code of
// either API's error document.
type rawAnswer struct {
	Status int
	Code   string
}

// raw sends a form body to the service, signed for service unless it is
// "", and reads the answer.
func raw(t *testing.T, url, service, body string) rawAnswer {
	t.Helper()
	r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if service != "" {
		sum := sha256.Sum256([]byte(body))
		creds := awssdk.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, testRegion, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		Code    string `xml:"Error>Code"`
		EC2Code string `xml:"Errors>Error>Code"`
	}
	_ = xml.Unmarshal(b, &doc)
	return rawAnswer{Status: resp.StatusCode, Code: doc.Code + doc.EC2Code}
}

func TestRawRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	cases := map[string]struct {
		reason  string
		service string
		body    string
		want    rawAnswer
	}{
		"UnsignedRDS": {
			reason: "RDS refuses a request without a signature.",
			body:   "Action=DescribeDBInstances&Version=2014-10-31",
			want:   rawAnswer{Status: http.StatusForbidden, Code: "MissingAuthenticationToken"},
		},
		"UnsignedEC2": {
			reason: "EC2 refuses a request without a signature.",
			body:   "Action=DescribeVpcs&Version=2016-11-15",
			want:   rawAnswer{Status: http.StatusUnauthorized, Code: "AuthFailure"},
		},
		"UnknownRDSAction": {
			reason:  "An action RDS does not have is InvalidAction.",
			service: "rds",
			body:    "Action=DescribeDBClusters&Version=2014-10-31",
			want:    rawAnswer{Status: http.StatusBadRequest, Code: "InvalidAction"},
		},
		"UnknownEC2Action": {
			reason:  "An action EC2 does not have (here) is InvalidAction.",
			service: "ec2",
			body:    "Action=CreateInternetGateway&Version=2016-11-15",
			want:    rawAnswer{Status: http.StatusBadRequest, Code: "InvalidAction"},
		},
		"OtherService": {
			reason:  "Only RDS and EC2 are served.",
			service: "s3",
			body:    "Action=ListBuckets",
			want:    rawAnswer{Status: http.StatusBadRequest, Code: "InvalidAction"},
		},
		"MalformedBody": {
			reason:  "A body that is not a form is refused, not a crash.",
			service: "ec2",
			body:    "Action=%zz",
			want:    rawAnswer{Status: http.StatusBadRequest, Code: "MalformedQueryString"},
		},
		"BadInteger": {
			reason:  "A parameter of the wrong type is a validation error.",
			service: "rds",
			body:    "Action=DescribeDBInstances&Version=2014-10-31&MaxRecords=many",
			want:    rawAnswer{Status: http.StatusBadRequest, Code: "InvalidParameterValue"},
		},
		"GarbageLists": {
			reason:  "Odd list indexes are ignored, not a crash.",
			service: "ec2",
			body:    "Action=DescribeInstances&Version=2016-11-15&InstanceId.0=x&InstanceId.-1=y&Filter.x.Name=z",
			want:    rawAnswer{Status: http.StatusOK},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, raw(t, f.url, tc.service, tc.body)); diff != "" {
				t.Errorf("%s\nanswer: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	ctx := testContext(t)
	// One attempt: the SDK's own retryer gives up at once.
	oneAttempt := func(o *rds.Options) { o.Retryer = retry.AddWithMaxAttempts(retry.NewStandard(), 1) }
	oneAttemptEC2 := func(o *ec2.Options) { o.Retryer = retry.AddWithMaxAttempts(retry.NewStandard(), 1) }
	cases := map[string]struct {
		api  string
		cfg  fault.Config
		call func() error
		want string
	}{
		"RDSThrottle": {
			api: apiRDS, cfg: fault.Config{Throttle: 1},
			call: func() error {
				_, err := f.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, oneAttempt)
				return err
			},
			want: "Throttling",
		},
		"RDSError": {
			api: apiRDS, cfg: fault.Config{Error: 1},
			call: func() error {
				_, err := f.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}, oneAttempt)
				return err
			},
			want: "InternalFailure",
		},
		"EC2Throttle": {
			api: apiEC2, cfg: fault.Config{Throttle: 1},
			call: func() error { _, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, oneAttemptEC2); return err },
			want: "RequestLimitExceeded",
		},
		"EC2Error": {
			api: apiEC2, cfg: fault.Config{Error: 1},
			call: func() error { _, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, oneAttemptEC2); return err },
			want: "InternalError",
		},
	}
	// The cases share the injector, so they run one after the other.
	for name, tc := range cases {
		if err := f.env.Faults.Set(tc.api, tc.cfg); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, code(tc.call())); diff != "" {
			t.Errorf("%s: error code: -want, +got:\n%s", name, diff)
		}
		f.env.Faults.Reset()
	}
	// The other API is untouched by one API's faults.
	if err := f.env.Faults.Set(apiRDS, fault.Config{Error: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Errorf("DescribeVpcs with RDS faults: %v", err)
	}
}

func TestRestart(t *testing.T) {
	t.Parallel()
	dir := pgtest.Dir(t)
	ctx := testContext(t)

	// The first local cloud: long enough delays that a modification and a
	// stop are still under way when it goes.
	env := cloudtest.NewEnv(t, dir, cloud.Delays{Create: 300 * time.Millisecond, Modify: 3 * time.Second, Delete: time.Second, Start: 200 * time.Millisecond, Stop: 3 * time.Second})
	svc, err := New(env, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	tickCtx, stopTicking := context.WithCancel(context.Background())
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		tk := time.NewTicker(cloud.TickInterval)
		defer tk.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case now := <-tk.C:
				svc.Tick(tickCtx, now)
			}
		}
	}()
	f := &fixture{env: env, svc: svc, url: srv.URL, rds: rds.NewFromConfig(sdkConfig(srv.URL, "test", "test")), ec2: ec2.NewFromConfig(sdkConfig(srv.URL, "test", "test"))}
	n := newSubnetGroup(t, ctx, f, "subnets")
	run, err := f.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: awssdk.String("ami-04681a1dbd79675a5"), MinCount: awssdk.Int32(1), MaxCount: awssdk.Int32(1), SubnetId: awssdk.String(n.subnetA)})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	vm := awssdk.ToString(run.Instances[0].InstanceId)
	ip := awssdk.ToString(run.Instances[0].PrivateIpAddress)
	if _, err := f.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: awssdk.String("kept"), Engine: awssdk.String("postgres"), DBInstanceClass: awssdk.String("db.t3.micro"),
		AllocatedStorage: awssdk.Int32(20), MasterUsername: awssdk.String("app"), MasterUserPassword: awssdk.String("first-password"),
		DBSubnetGroupName: awssdk.String("subnets"), DBName: awssdk.String("app"),
	}); err != nil {
		t.Fatalf("CreateDBInstance: %v", err)
	}
	dbStates(t, ctx, f.rds, "kept", "available")
	states(t, ctx, f.ec2, vm, ec2types.InstanceStateNameRunning)
	before := describeDB(t, ctx, f.rds, "kept").Endpoint
	if err := pgtest.Exec(ctx, awssdk.ToString(before.Address), int(awssdk.ToInt32(before.Port)), "app", "first-password", "app", "CREATE TABLE t AS SELECT 'kept'::text AS v"); err != nil {
		t.Fatalf("Exec(create table): %v", err)
	}
	if _, err := f.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String("kept"), MasterUserPassword: awssdk.String("second-password"), ApplyImmediately: awssdk.Bool(true)}); err != nil {
		t.Fatalf("ModifyDBInstance: %v", err)
	}
	if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{vm}}); err != nil {
		t.Fatalf("StopInstances: %v", err)
	}

	// The first local cloud goes away, mid-transition.
	stopTicking()
	<-ticked
	srv.Close()
	if err := env.PG.Close(); err != nil {
		t.Fatalf("PG.Close: %v", err)
	}

	g := newFixture(t, dir)
	if got := awssdk.ToString(describeDB(t, ctx, g.rds, "kept").DBInstanceStatus); got != "modifying" {
		t.Errorf("DB instance status after restart: want modifying, got %s", got)
	}
	if diff := cmp.Diff([]string{"stopping", "stopped"}, states(t, ctx, g.ec2, vm, ec2types.InstanceStateNameStopped)); diff != "" {
		t.Errorf("instance states after restart: -want, +got:\n%s", diff)
	}
	dbStates(t, ctx, g.rds, "kept", "available")
	after := describeDB(t, ctx, g.rds, "kept").Endpoint
	if diff := cmp.Diff(awssdk.ToString(before.Address)+":"+itoa(before.Port), awssdk.ToString(after.Address)+":"+itoa(after.Port)); diff != "" {
		t.Errorf("endpoint after restart: -want, +got:\n%s", diff)
	}
	if got, err := pgtest.Query(ctx, awssdk.ToString(after.Address), int(awssdk.ToInt32(after.Port)), "app", "second-password", "app", "SELECT v FROM t"); err != nil || got != "kept" {
		t.Errorf("Query(after restart, new password): want kept, got %q, %v", got, err)
	}
	in, err := g.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{vm}})
	if err != nil || awssdk.ToString(in.Reservations[0].Instances[0].PrivateIpAddress) != ip {
		t.Errorf("DescribeInstances(after restart): want private address %s kept, got %+v, %v", ip, in, err)
	}
	if _, err := g.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String("subnets")}); err != nil {
		t.Errorf("DescribeDBSubnetGroups(after restart): %v", err)
	}
	if _, err := g.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{n.subnetA, n.subnetB}}); err != nil {
		t.Errorf("DescribeSubnets(after restart): %v", err)
	}

	// Reset removes everything, servers included.
	if err := g.svc.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if s := g.env.PG.Servers(); len(s) != 0 {
		t.Errorf("PG.Servers() after Reset: want none, got %+v", s)
	}
	if _, err := g.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{vm}}); code(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("DescribeInstances(after Reset): want InvalidInstanceID.NotFound, got %v", err)
	}
	if _, err := g.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("kept")}); code(err) != "DBInstanceNotFound" {
		t.Errorf("DescribeDBInstances(after Reset): want DBInstanceNotFound, got %v", err)
	}
}

func TestBadInputNeverFailsTheServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	// Odd inputs for every action: nothing, empty values, wrong types,
	// malformed IDs and lists. Each must get a client error (or succeed),
	// never a server error, which is what a panic turns into.
	inputs := []string{
		"",
		"DBInstanceIdentifier=&DBSubnetGroupName=&ResourceName=&VpcId=&SubnetId=&GroupId=&InstanceId=&ImageId=",
		"DBInstanceIdentifier=x&AllocatedStorage=big&Port=-1&MaxRecords=0&MultiAZ=maybe&Engine=postgres&DBInstanceClass=db.t3.micro&MasterUsername=a&MasterUserPassword=12345678",
		"ResourceName=arn:aws:rds:us-east-1:000000000000:db&ResourceName=arn&Tags.Tag.1.Key=&TagKeys.member.1=",
		"VpcId=vpc-1&CidrBlock=300.0.0.0/16&SubnetId=subnet-zz&InstanceId.1=i-zz&InstanceId=i-zz&Attribute=&Value=",
		"GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=x&IpPermissions.1.IpRanges.1.CidrIp=nope&IpPermissions.1.Groups.1.GroupId=",
		"ImageId=ami-04681a1dbd79675a5&MinCount=5&MaxCount=1&NetworkInterface.1.SubnetId=&Placement.AvailabilityZone=mars-1a&UserData=!!!",
		"Filter.1.Name=tag:&Filter.1.Value.1=[&Filter.2.Name=&MaxResults=4&NextToken=zzz&ResourceId.1=&Tag.1.Key=aws:x",
		"SubnetIds.SubnetIdentifier.1=&DBSubnetGroupDescription=&SubnetIds.SubnetIdentifier.2=subnet-0",
	}
	for name := range f.svc.rdsActions {
		for i, in := range inputs {
			if got := raw(t, f.url, "rds", "Action="+name+"&Version=2014-10-31&"+in); got.Status >= 500 {
				t.Errorf("%s with input %d: want a client error, got %+v", name, i, got)
			}
		}
	}
	for name := range f.svc.ec2Actions {
		for i, in := range inputs {
			if got := raw(t, f.url, "ec2", "Action="+name+"&Version=2016-11-15&"+in); got.Status >= 500 {
				t.Errorf("%s with input %d: want a client error, got %+v", name, i, got)
			}
		}
	}
}
