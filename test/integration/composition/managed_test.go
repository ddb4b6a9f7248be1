package composition_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stratus-dev/stratus/test/harness"
)

// installTestResourceKind installs a cluster-scoped kind shaped like a
// managed resource: a spec, and status conditions a provider would set.
func installTestResourceKind(t *testing.T) schema.GroupVersionKind {
	t.Helper()
	env := harness.Get(t)
	crd := &extv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "testresources.test.stratus.dev"},
		Spec: extv1.CustomResourceDefinitionSpec{
			Group: "test.stratus.dev",
			Names: extv1.CustomResourceDefinitionNames{Kind: "TestResource", ListKind: "TestResourceList", Plural: "testresources", Singular: "testresource"},
			Scope: extv1.ClusterScoped,
			Versions: []extv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Subresources: &extv1.CustomResourceSubresources{Status: &extv1.CustomResourceSubresourceStatus{}},
				Schema: &extv1.CustomResourceValidation{OpenAPIV3Schema: &extv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: new(true),
				}},
			}},
		},
	}
	if err := env.Client.Create(context.Background(), crd); err != nil {
		t.Fatal(err)
	}
	env.WaitFor(t, crd, 30*time.Second, harness.HasCondition("Established", "True"))
	return schema.GroupVersionKind{Group: "test.stratus.dev", Version: "v1", Kind: "TestResource"}
}

func TestManagedResourceReadinessAndConnectionDetails(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	group := "managed.example.org"
	mrKind := installTestResourceKind(t)

	apply(t, xrd, group)
	apply(t, `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: managed
spec:
  compositeTypeRef: {apiVersion: %[1]s/v1alpha1, kind: XDatabase}
  resources:
  - name: db
    base:
      apiVersion: test.stratus.dev/v1
      kind: TestResource
      spec:
        forProvider: {engine: postgres}
        writeConnectionSecretToRef: {namespace: %[2]s, name: mr-conn}
    patches:
    - {fromFieldPath: spec.parameters.size, toFieldPath: spec.forProvider.size}
    connectionDetails:
    - {name: url, fromConnectionSecretKey: endpoint}
    - {name: user, type: FromValue, value: admin}
`, group, ns)
	waitEstablished(t, group)
	apply(t, `apiVersion: %s/v1alpha1
kind: Database
metadata: {name: db, namespace: %s}
spec:
  compositionRef: {name: managed}
  parameters: {size: small, owner: erin}
  writeConnectionSecretToRef: {name: db-conn}
`, group, ns)

	// Until the provider says it is ready, the XR says which resource it
	// waits for and why.
	xr := boundXR(t, group, ns, "db")
	env.WaitFor(t, xr, 30*time.Second, func(o client.Object) (bool, string) {
		msg := conditionMessage(o.(*unstructured.Unstructured), "Ready")
		if !strings.HasPrefix(msg, "Unready resources: db (TestResource ") || !strings.Contains(msg, "no Ready condition") {
			return false, fmt.Sprintf("Ready message %q should name the unready TestResource", msg)
		}
		return true, ""
	})
	refs, _, _ := unstructured.NestedSlice(xr.Object, "spec", "resourceRefs")
	if len(refs) != 1 {
		t.Fatalf("want one resource reference, got %v", refs)
	}
	mrName, _ := refs[0].(map[string]any)["name"].(string)
	mr := get(t, mrKind, "", mrName)
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(mr), mr); err != nil {
		t.Fatal(err)
	}
	if size, _, _ := unstructured.NestedString(mr.Object, "spec", "forProvider", "size"); size != "small" {
		t.Errorf("managed resource spec.forProvider.size: want small, got %q", size)
	}

	// The "provider" publishes connection details and marks the resource
	// Ready. The XR sees it through its watch, well before any poll.
	if err := env.Client.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "mr-conn"},
		Data:       map[string][]byte{"endpoint": []byte("db.example:5432"), "password": []byte("s3cret")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedSlice(mr.Object, []any{map[string]any{
		"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
	}}, "status", "conditions"); err != nil {
		t.Fatal(err)
	}
	readyAt := time.Now()
	if err := env.Client.Status().Update(ctx, mr); err != nil {
		t.Fatal(err)
	}
	env.WaitFor(t, get(t, claimKind(group), ns, "db"), 10*time.Second, harness.HasCondition("Ready", "True"))
	t.Logf("claim Ready %s after its managed resource", time.Since(readyAt).Round(time.Millisecond))

	secret := &corev1.Secret{}
	secret.SetNamespace(ns)
	secret.SetName("db-conn")
	env.WaitFor(t, secret, 10*time.Second, secretData(map[string]string{"url": "db.example:5432", "user": "admin"}))
}
