package azure

import (
	"context"
	"net/http"
	"net/netip"
	"regexp"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
)

type netClients struct {
	vnets   *armnetwork.VirtualNetworksClient
	subnets *armnetwork.SubnetsClient
	nics    *armnetwork.InterfacesClient
	pips    *armnetwork.PublicIPAddressesClient
	vms     *armcompute.VirtualMachinesClient
}

func (h *harness) net(t *testing.T) netClients {
	t.Helper()
	nf, err := armnetwork.NewClientFactory(testSub, h.cred, h.options())
	if err != nil {
		t.Fatal(err)
	}
	vms, err := armcompute.NewVirtualMachinesClient(testSub, h.cred, h.options())
	if err != nil {
		t.Fatal(err)
	}
	return netClients{vnets: nf.NewVirtualNetworksClient(), subnets: nf.NewSubnetsClient(), nics: nf.NewInterfacesClient(), pips: nf.NewPublicIPAddressesClient(), vms: vms}
}

func vnet(prefix string, subnets map[string]string) armnetwork.VirtualNetwork {
	v := armnetwork.VirtualNetwork{
		Location:   new(testRegion),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{new(prefix)}}},
	}
	for name, p := range subnets {
		v.Properties.Subnets = append(v.Properties.Subnets, &armnetwork.Subnet{Name: new(name), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new(p)}})
	}
	return v
}

func nic(subnetID, publicIP, staticIP string) armnetwork.Interface {
	c := &armnetwork.InterfaceIPConfiguration{
		Name:       new("ipconfig1"),
		Properties: &armnetwork.InterfaceIPConfigurationPropertiesFormat{Subnet: &armnetwork.Subnet{ID: new(subnetID)}},
	}
	if publicIP != "" {
		c.Properties.PublicIPAddress = &armnetwork.PublicIPAddress{ID: new(publicIP)}
	}
	if staticIP != "" {
		c.Properties.PrivateIPAllocationMethod = new(armnetwork.IPAllocationMethodStatic)
		c.Properties.PrivateIPAddress = new(staticIP)
	}
	return armnetwork.Interface{Location: new(testRegion), Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{c}}}
}

const sshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDs8HGVKqVv0SU7+Y9ScryBSCYBJt4SXTW8Sgp4M2vRN test@stratus"

func vm(nicID string) armcompute.VirtualMachine {
	return armcompute.VirtualMachine{
		Location: new(testRegion),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: new(armcompute.VirtualMachineSizeTypesStandardB1S)},
			StorageProfile: &armcompute.StorageProfile{
				ImageReference: &armcompute.ImageReference{Publisher: new("Canonical"), Offer: new("ubuntu-24_04-lts"), SKU: new("server"), Version: new("latest")},
				OSDisk:         &armcompute.OSDisk{CreateOption: new(armcompute.DiskCreateOptionTypesFromImage)},
			},
			OSProfile: &armcompute.OSProfile{
				ComputerName:  new("web1"),
				AdminUsername: new("azureuser"),
				LinuxConfiguration: &armcompute.LinuxConfiguration{
					DisablePasswordAuthentication: new(true),
					SSH:                           &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{Path: new("/home/azureuser/.ssh/authorized_keys"), KeyData: new(sshKey)}}},
				},
			},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{ID: new(nicID)}}},
		},
	}
}

// power returns the power state code of vm1's instance view.
func power(t *testing.T, c *armcompute.VirtualMachinesClient) string {
	t.Helper()
	iv, err := c.InstanceView(context.Background(), "vm-rg", "vm1", nil)
	if err != nil {
		t.Fatalf("InstanceView: %v", err)
	}
	for _, s := range iv.Statuses {
		if regexp.MustCompile(`^PowerState/`).MatchString(*s.Code) {
			return *s.Code
		}
	}
	return ""
}

