package linuxvirtualmachine

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	computefake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	networkfake "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8/fake"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/compute/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
	"github.com/stratus-dev/stratus/providers/azure/internal/fakes"
)

const (
	name  = "web"
	rg    = "apps"
	uid   = "9f8e7d6c-0000-4000-8000-000000000003"
	id    = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/virtualMachines/" + name
	nicID = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Network/networkInterfaces/web-nic"
	pipID = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Network/publicIPAddresses/web-ip"
	key   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample stratus@test"
)

// A cloud is what the fake APIs know: the machine (nil when there is none),
// and the writes they were asked for.
type cloud struct {
	vm     *armcompute.VirtualMachine
	put    azfake.PollerResponder[armcompute.VirtualMachinesClientCreateOrUpdateResponse]
	putErr azfake.ErrorResponder
	patch  azfake.PollerResponder[armcompute.VirtualMachinesClientUpdateResponse]
	delete azfake.PollerResponder[armcompute.VirtualMachinesClientDeleteResponse]

	calls []any
}

func (c *cloud) apis(t *testing.T) APIs {
	t.Helper()
	vms := &computefake.VirtualMachinesServer{
		Get: func(_ context.Context, _, _ string, o *armcompute.VirtualMachinesClientGetOptions) (azfake.Responder[armcompute.VirtualMachinesClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armcompute.VirtualMachinesClientGetResponse]
			if c.vm == nil {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			if o == nil || o.Expand == nil || *o.Expand != armcompute.InstanceViewTypesInstanceView {
				t.Errorf("Get(...) without the instance view: the power state is unknown")
			}
			r.SetResponse(http.StatusOK, armcompute.VirtualMachinesClientGetResponse{VirtualMachine: *c.vm}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreateOrUpdate: func(_ context.Context, _, _ string, vm armcompute.VirtualMachine, _ *armcompute.VirtualMachinesClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armcompute.VirtualMachinesClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, vm)
			return c.put, c.putErr
		},
		BeginUpdate: func(_ context.Context, _, _ string, vm armcompute.VirtualMachineUpdate, _ *armcompute.VirtualMachinesClientBeginUpdateOptions) (azfake.PollerResponder[armcompute.VirtualMachinesClientUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, vm)
			return c.patch, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, string, *armcompute.VirtualMachinesClientBeginDeleteOptions) (azfake.PollerResponder[armcompute.VirtualMachinesClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, azfake.ErrorResponder{}
		},
	}
	network := &networkfake.ServerFactory{
		InterfacesServer: networkfake.InterfacesServer{
			Get: func(_ context.Context, g, n string, _ *armnetwork.InterfacesClientGetOptions) (azfake.Responder[armnetwork.InterfacesClientGetResponse], azfake.ErrorResponder) {
				var r azfake.Responder[armnetwork.InterfacesClientGetResponse]
				if g != rg || n != "web-nic" {
					return r, fakes.Error(http.StatusNotFound, "NotFound")
				}
				r.SetResponse(http.StatusOK, armnetwork.InterfacesClientGetResponse{Interface: armnetwork.Interface{Properties: &armnetwork.InterfacePropertiesFormat{
					IPConfigurations: []*armnetwork.InterfaceIPConfiguration{{Properties: &armnetwork.InterfaceIPConfigurationPropertiesFormat{
						Primary: new(true), PrivateIPAddress: new("10.0.1.4"), PublicIPAddress: &armnetwork.PublicIPAddress{ID: new(pipID)},
					}}},
				}}}, nil)
				return r, azfake.ErrorResponder{}
			},
		},
		PublicIPAddressesServer: networkfake.PublicIPAddressesServer{
			Get: func(context.Context, string, string, *armnetwork.PublicIPAddressesClientGetOptions) (azfake.Responder[armnetwork.PublicIPAddressesClientGetResponse], azfake.ErrorResponder) {
				var r azfake.Responder[armnetwork.PublicIPAddressesClientGetResponse]
				r.SetResponse(http.StatusOK, armnetwork.PublicIPAddressesClientGetResponse{PublicIPAddress: armnetwork.PublicIPAddress{
					Properties: &armnetwork.PublicIPAddressPropertiesFormat{IPAddress: new("203.0.113.7")},
				}}, nil)
				return r, azfake.ErrorResponder{}
			},
		},
	}
	vmAPIs, err := NewAPIs(fakes.Connection(computefake.NewVirtualMachinesServerTransport(vms)))
	if err != nil {
		t.Fatal(err)
	}
	netAPIs, err := NewAPIs(fakes.Connection(networkfake.NewServerFactoryTransport(network)))
	if err != nil {
		t.Fatal(err)
	}
	return APIs{VMs: vmAPIs.VMs, Interfaces: netAPIs.Interfaces, PublicIPs: netAPIs.PublicIPs}
}

func tags(m map[string]string) map[string]*string {
	all := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(all, m)
	return clients.ToPtrMap(all)
}

// azureMachine returns a running machine as Azure shows it, in sync with
// newMachine.
func azureMachine(mods ...func(*armcompute.VirtualMachine)) *armcompute.VirtualMachine {
	vm := &armcompute.VirtualMachine{
		ID: new(id), Name: new(name), Location: new("eastus"),
		Tags: tags(map[string]string{"role": "web"}),
		Properties: &armcompute.VirtualMachineProperties{
			VMID:              new("vm-1"),
			ProvisioningState: new("Succeeded"),
			HardwareProfile:   &armcompute.HardwareProfile{VMSize: new(armcompute.VirtualMachineSizeTypes("Standard_B1s"))},
			OSProfile: &armcompute.OSProfile{AdminUsername: new("azureuser"), ComputerName: new(name), LinuxConfiguration: &armcompute.LinuxConfiguration{
				DisablePasswordAuthentication: new(true),
				SSH:                           &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{KeyData: new(key), Path: new("/home/azureuser/.ssh/authorized_keys")}}},
			}},
			StorageProfile: &armcompute.StorageProfile{
				ImageReference: &armcompute.ImageReference{Publisher: new("Canonical"), Offer: new("ubuntu-24_04-lts"), SKU: new("server"), Version: new("latest")},
				OSDisk: &armcompute.OSDisk{Name: new("web_OsDisk_1"), Caching: new(armcompute.CachingTypesReadWrite), DiskSizeGB: new(int32(30)),
					ManagedDisk: &armcompute.ManagedDiskParameters{StorageAccountType: new(armcompute.StorageAccountTypesStandardSSDLRS)}},
			},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{ID: new(nicID)}}},
			InstanceView: &armcompute.VirtualMachineInstanceView{Statuses: []*armcompute.InstanceViewStatus{
				{Code: new("ProvisioningState/succeeded")}, {Code: new("PowerState/running")},
			}},
		},
	}
	for _, m := range mods {
		m(vm)
	}
	return vm
}

