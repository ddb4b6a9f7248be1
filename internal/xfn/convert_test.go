package xfn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestRoundTrip(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     *unstructured.Unstructured
		want   *unstructured.Unstructured
	}{
		"Nil": {
			reason: "Nothing converts to nothing.",
		},
		"Numbers": {
			reason: "Whole numbers come back as int64, fractions as float64, at any depth.",
			in: &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "apps/v1",
				"kind":       "Deployment",
				"spec": map[string]any{
					"replicas": int64(3),
					"ratio":    0.5,
					"big":      int64(1) << 52,
					"negative": int64(-7),
					"ports":    []any{map[string]any{"containerPort": int64(80)}, int64(443)},
					"on":       true,
					"nothing":  nil,
				},
			}},
			want: &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "apps/v1",
				"kind":       "Deployment",
				"spec": map[string]any{
					"replicas": int64(3),
					"ratio":    0.5,
					"big":      int64(1) << 52,
					"negative": int64(-7),
					"ports":    []any{map[string]any{"containerPort": int64(80)}, int64(443)},
					"on":       true,
					"nothing":  nil,
				},
			}},
		},
		"WholeFloats": {
			reason: "A whole float64 comes back as int64, as Kubernetes decodes JSON; one too large for int64 stays a float64.",
			in: &unstructured.Unstructured{Object: map[string]any{
				"replicas": float64(2),
				"huge":     1e20,
			}},
			want: &unstructured.Unstructured{Object: map[string]any{
				"replicas": int64(2),
				"huge":     1e20,
			}},
		},
		"TypedValues": {
			reason: "Values structpb does not know, such as typed string maps, go through JSON.",
			in: &unstructured.Unstructured{Object: map[string]any{
				"metadata": map[string]any{"labels": map[string]string{"a": "b"}},
				"count":    int32(4),
			}},
			want: &unstructured.Unstructured{Object: map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"a": "b"}},
				"count":    int64(4),
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := AsStruct(tc.in)
			if err != nil {
				t.Fatalf("%s\nAsStruct(...): %v", tc.reason, err)
			}
			got := AsUnstructured(s)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nAsUnstructured(AsStruct(...)): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
