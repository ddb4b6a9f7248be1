package azure

import (
	"strings"
	"testing"
	"time"
)

// TestUpToDateResourcesWriteNothing checks the rule that resources in sync
// with Azure cost only reads: with a one-second poll, several reconciles of
// a Ready resource group, network, subnet and network interface make no
// mutating Resource Manager call and no API server write.
func TestUpToDateResourcesWriteNothing(t *testing.T) {
	f := setUp(t)
	rg := f.readyResourceGroup(t, f.name("rg"))
	vnet := f.newVirtualNetwork(f.name("vnet"), rg.Name, "10.30.0.0/16")
	vnet.Spec.ForProvider.Tags = map[string]string{"team": "platform"}
	sn := f.newSubnet(f.name("subnet"), vnet.Name, "10.30.1.0/24")
	nic := f.newNetworkInterface(f.name("nic"), rg.Name, sn.Name)
	f.create(t, vnet)
	f.create(t, sn)
	f.create(t, nic)
	f.ready(t, vnet)
	f.ready(t, sn)
	f.ready(t, nic)
	f.quiet(t)

	calls, w := f.Calls.Snapshot(), writes.Snapshot()
	if n := f.Calls.Count("PUT", "/virtualnetworks/"+vnet.Name); n == 0 || len(w) == 0 {
		t.Fatalf("the counters missed the create (%d PUTs, API writes %v): they do not count", n, w)
	}
	time.Sleep(6 * pollInterval)
	reads := 0
	for k, n := range f.Calls.Snapshot() {
		if strings.HasPrefix(k, "GET ") && strings.Contains(k, "/networkinterfaces/"+strings.ToLower(nic.Name)) {
			reads += n - calls[k]
		}
	}
	if reads == 0 {
		t.Fatalf("no read of the network interface in 6 poll intervals: it was not reconciled, so the test proves nothing")
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating calls while nothing changed: %v", got)
	}
	if got := writes.Since(w, f.id); len(got) != 0 {
		t.Errorf("API server writes while nothing changed: %v", got)
	}
}
