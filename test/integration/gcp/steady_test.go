package gcp

import (
	"testing"
	"time"
)

// TestUpToDateResourcesWriteNothing checks the rule that resources in sync
// with Google Cloud cost only reads: with a two-second poll, several
// reconciles of a Ready network, subnetwork and instance make no mutating
// call and no API server write.
func TestUpToDateResourcesWriteNothing(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	net := f.newNetwork(f.ns + "-net")
	f.create(t, net)
	sub := f.newSubnetwork(f.ns+"-sub", net.Name, "10.40.0.0/24")
	sub.Spec.ForProvider.SecondaryIPRanges = nil
	f.create(t, sub)
	vm := f.newInstance(f.ns+"-vm", net.Name, sub.Name)
	vm.Spec.ForProvider.Labels = map[string]string{"team": "platform"}
	vm.Spec.ForProvider.Metadata = map[string]string{"startup-script": "echo hello"}
	vm.Spec.ForProvider.Tags = []string{"web"}
	f.create(t, vm)
	f.ready(t, net)
	f.ready(t, sub)
	f.ready(t, vm)
	// Let the last writes of the create settle.
	time.Sleep(3 * time.Second)

	names := []string{net.Name, sub.Name, vm.Name}
	calls, before := f.Calls.Snapshot(), writesTo(names...)
	if calls["POST /compute/v1/projects/"+project+"/zones/"+zone+"/instances"] == 0 || len(before) == 0 {
		t.Fatalf("the counters missed the create (calls %v, API writes %v): they do not count", calls, before)
	}
	reads := f.Calls.Reads()
	time.Sleep(7 * time.Second)
	if f.Calls.Reads() < reads+6 {
		t.Fatalf("%d reads in 7 s with a 2 s poll of three resources: they were not reconciled, so the test proves nothing", f.Calls.Reads()-reads)
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating calls while nothing changed: %v", got)
	}
	if got := writesSince(before, names...); len(got) != 0 {
		t.Errorf("API server writes while nothing changed: %v", got)
	}
}
