package gcp

import (
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/iterator"

	"github.com/stratus-dev/stratus/internal/localcloud/fault"
)

// TestThrottlingBacksOff runs against a local cloud that throttles (HTTP
// 429) a tenth of Compute Engine calls: every throttled reconcile fails,
// backs off and tries again, and the network and subnetwork converge, one
// of each.
func TestThrottlingBacksOff(t *testing.T) {
	t.Parallel()
	f := setUpWith(t, map[string]fault.Config{"compute": {Throttle: 0.1}})
	net := f.newNetwork(f.ns + "-net")
	f.create(t, net)
	sub := f.newSubnetwork(f.ns+"-sub", net.Name, "10.50.0.0/24")
	f.create(t, sub)
	f.ready(t, net)
	f.ready(t, sub)

	n := 0
	it := f.Networks(t).List(context.Background(), &computepb.ListNetworksRequest{Project: project})
	for {
		_, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			// The test's own reads are throttled too; the list is
			// retried.
			it = f.Networks(t).List(context.Background(), &computepb.ListNetworksRequest{Project: project})
			n = 0
			continue
		}
		n++
	}
	if n != 1 {
		t.Errorf("networks in the local cloud = %d, want 1", n)
	}
}
