package instance

import (
	"context"
	"net/http"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
)

const (
	name       = "orders-vm"
	uid        = "2d5e7f10-9a3b-4c6d-8e1f-0a2b3c4d5e6f"
	testZone   = "us-central1-a"
	base       = "https://www.googleapis.com/compute/v1/projects/" + gcptest.Project
	selfLink   = base + "/zones/" + testZone + "/instances/" + name
	subnet     = base + "/regions/us-central1/subnetworks/orders-sub"
	vmPath     = "/compute/v1/projects/" + gcptest.Project + "/zones/" + testZone + "/instances"
	opsPath    = "/compute/v1/projects/" + gcptest.Project + "/zones/" + testZone + "/operations/"
	opRef      = "zones/" + testZone + "/operations/op-1"
	annotation = "crossplane.io/external-name=" + name
)

// instance returns the instance as Compute Engine reports it, running and
// in sync with newInstance.
func instance(mods ...func(*computepb.Instance)) *computepb.Instance {
	in := &computepb.Instance{
		Name:             new(name),
		Id:               new(uint64(99)),
		SelfLink:         new(selfLink),
		Status:           new("RUNNING"),
		MachineType:      new(base + "/zones/" + testZone + "/machineTypes/e2-micro"),
		Labels:           map[string]string{"team": "platform", clients.LabelUID: uid},
		LabelFingerprint: new("lfp"),
		Metadata:         &computepb.Metadata{Fingerprint: new("mfp"), Items: []*computepb.Items{{Key: new("startup-script"), Value: new("echo hi")}}},
		Tags:             &computepb.Tags{Fingerprint: new("tfp"), Items: []string{"web"}},
		NetworkInterfaces: []*computepb.NetworkInterface{{
			Subnetwork:    new(subnet),
			NetworkIP:     new("10.10.0.5"),
			AccessConfigs: []*computepb.AccessConfig{{NatIP: new("203.0.113.7")}},
		}},
	}
	for _, m := range mods {
		m(in)
	}
	return in
}

// withStatus sets the instance's status.
func withStatus(s string) func(*computepb.Instance) {
	return func(in *computepb.Instance) { in.Status = new(s) }
}

