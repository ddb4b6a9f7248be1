// Package examples_test checks that every manifest under examples/ is valid
// against the API server and the Stratus CRDs.
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

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

func TestExamplesAreValid(t *testing.T) {
	env := harness.Get(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(env.Root, "examples"), func(path string, d os.DirEntry, err error) error {
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
