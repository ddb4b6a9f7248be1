package clients

import (
	"reflect"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// FillNil sets each nil pointer, slice or map field of the struct dst
// points to from the same field of src, unless the field is set in skip,
// and does the same within fields that point to structs in both dst and
// src: unlike the provider runtime's FillNil it reaches nested parameters
// such as a Cloud SQL instance's settings. It reports whether it set any
// field. dst, src and skip point to structs of one type; src and skip may
// be nil.
func FillNil[T any](dst, src, skip *T) bool {
	if dst == nil || src == nil {
		return false
	}
	var k reflect.Value
	if skip != nil {
		k = reflect.ValueOf(skip).Elem()
	}
	return fillNil(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem(), k)
}

func fillNil(d, s, k reflect.Value) bool {
	if d.Kind() != reflect.Struct {
		return false
	}
	changed := false
	for i := range d.NumField() {
		f, sf := d.Field(i), s.Field(i)
		if !f.CanSet() || !nillable(f.Kind()) || sf.IsNil() {
			continue
		}
		var kf reflect.Value
		if k.IsValid() {
			kf = k.Field(i)
		}
		if !f.IsNil() {
			// Both set: fill in within a nested struct.
			if f.Kind() == reflect.Pointer && f.Elem().Kind() == reflect.Struct {
				var ke reflect.Value
				if kf.IsValid() && !kf.IsNil() {
					ke = kf.Elem()
				}
				changed = fillNil(f.Elem(), sf.Elem(), ke) || changed
			}
			continue
		}
		if kf.IsValid() && !kf.IsNil() {
			continue
		}
		f.Set(sf)
		changed = true
	}
	return changed
}

func nillable(k reflect.Kind) bool {
	switch k { //nolint:exhaustive // Only these kinds can be nil.
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	default:
		return false
	}
}

// LateInitialize fills the nil fields of dst (mg's spec.forProvider), also
// within nested structs, from src (what the cloud reports), skipping those
// skip (spec.initProvider) sets, and reports whether it filled any. As the
// provider runtime's LateInitialize, it does nothing unless mg's
// management policies allow late initialization.
func LateInitialize[T any](mg resource.Managed, dst, src, skip *T) bool {
	p := mg.GetManagementPolicies()
	if len(p) > 0 && !slices.Contains(p, xpv2.ManagementActionAll) && !slices.Contains(p, xpv2.ManagementActionLateInitialize) {
		return false
	}
	return FillNil(dst, src, skip)
}
