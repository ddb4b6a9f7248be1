// Package virtualnetwork manages Azure virtual networks.
package virtualnetwork

import (
	"context"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
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

// An API is the part of the network API that manages virtual networks;
// *armnetwork.VirtualNetworksClient is one.
type API interface {
	Get(ctx context.Context, rg, name string, o *armnetwork.VirtualNetworksClientGetOptions) (armnetwork.VirtualNetworksClientGetResponse, error)
	BeginCreateOrUpdate(ctx context.Context, rg, name string, v armnetwork.VirtualNetwork, o *armnetwork.VirtualNetworksClientBeginCreateOrUpdateOptions) (*runtime.Poller[armnetwork.VirtualNetworksClientCreateOrUpdateResponse], error)
	UpdateTags(ctx context.Context, rg, name string, t armnetwork.TagsObject, o *armnetwork.VirtualNetworksClientUpdateTagsOptions) (armnetwork.VirtualNetworksClientUpdateTagsResponse, error)
	BeginDelete(ctx context.Context, rg, name string, o *armnetwork.VirtualNetworksClientBeginDeleteOptions) (*runtime.Poller[armnetwork.VirtualNetworksClientDeleteResponse], error)
}

// NewAPI returns the virtual networks client of conn's subscription.
func NewAPI(conn *clients.Connection) (API, error) {
	return armnetwork.NewVirtualNetworksClient(conn.SubscriptionID, conn.Credential, conn.Options)
}

// Setup adds a controller that reconciles virtual networks.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPI: NewAPI, ops: clients.NewOperations(mgr.GetClient())}
	k := provider.Kind{Managed: v1beta1.VirtualNetworkGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The network's name is the external name, the resource's name unless
	// set: a create retried after a crash finds the network by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.VirtualNetwork{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn   clients.ConnectionSource
	newAPI func(*clients.Connection) (API, error)
	ops    *clients.Operations
}

// Connect returns a client for the network's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.VirtualNetwork) (managed.TypedExternalClient[*v1beta1.VirtualNetwork], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	api, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create virtual networks client")
	}
	return &external{api: api, ops: c.ops}, nil
}

type external struct {
	api API
	ops *clients.Operations

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
	// vnet is the network Observe saw.
	vnet *armnetwork.VirtualNetwork
}

func place(cr *v1beta1.VirtualNetwork) (string, string, error) {
	rg := clients.Deref(cr.Spec.ForProvider.ResourceGroupName)
	if rg == "" {
		return "", "", errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from its reference)")
	}
	return rg, meta.GetExternalName(cr), nil
}

// resume resumes the operation op describes on network name of group rg.
func (e *external) resume(rg, name string) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate, clients.VerbUpdate:
			return clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, armnetwork.VirtualNetwork{}, &armnetwork.VirtualNetworksClientBeginCreateOrUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.api.BeginDelete(ctx, rg, name, &armnetwork.VirtualNetworksClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("unknown operation %q", op.Verb)
	}
}

// Observe polls the operation in progress, if any, and finds the network
// by its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.VirtualNetwork) (managed.ExternalObservation, error) {
	rg, name, err := place(cr)
	if err != nil || name == "" {
		return managed.ExternalObservation{}, err
	}
	if e.op, err = e.ops.Check(ctx, cr, e.resume(rg, name)); err != nil {
		return managed.ExternalObservation{}, err
	}
	rsp, err := e.api.Get(ctx, rg, name, nil)
	if clients.IsNotFound(err) {
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get virtual network")
	}
	e.vnet = &rsp.VirtualNetwork
	tags := clients.FromPtrMap(e.vnet.Tags)
	observed := &v1beta1.VirtualNetworkParameters{Location: e.vnet.Location, AddressSpace: addressSpace(e.vnet), Tags: clients.UserTags(tags)}
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	at := v1beta1.VirtualNetworkObservation{ID: clients.Deref(e.vnet.ID), AddressSpace: observed.AddressSpace}
	if p := e.vnet.Properties; p != nil {
		at.ProvisioningState = string(clients.Deref(p.ProvisioningState))
		at.ResourceGUID = clients.Deref(p.ResourceGUID)
		for _, sn := range p.Subnets {
			if sn != nil {
				at.Subnets = append(at.Subnets, clients.Deref(sn.Name))
			}
		}
	}
	cr.Status.AtProvider = at
	clients.SetConditions(cr, at.ProvisioningState, e.op)
	fp := cr.Spec.ForProvider
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        e.op != nil || (spaceUpToDate(fp.AddressSpace, observed.AddressSpace) && clients.TagsUpToDate(cr, fp.Tags, tags)),
		ResourceLateInitialized: lateInit,
	}, nil
}

