package clients

import (
	"slices"
	"strings"
)

// SameLocation reports whether two Azure locations are the same: Azure
// takes "West Europe" for westeurope, and answers with the latter.
func SameLocation(a, b string) bool {
	return NormalizeLocation(a) == NormalizeLocation(b)
}

// NormalizeLocation returns the form Azure reports a location in: lower
// case, without spaces.
func NormalizeLocation(l string) string {
	return strings.ToLower(strings.ReplaceAll(l, " ", ""))
}

// Deref returns what p points to, or T's zero value when p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Strings returns the strings ps points to, skipping nil pointers.
func Strings(ps []*string) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// Ptrs returns pointers to the strings of s.
func Ptrs(s []string) []*string {
	if s == nil {
		return nil
	}
	out := make([]*string, 0, len(s))
	for _, v := range s {
		out = append(out, new(v))
	}
	return out
}

// SameSet reports whether a and b hold the same strings, in any order and
// whatever their case: Azure compares IDs and names case-insensitively.
func SameSet(a, b []string) bool {
	norm := func(s []string) []string {
		out := make([]string, 0, len(s))
		for _, v := range s {
			out = append(out, strings.ToLower(v))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}