func TestVirtualMachinePath(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	c := h.net(t)
	h.createGroup(t, "vm-rg")
	prefix := "/subscriptions/" + testSub + "/resourceGroups/vm-rg/providers/"

	// Network: a virtual network with an inline subnet, then one more.
	vp, err := c.vnets.BeginCreateOrUpdate(ctx, "vm-rg", "vnet", vnet("10.10.0.0/16", map[string]string{"default": "10.10.1.0/24"}), nil)
	if err != nil {
		t.Fatalf("vnets.BeginCreateOrUpdate: %v", err)
	}
	if vp.Done() {
		t.Errorf("vnets.BeginCreateOrUpdate: done at once, want Updating")
	}
	got, err := c.vnets.Get(ctx, "vm-rg", "vnet", nil)
	if err != nil {
		t.Fatalf("vnets.Get: %v", err)
	}
	if diff := cmp.Diff(armnetwork.ProvisioningStateUpdating, *got.Properties.ProvisioningState); diff != "" {
		t.Errorf("vnets.Get while creating: -want, +got:\n%s", diff)
	}
	v := done(t, "vnets.BeginCreateOrUpdate", vp, nil)
	if diff := cmp.Diff(armnetwork.ProvisioningStateSucceeded, *v.Properties.ProvisioningState); diff != "" {
		t.Errorf("created vnet: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(prefix+"Microsoft.Network/virtualNetworks/vnet/subnets/default", *v.Properties.Subnets[0].ID); diff != "" {
		t.Errorf("created vnet subnet: -want ID, +got:\n%s", diff)
	}
	again, err := c.vnets.BeginCreateOrUpdate(ctx, "vm-rg", "vnet", vnet("10.10.0.0/16", map[string]string{"default": "10.10.1.0/24"}), nil)
	if err != nil || !again.Done() {
		t.Errorf("vnets.BeginCreateOrUpdate unchanged: want a finished poller, got done=%v err=%v", again != nil && again.Done(), err)
	}

	for name, tc := range map[string]struct {
		prefix string
		want   code
	}{
		"outside":  {"10.20.0.0/24", code{http.StatusBadRequest, "NetcfgSubnetRangeOutsideVnet"}},
		"overlaps": {"10.10.1.128/25", code{http.StatusBadRequest, "NetcfgSubnetRangesOverlap"}},
		"invalid":  {"10.10.3.1/24", code{http.StatusBadRequest, "NetcfgInvalidSubnet"}},
	} {
		_, err := c.subnets.BeginCreateOrUpdate(ctx, "vm-rg", "vnet", name, armnetwork.Subnet{Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new(tc.prefix)}}, nil)
		wantCode(t, "subnets.BeginCreateOrUpdate "+name, err, tc.want)
	}
	sp, err := c.subnets.BeginCreateOrUpdate(ctx, "vm-rg", "vnet", "apps", armnetwork.Subnet{Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new("10.10.2.0/24")}}, nil)
	apps := done(t, "subnets.BeginCreateOrUpdate", sp, err)
	var subnets []string
	for pager := c.subnets.NewListPager("vm-rg", "vnet", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("NextPage: %v", err)
		}
		for _, s := range page.Value {
			subnets = append(subnets, *s.Name)
		}
	}
	if diff := cmp.Diff([]string{"default", "apps"}, subnets); diff != "" {
		t.Errorf("subnets.NewListPager: -want, +got:\n%s", diff)
	}
	_, err = c.subnets.Get(ctx, "vm-rg", "vnet", "nope", nil)
	wantCode(t, "subnets.Get a missing subnet", err, code{http.StatusNotFound, "NotFound"})

	// A public address and network interfaces; dynamic private addresses
	// skip ones held statically.
	pp, err := c.pips.BeginCreateOrUpdate(ctx, "vm-rg", "vm-ip", armnetwork.PublicIPAddress{Location: new(testRegion), SKU: &armnetwork.PublicIPAddressSKU{Name: new(armnetwork.PublicIPAddressSKUNameStandard)}}, nil)
	pip := done(t, "pips.BeginCreateOrUpdate", pp, err)
	if !netip.MustParsePrefix(cloud.PublicRange).Contains(netip.MustParseAddr(*pip.Properties.IPAddress)) {
		t.Errorf("public IP %s is not in %s", *pip.Properties.IPAddress, cloud.PublicRange)
	}
	_, err = c.pips.BeginCreateOrUpdate(ctx, "vm-rg", "dyn-ip", armnetwork.PublicIPAddress{Location: new(testRegion), Properties: &armnetwork.PublicIPAddressPropertiesFormat{PublicIPAllocationMethod: new(armnetwork.IPAllocationMethodDynamic)}}, nil)
	wantCode(t, "pips.BeginCreateOrUpdate Standard Dynamic", err, code{http.StatusBadRequest, "StandardSkuPublicIPAddressesMustBeStatic"})

	sn, err := c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "static-nic", nic(*apps.ID, "", "10.10.2.5"), nil)
	static := done(t, "nics.BeginCreateOrUpdate static", sn, err)
	np, err := c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "vm-nic", nic(*apps.ID, *pip.ID, ""), nil)
	vmNIC := done(t, "nics.BeginCreateOrUpdate", np, err)
	np2, err := c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "other-nic", nic(*apps.ID, "", ""), nil)
	other := done(t, "nics.BeginCreateOrUpdate other", np2, err)
	addr := func(n armnetwork.Interface) string {
		return *n.Properties.IPConfigurations[0].Properties.PrivateIPAddress
	}
	if diff := cmp.Diff([]string{"10.10.2.5", "10.10.2.4", "10.10.2.6"}, []string{addr(static.Interface), addr(vmNIC.Interface), addr(other.Interface)}); diff != "" {
		t.Errorf("private addresses: -want, +got:\n%s", diff)
	}
	_, err = c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "clash", nic(*apps.ID, "", "10.10.2.4"), nil)
	wantCode(t, "nics.BeginCreateOrUpdate with a taken address", err, code{http.StatusBadRequest, "PrivateIPAddressInUse"})
	_, err = c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "lost", nic(prefix+"Microsoft.Network/virtualNetworks/vnet/subnets/missing", "", ""), nil)
	wantCode(t, "nics.BeginCreateOrUpdate in a missing subnet", err, code{http.StatusBadRequest, "InvalidResourceReference"})
	_, err = c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "greedy", nic(*apps.ID, *pip.ID, ""), nil)
	wantCode(t, "nics.BeginCreateOrUpdate with a used public IP", err, code{http.StatusBadRequest, "PublicIPAddressInUse"})
	nicAgain, err := c.nics.BeginCreateOrUpdate(ctx, "vm-rg", "vm-nic", nic(*apps.ID, *pip.ID, ""), nil)
	if err != nil || !nicAgain.Done() {
		t.Errorf("nics.BeginCreateOrUpdate unchanged: want a finished poller, err=%v", err)
	}

	// The virtual machine.
	_, err = c.vms.BeginCreateOrUpdate(ctx, "vm-rg", "lost-vm", vm(prefix+"Microsoft.Network/networkInterfaces/missing"), nil)
	wantCode(t, "vms.BeginCreateOrUpdate with a missing NIC", err, code{http.StatusNotFound, "NotFound"})
	weak := vm(*other.ID)
	weak.Properties.OSProfile.LinuxConfiguration = nil
	weak.Properties.OSProfile.AdminPassword = new("password")
	_, err = c.vms.BeginCreateOrUpdate(ctx, "vm-rg", "weak-vm", weak, nil)
	wantCode(t, "vms.BeginCreateOrUpdate with a weak password", err, code{http.StatusBadRequest, "InvalidParameter"})

	mp, err := c.vms.BeginCreateOrUpdate(ctx, "vm-rg", "vm1", vm(*vmNIC.ID), nil)
	if err != nil {
		t.Fatalf("vms.BeginCreateOrUpdate: %v", err)
	}
	if diff := cmp.Diff("PowerState/starting", power(t, c.vms)); diff != "" {
		t.Errorf("power while creating: -want, +got:\n%s", diff)
	}
	machine := done(t, "vms.BeginCreateOrUpdate", mp, nil)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(*machine.Properties.VMID) {
		t.Errorf("vmId %q is not a GUID", *machine.Properties.VMID)
	}
	if diff := cmp.Diff("Succeeded", *machine.Properties.ProvisioningState); diff != "" {
		t.Errorf("created VM: -want state, +got:\n%s", diff)
	}
	expanded, err := c.vms.Get(ctx, "vm-rg", "vm1", &armcompute.VirtualMachinesClientGetOptions{Expand: new(armcompute.InstanceViewTypesInstanceView)})
	if err != nil {
		t.Fatalf("vms.Get: %v", err)
	}
	codes := []string{}
	for _, s := range expanded.Properties.InstanceView.Statuses {
		codes = append(codes, *s.Code)
	}
	if diff := cmp.Diff([]string{"ProvisioningState/succeeded", "PowerState/running"}, codes); diff != "" {
		t.Errorf("instance view: -want, +got:\n%s", diff)
	}
	attached, err := c.nics.Get(ctx, "vm-rg", "vm-nic", nil)
	if err != nil {
		t.Fatalf("nics.Get: %v", err)
	}
	ip := netip.MustParseAddr(*attached.Properties.IPConfigurations[0].Properties.PrivateIPAddress)
	if !netip.MustParsePrefix("10.10.2.0/24").Contains(ip) {
		t.Errorf("the VM's private address %s is not in its subnet", ip)
	}
	if diff := cmp.Diff(*machine.ID, *attached.Properties.VirtualMachine.ID); diff != "" {
		t.Errorf("nic.virtualMachine: -want, +got:\n%s", diff)
	}
	changed := vm(*vmNIC.ID)
	changed.Properties.OSProfile.AdminUsername = new("someoneelse")
	_, err = c.vms.BeginCreateOrUpdate(ctx, "vm-rg", "vm1", changed, nil)
	wantCode(t, "vms.BeginCreateOrUpdate changing the admin", err, code{http.StatusConflict, "PropertyChangeNotAllowed"})
	tp, err := c.vms.BeginUpdate(ctx, "vm-rg", "vm1", armcompute.VirtualMachineUpdate{Tags: map[string]*string{"role": new("web")}}, nil)
	tagged := done(t, "vms.BeginUpdate", tp, err)
	if diff := cmp.Diff(map[string]*string{"role": new("web")}, tagged.Tags); diff != "" {
		t.Errorf("vms.BeginUpdate: -want tags, +got:\n%s", diff)
	}

	// Nothing in use can be deleted.
	_, err = c.subnets.BeginDelete(ctx, "vm-rg", "vnet", "apps", nil)
	wantCode(t, "subnets.BeginDelete in use", err, code{http.StatusBadRequest, "InUseSubnetCannotBeDeleted"})
	_, err = c.vnets.BeginDelete(ctx, "vm-rg", "vnet", nil)
	wantCode(t, "vnets.BeginDelete in use", err, code{http.StatusBadRequest, "InUseSubnetCannotBeDeleted"})
	_, err = c.nics.BeginDelete(ctx, "vm-rg", "vm-nic", nil)
	wantCode(t, "nics.BeginDelete in use", err, code{http.StatusBadRequest, "NicInUse"})
	_, err = c.pips.BeginDelete(ctx, "vm-rg", "vm-ip", nil)
	wantCode(t, "pips.BeginDelete in use", err, code{http.StatusBadRequest, "PublicIPAddressCannotBeDeleted"})

	// Power: deallocate, start, power off, restart.
	dp, err := c.vms.BeginDeallocate(ctx, "vm-rg", "vm1", nil)
	if err != nil {
		t.Fatalf("BeginDeallocate: %v", err)
	}
	if diff := cmp.Diff("PowerState/deallocating", power(t, c.vms)); diff != "" {
		t.Errorf("power while deallocating: -want, +got:\n%s", diff)
	}
	done(t, "BeginDeallocate", dp, nil)
	if diff := cmp.Diff("PowerState/deallocated", power(t, c.vms)); diff != "" {
		t.Errorf("power after deallocate: -want, +got:\n%s", diff)
	}
	_, err = c.vms.BeginRestart(ctx, "vm-rg", "vm1", nil)
	wantCode(t, "BeginRestart a deallocated VM", err, code{http.StatusConflict, "OperationNotAllowed"})
	stp, err := c.vms.BeginStart(ctx, "vm-rg", "vm1", nil)
	done(t, "BeginStart", stp, err)
	if diff := cmp.Diff("PowerState/running", power(t, c.vms)); diff != "" {
		t.Errorf("power after start: -want, +got:\n%s", diff)
	}
	again2, err := c.vms.BeginStart(ctx, "vm-rg", "vm1", nil)
	done(t, "BeginStart a running VM", again2, err)
	op, err := c.vms.BeginPowerOff(ctx, "vm-rg", "vm1", nil)
	done(t, "BeginPowerOff", op, err)
	if diff := cmp.Diff("PowerState/stopped", power(t, c.vms)); diff != "" {
		t.Errorf("power after power off: -want, +got:\n%s", diff)
	}
	stp, err = c.vms.BeginStart(ctx, "vm-rg", "vm1", nil)
	done(t, "BeginStart", stp, err)
	rp, err := c.vms.BeginRestart(ctx, "vm-rg", "vm1", nil)
	done(t, "BeginRestart", rp, err)
	if diff := cmp.Diff("PowerState/running", power(t, c.vms)); diff != "" {
		t.Errorf("power after restart: -want, +got:\n%s", diff)
	}

	// Delete in reverse order.
	vdp, err := c.vms.BeginDelete(ctx, "vm-rg", "vm1", nil)
	done(t, "vms.BeginDelete", vdp, err)
	_, err = c.vms.Get(ctx, "vm-rg", "vm1", nil)
	wantCode(t, "vms.Get a deleted VM", err, code{http.StatusNotFound, "ResourceNotFound"})
	for _, n := range []string{"vm-nic", "static-nic", "other-nic"} {
		p, err := c.nics.BeginDelete(ctx, "vm-rg", n, nil)
		done(t, "nics.BeginDelete "+n, p, err)
	}
	_, err = c.nics.Get(ctx, "vm-rg", "vm-nic", nil)
	wantCode(t, "nics.Get a deleted NIC", err, code{http.StatusNotFound, "ResourceNotFound"})
	pdp, err := c.pips.BeginDelete(ctx, "vm-rg", "vm-ip", nil)
	done(t, "pips.BeginDelete", pdp, err)
	sdp, err := c.subnets.BeginDelete(ctx, "vm-rg", "vnet", "apps", nil)
	done(t, "subnets.BeginDelete", sdp, err)
	_, err = c.subnets.Get(ctx, "vm-rg", "vnet", "apps", nil)
	wantCode(t, "subnets.Get a deleted subnet", err, code{http.StatusNotFound, "NotFound"})
	vndp, err := c.vnets.BeginDelete(ctx, "vm-rg", "vnet", nil)
	done(t, "vnets.BeginDelete", vndp, err)
	_, err = c.vnets.Get(ctx, "vm-rg", "vnet", nil)
	wantCode(t, "vnets.Get a deleted vnet", err, code{http.StatusNotFound, "ResourceNotFound"})
	if n := len(h.svc.vnets.IDs()) + len(h.svc.subnets.IDs()) + len(h.svc.nics.IDs()) + len(h.svc.pips.IDs()) + len(h.svc.vms.IDs()); n != 0 {
		t.Errorf("rows left after deleting everything: %d", n)
	}
}
