package azure

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	computev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/compute/v1beta1"
	netv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/network/v1beta1"
)

// sshKey is the administrator key of the tests' machines.
const sshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEq3y8k0n6VbWfJ2cQ1m4r7x3yZ8a9b0c1d2e3f4g5h6 stratus@test"

// network creates a resource group, a network, a subnet and a network
// interface in it (with publicIP, the ID of a public address, if not
// empty), and waits until they are Ready.
func (f *fixture) network(t *testing.T, publicIP string) (*netv1beta1.NetworkInterface, string) {
	t.Helper()
	rg := f.readyResourceGroup(t, f.name("rg"))
	vnet := f.newVirtualNetwork(f.name("vnet"), rg.Name, "10.5.0.0/16")
	sn := f.newSubnet(f.name("subnet"), vnet.Name, "10.5.1.0/24")
	nic := f.newNetworkInterface(f.name("nic"), rg.Name, sn.Name)
	if publicIP != "" {
		nic.Spec.ForProvider.PublicIPAddressID = new(publicIP)
	}
	f.create(t, vnet)
	f.create(t, sn)
	f.create(t, nic)
	f.ready(t, nic)
	return nic, rg.Name
}

// newMachine returns a Linux virtual machine managed resource in group rg
// with network interface nic (both by reference).
func (f *fixture) newMachine(name, rg, nic string) *computev1beta1.LinuxVirtualMachine {
	return &computev1beta1.LinuxVirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: computev1beta1.LinuxVirtualMachineSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: name + "-conn"},
			},
			ForProvider: computev1beta1.LinuxVirtualMachineParameters{
				ResourceGroupNameRef:   &xpv2.Reference{Name: rg},
				Location:               new(location),
				Size:                   new("Standard_B1s"),
				AdminUsername:          new("azureuser"),
				AdminSSHKey:            new(sshKey),
				OSDisk:                 &computev1beta1.OSDisk{Caching: new("ReadWrite"), StorageAccountType: new("Standard_LRS"), DiskSizeGB: new(int32(30))},
				SourceImageReference:   &computev1beta1.SourceImageReference{Publisher: "Canonical", Offer: "ubuntu-24_04-lts", SKU: "server"},
				NetworkInterfaceIDRefs: []xpv2.Reference{{Name: nic}},
			},
		},
	}
}

