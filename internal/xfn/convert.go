package xfn

import (
	"encoding/json"
	"math"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// AsStruct converts an unstructured object to the Struct the function
// protocol carries. A nil object becomes a nil Struct.
func AsStruct(u *unstructured.Unstructured) (*structpb.Struct, error) {
	if u == nil {
		return nil, nil
	}
	return objectAsStruct(u.Object)
}

// AsUnstructured converts a Struct from the function protocol to an
// unstructured object. Struct numbers are all float64; whole numbers become
// int64 again, as they are when Kubernetes decodes JSON, so that the object
// round-trips and server-side apply sees `replicas: 3`, not `3.0`. A nil
// Struct becomes a nil object.
func AsUnstructured(s *structpb.Struct) *unstructured.Unstructured {
	if s == nil {
		return nil
	}
	return &unstructured.Unstructured{Object: structAsObject(s)}
}

// objectAsStruct converts a JSON-shaped map to a Struct. Values structpb does
// not know (json.Number, typed slices and maps) go through JSON first.
func objectAsStruct(o map[string]any) (*structpb.Struct, error) {
	if o == nil {
		return nil, nil
	}
	s, err := structpb.NewStruct(o)
	if err == nil {
		return s, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode object as JSON")
	}
	s = &structpb.Struct{}
	if err := s.UnmarshalJSON(b); err != nil {
		return nil, errors.Wrap(err, "cannot convert object to a protobuf Struct")
	}
	return s, nil
}

// structAsObject converts a Struct to a JSON-shaped map with whole numbers as
// int64.
func structAsObject(s *structpb.Struct) map[string]any {
	if s == nil {
		return nil
	}
	// AsMap returns a map, and the walk keeps maps maps.
	return wholeNumbersAsInt64(s.AsMap()).(map[string]any)
}

// Float64s in [-2^63, 2^63) that have no fraction are exactly representable
// as int64.
const (
	minInt64Float = -(1 << 63)
	maxInt64Float = 1 << 63
)

func wholeNumbersAsInt64(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = wholeNumbersAsInt64(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = wholeNumbersAsInt64(e)
		}
		return t
	case float64:
		if t == math.Trunc(t) && t >= minInt64Float && t < maxInt64Float {
			return int64(t)
		}
		return t
	default:
		return v
	}
}
