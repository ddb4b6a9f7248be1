package revision

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"

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

// spec returns a Pipeline-mode Composition spec whose one step runs fn.
func spec(fn string) v1.CompositionSpec {
	return v1.CompositionSpec{
		CompositeTypeRef: v1.TypeReference{APIVersion: "example.org/v1alpha1", Kind: "XDatabase"},
		Pipeline:         []v1.PipelineStep{{Step: "compose", FunctionRef: v1.FunctionReference{Name: fn}}},
	}
}

func hash(t *testing.T, s v1.CompositionSpec) string {
	t.Helper()
	h, err := Hash(&s)
	if err != nil {
		t.Fatalf("Hash(...): %v", err)
	}
	return h
}

func TestHash(t *testing.T) {
	pipeline := v1.CompositionModePipeline

	type args struct {
		a, b v1.CompositionSpec
	}
	type want struct {
		same bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Equal": {
			reason: "Equal specs hash alike.",
			args:   args{a: spec("function-a"), b: spec("function-a")},
			want:   want{same: true},
		},
		"DifferentStep": {
			reason: "Specs that run different functions hash differently.",
			args:   args{a: spec("function-a"), b: spec("function-b")},
			want:   want{same: false},
		},
		"ExplicitMode": {
			reason: "Setting the mode a spec would be inferred to have is still a change of spec.",
			args: args{
				a: spec("function-a"),
				b: func() v1.CompositionSpec { s := spec("function-a"); s.Mode = &pipeline; return s }(),
			},
			want: want{same: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := hash(t, tc.args.a), hash(t, tc.args.b)
			if diff := cmp.Diff(tc.want.same, a == b); diff != "" {
				t.Errorf("%s\nHash(...): -want same, +got same (%q, %q):\n%s", tc.reason, a, b, diff)
			}
			if diff := cmp.Diff(7, len(a)); diff != "" {
				t.Errorf("%s\nHash(...): -want length, +got length:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	specA, specB := spec("function-a"), spec("function-b")
	hashA, hashB := hash(t, specA), hash(t, specB)
	deleted := metav1.NewTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))

	comp := func(s v1.CompositionSpec, fns ...func(*v1.Composition)) *v1.Composition {
		c := &v1.Composition{ObjectMeta: metav1.ObjectMeta{Name: "db", UID: "comp-uid", Labels: map[string]string{"provider": "aws"}}, Spec: s}
		for _, fn := range fns {
			fn(c)
		}
		return c
	}
	withFinalizer := func(c *v1.Composition) { c.Finalizers = []string{finalizer} }
	// rev is the revision the reconciler makes of Composition "db" with
	// spec s, numbered n.
	rev := func(s v1.CompositionSpec, h string, n int64) *v1.CompositionRevision {
		return &v1.CompositionRevision{
			ObjectMeta: metav1.ObjectMeta{
				Name:   "db-" + h,
				Labels: map[string]string{v1.LabelCompositionName: "db", v1.LabelCompositionHash: h, "provider": "aws"},
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: v1.SchemeGroupVersion.String(), Kind: "Composition", Name: "db", UID: "comp-uid",
					Controller: new(true), BlockOwnerDeletion: new(true),
				}},
			},
			Spec: v1.CompositionRevisionSpec{CompositionSpec: s, Revision: n},
		}
	}
	otherRev := &v1.CompositionRevision{
		ObjectMeta: metav1.ObjectMeta{Name: "other-" + hashA, Labels: map[string]string{v1.LabelCompositionName: "other", v1.LabelCompositionHash: hashA}},
		Spec:       v1.CompositionRevisionSpec{CompositionSpec: specA, Revision: 7},
	}

	// staleList lists no CompositionRevisions, as a cache that has not seen
	// a revision created a moment ago.
	staleList := func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
		if _, ok := l.(*v1.CompositionRevisionList); ok {
			return nil
		}
		return c.List(ctx, l, opts...)
	}
	notCached := func(ctx context.Context, c client.WithWatch, key client.ObjectKey, o client.Object, opts ...client.GetOption) error {
		if _, ok := o.(*v1.CompositionRevision); ok {
			return kerrors.NewNotFound(schema.GroupResource{Group: v1.Group, Resource: "compositionrevisions"}, key.Name)
		}
		return c.Get(ctx, key, o, opts...)
	}
	conflict := kerrors.NewConflict(schema.GroupResource{Group: v1.Group, Resource: "compositions"}, "db", errors.New("the object has been modified"))
	taken := rev(specA, hashA, 1)
	taken.Labels = map[string]string{v1.LabelCompositionName: "someone-else", v1.LabelCompositionHash: hashA}

	type args struct {
		objects []client.Object
		funcs   interceptor.Funcs
	}
	type want struct {
		result    reconcile.Result
		err       error
		revisions []v1.CompositionRevision
		// finalizers of Composition "db"; nil with gone set when it no
		// longer exists.
		finalizers []string
		gone       bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NotFound": {
			reason: "A Composition that no longer exists is not an error.",
			args:   args{objects: []client.Object{otherRev}},
			want:   want{revisions: []v1.CompositionRevision{*otherRev}, gone: true},
		},
		"NewComposition": {
			reason: "A new Composition gets a finalizer and revision 1, labeled with its name, its spec's hash and its own labels.",
			args:   args{objects: []client.Object{comp(specA), otherRev}},
			want: want{
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 1), *otherRev},
				finalizers: []string{finalizer},
			},
		},
		"ReservedLabels": {
			reason: "The Composition's labels cannot override the revision's name and hash labels.",
			args: args{objects: []client.Object{comp(specA, func(c *v1.Composition) {
				c.Labels[v1.LabelCompositionName] = "someone-else"
				c.Labels[v1.LabelCompositionHash] = "bogus"
			})}},
			want: want{
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 1)},
				finalizers: []string{finalizer},
			},
		},
		"Unchanged": {
			reason: "A Composition whose spec has a revision that is the newest gets no new revision.",
			args:   args{objects: []client.Object{comp(specA, withFinalizer), rev(specA, hashA, 1), otherRev}},
			want: want{
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 1), *otherRev},
				finalizers: []string{finalizer},
			},
		},
		"Changed": {
			reason: "A changed spec gets the next revision number; other Compositions' revisions do not count.",
			args:   args{objects: []client.Object{comp(specB, withFinalizer), rev(specA, hashA, 1), otherRev}},
			want: want{
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 1), *rev(specB, hashB, 2), *otherRev},
				finalizers: []string{finalizer},
			},
		},
		"BackToEarlierSpec": {
			reason: "Going back to an earlier spec makes its revision the newest again, instead of a copy of it.",
			args:   args{objects: []client.Object{comp(specA, withFinalizer), rev(specA, hashA, 1), rev(specB, hashB, 2), otherRev}},
			want: want{
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 3), *rev(specB, hashB, 2), *otherRev},
				finalizers: []string{finalizer},
			},
		},
		"CreatedAlreadyUncached": {
			reason: "A revision that exists although the cache did not list it (created by the previous reconcile) is the one wanted: no error, a quiet requeue, no second revision.",
			args: args{
				objects: []client.Object{comp(specA, withFinalizer), rev(specA, hashA, 1)},
				funcs:   interceptor.Funcs{List: staleList},
			},
			want: want{
				result:     reconcile.Result{RequeueAfter: requeueExists},
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 1)},
				finalizers: []string{finalizer},
			},
		},
		"CreatedAlreadyNotInCache": {
			reason: "A revision that exists but cannot be read from the cache yet is also left to the next reconcile, quietly.",
			args: args{
				objects: []client.Object{comp(specA, withFinalizer), rev(specA, hashA, 1)},
				funcs:   interceptor.Funcs{List: staleList, Get: notCached},
			},
			want: want{
				result:     reconcile.Result{RequeueAfter: requeueExists},
				revisions:  []v1.CompositionRevision{*rev(specA, hashA, 1)},
				finalizers: []string{finalizer},
			},
		},
		"NameTaken": {
			reason: "An object of the revision's name that is not this Composition's revision of this spec is an error.",
			args: args{
				objects: []client.Object{comp(specA, withFinalizer), taken},
				funcs:   interceptor.Funcs{List: staleList},
			},
			want: want{
				err:        errors.Errorf("cannot create CompositionRevision db-%s: one of that name exists and is not a revision of Composition db with hash %s", hashA, hashA),
				revisions:  []v1.CompositionRevision{*taken},
				finalizers: []string{finalizer},
			},
		},
		"FinalizerConflict": {
			reason: "A finalizer update that lost a race is retried quietly, not reported as an error.",
			args: args{
				objects: []client.Object{comp(specA)},
				funcs: interceptor.Funcs{Update: func(context.Context, client.WithWatch, client.Object, ...client.UpdateOption) error {
					return conflict
				}},
			},
			want: want{result: reconcile.Result{Requeue: true}},
		},
		"Deleting": {
			reason: "A deleting Composition's revisions are deleted and its finalizer dropped; other Compositions' revisions stay.",
			args: args{objects: []client.Object{
				comp(specA, withFinalizer, func(c *v1.Composition) { c.DeletionTimestamp = &deleted }),
				rev(specA, hashA, 1), rev(specB, hashB, 2), otherRev,
			}},
			want: want{revisions: []v1.CompositionRevision{*otherRev}, gone: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(tc.args.objects...).Build()
			r := &Reconciler{client: interceptor.NewClient(c, tc.args.funcs), log: logging.NewNopLogger(), record: event.NewNopRecorder()}
			got, err := r.Reconcile(t.Context(), reconcile.Request{NamespacedName: types.NamespacedName{Name: "db"}})
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nReconcile(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.result, got); diff != "" {
				t.Errorf("%s\nReconcile(...): -want result, +got result:\n%s", tc.reason, diff)
			}

			l := &v1.CompositionRevisionList{}
			if err := c.List(t.Context(), l); err != nil {
				t.Fatalf("List(...): %v", err)
			}
			if diff := cmp.Diff(tc.want.revisions, l.Items,
				cmpopts.EquateEmpty(),
				cmpopts.IgnoreTypes(metav1.TypeMeta{}),
				cmpopts.IgnoreFields(metav1.ObjectMeta{}, "ResourceVersion"),
				cmpopts.SortSlices(func(a, b v1.CompositionRevision) bool { return a.Name < b.Name }),
			); diff != "" {
				t.Errorf("%s\nReconcile(...): -want revisions, +got revisions:\n%s", tc.reason, diff)
			}

			cp := &v1.Composition{}
			err = c.Get(t.Context(), types.NamespacedName{Name: "db"}, cp)
			if diff := cmp.Diff(tc.want.gone, kerrors.IsNotFound(err)); diff != "" {
				t.Errorf("%s\nReconcile(...): -want Composition gone, +got Composition gone (%v):\n%s", tc.reason, err, diff)
			}
			if diff := cmp.Diff(tc.want.finalizers, cp.Finalizers, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nReconcile(...): -want finalizers, +got finalizers:\n%s", tc.reason, diff)
			}
		})
	}
}
