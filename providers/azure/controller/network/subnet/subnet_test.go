package subnet

import (
	"context"
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
	name = "apps"
	rg   = "net"
	vnet = "core"
	id   = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.Network/virtualNetworks/" + vnet + "/subnets/" + name
)

// A cloud is what the fake API knows: the subnet (nil when there is none)
// and the writes it was asked for.
type cloud struct {
	subnet    *armnetwork.Subnet
	put       azfake.PollerResponder[armnetwork.SubnetsClientCreateOrUpdateResponse]
	delete    azfake.PollerResponder[armnetwork.SubnetsClientDeleteResponse]
	deleteErr azfake.ErrorResponder

	calls []any
}

func (c *cloud) api(t *testing.T) API {
	t.Helper()
	srv := &fake.SubnetsServer{
		Get: func(_ context.Context, g, v, n string, _ *armnetwork.SubnetsClientGetOptions) (azfake.Responder[armnetwork.SubnetsClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armnetwork.SubnetsClientGetResponse]
			if c.subnet == nil || g != rg || v != vnet || n != name {
				return r, fakes.Error(http.StatusNotFound, "NotFound")
			}
			r.SetResponse(http.StatusOK, armnetwork.SubnetsClientGetResponse{Subnet: *c.subnet}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreateOrUpdate: func(_ context.Context, _, _, _ string, s armnetwork.Subnet, _ *armnetwork.SubnetsClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armnetwork.SubnetsClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, s)
			return c.put, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, string, string, *armnetwork.SubnetsClientBeginDeleteOptions) (azfake.PollerResponder[armnetwork.SubnetsClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, c.deleteErr
		},
	}
	api, err := NewAPI(fakes.Connection(fake.NewSubnetsServerTransport(srv)))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// azureSubnet returns a subnet as Azure shows it, with a route table Stratus
// does not manage and a network interface in it.
func azureSubnet(prefixes ...string) *armnetwork.Subnet {
	s := &armnetwork.Subnet{
		ID: new(id), Name: new(name), Etag: new(`W/"1"`),
		Properties: &armnetwork.SubnetPropertiesFormat{
			ProvisioningState: new(armnetwork.ProvisioningStateSucceeded),
			RouteTable:        &armnetwork.RouteTable{ID: new("/routeTables/rt")},
			IPConfigurations:  []*armnetwork.IPConfiguration{{ID: new("/networkInterfaces/nic/ipConfigurations/primary")}},
		},
	}
	setPrefixes(s.Properties, prefixes)
	return s
}

func newSubnet(mods ...func(*v1beta1.Subnet)) *v1beta1.Subnet {
	cr := &v1beta1.Subnet{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid"), ResourceVersion: "1"},
		Spec: v1beta1.SubnetSpec{ForProvider: v1beta1.SubnetParameters{
			ResourceGroupName: new(rg), VirtualNetworkName: new(vnet), AddressPrefixes: []string{"10.0.1.0/24"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func observed(prefixes ...string) func(*v1beta1.Subnet) {
	return func(cr *v1beta1.Subnet) {
		cr.Status.AtProvider = v1beta1.SubnetObservation{ID: id, ProvisioningState: "Succeeded", AddressPrefixes: prefixes, IPConfigurations: 1}
		cr.SetConditions(xpv2.Available())
	}
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason string
		subnet *armnetwork.Subnet
		cr     *v1beta1.Subnet
		wantCR *v1beta1.Subnet
		want   managed.ExternalObservation
	}{
		"NotFound": {reason: "A subnet (or network) Azure does not have is created.", cr: newSubnet(), wantCR: newSubnet()},
		"UpToDate": {
			reason: "A subnet with the spec's range is up to date.",
			subnet: azureSubnet("10.0.1.0/24"),
			cr:     newSubnet(),
			wantCR: newSubnet(observed("10.0.1.0/24")),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"SeveralRanges": {
			reason: "Ranges in addressPrefixes compare as a set.",
			subnet: azureSubnet("10.0.2.0/24", "10.0.1.0/24"),
			cr:     newSubnet(func(cr *v1beta1.Subnet) { cr.Spec.ForProvider.AddressPrefixes = []string{"10.0.1.0/24", "10.0.2.0/24"} }),
			wantCR: newSubnet(observed("10.0.2.0/24", "10.0.1.0/24"), func(cr *v1beta1.Subnet) {
				cr.Spec.ForProvider.AddressPrefixes = []string{"10.0.1.0/24", "10.0.2.0/24"}
			}),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"RangeDiffers": {
			reason: "A subnet whose range differs needs an update.",
			subnet: azureSubnet("10.0.9.0/24"),
			cr:     newSubnet(),
			wantCR: newSubnet(observed("10.0.9.0/24")),
			want:   managed.ExternalObservation{ResourceExists: true},
		},
		"LateInitialized": {
			reason: "An adopted subnet's ranges fill an empty spec.",
			subnet: azureSubnet("10.0.1.0/24"),
			cr:     newSubnet(func(cr *v1beta1.Subnet) { cr.Spec.ForProvider.AddressPrefixes = nil }),
			wantCR: newSubnet(observed("10.0.1.0/24")),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{subnet: tc.subnet}
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

func TestCreateAndUpdate(t *testing.T) {
	c := &cloud{put: fakes.Created(2, armnetwork.SubnetsClientCreateOrUpdateResponse{})}
	k := fakes.NewKube(nil)
	e := &external{api: c.api(t), ops: clients.NewOperations(k), subnet: azureSubnet("10.0.1.0/24")}
	if _, err := e.Create(context.Background(), newSubnet()); err != nil {
		t.Fatal(err)
	}
	// The fake server follows one operation per resource at a time: the
	// update goes to another.
	creates := c.calls
	c = &cloud{put: fakes.Created(2, armnetwork.SubnetsClientCreateOrUpdateResponse{}), calls: creates}
	e.api = c.api(t)
	if _, err := e.Update(context.Background(), newSubnet(func(cr *v1beta1.Subnet) {
		cr.Spec.ForProvider.AddressPrefixes = []string{"10.0.1.0/24", "10.0.2.0/24"}
	})); err != nil {
		t.Fatal(err)
	}
	updated := azureSubnet("10.0.1.0/24", "10.0.2.0/24")
	updated.Etag, updated.Properties.ProvisioningState = nil, nil
	want := []any{
		// The create: the range alone, in the field every version knows.
		armnetwork.Subnet{Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: new("10.0.1.0/24")}},
		// The update: the subnet as Azure showed it (its route table
		// stays), with the new ranges.
		*updated,
	}
	if diff := cmp.Diff(want, c.calls); diff != "" {
		t.Errorf("Create(...), Update(...): -want calls, +got calls:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"azure.stratus.dev/operation=update"}, k.Patches); diff != "" {
		t.Errorf("Update(...): -want patches, +got patches:\n%s", diff)
	}
}

func TestDelete(t *testing.T) {
	cases := map[string]struct {
		reason    string
		deleteErr azfake.ErrorResponder
		want      string
	}{
		"Started": {reason: "The deletion is started."},
		"InUse": {
			reason:    "A subnet network interfaces use cannot go: Azure's error is returned, and the delete retried.",
			deleteErr: fakes.Error(http.StatusBadRequest, "InUseSubnetCannotBeDeleted"),
			want:      "cannot delete subnet: InUseSubnetCannotBeDeleted",
		},
		"Gone": {reason: "A subnet that is gone is deleted.", deleteErr: fakes.Error(http.StatusNotFound, "NotFound")},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{delete: fakes.Accepted(2, armnetwork.SubnetsClientDeleteResponse{}), deleteErr: tc.deleteErr}
			e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil))}
			_, err := e.Delete(context.Background(), newSubnet())
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}
