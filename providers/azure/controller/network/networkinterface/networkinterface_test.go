package networkinterface

import (
	"context"
	"maps"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8/fake"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/network/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
	"github.com/stratus-dev/stratus/providers/azure/internal/fakes"
)

const (
	name   = "web-nic"
	rg     = "net"
	uid    = "7c1d2e3f-0000-4000-8000-000000000002"
	id     = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Network/networkInterfaces/" + name
	subnet = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Network/virtualNetworks/core/subnets/apps"
	vmID   = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Compute/virtualMachines/web"
)

// A cloud is what the fake API knows: the interface (nil when there is
// none) and the writes it was asked for.
type cloud struct {
	nic *armnetwork.Interface
	put azfake.PollerResponder[armnetwork.InterfacesClientCreateOrUpdateResponse]

	calls []any
}

func (c *cloud) api(t *testing.T) API {
	t.Helper()
	srv := &fake.InterfacesServer{
		Get: func(_ context.Context, _, _ string, _ *armnetwork.InterfacesClientGetOptions) (azfake.Responder[armnetwork.InterfacesClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armnetwork.InterfacesClientGetResponse]
			if c.nic == nil {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armnetwork.InterfacesClientGetResponse{Interface: *c.nic}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreateOrUpdate: func(_ context.Context, _, _ string, n armnetwork.Interface, _ *armnetwork.InterfacesClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armnetwork.InterfacesClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, n)
			return c.put, azfake.ErrorResponder{}
		},
		UpdateTags: func(_ context.Context, _, _ string, tags armnetwork.TagsObject, _ *armnetwork.InterfacesClientUpdateTagsOptions) (azfake.Responder[armnetwork.InterfacesClientUpdateTagsResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, tags)
			var r azfake.Responder[armnetwork.InterfacesClientUpdateTagsResponse]
			r.SetResponse(http.StatusOK, armnetwork.InterfacesClientUpdateTagsResponse{}, nil)
			return r, azfake.ErrorResponder{}
		},
	}
	api, err := NewAPI(fakes.Connection(fake.NewInterfacesServerTransport(srv)))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func tags(m map[string]string) map[string]*string {
	all := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(all, m)
	return clients.ToPtrMap(all)
}

// nic returns an interface as Azure shows it, attached to a machine, in
// sync with newNIC.
func nic(mods ...func(*armnetwork.InterfaceIPConfigurationPropertiesFormat)) *armnetwork.Interface {
	c := &armnetwork.InterfaceIPConfigurationPropertiesFormat{
		Subnet:                    &armnetwork.Subnet{ID: new(subnet)},
		PrivateIPAllocationMethod: new(armnetwork.IPAllocationMethodDynamic),
		PrivateIPAddress:          new("10.0.1.4"),
		Primary:                   new(true),
		ProvisioningState:         new(armnetwork.ProvisioningStateSucceeded),
	}
	for _, m := range mods {
		m(c)
	}
	return &armnetwork.Interface{
		ID: new(id), Name: new(name), Location: new("eastus"), Etag: new(`W/"1"`),
		Tags: tags(map[string]string{"role": "web"}),
		Properties: &armnetwork.InterfacePropertiesFormat{
			ProvisioningState:  new(armnetwork.ProvisioningStateSucceeded),
			MacAddress:         new("00-0D-3A-00-00-01"),
			VirtualMachine:     &armnetwork.SubResource{ID: new(vmID)},
			EnableIPForwarding: new(true),
			IPConfigurations:   []*armnetwork.InterfaceIPConfiguration{{ID: new(id + "/ipConfigurations/ipconfig1"), Name: new("ipconfig1"), Properties: c}},
		},
	}
}

func newNIC(mods ...func(*v1beta1.NetworkInterface)) *v1beta1.NetworkInterface {
	cr := &v1beta1.NetworkInterface{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.NetworkInterfaceSpec{ForProvider: v1beta1.NetworkInterfaceParameters{
			ResourceGroupName: new(rg), Location: new("eastus"), SubnetID: new(subnet),
			PrivateIPAddressAllocation: new("Dynamic"), Tags: map[string]string{"role": "web"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func observed(cr *v1beta1.NetworkInterface) {
	cr.Status.AtProvider = v1beta1.NetworkInterfaceObservation{
		ID: id, ProvisioningState: "Succeeded", PrivateIPAddress: "10.0.1.4", MACAddress: "00-0D-3A-00-00-01", VirtualMachineID: vmID,
	}
	cr.SetConditions(xpv2.Available())
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason string
		nic    *armnetwork.Interface
		cr     *v1beta1.NetworkInterface
		wantCR *v1beta1.NetworkInterface
		want   managed.ExternalObservation
	}{
		"NotFound": {reason: "An interface Azure does not have is created.", cr: newNIC(), wantCR: newNIC()},
		"UpToDate": {
			reason: "An interface in the spec's subnet, with a dynamic address, is up to date whatever address Azure chose.",
			nic:    nic(),
			cr:     newNIC(),
			wantCR: newNIC(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"StaticAddressDiffers": {
			reason: "A static address other than the spec's needs an update.",
			nic:    nic(),
			cr: newNIC(func(cr *v1beta1.NetworkInterface) {
				cr.Spec.ForProvider.PrivateIPAddressAllocation, cr.Spec.ForProvider.PrivateIPAddress = new("Static"), new("10.0.1.10")
			}),
			wantCR: newNIC(observed, func(cr *v1beta1.NetworkInterface) {
				cr.Spec.ForProvider.PrivateIPAddressAllocation, cr.Spec.ForProvider.PrivateIPAddress = new("Static"), new("10.0.1.10")
			}),
			want: managed.ExternalObservation{ResourceExists: true},
		},
		"LateInitialized": {
			reason: "An adopted interface fills an empty spec, but not with an address Azure chose.",
			nic:    nic(),
			cr: newNIC(func(cr *v1beta1.NetworkInterface) {
				cr.Spec.ForProvider = v1beta1.NetworkInterfaceParameters{ResourceGroupName: new(rg)}
			}),
			wantCR: newNIC(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{nic: tc.nic}
			e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil))}
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

func TestCreate(t *testing.T) {
	c := &cloud{put: fakes.Created(2, armnetwork.InterfacesClientCreateOrUpdateResponse{})}
	e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil))}
	cr := newNIC(func(cr *v1beta1.NetworkInterface) {
		cr.Spec.ForProvider.PublicIPAddressID = new("/publicIPAddresses/pip")
	})
	if _, err := e.Create(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	want := []any{armnetwork.Interface{
		Location: new("eastus"),
		Tags:     tags(map[string]string{"role": "web"}),
		Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{{
			Name: new("primary"),
			Properties: &armnetwork.InterfaceIPConfigurationPropertiesFormat{
				Primary:                   new(true),
				Subnet:                    &armnetwork.Subnet{ID: new(subnet)},
				PrivateIPAllocationMethod: new(armnetwork.IPAllocationMethodDynamic),
				PublicIPAddress:           &armnetwork.PublicIPAddress{ID: new("/publicIPAddresses/pip")},
			},
		}}},
	}}
	if diff := cmp.Diff(want, c.calls); diff != "" {
		t.Errorf("Create(...): -want calls, +got calls:\n%s", diff)
	}
}

func TestUpdate(t *testing.T) {
	type want struct {
		calls   []any
		patches []string
	}
	static := nic(func(c *armnetwork.InterfaceIPConfigurationPropertiesFormat) {
		c.PrivateIPAllocationMethod, c.PrivateIPAddress, c.ProvisioningState = new(armnetwork.IPAllocationMethodStatic), new("10.0.1.10"), nil
	})
	static.Etag, static.Properties.ProvisioningState = nil, nil
	static.Properties.IPConfigurations[0].ID = new(id + "/ipConfigurations/ipconfig1")
	cases := map[string]struct {
		reason string
		cr     *v1beta1.NetworkInterface
		want   want
	}{
		"TagsOnly": {
			reason: "Changed tags alone are a PATCH of the tags, done at once.",
			cr:     newNIC(func(cr *v1beta1.NetworkInterface) { cr.Spec.ForProvider.Tags = map[string]string{"role": "api"} }),
			want:   want{calls: []any{armnetwork.TagsObject{Tags: tags(map[string]string{"role": "api"})}}},
		},
		"StaticAddress": {
			reason: "A new address is a PUT of the interface as Azure showed it (its IP forwarding and configuration name stay) with the address.",
			cr: newNIC(func(cr *v1beta1.NetworkInterface) {
				cr.Spec.ForProvider.PrivateIPAddressAllocation, cr.Spec.ForProvider.PrivateIPAddress = new("Static"), new("10.0.1.10")
			}),
			want: want{calls: []any{*static}, patches: []string{"azure.stratus.dev/operation=update"}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{put: fakes.Created(2, armnetwork.InterfacesClientCreateOrUpdateResponse{})}
			k := fakes.NewKube(nil)
			e := &external{api: c.api(t), ops: clients.NewOperations(k), nic: nic()}
			if _, err := e.Update(context.Background(), tc.cr); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, want{calls: c.calls, patches: k.Patches}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nUpdate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