// addressSpace returns the address prefixes of v.
func addressSpace(v *armnetwork.VirtualNetwork) []string {
	if v.Properties == nil || v.Properties.AddressSpace == nil {
		return nil
	}
	return clients.Strings(v.Properties.AddressSpace.AddressPrefixes)
}

// spaceUpToDate reports whether the observed address space is the desired
// one, in any order; an unset desired space is left alone.
func spaceUpToDate(desired, observed []string) bool {
	return desired == nil || clients.SameSet(desired, observed)
}

// Create starts creating the network, without subnets (they are Subnet
// resources), and records the operation.
func (e *external) Create(ctx context.Context, cr *v1beta1.VirtualNetwork) (managed.ExternalCreation, error) {
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create virtual network")
	}
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	if p.Location == nil {
		return managed.ExternalCreation{}, errors.New("cannot create virtual network: spec.forProvider.location is required")
	}
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, armnetwork.VirtualNetwork{
		Location:   p.Location,
		Tags:       clients.ToPtrMap(clients.DesiredTags(cr, p.Tags)),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: clients.Ptrs(p.AddressSpace)}},
	}, nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create virtual network")
	}
	// The reconciler saves the record with the external name.
	return managed.ExternalCreation{}, clients.Wrap(e.ops.Start(ctx, cr, clients.VerbCreate, poller, nil), "cannot create virtual network")
}

// Update changes what differs from the spec. Tags alone are a PATCH of the
// tags. A new address space needs a PUT of the whole network: it carries the
// network as Azure showed it (with its subnets, which a PUT without them
// would delete), with the new space and tags, and is conditional on the
// network's etag, so that a subnet added meanwhile is never dropped.
func (e *external) Update(ctx context.Context, cr *v1beta1.VirtualNetwork) (managed.ExternalUpdate, error) {
	rg, name, err := place(cr)
	if err != nil || e.vnet == nil {
		return managed.ExternalUpdate{}, err
	}
	fp := cr.Spec.ForProvider
	observedTags := clients.FromPtrMap(e.vnet.Tags)
	tags := clients.ToPtrMap(clients.ManagedTags(cr, fp.Tags, observedTags))
	if spaceUpToDate(fp.AddressSpace, addressSpace(e.vnet)) {
		_, err := e.api.UpdateTags(ctx, rg, name, armnetwork.TagsObject{Tags: tags}, nil)
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update virtual network tags")
	}
	v := *e.vnet
	v.Tags = tags
	props := *v.Properties
	props.AddressSpace = &armnetwork.AddressSpace{AddressPrefixes: clients.Ptrs(fp.AddressSpace)}
	props.ProvisioningState, props.ResourceGUID = nil, nil
	v.Properties = &props
	if v.Etag != nil {
		ctx = policy.WithHTTPHeader(ctx, http.Header{"If-Match": []string{*v.Etag}})
	}
	v.Etag = nil
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, v, nil))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update virtual network")
	}
	return managed.ExternalUpdate{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbUpdate, poller, nil), "cannot update virtual network")
}

// Delete starts deleting the network (and its subnets), unless Observe saw
// that under way.
func (e *external) Delete(ctx context.Context, cr *v1beta1.VirtualNetwork) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if (e.op != nil && e.op.Verb == clients.VerbDelete) || cr.Status.AtProvider.ProvisioningState == clients.StateDeleting {
		return managed.ExternalDelete{}, nil
	}
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete virtual network")
	}
	poller, err := clients.AsPoller(e.api.BeginDelete(ctx, rg, name, nil))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete virtual network")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete virtual network")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
