package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
)

// ResolveReferences sets subnetId from subnetIdRef or subnetIdSelector, and
// securityGroupIds from securityGroupIdRefs or securityGroupIdSelector, in
// both forProvider and initProvider.
func (mg *Instance) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	if err := resolveInstanceReferences(ctx, r, &mg.Spec.ForProvider); err != nil {
		return errors.Wrap(err, "spec.forProvider")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveInstanceReferences(ctx, r, ip), "spec.initProvider")
	}
	return nil
}

// resolveInstanceReferences resolves the references of one set of instance
// parameters to the external names (the AWS IDs) of the resources they
// name or select.
func resolveInstanceReferences(ctx context.Context, r *reference.APIResolver, p *InstanceParameters) error {
	subnet, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(p.SubnetID),
		Reference:    p.SubnetIDRef,
		Selector:     p.SubnetIDSelector,
		To:           reference.To{Managed: &Subnet{}, List: &SubnetList{}},
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return errors.Wrap(err, "subnetId")
	}
	p.SubnetID = reference.ToPtrValue(subnet.ResolvedValue)
	p.SubnetIDRef = subnet.ResolvedReference

	groups, err := r.ResolveMultiple(ctx, reference.MultiResolutionRequest{
		CurrentValues: p.SecurityGroupIDs,
		References:    p.SecurityGroupIDRefs,
		Selector:      p.SecurityGroupIDSelector,
		To:            reference.To{Managed: &SecurityGroup{}, List: &SecurityGroupList{}},
		Extract:       reference.ExternalName(),
	})
	if err != nil {
		return errors.Wrap(err, "securityGroupIds")
	}
	p.SecurityGroupIDs = groups.ResolvedValues
	p.SecurityGroupIDRefs = groups.ResolvedReferences
	return nil
}