// newInstance returns an Instance resource in sync with instance.
func newInstance(mods ...func(*v1beta1.Instance)) *v1beta1.Instance {
	cr := &v1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.InstanceSpec{ForProvider: v1beta1.InstanceParameters{
			Zone:              new(testZone),
			MachineType:       new("e2-micro"),
			BootDisk:          &v1beta1.BootDisk{Image: "projects/debian-cloud/global/images/family/debian-12", Type: new("pd-balanced")},
			NetworkInterfaces: []v1beta1.NetworkInterface{{Subnetwork: new(subnet), AccessConfigs: []v1beta1.AccessConfig{{}}}},
			Labels:            map[string]string{"team": "platform"},
			Metadata:          map[string]string{"startup-script": "echo hi"},
			Tags:              []string{"web"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for instance.
func observed(cr *v1beta1.Instance) {
	cr.Status.AtProvider = v1beta1.InstanceObservation{Status: "RUNNING", ID: "99", SelfLink: selfLink, MachineType: "e2-micro", NetworkIP: "10.10.0.5", NatIP: "203.0.113.7"}
	cr.SetConditions(xpv2.Available())
}

// deleted is when the resources being deleted in the tests were deleted.
var deleted = metav1.Now()

var details = managed.ConnectionDetails{ConnectionPrivateIP: []byte("10.10.0.5"), ConnectionPublicIP: []byte("203.0.113.7")}

// running returns a zonal operation of type typ that runs.
func running(typ string) *computepb.Operation {
	return &computepb.Operation{Name: new("op-1"), OperationType: new(typ), Status: computepb.Operation_RUNNING.Enum()}
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
	get := "GET " + vmPath + "/" + name
	type want struct {
		cr  *v1beta1.Instance
		o   managed.ExternalObservation
		err error
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Instance
		want   want
	}{
		"NotFound": {
			reason: "An instance Compute Engine does not know does not exist.",
			routes: gcptest.Routes{get: gcptest.Error(http.StatusNotFound, "notFound", "not found")},
			cr:     newInstance(),
			want:   want{cr: newInstance()},
		},
		"UpToDate": {
			reason: "A running instance that matches the spec is up to date and Available, and publishes its addresses.",
			routes: gcptest.Routes{get: gcptest.OK(instance())},
			cr:     newInstance(),
			want:   want{cr: newInstance(observed), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details}},
		},
		"LabelsDiffer": {
			reason: "An instance without the Stratus label (adopted) needs an update.",
			routes: gcptest.Routes{get: gcptest.OK(instance(func(in *computepb.Instance) { in.Labels = map[string]string{"team": "platform"} }))},
			cr:     newInstance(),
			want:   want{cr: newInstance(observed), o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details}},
		},
		"MachineTypeDiffers": {
			reason: "An instance of another machine type needs an update.",
			routes: gcptest.Routes{get: gcptest.OK(instance())},
			cr:     newInstance(func(cr *v1beta1.Instance) { cr.Spec.ForProvider.MachineType = new("e2-small") }),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.Instance) { cr.Spec.ForProvider.MachineType = new("e2-small") }),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details},
			},
		},
		"StoppedAsDesired": {
			reason: "A stopped instance is Available when desiredStatus is TERMINATED.",
			routes: gcptest.Routes{get: gcptest.OK(instance(withStatus("TERMINATED"), func(in *computepb.Instance) { in.NetworkInterfaces[0].AccessConfigs[0].NatIP = nil }))},
			cr:     newInstance(func(cr *v1beta1.Instance) { cr.Spec.ForProvider.DesiredStatus = new("TERMINATED") }),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.Instance) {
					cr.Spec.ForProvider.DesiredStatus = new("TERMINATED")
					cr.Status.AtProvider.Status, cr.Status.AtProvider.NatIP = "TERMINATED", ""
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: managed.ConnectionDetails{ConnectionPrivateIP: []byte("10.10.0.5")}},
			},
		},
		"StoppedOutsideStratus": {
			reason: "A stopped instance that should run is Unavailable and needs an update (a start).",
			routes: gcptest.Routes{get: gcptest.OK(instance(withStatus("TERMINATED")))},
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.Instance) {
					cr.Status.AtProvider.Status = "TERMINATED"
					cr.SetConditions(xpv2.Unavailable().WithMessage("instance status is TERMINATED, want RUNNING"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details},
			},
		},
		"Provisioning": {
			reason: "A provisioning instance is Creating; its status is left to settle.",
			routes: gcptest.Routes{get: gcptest.OK(instance(withStatus("PROVISIONING")))},
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.Instance) {
					cr.Status.AtProvider.Status = "PROVISIONING"
					cr.SetConditions(xpv2.Creating())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details},
			},
		},
		"StopRunning": {
			reason: "While a stop the provider started runs, nothing else changes.",
			routes: gcptest.Routes{
				"GET " + opsPath + "op-1": gcptest.OK(running("stop")),
				get:                       gcptest.OK(instance(withStatus("STOPPING"))),
			},
			cr: newInstance(func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider.MachineType = new("e2-small")
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
			}),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.Instance) {
					cr.Spec.ForProvider.MachineType = new("e2-small")
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
					cr.Status.AtProvider.Status = "STOPPING"
					cr.SetConditions(xpv2.Unavailable().WithMessage("instance status is STOPPING, want RUNNING"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details},
			},
		},
		"OursAfterConflict": {
			reason: "An instance that carries the resource's UID label is its own, even after a create found the name taken.",
			routes: gcptest.Routes{get: gcptest.OK(instance())},
			cr: newInstance(func(cr *v1beta1.Instance) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
			}),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.Instance) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details},
			},
		},
		"ForeignBeingDeleted": {
			reason: "Deleting a resource whose name belongs to another's instance leaves that instance alone.",
			routes: gcptest.Routes{get: gcptest.OK(instance(func(in *computepb.Instance) { in.Labels = nil }))},
			cr: newInstance(func(cr *v1beta1.Instance) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
				cr.SetDeletionTimestamp(&deleted)
			}),
			want: want{cr: newInstance(func(cr *v1beta1.Instance) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
				cr.SetDeletionTimestamp(&deleted)
			})},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, _, _ := newExternal(t, tc.routes)
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
		})
	}
}

