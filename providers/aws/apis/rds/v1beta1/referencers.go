package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
)

// ResolveReferences sets dbSubnetGroupName from dbSubnetGroupNameRef or
// dbSubnetGroupNameSelector, and vpcSecurityGroupIds from
// vpcSecurityGroupIdRefs or vpcSecurityGroupIdSelector.
func (mg *DBInstance) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	if err := resolveDBInstance(ctx, r, &mg.Spec.ForProvider); err != nil {
		return errors.Wrap(err, "spec.forProvider")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveDBInstance(ctx, r, ip), "spec.initProvider")
	}
	return nil
}

func resolveDBInstance(ctx context.Context, r *reference.APIResolver, p *DBInstanceParameters) error {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(p.DBSubnetGroupName),
		Reference:    p.DBSubnetGroupNameRef,
		Selector:     p.DBSubnetGroupNameSelector,
		To:           reference.To{Managed: &DBSubnetGroup{}, List: &DBSubnetGroupList{}},
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return errors.Wrap(err, "dbSubnetGroupName")
	}
	p.DBSubnetGroupName = reference.ToPtrValue(rsp.ResolvedValue)
	p.DBSubnetGroupNameRef = rsp.ResolvedReference

	ids, refs, err := resolveIDs(ctx, r, p.VPCSecurityGroupIDs, p.VPCSecurityGroupIDRefs, p.VPCSecurityGroupIDSelector,
		reference.To{Managed: &ec2v1beta1.SecurityGroup{}, List: &ec2v1beta1.SecurityGroupList{}})
	if err != nil {
		return errors.Wrap(err, "vpcSecurityGroupIds")
	}
	p.VPCSecurityGroupIDs, p.VPCSecurityGroupIDRefs = ids, refs
	return nil
}

// ResolveReferences sets subnetIds from subnetIdRefs or subnetIdSelector.
func (mg *DBSubnetGroup) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	to := reference.To{Managed: &ec2v1beta1.Subnet{}, List: &ec2v1beta1.SubnetList{}}
	fp := &mg.Spec.ForProvider
	ids, refs, err := resolveIDs(ctx, r, fp.SubnetIDs, fp.SubnetIDRefs, fp.SubnetIDSelector, to)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.subnetIds")
	}
	fp.SubnetIDs, fp.SubnetIDRefs = ids, refs
	if ip := mg.Spec.InitProvider; ip != nil {
		ids, refs, err := resolveIDs(ctx, r, ip.SubnetIDs, ip.SubnetIDRefs, ip.SubnetIDSelector, to)
		if err != nil {
			return errors.Wrap(err, "spec.initProvider.subnetIds")
		}
		ip.SubnetIDs, ip.SubnetIDRefs = ids, refs
	}
	return nil
}

// resolveIDs returns the external names (the AWS IDs) of the resources of
// kind to that refs name or sel selects, and the references it used. It
// returns ids and refs unchanged when there is nothing to resolve.
func resolveIDs(ctx context.Context, r *reference.APIResolver, ids []string, refs []xpv2.Reference, sel *xpv2.Selector, to reference.To) ([]string, []xpv2.Reference, error) {
	rsp, err := r.ResolveMultiple(ctx, reference.MultiResolutionRequest{
		CurrentValues: ids,
		References:    refs,
		Selector:      sel,
		To:            to,
		Extract:       reference.ExternalName(),
	})
	if err != nil {
		return nil, nil, err
	}
	return rsp.ResolvedValues, rsp.ResolvedReferences, nil
}
