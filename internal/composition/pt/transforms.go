package pt

import (
	"crypto/sha1" //nolint:gosec // ToSha1 is a checksum users ask for by name, not a security measure.
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/adler32"
	"math"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// ResolveTransforms applies transforms to input in order and returns the
// result. Errors name the failing transform by index and type.
func ResolveTransforms(ts []v1beta1.Transform, input any) (any, error) {
	out := input
	for i := range ts {
		var err error
		out, err = ResolveTransform(ts[i], out)
		if err != nil {
			return nil, errors.Wrapf(err, "transform %d (%s)", i, describeTransform(ts[i]))
		}
	}
	return out, nil
}

// describeTransform names a transform's type and subtype for error messages,
// such as "string Regexp" or "convert to int64".
func describeTransform(t v1beta1.Transform) string {
	switch t.Type {
	case v1beta1.TransformTypeMath:
		if t.Math != nil {
			return fmt.Sprintf("math %s", t.Math.GetType())
		}
	case v1beta1.TransformTypeString:
		if t.String != nil {
			return fmt.Sprintf("string %s", t.String.GetType())
		}
	case v1beta1.TransformTypeConvert:
		if t.Convert != nil {
			return fmt.Sprintf("convert to %s", t.Convert.ToType)
		}
	case v1beta1.TransformTypeMap, v1beta1.TransformTypeMatch:
	}
	if t.Type == "" {
		return "no type"
	}
	return string(t.Type)
}

// ResolveTransform applies one transform to input and returns the result.
func ResolveTransform(t v1beta1.Transform, input any) (any, error) {
	if err := ValidateTransform(t); err != nil {
		return nil, err
	}
	switch t.Type {
	case v1beta1.TransformTypeMap:
		return resolveMap(t.Map, input)
	case v1beta1.TransformTypeMatch:
		return resolveMatch(t.Match, input)
	case v1beta1.TransformTypeMath:
		return resolveMath(t.Math, input)
	case v1beta1.TransformTypeString:
		return resolveString(t.String, input)
	case v1beta1.TransformTypeConvert:
		return resolveConvert(t.Convert, input)
	}
	// ValidateTransform refuses unknown types.
	return nil, errors.Errorf("unknown transform type %q", t.Type)
}

// ValidateTransform returns an error if a transform is incomplete or
// malformed: an unknown type, a missing configuration for its type, an
// invalid regular expression.
func ValidateTransform(t v1beta1.Transform) error {
	switch t.Type {
	case v1beta1.TransformTypeMap:
		if t.Map == nil {
			return errors.New("a map transform requires map")
		}
	case v1beta1.TransformTypeMatch:
		if t.Match == nil {
			return errors.New("a match transform requires match")
		}
		return validateMatch(t.Match)
	case v1beta1.TransformTypeMath:
		if t.Math == nil {
			return errors.New("a math transform requires math")
		}
		return validateMath(t.Math)
	case v1beta1.TransformTypeString:
		if t.String == nil {
			return errors.New("a string transform requires string")
		}
		return validateString(t.String)
	case v1beta1.TransformTypeConvert:
		if t.Convert == nil {
			return errors.New("a convert transform requires convert")
		}
		return validateConvert(t.Convert)
	case "":
		return errors.New("transform type is required (one of map, match, math, string, convert)")
	default:
		return errors.Errorf("unknown transform type %q (want one of map, match, math, string, convert)", t.Type)
	}
	return nil
}

func validateMatch(m *v1beta1.MatchTransform) error {
	for i, p := range m.Patterns {
		switch p.GetType() {
		case v1beta1.MatchTransformPatternTypeLiteral:
			if p.Literal == nil {
				return errors.Errorf("pattern %d: a literal pattern requires literal", i)
			}
		case v1beta1.MatchTransformPatternTypeRegexp:
			if p.Regexp == nil {
				return errors.Errorf("pattern %d: a regexp pattern requires regexp", i)
			}
			if _, err := regexp.Compile(*p.Regexp); err != nil {
				return errors.Wrapf(err, "pattern %d: invalid regexp %q", i, *p.Regexp)
			}
		default:
			return errors.Errorf("pattern %d: unknown pattern type %q (want literal or regexp)", i, p.Type)
		}
	}
	switch m.GetFallbackTo() {
	case v1beta1.MatchFallbackToValue, v1beta1.MatchFallbackToInput:
	default:
		return errors.Errorf("unknown fallbackTo %q (want Value or Input)", m.FallbackTo)
	}
	return nil
}

func validateMath(m *v1beta1.MathTransform) error {
	switch m.GetType() {
	case v1beta1.MathTransformTypeMultiply:
		if m.Multiply == nil {
			return errors.New("a Multiply math transform requires multiply")
		}
	case v1beta1.MathTransformTypeClampMin:
		if m.ClampMin == nil {
			return errors.New("a ClampMin math transform requires clampMin")
		}
	case v1beta1.MathTransformTypeClampMax:
		if m.ClampMax == nil {
			return errors.New("a ClampMax math transform requires clampMax")
		}
	default:
		return errors.Errorf("unknown math transform type %q (want Multiply, ClampMin or ClampMax)", m.Type)
	}
	return nil
}

func validateString(s *v1beta1.StringTransform) error {
	switch s.GetType() {
	case v1beta1.StringTransformTypeFormat:
		if s.Format == nil {
			return errors.New("a Format string transform requires fmt")
		}
	case v1beta1.StringTransformTypeConvert:
		if s.Convert == nil {
			return errors.New("a Convert string transform requires convert")
		}
		switch *s.Convert {
		case v1beta1.StringConversionTypeToUpper, v1beta1.StringConversionTypeToLower,
			v1beta1.StringConversionTypeToBase64, v1beta1.StringConversionTypeFromBase64,
			v1beta1.StringConversionTypeToJSON, v1beta1.StringConversionTypeToSHA1,
			v1beta1.StringConversionTypeToSHA256, v1beta1.StringConversionTypeToSHA512,
			v1beta1.StringConversionTypeToAdler32:
		default:
			return errors.Errorf("unknown string conversion %q", *s.Convert)
		}
	case v1beta1.StringTransformTypeTrimPrefix, v1beta1.StringTransformTypeTrimSuffix:
		if s.Trim == nil {
			return errors.Errorf("a %s string transform requires trim", s.GetType())
		}
	case v1beta1.StringTransformTypeRegexp:
		if s.Regexp == nil {
			return errors.New("a Regexp string transform requires regexp")
		}
		if _, err := regexp.Compile(s.Regexp.Match); err != nil {
			return errors.Wrapf(err, "invalid regexp %q", s.Regexp.Match)
		}
		if s.Regexp.Group != nil && *s.Regexp.Group < 0 {
			return errors.Errorf("regexp group %d is negative", *s.Regexp.Group)
		}
	case v1beta1.StringTransformTypeJoin:
		if s.Join == nil {
			return errors.New("a Join string transform requires join")
		}
	default:
		return errors.Errorf("unknown string transform type %q (want Format, Convert, TrimPrefix, TrimSuffix, Regexp or Join)", s.Type)
	}
	return nil
}

func validateConvert(c *v1beta1.ConvertTransform) error {
	switch c.ToType {
	case v1beta1.TransformIOTypeString, v1beta1.TransformIOTypeBool, v1beta1.TransformIOTypeInt,
		v1beta1.TransformIOTypeInt64, v1beta1.TransformIOTypeFloat64, v1beta1.TransformIOTypeObject,
		v1beta1.TransformIOTypeArray:
	case "":
		return errors.New("a convert transform requires toType")
	default:
		return errors.Errorf("unknown toType %q (want string, int, int64, bool, float64, object or array)", c.ToType)
	}
	switch c.GetFormat() {
	case v1beta1.ConvertTransformFormatNone, v1beta1.ConvertTransformFormatQuantity, v1beta1.ConvertTransformFormatJSON:
	default:
		return errors.Errorf("unknown format %q (want none, quantity or json)", *c.Format)
	}
	return nil
}

// resolveMap looks a string input up in the map.
func resolveMap(m *v1beta1.MapTransform, input any) (any, error) {
	s, ok := input.(string)
	if !ok {
		return nil, errors.Errorf("input must be a string, got %s", describe(input))
	}
	v, ok := m.Pairs[s]
	if !ok {
		return nil, errors.Errorf("key %q not found in map", shorten(s))
	}
	out, err := decodeJSON(v.Raw)
	return out, errors.Wrapf(err, "cannot decode the value of key %q", shorten(s))
}

// decodeJSON decodes raw JSON; empty raw JSON is null.
func decodeJSON(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var out any
	if err := utiljson.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// resolveMatch returns the result of the first pattern input matches, or the
// fallback.
func resolveMatch(m *v1beta1.MatchTransform, input any) (any, error) {
	s, isString := input.(string)
	for i, p := range m.Patterns {
		matched := false
		switch p.GetType() {
		case v1beta1.MatchTransformPatternTypeLiteral:
			matched = isString && s == *p.Literal
		case v1beta1.MatchTransformPatternTypeRegexp:
			// validateMatch compiled it already.
			re := regexp.MustCompile(*p.Regexp)
			matched = isString && re.MatchString(s)
		}
		if matched {
			out, err := decodeJSON(p.Result.Raw)
			return out, errors.Wrapf(err, "cannot decode the result of pattern %d", i)
		}
	}
	if m.GetFallbackTo() == v1beta1.MatchFallbackToInput {
		return input, nil
	}
	out, err := decodeJSON(m.FallbackValue.Raw)
	return out, errors.Wrap(err, "cannot decode fallbackValue")
}

// resolveMath multiplies or clamps a numeric input.
func resolveMath(m *v1beta1.MathTransform, input any) (any, error) {
	n, ok := asNumber(input)
	if !ok {
		return nil, errors.Errorf("input must be a number, got %s", describe(input))
	}
	switch m.GetType() {
	case v1beta1.MathTransformTypeMultiply:
		return multiply(n, *m.Multiply)
	case v1beta1.MathTransformTypeClampMin:
		if n.float() < float64(*m.ClampMin) {
			return *m.ClampMin, nil
		}
		return n.value(), nil
	case v1beta1.MathTransformTypeClampMax:
		if n.float() > float64(*m.ClampMax) {
			return *m.ClampMax, nil
		}
		return n.value(), nil
	}
	return nil, errors.Errorf("unknown math transform type %q", m.Type)
}

func multiply(n number, by int64) (any, error) {
	if n.isFloat {
		out := n.f * float64(by)
		if math.IsInf(out, 0) || math.IsNaN(out) {
			return nil, errors.Errorf("%v multiplied by %d is not a finite number", n.f, by)
		}
		return out, nil
	}
	out := n.i * by
	if n.i != 0 && (out/n.i != by || (n.i == -1 && by == math.MinInt64) || (by == -1 && n.i == math.MinInt64)) {
		return nil, errors.Errorf("%d multiplied by %d overflows int64", n.i, by)
	}
	return out, nil
}

// resolveString produces a string from input.
func resolveString(s *v1beta1.StringTransform, input any) (any, error) {
	switch s.GetType() {
	case v1beta1.StringTransformTypeFormat:
		return sprintf(*s.Format, input)
	case v1beta1.StringTransformTypeConvert:
		return convertString(*s.Convert, input)
	case v1beta1.StringTransformTypeTrimPrefix:
		return strings.TrimPrefix(fmt.Sprint(input), *s.Trim), nil
	case v1beta1.StringTransformTypeTrimSuffix:
		return strings.TrimSuffix(fmt.Sprint(input), *s.Trim), nil
	case v1beta1.StringTransformTypeRegexp:
		// validateString compiled it already.
		re := regexp.MustCompile(s.Regexp.Match)
		group := 0
		if s.Regexp.Group != nil {
			group = *s.Regexp.Group
		}
		m := re.FindStringSubmatch(fmt.Sprint(input))
		if m == nil {
			return nil, errors.Errorf("regexp %q does not match %s", s.Regexp.Match, describe(input))
		}
		if group >= len(m) {
			return nil, errors.Errorf("regexp %q has no group %d (it has %d)", s.Regexp.Match, group, len(m)-1)
		}
		return m[group], nil
	case v1beta1.StringTransformTypeJoin:
		a, ok := input.([]any)
		if !ok {
			return nil, errors.Errorf("input must be an array, got %s", describe(input))
		}
		parts := make([]string, len(a))
		for i, v := range a {
			parts[i] = fmt.Sprint(v)
		}
		return strings.Join(parts, s.Join.Separator), nil
	}
	return nil, errors.Errorf("unknown string transform type %q", s.Type)
}

func convertString(c v1beta1.StringConversionType, input any) (any, error) {
	switch c {
	case v1beta1.StringConversionTypeToUpper:
		return strings.ToUpper(fmt.Sprint(input)), nil
	case v1beta1.StringConversionTypeToLower:
		return strings.ToLower(fmt.Sprint(input)), nil
	case v1beta1.StringConversionTypeToBase64:
		return base64.StdEncoding.EncodeToString(fmt.Append(nil, input)), nil
	case v1beta1.StringConversionTypeFromBase64:
		b, err := base64.StdEncoding.DecodeString(fmt.Sprint(input))
		if err != nil {
			return nil, errors.Wrapf(err, "cannot decode %s as base64", describe(input))
		}
		return string(b), nil
	case v1beta1.StringConversionTypeToJSON:
		b, err := json.Marshal(input)
		if err != nil {
			return nil, errors.Wrap(err, "cannot encode input as JSON")
		}
		return string(b), nil
	case v1beta1.StringConversionTypeToSHA1:
		b, err := hashInput(input)
		sum := sha1.Sum(b) //nolint:gosec // See the import.
		return hex.EncodeToString(sum[:]), err
	case v1beta1.StringConversionTypeToSHA256:
		b, err := hashInput(input)
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:]), err
	case v1beta1.StringConversionTypeToSHA512:
		b, err := hashInput(input)
		sum := sha512.Sum512(b)
		return hex.EncodeToString(sum[:]), err
	case v1beta1.StringConversionTypeToAdler32:
		b, err := hashInput(input)
		return strconv.FormatUint(uint64(adler32.Checksum(b)), 10), err
	}
	return nil, errors.Errorf("unknown string conversion %q", c)
}

