package composition_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stratus-dev/stratus/test/harness"
)

// switchCompositions are two Compositions of XDatabase in group %[1]s that
// compose one resource of the same name, "x", in namespace %[2]s: a
// ConfigMap (Composition %[3]s-configmap, label kind: configmap) and a
// Secret (%[3]s-secret, label kind: secret).
const switchCompositions = `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: %[3]s-configmap
  labels: {kind: configmap}
spec:
  compositeTypeRef: {apiVersion: %[1]s/v1alpha1, kind: XDatabase}
  resources:
  - name: x
    base:
      apiVersion: v1
      kind: ConfigMap
      metadata: {namespace: %[2]s}
      data: {role: x}
    readinessChecks: [{type: None}]
---
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: %[3]s-secret
  labels: {kind: secret}
spec:
  compositeTypeRef: {apiVersion: %[1]s/v1alpha1, kind: XDatabase}
  resources:
  - name: x
    base:
      apiVersion: v1
      kind: Secret
      metadata: {namespace: %[2]s}
      data: {role: eA==}
    readinessChecks: [{type: None}]
`

// composedKinds returns the kinds of the ConfigMaps and Secrets composed for
// the XR named xr in namespace ns, as Kind/name.
func composedKinds(t *testing.T, ns, xr string) []string {
	t.Helper()
	c := harness.Get(t).Client
	var out []string
	cms := &corev1.ConfigMapList{}
	if err := c.List(context.Background(), cms, client.InNamespace(ns), client.MatchingLabels{"crossplane.io/composite": xr}); err != nil {
		t.Fatal(err)
	}
	for _, cm := range cms.Items {
		out = append(out, "ConfigMap/"+cm.Name)
	}
	ss := &corev1.SecretList{}
	if err := c.List(context.Background(), ss, client.InNamespace(ns), client.MatchingLabels{"crossplane.io/composite": xr}); err != nil {
		t.Fatal(err)
	}
	for _, s := range ss.Items {
		out = append(out, "Secret/"+s.Name)
	}
	return out
}

// resourceRefs returns an XR's spec.resourceRefs as Kind/name.
func resourceRefs(u *unstructured.Unstructured) []string {
	refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "resourceRefs")
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		m, _ := r.(map[string]any)
		out = append(out, fmt.Sprintf("%v/%v", m["kind"], m["name"]))
	}
	return out
}

// composedAs passes when an XR is Ready, references exactly want and
// exactly want exist for it in namespace ns.
func composedAs(t *testing.T, ns string, want []string) harness.Check {
	return func(o client.Object) (bool, string) {
		u := o.(*unstructured.Unstructured)
		if diff := cmp.Diff(want, resourceRefs(u)); diff != "" {
			return false, "spec.resourceRefs: -want, +got:\n" + diff
		}
		if diff := cmp.Diff(want, composedKinds(t, ns, u.GetName())); diff != "" {
			return false, "composed resources: -want, +got:\n" + diff
		}
		return harness.HasCondition("Ready", "True")(o)
	}
}

func TestSwitchingCompositionReplacesResourcesOfAnotherKind(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	group := "switch.example.org"

	apply(t, xrd, group)
	apply(t, switchCompositions, group, ns, "switch")
	waitEstablished(t, group)
	apply(t, `apiVersion: %s/v1alpha1
kind: XDatabase
metadata: {name: switched}
spec:
  compositionRef: {name: switch-configmap}
`, group)
	xr := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "XDatabase"}, "", "switched")
	env.WaitFor(t, xr, 30*time.Second, harness.HasCondition("Ready", "True"))
	refs := resourceRefs(xr)
	if len(refs) != 1 {
		t.Fatalf("want one resource reference, got %v", refs)
	}
	name := refs[0][len("ConfigMap/"):]
	env.WaitFor(t, xr, 30*time.Second, composedAs(t, ns, []string{"ConfigMap/" + name}))

	// Another Composition composes "x" as a Secret: the ConfigMap goes,
	// the Secret comes, and only the Secret is referenced.
	if err := unstructured.SetNestedField(xr.Object, "switch-secret", "spec", "compositionRef", "name"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Update(ctx, xr); err != nil {
		t.Fatal(err)
	}
	env.WaitFor(t, xr, 30*time.Second, composedAs(t, ns, []string{"Secret/" + name}))

	// Deleting the XR leaves nothing behind.
	if err := env.Client.Delete(ctx, xr); err != nil {
		t.Fatal(err)
	}
	env.WaitForGone(t, xr, 30*time.Second)
	if left := composedKinds(t, ns, "switched"); len(left) != 0 {
		t.Errorf("composed resources left after the XR was deleted: %v", left)
	}
}

func TestClaimMovesToAnotherComposition(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	group := "move.example.org"

	apply(t, xrd, group)
	apply(t, switchCompositions, group, ns, "move")
	waitEstablished(t, group)
	apply(t, claim, group, "db", ns, "kind: configmap", "db")
	xr := boundXR(t, group, ns, "db")
	env.WaitFor(t, xr, 30*time.Second, harness.HasCondition("Ready", "True"))
	refs := resourceRefs(xr)
	if len(refs) != 1 {
		t.Fatalf("want one resource reference, got %v", refs)
	}
	name := refs[0][len("ConfigMap/"):]

	// A new compositionSelector does not move a claim whose XR has a
	// Composition already: the first choice is kept.
	cl := get(t, claimKind(group), ns, "db")
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(cl), cl); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedStringMap(cl.Object, map[string]string{"kind": "secret"}, "spec", "compositionSelector", "matchLabels"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Update(ctx, cl); err != nil {
		t.Fatal(err)
	}
	env.WaitFor(t, xr, 30*time.Second, func(o client.Object) (bool, string) {
		got, _, _ := unstructured.NestedString(o.(*unstructured.Unstructured).Object, "spec", "compositionSelector", "matchLabels", "kind")
		return got == "secret", "the claim's new compositionSelector has not reached the XR yet"
	})
	// The XR was reconciled after the change; give it time to move, which
	// it must not.
	time.Sleep(2 * time.Second)
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(xr), xr); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := unstructured.NestedString(xr.Object, "spec", "compositionRef", "name"); got != "move-configmap" {
		t.Errorf("a new compositionSelector should not change the XR's compositionRef: got %q", got)
	}
	env.WaitFor(t, xr, 30*time.Second, composedAs(t, ns, []string{"ConfigMap/" + name}))

	// Naming the Composition on the claim moves it; the old resource is
	// deleted.
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(cl), cl); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(cl.Object, "move-secret", "spec", "compositionRef", "name"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Update(ctx, cl); err != nil {
		t.Fatal(err)
	}
	env.WaitFor(t, xr, 30*time.Second, composedAs(t, ns, []string{"Secret/" + name}))

	// Deleting the claim deletes the XR and what it composed.
	if err := env.Client.Delete(ctx, cl); err != nil {
		t.Fatal(err)
	}
	env.WaitForGone(t, cl, 30*time.Second)
	env.WaitForGone(t, xr, 30*time.Second)
	if left := composedKinds(t, ns, xr.GetName()); len(left) != 0 {
		t.Errorf("composed resources left after the claim was deleted: %v", left)
	}
}
