package composite

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/stratus-dev/stratus/internal/xfn"
)

var xrGVK = schema.GroupVersionKind{Group: "example.org", Version: "v1alpha1", Kind: "XDatabase"}

// newXR returns a legacy composite resource of kind xrGVK.
func newXR(namespace, name string) *composite.Unstructured {
	xr := composite.New(composite.WithGroupVersionKind(xrGVK), composite.WithSchema(composite.SchemaLegacy))
	xr.SetNamespace(namespace)
	xr.SetName(name)
	return xr
}

// obj returns an unstructured object of the given kind and name.
func obj(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

func TestComposedNameIdentity(t *testing.T) {
	type identity struct {
		namespace, name, resource string
	}
	type args struct {
		a, b identity
	}
	type want struct {
		same bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Deterministic": {
			reason: "The same XR and composition resource name always yield the same name, so a retried apply never makes a second resource.",
			args: args{
				a: identity{"team-a", "db", "instance"},
				b: identity{"team-a", "db", "instance"},
			},
			want: want{same: true},
		},
		"DifferentResourceName": {
			reason: "Two composition resources of one XR get different names.",
			args: args{
				a: identity{"", "db", "instance"},
				b: identity{"", "db", "subnet"},
			},
			want: want{same: false},
		},
		"DifferentXRName": {
			reason: "The same composition resource of two XRs gets different names.",
			args: args{
				a: identity{"", "db-1", "instance"},
				b: identity{"", "db-2", "instance"},
			},
			want: want{same: false},
		},
		"DifferentXRNamespace": {
			reason: "XRs of one name in two namespaces compose resources of different names.",
			args: args{
				a: identity{"team-a", "db", "instance"},
				b: identity{"team-b", "db", "instance"},
			},
			want: want{same: false},
		},
		"LongNamesSharingPrefix": {
			reason: "Long XR names that share their first 54 characters still compose different names.",
			args: args{
				a: identity{"", strings.Repeat("a", 60) + "-one", "instance"},
				b: identity{"", strings.Repeat("a", 60) + "-two", "instance"},
			},
			want: want{same: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := composedName(newXR(tc.args.a.namespace, tc.args.a.name), tc.args.a.resource)
			b := composedName(newXR(tc.args.b.namespace, tc.args.b.name), tc.args.b.resource)
			if diff := cmp.Diff(tc.want.same, a == b); diff != "" {
				t.Errorf("%s\ncomposedName(...): -want same, +got same (%q, %q):\n%s", tc.reason, a, b, diff)
			}
		})
	}
}

