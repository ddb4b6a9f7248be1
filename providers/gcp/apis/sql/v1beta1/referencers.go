package v1beta1

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	computev1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
)

// ResolveReferences sets settings.ipConfiguration.privateNetwork from
// privateNetworkRef or privateNetworkSelector, in forProvider and
// initProvider.
func (mg *DatabaseInstance) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	if err := resolvePrivateNetwork(ctx, r, &mg.Spec.ForProvider); err != nil {
		return errors.Wrap(err, "spec.forProvider.settings.ipConfiguration.privateNetwork")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolvePrivateNetwork(ctx, r, ip), "spec.initProvider.settings.ipConfiguration.privateNetwork")
	}
	return nil
}

func resolvePrivateNetwork(ctx context.Context, r *reference.APIResolver, p *DatabaseInstanceParameters) error {
	if p.Settings == nil || p.Settings.IPConfiguration == nil {
		return nil
	}
	ipc := p.Settings.IPConfiguration
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(ipc.PrivateNetwork),
		Reference:    ipc.PrivateNetworkRef,
		Selector:     ipc.PrivateNetworkSelector,
		To:           reference.To{Managed: &computev1beta1.Network{}, List: &computev1beta1.NetworkList{}},
		Extract:      computev1beta1.ResourcePath(),
	})
	if err != nil {
		return err
	}
	ipc.PrivateNetwork = reference.ToPtrValue(rsp.ResolvedValue)
	ipc.PrivateNetworkRef = rsp.ResolvedReference
	return nil
}

// ResolveReferences sets instance from instanceRef or instanceSelector.
func (mg *User) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	if err := resolveInstance(ctx, r, &fp.Instance, &fp.InstanceRef, &fp.InstanceSelector); err != nil {
		return errors.Wrap(err, "spec.forProvider.instance")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveInstance(ctx, r, &ip.Instance, &ip.InstanceRef, &ip.InstanceSelector), "spec.initProvider.instance")
	}
	return nil
}

// ResolveReferences sets instance from instanceRef or instanceSelector.
func (mg *Database) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	if err := resolveInstance(ctx, r, &fp.Instance, &fp.InstanceRef, &fp.InstanceSelector); err != nil {
		return errors.Wrap(err, "spec.forProvider.instance")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveInstance(ctx, r, &ip.Instance, &ip.InstanceRef, &ip.InstanceSelector), "spec.initProvider.instance")
	}
	return nil
}

// resolveInstance sets instance to the external name (the Cloud SQL name)
// of the DatabaseInstance that ref names or sel selects, and records the
// reference it used.
func resolveInstance(ctx context.Context, r *reference.APIResolver, instance **string, ref **xpv2.Reference, sel **xpv2.Selector) error {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(*instance),
		Reference:    *ref,
		Selector:     *sel,
		To:           reference.To{Managed: &DatabaseInstance{}, List: &DatabaseInstanceList{}},
		Extract:      reference.ExternalName(),
	})
	if err != nil {
		return err
	}
	*instance = reference.ToPtrValue(rsp.ResolvedValue)
	*ref = rsp.ResolvedReference
	return nil
}
