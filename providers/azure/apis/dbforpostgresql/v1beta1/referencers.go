package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// ResolveReferences sets resourceGroupName from resourceGroupNameRef or
// resourceGroupNameSelector.
func (mg *FlexibleServer) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	name, ref, err := azurev1beta1.ResolveResourceGroupName(ctx, r, fp.ResourceGroupName, fp.ResourceGroupNameRef, fp.ResourceGroupNameSelector)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.resourceGroupName")
	}
	fp.ResourceGroupName, fp.ResourceGroupNameRef = name, ref
	return nil
}

// ResolveReferences sets serverName from serverNameRef or
// serverNameSelector, and resourceGroupName from resourceGroupNameRef,
// resourceGroupNameSelector or, when none of the three is set, from the
// referenced server.
func (mg *FlexibleServerDatabase) ResolveReferences(ctx context.Context, c client.Reader) error {
	fp := &mg.Spec.ForProvider
	return resolveServerChild(ctx, reference.NewAPIResolver(c, mg), serverChild{
		resourceGroupName: &fp.ResourceGroupName, resourceGroupNameRef: &fp.ResourceGroupNameRef, resourceGroupNameSelector: fp.ResourceGroupNameSelector,
		serverName: &fp.ServerName, serverNameRef: &fp.ServerNameRef, serverNameSelector: fp.ServerNameSelector,
	})
}

// ResolveReferences sets serverName from serverNameRef or
// serverNameSelector, and resourceGroupName from resourceGroupNameRef,
// resourceGroupNameSelector or, when none of the three is set, from the
// referenced server.
func (mg *FlexibleServerFirewallRule) ResolveReferences(ctx context.Context, c client.Reader) error {
	fp := &mg.Spec.ForProvider
	return resolveServerChild(ctx, reference.NewAPIResolver(c, mg), serverChild{
		resourceGroupName: &fp.ResourceGroupName, resourceGroupNameRef: &fp.ResourceGroupNameRef, resourceGroupNameSelector: fp.ResourceGroupNameSelector,
		serverName: &fp.ServerName, serverNameRef: &fp.ServerNameRef, serverNameSelector: fp.ServerNameSelector,
	})
}

// A serverChild points at the fields that place a resource of a flexible
// server: its resource group and its server.
type serverChild struct {
	resourceGroupName         **string
	resourceGroupNameRef      **xpv2.Reference
	resourceGroupNameSelector *xpv2.Selector
	serverName                **string
	serverNameRef             **xpv2.Reference
	serverNameSelector        *xpv2.Selector
}

func resolveServerChild(ctx context.Context, r *reference.APIResolver, p serverChild) error {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(*p.serverName),
		Reference:    *p.serverNameRef,
		Selector:     p.serverNameSelector,
		To:           reference.To{Managed: &FlexibleServer{}, List: &FlexibleServerList{}},
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.serverName")
	}
	*p.serverName, *p.serverNameRef = reference.ToPtrValue(rsp.ResolvedValue), rsp.ResolvedReference

	if *p.resourceGroupName == nil && *p.resourceGroupNameRef == nil && p.resourceGroupNameSelector == nil && *p.serverNameRef != nil {
		// The resource group of the server the resource belongs to.
		rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
			Reference: *p.serverNameRef,
			To:        reference.To{Managed: &FlexibleServer{}, List: &FlexibleServerList{}},
			Extract:   serverResourceGroup,
		})
		if err != nil {
			return errors.Wrap(err, "spec.forProvider.resourceGroupName (from the server)")
		}
		*p.resourceGroupName = reference.ToPtrValue(rsp.ResolvedValue)
		return nil
	}
	name, ref, err := azurev1beta1.ResolveResourceGroupName(ctx, r, *p.resourceGroupName, *p.resourceGroupNameRef, p.resourceGroupNameSelector)
	if err != nil {
		return errors.Wrap(err, "spec.forProvider.resourceGroupName")
	}
	*p.resourceGroupName, *p.resourceGroupNameRef = name, ref
	return nil
}

// serverResourceGroup extracts the resource group of a FlexibleServer.
func serverResourceGroup(mg resource.Managed) string {
	s, ok := mg.(*FlexibleServer)
	if !ok {
		return ""
	}
	return reference.FromPtrValue(s.Spec.ForProvider.ResourceGroupName)
}
