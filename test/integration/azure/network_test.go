package azure

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	netv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/network/v1beta1"
)

// newVirtualNetwork returns a virtual network managed resource in group rg
// (by reference) with address space space.
func (f *fixture) newVirtualNetwork(name, rg string, space ...string) *netv1beta1.VirtualNetwork {
	return &netv1beta1.VirtualNetwork{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"example.stratus.dev/network": name}},
		Spec: netv1beta1.VirtualNetworkSpec{
			ClusterManagedResourceSpec: f.spec(),
			ForProvider: netv1beta1.VirtualNetworkParameters{
				ResourceGroupNameRef: &xpv2.Reference{Name: rg},
				Location:             new(location),
				AddressSpace:         space,
			},
		},
	}
}

// newSubnet returns a subnet managed resource of network vnet (by
// reference, which also gives its resource group).
func (f *fixture) newSubnet(name, vnet string, prefixes ...string) *netv1beta1.Subnet {
	return &netv1beta1.Subnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: netv1beta1.SubnetSpec{
			ClusterManagedResourceSpec: f.spec(),
			ForProvider: netv1beta1.SubnetParameters{
				VirtualNetworkNameRef: &xpv2.Reference{Name: vnet},
				AddressPrefixes:       prefixes,
			},
		},
	}
}

// newNetworkInterface returns a network interface managed resource in group
// rg and subnet subnet (both by reference).
func (f *fixture) newNetworkInterface(name, rg, subnet string) *netv1beta1.NetworkInterface {
	return &netv1beta1.NetworkInterface{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: netv1beta1.NetworkInterfaceSpec{
			ClusterManagedResourceSpec: f.spec(),
			ForProvider: netv1beta1.NetworkInterfaceParameters{
				ResourceGroupNameRef: &xpv2.Reference{Name: rg},
				Location:             new(location),
				SubnetIDRef:          &xpv2.Reference{Name: subnet},
			},
		},
	}
}

// TestNetworkLifecycle creates a virtual network, two subnets (one finding
// its network by reference, one by label) and a network interface in the
// first, updates each, and deletes them.
func TestNetworkLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))
	vnet := f.newVirtualNetwork(f.name("vnet"), rg.Name, "10.1.0.0/16")
	vnet.Spec.ForProvider.Tags = map[string]string{"team": "platform"}
	a := f.newSubnet(f.name("a"), vnet.Name, "10.1.1.0/24")
	b := f.newSubnet(f.name("b"), "", "10.1.2.0/24")
	b.Spec.ForProvider.VirtualNetworkNameRef = nil
	b.Spec.ForProvider.VirtualNetworkNameSelector = &xpv2.Selector{MatchLabels: map[string]string{"example.stratus.dev/network": vnet.Name}}
	b.Spec.ForProvider.ResourceGroupNameRef = &xpv2.Reference{Name: rg.Name}
	nic := f.newNetworkInterface(f.name("nic"), rg.Name, a.Name)
	f.create(t, vnet)
	f.create(t, a)
	f.create(t, b)
	f.create(t, nic)
	f.ready(t, vnet)
	f.ready(t, a)
	f.ready(t, b)
	f.ready(t, nic)

	if at := vnet.Status.AtProvider; at.ProvisioningState != "Succeeded" || at.ResourceGUID == "" || at.ID == "" {
		t.Errorf("virtual network atProvider = %+v", at)
	}
	if fp := b.Spec.ForProvider; deref(fp.VirtualNetworkName) != vnet.Name || deref(fp.ResourceGroupName) != rg.Name {
		t.Errorf("subnet found by label: spec.forProvider = %+v, want network %s in %s", fp, vnet.Name, rg.Name)
	}
	if id := a.Status.AtProvider.ID; !strings.HasSuffix(id, "/virtualNetworks/"+vnet.Name+"/subnets/"+a.Name) || deref(nic.Spec.ForProvider.SubnetID) != id {
		t.Errorf("subnet ID %q, network interface subnetId %v: want the interface in the subnet", id, nic.Spec.ForProvider.SubnetID)
	}
	at := nic.Status.AtProvider
	if !strings.HasPrefix(at.PrivateIPAddress, "10.1.1.") || at.MACAddress == "" || at.ID == "" {
		t.Errorf("network interface atProvider = %+v, want an address in 10.1.1.0/24 and a MAC address", at)
	}
	// A dynamic address is Azure's choice, not part of the spec.
	if fp := nic.Spec.ForProvider; deref(fp.PrivateIPAddressAllocation) != "Dynamic" || fp.PrivateIPAddress != nil {
		t.Errorf("network interface spec.forProvider = %+v, want Dynamic allocation late-initialized and no address", fp)
	}

	// Updates reach the cloud: a new range for the network (its subnets
	// stay), new ranges for the free subnet, a static address and tags for
	// the interface.
	f.update(t, vnet, func() {
		vnet.Spec.ForProvider.AddressSpace = []string{"10.1.0.0/16", "10.2.0.0/16"}
		vnet.Spec.ForProvider.Tags["team"] = "data"
	})
	f.update(t, b, func() { b.Spec.ForProvider.AddressPrefixes = []string{"10.2.2.0/24"} })
	f.update(t, nic, func() {
		nic.Spec.ForProvider.PrivateIPAddressAllocation = new("Static")
		nic.Spec.ForProvider.PrivateIPAddress = new("10.1.1.100")
		nic.Spec.ForProvider.Tags = map[string]string{"role": "web"}
	})
	eventually(t, "network, subnet and interface updated in the cloud", func() error {
		v, err := f.VirtualNetworks(t).Get(ctx, rg.Name, vnet.Name, nil)
		if err != nil {
			return err
		}
		if n := len(v.Properties.AddressSpace.AddressPrefixes); n != 2 || deref(v.Tags["team"]) != "data" || len(v.Properties.Subnets) != 2 {
			return fmt.Errorf("network has %d ranges, %d subnets, tags %v", n, len(v.Properties.Subnets), fromPtrMap(v.Tags))
		}
		sn, err := f.Subnets(t).Get(ctx, rg.Name, vnet.Name, b.Name, nil)
		if err != nil {
			return err
		}
		if p := deref(sn.Properties.AddressPrefix); p != "10.2.2.0/24" {
			return fmt.Errorf("subnet %s has range %s", b.Name, p)
		}
		n, err := f.Interfaces(t).Get(ctx, rg.Name, nic.Name, nil)
		if err != nil {
			return err
		}
		c := n.Properties.IPConfigurations[0].Properties
		if deref(c.PrivateIPAddress) != "10.1.1.100" || deref(n.Tags["role"]) != "web" {
			return fmt.Errorf("interface has address %s, tags %v", deref(c.PrivateIPAddress), fromPtrMap(n.Tags))
		}
		return nil
	})
	f.env.WaitFor(t, nic, timeout, func(client.Object) (bool, string) {
		if ip := nic.Status.AtProvider.PrivateIPAddress; ip != "10.1.1.100" {
			return false, "atProvider.privateIpAddress is " + ip
		}
		return true, ""
	})

	// The interface goes before its subnet, which goes before its network.
	f.deleteAndWait(t, nic)
	f.deleteAndWait(t, a)
	f.deleteAndWait(t, b)
	f.deleteAndWait(t, vnet)
	if _, err := f.Interfaces(t).Get(ctx, rg.Name, nic.Name, nil); !isNotFound(err) {
		t.Errorf("network interface: got error %v, want it gone from the cloud", err)
	}
	if _, err := f.VirtualNetworks(t).Get(ctx, rg.Name, vnet.Name, nil); !isNotFound(err) {
		t.Errorf("virtual network: got error %v, want it gone from the cloud", err)
	}
}

