package network

import (
	"context"
	"net/http"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
)

const (
	name     = "orders-net"
	uid      = "2d5e7f10-9a3b-4c6d-8e1f-0a2b3c4d5e6f"
	selfLink = "https://www.googleapis.com/compute/v1/projects/" + gcptest.Project + "/global/networks/" + name
	netPath  = "/compute/v1/projects/" + gcptest.Project + "/global/networks"
	opsPath  = "/compute/v1/projects/" + gcptest.Project + "/global/operations/"
	opRef    = "global/operations/op-1"
)

// network returns the network as Compute Engine reports it, in sync with
// newNetwork.
func network(mods ...func(*computepb.Network)) *computepb.Network {
	n := &computepb.Network{
		Name:                  new(name),
		Id:                    new(uint64(42)),
		SelfLink:              new(selfLink),
		AutoCreateSubnetworks: new(false),
		Mtu:                   new(int32(1460)),
		RoutingConfig:         &computepb.NetworkRoutingConfig{RoutingMode: new("REGIONAL")},
		Subnetworks:           []string{selfLink + "-sub"},
	}
	for _, m := range mods {
		m(n)
	}
	return n
}

// newNetwork returns a Network resource in sync with network, its external
// name set as the default initializer sets it.
func newNetwork(mods ...func(*v1beta1.Network)) *v1beta1.Network {
	cr := &v1beta1.Network{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.NetworkSpec{ForProvider: v1beta1.NetworkParameters{
			AutoCreateSubnetworks: new(false),
			MTU:                   new(int64(1460)),
			RoutingMode:           new("REGIONAL"),
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for network.
func observed(cr *v1beta1.Network) {
	cr.Status.AtProvider = v1beta1.NetworkObservation{ID: "42", SelfLink: selfLink, Subnetworks: []string{selfLink + "-sub"}, State: StateReady}
	cr.SetConditions(xpv2.Available())
}

// withOperation records the operation opRef on the resource.
func withOperation(cr *v1beta1.Network) {
	meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
}

// operation returns a global operation of type typ.
func operation(typ string, status computepb.Operation_Status, errs ...*computepb.Errors) *computepb.Operation {
	op := &computepb.Operation{Name: new("op-1"), OperationType: new(typ), Status: status.Enum()}
	if len(errs) > 0 {
		op.Error = &computepb.Error{Errors: errs}
	}
	return op
}

// apiErr is the Google API error a canned error response decodes to.
func apiErr(code int, reason, msg string) error {
	return &googleapi.Error{Code: code, Message: msg, Errors: []googleapi.ErrorItem{{Reason: reason, Message: msg}}}
}

// newExternal returns a client of a fake Compute Engine that answers
// routes, and the fake API server it writes to.
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
		cr     *v1beta1.Network
		o      managed.ExternalObservation
		err    error
		writes []string
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Network
		want   want
	}{
		"NotFound": {
			reason: "A network Compute Engine does not know does not exist.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.Error(http.StatusNotFound, "notFound", "The resource was not found")},
			cr:     newNetwork(),
			want:   want{cr: newNetwork()},
		},
		"GetError": {
			reason: "An error reading the network is returned with context and without a request ID.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.Error(http.StatusForbidden, "forbidden", "Required 'compute.networks.get' permission")},
			cr:     newNetwork(),
			want: want{
				cr:  newNetwork(),
				err: clients.Wrap(apiErr(http.StatusForbidden, "forbidden", "Required 'compute.networks.get' permission"), "cannot get network"),
			},
		},
		"UpToDate": {
			reason: "A network that matches the spec is up to date and Available.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.OK(network())},
			cr:     newNetwork(),
			want: want{
				cr: newNetwork(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"LateInitialized": {
			reason: "Fields the spec leaves unset are filled from Compute Engine.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.OK(network())},
			cr:     newNetwork(func(cr *v1beta1.Network) { cr.Spec.ForProvider = v1beta1.NetworkParameters{} }),
			want: want{
				cr: newNetwork(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
			},
		},
		"ObserveOnly": {
			reason: "An observe-only import is not late-initialized.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.OK(network())},
			cr: newNetwork(func(cr *v1beta1.Network) {
				cr.Spec.ForProvider = v1beta1.NetworkParameters{}
				cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
			}),
			want: want{
				cr: newNetwork(observed, func(cr *v1beta1.Network) {
					cr.Spec.ForProvider = v1beta1.NetworkParameters{}
					cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"RoutingModeDiffers": {
			reason: "A network whose routing mode differs from the spec needs an update.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.OK(network(func(n *computepb.Network) { n.RoutingConfig.RoutingMode = new("GLOBAL") }))},
			cr:     newNetwork(),
			want: want{
				cr: newNetwork(observed),
				o:  managed.ExternalObservation{ResourceExists: true},
			},
		},
		"Creating": {
			reason: "While its insert runs, the network is Creating and left alone, even if it does not show yet.",
			routes: gcptest.Routes{
				"GET " + opsPath + "op-1":     gcptest.OK(operation("insert", computepb.Operation_RUNNING)),
				"GET " + netPath + "/" + name: gcptest.Error(http.StatusNotFound, "notFound", "The resource was not found"),
			},
			cr: newNetwork(withOperation),
			want: want{
				cr: newNetwork(withOperation, func(cr *v1beta1.Network) {
					cr.Status.AtProvider.State = StateCreating
					cr.SetConditions(xpv2.Creating())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"PatchRunning": {
			reason: "While a patch runs, a network that still differs is not patched again.",
			routes: gcptest.Routes{
				"GET " + opsPath + "op-1":     gcptest.OK(operation("patch", computepb.Operation_RUNNING)),
				"GET " + netPath + "/" + name: gcptest.OK(network(func(n *computepb.Network) { n.Mtu = new(int32(1500)) })),
			},
			cr: newNetwork(withOperation),
			want: want{
				cr: newNetwork(withOperation, observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"OperationDone": {
			reason: "Once its operation is done the record goes, and the network is observed as usual.",
			routes: gcptest.Routes{
				"GET " + opsPath + "op-1":     gcptest.OK(operation("insert", computepb.Operation_DONE)),
				"GET " + netPath + "/" + name: gcptest.OK(network()),
			},
			cr: newNetwork(withOperation),
			want: want{
				cr:     newNetwork(observed, func(cr *v1beta1.Network) { cr.SetResourceVersion("1+") }),
				o:      managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				writes: []string{"patch " + name + " crossplane.io/external-name=" + name},
			},
		},
		"OperationFailed": {
			reason: "An operation that failed surfaces its error; the record goes, so that the next reconcile acts again.",
			routes: gcptest.Routes{
				"GET " + opsPath + "op-1": gcptest.OK(operation("insert", computepb.Operation_DONE, &computepb.Errors{Code: new("QUOTA_EXCEEDED"), Message: new("Quota 'NETWORKS' exceeded.")})),
			},
			cr: newNetwork(withOperation),
			want: want{
				cr:     newNetwork(func(cr *v1beta1.Network) { cr.SetResourceVersion("1+") }),
				err:    errors.New("insert operation failed: QUOTA_EXCEEDED: Quota 'NETWORKS' exceeded."),
				writes: []string{"patch " + name + " crossplane.io/external-name=" + name},
			},
		},
		"Foreign": {
			reason: "A network whose create found the name taken is not adopted.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.OK(network())},
			cr: newNetwork(func(cr *v1beta1.Network) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
			}),
			want: want{
				cr: newNetwork(func(cr *v1beta1.Network) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
				}),
				err: errors.New(`network "orders-net" exists and this resource did not create it: delete it, choose another name (annotation crossplane.io/external-name), or remove the annotation gcp.stratus.dev/name-conflict to adopt it`),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, _, kube := newExternal(t, tc.routes)
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, test.EquateConditions()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, kube.Writes()); diff != "" {
				t.Errorf("%s\nObserve(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	type want struct {
		cr       *v1beta1.Network
		err      error
		requests []string
	}
	insert := "POST " + netPath + " " + gcptest.JSON(map[string]any{"name": name, "autoCreateSubnetworks": false, "mtu": 1460, "routingConfig": map[string]any{"routingMode": "REGIONAL"}})
	conflict := func(cr *v1beta1.Network) {
		meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Network
		want   want
	}{
		"Success": {
			reason: "The network is inserted with the external name and the spec's fields; its operation is recorded and a recorded conflict forgotten.",
			routes: gcptest.Routes{"POST " + netPath: gcptest.OK(operation("insert", computepb.Operation_RUNNING))},
			cr:     newNetwork(conflict),
			want:   want{cr: newNetwork(withOperation), requests: []string{insert}},
		},
		"InitProvider": {
			reason: "Fields set only in initProvider are used to create the network.",
			routes: gcptest.Routes{"POST " + netPath: gcptest.OK(operation("insert", computepb.Operation_RUNNING))},
			cr: newNetwork(func(cr *v1beta1.Network) {
				cr.Spec.InitProvider = &v1beta1.NetworkParameters{Description: new("from initProvider")}
			}),
			want: want{
				cr: newNetwork(withOperation, func(cr *v1beta1.Network) {
					cr.Spec.InitProvider = &v1beta1.NetworkParameters{Description: new("from initProvider")}
				}),
				requests: []string{"POST " + netPath + " " + gcptest.JSON(map[string]any{"name": name, "autoCreateSubnetworks": false, "mtu": 1460, "routingConfig": map[string]any{"routingMode": "REGIONAL"}, "description": "from initProvider"})},
			},
		},
		"NameTaken": {
			reason: "A network of that name that is not this resource's is reported, and the conflict recorded.",
			routes: gcptest.Routes{"POST " + netPath: gcptest.Error(http.StatusConflict, "alreadyExists", "The resource already exists")},
			cr:     newNetwork(),
			want: want{
				cr:       newNetwork(conflict),
				err:      errors.New(`network "orders-net" exists and this resource did not create it: delete it, choose another name (annotation crossplane.io/external-name), or remove the annotation gcp.stratus.dev/name-conflict to adopt it`),
				requests: []string{insert},
			},
		},
		"Throttled": {
			reason: "A throttled insert is an error, so that the reconcile backs off.",
			routes: gcptest.Routes{"POST " + netPath: gcptest.Error(http.StatusTooManyRequests, "rateLimitExceeded", "Quota exceeded")},
			cr:     newNetwork(),
			want: want{
				cr:       newNetwork(),
				err:      clients.Wrap(apiErr(http.StatusTooManyRequests, "rateLimitExceeded", "Quota exceeded"), "cannot create network"),
				requests: []string{insert},
			},
		},
		"FailedAtOnce": {
			reason: "An insert whose operation is done with an error returns the error.",
			routes: gcptest.Routes{"POST " + netPath: gcptest.OK(operation("insert", computepb.Operation_DONE, &computepb.Errors{Code: new("INVALID"), Message: new("bad")}))},
			cr:     newNetwork(),
			want:   want{cr: newNetwork(), err: errors.New("insert operation failed: INVALID: bad"), requests: []string{insert}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, _ := newExternal(t, tc.routes)
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr); diff != "" {
				t.Errorf("%s\nCreate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.requests, srv.Requests()); diff != "" {
				t.Errorf("%s\nCreate(...): -want requests, +got requests:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	type want struct {
		err       error
		mutations []string
		writes    []string
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Network
		want   want
	}{
		"PatchesWhatDiffers": {
			reason: "Only the fields that differ are patched, and the patch's operation is recorded.",
			routes: gcptest.Routes{
				"GET " + netPath + "/" + name:   gcptest.OK(network()),
				"PATCH " + netPath + "/" + name: gcptest.OK(operation("patch", computepb.Operation_RUNNING)),
			},
			cr: newNetwork(func(cr *v1beta1.Network) { cr.Spec.ForProvider.MTU = new(int64(1500)) }),
			want: want{
				mutations: []string{"PATCH " + netPath + "/" + name + " " + gcptest.JSON(map[string]any{"mtu": 1500})},
				writes:    []string{"patch " + name + " crossplane.io/external-name=" + name + ",gcp.stratus.dev/operation=" + opRef},
			},
		},
		"NothingToPatch": {
			reason: "A network that matches the spec is not patched.",
			routes: gcptest.Routes{"GET " + netPath + "/" + name: gcptest.OK(network())},
			cr:     newNetwork(),
			want:   want{},
		},
		"PatchError": {
			reason: "An error patching is returned with context.",
			routes: gcptest.Routes{
				"GET " + netPath + "/" + name:   gcptest.OK(network()),
				"PATCH " + netPath + "/" + name: gcptest.Error(http.StatusBadRequest, "invalid", "bad MTU"),
			},
			cr: newNetwork(func(cr *v1beta1.Network) { cr.Spec.ForProvider.RoutingMode = new("GLOBAL") }),
			want: want{
				err:       clients.Wrap(apiErr(http.StatusBadRequest, "invalid", "bad MTU"), "cannot patch network"),
				mutations: []string{"PATCH " + netPath + "/" + name + " " + gcptest.JSON(map[string]any{"routingConfig": map[string]any{"routingMode": "GLOBAL"}})},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, kube := newExternal(t, tc.routes)
			_, err := e.Update(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want error, +got error:\n%s", tc.reason, diff)
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
	type want struct {
		err       error
		mutations []string
		writes    []string
	}
	del := "DELETE " + netPath + "/" + name
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Network
		want   want
	}{
		"Success": {
			reason: "The network is deleted and the delete's operation recorded.",
			routes: gcptest.Routes{del: gcptest.OK(operation("delete", computepb.Operation_RUNNING))},
			cr:     newNetwork(),
			want: want{
				mutations: []string{del},
				writes:    []string{"patch " + name + " crossplane.io/external-name=" + name + ",gcp.stratus.dev/operation=" + opRef},
			},
		},
		"OperationRunning": {
			reason: "While an operation of the provider's runs, nothing is deleted.",
			cr:     newNetwork(withOperation),
			want:   want{},
		},
		"Gone": {
			reason: "A network that is gone needs no delete.",
			routes: gcptest.Routes{del: gcptest.Error(http.StatusNotFound, "notFound", "The resource was not found")},
			cr:     newNetwork(),
			want:   want{mutations: []string{del}},
		},
		"InUse": {
			reason: "A network with subnetworks cannot be deleted; Compute Engine's reason is returned, and the delete retried.",
			routes: gcptest.Routes{del: gcptest.Error(http.StatusBadRequest, "resourceInUseByAnotherResource", "The network resource is already being used by 'sub'")},
			cr:     newNetwork(),
			want: want{
				err:       clients.Wrap(apiErr(http.StatusBadRequest, "resourceInUseByAnotherResource", "The network resource is already being used by 'sub'"), "cannot delete network"),
				mutations: []string{del},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, kube := newExternal(t, tc.routes)
			_, err := e.Delete(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.mutations, srv.Mutations()); diff != "" {
				t.Errorf("%s\nDelete(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, kube.Writes()); diff != "" {
				t.Errorf("%s\nDelete(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
			if c := tc.cr.GetCondition(xpv2.TypeReady); c.Reason != xpv2.ReasonDeleting {
				t.Errorf("%s\nDelete(...): Ready reason %q, want Deleting", tc.reason, c.Reason)
			}
		})
	}
}

// A fakeSource returns a Compute Engine client, or err.
type fakeSource struct {
	compute *clients.Compute
	err     error
}

func (f *fakeSource) SQL(context.Context, resource.LegacyManaged) (*clients.SQL, error) { //nolint:staticcheck // The Source interface takes LegacyManaged.
	return nil, errors.New("unexpected call")
}

func (f *fakeSource) Compute(context.Context, resource.LegacyManaged) (*clients.Compute, error) { //nolint:staticcheck // As above.
	return f.compute, f.err
}

func TestConnect(t *testing.T) {
	errBoom := errors.New("cannot get ProviderConfig \"default\": boom")
	api := &clients.Compute{}
	cases := map[string]struct {
		reason string
		source *fakeSource
		want   error
	}{
		"Success": {reason: "The client is the ProviderConfig's Compute Engine client.", source: &fakeSource{compute: api}},
		"Error":   {reason: "An error reading the ProviderConfig is returned.", source: &fakeSource{err: errBoom}, want: errBoom},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			kube := gcptest.NewKube()
			c := &connector{source: tc.source, kube: kube}
			got, err := c.Connect(context.Background(), newNetwork())
			if diff := cmp.Diff(tc.want, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s\nConnect(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if e, ok := got.(*external); err == nil && (!ok || e.api != api || e.kube != kube) {
				t.Errorf("%s\nConnect(...) = %#v, want a client of the ProviderConfig's API", tc.reason, got)
			}
		})
	}
}
