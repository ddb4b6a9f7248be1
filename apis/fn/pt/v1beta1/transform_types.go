package v1beta1

import (
	"encoding/json"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// A TransformType is a kind of transform.
type TransformType string

// Transform types.
const (
	// TransformTypeMap looks the input up in a map.
	TransformTypeMap TransformType = "map"
	// TransformTypeMatch returns the result of the first pattern the input
	// matches.
	TransformTypeMatch TransformType = "match"
	// TransformTypeMath does arithmetic on a number.
	TransformTypeMath TransformType = "math"
	// TransformTypeString produces a string.
	TransformTypeString TransformType = "string"
	// TransformTypeConvert converts the input to another type.
	TransformTypeConvert TransformType = "convert"
)

// A Transform changes a patch's value on its way to the destination. Only the
// field named by type is read.
type Transform struct {
	// Type of the transform.
	// +kubebuilder:validation:Enum=map;match;math;string;convert
	Type TransformType `json:"type"`

	// Math configures a math transform.
	// +optional
	Math *MathTransform `json:"math,omitempty"`

	// Map configures a map transform.
	// +optional
	Map *MapTransform `json:"map,omitempty"`

	// Match configures a match transform.
	// +optional
	Match *MatchTransform `json:"match,omitempty"`

	// String configures a string transform.
	// +optional
	String *StringTransform `json:"string,omitempty"`

	// Convert configures a convert transform.
	// +optional
	Convert *ConvertTransform `json:"convert,omitempty"`
}

// A MathTransformType is a kind of math transform.
type MathTransformType string

// Math transform types.
const (
	// MathTransformTypeMultiply multiplies the input.
	MathTransformTypeMultiply MathTransformType = "Multiply"
	// MathTransformTypeClampMin raises the input to a minimum.
	MathTransformTypeClampMin MathTransformType = "ClampMin"
	// MathTransformTypeClampMax lowers the input to a maximum.
	MathTransformTypeClampMax MathTransformType = "ClampMax"
)

// A MathTransform does arithmetic on a numeric input.
type MathTransform struct {
	// Type of the math transform. Multiply is the default.
	// +kubebuilder:validation:Enum=Multiply;ClampMin;ClampMax
	// +kubebuilder:default=Multiply
	// +optional
	Type MathTransformType `json:"type,omitempty"`

	// Multiply is the factor of a Multiply transform.
	// +optional
	Multiply *int64 `json:"multiply,omitempty"`

	// ClampMin is the minimum of a ClampMin transform.
	// +optional
	ClampMin *int64 `json:"clampMin,omitempty"`

	// ClampMax is the maximum of a ClampMax transform.
	// +optional
	ClampMax *int64 `json:"clampMax,omitempty"`
}

// GetType returns the math transform's type, Multiply unless set.
func (m *MathTransform) GetType() MathTransformType {
	if m.Type == "" {
		return MathTransformTypeMultiply
	}
	return m.Type
}

// A MapTransform maps a string input to the value of the same key. It is
// written as a plain object: map: {us: us-east-1, eu: eu-west-1}.
type MapTransform struct {
	// Pairs maps inputs to outputs. Outputs are arbitrary JSON.
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Pairs map[string]extv1.JSON `json:",inline"`
}

// MarshalJSON writes the map transform as its pairs.
func (m MapTransform) MarshalJSON() ([]byte, error) {
	return json.Marshal(m.Pairs)
}

// UnmarshalJSON reads the map transform from its pairs.
func (m *MapTransform) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &m.Pairs)
}

// A MatchFallbackTo is what a match transform returns when no pattern
// matches.
type MatchFallbackTo string

// Match fallbacks.
const (
	// MatchFallbackToValue returns fallbackValue.
	MatchFallbackToValue MatchFallbackTo = "Value"
	// MatchFallbackToInput returns the input unchanged.
	MatchFallbackToInput MatchFallbackTo = "Input"
)

