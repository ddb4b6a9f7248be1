// Package composition_test runs the composition engine (XRDs, claims,
// composite resources, Compositions in both modes) against the local
// control plane.
package composition_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/core"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// testWriter sends the core's logs to the test's log, shown when it fails.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// startCore runs the core against the test control plane until the test
// ends.
func startCore(t *testing.T) {
	t.Helper()
	startCoreWith(t, time.Minute, harness.Get(t).Config)
}

// startCoreWith runs the core with the given client configuration.
func startCoreWith(t *testing.T, poll time.Duration, cfg *rest.Config) {
	t.Helper()
	zl := zap.New(zap.UseDevMode(true), zap.WriteTo(testWriter{t}))
	ctrl.SetLogger(zl)
	mgr, err := core.NewManager(cfg, core.Options{
		MetricsBindAddress:      "0",
		HealthProbeBindAddress:  "0",
		MaxConcurrentReconciles: 5,
		PollInterval:            poll,
		FunctionInsecure:        true,
		Logger:                  logging.NewLogrLogger(zl),
	})
	if err != nil {
		t.Fatalf("core.NewManager(...): %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("core stopped with an error: %v", err)
		}
	})
}

// apply creates the objects in a YAML stream, with %s replaced by args.
func apply(t *testing.T, doc string, args ...any) {
	t.Helper()
	env := harness.Get(t)
	for d := range strings.SplitSeq(fmt.Sprintf(doc, args...), "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatalf("cannot decode fixture: %v\n%s", err, d)
		}
		if len(u.Object) == 0 {
			continue
		}
		if err := env.Client.Create(context.Background(), u); err != nil {
			t.Fatalf("cannot create %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
}

func get(t *testing.T, gvk schema.GroupVersionKind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// xrd defines XDatabase (claim Database) in group %[1]s, a fresh group per
// test so that tests never see each other's kinds.
const xrd = `apiVersion: apiextensions.crossplane.io/v1
kind: CompositeResourceDefinition
metadata:
  name: xdatabases.%[1]s
spec:
  group: %[1]s
  names: {kind: XDatabase, plural: xdatabases}
  claimNames: {kind: Database, plural: databases}
  connectionSecretKeys: [url, user]
  versions:
  - name: v1alpha1
    served: true
    referenceable: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              parameters:
                type: object
                properties:
                  size: {type: string}
                  owner: {type: string}
          status:
            type: object
            properties:
              url: {type: string}
`

// resources are the composed resources of the test Compositions: two
// ConfigMaps in the claim's namespace.
const resources = `
    - name: config
      base:
        apiVersion: v1
        kind: ConfigMap
        data: {role: config}
      patches:
      - {fromFieldPath: spec.claimRef.namespace, toFieldPath: metadata.namespace}
      - fromFieldPath: spec.parameters.size
        toFieldPath: data.storage
        transforms:
        - type: map
          map: {small: 10Gi, large: 100Gi}
      - type: FromCompositeFieldPath
        fromFieldPath: spec.parameters.owner
        toFieldPath: data.url
        transforms:
        - type: string
          string: {type: Format, fmt: "postgres://%s@db:5432"}
      - {type: ToCompositeFieldPath, fromFieldPath: data.url, toFieldPath: status.url}
      connectionDetails:
      - {name: url, type: FromFieldPath, fromFieldPath: data.url}
      - {name: user, type: FromValue, value: admin}
      - {name: ignored, type: FromValue, value: not-in-connectionSecretKeys}
      readinessChecks:
      - {type: NonEmpty, fieldPath: data.url}
    - name: extra
      base:
        apiVersion: v1
        kind: ConfigMap
        data: {role: extra}
      patches:
      - {fromFieldPath: spec.claimRef.namespace, toFieldPath: metadata.namespace}
      readinessChecks:
      - {type: None}
`

func resourcesComposition(name, group string, labels string) string {
	return fmt.Sprintf(`apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: %s
  labels: {%s}
spec:
  compositeTypeRef: {apiVersion: %s/v1alpha1, kind: XDatabase}
  resources:`, name, labels, group) + resources
}

func pipelineComposition(name, group string, labels string) string {
	return fmt.Sprintf(`apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: %s
  labels: {%s}
spec:
  compositeTypeRef: {apiVersion: %s/v1alpha1, kind: XDatabase}
  mode: Pipeline
  pipeline:
  - step: patch-and-transform
    functionRef: {name: function-patch-and-transform}
    input:
      apiVersion: pt.fn.crossplane.io/v1beta1
      kind: Resources
      resources:`, name, labels, group) + strings.ReplaceAll(resources, "\n    ", "\n        ")
}

const claim = `apiVersion: %s/v1alpha1
kind: Database
metadata:
  name: %s
  namespace: %s
spec:
  compositionSelector:
    matchLabels: {%s}
  parameters: {size: small, owner: alice}
  writeConnectionSecretToRef: {name: %s}
`

// waitEstablished waits until an XRD serves its claim.
func waitEstablished(t *testing.T, group string) {
	t.Helper()
	env := harness.Get(t)
	x := get(t, schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v1", Kind: "CompositeResourceDefinition"}, "", "xdatabases."+group)
	env.WaitFor(t, x, 30*time.Second, harness.HasCondition("Established", "True"))
	env.WaitFor(t, x, 30*time.Second, harness.HasCondition("Offered", "True"))
}

func TestClaimBecomesReadyWithConnectionSecret(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	group := "ready.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("ready-resources", group, "mode: resources"))
	waitEstablished(t, group)
	apply(t, claim, group, "db", ns, "mode: resources", "db-conn")

	cl := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Database"}, ns, "db")
	env.WaitFor(t, cl, 30*time.Second, harness.HasCondition("Ready", "True"))
	env.WaitFor(t, cl, 10*time.Second, harness.HasCondition("Synced", "True"))

	// Status flows back from the XR to the claim.
	if got, _, _ := unstructured.NestedString(cl.Object, "status", "url"); got != "postgres://alice@db:5432" {
		t.Errorf("claim status.url: want postgres://alice@db:5432, got %q", got)
	}

	// The composed ConfigMaps carry Crossplane's labels and the patched data.
	l := &corev1.ConfigMapList{}
	if err := env.Client.List(ctx, l, client.InNamespace(ns), client.MatchingLabels{"crossplane.io/claim-name": "db"}); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	for _, cm := range l.Items {
		got[cm.Annotations["crossplane.io/composition-resource-name"]] = cm.Data
		if cm.Labels["crossplane.io/composite"] == "" || cm.Labels["crossplane.io/claim-namespace"] != ns {
			t.Errorf("ConfigMap %s labels: %v", cm.Name, cm.Labels)
		}
		if len(cm.OwnerReferences) != 1 || cm.OwnerReferences[0].Kind != "XDatabase" {
			t.Errorf("ConfigMap %s should be controlled by its XDatabase, owner references: %v", cm.Name, cm.OwnerReferences)
		}
	}
	want := map[string]map[string]string{
		"config": {"role": "config", "storage": "10Gi", "url": "postgres://alice@db:5432"},
		"extra":  {"role": "extra"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("composed ConfigMaps: -want, +got:\n%s", diff)
	}

	// The connection Secret appears in the claim's namespace, filtered by
	// the XRD's connectionSecretKeys.
	secret := &corev1.Secret{}
	secret.SetNamespace(ns)
	secret.SetName("db-conn")
	env.WaitFor(t, secret, 30*time.Second, secretData(map[string]string{"url": "postgres://alice@db:5432", "user": "admin"}))

	// A change to the claim flows through the XR to the composed resources
	// and the connection Secret.
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(cl), cl); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(cl.Object, "bob", "spec", "parameters", "owner"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Update(ctx, cl); err != nil {
		t.Fatal(err)
	}
	env.WaitFor(t, secret, 30*time.Second, secretData(map[string]string{"url": "postgres://bob@db:5432", "user": "admin"}))
}

// secretData passes when a Secret holds exactly want.
func secretData(want map[string]string) harness.Check {
	return func(o client.Object) (bool, string) {
		s := o.(*corev1.Secret)
		got := map[string]string{}
		for k, v := range s.Data {
			got[k] = string(v)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			return false, "data differs: -want, +got:\n" + diff
		}
		return true, ""
	}
}

// composedData returns the data of the ConfigMaps composed for a claim, by
// composition resource name.
func composedData(t *testing.T, ns, claimName string) map[string]map[string]string {
	t.Helper()
	l := &corev1.ConfigMapList{}
	if err := harness.Get(t).Client.List(context.Background(), l, client.InNamespace(ns), client.MatchingLabels{"crossplane.io/claim-name": claimName}); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, cm := range l.Items {
		out[cm.Annotations["crossplane.io/composition-resource-name"]] = cm.Data
	}
	return out
}

func TestPipelineRendersLikeResources(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ns := env.Namespace(t)
	group := "modes.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("modes-resources", group, "mode: resources"))
	apply(t, "%s", pipelineComposition("modes-pipeline", group, "mode: pipeline"))
	waitEstablished(t, group)
	apply(t, claim, group, "by-resources", ns, "mode: resources", "a")
	apply(t, claim, group, "by-pipeline", ns, "mode: pipeline", "b")

	for _, name := range []string{"by-resources", "by-pipeline"} {
		cl := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Database"}, ns, name)
		env.WaitFor(t, cl, 30*time.Second, harness.HasCondition("Ready", "True"))
	}
	if diff := cmp.Diff(composedData(t, ns, "by-resources"), composedData(t, ns, "by-pipeline")); diff != "" {
		t.Errorf("Resources and Pipeline modes should compose the same resources: -resources, +pipeline:\n%s", diff)
	}
}

func TestBrokenCompositionIsExplained(t *testing.T) {
	startCore(t)
	env := harness.Get(t)
	ns := env.Namespace(t)
	group := "broken.example.org"

	apply(t, xrd, group)
	apply(t, "%s", resourcesComposition("broken-good", group, "quality: good"))
	apply(t, `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: broken-required
  labels: {quality: required}
spec:
  compositeTypeRef: {apiVersion: %s/v1alpha1, kind: XDatabase}
  resources:
  - name: config
    base: {apiVersion: v1, kind: ConfigMap}
    patches:
    - {fromFieldPath: spec.claimRef.namespace, toFieldPath: metadata.namespace}
    - fromFieldPath: spec.parameters.missing
      toFieldPath: data.x
      policy: {fromFieldPath: Required}
---
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: broken-function
  labels: {quality: function}
spec:
  compositeTypeRef: {apiVersion: %s/v1alpha1, kind: XDatabase}
  mode: Pipeline
  pipeline:
  - step: render
    functionRef: {name: function-does-not-exist}
`, group, group)
	waitEstablished(t, group)
	apply(t, claim, group, "good", ns, "quality: good", "good")
	apply(t, claim, group, "required", ns, "quality: required", "required")
	apply(t, claim, group, "function", ns, "quality: function", "function")

	kind := schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "XDatabase"}
	cases := map[string]struct {
		reason string
		claim  string
		want   []string
	}{
		"RequiredFieldMissing": {
			reason: "A Required patch whose source is missing names the resource, the patch and the field.",
			claim:  "required",
			want:   []string{`resource "config"`, "spec.parameters.missing"},
		},
		"UnknownFunction": {
			reason: "A step naming a function that is neither installed nor built in says so.",
			claim:  "function",
			want:   []string{`"render"`, `function-does-not-exist`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cl := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Database"}, ns, tc.claim)
			env.WaitFor(t, cl, 30*time.Second, func(o client.Object) (bool, string) {
				ref, _, _ := unstructured.NestedString(o.(*unstructured.Unstructured).Object, "spec", "resourceRef", "name")
				return ref != "", "no XR bound yet"
			})
			xrName, _, _ := unstructured.NestedString(cl.Object, "spec", "resourceRef", "name")
			xr := get(t, kind, "", xrName)
			env.WaitFor(t, xr, 30*time.Second, func(o client.Object) (bool, string) {
				ok, why := harness.HasCondition("Synced", "False")(o)
				if !ok {
					return false, why
				}
				msg := conditionMessage(o.(*unstructured.Unstructured), "Synced")
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						return false, fmt.Sprintf("Synced message %q should contain %q", msg, w)
					}
				}
				return true, ""
			})
		})
	}

	// The claim shows why its composite resource cannot be composed.
	env.WaitFor(t, get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Database"}, ns, "required"), 30*time.Second, func(o client.Object) (bool, string) {
		for _, ct := range []string{"CompositeSynced", "Synced"} {
			if msg := conditionMessage(o.(*unstructured.Unstructured), ct); !strings.Contains(msg, "spec.parameters.missing") {
				return false, fmt.Sprintf("%s message %q should carry the XR's error", ct, msg)
			}
		}
		return true, ""
	})

	// The broken Compositions disturb no other composite resource.
	good := get(t, schema.GroupVersionKind{Group: group, Version: "v1alpha1", Kind: "Database"}, ns, "good")
	env.WaitFor(t, good, 30*time.Second, harness.HasCondition("Ready", "True"))
}

func conditionMessage(u *unstructured.Unstructured, ct string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == ct {
			s, _ := m["message"].(string)
			return s
		}
	}
	return ""
}
