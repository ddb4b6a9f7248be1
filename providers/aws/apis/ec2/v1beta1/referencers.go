package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ResolveReferences sets vpcId from vpcIdRef or vpcIdSelector.
func (mg *Subnet) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	if err := resolveVPCID(ctx, r, &mg.Spec.ForProvider.VPCID, &mg.Spec.ForProvider.VPCIDRef, &mg.Spec.ForProvider.VPCIDSelector); err != nil {
		return errors.Wrap(err, "spec.forProvider.vpcId")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveVPCID(ctx, r, &ip.VPCID, &ip.VPCIDRef, &ip.VPCIDSelector), "spec.initProvider.vpcId")
	}
	return nil
}

// ResolveReferences sets vpcId from vpcIdRef or vpcIdSelector.
func (mg *SecurityGroup) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	if err := resolveVPCID(ctx, r, &mg.Spec.ForProvider.VPCID, &mg.Spec.ForProvider.VPCIDRef, &mg.Spec.ForProvider.VPCIDSelector); err != nil {
		return errors.Wrap(err, "spec.forProvider.vpcId")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveVPCID(ctx, r, &ip.VPCID, &ip.VPCIDRef, &ip.VPCIDSelector), "spec.initProvider.vpcId")
	}
	return nil
}

// resolveVPCID sets id to the external name (the VPC ID) of the VPC that
// ref names or sel selects, and records the reference it used.
func resolveVPCID(ctx context.Context, r *reference.APIResolver, id **string, ref **xpv2.Reference, sel **xpv2.Selector) error {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(*id),
		Reference:    *ref,
		Selector:     *sel,
		To:           reference.To{Managed: &VPC{}, List: &VPCList{}},
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return err
	}
	*id = reference.ToPtrValue(rsp.ResolvedValue)
	*ref = rsp.ResolvedReference
	return nil
}