func TestComposedNameShape(t *testing.T) {
	type args struct {
		name     string
		resource string
	}
	type want struct {
		prefix string
		len    int
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"ShortName": {
			reason: "A short XR name is kept whole, followed by a dash and eight hex digits.",
			args:   args{name: "db", resource: "instance"},
			want:   want{prefix: "db-", len: len("db-") + 8},
		},
		"NameOf54": {
			reason: "An XR name of 54 characters is kept whole; the result is 63 characters long.",
			args:   args{name: strings.Repeat("b", 54), resource: "instance"},
			want:   want{prefix: strings.Repeat("b", 54) + "-", len: 63},
		},
		"LongName": {
			reason: "A long XR name is cut to 54 characters, so that the name fits in 63.",
			args:   args{name: strings.Repeat("c", 200), resource: "instance"},
			want:   want{prefix: strings.Repeat("c", 54) + "-", len: 63},
		},
		"LongNameCutAtDash": {
			reason: "Dashes where the XR name is cut are trimmed, so that the name never holds a double dash.",
			args:   args{name: strings.Repeat("d", 52) + "--" + strings.Repeat("e", 20), resource: "instance"},
			want:   want{prefix: strings.Repeat("d", 52) + "-", len: 52 + 1 + 8},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := composedName(newXR("", tc.args.name), tc.args.resource)
			if diff := cmp.Diff(tc.want.prefix, got[:min(len(got), len(tc.want.prefix))]); diff != "" {
				t.Errorf("%s\ncomposedName(...): -want prefix, +got prefix:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.len, len(got)); diff != "" {
				t.Errorf("%s\ncomposedName(...): -want length, +got length:\n%s", tc.reason, diff)
			}
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Errorf("%s\ncomposedName(...) = %q is not a DNS-1123 label: %v", tc.reason, got, errs)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	type args struct {
		want any
		got  any
	}
	type want struct {
		subset bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"EqualMaps": {
			reason: "Equal maps are subsets of each other.",
			args: args{
				want: map[string]any{"a": "x", "b": true},
				got:  map[string]any{"a": "x", "b": true},
			},
			want: want{subset: true},
		},
		"ExtraFieldsInGot": {
			reason: "Fields the server adds (status, defaults) do not matter.",
			args: args{
				want: map[string]any{"spec": map[string]any{"size": "small"}},
				got:  map[string]any{"spec": map[string]any{"size": "small", "region": "eu"}, "status": map[string]any{}},
			},
			want: want{subset: true},
		},
		"MissingKey": {
			reason: "A desired field the observed object lacks is drift.",
			args: args{
				want: map[string]any{"spec": map[string]any{"size": "small"}},
				got:  map[string]any{"spec": map[string]any{}},
			},
			want: want{subset: false},
		},
		"MissingNilKey": {
			reason: "A desired null equals a missing observed field.",
			args: args{
				want: map[string]any{"spec": map[string]any{"size": nil}},
				got:  map[string]any{"spec": map[string]any{}},
			},
			want: want{subset: true},
		},
		"DifferentString": {
			reason: "A field of another value is drift.",
			args: args{
				want: map[string]any{"size": "small"},
				got:  map[string]any{"size": "large"},
			},
			want: want{subset: false},
		},
		"Int64EqualsFloat64": {
			reason: "JSON numbers compare by value, whether decoded as int64 or float64.",
			args: args{
				want: map[string]any{"replicas": int64(3)},
				got:  map[string]any{"replicas": float64(3)},
			},
			want: want{subset: true},
		},
		"Float64EqualsInt64": {
			reason: "JSON numbers compare by value in either direction.",
			args: args{
				want: map[string]any{"replicas": float64(3)},
				got:  map[string]any{"replicas": int64(3)},
			},
			want: want{subset: true},
		},
		"NumbersDiffer": {
			reason: "Numbers of different values differ.",
			args: args{
				want: map[string]any{"replicas": int64(3)},
				got:  map[string]any{"replicas": float64(3.5)},
			},
			want: want{subset: false},
		},
		"NumberVersusString": {
			reason: "A number does not equal its string form.",
			args: args{
				want: map[string]any{"replicas": int64(3)},
				got:  map[string]any{"replicas": "3"},
			},
			want: want{subset: false},
		},
		"EqualSlices": {
			reason: "Slices compare element by element, each as a subset.",
			args: args{
				want: []any{map[string]any{"name": "a"}, "b", int64(1)},
				got:  []any{map[string]any{"name": "a", "uid": "1"}, "b", float64(1)},
			},
			want: want{subset: true},
		},
		"SliceLengthDiffers": {
			reason: "A list with more or fewer elements is drift: lists are replaced, not merged.",
			args: args{
				want: []any{"a"},
				got:  []any{"a", "b"},
			},
			want: want{subset: false},
		},
		"SliceElementDiffers": {
			reason: "A list with another element is drift.",
			args: args{
				want: []any{"a", "b"},
				got:  []any{"a", "c"},
			},
			want: want{subset: false},
		},
		"MapVersusString": {
			reason: "A map does not match a value of another type.",
			args: args{
				want: map[string]any{"spec": map[string]any{"a": "b"}},
				got:  map[string]any{"spec": "b"},
			},
			want: want{subset: false},
		},
		"SliceVersusMap": {
			reason: "A list does not match a map.",
			args: args{
				want: []any{"a"},
				got:  map[string]any{"0": "a"},
			},
			want: want{subset: false},
		},
		"MissingMap": {
			reason: "A desired map, even an empty one, does not match a missing field.",
			args: args{
				want: map[string]any{"spec": map[string]any{}},
				got:  map[string]any{},
			},
			want: want{subset: false},
		},
		"BoolDiffers": {
			reason: "Booleans compare by value.",
			args: args{
				want: map[string]any{"enabled": true},
				got:  map[string]any{"enabled": false},
			},
			want: want{subset: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := subset(tc.args.want, tc.args.got)
			if diff := cmp.Diff(tc.want.subset, got); diff != "" {
				t.Errorf("%s\nsubset(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpToDate(t *testing.T) {
	withHash := func(u *unstructured.Unstructured, h string) *unstructured.Unstructured {
		u.SetAnnotations(map[string]string{AnnotationAppliedHash: h})
		return u
	}
	withSize := func(u *unstructured.Unstructured, size string) *unstructured.Unstructured {
		_ = unstructured.SetNestedField(u.Object, size, "spec", "size")
		return u
	}

	type args struct {
		desired  *unstructured.Unstructured
		observed *unstructured.Unstructured
	}
	type want struct {
		upToDate bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NotObserved": {
			reason: "A resource that does not exist yet is not up to date.",
			args: args{
				desired: withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"),
			},
			want: want{upToDate: false},
		},
		"HashMismatch": {
			reason: "A resource last applied from another desired state is applied again, even when its fields match.",
			args: args{
				desired:  withSize(withHash(obj("v1", "ConfigMap", "ns", "cm"), "h2"), "small"),
				observed: withSize(withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"), "small"),
			},
			want: want{upToDate: false},
		},
		"NoHashObserved": {
			reason: "A resource without the applied hash (created by someone else) is applied.",
			args: args{
				desired:  withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"),
				observed: obj("v1", "ConfigMap", "ns", "cm"),
			},
			want: want{upToDate: false},
		},
		"FieldDrift": {
			reason: "A resource whose fields were changed since the last apply is applied again.",
			args: args{
				desired:  withSize(withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"), "small"),
				observed: withSize(withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"), "large"),
			},
			want: want{upToDate: false},
		},
		"Equal": {
			reason: "A resource with the same hash and every desired field is up to date, whatever the server added.",
			args: args{
				desired: withSize(withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"), "small"),
				observed: func() *unstructured.Unstructured {
					u := withSize(withHash(obj("v1", "ConfigMap", "ns", "cm"), "h1"), "small")
					u.SetUID("uid")
					u.SetResourceVersion("42")
					_ = unstructured.SetNestedField(u.Object, "True", "status", "ready")
					return u
				}(),
			},
			want: want{upToDate: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := upToDate(tc.args.desired, tc.args.observed)
			if diff := cmp.Diff(tc.want.upToDate, got); diff != "" {
				t.Errorf("%s\nupToDate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReferences(t *testing.T) {
	type args struct {
		xr      *composite.Unstructured
		desired map[string]*unstructured.Unstructured
	}
	type want struct {
		refs []corev1.ObjectReference
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Empty": {
			reason: "No desired resources, no references.",
			args:   args{xr: newXR("", "xr")},
			want:   want{refs: []corev1.ObjectReference{}},
		},
		"ClusterXRSorted": {
			reason: "A cluster-scoped XR's references keep their namespaces and are sorted by apiVersion, kind, namespace and name.",
			args: args{
				xr: newXR("", "xr"),
				desired: map[string]*unstructured.Unstructured{
					"c": obj("v1", "Secret", "ns", "b"),
					"a": obj("v1", "ConfigMap", "ns", "z"),
					"b": obj("example.org/v1", "Bucket", "", "a"),
					"d": obj("v1", "Secret", "ns", "a"),
				},
			},
			want: want{refs: []corev1.ObjectReference{
				{APIVersion: "example.org/v1", Kind: "Bucket", Name: "a"},
				{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "z"},
				{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "a"},
				{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "b"},
			}},
		},
		"NamespacedXRDropsNamespaces": {
			reason: "A namespaced XR's references carry no namespace: its schema has none, and all are in its namespace.",
			args: args{
				xr: newXR("team-a", "xr"),
				desired: map[string]*unstructured.Unstructured{
					"b": obj("v1", "Secret", "team-a", "b"),
					"a": obj("v1", "ConfigMap", "team-a", "a"),
				},
			},
			want: want{refs: []corev1.ObjectReference{
				{APIVersion: "v1", Kind: "ConfigMap", Name: "a"},
				{APIVersion: "v1", Kind: "Secret", Name: "b"},
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := references(tc.args.xr, tc.args.desired)
			if diff := cmp.Diff(tc.want.refs, got); diff != "" {
				t.Errorf("%s\nreferences(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReferencesStableOrder(t *testing.T) {
	type args struct {
		xr      *composite.Unstructured
		desired map[string]*unstructured.Unstructured
	}
	type want struct {
		refs []corev1.ObjectReference
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"AmbiguousConcatenation": {
			reason: "References sort field by field, so that the order is the same on every call.",
			args: args{
				xr: newXR("", "xr"),
				desired: map[string]*unstructured.Unstructured{
					"one": obj("v1", "ConfigMap", "ab", "c"),
					"two": obj("v1", "ConfigMap", "a", "bc"),
				},
			},
			want: want{refs: []corev1.ObjectReference{
				{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "bc"},
				{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ab", Name: "c"},
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// Map iteration order is random: ask often enough to see both.
			for range 50 {
				got := references(tc.args.xr, tc.args.desired)
				if diff := cmp.Diff(tc.want.refs, got); diff != "" {
					t.Fatalf("%s\nreferences(...): -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

func TestUnready(t *testing.T) {
	withReady := func(u *unstructured.Unstructured, status, reason, message string) *unstructured.Unstructured {
		c := map[string]any{"type": "Ready", "status": status}
		if reason != "" {
			c["reason"] = reason
		}
		if message != "" {
			c["message"] = message
		}
		_ = unstructured.SetNestedSlice(u.Object, []any{c}, "status", "conditions")
		return u
	}

	type args struct {
		desired  map[string]xfn.DesiredResource
		rendered map[string]*unstructured.Unstructured
		observed map[string]xfn.ObservedResource
	}
	type want struct {
		unready []string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"AllReady": {
			reason: "Resources the pipeline calls ready are not listed.",
			args: args{
				desired:  map[string]xfn.DesiredResource{"db": {Ready: fnv1.Ready_READY_TRUE}},
				rendered: map[string]*unstructured.Unstructured{"db": obj("example.org/v1", "Instance", "", "xr-db")},
				observed: map[string]xfn.ObservedResource{"db": {Resource: withReady(obj("example.org/v1", "Instance", "", "xr-db"), "True", "Available", "")}},
			},
			want: want{unready: []string{}},
		},
		"NotCreatedYet": {
			reason: "A resource not observed yet says so, with its kind and name.",
			args: args{
				desired:  map[string]xfn.DesiredResource{"db": {Ready: fnv1.Ready_READY_UNSPECIFIED}},
				rendered: map[string]*unstructured.Unstructured{"db": obj("example.org/v1", "Instance", "", "xr-db")},
			},
			want: want{unready: []string{"db (Instance xr-db: not created yet)"}},
		},
		"ReasonAndMessage": {
			reason: "An observed resource's own Ready reason and message say why it is not ready.",
			args: args{
				desired:  map[string]xfn.DesiredResource{"db": {Ready: fnv1.Ready_READY_FALSE}},
				rendered: map[string]*unstructured.Unstructured{"db": obj("example.org/v1", "Instance", "", "xr-db")},
				observed: map[string]xfn.ObservedResource{"db": {Resource: withReady(obj("example.org/v1", "Instance", "", "xr-db"), "False", "Creating", "waiting for the instance")}},
			},
			want: want{unready: []string{"db (Instance xr-db: Creating: waiting for the instance)"}},
		},
		"NoReadyCondition": {
			reason: "An observed resource without a Ready condition says so.",
			args: args{
				desired:  map[string]xfn.DesiredResource{"cm": {Ready: fnv1.Ready_READY_FALSE}},
				rendered: map[string]*unstructured.Unstructured{"cm": obj("v1", "ConfigMap", "ns", "xr-cm")},
				observed: map[string]xfn.ObservedResource{"cm": {Resource: obj("v1", "ConfigMap", "ns", "xr-cm")}},
			},
			want: want{unready: []string{"cm (ConfigMap xr-cm: no Ready condition)"}},
		},
		"Sorted": {
			reason: "Unready resources are listed by composition resource name, ready ones left out.",
			args: args{
				desired: map[string]xfn.DesiredResource{
					"z": {Ready: fnv1.Ready_READY_FALSE},
					"a": {Ready: fnv1.Ready_READY_FALSE},
					"m": {Ready: fnv1.Ready_READY_TRUE},
				},
				rendered: map[string]*unstructured.Unstructured{
					"z": obj("v1", "Secret", "ns", "xr-z"),
					"a": obj("v1", "ConfigMap", "ns", "xr-a"),
					"m": obj("v1", "ConfigMap", "ns", "xr-m"),
				},
			},
			want: want{unready: []string{
				"a (ConfigMap xr-a: not created yet)",
				"z (Secret xr-z: not created yet)",
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := unready(tc.args.desired, tc.args.rendered, tc.args.observed)
			if diff := cmp.Diff(tc.want.unready, got); diff != "" {
				t.Errorf("%s\nunready(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReadyReason(t *testing.T) {
	type args struct {
		u *unstructured.Unstructured
	}
	type want struct {
		reason string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NoStatus": {
			reason: "A resource without status has no Ready condition.",
			args:   args{u: obj("v1", "ConfigMap", "ns", "cm")},
			want:   want{reason: "no Ready condition"},
		},
		"OtherConditionsOnly": {
			reason: "Conditions of other types do not count.",
			args: args{u: &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": []any{
				"not a condition",
				map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess"},
			}}}}},
			want: want{reason: "no Ready condition"},
		},
		"ReasonAndMessage": {
			reason: "The reason and message of the Ready condition, joined by a colon.",
			args: args{u: &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": []any{
				map[string]any{"type": "Ready", "status": "False", "reason": "Creating", "message": "instance is starting"},
			}}}}},
			want: want{reason: "Creating: instance is starting"},
		},
		"ReasonOnly": {
			reason: "Without a message, the reason alone.",
			args: args{u: &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": []any{
				map[string]any{"type": "Ready", "status": "False", "reason": "Unavailable"},
			}}}}},
			want: want{reason: "Unavailable"},
		},
		"StatusOnly": {
			reason: "Without a reason, the status says what the condition is.",
			args: args{u: &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": []any{
				map[string]any{"type": "Ready", "status": "False", "message": "still booting"},
			}}}}},
			want: want{reason: "Ready=False: still booting"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := readyReason(tc.args.u)
			if diff := cmp.Diff(tc.want.reason, got); diff != "" {
				t.Errorf("%s\nreadyReason(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestHashObject(t *testing.T) {
	type args struct {
		a, b map[string]any
	}
	type want struct {
		same bool
		err  error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Stable": {
			reason: "Equal objects hash alike, however their maps were built.",
			args: args{
				a: map[string]any{"kind": "ConfigMap", "data": map[string]any{"a": "1", "b": "2"}},
				b: map[string]any{"data": map[string]any{"b": "2", "a": "1"}, "kind": "ConfigMap"},
			},
			want: want{same: true},
		},
		"Different": {
			reason: "Objects that differ hash differently.",
			args: args{
				a: map[string]any{"data": map[string]any{"a": "1"}},
				b: map[string]any{"data": map[string]any{"a": "2"}},
			},
			want: want{same: false},
		},
		"Unencodable": {
			reason: "An object that cannot be encoded as JSON cannot be hashed.",
			args: args{
				a: map[string]any{"fn": func() {}},
				b: map[string]any{},
			},
			want: want{err: errors.Wrap(&json.UnsupportedTypeError{Type: reflect.TypeFor[func()]()}, "cannot hash desired resource")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := hashObject(tc.args.a)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s\nhashObject(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if err != nil {
				return
			}
			b, err := hashObject(tc.args.b)
			if err != nil {
				t.Fatalf("%s\nhashObject(...): unexpected error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.same, a == b); diff != "" {
				t.Errorf("%s\nhashObject(...): -want same, +got same (%q, %q):\n%s", tc.reason, a, b, diff)
			}
			if diff := cmp.Diff(16, len(a)); diff != "" {
				t.Errorf("%s\nhashObject(...): -want length, +got length:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRefsCover(t *testing.T) {
	cm := corev1.ObjectReference{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "a"}
	secret := corev1.ObjectReference{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "b"}

	type args struct {
		have, want []corev1.ObjectReference
	}
	type want struct {
		cover bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NothingWanted": {
			reason: "Any list covers no references.",
			args:   args{},
			want:   want{cover: true},
		},
		"AllPresent": {
			reason: "A list holding every wanted reference covers them, whatever else it holds.",
			args:   args{have: []corev1.ObjectReference{secret, cm}, want: []corev1.ObjectReference{cm}},
			want:   want{cover: true},
		},
		"ExtraFieldsIgnored": {
			reason: "References compare by apiVersion, kind, namespace and name only.",
			args: args{
				have: []corev1.ObjectReference{{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "a", UID: "uid", ResourceVersion: "3"}},
				want: []corev1.ObjectReference{cm},
			},
			want: want{cover: true},
		},
		"Missing": {
			reason: "A wanted reference that is not listed is not covered.",
			args:   args{have: []corev1.ObjectReference{cm}, want: []corev1.ObjectReference{cm, secret}},
			want:   want{cover: false},
		},
		"OtherNamespace": {
			reason: "A reference to the same name in another namespace is another reference.",
			args: args{
				have: []corev1.ObjectReference{{APIVersion: "v1", Kind: "ConfigMap", Namespace: "other", Name: "a"}},
				want: []corev1.ObjectReference{cm},
			},
			want: want{cover: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := refsCover(tc.args.have, tc.args.want)
			if diff := cmp.Diff(tc.want.cover, got); diff != "" {
				t.Errorf("%s\nrefsCover(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestMergeRefs(t *testing.T) {
	cm := corev1.ObjectReference{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "a"}
	secret := corev1.ObjectReference{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "b"}
	bucket := corev1.ObjectReference{APIVersion: "example.org/v1", Kind: "Bucket", Name: "c"}

	type args struct {
		have, want []corev1.ObjectReference
	}
	type want struct {
		refs []corev1.ObjectReference
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NothingHad": {
			reason: "Without references, the merge is what is wanted.",
			args:   args{want: []corev1.ObjectReference{cm, secret}},
			want:   want{refs: []corev1.ObjectReference{cm, secret}},
		},
		"AppendsMissing": {
			reason: "Missing references are appended after those already held, in order.",
			args:   args{have: []corev1.ObjectReference{secret}, want: []corev1.ObjectReference{bucket, secret, cm}},
			want:   want{refs: []corev1.ObjectReference{secret, bucket, cm}},
		},
		"KeepsOld": {
			reason: "References no longer wanted are kept, so that their resources can still be found and deleted.",
			args:   args{have: []corev1.ObjectReference{cm, secret}, want: []corev1.ObjectReference{bucket}},
			want:   want{refs: []corev1.ObjectReference{cm, secret, bucket}},
		},
		"NoDuplicates": {
			reason: "A reference wanted twice is added once.",
			args:   args{want: []corev1.ObjectReference{cm, cm}},
			want:   want{refs: []corev1.ObjectReference{cm}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			have := append([]corev1.ObjectReference{}, tc.args.have...)
			got := mergeRefs(tc.args.have, tc.args.want)
			if diff := cmp.Diff(tc.want.refs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nmergeRefs(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(have, tc.args.have, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nmergeRefs(...): modified its input: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// composed returns an existing composed resource of composition resource
// name res.
func composed(res, apiVersion, kind, namespace, name string, fns ...func(*unstructured.Unstructured)) existing {
	u := obj(apiVersion, kind, namespace, name)
	if res != "" {
		u.SetAnnotations(map[string]string{"crossplane.io/composition-resource-name": res})
	}
	for _, fn := range fns {
		fn(u)
	}
	return existing{
		ref:      corev1.ObjectReference{APIVersion: apiVersion, Kind: kind, Namespace: namespace, Name: name},
		name:     res,
		observed: xfn.ObservedResource{Resource: u},
	}
}

func deleting(u *unstructured.Unstructured) {
	now := metav1.Now()
	u.SetDeletionTimestamp(&now)
}

// observedNames returns what observedFor returns as kind/namespace/name per
// composition resource name, for readable diffs.
func observedNames(o map[string]xfn.ObservedResource) map[string]string {
	out := map[string]string{}
	for name, r := range o {
		out[name] = r.Resource.GetKind() + "/" + r.Resource.GetNamespace() + "/" + r.Resource.GetName()
	}
	return out
}

func TestObservedFor(t *testing.T) {
	gcp := composed("instance", "compute.gcp.example.org/v1", "Instance", "", "db-1234")
	aws := composed("instance", "ec2.aws.example.org/v1", "Instance", "", "db-1234")
	awsDeleting := composed("instance", "ec2.aws.example.org/v1", "Instance", "", "db-1234", deleting)
	gcpDeleting := composed("instance", "compute.gcp.example.org/v1", "Instance", "", "db-1234", deleting)
	cm := composed("x", "v1", "ConfigMap", "ns", "db-x")
	unnamed := composed("", "v1", "Secret", "ns", "db-y")

	type args struct {
		all      []existing
		rendered map[string]*unstructured.Unstructured
	}
	type want struct {
		observed map[string]string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"ByName": {
			reason: "Before the pipeline ran, resources are observed by composition resource name; those without one are not observed.",
			args:   args{all: []existing{gcp, cm, unnamed}},
			want:   want{observed: map[string]string{"instance": "Instance//db-1234", "x": "ConfigMap/ns/db-x"}},
		},
		"PrefersNotDeleting": {
			reason: "Of two resources of one name, the one being deleted (the one being replaced) is not observed.",
			args:   args{all: []existing{gcpDeleting, aws}},
			want:   want{observed: map[string]string{"instance": "Instance//db-1234"}},
		},
		"FirstWhenAllDeleting": {
			reason: "Of resources of one name that are all being deleted, the first is observed.",
			args:   args{all: []existing{gcpDeleting, awsDeleting}},
			want:   want{observed: map[string]string{"instance": "Instance//db-1234"}},
		},
		"DesiredAsAnotherKind": {
			reason: "A name the pipeline desires as another kind is not observed: the existing resource is being replaced, not updated.",
			args: args{
				all:      []existing{gcp, cm},
				rendered: map[string]*unstructured.Unstructured{"instance": obj("ec2.aws.example.org/v1", "Instance", "", "db-1234"), "x": obj("v1", "ConfigMap", "ns", "db-x")},
			},
			want: want{observed: map[string]string{"x": "ConfigMap/ns/db-x"}},
		},
		"DesiredPicksTheDesiredObject": {
			reason: "Of two resources of one name, the one that is the desired object is observed, whatever the order.",
			args: args{
				all:      []existing{gcp, aws},
				rendered: map[string]*unstructured.Unstructured{"instance": obj("ec2.aws.example.org/v1beta1", "Instance", "", "db-1234")},
			},
			want: want{observed: map[string]string{"instance": "Instance//db-1234"}},
		},
		"DesiredWithAnotherName": {
			reason: "A name the pipeline desires as an object of another name is not observed.",
			args: args{
				all:      []existing{cm},
				rendered: map[string]*unstructured.Unstructured{"x": obj("v1", "ConfigMap", "ns", "renamed")},
			},
			want: want{observed: map[string]string{}},
		},
		"NoLongerDesired": {
			reason: "A name the pipeline no longer desires is still observed, as before it ran.",
			args: args{
				all:      []existing{cm},
				rendered: map[string]*unstructured.Unstructured{},
			},
			want: want{observed: map[string]string{"x": "ConfigMap/ns/db-x"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := observedFor(tc.args.all, tc.args.rendered)
			if diff := cmp.Diff(tc.want.observed, observedNames(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nobservedFor(...): -want, +got:\n%s", tc.reason, diff)
			}
			// The winner must be the very object: its group tells GCP from AWS.
			for n, o := range got {
				if d, ok := tc.args.rendered[n]; ok && d.GroupVersionKind().Group != o.Resource.GroupVersionKind().Group {
					t.Errorf("%s\nobservedFor(...): observed %s as %s, want %s", tc.reason, n, o.Resource.GetAPIVersion(), d.GetAPIVersion())
				}
			}
		})
	}
}

func TestStale(t *testing.T) {
	gcp := composed("instance", "compute.gcp.example.org/v1", "Instance", "", "db-1234")
	aws := composed("instance", "ec2.aws.example.org/v1", "Instance", "", "db-1234")
	cm := composed("x", "v1", "ConfigMap", "ns", "db-x")
	unnamed := composed("", "v1", "Secret", "ns", "db-y")

	type args struct {
		all      []existing
		rendered map[string]*unstructured.Unstructured
	}
	type want struct {
		stale []corev1.ObjectReference
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"AllDesired": {
			reason: "Resources that are desired are not stale.",
			args: args{
				all:      []existing{cm},
				rendered: map[string]*unstructured.Unstructured{"x": obj("v1", "ConfigMap", "ns", "db-x")},
			},
			want: want{},
		},
		"OtherVersionSameObject": {
			reason: "A kind desired at another version is the same object: not stale.",
			args: args{
				all:      []existing{aws},
				rendered: map[string]*unstructured.Unstructured{"instance": obj("ec2.aws.example.org/v1beta2", "Instance", "", "db-1234")},
			},
			want: want{},
		},
		"NameLeft": {
			reason: "A resource whose composition resource name left the desired state is stale.",
			args: args{
				all:      []existing{cm},
				rendered: map[string]*unstructured.Unstructured{},
			},
			want: want{stale: []corev1.ObjectReference{cm.ref}},
		},
		"KindChanged": {
			reason: "A resource whose composition resource name is desired as another kind (another Composition) is stale, though its name is still desired.",
			args: args{
				all:      []existing{gcp, aws},
				rendered: map[string]*unstructured.Unstructured{"instance": obj("ec2.aws.example.org/v1", "Instance", "", "db-1234")},
			},
			want: want{stale: []corev1.ObjectReference{gcp.ref}},
		},
		"Renamed": {
			reason: "A resource whose composition resource name is desired as an object of another name is stale.",
			args: args{
				all:      []existing{cm},
				rendered: map[string]*unstructured.Unstructured{"x": obj("v1", "ConfigMap", "ns", "db-x2")},
			},
			want: want{stale: []corev1.ObjectReference{cm.ref}},
		},
		"Moved": {
			reason: "A resource whose composition resource name is desired in another namespace is stale.",
			args: args{
				all:      []existing{cm},
				rendered: map[string]*unstructured.Unstructured{"x": obj("v1", "ConfigMap", "other", "db-x")},
			},
			want: want{stale: []corev1.ObjectReference{cm.ref}},
		},
		"NoCompositionResourceName": {
			reason: "A referenced resource without a composition resource name that is not desired is stale, not forgotten.",
			args: args{
				all:      []existing{unnamed},
				rendered: map[string]*unstructured.Unstructured{"x": obj("v1", "ConfigMap", "ns", "db-x")},
			},
			want: want{stale: []corev1.ObjectReference{unnamed.ref}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []corev1.ObjectReference
			for _, e := range stale(tc.args.all, tc.args.rendered) {
				got = append(got, e.ref)
			}
			if diff := cmp.Diff(tc.want.stale, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nstale(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
