package gcp

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/iterator"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
)

const (
	testZone   = "us-central1-a"
	testRegion = "us-central1"
)

func newVM(name, subnetwork string) *computepb.Instance {
	return &computepb.Instance{
		Name:        new(name),
		MachineType: new("zones/" + testZone + "/machineTypes/e2-medium"),
		Disks: []*computepb.AttachedDisk{{
			Boot:             new(true),
			InitializeParams: &computepb.AttachedDiskInitializeParams{SourceImage: new("projects/debian-cloud/global/images/family/debian-12")},
		}},
		NetworkInterfaces: []*computepb.NetworkInterface{{
			Subnetwork:    new(subnetwork),
			AccessConfigs: []*computepb.AccessConfig{{Type: new("ONE_TO_ONE_NAT")}},
		}},
		Labels: map[string]string{"env": "test"},
	}
}

// waitOp returns a function that fails the test on a call's error and
// polls its operation with the client's Operation.Poll until it is done.
// (Operation.Wait does the same with a backoff that starts at a second;
// the tests call it where they show it works, and poll faster elsewhere.)
func waitOp(t *testing.T) func(*compute.Operation, error) {
	return func(op *compute.Operation, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for !op.Done() {
			if err := op.Poll(ctx); err != nil {
				t.Fatalf("Poll(%s): %v", op.Name(), err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// waitLikeAClient waits for an operation with Operation.Wait.
func waitLikeAClient(t *testing.T, op *compute.Operation) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := op.Wait(ctx); err != nil {
		t.Fatalf("Wait(%s): %v", op.Name(), err)
	}
	if !op.Done() || op.Proto().GetStatus() != computepb.Operation_DONE || op.Proto().GetProgress() != 100 || op.Proto().GetEndTime() == "" {
		t.Errorf("operation after Wait: %v", op.Proto())
	}
}

func instanceNames(t *testing.T, it *compute.InstanceIterator) []string {
	t.Helper()
	var out []string
	for {
		in, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in.GetName())
	}
}

// TestComputeNetworks covers networks and subnetworks.
func TestComputeNetworks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	_, srv := serve(t, env, Options{})
	c := newComputeClients(t, srv.URL)

	op, err := c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject, RequestId: new("7b3c1a52-1111-4c3e-9a8f-2d4f6f0b9c01"),
		NetworkResource: &computepb.Network{Name: new("vpc"), AutoCreateSubnetworks: new(false)}})
	if err != nil {
		t.Fatal(err)
	}
	waitLikeAClient(t, op)
	again, err := c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject, RequestId: new("7b3c1a52-1111-4c3e-9a8f-2d4f6f0b9c01"),
		NetworkResource: &computepb.Network{Name: new("vpc"), AutoCreateSubnetworks: new(false)}})
	if err != nil || again.Name() != op.Name() {
		t.Errorf("Insert retried with the same requestId: want operation %s, got %v, %v", op.Name(), again, err)
	}
	_, err = c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject,
		NetworkResource: &computepb.Network{Name: new("vpc"), AutoCreateSubnetworks: new(false)}})
	wantErr(t, "Insert of an existing network", err, apiErr{Code: http.StatusConflict, Reason: "alreadyExists"})
	_, err = c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject, NetworkResource: &computepb.Network{Name: new("legacy")}})
	wantErr(t, "Insert of a legacy network", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})
	_, err = c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject, NetworkResource: &computepb.Network{Name: new("Bad"), AutoCreateSubnetworks: new(true)}})
	wantErr(t, "Insert with a bad name", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	net, err := c.networks.Get(ctx, &computepb.GetNetworkRequest{Project: testProject, Network: "vpc"})
	if err != nil {
		t.Fatal(err)
	}
	if net.GetAutoCreateSubnetworks() || net.GetMtu() != 1460 || net.GetRoutingConfig().GetRoutingMode() != "REGIONAL" || net.GetSelfLink() != networkURL(testProject, "vpc") || net.GetId() == 0 {
		t.Errorf("Networks.Get: %v", net)
	}
	waitOp(t)(c.networks.Patch(ctx, &computepb.PatchNetworkRequest{Project: testProject, Network: "vpc",
		NetworkResource: &computepb.Network{RoutingConfig: &computepb.NetworkRoutingConfig{RoutingMode: new("GLOBAL")}}}))
	if net, _ = c.networks.Get(ctx, &computepb.GetNetworkRequest{Project: testProject, Network: "vpc"}); net.GetRoutingConfig().GetRoutingMode() != "GLOBAL" {
		t.Errorf("routing mode after patch: %v", net.GetRoutingConfig())
	}
	_, err = c.networks.Patch(ctx, &computepb.PatchNetworkRequest{Project: testProject, Network: "vpc", NetworkResource: &computepb.Network{AutoCreateSubnetworks: new(true)}})
	wantErr(t, "Patch switching to auto mode", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	subnet := func(name, cidr string) *computepb.InsertSubnetworkRequest {
		return &computepb.InsertSubnetworkRequest{Project: testProject, Region: testRegion, SubnetworkResource: &computepb.Subnetwork{
			Name: new(name), Network: new("global/networks/vpc"), IpCidrRange: new(cidr),
		}}
	}
	waitOp(t)(c.subnets.Insert(ctx, subnet("apps", "10.10.0.0/24")))
	for name, tc := range map[string]struct {
		req  *computepb.InsertSubnetworkRequest
		want apiErr
	}{
		"Overlap":   {req: subnet("other", "10.10.0.128/25"), want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"}},
		"Public":    {req: subnet("other", "8.8.8.0/24"), want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"}},
		"HostBits":  {req: subnet("other", "10.20.0.1/24"), want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"}},
		"Exists":    {req: subnet("apps", "10.30.0.0/24"), want: apiErr{Code: http.StatusConflict, Reason: "alreadyExists"}},
		"NoNetwork": {req: &computepb.InsertSubnetworkRequest{Project: testProject, Region: testRegion, SubnetworkResource: &computepb.Subnetwork{Name: new("x"), Network: new("global/networks/none"), IpCidrRange: new("10.40.0.0/24")}}, want: apiErr{Code: http.StatusNotFound, Reason: "notFound"}},
	} {
		t.Run("SubnetworkInsertRefuses"+name, func(t *testing.T) {
			_, err := c.subnets.Insert(ctx, tc.req)
			wantErr(t, "Subnetworks.Insert", err, tc.want)
		})
	}
	sub, err := c.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.GetGatewayAddress() != "10.10.0.1" || sub.GetNetwork() != networkURL(testProject, "vpc") || sub.GetFingerprint() == "" || sub.GetRegion() != regionURL(testProject, testRegion) {
		t.Errorf("Subnetworks.Get: %v", sub)
	}
	if net, _ = c.networks.Get(ctx, &computepb.GetNetworkRequest{Project: testProject, Network: "vpc"}); !cmp.Equal([]string{sub.GetSelfLink()}, net.GetSubnetworks()) {
		t.Errorf("network's subnetworks: %v", net.GetSubnetworks())
	}

	// Patch needs the current fingerprint.
	_, err = c.subnets.Patch(ctx, &computepb.PatchSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps",
		SubnetworkResource: &computepb.Subnetwork{Fingerprint: new("c3RhbGU="), PrivateIpGoogleAccess: new(true)}})
	wantErr(t, "Subnetworks.Patch with a stale fingerprint", err, apiErr{Code: http.StatusPreconditionFailed, Reason: "conditionNotMet"})
	waitOp(t)(c.subnets.Patch(ctx, &computepb.PatchSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps",
		SubnetworkResource: &computepb.Subnetwork{Fingerprint: sub.Fingerprint, PrivateIpGoogleAccess: new(true), IpCidrRange: new("10.10.0.0/23")}}))
	patched, _ := c.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps"})
	if !patched.GetPrivateIpGoogleAccess() || patched.GetIpCidrRange() != "10.10.0.0/23" || patched.GetFingerprint() == sub.GetFingerprint() {
		t.Errorf("patched subnetwork: %v", patched)
	}
	_, err = c.subnets.Patch(ctx, &computepb.PatchSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps",
		SubnetworkResource: &computepb.Subnetwork{Fingerprint: patched.Fingerprint, IpCidrRange: new("10.10.0.0/24")}})
	wantErr(t, "Subnetworks.Patch shrinking the range", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	// A network with subnetworks cannot go; its subnetworks can.
	_, err = c.networks.Delete(ctx, &computepb.DeleteNetworkRequest{Project: testProject, Network: "vpc"})
	wantErr(t, "Networks.Delete with a subnetwork", err, apiErr{Code: http.StatusBadRequest, Reason: "resourceInUseByAnotherResource"})
	waitOp(t)(c.subnets.Delete(ctx, &computepb.DeleteSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps"}))
	_, err = c.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps"})
	wantErr(t, "Subnetworks.Get after delete", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})

	// Auto mode: one subnetwork per region with Google's ranges.
	waitOp(t)(c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject,
		NetworkResource: &computepb.Network{Name: new("auto"), AutoCreateSubnetworks: new(true)}}))
	autoSub, err := c.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "auto"})
	if err != nil || autoSub.GetIpCidrRange() != "10.128.0.0/20" {
		t.Errorf("auto subnetwork in %s: %v, %v", testRegion, autoSub, err)
	}
	it := c.subnets.List(ctx, &computepb.ListSubnetworksRequest{Project: testProject, Region: "europe-west1"})
	if s, err := it.Next(); err != nil || s.GetIpCidrRange() != "10.132.0.0/20" {
		t.Errorf("auto subnetwork in europe-west1: %v, %v", s, err)
	}
	_, err = c.subnets.Delete(ctx, &computepb.DeleteSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "auto"})
	wantErr(t, "Subnetworks.Delete of an auto subnetwork", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	var names []string
	nit := c.networks.List(ctx, &computepb.ListNetworksRequest{Project: testProject, MaxResults: new(uint32(1))})
	for {
		n, err := nit.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n.GetName())
	}
	if diff := cmp.Diff([]string{"auto", "vpc"}, names); diff != "" {
		t.Errorf("Networks.List(...) paged one at a time: -want, +got:\n%s", diff)
	}

	waitOp(t)(c.networks.Delete(ctx, &computepb.DeleteNetworkRequest{Project: testProject, Network: "auto"}))
	_, err = c.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "auto"})
	wantErr(t, "auto subnetwork after its network's delete", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})
	waitOp(t)(c.networks.Delete(ctx, &computepb.DeleteNetworkRequest{Project: testProject, Network: "vpc"}))
	_, err = c.networks.Get(ctx, &computepb.GetNetworkRequest{Project: testProject, Network: "vpc"})
	wantErr(t, "Networks.Get after delete", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})

	// Global and regional operations.
	var gops []string
	git := c.globalOps.List(ctx, &computepb.ListGlobalOperationsRequest{Project: testProject, Filter: new(`operationType = "delete"`)})
	for {
		o, err := git.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		gops = append(gops, o.GetOperationType()+" "+lastSegment(o.GetTargetLink()))
	}
	if diff := cmp.Diff([]string{"delete auto", "delete vpc"}, gops); diff != "" {
		t.Errorf("GlobalOperations.List(filtered): -want, +got:\n%s", diff)
	}
	rit := c.regionOps.List(ctx, &computepb.ListRegionOperationsRequest{Project: testProject, Region: testRegion})
	rop, err := rit.Next()
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.regionOps.Wait(ctx, &computepb.WaitRegionOperationRequest{Project: testProject, Region: testRegion, Operation: rop.GetName()})
	if err != nil || got.GetStatus() != computepb.Operation_DONE || got.GetRegion() != regionURL(testProject, testRegion) {
		t.Errorf("RegionOperations.Wait: %v, %v", got, err)
	}
	if _, err := c.globalOps.Delete(ctx, &computepb.DeleteGlobalOperationRequest{Project: testProject, Operation: op.Name()}); err != nil {
		t.Errorf("GlobalOperations.Delete: %v", err)
	}
	_, err = c.globalOps.Get(ctx, &computepb.GetGlobalOperationRequest{Project: testProject, Operation: op.Name()})
	wantErr(t, "GlobalOperations.Get after delete", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})
	if _, err := c.regionOps.Delete(ctx, &computepb.DeleteRegionOperationRequest{Project: testProject, Region: testRegion, Operation: rop.GetName()}); err != nil {
		t.Errorf("RegionOperations.Delete: %v", err)
	}
}

