package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

type params struct {
	Region *string
	Size   *int32
	Tags   map[string]string
	Zones  []string
	Name   string
}

func TestFillNil(t *testing.T) {
	s := func(v string) *string { return &v }
	i := func(v int32) *int32 { return &v }
	type want struct {
		dst     params
		changed bool
	}
	cases := map[string]struct {
		reason         string
		dst, src, skip *params
		want           want
	}{
		"FillsNilFields": {
			reason: "Nil pointers, maps and slices take the source's values; set ones and non-nillable fields stay.",
			dst:    &params{Region: s("eu-west-1"), Name: "mine"},
			src:    &params{Region: s("us-east-1"), Size: i(20), Tags: map[string]string{"a": "b"}, Zones: []string{"a"}, Name: "theirs"},
			want:   want{dst: params{Region: s("eu-west-1"), Size: i(20), Tags: map[string]string{"a": "b"}, Zones: []string{"a"}, Name: "mine"}, changed: true},
		},
		"SkipsFieldsSetInSkip": {
			reason: "A field initProvider sets stays unmanaged: it is not late-initialized.",
			dst:    &params{},
			src:    &params{Region: s("us-east-1"), Size: i(20)},
			skip:   &params{Size: i(10)},
			want:   want{dst: params{Region: s("us-east-1")}, changed: true},
		},
		"NothingToFill": {
			reason: "When every field is set, nothing changes and FillNil says so.",
			dst:    &params{Region: s("a"), Size: i(1), Tags: map[string]string{}, Zones: []string{}},
			src:    &params{Region: s("b"), Size: i(2)},
			want:   want{dst: params{Region: s("a"), Size: i(1), Tags: map[string]string{}, Zones: []string{}}},
		},
		"NilSource": {
			reason: "A nil source (no initProvider) fills nothing.",
			dst:    &params{},
			want:   want{dst: params{}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			changed := FillNil(tc.dst, tc.src, tc.skip)
			if diff := cmp.Diff(tc.want, want{dst: *tc.dst, changed: changed}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nFillNil(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestQuietStatusUpdate(t *testing.T) {
	errBoom := errors.New("boom")
	stored := func(rv, phase string) test.MockGetFn {
		return func(_ context.Context, _ client.ObjectKey, obj client.Object) error {
			ns := obj.(*corev1.Namespace)
			ns.ResourceVersion = rv
			ns.Status.Phase = corev1.NamespacePhase(phase)
			return nil
		}
	}
	cases := map[string]struct {
		reason string
		get    test.MockGetFn
		obj    *corev1.Namespace
		writes bool
	}{
		"Unchanged": {
			reason: "The same status at the same resourceVersion is not written.",
			get:    stored("1", "Active"),
			obj:    &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "1"}, Status: corev1.NamespaceStatus{Phase: "Active"}},
		},
		"StatusChanged": {
			reason: "A different status is written.",
			get:    stored("1", "Active"),
			obj:    &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "1"}, Status: corev1.NamespaceStatus{Phase: "Terminating"}},
			writes: true,
		},
		"NewerObject": {
			reason: "When the stored object is at another resourceVersion (e.g. the reconcile updated it), the status is written.",
			get:    stored("2", "Active"),
			obj:    &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "1"}, Status: corev1.NamespaceStatus{Phase: "Active"}},
			writes: true,
		},
		"CannotRead": {
			reason: "When the stored object cannot be read, the status is written rather than lost.",
			get:    test.NewMockGetFn(errBoom),
			obj:    &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "1"}},
			writes: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			wrote := false
			c := &quietStatusClient{Client: &test.MockClient{
				MockGet: tc.get,
				MockStatusUpdate: func(context.Context, client.Object, ...client.SubResourceUpdateOption) error {
					wrote = true
					return nil
				},
			}}
			if err := c.Status().Update(context.Background(), tc.obj); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.writes, wrote); diff != "" {
				t.Errorf("%s\nStatus().Update(...) wrote: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

type finalizerFn func(ctx context.Context, obj resource.Object) error

func (f finalizerFn) AddFinalizer(context.Context, resource.Object) error { return nil }
func (f finalizerFn) RemoveFinalizer(ctx context.Context, obj resource.Object) error {
	return f(ctx, obj)
}

func TestUsageFinalizer(t *testing.T) {
	errBoom := errors.New("boom")
	usage := schema.GroupVersionKind{Group: "aws.stratus.dev", Version: "v1beta1", Kind: "ProviderConfigUsage"}
	type want struct {
		deleted string
		removed bool
		err     error
	}
	cases := map[string]struct {
		reason    string
		deleteErr error
		want      want
	}{
		"DeletesUsageThenFinalizer": {
			reason: "The usage named after the resource's UID is deleted, then the finalizer removed.",
			want:   want{deleted: "uid-1", removed: true},
		},
		"UsageAlreadyGone": {
			reason:    "A usage that is already gone is no obstacle.",
			deleteErr: kerrors.NewNotFound(schema.GroupResource{Resource: "providerconfigusages"}, "uid-1"),
			want:      want{deleted: "uid-1", removed: true},
		},
		"CannotDeleteUsage": {
			reason:    "When the usage cannot be deleted the finalizer stays, so that the next reconcile tries again.",
			deleteErr: errBoom,
			want:      want{deleted: "uid-1", err: errors.Wrap(errBoom, "cannot delete provider config usage")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := want{}
			f := &usageFinalizer{
				Finalizer: finalizerFn(func(context.Context, resource.Object) error { got.removed = true; return nil }),
				client: &test.MockClient{MockDelete: func(_ context.Context, obj client.Object, _ ...client.DeleteOption) error {
					if obj.GetObjectKind().GroupVersionKind() == usage {
						got.deleted = obj.GetName()
					}
					return tc.deleteErr
				}},
				usage: usage,
			}
			mg := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{UID: types.UID("uid-1")}}
			got.err = f.RemoveFinalizer(context.Background(), mg)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), test.EquateErrors()); diff != "" {
				t.Errorf("%s\nRemoveFinalizer(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLateInitialize(t *testing.T) {
	cases := map[string]struct {
		reason   string
		policies xpv2.ManagementPolicies
		want     bool
	}{
		"Default":          {reason: "With no policies set (the API server defaults them to *) late-init happens.", want: true},
		"All":              {reason: "* allows late-init.", policies: xpv2.ManagementPolicies{xpv2.ManagementActionAll}, want: true},
		"ObserveOnly":      {reason: "An observe-only import keeps its spec as written.", policies: xpv2.ManagementPolicies{xpv2.ManagementActionObserve}},
		"ExplicitLateInit": {reason: "LateInitialize named alone allows it.", policies: xpv2.ManagementPolicies{xpv2.ManagementActionObserve, xpv2.ManagementActionLateInitialize}, want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			mg := &fake.LegacyManaged{}
			mg.SetManagementPolicies(tc.policies)
			region := "us-east-1"
			dst := &params{}
			got := LateInitialize(mg, dst, &params{Region: &region}, nil)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nLateInitialize(...): -want, +got:\n%s", tc.reason, diff)
			}
			if tc.want != (dst.Region != nil) {
				t.Errorf("%s\nLateInitialize(...) filled the region: %v", tc.reason, dst.Region != nil)
			}
		})
	}
}

// trackerFn is a LegacyTracker that runs a function.
type trackerFn func(ctx context.Context, mg resource.LegacyManaged) error //nolint:staticcheck // Stratus managed resources are legacy (cluster-scoped).

func (fn trackerFn) Track(ctx context.Context, mg resource.LegacyManaged) error { //nolint:staticcheck // See trackerFn.
	return fn(ctx, mg)
}

func TestUsageTrackerSkipsDeleted(t *testing.T) {
	now := metav1.Now()
	errBoom := errors.New("boom")
	cases := map[string]struct {
		reason  string
		deleted *metav1.Time
		want    error
		tracked bool
	}{
		"Tracks": {
			reason:  "A live resource is tracked, and the tracker's error returned.",
			want:    errBoom,
			tracked: true,
		},
		"SkipsDeleted": {
			reason:  "A resource being deleted is not tracked again: its usage would outlive it.",
			deleted: &now,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tracked := false
			tr := &skipDeleted{LegacyTracker: trackerFn(func(context.Context, resource.LegacyManaged) error { //nolint:staticcheck // See trackerFn.
				tracked = true
				return errBoom
			})}
			mg := &fake.LegacyManaged{}
			mg.SetDeletionTimestamp(tc.deleted)
			err := tr.Track(context.Background(), mg)
			if diff := cmp.Diff(tc.want, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nTrack(...): -want, +got:\n%s", tc.reason, diff)
			}
			if tracked != tc.tracked {
				t.Errorf("%s\nTrack(...): tracked %t, want %t", tc.reason, tracked, tc.tracked)
			}
		})
	}
}
