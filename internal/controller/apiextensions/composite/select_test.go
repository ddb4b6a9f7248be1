package composite

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/apis"
	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
)

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := apis.AddToScheme(s); err != nil {
		t.Fatalf("apis.AddToScheme(...): %v", err)
	}
	return s
}

// composition returns a Composition named name that composes kind, with
// labels given as key, value pairs.
func composition(name string, gvk schema.GroupVersionKind, kv ...string) *v1.Composition {
	c := &v1.Composition{ObjectMeta: metav1.ObjectMeta{Name: name}}
	c.Spec.CompositeTypeRef = v1.TypeReference{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}
	if len(kv) > 0 {
		c.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			c.Labels[kv[i]] = kv[i+1]
		}
	}
	return c
}

// revision returns revision n of the Composition named comp.
func revision(name, comp string, n int64) *v1.CompositionRevision {
	r := &v1.CompositionRevision{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{v1.LabelCompositionName: comp}}}
	r.Spec.Revision = n
	r.Spec.CompositeTypeRef = v1.TypeReference{APIVersion: xrGVK.GroupVersion().String(), Kind: xrGVK.Kind}
	return r
}

// onChannel labels a revision with a release channel.
func onChannel(r *v1.CompositionRevision, channel string) *v1.CompositionRevision {
	r.Labels["channel"] = channel
	return r
}

// xrWith returns a legacy XR of kind xrGVK, modified by fns.
func xrWith(fns ...func(xr *composite.Unstructured)) *composite.Unstructured {
	xr := composite.New(composite.WithGroupVersionKind(xrGVK), composite.WithSchema(composite.SchemaLegacy))
	xr.SetName("xr")
	for _, fn := range fns {
		fn(xr)
	}
	return xr
}

func withCompositionRef(name string) func(*composite.Unstructured) {
	return func(xr *composite.Unstructured) { xr.SetCompositionReference(&corev1.ObjectReference{Name: name}) }
}

func withSelector(sel *metav1.LabelSelector) func(*composite.Unstructured) {
	return func(xr *composite.Unstructured) { xr.SetCompositionSelector(sel) }
}

func withRevisionRef(name string) func(*composite.Unstructured) {
	return func(xr *composite.Unstructured) {
		xr.SetCompositionRevisionReference(&corev1.LocalObjectReference{Name: name})
	}
}

func withUpdatePolicy(p xpv2.UpdatePolicy) func(*composite.Unstructured) {
	return func(xr *composite.Unstructured) { xr.SetCompositionUpdatePolicy(&p) }
}