// TestComputeInstances covers instances through their lifecycle.
func TestComputeInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	_, srv := serve(t, env, Options{})
	c := newComputeClients(t, srv.URL)

	waitOp(t)(c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject,
		NetworkResource: &computepb.Network{Name: new("vpc"), AutoCreateSubnetworks: new(false)}}))
	waitOp(t)(c.subnets.Insert(ctx, &computepb.InsertSubnetworkRequest{Project: testProject, Region: testRegion, SubnetworkResource: &computepb.Subnetwork{
		Name: new("apps"), Network: new("global/networks/vpc"), IpCidrRange: new("10.10.0.0/24"),
	}}))
	subnet := "regions/" + testRegion + "/subnetworks/apps"

	op, err := c.instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: testProject, Zone: testZone, InstanceResource: newVM("vm-1", subnet)})
	if err != nil {
		t.Fatal(err)
	}
	if op.Done() || op.Proto().GetOperationType() != "insert" || op.Proto().GetZone() != zoneURL(testProject, testZone) {
		t.Errorf("insert operation: %v", op.Proto())
	}
	in, err := c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"})
	if err != nil {
		t.Fatal(err)
	}
	if in.GetStatus() != statusProvisioning {
		t.Errorf("status right after insert: want %s, got %s", statusProvisioning, in.GetStatus())
	}
	waitStatus(t, c, "vm-1", statusStaging)
	waitLikeAClient(t, op)
	in = waitStatus(t, c, "vm-1", statusRunning)
	nic := in.GetNetworkInterfaces()[0]
	if ip, err := netip.ParseAddr(nic.GetNetworkIP()); err != nil || !netip.MustParsePrefix("10.10.0.0/24").Contains(ip) {
		t.Errorf("networkIP %q is not in the subnetwork's range", nic.GetNetworkIP())
	}
	nat := nic.GetAccessConfigs()[0].GetNatIP()
	if ip, err := netip.ParseAddr(nat); err != nil || !netip.MustParsePrefix(cloud.PublicRange).Contains(ip) {
		t.Errorf("natIP %q is not in %s", nat, cloud.PublicRange)
	}
	want := map[string]string{
		"machineType": zoneURL(testProject, testZone) + "/machineTypes/e2-medium",
		"selfLink":    instanceURL(testProject, testZone, "vm-1"),
		"network":     networkURL(testProject, "vpc"),
		"subnetwork":  subnetworkURL(testProject, testRegion, "apps"),
		"disk":        zoneURL(testProject, testZone) + "/disks/vm-1",
		"nic":         "nic0",
	}
	got := map[string]string{
		"machineType": in.GetMachineType(),
		"selfLink":    in.GetSelfLink(),
		"network":     nic.GetNetwork(),
		"subnetwork":  nic.GetSubnetwork(),
		"disk":        in.GetDisks()[0].GetSource(),
		"nic":         nic.GetName(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Instances.Get(...): -want, +got:\n%s", diff)
	}
	if in.GetId() == 0 || in.GetLabelFingerprint() == "" || in.GetLastStartTimestamp() == "" || !in.GetDisks()[0].GetBoot() || in.GetDisks()[0].GetDiskSizeGb() != 10 {
		t.Errorf("instance: %v", in)
	}

	for name, tc := range map[string]struct {
		in   *computepb.Instance
		want apiErr
	}{
		"Exists":         {in: newVM("vm-1", subnet), want: apiErr{Code: http.StatusConflict, Reason: "alreadyExists"}},
		"UnknownImage":   {in: withImage(newVM("vm-x", subnet), "projects/debian-cloud/global/images/family/debian-99"), want: apiErr{Code: http.StatusNotFound, Reason: "notFound"}},
		"MalformedImage": {in: withImage(newVM("vm-x", subnet), "debian-12"), want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"}},
		"MachineType":    {in: withMachineType(newVM("vm-x", subnet), "zones/"+testZone+"/machineTypes/e2-huge"), want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"}},
		"CustomNoSubnet": {in: withNetwork(newVM("vm-x", ""), "global/networks/vpc"), want: apiErr{Code: http.StatusBadRequest, Reason: "invalid"}},
		"NoNetwork":      {in: withNetwork(newVM("vm-x", ""), "global/networks/none"), want: apiErr{Code: http.StatusNotFound, Reason: "notFound"}},
	} {
		t.Run("InsertRefuses"+name, func(t *testing.T) {
			_, err := c.instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: testProject, Zone: testZone, InstanceResource: tc.in})
			wantErr(t, "Instances.Insert", err, tc.want)
		})
	}
	_, err = c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "nope"})
	wantErr(t, "Get of a missing instance", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})
	_, err = c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: "us-central1-z", Instance: "vm-1"})
	wantErr(t, "Get in an unknown zone", err, apiErr{Code: http.StatusBadRequest, Reason: "invalid"})

	// Labels, metadata and tags change only with the current fingerprint.
	_, err = c.instances.SetLabels(ctx, &computepb.SetLabelsInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		InstancesSetLabelsRequestResource: &computepb.InstancesSetLabelsRequest{Labels: map[string]string{"env": "prod"}, LabelFingerprint: new(emptyFingerprint)}})
	wantErr(t, "SetLabels with a stale fingerprint", err, apiErr{Code: http.StatusPreconditionFailed, Reason: "conditionNotMet"})
	waitOp(t)(c.instances.SetLabels(ctx, &computepb.SetLabelsInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		InstancesSetLabelsRequestResource: &computepb.InstancesSetLabelsRequest{Labels: map[string]string{"env": "prod"}, LabelFingerprint: in.LabelFingerprint}}))
	_, err = c.instances.SetLabels(ctx, &computepb.SetLabelsInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		InstancesSetLabelsRequestResource: &computepb.InstancesSetLabelsRequest{Labels: map[string]string{"env": "dev"}, LabelFingerprint: in.LabelFingerprint}})
	wantErr(t, "SetLabels with the fingerprint before the last change", err, apiErr{Code: http.StatusPreconditionFailed, Reason: "conditionNotMet"})
	after, _ := c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"})
	if after.GetLabels()["env"] != "prod" || after.GetLabelFingerprint() == in.GetLabelFingerprint() {
		t.Errorf("labels after SetLabels: %v (fingerprint %s, was %s)", after.GetLabels(), after.GetLabelFingerprint(), in.GetLabelFingerprint())
	}
	_, err = c.instances.SetMetadata(ctx, &computepb.SetMetadataInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		MetadataResource: &computepb.Metadata{Fingerprint: new("c3RhbGU="), Items: []*computepb.Items{{Key: new("k"), Value: new("v")}}}})
	wantErr(t, "SetMetadata with a stale fingerprint", err, apiErr{Code: http.StatusPreconditionFailed, Reason: "conditionNotMet"})
	waitOp(t)(c.instances.SetMetadata(ctx, &computepb.SetMetadataInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		MetadataResource: &computepb.Metadata{Fingerprint: after.GetMetadata().Fingerprint, Items: []*computepb.Items{{Key: new("startup-script"), Value: new("echo hi")}}}}))
	_, err = c.instances.SetTags(ctx, &computepb.SetTagsInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		TagsResource: &computepb.Tags{Fingerprint: new("c3RhbGU="), Items: []string{"web"}}})
	wantErr(t, "SetTags with a stale fingerprint", err, apiErr{Code: http.StatusPreconditionFailed, Reason: "conditionNotMet"})
	waitOp(t)(c.instances.SetTags(ctx, &computepb.SetTagsInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		TagsResource: &computepb.Tags{Fingerprint: after.GetTags().Fingerprint, Items: []string{"web", "ssh"}}}))
	after, _ = c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"})
	if len(after.GetMetadata().GetItems()) != 1 || !cmp.Equal([]string{"web", "ssh"}, after.GetTags().GetItems()) || after.GetTags().GetFingerprint() == emptyFingerprint {
		t.Errorf("metadata and tags: %v, %v", after.GetMetadata(), after.GetTags())
	}

	// The machine type changes only when the instance is stopped.
	_, err = c.instances.SetMachineType(ctx, &computepb.SetMachineTypeInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		InstancesSetMachineTypeRequestResource: &computepb.InstancesSetMachineTypeRequest{MachineType: new("zones/" + testZone + "/machineTypes/e2-small")}})
	wantErr(t, "SetMachineType while RUNNING", err, apiErr{Code: http.StatusBadRequest, Reason: "resourceNotReady"})
	stop, err := c.instances.Stop(ctx, &computepb.StopInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, c, "vm-1", statusStopping)
	waitOp(t)(stop, nil)
	stopped := waitStatus(t, c, "vm-1", statusTerminated)
	if stopped.GetNetworkInterfaces()[0].GetAccessConfigs()[0].GetNatIP() != "" || stopped.GetNetworkInterfaces()[0].GetNetworkIP() != nic.GetNetworkIP() {
		t.Errorf("a stopped instance keeps its internal address and loses its external one: %v", stopped.GetNetworkInterfaces())
	}
	waitOp(t)(c.instances.SetMachineType(ctx, &computepb.SetMachineTypeInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1",
		InstancesSetMachineTypeRequestResource: &computepb.InstancesSetMachineTypeRequest{MachineType: new("zones/" + testZone + "/machineTypes/e2-small")}}))
	waitOp(t)(c.instances.Start(ctx, &computepb.StartInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"}))
	started := waitStatus(t, c, "vm-1", statusRunning)
	if lastSegment(started.GetMachineType()) != "e2-small" || started.GetNetworkInterfaces()[0].GetAccessConfigs()[0].GetNatIP() == "" {
		t.Errorf("started instance: %v", started)
	}
	waitOp(t)(c.instances.Start(ctx, &computepb.StartInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"}))

	// A second instance on an auto mode network, which picks the region's
	// subnetwork.
	waitOp(t)(c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: testProject,
		NetworkResource: &computepb.Network{Name: new("auto"), AutoCreateSubnetworks: new(true)}}))
	waitOp(t)(c.instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: testProject, Zone: testZone,
		InstanceResource: withNetwork(newVM("vm-2", ""), "global/networks/auto")}))
	vm2, _ := c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-2"})
	if ip, err := netip.ParseAddr(vm2.GetNetworkInterfaces()[0].GetNetworkIP()); err != nil || !netip.MustParsePrefix("10.128.0.0/20").Contains(ip) {
		t.Errorf("vm-2's address %q is not in the auto range", vm2.GetNetworkInterfaces()[0].GetNetworkIP())
	}

	if diff := cmp.Diff([]string{"vm-1", "vm-2"}, instanceNames(t, c.instances.List(ctx, &computepb.ListInstancesRequest{Project: testProject, Zone: testZone}))); diff != "" {
		t.Errorf("Instances.List(...): -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vm-1"}, instanceNames(t, c.instances.List(ctx, &computepb.ListInstancesRequest{Project: testProject, Zone: testZone, Filter: new("labels.env = prod")}))); diff != "" {
		t.Errorf("Instances.List(labels.env = prod): -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vm-2", "vm-1"}, instanceNames(t, c.instances.List(ctx, &computepb.ListInstancesRequest{Project: testProject, Zone: testZone, OrderBy: new("name desc")}))); diff != "" {
		t.Errorf("Instances.List(orderBy name desc): -want, +got:\n%s", diff)
	}

	// Resources in use cannot be deleted.
	_, err = c.subnets.Delete(ctx, &computepb.DeleteSubnetworkRequest{Project: testProject, Region: testRegion, Subnetwork: "apps"})
	wantErr(t, "Subnetworks.Delete in use", err, apiErr{Code: http.StatusBadRequest, Reason: "resourceInUseByAnotherResource"})
	_, err = c.networks.Delete(ctx, &computepb.DeleteNetworkRequest{Project: testProject, Network: "auto"})
	wantErr(t, "Networks.Delete in use", err, apiErr{Code: http.StatusBadRequest, Reason: "resourceInUseByAnotherResource"})

	// Zone operations: list, wait, delete.
	zit := c.zoneOps.List(ctx, &computepb.ListZoneOperationsRequest{Project: testProject, Zone: testZone})
	var types []string
	var first string
	for {
		o, err := zit.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = o.GetName()
		}
		types = append(types, o.GetOperationType())
	}
	if diff := cmp.Diff([]string{"insert", "setLabels", "setMetadata", "setTags", "stop", "setMachineType", "start", "start", "insert"}, types); diff != "" {
		t.Errorf("ZoneOperations.List(...): -want, +got:\n%s", diff)
	}
	if o, err := c.zoneOps.Wait(ctx, &computepb.WaitZoneOperationRequest{Project: testProject, Zone: testZone, Operation: first}); err != nil || o.GetStatus() != computepb.Operation_DONE {
		t.Errorf("ZoneOperations.Wait: %v, %v", o, err)
	}
	if _, err := c.zoneOps.Delete(ctx, &computepb.DeleteZoneOperationRequest{Project: testProject, Zone: testZone, Operation: first}); err != nil {
		t.Errorf("ZoneOperations.Delete: %v", err)
	}

	// Delete: STOPPING, then gone; deletion protection refuses.
	waitOp(t)(c.instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: testProject, Zone: testZone,
		InstanceResource: withProtection(newVM("vm-3", subnet))}))
	_, err = c.instances.Delete(ctx, &computepb.DeleteInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-3"})
	wantErr(t, "Delete of a protected instance", err, apiErr{Code: http.StatusBadRequest, Reason: "resourceInUseByAnotherResource"})
	del, err := c.instances.Delete(ctx, &computepb.DeleteInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, c, "vm-1", statusStopping)
	waitOp(t)(del, nil)
	_, err = c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-1"})
	wantErr(t, "Get after delete", err, apiErr{Code: http.StatusNotFound, Reason: "notFound"})
	waitOp(t)(c.instances.Delete(ctx, &computepb.DeleteInstanceRequest{Project: testProject, Zone: testZone, Instance: "vm-2"}))
	waitOp(t)(c.networks.Delete(ctx, &computepb.DeleteNetworkRequest{Project: testProject, Network: "auto"}))
}

func withImage(in *computepb.Instance, image string) *computepb.Instance {
	in.Disks[0].InitializeParams.SourceImage = new(image)
	return in
}

func withMachineType(in *computepb.Instance, mt string) *computepb.Instance {
	in.MachineType = new(mt)
	return in
}

func withNetwork(in *computepb.Instance, network string) *computepb.Instance {
	in.NetworkInterfaces[0].Subnetwork = nil
	in.NetworkInterfaces[0].Network = new(network)
	return in
}

func withProtection(in *computepb.Instance) *computepb.Instance {
	in.DeletionProtection = new(true)
	return in
}