// hashInput returns the bytes a hash conversion hashes: a string's bytes, or
// any other value's JSON encoding.
func hashInput(input any) ([]byte, error) {
	if s, ok := input.(string); ok {
		return []byte(s), nil
	}
	b, err := json.Marshal(input)
	return b, errors.Wrap(err, "cannot encode input as JSON")
}

// ioType returns the convert transform type of a JSON value.
func ioType(v any) (v1beta1.TransformIOType, bool) {
	switch v.(type) {
	case string:
		return v1beta1.TransformIOTypeString, true
	case bool:
		return v1beta1.TransformIOTypeBool, true
	case int, int32, int64:
		return v1beta1.TransformIOTypeInt64, true
	case float32, float64:
		return v1beta1.TransformIOTypeFloat64, true
	case map[string]any:
		return v1beta1.TransformIOTypeObject, true
	case []any:
		return v1beta1.TransformIOTypeArray, true
	}
	return "", false
}

// resolveConvert converts input to the transform's type.
func resolveConvert(c *v1beta1.ConvertTransform, input any) (any, error) { //nolint:gocyclo // One flat switch over the supported conversions reads best.
	from, ok := ioType(input)
	if !ok {
		return nil, errors.Errorf("cannot convert %s", describe(input))
	}
	to := c.ToType
	if to == v1beta1.TransformIOTypeInt {
		to = v1beta1.TransformIOTypeInt64
	}
	format := c.GetFormat()
	if from == to {
		if n, ok := asNumber(input); ok {
			return n.value(), nil
		}
		return input, nil
	}
	unsupported := errors.Errorf("cannot convert %s to %s with format %s", from, c.ToType, format)

	switch from {
	case v1beta1.TransformIOTypeString:
		s := input.(string)
		switch {
		case to == v1beta1.TransformIOTypeInt64 && format == v1beta1.ConvertTransformFormatNone:
			i, err := strconv.ParseInt(s, 10, 64)
			return i, errors.Wrapf(err, "cannot convert %s to %s", describe(input), c.ToType)
		case to == v1beta1.TransformIOTypeBool && format == v1beta1.ConvertTransformFormatNone:
			b, err := strconv.ParseBool(s)
			return b, errors.Wrapf(err, "cannot convert %s to bool", describe(input))
		case to == v1beta1.TransformIOTypeFloat64 && format == v1beta1.ConvertTransformFormatNone:
			f, err := strconv.ParseFloat(s, 64)
			if err == nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
				err = errors.New("not a finite number")
			}
			return f, errors.Wrapf(err, "cannot convert %s to float64", describe(input))
		case to == v1beta1.TransformIOTypeFloat64 && format == v1beta1.ConvertTransformFormatQuantity:
			q, err := resource.ParseQuantity(s)
			if err != nil {
				return nil, errors.Wrapf(err, "cannot parse %s as a quantity", describe(input))
			}
			return q.AsApproximateFloat64(), nil
		case to == v1beta1.TransformIOTypeObject && format == v1beta1.ConvertTransformFormatJSON:
			v, err := decodeJSON([]byte(s))
			if _, ok := v.(map[string]any); err == nil && !ok {
				err = errors.Errorf("got %s", jsonType(v))
			}
			return v, errors.Wrapf(err, "cannot decode %s as a JSON object", describe(input))
		case to == v1beta1.TransformIOTypeArray && format == v1beta1.ConvertTransformFormatJSON:
			v, err := decodeJSON([]byte(s))
			if _, ok := v.([]any); err == nil && !ok {
				err = errors.Errorf("got %s", jsonType(v))
			}
			return v, errors.Wrapf(err, "cannot decode %s as a JSON array", describe(input))
		}
	case v1beta1.TransformIOTypeInt64:
		if format != v1beta1.ConvertTransformFormatNone {
			return nil, unsupported
		}
		n, _ := asNumber(input)
		switch to {
		case v1beta1.TransformIOTypeString:
			return strconv.FormatInt(n.i, 10), nil
		case v1beta1.TransformIOTypeBool:
			return n.i == 1, nil
		case v1beta1.TransformIOTypeFloat64:
			return float64(n.i), nil
		}
	case v1beta1.TransformIOTypeFloat64:
		if format != v1beta1.ConvertTransformFormatNone {
			return nil, unsupported
		}
		n, _ := asNumber(input)
		switch to {
		case v1beta1.TransformIOTypeString:
			return strconv.FormatFloat(n.f, 'f', -1, 64), nil
		case v1beta1.TransformIOTypeBool:
			return n.f == 1, nil
		case v1beta1.TransformIOTypeInt64:
			i, err := floatToInt64(n.f)
			return i, errors.Wrap(err, "cannot convert to int64")
		}
	case v1beta1.TransformIOTypeBool:
		if format != v1beta1.ConvertTransformFormatNone {
			return nil, unsupported
		}
		b := input.(bool)
		switch to {
		case v1beta1.TransformIOTypeString:
			return strconv.FormatBool(b), nil
		case v1beta1.TransformIOTypeInt64:
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		case v1beta1.TransformIOTypeFloat64:
			if b {
				return float64(1), nil
			}
			return float64(0), nil
		}
	}
	return nil, unsupported
}
