// Package subnet manages the subnets of Azure virtual networks.
package subnet

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/network/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// An API is the part of the network API that manages subnets;
// *armnetwork.SubnetsClient is one.
type API interface {
	Get(ctx context.Context, rg, vnet, name string, o *armnetwork.SubnetsClientGetOptions) (armnetwork.SubnetsClientGetResponse, error)
	BeginCreateOrUpdate(ctx context.Context, rg, vnet, name string, s armnetwork.Subnet, o *armnetwork.SubnetsClientBeginCreateOrUpdateOptions) (*runtime.Poller[armnetwork.SubnetsClientCreateOrUpdateResponse], error)
	BeginDelete(ctx context.Context, rg, vnet, name string, o *armnetwork.SubnetsClientBeginDeleteOptions) (*runtime.Poller[armnetwork.SubnetsClientDeleteResponse], error)
}

// NewAPI returns the subnets client of conn's subscription.
func NewAPI(conn *clients.Connection) (API, error) {
	return armnetwork.NewSubnetsClient(conn.SubscriptionID, conn.Credential, conn.Options)
}

// Setup adds a controller that reconciles subnets.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPI: NewAPI, ops: clients.NewOperations(mgr.GetClient())}
	k := provider.Kind{Managed: v1beta1.SubnetGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The subnet's name is the external name, the resource's name unless
	// set.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Subnet{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn   clients.ConnectionSource
	newAPI func(*clients.Connection) (API, error)
	ops    *clients.Operations
}

// Connect returns a client for the subnet's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Subnet) (managed.TypedExternalClient[*v1beta1.Subnet], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	api, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create subnets client")
	}
	return &external{api: api, ops: c.ops}, nil
}

type external struct {
	api API
	ops *clients.Operations

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
	// subnet is the subnet Observe saw.
	subnet *armnetwork.Subnet
}

// A place is where a subnet is: its resource group, network and name.
type place struct{ rg, vnet, name string }

func placeOf(cr *v1beta1.Subnet) (place, error) {
	fp := cr.Spec.ForProvider
	p := place{rg: clients.Deref(fp.ResourceGroupName), vnet: clients.Deref(fp.VirtualNetworkName), name: meta.GetExternalName(cr)}
	switch {
	case p.rg == "":
		return p, errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from a reference)")
	case p.vnet == "":
		return p, errors.New("spec.forProvider.virtualNetworkName is not set (nor resolved from its reference)")
	}
	return p, nil
}

// resume resumes the operation op describes on the subnet at p.
func (e *external) resume(p place) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate, clients.VerbUpdate:
			return clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, p.rg, p.vnet, p.name, armnetwork.Subnet{}, &armnetwork.SubnetsClientBeginCreateOrUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.api.BeginDelete(ctx, p.rg, p.vnet, p.name, &armnetwork.SubnetsClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("unknown operation %q", op.Verb)
	}
}

// Observe polls the operation in progress, if any, and finds the subnet by
// its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalObservation, error) {
	p, err := placeOf(cr)
	if err != nil || p.name == "" {
		return managed.ExternalObservation{}, err
	}
	if e.op, err = e.ops.Check(ctx, cr, e.resume(p)); err != nil {
		return managed.ExternalObservation{}, err
	}
	rsp, err := e.api.Get(ctx, p.rg, p.vnet, p.name, nil)
	if clients.IsNotFound(err) {
		// The subnet, or its network, is gone.
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get subnet")
	}
	e.subnet = &rsp.Subnet
	observed := &v1beta1.SubnetParameters{AddressPrefixes: prefixes(e.subnet)}
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	at := v1beta1.SubnetObservation{ID: clients.Deref(e.subnet.ID), AddressPrefixes: observed.AddressPrefixes}
	if sp := e.subnet.Properties; sp != nil {
		at.ProvisioningState = string(clients.Deref(sp.ProvisioningState))
		at.IPConfigurations = len(sp.IPConfigurations)
	}
	cr.Status.AtProvider = at
	clients.SetConditions(cr, at.ProvisioningState, e.op)
	fp := cr.Spec.ForProvider
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        e.op != nil || fp.AddressPrefixes == nil || clients.SameSet(fp.AddressPrefixes, observed.AddressPrefixes),
		ResourceLateInitialized: lateInit,
	}, nil
}

// prefixes returns the address ranges of s, whichever of Azure's two fields
// holds them.
func prefixes(s *armnetwork.Subnet) []string {
	if s.Properties == nil {
		return nil
	}
	if s.Properties.AddressPrefix != nil {
		return []string{*s.Properties.AddressPrefix}
	}
	return clients.Strings(s.Properties.AddressPrefixes)
}

// setPrefixes sets the address ranges of sp: one range in addressPrefix,
// which every API version knows, several in addressPrefixes.
func setPrefixes(sp *armnetwork.SubnetPropertiesFormat, prefixes []string) {
	sp.AddressPrefix, sp.AddressPrefixes = nil, nil
	if len(prefixes) == 1 {
		sp.AddressPrefix = new(prefixes[0])
		return
	}
	sp.AddressPrefixes = clients.Ptrs(prefixes)
}

// Create starts creating the subnet and records the operation.
func (e *external) Create(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalCreation, error) {
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create subnet")
	}
	fp := cr.Spec.ForProvider
	provider.FillNil(&fp, cr.Spec.InitProvider, nil)
	sp := &armnetwork.SubnetPropertiesFormat{}
	setPrefixes(sp, fp.AddressPrefixes)
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, p.rg, p.vnet, p.name, armnetwork.Subnet{Properties: sp}, nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create subnet")
	}
	// The reconciler saves the record with the external name.
	return managed.ExternalCreation{}, clients.Wrap(e.ops.Start(ctx, cr, clients.VerbCreate, poller, nil), "cannot create subnet")
}

// Update starts giving the subnet the spec's address ranges: a PUT of the
// subnet as Azure showed it (so that its other settings stay) with the new
// ranges. Azure refuses it while network interfaces use the subnet.
func (e *external) Update(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalUpdate, error) {
	p, err := placeOf(cr)
	if err != nil || e.subnet == nil {
		return managed.ExternalUpdate{}, err
	}
	s := *e.subnet
	sp := armnetwork.SubnetPropertiesFormat{}
	if s.Properties != nil {
		sp = *s.Properties
	}
	setPrefixes(&sp, cr.Spec.ForProvider.AddressPrefixes)
	sp.ProvisioningState = nil
	s.Properties, s.Etag = &sp, nil
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, p.rg, p.vnet, p.name, s, nil))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update subnet")
	}
	return managed.ExternalUpdate{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbUpdate, poller, nil), "cannot update subnet")
}

// Delete starts deleting the subnet, unless Observe saw that under way.
// Azure refuses while network interfaces use the subnet; the error shows on
// Synced and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if (e.op != nil && e.op.Verb == clients.VerbDelete) || cr.Status.AtProvider.ProvisioningState == clients.StateDeleting {
		return managed.ExternalDelete{}, nil
	}
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete subnet")
	}
	poller, err := clients.AsPoller(e.api.BeginDelete(ctx, p.rg, p.vnet, p.name, nil))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete subnet")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete subnet")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