func TestCreate(t *testing.T) {
	insert := "POST " + vmPath + " " + gcptest.JSON(map[string]any{
		"name":        name,
		"machineType": "zones/" + testZone + "/machineTypes/e2-micro",
		"labels":      map[string]string{"team": "platform", clients.LabelUID: uid},
		"disks": []any{map[string]any{"boot": true, "autoDelete": true, "initializeParams": map[string]any{
			"sourceImage": "projects/debian-cloud/global/images/family/debian-12",
			"diskType":    "zones/" + testZone + "/diskTypes/pd-balanced",
		}}},
		"networkInterfaces": []any{map[string]any{"subnetwork": subnet, "accessConfigs": []any{map[string]any{"type": "ONE_TO_ONE_NAT"}}}},
		"metadata":          map[string]any{"items": []any{map[string]any{"key": "startup-script", "value": "echo hi"}}},
		"tags":              map[string]any{"items": []string{"web"}},
	})
	conflict := func(cr *v1beta1.Instance) {
		meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
	}
	type want struct {
		cr       *v1beta1.Instance
		err      error
		requests []string
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		want   want
	}{
		"Success": {
			reason: "The instance is inserted with the spec's fields and the UID label; the insert's operation is recorded.",
			routes: gcptest.Routes{"POST " + vmPath: gcptest.OK(running("insert"))},
			want: want{
				cr: newInstance(func(cr *v1beta1.Instance) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
				}),
				requests: []string{insert},
			},
		},
		"NameTakenByItsOwn": {
			reason: "An instance of that name that carries the resource's UID label is its own: the create succeeds.",
			routes: gcptest.Routes{
				"POST " + vmPath:             gcptest.Error(http.StatusConflict, "alreadyExists", "already exists"),
				"GET " + vmPath + "/" + name: gcptest.OK(instance()),
			},
			want: want{cr: newInstance(), requests: []string{insert, "GET " + vmPath + "/" + name}},
		},
		"NameTakenByAnother": {
			reason: "An instance of that name without the resource's UID label is another's: the conflict is recorded and reported.",
			routes: gcptest.Routes{
				"POST " + vmPath:             gcptest.Error(http.StatusConflict, "alreadyExists", "already exists"),
				"GET " + vmPath + "/" + name: gcptest.OK(instance(func(in *computepb.Instance) { in.Labels = map[string]string{clients.LabelUID: "another"} })),
			},
			want: want{
				cr:       newInstance(conflict),
				err:      errors.New(`instance "orders-vm" exists and this resource did not create it: delete it, choose another name (annotation crossplane.io/external-name), or remove the annotation gcp.stratus.dev/name-conflict to adopt it`),
				requests: []string{insert, "GET " + vmPath + "/" + name},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, _ := newExternal(t, tc.routes)
			cr := newInstance()
			_, err := e.Create(context.Background(), cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, cr); diff != "" {
				t.Errorf("%s\nCreate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.requests, srv.Requests()); diff != "" {
				t.Errorf("%s\nCreate(...): -want requests, +got requests:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	get := "GET " + vmPath + "/" + name
	action := func(verb string) string { return "POST " + vmPath + "/" + name + "/" + verb }
	recorded := []string{"patch " + name + " " + annotation + ",gcp.stratus.dev/operation=" + opRef}
	type want struct {
		err       error
		mutations []string
		writes    []string
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.Instance
		want   want
	}{
		"LabelsMetadataTags": {
			reason: "Labels, metadata and tags that differ are set, each with the fingerprint it replaces; the last operation is recorded.",
			routes: gcptest.Routes{
				get:                      gcptest.OK(instance()),
				action("setLabels"):      gcptest.OK(running("setLabels")),
				action("setMetadata"):    gcptest.OK(running("setMetadata")),
				action("setTags"):        gcptest.OK(running("setTags")),
				action("setMachineType"): gcptest.Error(http.StatusTeapot, "unexpected", "no"),
			},
			cr: newInstance(func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider.Labels = map[string]string{"team": "data"}
				cr.Spec.ForProvider.Metadata = map[string]string{"b": "2", "a": "1"}
				cr.Spec.ForProvider.Tags = []string{"web", "db", "web"}
			}),
			want: want{
				mutations: []string{
					action("setLabels") + " " + gcptest.JSON(map[string]any{"labels": map[string]string{"team": "data", clients.LabelUID: uid}, "labelFingerprint": "lfp"}),
					action("setMetadata") + " " + gcptest.JSON(map[string]any{"fingerprint": "mfp", "items": []any{map[string]string{"key": "a", "value": "1"}, map[string]string{"key": "b", "value": "2"}}}),
					action("setTags") + " " + gcptest.JSON(map[string]any{"fingerprint": "tfp", "items": []string{"db", "web"}}),
				},
				writes: recorded,
			},
		},
		"MachineTypeNeedsStopping": {
			reason: "A running instance's machine type is not changed unless allowStoppingForUpdate allows stopping it.",
			routes: gcptest.Routes{get: gcptest.OK(instance())},
			cr:     newInstance(func(cr *v1beta1.Instance) { cr.Spec.ForProvider.MachineType = new("e2-small") }),
			want: want{
				err: errors.New("cannot change the machine type of a running instance: set spec.forProvider.allowStoppingForUpdate to let Stratus stop it (and start it again), or desiredStatus to TERMINATED"),
			},
		},
		"StopToChangeMachineType": {
			reason: "With allowStoppingForUpdate a running instance is stopped first.",
			routes: gcptest.Routes{get: gcptest.OK(instance()), action("stop"): gcptest.OK(running("stop"))},
			cr: newInstance(func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider.MachineType = new("e2-small")
				cr.Spec.ForProvider.AllowStoppingForUpdate = new(true)
			}),
			want: want{mutations: []string{action("stop")}, writes: recorded},
		},
		"ChangeMachineTypeWhenStopped": {
			reason: "A stopped instance gets its new machine type.",
			routes: gcptest.Routes{get: gcptest.OK(instance(withStatus("TERMINATED"))), action("setMachineType"): gcptest.OK(running("setMachineType"))},
			cr: newInstance(func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider.MachineType = new("e2-small")
				cr.Spec.ForProvider.AllowStoppingForUpdate = new(true)
			}),
			want: want{
				mutations: []string{action("setMachineType") + " " + gcptest.JSON(map[string]any{"machineType": "zones/" + testZone + "/machineTypes/e2-small"})},
				writes:    recorded,
			},
		},
		"StartAgain": {
			reason: "A stopped instance with the right machine type is started when it should run.",
			routes: gcptest.Routes{get: gcptest.OK(instance(withStatus("TERMINATED"))), action("start"): gcptest.OK(running("start"))},
			cr:     newInstance(),
			want:   want{mutations: []string{action("start")}, writes: recorded},
		},
		"Stop": {
			reason: "A running instance is stopped when desiredStatus is TERMINATED.",
			routes: gcptest.Routes{get: gcptest.OK(instance()), action("stop"): gcptest.OK(running("stop"))},
			cr:     newInstance(func(cr *v1beta1.Instance) { cr.Spec.ForProvider.DesiredStatus = new("TERMINATED") }),
			want:   want{mutations: []string{action("stop")}, writes: recorded},
		},
		"WaitWhileStopping": {
			reason: "A stopping instance is left to stop before its machine type changes.",
			routes: gcptest.Routes{get: gcptest.OK(instance(withStatus("STOPPING")))},
			cr: newInstance(func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider.MachineType = new("e2-small")
				cr.Spec.ForProvider.AllowStoppingForUpdate = new(true)
			}),
			want: want{},
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
	del := "DELETE " + vmPath + "/" + name
	cases := map[string]struct {
		reason    string
		routes    gcptest.Routes
		cr        *v1beta1.Instance
		mutations []string
	}{
		"Success": {
			reason:    "The instance is deleted.",
			routes:    gcptest.Routes{del: gcptest.OK(running("delete"))},
			cr:        newInstance(),
			mutations: []string{del},
		},
		"WaitForOperation": {
			reason: "An instance with an operation of the provider's running (a stop) is deleted once it is done.",
			cr: newInstance(func(cr *v1beta1.Instance) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: opRef})
			}),
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, _ := newExternal(t, tc.routes)
			if _, err := e.Delete(context.Background(), tc.cr); err != nil {
				t.Fatalf("%s\nDelete(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.mutations, srv.Mutations()); diff != "" {
				t.Errorf("%s\nDelete(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
		})
	}
}
