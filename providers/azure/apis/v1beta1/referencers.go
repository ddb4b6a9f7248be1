package v1beta1

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ResolveResourceGroupName returns the name of the ResourceGroup resource
// that ref names or sel selects, and the reference it used. It returns name
// and ref unchanged when there is nothing to resolve. Every Azure kind that
// lives in a resource group resolves its resourceGroupName with it.
func ResolveResourceGroupName(ctx context.Context, r *reference.APIResolver, name *string, ref *xpv2.Reference, sel *xpv2.Selector) (*string, *xpv2.Reference, error) {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(name),
		Reference:    ref,
		Selector:     sel,
		To:           reference.To{Managed: &ResourceGroup{}, List: &ResourceGroupList{}},
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return nil, nil, err
	}
	return reference.ToPtrValue(rsp.ResolvedValue), rsp.ResolvedReference, nil
}
