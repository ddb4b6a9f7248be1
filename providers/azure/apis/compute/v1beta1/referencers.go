package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"

	networkv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/network/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// ResolveReferences sets resourceGroupName from resourceGroupNameRef or
// resourceGroupNameSelector, and networkInterfaceIds from
// networkInterfaceIdRefs or networkInterfaceIdSelector (in forProvider and
// initProvider).
func (mg *LinuxVirtualMachine) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	name, ref, err := azurev1beta1.ResolveResourceGroupName(ctx, r, fp.ResourceGroupName, fp.ResourceGroupNameRef, fp.ResourceGroupNameSelector)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.resourceGroupName")
	}
	fp.ResourceGroupName, fp.ResourceGroupNameRef = name, ref
	if err := resolveNICs(ctx, r, fp); err != nil {
		return errors.Wrap(err, "spec.forProvider.networkInterfaceIds")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveNICs(ctx, r, ip), "spec.initProvider.networkInterfaceIds")
	}
	return nil
}

func resolveNICs(ctx context.Context, r *reference.APIResolver, p *LinuxVirtualMachineParameters) error {
	rsp, err := r.ResolveMultiple(ctx, reference.MultiResolutionRequest{
		CurrentValues: p.NetworkInterfaceIDs,
		References:    p.NetworkInterfaceIDRefs,
		Selector:      p.NetworkInterfaceIDSelector,
		To:            reference.To{Managed: &networkv1beta1.NetworkInterface{}, List: &networkv1beta1.NetworkInterfaceList{}},
		Extract:       networkv1beta1.NetworkInterfaceID(),
	})
	if err != nil {
		return err
	}
	p.NetworkInterfaceIDs, p.NetworkInterfaceIDRefs = rsp.ResolvedValues, rsp.ResolvedReferences
	return nil
}
