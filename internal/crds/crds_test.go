package crds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const crdA = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  names: {kind: Widget, plural: widgets}
  scope: Cluster
  versions: []
`

const crdB = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.org
spec:
  group: example.org
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions: []
`

func TestParse(t *testing.T) {
	type want struct {
		names []string
		err   string
	}
	cases := map[string]struct {
		reason string
		yaml   string
		want   want
	}{
		"One": {
			reason: "A single CRD is decoded.",
			yaml:   crdA,
			want:   want{names: []string{"widgets.example.org"}},
		},
		"ManyWithEmptyDocuments": {
			reason: "Several documents, with empty ones between them, are decoded in order.",
			yaml:   "---\n" + crdA + "---\n---\n" + crdB,
			want:   want{names: []string{"widgets.example.org", "gadgets.example.org"}},
		},
		"NotACRD": {
			reason: "A document of another kind is refused, naming what it is.",
			yaml:   "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
			want:   want{err: `YAML document 0 is a "Secret" named "s", not a named CustomResourceDefinition`},
		},
		"UnknownField": {
			reason: "A misspelled field is refused rather than silently dropped.",
			yaml:   strings.Replace(crdA, "scope:", "scoop:", 1),
			want:   want{err: "cannot decode YAML document 0 as a CustomResourceDefinition"},
		},
		"Malformed": {
			reason: "Malformed YAML is refused.",
			yaml:   "kind: [unclosed\n",
			want:   want{err: "cannot decode YAML document 0"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Parse([]byte(tc.yaml))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if tc.want.err == "" && gotErr != "" || !strings.HasPrefix(gotErr, tc.want.err) {
				t.Errorf("%s\nParse(...): want error starting %q, got %q", tc.reason, tc.want.err, gotErr)
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if diff := cmp.Diff(tc.want.names, names); diff != "" {
				t.Errorf("%s\nParse(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b.yaml": crdB, "a.yml": crdA, "README.md": "not yaml: ["} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(...): %v", err)
	}
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"widgets.example.org", "gadgets.example.org"}, names); diff != "" {
		t.Errorf("Load(...): want YAML files in name order, other files ignored: -want, +got:\n%s", diff)
	}

	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "cannot read CRD directory") {
		t.Errorf("Load(missing): want a 'cannot read CRD directory' error, got %v", err)
	}
}
