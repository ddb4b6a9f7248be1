package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// ResolveReferences sets resourceGroupName from resourceGroupNameRef or
// resourceGroupNameSelector.
func (mg *VirtualNetwork) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	name, ref, err := azurev1beta1.ResolveResourceGroupName(ctx, r, fp.ResourceGroupName, fp.ResourceGroupNameRef, fp.ResourceGroupNameSelector)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.resourceGroupName")
	}
	fp.ResourceGroupName, fp.ResourceGroupNameRef = name, ref
	return nil
}

// ResolveReferences sets virtualNetworkName from virtualNetworkNameRef or
// virtualNetworkNameSelector, and resourceGroupName from
// resourceGroupNameRef, resourceGroupNameSelector or, when none of the three
// is set, from the referenced network.
func (mg *Subnet) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	to := reference.To{Managed: &VirtualNetwork{}, List: &VirtualNetworkList{}}
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(fp.VirtualNetworkName),
		Reference:    fp.VirtualNetworkNameRef,
		Selector:     fp.VirtualNetworkNameSelector,
		To:           to,
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.virtualNetworkName")
	}
	fp.VirtualNetworkName, fp.VirtualNetworkNameRef = reference.ToPtrValue(rsp.ResolvedValue), rsp.ResolvedReference

	if fp.ResourceGroupName == nil && fp.ResourceGroupNameRef == nil && fp.ResourceGroupNameSelector == nil && fp.VirtualNetworkNameRef != nil {
		// The resource group of the network the subnet belongs to.
		rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
			Reference: fp.VirtualNetworkNameRef,
			To:        to,
			Extract:   networkResourceGroup,
		})
		if err != nil {
			return errors.Wrap(err, "spec.forProvider.resourceGroupName (from the virtual network)")
		}
		fp.ResourceGroupName = reference.ToPtrValue(rsp.ResolvedValue)
		return nil
	}
	name, ref, err := azurev1beta1.ResolveResourceGroupName(ctx, r, fp.ResourceGroupName, fp.ResourceGroupNameRef, fp.ResourceGroupNameSelector)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.resourceGroupName")
	}
	fp.ResourceGroupName, fp.ResourceGroupNameRef = name, ref
	return nil
}

// networkResourceGroup extracts the resource group of a VirtualNetwork.
func networkResourceGroup(mg resource.Managed) string {
	v, ok := mg.(*VirtualNetwork)
	if !ok {
		return ""
	}
	return reference.FromPtrValue(v.Spec.ForProvider.ResourceGroupName)
}

// SubnetID extracts the Azure Resource Manager ID of a Subnet, which Azure
// reports once the subnet exists.
func SubnetID() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		s, ok := mg.(*Subnet)
		if !ok {
			return ""
		}
		return s.Status.AtProvider.ID
	}
}

// NetworkInterfaceID extracts the Azure Resource Manager ID of a
// NetworkInterface, which Azure reports once the interface exists.
func NetworkInterfaceID() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		n, ok := mg.(*NetworkInterface)
		if !ok {
			return ""
		}
		return n.Status.AtProvider.ID
	}
}

// ResolveReferences sets resourceGroupName from resourceGroupNameRef or
// resourceGroupNameSelector, and subnetId from subnetIdRef or
// subnetIdSelector (in forProvider and initProvider).
func (mg *NetworkInterface) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	name, ref, err := azurev1beta1.ResolveResourceGroupName(ctx, r, fp.ResourceGroupName, fp.ResourceGroupNameRef, fp.ResourceGroupNameSelector)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.resourceGroupName")
	}
	fp.ResourceGroupName, fp.ResourceGroupNameRef = name, ref
	if err := resolveSubnetID(ctx, r, fp); err != nil {
		return errors.Wrap(err, "spec.forProvider.subnetId")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveSubnetID(ctx, r, ip), "spec.initProvider.subnetId")
	}
	return nil
}

func resolveSubnetID(ctx context.Context, r *reference.APIResolver, p *NetworkInterfaceParameters) error {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(p.SubnetID),
		Reference:    p.SubnetIDRef,
		Selector:     p.SubnetIDSelector,
		To:           reference.To{Managed: &Subnet{}, List: &SubnetList{}},
		Extract:      SubnetID(),
	})
	if err != nil {
		return err
	}
	p.SubnetID, p.SubnetIDRef = reference.ToPtrValue(rsp.ResolvedValue), rsp.ResolvedReference
	return nil
}
