package virtualnetwork

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
	name = "core"
	rg   = "net"
	uid  = "3a1b2c3d-0000-4000-8000-000000000001"
	id   = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Network/virtualNetworks/" + name
)

// A cloud is what the fake API knows: the network (nil when there is none)
// and the writes it was asked for.
type cloud struct {
	vnet   *armnetwork.VirtualNetwork
	put    azfake.PollerResponder[armnetwork.VirtualNetworksClientCreateOrUpdateResponse]
	delete azfake.PollerResponder[armnetwork.VirtualNetworksClientDeleteResponse]

	calls []any
}

func (c *cloud) api(t *testing.T) API {
	t.Helper()
	srv := &fake.VirtualNetworksServer{
		Get: func(_ context.Context, _, _ string, _ *armnetwork.VirtualNetworksClientGetOptions) (azfake.Responder[armnetwork.VirtualNetworksClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armnetwork.VirtualNetworksClientGetResponse]
			if c.vnet == nil {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armnetwork.VirtualNetworksClientGetResponse{VirtualNetwork: *c.vnet}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreateOrUpdate: func(_ context.Context, _, _ string, v armnetwork.VirtualNetwork, _ *armnetwork.VirtualNetworksClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armnetwork.VirtualNetworksClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, v)
			return c.put, azfake.ErrorResponder{}
		},
		UpdateTags: func(_ context.Context, _, _ string, tags armnetwork.TagsObject, _ *armnetwork.VirtualNetworksClientUpdateTagsOptions) (azfake.Responder[armnetwork.VirtualNetworksClientUpdateTagsResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, tags)
			var r azfake.Responder[armnetwork.VirtualNetworksClientUpdateTagsResponse]
			r.SetResponse(http.StatusOK, armnetwork.VirtualNetworksClientUpdateTagsResponse{}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, string, *armnetwork.VirtualNetworksClientBeginDeleteOptions) (azfake.PollerResponder[armnetwork.VirtualNetworksClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, azfake.ErrorResponder{}
		},
	}
	api, err := NewAPI(fakes.Connection(fake.NewVirtualNetworksServerTransport(srv)))
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

// network returns a network as Azure shows it, with a subnet, in sync with
// newNetwork.
func network(mods ...func(*armnetwork.VirtualNetwork)) *armnetwork.VirtualNetwork {
	v := &armnetwork.VirtualNetwork{
		ID: new(id), Name: new(name), Location: new("eastus"), Etag: new(`W/"1"`),
		Tags: tags(map[string]string{"team": "platform"}),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace:      &armnetwork.AddressSpace{AddressPrefixes: []*string{new("10.0.0.0/16")}},
			ProvisioningState: new(armnetwork.ProvisioningStateSucceeded),
			ResourceGUID:      new("guid"),
			Subnets:           []*armnetwork.Subnet{{Name: new("apps"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new("10.0.1.0/24")}}},
		},
	}
	for _, m := range mods {
		m(v)
	}
	return v
}

func newNetwork(mods ...func(*v1beta1.VirtualNetwork)) *v1beta1.VirtualNetwork {
	cr := &v1beta1.VirtualNetwork{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.VirtualNetworkSpec{ForProvider: v1beta1.VirtualNetworkParameters{
			ResourceGroupName: new(rg), Location: new("eastus"), AddressSpace: []string{"10.0.0.0/16"},
			Tags: map[string]string{"team": "platform"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func observed(cr *v1beta1.VirtualNetwork) {
	cr.Status.AtProvider = v1beta1.VirtualNetworkObservation{
		ID: id, ProvisioningState: "Succeeded", ResourceGUID: "guid", AddressSpace: []string{"10.0.0.0/16"}, Subnets: []string{"apps"},
	}
	cr.SetConditions(xpv2.Available())
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason string
		vnet   *armnetwork.VirtualNetwork
		cr     *v1beta1.VirtualNetwork
		wantCR *v1beta1.VirtualNetwork
		want   managed.ExternalObservation
	}{
		"NotFound": {reason: "A network Azure does not have is created.", cr: newNetwork(), wantCR: newNetwork()},
		"UpToDate": {
			reason: "A network with the spec's space and tags is up to date and Available.",
			vnet:   network(),
			cr:     newNetwork(),
			wantCR: newNetwork(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"SpaceInAnyOrder": {
			reason: "Address spaces compare as sets.",
			vnet: network(func(v *armnetwork.VirtualNetwork) {
				v.Properties.AddressSpace.AddressPrefixes = []*string{new("10.1.0.0/16"), new("10.0.0.0/16")}
			}),
			cr: newNetwork(func(cr *v1beta1.VirtualNetwork) {
				cr.Spec.ForProvider.AddressSpace = []string{"10.0.0.0/16", "10.1.0.0/16"}
			}),
			wantCR: newNetwork(observed, func(cr *v1beta1.VirtualNetwork) {
				cr.Spec.ForProvider.AddressSpace = []string{"10.0.0.0/16", "10.1.0.0/16"}
				cr.Status.AtProvider.AddressSpace = []string{"10.1.0.0/16", "10.0.0.0/16"}
			}),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"TagsDiffer": {
			reason: "A network whose tags differ needs an update.",
			vnet:   network(func(v *armnetwork.VirtualNetwork) { v.Tags = tags(nil) }),
			cr:     newNetwork(),
			wantCR: newNetwork(observed),
			want:   managed.ExternalObservation{ResourceExists: true},
		},
		"LateInitialized": {
			reason: "An adopted network's location, space and tags fill an empty spec.",
			vnet:   network(),
			cr: newNetwork(func(cr *v1beta1.VirtualNetwork) {
				cr.Spec.ForProvider = v1beta1.VirtualNetworkParameters{ResourceGroupName: new(rg)}
			}),
			wantCR: newNetwork(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
		},
		"Deleting": {
			reason: "A network Azure is deleting is Deleting.",
			vnet: network(func(v *armnetwork.VirtualNetwork) {
				v.Properties.ProvisioningState = new(armnetwork.ProvisioningStateDeleting)
			}),
			cr: newNetwork(),
			wantCR: newNetwork(observed, func(cr *v1beta1.VirtualNetwork) {
				cr.Status.AtProvider.ProvisioningState = "Deleting"
				cr.SetConditions(xpv2.Deleting())
			}),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{vnet: tc.vnet}
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
	c := &cloud{put: fakes.Created(2, armnetwork.VirtualNetworksClientCreateOrUpdateResponse{})}
	e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil))}
	cr := newNetwork()
	if _, err := e.Create(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	want := []any{armnetwork.VirtualNetwork{
		Location:   new("eastus"),
		Tags:       tags(map[string]string{"team": "platform"}),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{new("10.0.0.0/16")}}},
	}}
	if diff := cmp.Diff(want, c.calls); diff != "" {
		t.Errorf("Create(...): -want calls, +got calls:\n%s", diff)
	}
	if op := clients.GetOperation(cr); op == nil || op.Verb != clients.VerbCreate {
		t.Errorf("Create(...): operation %+v, want the create recorded", op)
	}
}

func TestUpdate(t *testing.T) {
	type want struct {
		calls   []any
		patches []string
	}
	cases := map[string]struct {
		reason string
		cr     *v1beta1.VirtualNetwork
		want   want
	}{
		"TagsOnly": {
			reason: "Changed tags alone are a PATCH of the tags, done at once.",
			cr:     newNetwork(func(cr *v1beta1.VirtualNetwork) { cr.Spec.ForProvider.Tags = map[string]string{"team": "data"} }),
			want:   want{calls: []any{armnetwork.TagsObject{Tags: tags(map[string]string{"team": "data"})}}},
		},
		"AddressSpace": {
			reason: "A new address space is a PUT of the network as Azure showed it, subnets included, with the new space and the tags.",
			cr: newNetwork(func(cr *v1beta1.VirtualNetwork) {
				cr.Spec.ForProvider.AddressSpace = []string{"10.0.0.0/16", "10.1.0.0/16"}
			}),
			want: want{
				calls: []any{armnetwork.VirtualNetwork{
					ID: new(id), Name: new(name), Location: new("eastus"),
					Tags: tags(map[string]string{"team": "platform"}),
					Properties: &armnetwork.VirtualNetworkPropertiesFormat{
						AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{new("10.0.0.0/16"), new("10.1.0.0/16")}},
						Subnets:      []*armnetwork.Subnet{{Name: new("apps"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new("10.0.1.0/24")}}},
					},
				}},
				patches: []string{"azure.stratus.dev/operation=update"},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{put: fakes.Created(2, armnetwork.VirtualNetworksClientCreateOrUpdateResponse{})}
			k := fakes.NewKube(nil)
			e := &external{api: c.api(t), ops: clients.NewOperations(k), vnet: network()}
			if _, err := e.Update(context.Background(), tc.cr); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, want{calls: c.calls, patches: k.Patches}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nUpdate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	cases := map[string]struct {
		reason string
		cr     *v1beta1.VirtualNetwork
		op     *clients.Operation
		want   []any
	}{
		"Started":  {reason: "The deletion is started.", cr: newNetwork(observed), want: []any{"delete"}},
		"Deleting": {reason: "A network being deleted is not deleted again.", cr: newNetwork(observed, func(cr *v1beta1.VirtualNetwork) { cr.Status.AtProvider.ProvisioningState = "Deleting" })},
		"Underway": {reason: "A deletion in progress is not started again.", cr: newNetwork(observed), op: &clients.Operation{Verb: clients.VerbDelete, Token: "t"}},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{delete: fakes.Accepted(2, armnetwork.VirtualNetworksClientDeleteResponse{})}
			e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil)), op: tc.op}
			if _, err := e.Delete(context.Background(), tc.cr); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.calls); diff != "" {
				t.Errorf("%s\nDelete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}
