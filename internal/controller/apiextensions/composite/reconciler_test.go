package composite

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	"github.com/stratus-dev/stratus/internal/xfn"
)

// A pipelineFn is a PipelineRunner made of a function.
type pipelineFn func(ctx context.Context, req xfn.PipelineRequest) (*xfn.PipelineResult, error)

func (fn pipelineFn) Run(ctx context.Context, req xfn.PipelineRequest) (*xfn.PipelineResult, error) {
	return fn(ctx, req)
}

// desiring returns a pipeline that desires one ready resource of kind
// ConfigMap or Secret, named x, in namespace ns, and records the
// composition resource names each run observed.
func desiring(kind string, observed *[][]string) pipelineFn {
	return func(_ context.Context, req xfn.PipelineRequest) (*xfn.PipelineResult, error) {
		names := make([]string, 0, len(req.Observed))
		for n := range req.Observed {
			names = append(names, n)
		}
		sort.Strings(names)
		*observed = append(*observed, names)
		return &xfn.PipelineResult{Resources: map[string]xfn.DesiredResource{
			"x": {Resource: obj("v1", kind, "ns", ""), Ready: fnv1.Ready_READY_TRUE},
		}}, nil
	}
}

func TestReconcileReplacesComposedResources(t *testing.T) {
	const xrUID = "xr-uid"
	xrKey := types.NamespacedName{Name: "db"}
	name := composedName(newXR("", "db"), "x")
	// resource returns a composed resource of the XR, named name, of
	// composition resource name res.
	resource := func(kind, res string, fns ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
		u := obj("v1", kind, "ns", name)
		u.SetAnnotations(map[string]string{"crossplane.io/composition-resource-name": res})
		u.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: xrGVK.GroupVersion().String(), Kind: xrGVK.Kind, Name: "db", UID: xrUID, Controller: new(true)}})
		for _, fn := range fns {
			fn(u)
		}
		return u
	}
	withFinalizer := func(u *unstructured.Unstructured) { u.SetFinalizers([]string{"example.org/protect"}) }
	ownedByOther := func(u *unstructured.Unstructured) {
		u.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "Other", Name: "o", UID: "other-uid", Controller: new(true)}})
	}
	ref := func(kind, name string) corev1.ObjectReference {
		return corev1.ObjectReference{APIVersion: "v1", Kind: kind, Namespace: "ns", Name: name}
	}
	xr := func(refs []corev1.ObjectReference, fns ...func(*composite.Unstructured)) *composite.Unstructured {
		x := newXR("", "db")
		x.SetUID(xrUID)
		x.SetFinalizers([]string{finalizer})
		x.SetCompositionReference(&corev1.ObjectReference{Name: "b"})
		x.SetCompositionRevisionReference(&corev1.LocalObjectReference{Name: "b-1"})
		x.SetResourceReferences(refs)
		for _, fn := range fns {
			fn(x)
		}
		return x
	}
	deletingXR := func(x *composite.Unstructured) {
		now := metav1.Now()
		x.SetDeletionTimestamp(&now)
	}

	type args struct {
		xr        *composite.Unstructured
		objects   []client.Object
		desired   string
		reconcile int
	}
	type want struct {
		result   reconcile.Result
		err      error
		objects  []string
		refs     []corev1.ObjectReference
		observed [][]string
		gone     bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"KindChanged": {
			reason: "A resource whose composition resource name is now desired as another kind is deleted and its successor created; the pipeline runs again so that it does not observe the old resource as the new one; the old one stays referenced until it is seen gone.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", name)}),
				objects:   []client.Object{resource("ConfigMap", "x")},
				desired:   "Secret",
				reconcile: 1,
			},
			want: want{
				result:   reconcile.Result{RequeueAfter: retryAfter},
				objects:  []string{"Secret/" + name},
				refs:     []corev1.ObjectReference{ref("ConfigMap", name), ref("Secret", name)},
				observed: [][]string{{"x"}, {}},
			},
		},
		"KindChangedSettles": {
			reason: "Once the replaced resource is gone, only its successor is referenced and observed.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", name)}),
				objects:   []client.Object{resource("ConfigMap", "x")},
				desired:   "Secret",
				reconcile: 2,
			},
			want: want{
				result:   reconcile.Result{RequeueAfter: time.Minute},
				objects:  []string{"Secret/" + name},
				refs:     []corev1.ObjectReference{ref("Secret", name)},
				observed: [][]string{{"x"}, {}, {"x"}},
			},
		},
		"KindChangedOldHasFinalizer": {
			reason: "A replaced resource that outlives its deletion stays referenced, and the pipeline observes its successor, not it.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", name)}),
				objects:   []client.Object{resource("ConfigMap", "x", withFinalizer)},
				desired:   "Secret",
				reconcile: 2,
			},
			want: want{
				result:   reconcile.Result{RequeueAfter: retryAfter},
				objects:  []string{"ConfigMap/" + name + " (deleting)", "Secret/" + name},
				refs:     []corev1.ObjectReference{ref("ConfigMap", name), ref("Secret", name)},
				observed: [][]string{{"x"}, {}, {"x"}},
			},
		},
		"SameKind": {
			reason: "A resource desired as the same object is kept and the pipeline runs once.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", name)}),
				objects:   []client.Object{resource("ConfigMap", "x")},
				desired:   "ConfigMap",
				reconcile: 1,
			},
			want: want{
				result:   reconcile.Result{RequeueAfter: time.Minute},
				objects:  []string{"ConfigMap/" + name},
				refs:     []corev1.ObjectReference{ref("ConfigMap", name)},
				observed: [][]string{{"x"}},
			},
		},
		"NoLongerDesired": {
			reason: "A resource whose composition resource name left the desired state is deleted.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", "old")}),
				objects:   []client.Object{func() client.Object { u := resource("ConfigMap", "gone"); u.SetName("old"); return u }()},
				desired:   "Secret",
				reconcile: 1,
			},
			want: want{
				result:   reconcile.Result{RequeueAfter: retryAfter},
				objects:  []string{"Secret/" + name},
				refs:     []corev1.ObjectReference{ref("ConfigMap", "old"), ref("Secret", name)},
				observed: [][]string{{"gone"}},
			},
		},
		"OtherControllerNotDeleted": {
			reason: "A referenced resource controlled by another object is not this XR's to delete: it is left alone and no longer referenced.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", name)}),
				objects:   []client.Object{resource("ConfigMap", "x", ownedByOther)},
				desired:   "Secret",
				reconcile: 1,
			},
			want: want{
				result:   reconcile.Result{RequeueAfter: time.Minute},
				objects:  []string{"ConfigMap/" + name, "Secret/" + name},
				refs:     []corev1.ObjectReference{ref("Secret", name)},
				observed: [][]string{{"x"}, {}},
			},
		},
		"DeletingXRDeletesLeftovers": {
			reason: "A deleting XR deletes every referenced resource, a replaced one that is still there included, and then goes.",
			args: args{
				xr:        xr([]corev1.ObjectReference{ref("ConfigMap", name), ref("Secret", name)}, deletingXR),
				objects:   []client.Object{resource("ConfigMap", "x"), resource("Secret", "x")},
				desired:   "Secret",
				reconcile: 2,
			},
			want: want{gone: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := testScheme(t)
			if err := corev1.AddToScheme(s); err != nil {
				t.Fatal(err)
			}
			s.AddKnownTypeWithName(xrGVK, &unstructured.Unstructured{})
			s.AddKnownTypeWithName(xrGVK.GroupVersion().WithKind(xrGVK.Kind+"List"), &unstructured.UnstructuredList{})
			rm := meta.NewDefaultRESTMapper(nil)
			rm.Add(corev1.SchemeGroupVersion.WithKind("ConfigMap"), meta.RESTScopeNamespace)
			rm.Add(corev1.SchemeGroupVersion.WithKind("Secret"), meta.RESTScopeNamespace)
			rm.Add(xrGVK, meta.RESTScopeRoot)

			rev := revision("b-1", "b", 1)
			xrd := &v1.CompositeResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: "xdatabases.example.org"}}
			objs := append([]client.Object{rev, xrd, tc.args.xr.GetUnstructured()}, tc.args.objects...)
			c := fake.NewClientBuilder().WithScheme(s).WithRESTMapper(rm).WithObjects(objs...).WithStatusSubresource(tc.args.xr.GetUnstructured()).Build()

			var observed [][]string
			r := NewReconciler(c, xrd.Name, xrGVK, composite.SchemaLegacy, desiring(tc.args.desired, &observed))
			var got reconcile.Result
			var err error
			for range tc.args.reconcile {
				got, err = r.Reconcile(t.Context(), reconcile.Request{NamespacedName: xrKey})
			}
			if diff := cmp.Diff(tc.want.err, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("%s\nReconcile(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.result, got); diff != "" {
				t.Errorf("%s\nReconcile(...): -want result, +got result:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.objects, composedObjects(t, c), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nReconcile(...): -want composed resources, +got composed resources:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.observed, observed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nReconcile(...): -want observed by each pipeline run, +got:\n%s", tc.reason, diff)
			}

			x := composite.New(composite.WithGroupVersionKind(xrGVK), composite.WithSchema(composite.SchemaLegacy))
			err = c.Get(t.Context(), xrKey, x.GetUnstructured())
			if diff := cmp.Diff(tc.want.gone, client.IgnoreNotFound(err) == nil && err != nil); diff != "" {
				t.Errorf("%s\nReconcile(...): -want XR gone, +got XR gone (%v):\n%s", tc.reason, err, diff)
			}
			if tc.want.gone {
				return
			}
			if diff := cmp.Diff(tc.want.refs, x.GetResourceReferences(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nReconcile(...): -want spec.resourceRefs, +got spec.resourceRefs:\n%s", tc.reason, diff)
			}
		})
	}
}

// composedObjects lists the ConfigMaps and Secrets of namespace ns, as
// Kind/name, marking those being deleted.
func composedObjects(t *testing.T, c client.Client) []string {
	t.Helper()
	var out []string
	for _, kind := range []string{"ConfigMap", "Secret"} {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: kind + "List"})
		if err := c.List(t.Context(), l, client.InNamespace("ns")); err != nil {
			t.Fatalf("List(...): %v", err)
		}
		for _, u := range l.Items {
			s := kind + "/" + u.GetName()
			if u.GetDeletionTimestamp() != nil {
				s += " (deleting)"
			}
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
