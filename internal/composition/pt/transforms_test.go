package pt

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

func mapT(pairs map[string]extv1.JSON) v1beta1.Transform {
	return v1beta1.Transform{Type: v1beta1.TransformTypeMap, Map: &v1beta1.MapTransform{Pairs: pairs}}
}

func matchT(m v1beta1.MatchTransform) v1beta1.Transform {
	return v1beta1.Transform{Type: v1beta1.TransformTypeMatch, Match: &m}
}

func mathT(m v1beta1.MathTransform) v1beta1.Transform {
	return v1beta1.Transform{Type: v1beta1.TransformTypeMath, Math: &m}
}

func stringT(s v1beta1.StringTransform) v1beta1.Transform {
	return v1beta1.Transform{Type: v1beta1.TransformTypeString, String: &s}
}

func fmtT(format string) v1beta1.Transform {
	return stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeFormat, Format: &format})
}

func convStrT(c v1beta1.StringConversionType) v1beta1.Transform {
	return stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeConvert, Convert: &c})
}

func convertT(to v1beta1.TransformIOType, format v1beta1.ConvertTransformFormat) v1beta1.Transform {
	c := v1beta1.ConvertTransform{ToType: to}
	if format != "" {
		c.Format = &format
	}
	return v1beta1.Transform{Type: v1beta1.TransformTypeConvert, Convert: &c}
}

