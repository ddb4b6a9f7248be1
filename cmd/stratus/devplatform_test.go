package main

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	democlaims "github.com/stratus-dev/stratus/examples/platform"
	"github.com/stratus-dev/stratus/package/platform"
)

func TestLoadManifests(t *testing.T) {
	type want struct {
		sources []string
		err     bool
	}
	cases := map[string]struct {
		reason string
		fsys   fstest.MapFS
		want   want
	}{
		"DocumentsInPathOrder": {
			reason: "Every document of every YAML file is read, files in path order, documents in file order.",
			fsys: fstest.MapFS{
				"b/two.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")},
				"a/one.yml":  {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")},
			},
			want: want{sources: []string{"a/one.yml#0", "a/one.yml#1", "b/two.yaml#0"}},
		},
		"CommentsAndOtherFilesSkipped": {
			reason: "Documents holding only comments, and files that are not YAML, are not manifests.",
			fsys: fstest.MapFS{
				"README.md":  {Data: []byte("# not yaml: [")},
				"one.yaml":   {Data: []byte("# A comment only.\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n")},
				"empty.yaml": {Data: []byte("")},
			},
			want: want{sources: []string{"one.yaml#1"}},
		},
		"NamelessDocument": {
			reason: "A document without a name cannot be applied; the error names its file.",
			fsys: fstest.MapFS{
				"bad.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\n")},
			},
			want: want{err: true},
		},
		"InvalidYAML": {
			reason: "A document that is not YAML is an error.",
			fsys: fstest.MapFS{
				"bad.yaml": {Data: []byte("apiVersion: [v1\n")},
			},
			want: want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ms, err := loadManifests(tc.fsys)
			if (err != nil) != tc.want.err {
				t.Fatalf("%s\nloadManifests(...): error %v, want error: %t", tc.reason, err, tc.want.err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Source)
			}
			if diff := cmp.Diff(tc.want.sources, got); diff != "" {
				t.Errorf("%s\nloadManifests(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPlanPlatform(t *testing.T) {
	m := func(kind, name string) manifest {
		return manifest{Object: map[string]any{"kind": kind, "metadata": map[string]any{"name": name}}}
	}
	type want struct {
		order   []string
		summary string
	}
	cases := map[string]struct {
		reason string
		ms     []manifest
		want   want
	}{
		"XRDsFirst": {
			reason: "XRDs come first, then Compositions, then anything else, each in the order read.",
			ms:     []manifest{m("Composition", "c1"), m("EnvironmentConfig", "e"), m("CompositeResourceDefinition", "x1"), m("Composition", "c2"), m("CompositeResourceDefinition", "x2")},
			want: want{
				order:   []string{"x1", "x2", "c1", "c2", "e"},
				summary: "2 XRDs, 2 Compositions, 1 other object",
			},
		},
		"One": {
			reason: "One of a kind is singular.",
			ms:     []manifest{m("CompositeResourceDefinition", "x"), m("Composition", "c")},
			want:   want{order: []string{"x", "c"}, summary: "1 XRD, 1 Composition"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := planPlatform(tc.ms)
			var got []string
			for _, group := range [][]manifest{p.XRDs, p.Compositions, p.Others} {
				for _, m := range group {
					got = append(got, m.name())
				}
			}
			if diff := cmp.Diff(tc.want.order, got); diff != "" {
				t.Errorf("%s\nplanPlatform(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.summary, p.summary()); diff != "" {
				t.Errorf("%s\nsummary(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// xrd returns the XRD xthings.example.org with the given conditions (type,
// status, message).
func xrd(claim bool, conds ...[3]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{}}}
	u.SetGroupVersionKind(xrdGVK)
	u.SetName("xthings.example.org")
	if claim {
		u.Object["spec"] = map[string]any{"claimNames": map[string]any{"kind": "Thing", "plural": "things"}}
	}
	cs := make([]any, 0, len(conds))
	for _, c := range conds {
		cs = append(cs, map[string]any{"type": c[0], "status": c[1], "message": c[2]})
	}
	u.Object["status"] = map[string]any{"conditions": cs}
	return u
}

func TestWaitXRD(t *testing.T) {
	type want struct {
		offers string
		err    string
	}
	cases := map[string]struct {
		reason string
		xrd    *unstructured.Unstructured
		want   want
	}{
		"EstablishedAndOffered": {
			reason: "An XRD with claim names is ready once Established and Offered are True.",
			xrd:    xrd(true, [3]string{"Established", "True", ""}, [3]string{"Offered", "True", ""}),
			want:   want{offers: ", offers Thing"},
		},
		"NoClaims": {
			reason: "An XRD without claim names is never Offered; Established is enough.",
			xrd:    xrd(false, [3]string{"Established", "True", ""}),
			want:   want{offers: ""},
		},
		"NotOffered": {
			reason: "The timeout names the XRD, the condition that is not True and its message.",
			xrd:    xrd(true, [3]string{"Established", "True", ""}, [3]string{"Offered", "False", "cannot apply the claim CRD"}),
			want:   want{err: "XRD xthings.example.org is not Offered after 300ms: cannot apply the claim CRD"},
		},
		"NoConditions": {
			reason: "An XRD nothing reconciled says so, with what to check.",
			xrd:    xrd(true),
			want:   want{err: "XRD xthings.example.org is not Established after 300ms: no Established condition yet (is the core running?)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kube := fake.NewClientBuilder().WithObjects(tc.xrd).Build()
			m := manifest{Object: tc.xrd.Object}
			offers, err := waitXRD(context.Background(), kube, m, 300*time.Millisecond)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.want, want{offers: offers, err: gotErr}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nwaitXRD(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestEmbedded checks what the binary carries: the platform's XRDs and
// Compositions, and demo claims that each write a connection Secret in a
// namespace.
func TestEmbedded(t *testing.T) {
	ms, err := loadManifests(platform.FS)
	if err != nil {
		t.Fatal(err)
	}
	p := planPlatform(ms)
	if len(p.XRDs) == 0 || len(p.Compositions) == 0 {
		t.Errorf("the embedded platform has %s; want some of each", p.summary())
	}
	claims, err := loadManifests(democlaims.Claims)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range claims {
		if !isClaim(m) {
			continue
		}
		n++
		if claimNamespace(m) == "" {
			t.Errorf("demo claim %s (%s) names no namespace", m.name(), m.Source)
		}
		if s, _, _ := unstructured.NestedString(m.Object, "spec", "writeConnectionSecretToRef", "name"); s == "" {
			t.Errorf("demo claim %s (%s) writes no connection Secret", m.name(), m.Source)
		}
	}
	if n == 0 {
		t.Error("no demo claims are embedded")
	}
}
