package gcp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/iterator"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	computev1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
)

// Where the tests' instances run, and what they boot.
const (
	region = "us-central1"
	zone   = "us-central1-a"
	image  = "projects/debian-cloud/global/images/family/debian-12"
)

// newSubnetwork returns a Subnetwork managed resource of the Network
// network, with the range cidr.
func (f *fixture) newSubnetwork(name, network, cidr string) *computev1beta1.Subnetwork {
	return &computev1beta1.Subnetwork{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: computev1beta1.SubnetworkSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: computev1beta1.SubnetworkParameters{
				Region:      new(region),
				NetworkRef:  &xpv2.Reference{Name: network},
				IPCIDRRange: new(cidr),
			},
		},
	}
}

// newInstance returns an e2-micro Instance managed resource in the
// Subnetwork subnetwork of the Network network, with an external address
// and its connection details in the Secret <name>-conn.
func (f *fixture) newInstance(name, network, subnetwork string) *computev1beta1.Instance {
	return &computev1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: computev1beta1.InstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: name + "-conn"},
			},
			ForProvider: computev1beta1.InstanceParameters{
				Zone:        new(zone),
				MachineType: new("e2-micro"),
				BootDisk:    &computev1beta1.BootDisk{Image: image, SizeGB: new(int64(20)), Type: new("pd-balanced")},
				NetworkInterfaces: []computev1beta1.NetworkInterface{{
					NetworkRef:    &xpv2.Reference{Name: network},
					SubnetworkRef: &xpv2.Reference{Name: subnetwork},
					AccessConfigs: []computev1beta1.AccessConfig{{}},
				}},
			},
		},
	}
}

// instance returns the instance name from the local cloud.
func (f *fixture) instance(t *testing.T, name string) (*computepb.Instance, error) {
	t.Helper()
	return f.Instances(t).Get(context.Background(), &computepb.GetInstanceRequest{Project: project, Zone: zone, Instance: name})
}

// instanceNames returns the names of the instances in the local cloud's
// zone.
func (f *fixture) instanceNames(t *testing.T) []string {
	t.Helper()
	var names []string
	it := f.Instances(t).List(context.Background(), &computepb.ListInstancesRequest{Project: project, Zone: zone})
	for {
		in, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, in.GetName())
	}
}