func TestResolveTransforms(t *testing.T) {
	type args struct {
		ts    []v1beta1.Transform
		input any
	}
	type want struct {
		out any
		err string
	}
	literal := func(l, result string) v1beta1.MatchTransformPattern {
		return v1beta1.MatchTransformPattern{Type: v1beta1.MatchTransformPatternTypeLiteral, Literal: &l, Result: js(result)}
	}
	re := func(r, result string) v1beta1.MatchTransformPattern {
		return v1beta1.MatchTransformPattern{Type: v1beta1.MatchTransformPatternTypeRegexp, Regexp: &r, Result: js(result)}
	}
	regexpT := func(match string, group *int) v1beta1.Transform {
		return stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeRegexp, Regexp: &v1beta1.StringTransformRegexp{Match: match, Group: group}})
	}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NoTransforms": {
			reason: "Without transforms the input is the output.",
			args:   args{input: "a"},
			want:   want{out: "a"},
		},
		"Chained": {
			reason: "Transforms apply in order, each to the previous one's output.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Multiply: new(int64(2))}), fmtT("%dGi")}, input: int64(5)},
			want:   want{out: "10Gi"},
		},
		"ChainedErrorNamesIndex": {
			reason: "An error names the failing transform by its index and type.",
			args:   args{ts: []v1beta1.Transform{fmtT("%s"), mathT(v1beta1.MathTransform{Multiply: new(int64(2))})}, input: "a"},
			want:   want{err: `transform 1 (math Multiply): input must be a number, got string "a"`},
		},
		"UnknownType": {
			reason: "An unknown transform type is an error.",
			args:   args{ts: []v1beta1.Transform{{Type: "frobnicate"}}, input: "a"},
			want:   want{err: `transform 0 (frobnicate): unknown transform type "frobnicate" (want one of map, match, math, string, convert)`},
		},
		"NoType": {
			reason: "A transform without a type is an error.",
			args:   args{ts: []v1beta1.Transform{{}}, input: "a"},
			want:   want{err: `transform 0 (no type): transform type is required (one of map, match, math, string, convert)`},
		},

		// map
		"Map": {
			reason: "A map transform returns the value of the input's key.",
			args:   args{ts: []v1beta1.Transform{mapT(map[string]extv1.JSON{"us": js(`"us-east-1"`), "eu": js(`"eu-west-1"`)})}, input: "eu"},
			want:   want{out: "eu-west-1"},
		},
		"MapObjectValue": {
			reason: "A map transform's values may be any JSON; integers are int64.",
			args:   args{ts: []v1beta1.Transform{mapT(map[string]extv1.JSON{"small": js(`{"cpu":1,"mem":"1Gi"}`)})}, input: "small"},
			want:   want{out: map[string]any{"cpu": int64(1), "mem": "1Gi"}},
		},
		"MapMissingKey": {
			reason: "A key that is not in the map is an error.",
			args:   args{ts: []v1beta1.Transform{mapT(map[string]extv1.JSON{"us": js(`"us-east-1"`)})}, input: "ap"},
			want:   want{err: `transform 0 (map): key "ap" not found in map`},
		},
		"MapNotString": {
			reason: "A map transform's input must be a string.",
			args:   args{ts: []v1beta1.Transform{mapT(map[string]extv1.JSON{"1": js(`"one"`)})}, input: int64(1)},
			want:   want{err: `transform 0 (map): input must be a string, got integer 1`},
		},
		"MapMissingConfig": {
			reason: "A map transform without map is an error.",
			args:   args{ts: []v1beta1.Transform{{Type: v1beta1.TransformTypeMap}}, input: "a"},
			want:   want{err: `transform 0 (map): a map transform requires map`},
		},

		// match
		"MatchLiteral": {
			reason: "A literal pattern matches its exact string.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{literal("b", `"no"`), literal("a", `"yes"`)}})}, input: "a"},
			want:   want{out: "yes"},
		},
		"MatchDefaultPatternType": {
			reason: "A pattern without a type is a literal pattern.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{{Literal: new("a"), Result: js(`1`)}}})}, input: "a"},
			want:   want{out: int64(1)},
		},
		"MatchRegexp": {
			reason: "A regexp pattern matches with a regular expression; the first match wins.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{re("^eu-", `{"zone":"eu"}`), literal("eu-west-1", `"literal"`)}})}, input: "eu-west-1"},
			want:   want{out: map[string]any{"zone": "eu"}},
		},
		"MatchFallbackValue": {
			reason: "Without a match the fallback value is returned.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{literal("a", `1`)}, FallbackValue: js(`"other"`)})}, input: "z"},
			want:   want{out: "other"},
		},
		"MatchFallbackToInput": {
			reason: "With fallbackTo Input the input is returned when nothing matches.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{literal("a", `1`)}, FallbackValue: js(`"other"`), FallbackTo: v1beta1.MatchFallbackToInput})}, input: "z"},
			want:   want{out: "z"},
		},
		"MatchNoFallback": {
			reason: "Without a match or a fallback value the result is null.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{literal("a", `1`)}})}, input: "z"},
			want:   want{out: nil},
		},
		"MatchNonString": {
			reason: "Patterns match only strings; other inputs fall back.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{literal("1", `"one"`), re(".*", `"any"`)}, FallbackValue: js(`"none"`)})}, input: int64(1)},
			want:   want{out: "none"},
		},
		"MatchBadRegexp": {
			reason: "An invalid regular expression is an error.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{re("(", `1`)}})}, input: "a"},
			want:   want{err: "transform 0 (match): pattern 0: invalid regexp \"(\": error parsing regexp: missing closing ): `(`"},
		},
		"MatchLiteralMissing": {
			reason: "A literal pattern without literal is an error.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{{Type: v1beta1.MatchTransformPatternTypeLiteral, Result: js(`1`)}}})}, input: "a"},
			want:   want{err: "transform 0 (match): pattern 0: a literal pattern requires literal"},
		},
		"MatchUnknownPatternType": {
			reason: "An unknown pattern type is an error.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{Patterns: []v1beta1.MatchTransformPattern{{Type: "glob", Result: js(`1`)}}})}, input: "a"},
			want:   want{err: `transform 0 (match): pattern 0: unknown pattern type "glob" (want literal or regexp)`},
		},
		"MatchUnknownFallbackTo": {
			reason: "An unknown fallbackTo is an error.",
			args:   args{ts: []v1beta1.Transform{matchT(v1beta1.MatchTransform{FallbackTo: "Nothing"})}, input: "a"},
			want:   want{err: `transform 0 (match): unknown fallbackTo "Nothing" (want Value or Input)`},
		},

		// math
		"MathMultiplyInt": {
			reason: "Multiply multiplies an integer to an integer.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: v1beta1.MathTransformTypeMultiply, Multiply: new(int64(3))})}, input: int64(7)},
			want:   want{out: int64(21)},
		},
		"MathMultiplyFloat": {
			reason: "Multiply multiplies a float to a float; Multiply is the default type.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Multiply: new(int64(2))})}, input: 1.25},
			want:   want{out: 2.5},
		},
		"MathMultiplyOverflow": {
			reason: "A product that overflows int64 is an error.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Multiply: new(int64(1 << 62))})}, input: int64(4)},
			want:   want{err: "transform 0 (math Multiply): 4 multiplied by 4611686018427387904 overflows int64"},
		},
		"MathWrongType": {
			reason: "Math on a string is an error.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Multiply: new(int64(2))})}, input: "10"},
			want:   want{err: `transform 0 (math Multiply): input must be a number, got string "10"`},
		},
		"MathMultiplyMissing": {
			reason: "Multiply without multiply is an error.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{})}, input: int64(1)},
			want:   want{err: "transform 0 (math Multiply): a Multiply math transform requires multiply"},
		},
		"MathClampMinBelow": {
			reason: "ClampMin raises an input below the minimum to it.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: v1beta1.MathTransformTypeClampMin, ClampMin: new(int64(10))})}, input: int64(3)},
			want:   want{out: int64(10)},
		},
		"MathClampMinAbove": {
			reason: "ClampMin keeps an input above the minimum.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: v1beta1.MathTransformTypeClampMin, ClampMin: new(int64(10))})}, input: 12.5},
			want:   want{out: 12.5},
		},
		"MathClampMaxAbove": {
			reason: "ClampMax lowers an input above the maximum to it, floats included.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: v1beta1.MathTransformTypeClampMax, ClampMax: new(int64(10))})}, input: 10.5},
			want:   want{out: int64(10)},
		},
		"MathClampMaxBelow": {
			reason: "ClampMax keeps an input below the maximum.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: v1beta1.MathTransformTypeClampMax, ClampMax: new(int64(10))})}, input: int64(4)},
			want:   want{out: int64(4)},
		},
		"MathClampMaxMissing": {
			reason: "ClampMax without clampMax is an error.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: v1beta1.MathTransformTypeClampMax})}, input: int64(4)},
			want:   want{err: "transform 0 (math ClampMax): a ClampMax math transform requires clampMax"},
		},
		"MathUnknownType": {
			reason: "An unknown math type is an error.",
			args:   args{ts: []v1beta1.Transform{mathT(v1beta1.MathTransform{Type: "Divide"})}, input: int64(4)},
			want:   want{err: `transform 0 (math Divide): unknown math transform type "Divide" (want Multiply, ClampMin or ClampMax)`},
		},

		// string Format
		"StringFormat": {
			reason: "Format formats the input with fmt; Format is the default type.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Format: new("db-%s")})}, input: "orders"},
			want:   want{out: "db-orders"},
		},
		"StringFormatInteger": {
			reason: "Integers format with %d.",
			args:   args{ts: []v1beta1.Transform{fmtT("%d%%")}, input: int64(42)},
			want:   want{out: "42%"},
		},
		"StringFormatBadVerb": {
			reason: "A verb that does not fit the input is an error, not garbage in the resource.",
			args:   args{ts: []v1beta1.Transform{fmtT("%d")}, input: "abc"},
			want:   want{err: `transform 0 (string Format): fmt "%d" does not fit its input: it formats as "%!d(string=abc)"`},
		},
		"StringFormatNoVerb": {
			reason: "A format without a verb for the input is an error.",
			args:   args{ts: []v1beta1.Transform{fmtT("static")}, input: "abc"},
			want:   want{err: `transform 0 (string Format): fmt "static" does not fit its input: it formats as "static%!(EXTRA string=abc)"`},
		},
		"StringFormatMissingOperand": {
			reason: "A format with more verbs than operands is an error.",
			args:   args{ts: []v1beta1.Transform{fmtT("%s-%s")}, input: "abc"},
			want:   want{err: `transform 0 (string Format): fmt "%s-%s" does not fit its input: it formats as "abc-%!s(MISSING)"`},
		},
		"StringFormatInputLooksLikeError": {
			reason: "An input that itself contains fmt's error markers is fine.",
			args:   args{ts: []v1beta1.Transform{fmtT("x-%s")}, input: "%!d(MISSING)"},
			want:   want{out: "x-%!d(MISSING)"},
		},
		"StringFormatMissing": {
			reason: "Format without fmt is an error.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeFormat})}, input: "a"},
			want:   want{err: "transform 0 (string Format): a Format string transform requires fmt"},
		},

		// string Convert
		"StringToUpper":    {reason: "ToUpper upper-cases.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToUpper)}, input: "aBc"}, want: want{out: "ABC"}},
		"StringToLower":    {reason: "ToLower lower-cases.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToLower)}, input: "aBc"}, want: want{out: "abc"}},
		"StringToBase64":   {reason: "ToBase64 encodes.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToBase64)}, input: "hello"}, want: want{out: "aGVsbG8="}},
		"StringFromBase64": {reason: "FromBase64 decodes.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeFromBase64)}, input: "aGVsbG8="}, want: want{out: "hello"}},
		"StringFromBase64Invalid": {
			reason: "FromBase64 of something that is not base64 is an error.",
			args:   args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeFromBase64)}, input: "!!"},
			want:   want{err: `transform 0 (string Convert): cannot decode string "!!" as base64: illegal base64 data at input byte 0`},
		},
		"StringToJSON": {
			reason: "ToJson encodes any input as JSON.",
			args:   args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToJSON)}, input: map[string]any{"b": []any{int64(1), "x"}, "a": true}},
			want:   want{out: `{"a":true,"b":[1,"x"]}`},
		},
		"StringToSha1":   {reason: "ToSha1 hashes a string's bytes.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToSHA1)}, input: "hello"}, want: want{out: "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}},
		"StringToSha256": {reason: "ToSha256 hashes a string's bytes.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToSHA256)}, input: "hello"}, want: want{out: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}},
		"StringToSha256Object": {
			reason: "Hashes of other values hash their JSON.",
			args:   args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToSHA256)}, input: map[string]any{"a": int64(1)}},
			want:   want{out: "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"},
		},
		"StringToSha512":  {reason: "ToSha512 hashes a string's bytes.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToSHA512)}, input: "hello"}, want: want{out: "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"}},
		"StringToAdler32": {reason: "ToAdler32 checksums, in decimal.", args: args{ts: []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToAdler32)}, input: "hello"}, want: want{out: "103547413"}},
		"StringUnknownConversion": {
			reason: "An unknown conversion is an error.",
			args:   args{ts: []v1beta1.Transform{convStrT("ToRot13")}, input: "a"},
			want:   want{err: `transform 0 (string Convert): unknown string conversion "ToRot13"`},
		},
		"StringConvertMissing": {
			reason: "Convert without convert is an error.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeConvert})}, input: "a"},
			want:   want{err: "transform 0 (string Convert): a Convert string transform requires convert"},
		},

		// string Trim
		"StringTrimPrefix": {
			reason: "TrimPrefix removes a leading string.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeTrimPrefix, Trim: new("arn:")})}, input: "arn:aws:x"},
			want:   want{out: "aws:x"},
		},
		"StringTrimSuffix": {
			reason: "TrimSuffix removes a trailing string.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeTrimSuffix, Trim: new(".com")})}, input: "example.com"},
			want:   want{out: "example"},
		},
		"StringTrimMissing": {
			reason: "TrimSuffix without trim is an error.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeTrimSuffix})}, input: "a"},
			want:   want{err: "transform 0 (string TrimSuffix): a TrimSuffix string transform requires trim"},
		},

		// string Regexp
		"StringRegexpWholeMatch": {
			reason: "Regexp returns the whole match by default.",
			args:   args{ts: []v1beta1.Transform{regexpT(`[0-9]+`, nil)}, input: "db-42-x"},
			want:   want{out: "42"},
		},
		"StringRegexpGroup": {
			reason: "Regexp returns the numbered capture group.",
			args:   args{ts: []v1beta1.Transform{regexpT(`^arn:aws:([a-z0-9-]+):`, new(1))}, input: "arn:aws:s3:::bucket"},
			want:   want{out: "s3"},
		},
		"StringRegexpBad": {
			reason: "An invalid regular expression is an error.",
			args:   args{ts: []v1beta1.Transform{regexpT(`(`, nil)}, input: "a"},
			want:   want{err: "transform 0 (string Regexp): invalid regexp \"(\": error parsing regexp: missing closing ): `(`"},
		},
		"StringRegexpNoMatch": {
			reason: "A regular expression that does not match is an error.",
			args:   args{ts: []v1beta1.Transform{regexpT(`[0-9]+`, nil)}, input: "abc"},
			want:   want{err: `transform 0 (string Regexp): regexp "[0-9]+" does not match string "abc"`},
		},
		"StringRegexpNoGroup": {
			reason: "A group the regular expression does not have is an error.",
			args:   args{ts: []v1beta1.Transform{regexpT(`([a-z]+)`, new(2))}, input: "abc"},
			want:   want{err: `transform 0 (string Regexp): regexp "([a-z]+)" has no group 2 (it has 1)`},
		},
		"StringRegexpNegativeGroup": {
			reason: "A negative group is an error, not a panic.",
			args:   args{ts: []v1beta1.Transform{regexpT(`a`, new(-1))}, input: "abc"},
			want:   want{err: "transform 0 (string Regexp): regexp group -1 is negative"},
		},

		// string Join
		"StringJoin": {
			reason: "Join joins an array's elements with the separator.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeJoin, Join: &v1beta1.StringTransformJoin{Separator: ","}})}, input: []any{"a", int64(1), true}},
			want:   want{out: "a,1,true"},
		},
		"StringJoinNotArray": {
			reason: "Join of something that is not an array is an error.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeJoin, Join: &v1beta1.StringTransformJoin{Separator: ","}})}, input: "a"},
			want:   want{err: `transform 0 (string Join): input must be an array, got string "a"`},
		},
		"StringUnknownType": {
			reason: "An unknown string transform type is an error.",
			args:   args{ts: []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: "Reverse"})}, input: "a"},
			want:   want{err: `transform 0 (string Reverse): unknown string transform type "Reverse" (want Format, Convert, TrimPrefix, TrimSuffix, Regexp or Join)`},
		},
		"StringMissingConfig": {
			reason: "A string transform without string is an error.",
			args:   args{ts: []v1beta1.Transform{{Type: v1beta1.TransformTypeString}}, input: "a"},
			want:   want{err: "transform 0 (string): a string transform requires string"},
		},

		// convert
		"ConvertStringToInt64": {reason: "A decimal string converts to int64.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeInt64, "")}, input: "-12"}, want: want{out: int64(-12)}},
		"ConvertStringToInt":   {reason: "int is int64.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeInt, v1beta1.ConvertTransformFormatNone)}, input: "12"}, want: want{out: int64(12)}},
		"ConvertStringToBool":  {reason: "A boolean string converts to bool.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeBool, "")}, input: "true"}, want: want{out: true}},
		"ConvertStringToFloat": {reason: "A number string converts to float64.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeFloat64, "")}, input: "1.5"}, want: want{out: 1.5}},
		"ConvertQuantity": {
			reason: "With format quantity a Kubernetes quantity converts to float64.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeFloat64, v1beta1.ConvertTransformFormatQuantity)}, input: "500m"},
			want:   want{out: 0.5},
		},
		"ConvertQuantityInvalid": {
			reason: "An invalid quantity is an error.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeFloat64, v1beta1.ConvertTransformFormatQuantity)}, input: "lots"},
			want:   want{err: `transform 0 (convert to float64): cannot parse string "lots" as a quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
		},
		"ConvertJSONObject": {
			reason: "With format json a string converts to an object.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeObject, v1beta1.ConvertTransformFormatJSON)}, input: `{"a":1}`},
			want:   want{out: map[string]any{"a": int64(1)}},
		},
		"ConvertJSONArray": {
			reason: "With format json a string converts to an array.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeArray, v1beta1.ConvertTransformFormatJSON)}, input: `["a",2.5]`},
			want:   want{out: []any{"a", 2.5}},
		},
		"ConvertJSONWrongShape": {
			reason: "JSON that is not an object does not convert to one.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeObject, v1beta1.ConvertTransformFormatJSON)}, input: `[1]`},
			want:   want{err: `transform 0 (convert to object): cannot decode string "[1]" as a JSON object: got array`},
		},
		"ConvertInt64ToString": {reason: "int64 converts to a decimal string.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeString, "")}, input: int64(7)}, want: want{out: "7"}},
		"ConvertInt64ToBool":   {reason: "int64 1 is true.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeBool, "")}, input: int64(1)}, want: want{out: true}},
		"ConvertInt64ToFloat":  {reason: "int64 converts to float64.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeFloat64, "")}, input: int64(2)}, want: want{out: float64(2)}},
		"ConvertFloatToString": {reason: "float64 converts to its shortest string.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeString, "")}, input: 2.50}, want: want{out: "2.5"}},
		"ConvertFloatToInt":    {reason: "float64 truncates to int64.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeInt64, "")}, input: 2.9}, want: want{out: int64(2)}},
		"ConvertFloatToBool":   {reason: "float64 1 is true.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeBool, "")}, input: 0.0}, want: want{out: false}},
		"ConvertBoolToString":  {reason: "bool converts to a string.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeString, "")}, input: false}, want: want{out: "false"}},
		"ConvertBoolToInt":     {reason: "true is 1.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeInt, "")}, input: true}, want: want{out: int64(1)}},
		"ConvertBoolToFloat":   {reason: "false is 0.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeFloat64, "")}, input: false}, want: want{out: float64(0)}},
		"ConvertSameType":      {reason: "Converting to the input's type is the identity.", args: args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeObject, "")}, input: map[string]any{"a": "b"}}, want: want{out: map[string]any{"a": "b"}}},
		"ConvertBadInt": {
			reason: "A string that is not an integer does not convert to one.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeInt64, "")}, input: "ten"},
			want:   want{err: `transform 0 (convert to int64): cannot convert string "ten" to int64: strconv.ParseInt: parsing "ten": invalid syntax`},
		},
		"ConvertUnsupportedPair": {
			reason: "A conversion Crossplane does not offer is an error.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeString, "")}, input: []any{"a"}},
			want:   want{err: "transform 0 (convert to string): cannot convert array to string with format none"},
		},
		"ConvertNull": {
			reason: "null does not convert.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeString, "")}, input: nil},
			want:   want{err: "transform 0 (convert to string): cannot convert null"},
		},
		"ConvertUnknownType": {
			reason: "An unknown toType is an error.",
			args:   args{ts: []v1beta1.Transform{convertT("uint8", "")}, input: "1"},
			want:   want{err: `transform 0 (convert to uint8): unknown toType "uint8" (want string, int, int64, bool, float64, object or array)`},
		},
		"ConvertUnknownFormat": {
			reason: "An unknown format is an error.",
			args:   args{ts: []v1beta1.Transform{convertT(v1beta1.TransformIOTypeFloat64, "yaml")}, input: "1"},
			want:   want{err: `transform 0 (convert to float64): unknown format "yaml" (want none, quantity or json)`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ResolveTransforms(tc.args.ts, tc.args.input)
			if diff := cmp.Diff(tc.want.err, errString(err)); diff != "" {
				t.Errorf("%s\nResolveTransforms(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.out, got); diff != "" {
				t.Errorf("%s\nResolveTransforms(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