// publicIP creates a public IP address in group rg of the test's local
// cloud directly (Stratus has no kind for them), and returns its ID.
func (f *fixture) publicIP(t *testing.T, rg, name string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := f.ResourceGroups(t).CreateOrUpdate(ctx, rg, armresourcesGroup(location), nil); err != nil {
		t.Fatal(err)
	}
	p, err := f.PublicIPs(t).BeginCreateOrUpdate(ctx, rg, name, armnetwork.PublicIPAddress{
		Location:   new(location),
		SKU:        &armnetwork.PublicIPAddressSKU{Name: new(armnetwork.PublicIPAddressSKUNameStandard)},
		Properties: &armnetwork.PublicIPAddressPropertiesFormat{PublicIPAllocationMethod: new(armnetwork.IPAllocationMethodStatic)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rsp, err := p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return *rsp.ID
}

// TestLinuxVirtualMachineLifecycle creates a machine on a network interface
// with a public address, all found by reference, checks what it reports and
// publishes, resizes it and deletes it.
func TestLinuxVirtualMachineLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	pip := f.publicIP(t, f.name("rg"), f.name("pip"))
	nic, rg := f.network(t, pip)
	vm := f.newMachine(f.name("vm"), rg, nic.Name)
	vm.Spec.ForProvider.Tags = map[string]string{"role": "web"}
	f.create(t, vm)
	f.ready(t, vm)

	at := vm.Status.AtProvider
	if at.PowerState != "running" || at.ProvisioningState != "Succeeded" || at.VMID == "" || at.Size != "Standard_B1s" ||
		!strings.HasPrefix(at.PrivateIPAddress, "10.5.1.") || !strings.HasPrefix(at.PublicIPAddress, "203.0.113.") || at.OSDiskName == "" {
		t.Errorf("atProvider = %+v, want a running Standard_B1s machine with addresses in 10.5.1.0/24 and 203.0.113.0/24", at)
	}
	if ids := vm.Spec.ForProvider.NetworkInterfaceIDs; len(ids) != 1 || ids[0] != nic.Status.AtProvider.ID {
		t.Errorf("networkInterfaceIds = %v, want the interface's ID %s", ids, nic.Status.AtProvider.ID)
	}
	eventually(t, "connection details published", func() error {
		d := f.secretData(t, vm.Name+"-conn")
		if string(d["username"]) != "azureuser" || string(d["privateIP"]) != at.PrivateIPAddress || string(d["publicIP"]) != at.PublicIPAddress {
			return fmt.Errorf("connection Secret = %v", d)
		}
		return nil
	})
	got, err := f.VirtualMachines(t).Get(ctx, rg, vm.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Properties
	if d := p.StorageProfile.OSDisk; deref(d.DeleteOption) != armcompute.DiskDeleteOptionTypesDelete || deref(d.DiskSizeGB) != 30 {
		t.Errorf("OS disk = %+v, want 30 GiB, deleted with the machine", d)
	}
	if lc := p.OSProfile.LinuxConfiguration; !deref(lc.DisablePasswordAuthentication) || deref(lc.SSH.PublicKeys[0].KeyData) != sshKey {
		t.Errorf("Linux configuration = %+v, want the SSH key and no password logins", lc)
	}

	// A resize and new tags reach the cloud in one PATCH.
	patches := f.Calls.Count("PATCH", "/virtualmachines/"+vm.Name)
	f.update(t, vm, func() {
		vm.Spec.ForProvider.Size = new("Standard_B2s")
		vm.Spec.ForProvider.Tags["role"] = "api"
	})
	eventually(t, "machine resized in the cloud", func() error {
		got, err := f.VirtualMachines(t).Get(ctx, rg, vm.Name, nil)
		if err != nil {
			return err
		}
		if s := deref(got.Properties.HardwareProfile.VMSize); s != "Standard_B2s" || deref(got.Tags["role"]) != "api" {
			return fmt.Errorf("machine is %s with tags %v", s, fromPtrMap(got.Tags))
		}
		return nil
	})
	if n := f.Calls.Count("PATCH", "/virtualmachines/"+vm.Name) - patches; n != 1 {
		t.Errorf("%d PATCHes of the machine for one change, want 1", n)
	}
	f.env.WaitFor(t, vm, timeout, func(client.Object) (bool, string) {
		return vm.Status.AtProvider.Size == "Standard_B2s" && vm.GetCondition(xpv2.TypeReady).Status == corev1.ConditionTrue, fmt.Sprintf("atProvider = %+v", vm.Status.AtProvider)
	})

	// The machine goes; its network interface, a resource of its own,
	// stays.
	f.deleteAndWait(t, vm)
	if _, err := f.VirtualMachines(t).Get(ctx, rg, vm.Name, nil); !isNotFound(err) {
		t.Errorf("machine: got error %v, want it gone from the cloud", err)
	}
	if _, err := f.Interfaces(t).Get(ctx, rg, nic.Name, nil); err != nil {
		t.Errorf("network interface deleted with the machine: %v", err)
	}
}

// TestLinuxVirtualMachineCreateInterrupted simulates a provider that
// stopped after Azure accepted a create but before it was recorded: the
// next reconcile adopts the machine by its name.
func TestLinuxVirtualMachineCreateInterrupted(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	nic, rg := f.network(t, "")
	vm := f.newMachine(f.name("vm"), rg, nic.Name)
	vm.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	f.create(t, vm)
	if _, err := f.VirtualMachines(t).BeginCreateOrUpdate(ctx, rg, vm.Name, armcompute.VirtualMachine{
		Location: new(location),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: new(armcompute.VirtualMachineSizeTypes("Standard_B1s"))},
			OSProfile: &armcompute.OSProfile{AdminUsername: new("azureuser"), ComputerName: new(vm.Name), LinuxConfiguration: &armcompute.LinuxConfiguration{
				DisablePasswordAuthentication: new(true),
				SSH:                           &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{KeyData: new(sshKey), Path: new("/home/azureuser/.ssh/authorized_keys")}}},
			}},
			StorageProfile: &armcompute.StorageProfile{ImageReference: &armcompute.ImageReference{Publisher: new("Canonical"), Offer: new("ubuntu-24_04-lts"), SKU: new("server")}},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{ID: new(nic.Status.AtProvider.ID)}}},
		},
	}, nil); err != nil {
		t.Fatal(err)
	}
	f.update(t, vm, func() {
		meta.SetExternalCreatePending(vm, time.Now())
		vm.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	})
	f.ready(t, vm)
	var names []string
	pager := f.VirtualMachines(t).NewListPager(rg, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Value {
			names = append(names, *m.Name)
		}
	}
	if len(names) != 1 || names[0] != vm.Name {
		t.Fatalf("machines in the cloud = %v, want exactly %s", names, vm.Name)
	}
	eventually(t, "adopted machine tagged", func() error {
		got, err := f.VirtualMachines(t).Get(ctx, rg, vm.Name, nil)
		if err != nil {
			return err
		}
		if v := deref(got.Tags[tagUID]); v != string(vm.GetUID()) {
			return fmt.Errorf("tags are %v", fromPtrMap(got.Tags))
		}
		return nil
	})
}

// TestLinuxVirtualMachineInvalid creates a machine whose password (from a
// Secret) Azure rejects: the resource reports Azure's error and never the
// password.
func TestLinuxVirtualMachineInvalid(t *testing.T) {
	f := setUp(t)
	nic, rg := f.network(t, "")
	const weak = "weakpassword"
	pw := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "vm-password"}, StringData: map[string]string{"password": weak}}
	if err := f.env.Client.Create(context.Background(), pw); err != nil {
		t.Fatal(err)
	}
	vm := f.newMachine(f.name("vm"), rg, nic.Name)
	vm.Spec.ForProvider.AdminSSHKey = nil
	vm.Spec.ForProvider.AdminPasswordSecretRef = &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: pw.Name}, Key: "password"}
	f.create(t, vm)
	f.env.WaitFor(t, vm, timeout, func(client.Object) (bool, string) {
		c := vm.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "InvalidParameter") || !strings.Contains(c.Message, "password") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	for _, c := range vm.Status.Conditions {
		if strings.Contains(c.Message, weak) {
			t.Errorf("condition %s holds the administrator password", c.Type)
		}
	}
	if contains(f.warnings(t, vm.Name), weak) {
		t.Error("an event holds the administrator password")
	}
}
