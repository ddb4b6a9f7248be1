package composition_test

import (
	"context"
	"strings"
	"testing"
	"time"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestClaimBindsExistingCompositeAndRefusesTakenOne(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ns := env.Namespace(t)
	group := "bind.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("bind", group, "app: bind"))
	waitEstablished(t, group)
	apply(t, `apiVersion: %[1]s/v1alpha1
kind: XDatabase
metadata: {name: shared}
spec:
  compositionRef: {name: bind}
  parameters: {size: large, owner: carol}
  claimRef: {apiVersion: %[1]s/v1alpha1, kind: Database, namespace: %[2]s, name: binder}
---
apiVersion: %[1]s/v1alpha1
kind: Database
metadata: {name: binder, namespace: %[2]s}
spec:
  resourceRef: {apiVersion: %[1]s/v1alpha1, kind: XDatabase, name: shared}
  parameters: {size: large, owner: carol}
`, group, ns)
	binder := get(t, claimKind(group), ns, "binder")
	env.WaitFor(t, binder, 30*time.Second, harness.HasCondition("Ready", "True"))

	apply(t, `apiVersion: %[1]s/v1alpha1
kind: Database
metadata: {name: thief, namespace: %[2]s}
spec:
  resourceRef: {apiVersion: %[1]s/v1alpha1, kind: XDatabase, name: shared}
  parameters: {size: small, owner: mallory}
`, group, ns)
	thief := get(t, claimKind(group), ns, "thief")
	env.WaitFor(t, thief, 30*time.Second, func(o client.Object) (bool, string) {
		if ok, why := harness.HasCondition("Synced", "False")(o); !ok {
			return false, why
		}
		msg := conditionMessage(o.(*unstructured.Unstructured), "Synced")
		if !strings.Contains(msg, "bound to claim "+ns+"/binder") {
			return false, "Synced message should name the claim the XR is bound to: " + msg
		}
		return true, ""
	})
	// The refused claim changed nothing on the XR it wanted.
	xr := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "XDatabase"}, "", "shared")
	if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(xr), xr); err != nil {
		t.Fatal(err)
	}
	if owner, _, _ := unstructured.NestedString(xr.Object, "spec", "parameters", "owner"); owner != "carol" {
		t.Errorf("the refused claim must not change the bound XR: spec.parameters.owner is %q", owner)
	}
}

func TestPausedCompositeIsLeftAlone(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	group := "pause.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("pause", group, "app: pause"))
	waitEstablished(t, group)
	apply(t, `apiVersion: %s/v1alpha1
kind: XDatabase
metadata:
  name: paused
  annotations: {crossplane.io/paused: "true"}
spec:
  compositionRef: {name: pause}
  parameters: {size: small, owner: dave}
`, group)
	xr := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "XDatabase"}, "", "paused")
	env.WaitFor(t, xr, 30*time.Second, func(o client.Object) (bool, string) {
		u := o.(*unstructured.Unstructured)
		if ok, why := harness.HasCondition("Synced", "False")(o); !ok {
			return false, why
		}
		if refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "resourceRefs"); len(refs) != 0 {
			return false, "a paused XR must compose nothing"
		}
		if r := conditionReason(u, "Synced"); r != "ReconcilePaused" {
			return false, "Synced reason is " + r + ", want ReconcilePaused"
		}
		return true, ""
	})
}

func TestDefinitionFollowsSchemaChangesAndDeletion(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	group := "lifecycle.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("lifecycle", group, "app: lifecycle"))
	waitEstablished(t, group)

	// A new field in the XRD's schema reaches the XR's CRD.
	x := &v1.CompositeResourceDefinition{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: "xdatabases." + group}, x); err != nil {
		t.Fatal(err)
	}
	x.Spec.Versions[0].Schema.OpenAPIV3Schema.Raw = []byte(strings.Replace(string(x.Spec.Versions[0].Schema.OpenAPIV3Schema.Raw),
		`"owner":{"type":"string"}`, `"owner":{"type":"string"},"tier":{"type":"string"}`, 1))
	if err := env.Client.Update(ctx, x); err != nil {
		t.Fatal(err)
	}
	crd := &extv1.CustomResourceDefinition{}
	crd.SetName("xdatabases." + group)
	env.WaitFor(t, crd, 30*time.Second, func(o client.Object) (bool, string) {
		c := o.(*extv1.CustomResourceDefinition)
		params := c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["parameters"]
		if _, ok := params.Properties["tier"]; !ok {
			return false, "spec.parameters.tier is not in the CRD's schema yet"
		}
		return true, ""
	})

	// Deleting the XRD deletes its claims, XRs and composed resources, then
	// its CRDs.
	apply(t, claim, group, "db", ns, "app: lifecycle", "db")
	env.WaitFor(t, get(t, claimKind(group), ns, "db"), 30*time.Second, harness.HasCondition("Ready", "True"))
	if err := env.Client.Delete(ctx, x); err != nil {
		t.Fatal(err)
	}
	env.WaitForGone(t, x, 60*time.Second)
	for _, name := range []string{"xdatabases." + group, "databases." + group} {
		c := &extv1.CustomResourceDefinition{}
		c.SetName(name)
		env.WaitForGone(t, c, 30*time.Second)
	}
	if left := composedData(t, ns, "db"); len(left) != 0 {
		t.Errorf("composed resources left after the XRD was deleted: %v", left)
	}
}

func conditionReason(u *unstructured.Unstructured, ct string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == ct {
			s, _ := m["reason"].(string)
			return s
		}
	}
	return ""
}
