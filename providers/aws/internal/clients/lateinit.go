package clients

import (
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
)

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
	return provider.FillNil(dst, src, skip)
}
