package pt

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// maxShown is how many characters of a value an error message quotes.
const maxShown = 64

// jsonType names the JSON type of a value, as errors show it to people.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer"
	case float32, float64, json.Number:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// describe shows a value and its type in an error message, shortened.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return fmt.Sprintf("string %q", shorten(fmt.Sprint(v)))
	default:
		return fmt.Sprintf("%s %s", jsonType(v), shorten(fmt.Sprint(v)))
	}
}

func shorten(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return s[:maxShown] + "…"
}

// A number is an int64 or a float64.
type number struct {
	i       int64
	f       float64
	isFloat bool
}

// asNumber returns v as a number, if it is one.
func asNumber(v any) (number, bool) {
	switch n := v.(type) {
	case int64:
		return number{i: n}, true
	case int:
		return number{i: int64(n)}, true
	case int32:
		return number{i: int64(n)}, true
	case float64:
		return number{f: n, isFloat: true}, true
	case float32:
		return number{f: float64(n), isFloat: true}, true
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return number{i: i}, true
		}
		if f, err := n.Float64(); err == nil {
			return number{f: f, isFloat: true}, true
		}
	}
	return number{}, false
}

// float returns the number as a float64.
func (n number) float() float64 {
	if n.isFloat {
		return n.f
	}
	return float64(n.i)
}

// value returns the number as an int64 or a float64.
func (n number) value() any {
	if n.isFloat {
		return n.f
	}
	return n.i
}

// floatToInt64 converts a float64 to an int64, truncating, if it fits.
func floatToInt64(f float64) (int64, error) {
	if math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, errors.Errorf("%v does not fit in int64", f)
	}
	return int64(f), nil
}

// toJSONValue returns v as a JSON value as Kubernetes decodes one: objects
// are map[string]any, arrays []any, integers int64 and other numbers float64.
func toJSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode value as JSON")
	}
	var out any
	if err := utiljson.Unmarshal(b, &out); err != nil {
		return nil, errors.Wrap(err, "cannot decode value from JSON")
	}
	return out, nil
}

// toJSONObject returns a copy of o as a JSON object; see toJSONValue. A nil
// object is an empty one.
func toJSONObject(o map[string]any) (map[string]any, error) {
	if o == nil {
		return map[string]any{}, nil
	}
	v, err := toJSONValue(o)
	if err != nil {
		return nil, err
	}
	out, ok := v.(map[string]any)
	if !ok {
		return map[string]any{}, nil
	}
	return out, nil
}

// fmtErrorMarkers are what fmt writes in place of a verb it cannot satisfy:
// %!d(string=x), %!s(MISSING), %!(EXTRA string=x), %!(NOVERB), %!(BADWIDTH).
var fmtErrorMarkers = []string{"%!(NOVERB)", "%!(EXTRA ", "%!(BADWIDTH)", "%!(BADPREC)", "%!(BADINDEX)", "(MISSING)", "(BADWIDTH)", "(BADPREC)", "(BADINDEX)"}

// sprintf formats args with a user's format string. fmt never fails; it
// writes markers such as %!d(string=x) instead. sprintf reports those as an
// error rather than writing them into a resource.
func sprintf(format string, args ...any) (string, error) {
	out := fmt.Sprintf(format, args...)
	if !strings.Contains(out, "%!") {
		return out, nil
	}
	// The markers may come from the arguments themselves.
	in := fmt.Sprint(args...)
	for _, m := range fmtErrorMarkers {
		if strings.Contains(out, m) && !strings.Contains(in, m) {
			return "", errors.Errorf("fmt %q does not fit its input: it formats as %q", format, shorten(out))
		}
	}
	// A wrong verb for the type: %!d(string=x).
	if strings.Count(out, "%!") > strings.Count(in, "%!")+strings.Count(format, "%%!") {
		return "", errors.Errorf("fmt %q does not fit its input: it formats as %q", format, shorten(out))
	}
	return out, nil
}