// TestComputeLifecycle creates a network, a subnetwork that finds it by
// reference and an instance that finds both, checks what they report,
// updates the subnetwork and the instance (labels, metadata, tags, a
// machine type change that needs the instance stopped, and a stop), and
// deletes all three.
func TestComputeLifecycle(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	ctx := context.Background()
	net := f.newNetwork(f.ns + "-net")
	f.create(t, net)
	sub := f.newSubnetwork(f.ns+"-sub", net.Name, "10.10.0.0/24")
	f.create(t, sub)
	vm := f.newInstance(f.ns+"-vm", net.Name, sub.Name)
	vm.Spec.ForProvider.Labels = map[string]string{"team": "platform"}
	vm.Spec.ForProvider.Metadata = map[string]string{"startup-script": "echo hello"}
	vm.Spec.ForProvider.Tags = []string{"web"}
	f.create(t, vm)

	f.ready(t, net)
	f.ready(t, sub)
	f.ready(t, vm)
	if got := sub.Status.AtProvider; got.Network != net.Status.AtProvider.SelfLink || got.GatewayAddress != "10.10.0.1" || got.State != "READY" {
		t.Errorf("subnetwork atProvider = %+v, want the network's self link and gateway 10.10.0.1", got)
	}
	at := vm.Status.AtProvider
	if at.Status != "RUNNING" || at.ID == "" || at.SelfLink == "" || at.MachineType != "e2-micro" || !netip.MustParsePrefix("10.10.0.0/24").Contains(netip.MustParseAddr(at.NetworkIP)) || at.NatIP == "" {
		t.Errorf("instance atProvider = %+v, want a RUNNING e2-micro with an address in 10.10.0.0/24 and an external one", at)
	}
	conn := map[string][]byte{}
	eventually(t, "instance connection details", func() error {
		s := &corev1.Secret{}
		if err := f.env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: vm.Name + "-conn"}, s); err != nil {
			return err
		}
		conn = s.Data
		if string(conn["privateIP"]) != at.NetworkIP || string(conn["publicIP"]) != at.NatIP {
			return fmt.Errorf("connection Secret holds %v", conn)
		}
		return nil
	})

	// A secondary range reaches the subnetwork.
	f.updateWithRetry(t, sub, func() {
		sub.Spec.ForProvider.SecondaryIPRanges = []computev1beta1.SecondaryRange{{RangeName: "pods", IPCIDRRange: "10.20.0.0/16"}}
	})
	eventually(t, "secondary range added in the local cloud", func() error {
		got, err := f.Subnetworks(t).Get(ctx, &computepb.GetSubnetworkRequest{Project: project, Region: region, Subnetwork: sub.Name})
		if err != nil {
			return err
		}
		if r := got.GetSecondaryIpRanges(); len(r) != 1 || r[0].GetRangeName() != "pods" {
			return fmt.Errorf("secondary ranges are %v", r)
		}
		return nil
	})

	// Labels, metadata and tags change in place.
	f.updateWithRetry(t, vm, func() {
		vm.Spec.ForProvider.Labels = map[string]string{"team": "data"}
		vm.Spec.ForProvider.Metadata = map[string]string{"startup-script": "echo bye", "enable-oslogin": "true"}
		vm.Spec.ForProvider.Tags = []string{"web", "db"}
	})
	eventually(t, "labels, metadata and tags set in the local cloud", func() error {
		got, err := f.instance(t, vm.Name)
		if err != nil {
			return err
		}
		md := map[string]string{}
		for _, it := range got.GetMetadata().GetItems() {
			md[it.GetKey()] = it.GetValue()
		}
		switch {
		case !maps.Equal(got.GetLabels(), map[string]string{"team": "data", "stratus-uid": string(vm.GetUID())}):
			return fmt.Errorf("labels are %v", got.GetLabels())
		case !maps.Equal(md, map[string]string{"startup-script": "echo bye", "enable-oslogin": "true"}):
			return fmt.Errorf("metadata is %v", md)
		case !slices.Equal(got.GetTags().GetItems(), []string{"db", "web"}):
			return fmt.Errorf("tags are %v", got.GetTags().GetItems())
		}
		return nil
	})

	// A new machine type needs the instance stopped: refused until
	// allowStoppingForUpdate allows it, then stopped, changed and started.
	f.updateWithRetry(t, vm, func() { vm.Spec.ForProvider.MachineType = new("e2-small") })
	f.env.WaitFor(t, vm, timeout, func(client.Object) (bool, string) {
		c := vm.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "allowStoppingForUpdate") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	f.updateWithRetry(t, vm, func() { vm.Spec.ForProvider.AllowStoppingForUpdate = new(true) })
	eventually(t, "machine type changed and instance running again", func() error {
		got, err := f.instance(t, vm.Name)
		if err != nil {
			return err
		}
		if !strings.HasSuffix(got.GetMachineType(), "/e2-small") || got.GetStatus() != "RUNNING" {
			return fmt.Errorf("machine type %s, status %s", got.GetMachineType(), got.GetStatus())
		}
		return nil
	})
	f.ready(t, vm)

	// A stopped instance is what desiredStatus TERMINATED asks for.
	f.updateWithRetry(t, vm, func() { vm.Spec.ForProvider.DesiredStatus = new("TERMINATED") })
	f.env.WaitFor(t, vm, timeout, func(client.Object) (bool, string) {
		if vm.Status.AtProvider.Status != "TERMINATED" || vm.GetCondition(xpv2.TypeReady).Status != corev1.ConditionTrue {
			return false, "status " + vm.Status.AtProvider.Status
		}
		return true, ""
	})

	f.deleteAndWait(t, vm)
	if _, err := f.instance(t, vm.Name); !isNotFound(err) {
		t.Errorf("instance %s: got error %v, want it not found", vm.Name, err)
	}
	f.deleteAndWait(t, sub)
	if _, err := f.Subnetworks(t).Get(ctx, &computepb.GetSubnetworkRequest{Project: project, Region: region, Subnetwork: sub.Name}); !isNotFound(err) {
		t.Errorf("subnetwork %s: got error %v, want it not found", sub.Name, err)
	}
	f.deleteAndWait(t, net)
	f.wantNoNetwork(t, net.Name)
}