// A MatchTransform returns the result of the first pattern its input matches.
type MatchTransform struct {
	// Patterns tried in order.
	// +optional
	Patterns []MatchTransformPattern `json:"patterns,omitempty"`

	// FallbackValue is returned when no pattern matches and fallbackTo is
	// Value. Without it the result is null.
	// +optional
	FallbackValue extv1.JSON `json:"fallbackValue,omitempty"`

	// FallbackTo is what to return when no pattern matches: Value (the
	// default) returns fallbackValue, Input returns the input.
	// +kubebuilder:validation:Enum=Value;Input
	// +kubebuilder:default=Value
	// +optional
	FallbackTo MatchFallbackTo `json:"fallbackTo,omitempty"`
}

// GetFallbackTo returns the match transform's fallback, Value unless set.
func (m *MatchTransform) GetFallbackTo() MatchFallbackTo {
	if m.FallbackTo == "" {
		return MatchFallbackToValue
	}
	return m.FallbackTo
}

// A MatchTransformPatternType is a kind of match pattern.
type MatchTransformPatternType string

// Match pattern types.
const (
	// MatchTransformPatternTypeLiteral matches a string exactly.
	MatchTransformPatternTypeLiteral MatchTransformPatternType = "literal"
	// MatchTransformPatternTypeRegexp matches a string with a regular
	// expression.
	MatchTransformPatternTypeRegexp MatchTransformPatternType = "regexp"
)

// A MatchTransformPattern is one pattern of a match transform and its result.
type MatchTransformPattern struct {
	// Type of the pattern. literal is the default.
	// +kubebuilder:validation:Enum=literal;regexp
	// +kubebuilder:default=literal
	Type MatchTransformPatternType `json:"type"`

	// Literal is the string a literal pattern matches exactly.
	// +optional
	Literal *string `json:"literal,omitempty"`

	// Regexp is the regular expression (Go syntax) a regexp pattern matches.
	// +optional
	Regexp *string `json:"regexp,omitempty"`

	// Result returned when the pattern matches. Arbitrary JSON.
	Result extv1.JSON `json:"result"`
}

// GetType returns the pattern's type, literal unless set.
func (p *MatchTransformPattern) GetType() MatchTransformPatternType {
	if p.Type == "" {
		return MatchTransformPatternTypeLiteral
	}
	return p.Type
}

// A StringTransformType is a kind of string transform.
type StringTransformType string

// String transform types.
const (
	// StringTransformTypeFormat formats the input with a Go format string.
	StringTransformTypeFormat StringTransformType = "Format"
	// StringTransformTypeConvert converts the input's text.
	StringTransformTypeConvert StringTransformType = "Convert"
	// StringTransformTypeTrimPrefix removes a leading string.
	StringTransformTypeTrimPrefix StringTransformType = "TrimPrefix"
	// StringTransformTypeTrimSuffix removes a trailing string.
	StringTransformTypeTrimSuffix StringTransformType = "TrimSuffix"
	// StringTransformTypeRegexp extracts a regular expression match.
	StringTransformTypeRegexp StringTransformType = "Regexp"
	// StringTransformTypeJoin joins an array with a separator.
	StringTransformTypeJoin StringTransformType = "Join"
)

// A StringConversionType is a kind of string conversion.
type StringConversionType string

// String conversion types.
const (
	// StringConversionTypeToUpper upper-cases the text.
	StringConversionTypeToUpper StringConversionType = "ToUpper"
	// StringConversionTypeToLower lower-cases the text.
	StringConversionTypeToLower StringConversionType = "ToLower"
	// StringConversionTypeToBase64 encodes the text as standard base64.
	StringConversionTypeToBase64 StringConversionType = "ToBase64"
	// StringConversionTypeFromBase64 decodes standard base64.
	StringConversionTypeFromBase64 StringConversionType = "FromBase64"
	// StringConversionTypeToJSON encodes the input as JSON.
	StringConversionTypeToJSON StringConversionType = "ToJson"
	// StringConversionTypeToSHA1 hashes the input with SHA-1, in hex.
	StringConversionTypeToSHA1 StringConversionType = "ToSha1"
	// StringConversionTypeToSHA256 hashes the input with SHA-256, in hex.
	StringConversionTypeToSHA256 StringConversionType = "ToSha256"
	// StringConversionTypeToSHA512 hashes the input with SHA-512, in hex.
	StringConversionTypeToSHA512 StringConversionType = "ToSha512"
	// StringConversionTypeToAdler32 checksums the input with Adler-32, in
	// decimal.
	StringConversionTypeToAdler32 StringConversionType = "ToAdler32"
)

