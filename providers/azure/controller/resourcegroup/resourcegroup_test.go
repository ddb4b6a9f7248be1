package resourcegroup

import (
	"context"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/fake"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
	"github.com/stratus-dev/stratus/providers/azure/internal/fakes"
)

const (
	name = "rg-orders"
	uid  = "0d7b1f3c-8a52-4c1e-9d6f-2b4a6c8e0f11"
	id   = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + name
)

// A cloud is what the fake Resource Manager knows: the resource group
// (nil when there is none) and the writes it was asked for.
type cloud struct {
	rg     *armresources.ResourceGroup
	getErr *azfake.ErrorResponder
	delete azfake.PollerResponder[armresources.ResourceGroupsClientDeleteResponse]

	calls []any
}

// server returns a fake resource groups server backed by c.
func (c *cloud) server() *fake.ResourceGroupsServer {
	return &fake.ResourceGroupsServer{
		Get: func(_ context.Context, n string, _ *armresources.ResourceGroupsClientGetOptions) (azfake.Responder[armresources.ResourceGroupsClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armresources.ResourceGroupsClientGetResponse]
			switch {
			case c.getErr != nil:
				return r, *c.getErr
			case c.rg == nil || n != name:
				return r, fakes.Error(http.StatusNotFound, "ResourceGroupNotFound")
			}
			r.SetResponse(http.StatusOK, armresources.ResourceGroupsClientGetResponse{ResourceGroup: *c.rg}, nil)
			return r, azfake.ErrorResponder{}
		},
		CreateOrUpdate: func(_ context.Context, _ string, rg armresources.ResourceGroup, _ *armresources.ResourceGroupsClientCreateOrUpdateOptions) (azfake.Responder[armresources.ResourceGroupsClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, rg)
			var r azfake.Responder[armresources.ResourceGroupsClientCreateOrUpdateResponse]
			r.SetResponse(http.StatusCreated, armresources.ResourceGroupsClientCreateOrUpdateResponse{ResourceGroup: rg}, nil)
			return r, azfake.ErrorResponder{}
		},
		Update: func(_ context.Context, _ string, rg armresources.ResourceGroupPatchable, _ *armresources.ResourceGroupsClientUpdateOptions) (azfake.Responder[armresources.ResourceGroupsClientUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, rg)
			var r azfake.Responder[armresources.ResourceGroupsClientUpdateResponse]
			r.SetResponse(http.StatusOK, armresources.ResourceGroupsClientUpdateResponse{}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, *armresources.ResourceGroupsClientBeginDeleteOptions) (azfake.PollerResponder[armresources.ResourceGroupsClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, azfake.ErrorResponder{}
		},
	}
}

// api returns a resource groups client of c's server.
func (c *cloud) api(t *testing.T) API {
	t.Helper()
	api, err := NewAPI(fakes.Connection(fake.NewResourceGroupsServerTransport(c.server())))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// group returns a resource group as Azure shows it, in sync with newGroup.
func group(mods ...func(*armresources.ResourceGroup)) *armresources.ResourceGroup {
	rg := &armresources.ResourceGroup{
		ID:         new(id),
		Name:       new(name),
		Location:   new("eastus"),
		Properties: &armresources.ResourceGroupProperties{ProvisioningState: new("Succeeded")},
		Tags:       clients.ToPtrMap(map[string]string{"team": "platform", clients.TagName: name, clients.TagUID: uid}),
	}
	for _, m := range mods {
		m(rg)
	}
	return rg
}

// newGroup returns a ResourceGroup resource in sync with group, with its
// external name set as the default initializer sets it.
func newGroup(mods ...func(*v1beta1.ResourceGroup)) *v1beta1.ResourceGroup {
	cr := &v1beta1.ResourceGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.ResourceGroupSpec{ForProvider: v1beta1.ResourceGroupParameters{
			Location: new("eastus"),
			Tags:     map[string]string{"team": "platform"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for group().
func observed(cr *v1beta1.ResourceGroup) {
	cr.Status.AtProvider = v1beta1.ResourceGroupObservation{ID: id, ProvisioningState: "Succeeded", Location: "eastus"}
	cr.SetConditions(xpv2.Available())
}

func TestObserve(t *testing.T) {
	type want struct {
		o       managed.ExternalObservation
		err     string
		patches []string
		cr      *v1beta1.ResourceGroup
	}
	cases := map[string]struct {
		reason string
		cloud  *cloud
		// deleting starts a deletion (with the cloud's delete responder)
		// before Observe.
		deleting bool
		cr       *v1beta1.ResourceGroup
		want     want
	}{
		"NoExternalName": {
			reason: "A resource without an external name has no group to find.",
			cloud:  &cloud{},
			cr:     newGroup(func(cr *v1beta1.ResourceGroup) { meta.SetExternalName(cr, "") }),
			want:   want{cr: newGroup(func(cr *v1beta1.ResourceGroup) { meta.SetExternalName(cr, "") })},
		},
		"NotFound": {
			reason: "A group Azure answers 404 for does not exist, so it is created.",
			cloud:  &cloud{},
			cr:     newGroup(),
			want:   want{cr: newGroup()},
		},
		"GetError": {
			reason: "Another error reading the group is returned with a stable message.",
			cloud:  &cloud{getErr: new(fakes.Error(http.StatusTooManyRequests, "TooManyRequests"))},
			cr:     newGroup(),
			want:   want{cr: newGroup(), err: "cannot get resource group: TooManyRequests"},
		},
		"UpToDate": {
			reason: "A group with the spec's tags and Stratus's is up to date and Available.",
			cloud:  &cloud{rg: group()},
			cr:     newGroup(),
			want:   want{cr: newGroup(observed), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}},
		},
		"TagsDiffer": {
			reason: "A group whose tags differ from the spec's needs an update.",
			cloud: &cloud{rg: group(func(rg *armresources.ResourceGroup) {
				rg.Tags = clients.ToPtrMap(map[string]string{"team": "data", clients.TagName: name, clients.TagUID: uid})
			})},
			cr:   newGroup(),
			want: want{cr: newGroup(observed), o: managed.ExternalObservation{ResourceExists: true}},
		},
		"LateInitialized": {
			reason: "An adopted group's location and tags (but not Stratus's) fill an empty spec.",
			cloud: &cloud{rg: group(func(rg *armresources.ResourceGroup) {
				rg.Tags = clients.ToPtrMap(map[string]string{"team": "platform"})
			})},
			cr: newGroup(func(cr *v1beta1.ResourceGroup) { cr.Spec.ForProvider = v1beta1.ResourceGroupParameters{} }),
			want: want{
				cr: newGroup(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceLateInitialized: true},
			},
		},
		"Deleting": {
			reason: "A group Azure is deleting (for whatever reason) is Deleting and has nothing to update.",
			cloud: &cloud{rg: group(func(rg *armresources.ResourceGroup) {
				rg.Properties.ProvisioningState = new("Deleting")
				rg.Tags = nil
			})},
			cr: newGroup(),
			want: want{
				cr: newGroup(func(cr *v1beta1.ResourceGroup) {
					observed(cr)
					cr.Status.AtProvider.ProvisioningState = "Deleting"
					cr.SetConditions(xpv2.Deleting())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"DeletionInProgress": {
			reason: "While the deletion Stratus started is in progress the group is Deleting, and the operation stays recorded.",
			cloud: &cloud{
				rg:     group(func(rg *armresources.ResourceGroup) { rg.Properties.ProvisioningState = new("Deleting") }),
				delete: fakes.Accepted(1, armresources.ResourceGroupsClientDeleteResponse{}),
			},
			deleting: true,
			cr:       newGroup(),
			want: want{
				cr: newGroup(func(cr *v1beta1.ResourceGroup) {
					observed(cr)
					cr.Status.AtProvider.ProvisioningState = "Deleting"
					cr.SetConditions(xpv2.Deleting())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"DeletionDone": {
			reason:   "Once the deletion is done its record is removed and the group is gone.",
			cloud:    &cloud{delete: fakes.Accepted(0, armresources.ResourceGroupsClientDeleteResponse{})},
			deleting: true,
			cr:       newGroup(),
			want: want{
				cr:      newGroup(func(cr *v1beta1.ResourceGroup) { cr.SetResourceVersion("2") }),
				patches: []string{"azure.stratus.dev/operation-"},
			},
		},
		"DeletionFailed": {
			reason:   "A failed deletion's error is returned once its record is removed, so that the next reconcile deletes again.",
			cloud:    &cloud{rg: group(), delete: fakes.Failing[armresources.ResourceGroupsClientDeleteResponse]("ResourceGroupDeletionBlocked")},
			deleting: true,
			cr:       newGroup(),
			want: want{
				cr:      newGroup(func(cr *v1beta1.ResourceGroup) { cr.SetResourceVersion("2") }),
				err:     "the delete operation failed: ResourceGroupDeletionBlocked",
				patches: []string{"azure.stratus.dev/operation-"},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := tc.cloud.api(t)
			if tc.deleting {
				p, err := clients.AsPoller(api.BeginDelete(context.Background(), name, nil))
				fakes.Started(t, tc.cr, clients.VerbDelete, p, err)
				if o := tc.want.o; o.ResourceExists {
					fakes.Started(t, tc.want.cr, clients.VerbDelete, p, nil)
				}
			}
			kube := fakes.NewKube(nil)
			e := &external{api: api, ops: clients.NewOperations(kube)}
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, errText(err)); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, fakes.EquateOperations()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.patches, kube.Patches); diff != "" {
				t.Errorf("%s\nObserve(...): -want patches, +got patches:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	type want struct {
		calls []any
		err   string
	}
	cases := map[string]struct {
		reason string
		cr     *v1beta1.ResourceGroup
		want   want
	}{
		"Created": {
			reason: "The group is created with its location, the spec's tags and Stratus's.",
			cr:     newGroup(),
			want: want{calls: []any{armresources.ResourceGroup{
				Location: new("eastus"),
				Tags:     clients.ToPtrMap(map[string]string{"team": "platform", clients.TagName: name, clients.TagUID: uid}),
			}}},
		},
		"InitProvider": {
			reason: "Fields only initProvider sets are used to create the group.",
			cr: newGroup(func(cr *v1beta1.ResourceGroup) {
				cr.Spec.ForProvider = v1beta1.ResourceGroupParameters{}
				cr.Spec.InitProvider = &v1beta1.ResourceGroupParameters{Location: new("westeurope"), Tags: map[string]string{"a": "b"}}
			}),
			want: want{calls: []any{armresources.ResourceGroup{
				Location: new("westeurope"),
				Tags:     clients.ToPtrMap(map[string]string{"a": "b", clients.TagName: name, clients.TagUID: uid}),
			}}},
		},
		"NoLocation": {
			reason: "A group without a location cannot be created.",
			cr:     newGroup(func(cr *v1beta1.ResourceGroup) { cr.Spec.ForProvider.Location = nil }),
			want:   want{err: "cannot create resource group: spec.forProvider.location is required"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{}
			e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil))}
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, errText(err)); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, c.calls); diff != "" {
				t.Errorf("%s\nCreate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	cases := map[string]struct {
		reason   string
		observed map[string]string
		cr       *v1beta1.ResourceGroup
		want     []any
	}{
		"SpecTags": {
			reason:   "The tags become the spec's and Stratus's, in a PATCH that carries nothing else.",
			observed: map[string]string{"team": "data", "stale": "x"},
			cr:       newGroup(),
			want: []any{armresources.ResourceGroupPatchable{
				Tags: clients.ToPtrMap(map[string]string{"team": "platform", clients.TagName: name, clients.TagUID: uid}),
			}},
		},
		"NoSpecTags": {
			reason:   "Without spec tags, tags set outside Stratus stay and Stratus's are added.",
			observed: map[string]string{"owner": "them"},
			cr:       newGroup(func(cr *v1beta1.ResourceGroup) { cr.Spec.ForProvider.Tags = nil }),
			want: []any{armresources.ResourceGroupPatchable{
				Tags: clients.ToPtrMap(map[string]string{"owner": "them", clients.TagName: name, clients.TagUID: uid}),
			}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{}
			e := &external{api: c.api(t), ops: clients.NewOperations(fakes.NewKube(nil)), tags: tc.observed}
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
	type want struct {
		calls   []any
		patches []string
		op      string
	}
	cases := map[string]struct {
		reason string
		e      func(e *external)
		delete azfake.PollerResponder[armresources.ResourceGroupsClientDeleteResponse]
		want   want
	}{
		"Started": {
			reason: "The deletion is started and recorded, not waited for.",
			delete: fakes.Accepted(3, armresources.ResourceGroupsClientDeleteResponse{}),
			want:   want{calls: []any{"delete"}, patches: []string{"azure.stratus.dev/operation=delete"}, op: clients.VerbDelete},
		},
		"DeletedAtOnce": {
			reason: "A deletion that ends at once leaves nothing to record.",
			delete: fakes.Done(armresources.ResourceGroupsClientDeleteResponse{}),
			want:   want{calls: []any{"delete"}, patches: []string{"azure.stratus.dev/operation-"}},
		},
		"UnderWay": {
			reason: "A group Observe saw being deleted is not deleted again.",
			e:      func(e *external) { e.state = clients.StateDeleting },
			want:   want{},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{delete: tc.delete}
			kube := fakes.NewKube(nil)
			e := &external{api: c.api(t), ops: clients.NewOperations(kube)}
			if tc.e != nil {
				tc.e(e)
			}
			cr := newGroup()
			if _, err := e.Delete(context.Background(), cr); err != nil {
				t.Fatal(err)
			}
			got := want{calls: c.calls, patches: kube.Patches}
			if op := clients.GetOperation(cr); op != nil {
				got.op = op.Verb
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDelete(...): -want, +got:\n%s", tc.reason, diff)
			}
			if c := cr.GetCondition(xpv2.TypeReady); c.Reason != xpv2.ReasonDeleting {
				t.Errorf("%s\nDelete(...): Ready reason %q, want %q", tc.reason, c.Reason, xpv2.ReasonDeleting)
			}
		})
	}
}

func TestConnect(t *testing.T) {
	errBoom := errors.New("boom")
	cases := map[string]struct {
		reason string
		conn   *fakes.ConnectionSource
		want   string
	}{
		"Connected": {reason: "A connection yields a client.", conn: &fakes.ConnectionSource{Conn: fakes.Connection(fake.NewResourceGroupsServerTransport(&fake.ResourceGroupsServer{}))}},
		"Error":     {reason: "An error connecting is returned.", conn: &fakes.ConnectionSource{Err: errBoom}, want: "boom"},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &connector{conn: tc.conn, newAPI: NewAPI, ops: clients.NewOperations(nil)}
			got, err := c.Connect(context.Background(), newGroup())
			if diff := cmp.Diff(tc.want, errText(err)); diff != "" {
				t.Errorf("%s\nConnect(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if err == nil && got == nil {
				t.Errorf("%s\nConnect(...): no client", tc.reason)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
