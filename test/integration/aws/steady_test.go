package aws

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// TestUpToDateResourcesWriteNothing checks the rule that a resource in sync
// with AWS costs only reads: with a two-second poll, several reconciles of
// a Ready resource make no mutating AWS call and no API server write.
func TestUpToDateResourcesWriteNothing(t *testing.T) {
	f := setUp(t)
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-vpc"},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.VPCParameters{
				CIDRBlock:          aws.String("10.30.0.0/16"),
				EnableDNSHostnames: aws.Bool(true),
				Tags:               map[string]string{"team": "platform"},
			},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)
	// Let the last writes of the create settle.
	time.Sleep(3 * time.Second)

	calls, writes := f.Calls.Snapshot(), f.Writes.Snapshot()
	if calls["CreateVpc"] == 0 || len(writes) == 0 {
		t.Fatalf("the counters missed the create (AWS calls %v, API writes %v): they do not count", calls, writes)
	}
	time.Sleep(7 * time.Second)
	if got := f.Calls.Snapshot(); got["DescribeVpcs"] <= calls["DescribeVpcs"] {
		t.Fatalf("no DescribeVpcs in 7 s with a 2 s poll: the resource was not reconciled, so the test proves nothing")
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating AWS calls while nothing changed: %v", got)
	}
	if got := f.Writes.Since(writes); len(got) != 0 {
		t.Errorf("API server writes while nothing changed: %v", got)
	}
}