// TestVirtualNetworkObserveOnlyImport imports a network Stratus did not
// create: it is reported, not changed, and stays when the resource goes.
func TestVirtualNetworkObserveOnlyImport(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))
	name := f.name("legacy")
	p, err := f.VirtualNetworks(t).BeginCreateOrUpdate(ctx, rg.Name, name, armnetwork.VirtualNetwork{
		Location: new(location),
		Tags:     toPtrMap(map[string]string{"owner": "another-team"}),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{new("172.16.0.0/16")}},
			Subnets:      []*armnetwork.Subnet{{Name: new("default"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new("172.16.0.0/24")}}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	vnet := &netv1beta1.VirtualNetwork{
		ObjectMeta: metav1.ObjectMeta{Name: f.name("imported"), Annotations: map[string]string{meta.AnnotationKeyExternalName: name}},
		Spec: netv1beta1.VirtualNetworkSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			ForProvider: netv1beta1.VirtualNetworkParameters{ResourceGroupName: new(rg.Name)},
		},
	}
	before := f.Calls.Snapshot()
	f.create(t, vnet)
	f.ready(t, vnet)
	if at := vnet.Status.AtProvider; len(at.AddressSpace) != 1 || at.AddressSpace[0] != "172.16.0.0/16" || len(at.Subnets) != 1 {
		t.Errorf("atProvider = %+v, want the imported network with its subnet", at)
	}
	if fp := vnet.Spec.ForProvider; fp.AddressSpace != nil || fp.Tags != nil || fp.Location != nil {
		t.Errorf("spec.forProvider = %+v, want it untouched by an observe-only import", fp)
	}
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an observe-only import made mutating calls: %v", got)
	}
	f.deleteAndWait(t, vnet)
	if _, err := f.VirtualNetworks(t).Get(ctx, rg.Name, name, nil); err != nil {
		t.Errorf("virtual network %s was deleted with an observe-only managed resource: %v", name, err)
	}
}

// TestVirtualNetworkInvalid creates a network Azure rejects: the resource
// reports Azure's error on Synced.
func TestVirtualNetworkInvalid(t *testing.T) {
	f := setUp(t)
	rg := f.readyResourceGroup(t, f.name("rg"))
	vnet := f.newVirtualNetwork(f.name("vnet"), rg.Name, "10.1.0.0/33")
	f.create(t, vnet)
	f.env.WaitFor(t, vnet, timeout, func(client.Object) (bool, string) {
		c := vnet.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "InvalidAddressPrefixFormat") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
}