func TestSelectComposition(t *testing.T) {
	other := schema.GroupVersionKind{Group: "example.org", Version: "v1alpha1", Kind: "XBucket"}
	badSelector := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "provider", Operator: "Near"}}}
	_, badSelectorErr := metav1.LabelSelectorAsSelector(badSelector)

	type args struct {
		objects []client.Object
		xrd     *v1.CompositeResourceDefinition
		xr      *composite.Unstructured
	}
	type want struct {
		changed bool
		ref     *corev1.ObjectReference
		err     error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"EnforcedRefWins": {
			reason: "The XRD's enforced Composition replaces any the XR names.",
			args: args{
				objects: []client.Object{composition("mine", xrGVK)},
				xrd:     &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{EnforcedCompositionRef: &v1.CompositionReference{Name: "enforced"}}},
				xr:      xrWith(withCompositionRef("mine")),
			},
			want: want{changed: true, ref: &corev1.ObjectReference{Name: "enforced"}},
		},
		"EnforcedRefAlreadySet": {
			reason: "An XR that already names the enforced Composition is unchanged.",
			args: args{
				xrd: &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{EnforcedCompositionRef: &v1.CompositionReference{Name: "enforced"}}},
				xr:  xrWith(withCompositionRef("enforced")),
			},
			want: want{changed: false, ref: &corev1.ObjectReference{Name: "enforced"}},
		},
		"ExistingRefKept": {
			reason: "A Composition the XR already names is kept, even when a selector or default would choose another.",
			args: args{
				objects: []client.Object{composition("a", xrGVK, "provider", "aws"), composition("mine", xrGVK)},
				xrd:     &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{DefaultCompositionRef: &v1.CompositionReference{Name: "default"}}},
				xr:      xrWith(withCompositionRef("mine"), withSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"provider": "aws"}})),
			},
			want: want{changed: false, ref: &corev1.ObjectReference{Name: "mine"}},
		},
		"SelectorPicksFirstMatch": {
			reason: "A selector picks the alphabetically first compatible Composition it matches, ignoring those of other kinds.",
			args: args{
				objects: []client.Object{
					composition("b-match", xrGVK, "provider", "aws"),
					composition("a-match", xrGVK, "provider", "aws"),
					composition("0-nomatch", xrGVK, "provider", "gcp"),
					composition("00-other-kind", other, "provider", "aws"),
				},
				xrd: &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{DefaultCompositionRef: &v1.CompositionReference{Name: "default"}}},
				xr:  xrWith(withSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"provider": "aws"}})),
			},
			want: want{changed: true, ref: &corev1.ObjectReference{Name: "a-match"}},
		},
		"SelectorNoMatch": {
			reason: "A selector that matches no compatible Composition is an error that names the selector.",
			args: args{
				objects: []client.Object{
					composition("gcp", xrGVK, "provider", "gcp"),
					composition("azure-bucket", other, "provider", "azure"),
				},
				xrd: &v1.CompositeResourceDefinition{},
				xr:  xrWith(withSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"provider": "azure"}})),
			},
			want: want{err: errors.New("no Composition for example.org/v1alpha1 XDatabase matches spec.compositionSelector provider=azure")},
		},
		"InvalidSelector": {
			reason: "A selector that cannot be parsed is an error.",
			args: args{
				objects: []client.Object{composition("a", xrGVK)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withSelector(badSelector)),
			},
			want: want{err: errors.Wrap(badSelectorErr, "invalid spec.compositionSelector")},
		},
		"XRDDefault": {
			reason: "Without a reference or selector, the XRD's default Composition is chosen.",
			args: args{
				objects: []client.Object{composition("a", xrGVK), composition("b", xrGVK)},
				xrd:     &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{DefaultCompositionRef: &v1.CompositionReference{Name: "b"}}},
				xr:      xrWith(),
			},
			want: want{changed: true, ref: &corev1.ObjectReference{Name: "b"}},
		},
		"OneCompatible": {
			reason: "The only Composition of the XR's kind is chosen.",
			args: args{
				objects: []client.Object{composition("only", xrGVK), composition("bucket", other)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(),
			},
			want: want{changed: true, ref: &corev1.ObjectReference{Name: "only"}},
		},
		"SeveralCompatible": {
			reason: "Several Compositions of the XR's kind and no way to choose is an error that lists them.",
			args: args{
				objects: []client.Object{composition("b", xrGVK), composition("a", xrGVK), composition("bucket", other)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(),
			},
			want: want{err: errors.New("2 Compositions compose example.org/v1alpha1 XDatabase (a, b): choose one with spec.compositionRef or spec.compositionSelector, or set the XRD's defaultCompositionRef")},
		},
		"NoneCompatible": {
			reason: "No Composition of the XR's kind is an error that says how to make one.",
			args: args{
				objects: []client.Object{composition("bucket", other)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(),
			},
			want: want{err: errors.New("no Composition composes example.org/v1alpha1 XDatabase: create one with spec.compositeTypeRef set to it")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(tc.args.objects...).Build()
			changed, err := selectComposition(t.Context(), c, tc.args.xrd, tc.args.xr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nselectComposition(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.changed, changed); diff != "" {
				t.Errorf("%s\nselectComposition(...): -want changed, +got changed:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.ref, tc.args.xr.GetCompositionReference()); diff != "" {
				t.Errorf("%s\nselectComposition(...): -want spec.compositionRef, +got spec.compositionRef:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSelectCompositionListError(t *testing.T) {
	boom := errors.New("boom")
	c := &test.MockClient{MockList: test.NewMockListFn(boom)}
	_, err := selectComposition(t.Context(), c, &v1.CompositeResourceDefinition{}, xrWith())
	if diff := cmp.Diff(errors.Wrap(boom, "cannot list Compositions"), err, test.EquateErrors()); diff != "" {
		t.Errorf("A failed list of Compositions is an error.\nselectComposition(...): -want error, +got error:\n%s", diff)
	}
}

func TestSelectRevision(t *testing.T) {
	manual := xpv2.UpdateManual
	automatic := xpv2.UpdateAutomatic
	notFound := kerrors.NewNotFound(schema.GroupResource{Group: v1.Group, Resource: "compositions"}, "gone")

	type args struct {
		objects []client.Object
		xrd     *v1.CompositeResourceDefinition
		xr      *composite.Unstructured
	}
	type want struct {
		rev     string
		changed bool
		ref     *corev1.LocalObjectReference
		err     error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NoRevision": {
			reason: "A Composition without revisions yet is errNoRevision, so that the XR waits for one.",
			args: args{
				objects: []client.Object{composition("db", xrGVK), revision("other-1", "other", 1)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withCompositionRef("db")),
			},
			want: want{err: errNoRevision},
		},
		"NoComposition": {
			reason: "A Composition that does not exist is an error naming it, not a wait for its revision.",
			args: args{
				xrd: &v1.CompositeResourceDefinition{},
				xr:  xrWith(withCompositionRef("gone")),
			},
			want: want{err: errors.Wrap(notFound, `cannot get Composition "gone" named by spec.compositionRef`)},
		},
		"AutomaticPicksNewest": {
			reason: "Under the Automatic policy the newest revision of the Composition is picked, and the XR records it.",
			args: args{
				objects: []client.Object{
					revision("db-1", "db", 1), revision("db-3", "db", 3), revision("db-2", "db", 2),
					revision("other-9", "other", 9),
				},
				xrd: &v1.CompositeResourceDefinition{},
				xr:  xrWith(withCompositionRef("db")),
			},
			want: want{rev: "db-3", changed: true, ref: &corev1.LocalObjectReference{Name: "db-3"}},
		},
		"RevisionSelector": {
			reason: "The XR's revision selector admits only the revisions it matches; the newest of those is picked.",
			args: args{
				objects: []client.Object{
					onChannel(revision("db-1", "db", 1), "stable"),
					onChannel(revision("db-2", "db", 2), "stable"),
					onChannel(revision("db-3", "db", 3), "beta"),
				},
				xrd: &v1.CompositeResourceDefinition{},
				xr: xrWith(withCompositionRef("db"), func(xr *composite.Unstructured) {
					xr.SetCompositionRevisionSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"channel": "stable"}})
				}),
			},
			want: want{rev: "db-2", changed: true, ref: &corev1.LocalObjectReference{Name: "db-2"}},
		},
		"DefaultRevisionSelector": {
			reason: "Without a selector of its own, the XR uses the XRD's default revision selector.",
			args: args{
				objects: []client.Object{
					onChannel(revision("db-1", "db", 1), "stable"),
					onChannel(revision("db-2", "db", 2), "beta"),
				},
				xrd: &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{
					DefaultCompositionRevisionSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"channel": "stable"}},
				}},
				xr: xrWith(withCompositionRef("db")),
			},
			want: want{rev: "db-1", changed: true, ref: &corev1.LocalObjectReference{Name: "db-1"}},
		},
		"RevisionSelectorMatchesNone": {
			reason: "A revision selector that admits no revision is an error that names the selector.",
			args: args{
				objects: []client.Object{onChannel(revision("db-1", "db", 1), "beta")},
				xrd:     &v1.CompositeResourceDefinition{},
				xr: xrWith(withCompositionRef("db"), func(xr *composite.Unstructured) {
					xr.SetCompositionRevisionSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"channel": "stable"}})
				}),
			},
			want: want{err: errors.New(`no CompositionRevision of Composition "db" matches the revision selector channel=stable`)},
		},
		"AutomaticMovesOn": {
			reason: "Under the Automatic policy an XR on an older revision moves to the newest.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("db-2", "db", 2)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withCompositionRef("db"), withRevisionRef("db-1"), withUpdatePolicy(automatic)),
			},
			want: want{rev: "db-2", changed: true, ref: &corev1.LocalObjectReference{Name: "db-2"}},
		},
		"AlreadyNewest": {
			reason: "An XR already on the newest revision is unchanged.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("db-2", "db", 2)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withCompositionRef("db"), withRevisionRef("db-2")),
			},
			want: want{rev: "db-2", changed: false, ref: &corev1.LocalObjectReference{Name: "db-2"}},
		},
		"ManualKeepsPinned": {
			reason: "Under the Manual policy an XR stays on the revision it pins, even when a newer one exists.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("db-2", "db", 2)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withCompositionRef("db"), withRevisionRef("db-1"), withUpdatePolicy(manual)),
			},
			want: want{rev: "db-1", changed: false, ref: &corev1.LocalObjectReference{Name: "db-1"}},
		},
		"XRDDefaultManual": {
			reason: "The XRD's default update policy applies to XRs that set none.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("db-2", "db", 2)},
				xrd:     &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{DefaultCompositionUpdatePolicy: &manual}},
				xr:      xrWith(withCompositionRef("db"), withRevisionRef("db-1")),
			},
			want: want{rev: "db-1", changed: false, ref: &corev1.LocalObjectReference{Name: "db-1"}},
		},
		"XRPolicyOverridesXRD": {
			reason: "The XR's own update policy overrides the XRD's default.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("db-2", "db", 2)},
				xrd:     &v1.CompositeResourceDefinition{Spec: v1.CompositeResourceDefinitionSpec{DefaultCompositionUpdatePolicy: &manual}},
				xr:      xrWith(withCompositionRef("db"), withRevisionRef("db-1"), withUpdatePolicy(automatic)),
			},
			want: want{rev: "db-2", changed: true, ref: &corev1.LocalObjectReference{Name: "db-2"}},
		},
		"ManualPinsNewest": {
			reason: "Under the Manual policy an XR that pins no revision is pinned to the newest.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("db-2", "db", 2)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withCompositionRef("db"), withUpdatePolicy(manual)),
			},
			want: want{rev: "db-2", changed: true, ref: &corev1.LocalObjectReference{Name: "db-2"}},
		},
		"ManualPinnedMissing": {
			reason: "Under the Manual policy a pinned revision that does not exist is an error naming it.",
			args: args{
				objects: []client.Object{revision("db-1", "db", 1), revision("gone", "other", 1)},
				xrd:     &v1.CompositeResourceDefinition{},
				xr:      xrWith(withCompositionRef("db"), withRevisionRef("gone"), withUpdatePolicy(manual)),
			},
			want: want{
				ref: &corev1.LocalObjectReference{Name: "gone"},
				err: errors.New(`CompositionRevision "gone" named by spec.compositionRevisionRef does not exist for Composition "db"`),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(tc.args.objects...).Build()
			rev, changed, err := selectRevision(t.Context(), c, tc.args.xrd, tc.args.xr)
			// The sentinel is compared as such, since callers test for it
			// with errors.Is; other errors by their messages.
			equate := test.EquateErrors()
			if tc.want.err == errNoRevision { //nolint:errorlint // Choosing how to compare, not testing the error.
				equate = cmpopts.EquateErrors()
			}
			if diff := cmp.Diff(tc.want.err, err, equate); diff != "" {
				t.Errorf("%s\nselectRevision(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			got := ""
			if rev != nil {
				got = rev.Name
			}
			if diff := cmp.Diff(tc.want.rev, got); diff != "" {
				t.Errorf("%s\nselectRevision(...): -want revision, +got revision:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.changed, changed); diff != "" {
				t.Errorf("%s\nselectRevision(...): -want changed, +got changed:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.ref, tc.args.xr.GetCompositionRevisionReference()); diff != "" {
				t.Errorf("%s\nselectRevision(...): -want spec.compositionRevisionRef, +got spec.compositionRevisionRef:\n%s", tc.reason, diff)
			}
		})
	}
}
