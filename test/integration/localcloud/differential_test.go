// Package localcloud_test compares the local cloud with other emulators
// and with what real clouds do.
package localcloud_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/aws"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
	"github.com/stratus-dev/stratus/test/harness"
)

// An awsDifference is a known, accepted way in which the local cloud and
// moto answer the same calls differently. It names the trace entries it
// covers and exactly what each side observes there; the test checks both
// and compares everything else. A difference whose entries change (moto
// fixed, the local cloud changed) fails the test until the list is
// updated.
type awsDifference struct {
	// why says what differs and why that is accepted.
	why string
	// entries maps trace entries to what the local cloud and moto observe.
	entries map[string]awsSides
}

// awsSides are the local cloud's and moto's observations of one entry.
type awsSides struct {
	local, moto string
}

// awsDifferences is the list of known differences between the local cloud
// and moto. The local cloud follows AWS in each of them; the reason says
// what AWS does, and where moto's answer is moto's limit.
var awsDifferences = []awsDifference{
	{
		why: "moto ignores RunInstances' ClientToken and launches a second instance; AWS answers a repeated token with the instances " +
			"the first call launched, and so does the local cloud. moto's second instance also shows in DescribeTags.",
		entries: map[string]awsSides{
			"ec2.RunInstances(same token).sameInstance": {local: "true", moto: "false"},
			"ec2.DescribeTags(vm-1).types":              {local: "instance,volume", moto: "instance,instance,volume,volume"},
		},
	},
	{
		why:     "AWS changes an instance's type only while it is stopped (IncorrectInstanceState otherwise); moto changes it in any state.",
		entries: map[string]awsSides{"ec2.ModifyInstanceAttribute(running)": {local: "IncorrectInstanceState", moto: "ok"}},
	},
	{
		why:     "AWS cannot start a terminated instance (IncorrectInstanceState); moto accepts the call.",
		entries: map[string]awsSides{"ec2.StartInstances(terminated)": {local: "IncorrectInstanceState", moto: "ok"}},
	},
	{
		why: "AWS refuses to delete a subnet an instance's network interface is in, and a security group an instance uses " +
			"(DependencyViolation); moto deletes both.",
		entries: map[string]awsSides{
			"ec2.DeleteSubnet(with instance)": {local: "DependencyViolation", moto: "ok"},
			"ec2.DeleteSecurityGroup(in use)": {local: "DependencyViolation", moto: "ok"},
		},
	},
	{
		why: "moto launches instances of any image ID unless configured to check them; AWS answers InvalidAMIID.NotFound, and the " +
			"local cloud serves a fixed catalog of images.",
		entries: map[string]awsSides{"probe.RunInstances(unknown image)": {local: "InvalidAMIID.NotFound", moto: "ok"}},
	},
	{
		why: "moto makes DB instances of any engine; the local cloud runs PostgreSQL only and refuses others with the validation " +
			"error AWS uses for engines it cannot run. This one is the local cloud's own limit: AWS runs MySQL.",
		entries: map[string]awsSides{"probe.CreateDBInstance(mysql)": {local: "InvalidParameterValue", moto: "ok"}},
	},
	{
		why:     "AWS refuses master passwords shorter than 8 characters (InvalidParameterValue); moto does not check them.",
		entries: map[string]awsSides{"probe.CreateDBInstance(short password)": {local: "InvalidParameterValue", moto: "ok"}},
	},
	{
		why: "AWS refuses to delete a DB instance unless SkipFinalSnapshot is true or a FinalDBSnapshotIdentifier is given " +
			"(InvalidParameterCombination); moto deletes it.",
		entries: map[string]awsSides{"probe.DeleteDBInstance(no snapshot choice)": {local: "InvalidParameterCombination", moto: "ok"}},
	},
	{
		why: "moto answers RDS's CreateDBSubnetGroup with an unknown subnet in EC2's terms (InvalidSubnetID.NotFound); RDS's own " +
			"fault, which the SDK types as InvalidSubnet, is what AWS answers.",
		entries: map[string]awsSides{"probe.CreateDBSubnetGroup(missing subnet)": {local: "InvalidSubnet", moto: "InvalidSubnetID.NotFound"}},
	},
	{
		why: "AWS refuses a second DB subnet group of the same name (DBSubnetGroupAlreadyExists) and one covering fewer than two " +
			"availability zones (DBSubnetGroupDoesNotCoverEnoughAZs); moto accepts both.",
		entries: map[string]awsSides{
			"rds.CreateDBSubnetGroup(duplicate)": {local: "DBSubnetGroupAlreadyExists", moto: "ok"},
			"rds.CreateDBSubnetGroup(one zone)":  {local: "DBSubnetGroupDoesNotCoverEnoughAZs", moto: "ok"},
		},
	},
	{
		why: "AWS refuses to delete a DB subnet group a DB instance uses (InvalidDBSubnetGroupStateFault); moto deletes it, so " +
			"its later delete, once the instance is gone, finds no group.",
		entries: map[string]awsSides{
			"rds.DeleteDBSubnetGroup(in use)": {local: "InvalidDBSubnetGroupStateFault", moto: "ok"},
			"rds.DeleteDBSubnetGroup":         {local: "ok", moto: "DBSubnetGroupNotFoundFault"},
		},
	},
	{
		why: "moto creates and modifies DB instances at once, answering CreateDBInstance and ModifyDBInstance with an available " +
			"instance; AWS (and the local cloud, which also waits for the PostgreSQL server) reports creating or modifying first.",
		entries: map[string]awsSides{
			"rds.statuses.create": {local: "creating>available", moto: "available"},
			"rds.statuses.modify": {local: "modifying>available", moto: "available"},
		},
	},
}

func TestDifferentialAWS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	moto, err := harness.StartMoto(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("cannot start moto: %v", err)
	}
	t.Cleanup(func() { _ = moto.Stop() })

	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	svc, err := aws.New(env, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	local := cloudtest.Serve(t, svc)

	// Both run at once; each is a client of its own endpoint.
	type result struct {
		name string
		err  error
	}
	traces := map[string]*awsTrace{}
	results := make(chan result, 2)
	for name, endpoint := range map[string]string{"local": local.URL, "moto": moto.Endpoint} {
		sc := newAWSScenario(endpoint)
		traces[name] = sc.trace
		go func() { results <- result{name: name, err: sc.run(ctx)} }()
	}
	for range 2 {
		// Both must get through the whole scenario, whatever they
		// answer on the way.
		if r := <-results; r.err != nil {
			t.Errorf("%s: %v", r.name, r.err)
		}
	}

	got, want := traces["local"].entries, traces["moto"].entries
	for _, d := range awsDifferences {
		for k, sides := range d.entries {
			if seen := (awsSides{local: got[k], moto: want[k]}); seen != sides {
				t.Errorf("known difference %q has changed: want local %q and moto %q, got local %q and moto %q; update the list.\n%s",
					k, sides.local, sides.moto, seen.local, seen.moto, d.why)
			}
			delete(got, k)
			delete(want, k)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the local cloud (+) and moto (-) differ beyond the known differences:\n%s", diff)
	}
	if t.Failed() {
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.Logf("local %s = %s", k, got[k])
		}
	}
}
