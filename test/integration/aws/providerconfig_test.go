package aws

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
)

// TestProviderConfigInUseIsKept checks usage tracking: a ProviderConfig
// that a managed resource uses survives its deletion until the resource is
// gone, and then goes.
func TestProviderConfigInUseIsKept(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := &ec2v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-vpc"},
		Spec: ec2v1beta1.VPCSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider:                ec2v1beta1.VPCParameters{CIDRBlock: aws.String("10.40.0.0/16")},
		},
	}
	f.create(t, vpc)
	f.ready(t, vpc)

	pc := &v1beta1.ProviderConfig{}
	f.env.WaitFor(t, &v1beta1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig}}, timeout, func(o client.Object) (bool, string) {
		pc = o.(*v1beta1.ProviderConfig)
		if pc.Status.Users != 1 {
			return false, fmt.Sprintf("status.users is %d, want 1", pc.Status.Users)
		}
		return true, ""
	})
	usage := &v1beta1.ProviderConfigUsage{}
	if err := f.env.Client.Get(ctx, client.ObjectKey{Name: string(vpc.GetUID())}, usage); err != nil {
		t.Fatalf("no ProviderConfigUsage for the VPC: %v", err)
	}

	if err := f.env.Client.Delete(ctx, pc); err != nil {
		t.Fatal(err)
	}
	// Give the ProviderConfig controller time to act on the deletion.
	time.Sleep(2 * time.Second)
	if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(pc), pc); err != nil {
		t.Fatalf("the ProviderConfig in use was deleted: %v", err)
	}

	f.deleteAndWait(t, vpc)
	f.env.WaitForGone(t, usage, timeout)
	f.env.WaitForGone(t, pc, timeout)
}