// A StringTransform produces a string from its input.
type StringTransform struct {
	// Type of the string transform. Format is the default.
	// +kubebuilder:validation:Enum=Format;Convert;TrimPrefix;TrimSuffix;Regexp;Join
	// +kubebuilder:default=Format
	// +optional
	Type StringTransformType `json:"type,omitempty"`

	// Format is the Go format string of a Format transform, such as
	// "db-%s".
	// +optional
	Format *string `json:"fmt,omitempty"`

	// Convert is the conversion of a Convert transform.
	// +kubebuilder:validation:Enum=ToUpper;ToLower;ToBase64;FromBase64;ToJson;ToSha1;ToSha256;ToSha512;ToAdler32
	// +optional
	Convert *StringConversionType `json:"convert,omitempty"`

	// Trim is the string a TrimPrefix or TrimSuffix transform removes.
	// +optional
	Trim *string `json:"trim,omitempty"`

	// Regexp configures a Regexp transform.
	// +optional
	Regexp *StringTransformRegexp `json:"regexp,omitempty"`

	// Join configures a Join transform.
	// +optional
	Join *StringTransformJoin `json:"join,omitempty"`
}

// GetType returns the string transform's type, Format unless set.
func (s *StringTransform) GetType() StringTransformType {
	if s.Type == "" {
		return StringTransformTypeFormat
	}
	return s.Type
}

// A StringTransformRegexp extracts a match of a regular expression.
type StringTransformRegexp struct {
	// Match is the regular expression (Go syntax), which may have capture
	// groups.
	Match string `json:"match"`

	// Group is the capture group to return; 0, the default, is the whole
	// match.
	// +optional
	Group *int `json:"group,omitempty"`
}

// A StringTransformJoin joins the elements of an array input.
type StringTransformJoin struct {
	// Separator placed between the elements.
	Separator string `json:"separator"`
}

// A TransformIOType is a type a convert transform converts to.
type TransformIOType string

// Convert transform types.
const (
	// TransformIOTypeString is a string.
	TransformIOTypeString TransformIOType = "string"
	// TransformIOTypeBool is a boolean.
	TransformIOTypeBool TransformIOType = "bool"
	// TransformIOTypeInt is an integer; the same as int64.
	TransformIOTypeInt TransformIOType = "int"
	// TransformIOTypeInt64 is a 64-bit integer.
	TransformIOTypeInt64 TransformIOType = "int64"
	// TransformIOTypeFloat64 is a 64-bit floating point number.
	TransformIOTypeFloat64 TransformIOType = "float64"
	// TransformIOTypeObject is a JSON object.
	TransformIOTypeObject TransformIOType = "object"
	// TransformIOTypeArray is a JSON array.
	TransformIOTypeArray TransformIOType = "array"
)

// A ConvertTransformFormat is how a convert transform reads its input.
type ConvertTransformFormat string

// Convert transform formats.
const (
	// ConvertTransformFormatNone reads the input plainly.
	ConvertTransformFormatNone ConvertTransformFormat = "none"
	// ConvertTransformFormatQuantity reads a string as a Kubernetes quantity
	// such as "500Mi"; for string to float64 conversions.
	ConvertTransformFormatQuantity ConvertTransformFormat = "quantity"
	// ConvertTransformFormatJSON reads a string as JSON; for string to object
	// or array conversions.
	ConvertTransformFormatJSON ConvertTransformFormat = "json"
)

// A ConvertTransform converts its input to another type.
type ConvertTransform struct {
	// ToType is the type to convert to.
	// +kubebuilder:validation:Enum=string;int;int64;bool;float64;object;array
	ToType TransformIOType `json:"toType"`

	// Format is how to read the input: none (the default), quantity or json.
	// +kubebuilder:validation:Enum=none;quantity;json
	// +optional
	Format *ConvertTransformFormat `json:"format,omitempty"`
}

// GetFormat returns the convert transform's format, none unless set.
func (c *ConvertTransform) GetFormat() ConvertTransformFormat {
	if c.Format == nil || *c.Format == "" {
		return ConvertTransformFormatNone
	}
	return *c.Format
}
