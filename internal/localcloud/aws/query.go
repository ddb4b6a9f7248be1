package aws

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// params are the parameters of one Query protocol request (Action=...&
// Version=...&Foo.member.1=...), or of one structure nested in it, keyed by
// their names relative to it.
type params map[string]string

// parseParams reads a form-encoded body. A parameter given twice keeps its
// first value, as the SDKs never send one twice.
func parseParams(body string) (params, error) {
	v, err := url.ParseQuery(body)
	if err != nil {
		return nil, err
	}
	p := params{}
	for k, vs := range v {
		if len(vs) > 0 {
			p[k] = vs[0]
		}
	}
	return p, nil
}

// has reports whether parameter k was sent.
func (p params) has(k string) bool {
	_, ok := p[k]
	return ok
}

// str returns parameter k, or "" when it was not sent.
func (p params) str(k string) string { return p[k] }

// optStr returns parameter k, or nil when it was not sent.
func (p params) optStr(k string) *string {
	v, ok := p[k]
	if !ok {
		return nil
	}
	return &v
}

// A paramError says that a parameter's value cannot be read as its type.
type paramError struct {
	name  string
	value string
	want  string
}

func (e *paramError) Error() string {
	return "Value (" + e.value + ") for parameter " + e.name + " is invalid. Expected " + e.want + "."
}

// optBool returns parameter k as a boolean, nil when it was not sent.
func (p params) optBool(k string) (*bool, error) {
	v, ok := p[k]
	if !ok {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, &paramError{name: k, value: v, want: "a boolean (true or false)"}
	}
	return &b, nil
}

// optInt returns parameter k as a 32-bit integer, nil when it was not sent.
func (p params) optInt(k string) (*int32, error) {
	v, ok := p[k]
	if !ok {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return nil, &paramError{name: k, value: v, want: "an integer"}
	}
	i := int32(n)
	return &i, nil
}

// indexed returns the entries under prefix that are numbered list members,
// by index: "prefix.N.rest" (EC2's flat lists, member "") or
// "prefix.member.N.rest" (the Query protocol's wrapped lists), mapped to
// "rest" ("" for a scalar member).
func (p params) indexed(prefix, member string) map[int]params {
	head := prefix + "."
	if member != "" {
		head += member + "."
	}
	out := map[int]params{}
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, head)
		if !ok {
			continue
		}
		num, sub, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		if out[n] == nil {
			out[n] = params{}
		}
		out[n][sub] = v
	}
	return out
}

// strings returns the string list under prefix, in index order; nil when
// the request has none.
func (p params) strings(prefix, member string) []string {
	m := p.indexed(prefix, member)
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for _, n := range sortedKeys(m) {
		if v, ok := m[n][""]; ok {
			out = append(out, v)
		}
	}
	return out
}

// structs returns the structure list under prefix, in index order.
func (p params) structs(prefix, member string) []params {
	m := p.indexed(prefix, member)
	out := make([]params, 0, len(m))
	for _, n := range sortedKeys(m) {
		out = append(out, m[n])
	}
	return out
}

// sub returns the parameters of the structure under prefix ("prefix.x" as
// "x").
func (p params) sub(prefix string) params {
	out := params{}
	for k, v := range p {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			out[rest] = v
		}
	}
	return out
}

func sortedKeys(m map[int]params) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