func newMachine(mods ...func(*v1beta1.LinuxVirtualMachine)) *v1beta1.LinuxVirtualMachine {
	cr := &v1beta1.LinuxVirtualMachine{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.LinuxVirtualMachineSpec{ForProvider: v1beta1.LinuxVirtualMachineParameters{
			ResourceGroupName:    new(rg),
			Location:             new("eastus"),
			Size:                 new("Standard_B1s"),
			AdminUsername:        new("azureuser"),
			AdminSSHKey:          new(key),
			OSDisk:               &v1beta1.OSDisk{Caching: new("ReadWrite"), StorageAccountType: new("StandardSSD_LRS"), DiskSizeGB: new(int32(30))},
			SourceImageReference: &v1beta1.SourceImageReference{Publisher: "Canonical", Offer: "ubuntu-24_04-lts", SKU: "server", Version: new("latest")},
			NetworkInterfaceIDs:  []string{nicID},
			Tags:                 map[string]string{"role": "web"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func observed(cr *v1beta1.LinuxVirtualMachine) {
	cr.Status.AtProvider = v1beta1.LinuxVirtualMachineObservation{
		ID: id, VMID: "vm-1", ProvisioningState: "Succeeded", PowerState: "running", Size: "Standard_B1s",
		PrivateIPAddress: "10.0.1.4", PublicIPAddress: "203.0.113.7", OSDiskName: "web_OsDisk_1",
	}
	cr.SetConditions(xpv2.Available())
}

var details = managed.ConnectionDetails{"username": []byte("azureuser"), "privateIP": []byte("10.0.1.4"), "publicIP": []byte("203.0.113.7")}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason string
		vm     *armcompute.VirtualMachine
		cr     *v1beta1.LinuxVirtualMachine
		wantCR *v1beta1.LinuxVirtualMachine
		want   managed.ExternalObservation
	}{
		"NotFound": {reason: "A machine Azure does not have is created.", cr: newMachine(), wantCR: newMachine()},
		"UpToDate": {
			reason: "A running machine that matches the spec is up to date and Available, and publishes its addresses.",
			vm:     azureMachine(),
			cr:     newMachine(),
			wantCR: newMachine(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details},
		},
		"Stopped": {
			reason: "A deallocated machine is Unavailable, with its power state.",
			vm: azureMachine(func(vm *armcompute.VirtualMachine) {
				vm.Properties.InstanceView.Statuses[1].Code = new("PowerState/deallocated")
			}),
			cr: newMachine(),
			wantCR: newMachine(observed, func(cr *v1beta1.LinuxVirtualMachine) {
				cr.Status.AtProvider.PowerState = "deallocated"
				cr.SetConditions(xpv2.Unavailable().WithMessage("power state is deallocated"))
			}),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details},
		},
		"Creating": {
			reason: "A machine being created is Creating.",
			vm:     azureMachine(func(vm *armcompute.VirtualMachine) { vm.Properties.ProvisioningState = new("Creating") }),
			cr:     newMachine(),
			wantCR: newMachine(observed, func(cr *v1beta1.LinuxVirtualMachine) {
				cr.Status.AtProvider.ProvisioningState = "Creating"
				cr.SetConditions(xpv2.Creating())
			}),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details},
		},
		"Resized": {
			reason: "A machine of another size needs an update.",
			vm:     azureMachine(),
			cr:     newMachine(func(cr *v1beta1.LinuxVirtualMachine) { cr.Spec.ForProvider.Size = new("Standard_B2s") }),
			wantCR: newMachine(observed, func(cr *v1beta1.LinuxVirtualMachine) { cr.Spec.ForProvider.Size = new("Standard_B2s") }),
			want:   managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details},
		},
		"LateInitialized": {
			reason: "An adopted machine's configuration fills an empty spec.",
			vm:     azureMachine(),
			cr: newMachine(func(cr *v1beta1.LinuxVirtualMachine) {
				cr.Spec.ForProvider = v1beta1.LinuxVirtualMachineParameters{ResourceGroupName: new(rg)}
			}),
			wantCR: newMachine(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: details},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{vm: tc.vm}
			e := &external{apis: c.apis(t), ops: clients.NewOperations(fakes.NewKube(nil))}
			o, err := e.Observe(context.Background(), tc.cr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantCR, tc.cr); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

// secretKube returns an API server stub whose Secret vm-password holds pw.
func secretKube(pw string) *fakes.Kube {
	return fakes.NewKube(func(_ context.Context, k client.ObjectKey, obj client.Object) error {
		s, ok := obj.(*corev1.Secret)
		if !ok || k.Name != "vm-password" {
			return kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, k.Name)
		}
		s.Data = map[string][]byte{"password": []byte(pw)}
		return nil
	})
}

func TestCreate(t *testing.T) {
	created := func(mods ...func(*armcompute.VirtualMachine)) armcompute.VirtualMachine {
		vm := armcompute.VirtualMachine{
			Location: new("eastus"),
			Tags:     tags(map[string]string{"role": "web"}),
			Properties: &armcompute.VirtualMachineProperties{
				HardwareProfile: &armcompute.HardwareProfile{VMSize: new(armcompute.VirtualMachineSizeTypes("Standard_B1s"))},
				OSProfile: &armcompute.OSProfile{AdminUsername: new("azureuser"), ComputerName: new(name), LinuxConfiguration: &armcompute.LinuxConfiguration{
					DisablePasswordAuthentication: new(true),
					SSH:                           &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{KeyData: new(key), Path: new("/home/azureuser/.ssh/authorized_keys")}}},
				}},
				StorageProfile: &armcompute.StorageProfile{
					ImageReference: &armcompute.ImageReference{Publisher: new("Canonical"), Offer: new("ubuntu-24_04-lts"), SKU: new("server"), Version: new("latest")},
					OSDisk: &armcompute.OSDisk{
						CreateOption: new(armcompute.DiskCreateOptionTypesFromImage),
						DeleteOption: new(armcompute.DiskDeleteOptionTypesDelete),
						Caching:      new(armcompute.CachingTypesReadWrite),
						DiskSizeGB:   new(int32(30)),
						ManagedDisk:  &armcompute.ManagedDiskParameters{StorageAccountType: new(armcompute.StorageAccountTypesStandardSSDLRS)},
					},
				},
				NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{ID: new(nicID), Properties: &armcompute.NetworkInterfaceReferenceProperties{
					Primary: new(true), DeleteOption: new(armcompute.DeleteOptionsDetach),
				}}}},
			},
		}
		for _, m := range mods {
			m(&vm)
		}
		return vm
	}
	type want struct {
		calls []any
		err   string
	}
	cases := map[string]struct {
		reason string
		cr     *v1beta1.LinuxVirtualMachine
		putErr azfake.ErrorResponder
		want   want
	}{
		"SSHKey": {
			reason: "A machine with a key has password logins off; its OS disk goes with it, its interface stays.",
			cr:     newMachine(),
			want:   want{calls: []any{created()}},
		},
		"Password": {
			reason: "A machine with a password from a Secret sends it once, at creation.",
			cr: newMachine(func(cr *v1beta1.LinuxVirtualMachine) {
				cr.Spec.ForProvider.AdminSSHKey = nil
				cr.Spec.ForProvider.AdminPasswordSecretRef = &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "vm-password"}, Key: "password"}
			}),
			want: want{calls: []any{created(func(vm *armcompute.VirtualMachine) {
				vm.Properties.OSProfile.AdminPassword = new("Sup3r-secret")
				vm.Properties.OSProfile.LinuxConfiguration = &armcompute.LinuxConfiguration{DisablePasswordAuthentication: new(false)}
			})}},
		},
		"PasswordRedacted": {
			reason: "An error that quotes the password does not reach the resource.",
			cr: newMachine(func(cr *v1beta1.LinuxVirtualMachine) {
				cr.Spec.ForProvider.AdminSSHKey = nil
				cr.Spec.ForProvider.AdminPasswordSecretRef = &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "vm-password"}, Key: "password"}
			}),
			putErr: func() azfake.ErrorResponder {
				var e azfake.ErrorResponder
				e.SetError(errors.New("adminPassword Sup3r-secret is invalid"))
				return e
			}(),
			want: want{err: "cannot create virtual machine: adminPassword [redacted] is invalid"},
		},
		"NoLogin": {
			reason: "A machine needs a key or a password.",
			cr:     newMachine(func(cr *v1beta1.LinuxVirtualMachine) { cr.Spec.ForProvider.AdminSSHKey = nil }),
			want:   want{err: "cannot create virtual machine: spec.forProvider needs adminSshKey or adminPasswordSecretRef"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{put: fakes.Created(2, armcompute.VirtualMachinesClientCreateOrUpdateResponse{}), putErr: tc.putErr}
			k := secretKube("Sup3r-secret")
			e := &external{apis: c.apis(t), ops: clients.NewOperations(k), kube: k}
			_, err := e.Create(context.Background(), tc.cr)
			got := want{calls: c.calls}
			if err != nil {
				got.err = err.Error()
				got.calls = nil
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCreate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	cases := map[string]struct {
		reason string
		cr     *v1beta1.LinuxVirtualMachine
		want   []any
	}{
		"Size": {
			reason: "A resize is a PATCH of the size alone.",
			cr:     newMachine(func(cr *v1beta1.LinuxVirtualMachine) { cr.Spec.ForProvider.Size = new("Standard_B2s") }),
			want: []any{armcompute.VirtualMachineUpdate{Properties: &armcompute.VirtualMachineProperties{
				HardwareProfile: &armcompute.HardwareProfile{VMSize: new(armcompute.VirtualMachineSizeTypes("Standard_B2s"))},
			}}},
		},
		"Tags": {
			reason: "New tags are a PATCH of the tags alone.",
			cr:     newMachine(func(cr *v1beta1.LinuxVirtualMachine) { cr.Spec.ForProvider.Tags = map[string]string{"role": "api"} }),
			want:   []any{armcompute.VirtualMachineUpdate{Tags: tags(map[string]string{"role": "api"})}},
		},
		"UpToDate": {
			reason: "Nothing to change, no call.",
			cr:     newMachine(),
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{patch: fakes.InProgress(http.StatusOK, 2, armcompute.VirtualMachinesClientUpdateResponse{})}
			k := fakes.NewKube(nil)
			e := &external{apis: c.apis(t), ops: clients.NewOperations(k), vm: azureMachine()}
			if _, err := e.Update(context.Background(), tc.cr); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.calls); diff != "" {
				t.Errorf("%s\nUpdate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	c := &cloud{delete: fakes.Accepted(2, armcompute.VirtualMachinesClientDeleteResponse{})}
	k := fakes.NewKube(nil)
	e := &external{apis: c.apis(t), ops: clients.NewOperations(k)}
	cr := newMachine(observed)
	if _, err := e.Delete(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{"delete"}, c.calls); diff != "" {
		t.Errorf("Delete(...): -want calls, +got calls:\n%s", diff)
	}
	cr.Status.AtProvider.ProvisioningState = "Deleting"
	if _, err := e.Delete(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if len(c.calls) != 1 {
		t.Errorf("Delete(...) of a machine being deleted: %d calls, want none more", len(c.calls)-1)
	}
}
