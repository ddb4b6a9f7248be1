package v1beta1

import (
	"context"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// computeURL is the prefix of Compute Engine resource URLs.
const computeURL = "https://www.googleapis.com/compute/v1/"

// SelfLink extracts the self link of a referenced Network or Subnetwork, as
// its status reports it: empty (and so not yet resolvable) until the
// provider has observed it.
func SelfLink() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		switch r := mg.(type) {
		case *Network:
			return r.Status.AtProvider.SelfLink
		case *Subnetwork:
			return r.Status.AtProvider.SelfLink
		default:
			return ""
		}
	}
}

// ResourcePath extracts the self link of a referenced Network or Subnetwork
// as a resource path, e.g. projects/p/global/networks/n: the form APIs
// other than Compute Engine (Cloud SQL's privateNetwork) take.
func ResourcePath() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		return strings.TrimPrefix(SelfLink()(mg), computeURL)
	}
}

// ResolveReferences sets network from networkRef or networkSelector.
func (mg *Subnetwork) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	fp := &mg.Spec.ForProvider
	if err := resolveNetwork(ctx, r, &fp.Network, &fp.NetworkRef, &fp.NetworkSelector); err != nil {
		return errors.Wrap(err, "spec.forProvider.network")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveNetwork(ctx, r, &ip.Network, &ip.NetworkRef, &ip.NetworkSelector), "spec.initProvider.network")
	}
	return nil
}

// ResolveReferences sets the network and subnetwork of each network
// interface from its references or selectors, in forProvider and
// initProvider.
func (mg *Instance) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPIResolver(c, mg)
	if err := resolveInterfaces(ctx, r, mg.Spec.ForProvider.NetworkInterfaces); err != nil {
		return errors.Wrap(err, "spec.forProvider")
	}
	if ip := mg.Spec.InitProvider; ip != nil {
		return errors.Wrap(resolveInterfaces(ctx, r, ip.NetworkInterfaces), "spec.initProvider")
	}
	return nil
}

// resolveInterfaces resolves the references of each network interface in
// place.
func resolveInterfaces(ctx context.Context, r *reference.APIResolver, nics []NetworkInterface) error {
	for i := range nics {
		nic := &nics[i]
		if err := resolveNetwork(ctx, r, &nic.Network, &nic.NetworkRef, &nic.NetworkSelector); err != nil {
			return errors.Wrapf(err, "networkInterfaces[%d].network", i)
		}
		rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
			CurrentValue: reference.FromPtrValue(nic.Subnetwork),
			Reference:    nic.SubnetworkRef,
			Selector:     nic.SubnetworkSelector,
			To:           reference.To{Managed: &Subnetwork{}, List: &SubnetworkList{}},
			Extract:      SelfLink(),
		})
		if err != nil {
			return errors.Wrapf(err, "networkInterfaces[%d].subnetwork", i)
		}
		nic.Subnetwork = reference.ToPtrValue(rsp.ResolvedValue)
		nic.SubnetworkRef = rsp.ResolvedReference
	}
	return nil
}

// resolveNetwork sets network to the self link of the Network that ref
// names or sel selects, and records the reference it used.
func resolveNetwork(ctx context.Context, r *reference.APIResolver, network **string, ref **xpv2.Reference, sel **xpv2.Selector) error {
	rsp, err := r.Resolve(ctx, reference.ResolutionRequest{
		CurrentValue: reference.FromPtrValue(*network),
		Reference:    *ref,
		Selector:     *sel,
		To:           reference.To{Managed: &Network{}, List: &NetworkList{}},
		Extract:      SelfLink(),
	})
	if err != nil {
		return err
	}
	*network = reference.ToPtrValue(rsp.ResolvedValue)
	*ref = rsp.ResolvedReference
	return nil
}
