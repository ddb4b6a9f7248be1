package subnetwork

import (
	"context"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
)

const (
	name       = "orders-sub"
	uid        = "2d5e7f10-9a3b-4c6d-8e1f-0a2b3c4d5e6f"
	testRegion = "us-central1"
	network    = "https://www.googleapis.com/compute/v1/projects/" + gcptest.Project + "/global/networks/orders-net"
	selfLink   = "https://www.googleapis.com/compute/v1/projects/" + gcptest.Project + "/regions/" + testRegion + "/subnetworks/" + name
	subPath    = "/compute/v1/projects/" + gcptest.Project + "/regions/" + testRegion + "/subnetworks"
	opsPath    = "/compute/v1/projects/" + gcptest.Project + "/regions/" + testRegion + "/operations/"
	opRef      = "regions/" + testRegion + "/operations/op-1"
	annotation = "crossplane.io/external-name=" + name
)

// subnetwork returns the subnetwork as Compute Engine reports it, in sync
// with newSubnetwork.
func subnetwork(mods ...func(*computepb.Subnetwork)) *computepb.Subnetwork {
	s := &computepb.Subnetwork{
		Name:                  new(name),
		Id:                    new(uint64(7)),
		SelfLink:              new(selfLink),
		Network:               new(network),
		IpCidrRange:           new("10.10.0.0/24"),
		GatewayAddress:        new("10.10.0.1"),
		PrivateIpGoogleAccess: new(false),
		Fingerprint:           new("fp-1"),
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

// newSubnetwork returns a Subnetwork resource in sync with subnetwork.
func newSubnetwork(mods ...func(*v1beta1.Subnetwork)) *v1beta1.Subnetwork {
	cr := &v1beta1.Subnetwork{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.SubnetworkSpec{ForProvider: v1beta1.SubnetworkParameters{
			Region:                new(testRegion),
			Network:               new(network),
			IPCIDRRange:           new("10.10.0.0/24"),
			PrivateIPGoogleAccess: new(false),
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for subnetwork.
func observed(cr *v1beta1.Subnetwork) {
	cr.Status.AtProvider = v1beta1.SubnetworkObservation{ID: "7", SelfLink: selfLink, Network: network, IPCIDRRange: "10.10.0.0/24", GatewayAddress: "10.10.0.1", State: StateReady}
	cr.SetConditions(xpv2.Available())
}

func operation(typ string, status computepb.Operation_Status) *computepb.Operation {
	return &computepb.Operation{Name: new("op-1"), OperationType: new(typ), Status: status.Enum()}
}

func newExternal(t *testing.T, routes gcptest.Routes) (*external, *gcptest.Server, *gcptest.Kube) {
	t.Helper()
	srv := gcptest.NewServer(t, routes)
	api, err := clients.NewCompute(context.Background(), gcptest.Project, srv.ComputeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Close() })
	kube := gcptest.NewKube()
	return &external{api: api, kube: kube}, srv, kube
}

func TestObserve(t *testing.T) {
	type want struct {
		cr *v1beta1.Subnetwork
		o  managed.ExternalObservation
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Subnetwork
		want   want
	}{
		"NotFound": {
			reason: "A subnetwork Compute Engine does not know does not exist.",
			routes: gcptest.Routes{"GET " + subPath + "/" + name: gcptest.Error(404, "notFound", "not found")},
			cr:     newSubnetwork(),
			want:   want{cr: newSubnetwork()},
		},
		"UpToDate": {
			reason: "A subnetwork that matches the spec is up to date and Available.",
			routes: gcptest.Routes{"GET " + subPath + "/" + name: gcptest.OK(subnetwork())},
			cr:     newSubnetwork(),
			want:   want{cr: newSubnetwork(observed), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}},
		},
		"RangesInAnyOrder": {
			reason: "Secondary ranges match in any order.",
			routes: gcptest.Routes{"GET " + subPath + "/" + name: gcptest.OK(subnetwork(func(s *computepb.Subnetwork) {
				s.SecondaryIpRanges = []*computepb.SubnetworkSecondaryRange{
					{RangeName: new("b"), IpCidrRange: new("10.30.0.0/16")},
					{RangeName: new("a"), IpCidrRange: new("10.20.0.0/16")},
				}
			}))},
			cr: newSubnetwork(func(cr *v1beta1.Subnetwork) {
				cr.Spec.ForProvider.SecondaryIPRanges = []v1beta1.SecondaryRange{{RangeName: "a", IPCIDRRange: "10.20.0.0/16"}, {RangeName: "b", IPCIDRRange: "10.30.0.0/16"}}
			}),
			want: want{
				cr: newSubnetwork(observed, func(cr *v1beta1.Subnetwork) {
					cr.Spec.ForProvider.SecondaryIPRanges = []v1beta1.SecondaryRange{{RangeName: "a", IPCIDRRange: "10.20.0.0/16"}, {RangeName: "b", IPCIDRRange: "10.30.0.0/16"}}
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"AccessDiffers": {
			reason: "A subnetwork whose Private Google Access differs needs an update.",
			routes: gcptest.Routes{"GET " + subPath + "/" + name: gcptest.OK(subnetwork())},
			cr:     newSubnetwork(func(cr *v1beta1.Subnetwork) { cr.Spec.ForProvider.PrivateIPGoogleAccess = new(true) }),
			want: want{
				cr: newSubnetwork(observed, func(cr *v1beta1.Subnetwork) { cr.Spec.ForProvider.PrivateIPGoogleAccess = new(true) }),
				o:  managed.ExternalObservation{ResourceExists: true},
			},
		},
		"NetworkByReference": {
			reason: "The network is not late-initialized when a reference sets it.",
			routes: gcptest.Routes{"GET " + subPath + "/" + name: gcptest.OK(subnetwork())},
			cr: newSubnetwork(func(cr *v1beta1.Subnetwork) {
				cr.Spec.ForProvider.Network = nil
				cr.Spec.ForProvider.NetworkRef = &xpv2.Reference{Name: "orders-net"}
			}),
			want: want{
				cr: newSubnetwork(observed, func(cr *v1beta1.Subnetwork) {
					cr.Spec.ForProvider.Network = nil
					cr.Spec.ForProvider.NetworkRef = &xpv2.Reference{Name: "orders-net"}
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"Deleting": {
			reason: "While its delete runs, the subnetwork is Deleting.",
			routes: gcptest.Routes{
				"GET " + opsPath + "op-1":     gcptest.OK(operation("delete", computepb.Operation_RUNNING)),
				"GET " + subPath + "/" + name: gcptest.OK(subnetwork()),
			},
			cr: newSubnetwork(func(cr *v1beta1.Subnetwork) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
			}),
			want: want{
				cr: newSubnetwork(observed, func(cr *v1beta1.Subnetwork) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
					cr.Status.AtProvider.State = StateDeleting
					cr.SetConditions(xpv2.Deleting())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, _, _ := newExternal(t, tc.routes)
			o, err := e.Observe(context.Background(), tc.cr)
			if err != nil {
				t.Fatalf("%s\nObserve(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, test.EquateConditions()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	e, srv, _ := newExternal(t, gcptest.Routes{"POST " + subPath: gcptest.OK(operation("insert", computepb.Operation_RUNNING))})
	cr := newSubnetwork(func(cr *v1beta1.Subnetwork) {
		cr.Spec.ForProvider.SecondaryIPRanges = []v1beta1.SecondaryRange{{RangeName: "pods", IPCIDRRange: "10.20.0.0/16"}}
	})
	if _, err := e.Create(context.Background(), cr); err != nil {
		t.Fatalf("Create(...): %v", err)
	}
	want := []string{"POST " + subPath + " " + gcptest.JSON(map[string]any{
		"name": name, "network": network, "ipCidrRange": "10.10.0.0/24", "privateIpGoogleAccess": false,
		"secondaryIpRanges": []any{map[string]any{"rangeName": "pods", "ipCidrRange": "10.20.0.0/16"}},
	})}
	if diff := cmp.Diff(want, srv.Requests()); diff != "" {
		t.Errorf("Create(...): the insert sends the spec's fields in the testRegion: -want, +got:\n%s", diff)
	}
	if got := clients.PendingOperation(cr); got != opRef {
		t.Errorf("Create(...): recorded operation %q, want %q", got, opRef)
	}
}

func TestUpdate(t *testing.T) {
	type want struct {
		mutations []string
		writes    []string
	}
	get := "GET " + subPath + "/" + name
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Subnetwork
		want   want
	}{
		"SecondaryRanges": {
			reason: "Secondary ranges are patched with the subnetwork's fingerprint, one change per update.",
			routes: gcptest.Routes{
				get:                             gcptest.OK(subnetwork()),
				"PATCH " + subPath + "/" + name: gcptest.OK(operation("patch", computepb.Operation_RUNNING)),
			},
			cr: newSubnetwork(func(cr *v1beta1.Subnetwork) {
				cr.Spec.ForProvider.PrivateIPGoogleAccess = new(true)
				cr.Spec.ForProvider.SecondaryIPRanges = []v1beta1.SecondaryRange{{RangeName: "pods", IPCIDRRange: "10.20.0.0/16"}}
			}),
			want: want{
				mutations: []string{"PATCH " + subPath + "/" + name + " " + gcptest.JSON(map[string]any{
					"fingerprint":       "fp-1",
					"secondaryIpRanges": []any{map[string]any{"rangeName": "pods", "ipCidrRange": "10.20.0.0/16"}},
				})},
				writes: []string{"patch " + name + " " + annotation + ",gcp.stratus.dev/operation=" + opRef},
			},
		},
		"PrivateGoogleAccess": {
			reason: "Private Google Access is set with its own method.",
			routes: gcptest.Routes{
				get: gcptest.OK(subnetwork()),
				"POST " + subPath + "/" + name + "/setPrivateIpGoogleAccess": gcptest.OK(operation("setPrivateIpGoogleAccess", computepb.Operation_DONE)),
			},
			cr: newSubnetwork(func(cr *v1beta1.Subnetwork) { cr.Spec.ForProvider.PrivateIPGoogleAccess = new(true) }),
			want: want{
				mutations: []string{"POST " + subPath + "/" + name + "/setPrivateIpGoogleAccess " + gcptest.JSON(map[string]any{"privateIpGoogleAccess": true})},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, kube := newExternal(t, tc.routes)
			if _, err := e.Update(context.Background(), tc.cr); err != nil {
				t.Fatalf("%s\nUpdate(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.mutations, srv.Mutations()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, kube.Writes()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	del := "DELETE " + subPath + "/" + name
	e, srv, kube := newExternal(t, gcptest.Routes{del: gcptest.OK(operation("delete", computepb.Operation_RUNNING))})
	if _, err := e.Delete(context.Background(), newSubnetwork()); err != nil {
		t.Fatalf("Delete(...): %v", err)
	}
	if diff := cmp.Diff([]string{del}, srv.Mutations()); diff != "" {
		t.Errorf("Delete(...): -want mutations, +got mutations:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"patch " + name + " " + annotation + ",gcp.stratus.dev/operation=" + opRef}, kube.Writes()); diff != "" {
		t.Errorf("Delete(...): the delete's operation is recorded: -want writes, +got writes:\n%s", diff)
	}
}
