package composition_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	"github.com/stratus-dev/stratus/test/harness"
)

func claimKind(group string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Database"}
}

// boundXR waits for a claim to be bound and returns its composite resource.
func boundXR(t *testing.T, group, ns, name string) *unstructured.Unstructured {
	t.Helper()
	env := harness.Get(t)
	cl := get(t, claimKind(group), ns, name)
	env.WaitFor(t, cl, 30*time.Second, func(o client.Object) (bool, string) {
		ref, _, _ := unstructured.NestedString(o.(*unstructured.Unstructured).Object, "spec", "resourceRef", "name")
		return ref != "", "no composite resource bound yet"
	})
	ref, _, _ := unstructured.NestedString(cl.Object, "spec", "resourceRef", "name")
	return get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "XDatabase"}, "", ref)
}

func TestRevisionsRollOutAndRemovedResourcesGo(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	group := "rev.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("rev", group, "app: rev"))
	waitEstablished(t, group)
	apply(t, claim, group, "auto", ns, "app: rev", "auto")
	apply(t, claim+"  compositionUpdatePolicy: Manual\n", group, "manual", ns, "app: rev", "manual")
	for _, name := range []string{"auto", "manual"} {
		env.WaitFor(t, get(t, claimKind(group), ns, name), 30*time.Second, harness.HasCondition("Ready", "True"))
	}

	// A new revision: the extra resource goes and the config changes role.
	comp := &v1.Composition{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: "rev"}, comp); err != nil {
		t.Fatal(err)
	}
	comp.Spec.Resources = comp.Spec.Resources[:1]
	comp.Spec.Resources[0].Base.Raw = []byte(`{"apiVersion":"v1","kind":"ConfigMap","data":{"role":"config-v2"}}`)
	if err := env.Client.Update(ctx, comp); err != nil {
		t.Fatal(err)
	}

	// Automatic: the XR follows the new revision; "extra" is deleted.
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := composedData(t, ns, "auto")
		_, extra := got["extra"]
		if !extra && got["config"]["role"] == "config-v2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Automatic claim's resources did not follow the new revision: %v", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Manual: the XR stays on the revision it pinned.
	got := composedData(t, ns, "manual")
	if _, extra := got["extra"]; !extra || got["config"]["role"] != "config" {
		t.Errorf("the Manual claim's resources should not change with a new revision: %v", got)
	}
	revs := &v1.CompositionRevisionList{}
	if err := env.Client.List(ctx, revs, client.MatchingLabels{v1.LabelCompositionName: "rev"}); err != nil {
		t.Fatal(err)
	}
	if len(revs.Items) != 2 {
		t.Errorf("want 2 CompositionRevisions of Composition rev, got %d", len(revs.Items))
	}

	// Going back to the first spec makes its revision the newest again, and
	// the Automatic XR follows it back.
	if err := env.Client.Get(ctx, client.ObjectKey{Name: "rev"}, comp); err != nil {
		t.Fatal(err)
	}
	first := revs.Items[0]
	if first.Spec.Revision != 1 {
		first = revs.Items[1]
	}
	comp.Spec = *first.Spec.CompositionSpec.DeepCopy()
	if err := env.Client.Update(ctx, comp); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		got := composedData(t, ns, "auto")
		if _, extra := got["extra"]; extra && got["config"]["role"] == "config" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Automatic claim's resources did not follow the Composition back to its first spec: %v", got)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Deleting the claim deletes its XR, composed resources and Secret.
	xr := boundXR(t, group, ns, "auto")
	cl := get(t, claimKind(group), ns, "auto")
	if err := env.Client.Delete(ctx, cl); err != nil {
		t.Fatal(err)
	}
	env.WaitForGone(t, cl, 30*time.Second)
	env.WaitForGone(t, xr, 30*time.Second)
	secret := &corev1.Secret{}
	secret.SetNamespace(ns)
	secret.SetName("auto")
	env.WaitForGone(t, secret, 30*time.Second)
	if left := composedData(t, ns, "auto"); len(left) != 0 {
		t.Errorf("composed resources left after the claim was deleted: %v", left)
	}
}

func TestPipelineWithFunctionOverGRPC(t *testing.T) {
	env := harness.Get(t)
	bin := harness.BuildExampleFunction(t, "add-labels")
	endpoint := harness.StartFunction(t, bin, "--insecure")
	env.InstallFunction(t, "add-labels", endpoint)
	startCore(t)
	ns := env.Namespace(t)
	group := "grpc.example.org"

	apply(t, xrd, group)
	apply(t, "%s", pipelineComposition("grpc", group, "app: grpc")+`
  - step: label
    functionRef: {name: add-labels}
    input:
      apiVersion: add-labels.fn.stratus.dev/v1alpha1
      kind: Input
      labels: {team: platform}
`)
	waitEstablished(t, group)
	apply(t, claim, group, "db", ns, "app: grpc", "db")
	env.WaitFor(t, get(t, claimKind(group), ns, "db"), 30*time.Second, harness.HasCondition("Ready", "True"))

	l := &corev1.ConfigMapList{}
	if err := env.Client.List(context.Background(), l, client.InNamespace(ns), client.MatchingLabels{"crossplane.io/claim-name": "db"}); err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 2 {
		t.Fatalf("want 2 composed ConfigMaps, got %d", len(l.Items))
	}
	for _, cm := range l.Items {
		if cm.Labels["team"] != "platform" {
			t.Errorf("ConfigMap %s should carry the label the gRPC function added; labels: %v", cm.Name, cm.Labels)
		}
	}
}

