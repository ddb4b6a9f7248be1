// Package examples_test checks that every manifest under examples/ and the
// platform's under package/platform is valid against the API server, the
// Stratus CRDs and the CRDs the platform's XRDs define.
package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/xcrd"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

func TestExamplesAreValid(t *testing.T) {
	env := harness.Get(t)
	installPlatformCRDs(t, env)
	var files []string
	for _, dir := range []string{"examples", filepath.Join("package", "platform", "definitions"), filepath.Join("package", "platform", "compositions")} {
		err := filepath.WalkDir(filepath.Join(env.Root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Fatal("no example manifests found under examples/")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(env.Root, f)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
			for i := 0; ; i++ {
				doc, err := r.Read()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil {
					t.Fatalf("document %d: %v", i, err)
				}
				if len(bytes.TrimSpace(doc)) == 0 {
					continue
				}
				u := &unstructured.Unstructured{}
				if err := yaml.UnmarshalStrict(doc, &u.Object); err != nil {
					t.Fatalf("document %d: %v", i, err)
				}
				if len(u.Object) == 0 {
					continue
				}
				// A dry run runs the API server's full validation (the CRD
				// schemas included) without storing anything.
				if err := env.Client.Create(context.Background(), u, client.DryRunAll); err != nil {
					t.Errorf("document %d (%s %s): %v", i, u.GetKind(), u.GetName(), err)
				}
			}
		})
	}
}

// installPlatformCRDs renders the CRDs of the platform's XRDs (as the
// definition controller does) and installs them, so that the example claims
// validate against their schemas; and creates the namespaces the examples
// use.
func installPlatformCRDs(t *testing.T, env *harness.Env) {
	t.Helper()
	ctx := context.Background()
	for _, ns := range []string{"demo"} {
		n := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		if err := env.Client.Create(ctx, n); err != nil && !kerrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	defs, err := filepath.Glob(filepath.Join(env.Root, "package", "platform", "definitions", "*.yaml"))
	if err != nil || len(defs) == 0 {
		t.Fatalf("no XRDs under package/platform/definitions (%v)", err)
	}
	for _, f := range defs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		xrd := &v1.CompositeResourceDefinition{}
		if err := yaml.UnmarshalStrict(b, xrd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		xp, err := xrd.Crossplane()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		xr, err := xcrd.ForCompositeResource(xp)
		if err != nil {
			t.Fatalf("%s: cannot render the composite resource CRD: %v", f, err)
		}
		claim, err := xcrd.ForCompositeResourceClaim(xp)
		if err != nil {
			t.Fatalf("%s: cannot render the claim CRD: %v", f, err)
		}
		for _, crd := range []*extv1.CustomResourceDefinition{xr, claim} {
			o, err := runtime.DefaultUnstructuredConverter.ToUnstructured(crd)
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{Object: o}
			u.SetAPIVersion("apiextensions.k8s.io/v1")
			u.SetKind("CustomResourceDefinition")
			u.SetOwnerReferences(nil) // the XRD is not created here
			if err := env.Client.Create(ctx, u); err != nil && !kerrors.IsAlreadyExists(err) {
				t.Fatalf("cannot create CRD %s: %v", crd.GetName(), err)
			}
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err = harness.Wait(wctx, env.Client, u, func(o client.Object) (bool, string) {
				c := &extv1.CustomResourceDefinition{}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.(*unstructured.Unstructured).Object, c); err != nil {
					return false, err.Error()
				}
				return xcrd.IsEstablished(c.Status), "not established"
			})
			cancel()
			if err != nil {
				t.Fatalf("CRD %s: %v", crd.GetName(), err)
			}
		}
	}
}
