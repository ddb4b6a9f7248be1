package provider

import (
	"reflect"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// FillNil sets each nil pointer, slice or map field of the struct dst points
// to from the same field of src, unless that field is set in skip. It
// reports whether it set any field. dst, src and skip must point to structs
// of one type; skip may be nil.
//
// Providers use it twice: to late-initialize spec.forProvider from what the
// cloud chose (skipping fields spec.initProvider sets, which stay
// unmanaged), and to fill a create request's parameters from initProvider.
func FillNil[T any](dst, src, skip *T) bool {
	if dst == nil || src == nil {
		return false
	}
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	var k reflect.Value
	if skip != nil {
		k = reflect.ValueOf(skip).Elem()
	}
	if d.Kind() != reflect.Struct {
		return false
	}
	changed := false
	for i := range d.NumField() {
		f := d.Field(i)
		if !f.CanSet() || !nillable(f.Kind()) || !f.IsNil() || s.Field(i).IsNil() {
			continue
		}
		if k.IsValid() && !k.Field(i).IsNil() {
			continue
		}
		f.Set(s.Field(i))
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

// LateInitialize fills the nil fields of dst (mg's spec.forProvider) from
// src (what the cloud reports), skipping those skip (spec.initProvider)
// sets, and reports whether it filled any. It does nothing unless mg's
// management policies allow LateInitialize: the managed reconciler writes
// the whole resource when it adds its finalizer, which would otherwise
// persist a late-initialized spec even for an observe-only import.
func LateInitialize[T any](mg resource.Managed, dst, src, skip *T) bool {
	p := mg.GetManagementPolicies()
	if len(p) > 0 && !slices.Contains(p, xpv2.ManagementActionAll) && !slices.Contains(p, xpv2.ManagementActionLateInitialize) {
		return false
	}
	return FillNil(dst, src, skip)
}