func TestNamespacedCompositeComposesInItsNamespace(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ns := env.Namespace(t)
	group := "v2.example.org"
	apply(t, `apiVersion: apiextensions.crossplane.io/v2
kind: CompositeResourceDefinition
metadata:
  name: xcaches.%[1]s
spec:
  group: %[1]s
  names: {kind: XCache, plural: xcaches}
  versions:
  - name: v1
    served: true
    referenceable: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: string}
---
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: xcache
spec:
  compositeTypeRef: {apiVersion: %[1]s/v1, kind: XCache}
  mode: Pipeline
  pipeline:
  - step: render
    functionRef: {name: function-patch-and-transform}
    input:
      apiVersion: pt.fn.crossplane.io/v1beta1
      kind: Resources
      resources:
      - name: settings
        base: {apiVersion: v1, kind: ConfigMap, data: {kind: cache}}
        patches:
        - {fromFieldPath: spec.size, toFieldPath: data.size}
        readinessChecks: [{type: None}]
`, group)
	x := get(t, schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v1", Kind: "CompositeResourceDefinition"}, "", "xcaches."+group)
	env.WaitFor(t, x, 30*time.Second, harness.HasCondition("Established", "True"))
	apply(t, `apiVersion: %s/v1
kind: XCache
metadata: {name: cache, namespace: %s}
spec: {size: large}
`, group, ns)
	xr := get(t, schema.GroupVersionKind{Group: group, Version: "v1", Kind: "XCache"}, ns, "cache")
	env.WaitFor(t, xr, 30*time.Second, harness.HasCondition("Ready", "True"))

	l := &corev1.ConfigMapList{}
	if err := env.Client.List(context.Background(), l, client.InNamespace(ns), client.MatchingLabels{"crossplane.io/composite": "cache"}); err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0].Data["size"] != "large" {
		t.Errorf("want one ConfigMap with size large in the XR's namespace, got %+v", l.Items)
	}
}

func TestInvalidXRDIsExplained(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	apply(t, `apiVersion: apiextensions.crossplane.io/v1
kind: CompositeResourceDefinition
metadata:
  name: xbrokens.invalid.example.org
spec:
  group: invalid.example.org
  names: {kind: XBroken, plural: xbrokens}
  versions:
  - name: v1
    served: true
    referenceable: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: 42}
`)
	x := get(t, schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v1", Kind: "CompositeResourceDefinition"}, "", "xbrokens.invalid.example.org")
	env.WaitFor(t, x, 30*time.Second, func(o client.Object) (bool, string) {
		if ok, why := harness.HasCondition("Established", "False")(o); !ok {
			return false, why
		}
		if msg := conditionMessage(o.(*unstructured.Unstructured), "Established"); !strings.Contains(msg, "CRD") {
			return false, fmt.Sprintf("Established message %q should say what is wrong with the CRD", msg)
		}
		return true, ""
	})
}

func TestUnchangedCompositeWritesNothing(t *testing.T) {
	// With a one-second poll, a steady claim and XR are reconciled several
	// times in a few seconds; none of those reconciles may write. The core's
	// own requests are counted, for this test's namespace and group.
	env := harness.Get(t)
	ns := env.Namespace(t)
	group := "steady.example.org"
	writes := &harness.WriteCounter{Match: []string{"/namespaces/" + ns + "/", "/" + group + "/"}}
	startCoreWith(t, time.Second, writes.Wrap(env.Config))

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("steady", group, "app: steady"))
	waitEstablished(t, group)
	apply(t, claim, group, "db", ns, "app: steady", "db")
	env.WaitFor(t, get(t, claimKind(group), ns, "db"), 30*time.Second, harness.HasCondition("Ready", "True"))
	// Let the last status writes and watch events settle.
	time.Sleep(2 * time.Second)

	before := writes.Snapshot()
	if len(before) == 0 {
		t.Fatal("the counter saw none of the writes that composed the claim: it does not count")
	}
	time.Sleep(5 * time.Second)
	if got := writes.Since(before); len(got) != 0 {
		t.Errorf("the core wrote while nothing changed: %v", got)
	}
}
