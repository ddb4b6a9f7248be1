// Package network manages Compute Engine VPC networks.
package network

import (
	"context"
	"strconv"

	"cloud.google.com/go/compute/apiv1/computepb"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	gcpv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
)

// States a network reports in status.atProvider.state.
const (
	StateCreating = "CREATING"
	StateReady    = "READY"
	StateDeleting = "DELETING"
)

// kind names networks in messages.
const kind = "network"

// An API is the part of the Compute Engine API that manages networks.
type API interface {
	clients.OperationGetter
	GetNetwork(ctx context.Context, name string) (*computepb.Network, error)
	InsertNetwork(ctx context.Context, n *computepb.Network) (*clients.Operation, error)
	PatchNetwork(ctx context.Context, name string, n *computepb.Network) (*clients.Operation, error)
	DeleteNetwork(ctx context.Context, name string) (*clients.Operation, error)
}

// Setup adds a controller that reconciles networks, with API clients from
// src.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions, src clients.Source) error {
	c := &connector{source: src, kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.NetworkGroupVersionKind, Usage: gcpv1beta1.ProviderConfigUsageGroupVersionKind}
	// The network name is the external name, the resource's name unless
	// set: a create retried after a crash finds the network by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Network{}, c, managed.WithPollIntervalHook(clients.PollIntervalHook))
}

type connector struct {
	source clients.Source
	kube   client.Client
}

// Connect returns a client for the project of the network's
// ProviderConfig.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Network) (managed.TypedExternalClient[*v1beta1.Network], error) {
	api, err := c.source.Compute(ctx, cr)
	if err != nil {
		return nil, err
	}
	return &external{api: api, kube: c.kube}, nil
}

type external struct {
	api  API
	kube client.Client
}

// Observe finds the network by its name. While an operation the provider
// started runs, the network is reported as it is and left alone.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Network) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	running, err := clients.SettleOperation(ctx, e.kube, e.api, cr, nil)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	n, err := e.api.GetNetwork(ctx, name)
	if clients.IsNotFound(err) {
		if running != nil && running.Type == "insert" && !meta.WasDeleted(cr) {
			// Created, and not visible yet.
			cr.Status.AtProvider.State = StateCreating
			cr.SetConditions(xpv2.Creating())
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get network")
	}
	if clients.Foreign(cr, nil) {
		return clients.ObserveForeign(cr, kind)
	}
	observed := parameters(n)
	lateInit := clients.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = v1beta1.NetworkObservation{
		ID:          strconv.FormatUint(n.GetId(), 10),
		SelfLink:    n.GetSelfLink(),
		Subnetworks: n.GetSubnetworks(),
		State:       state(running),
	}
	switch cr.Status.AtProvider.State {
	case StateCreating:
		cr.SetConditions(xpv2.Creating())
	case StateDeleting:
		cr.SetConditions(xpv2.Deleting())
	default:
		cr.SetConditions(xpv2.Available())
	}
	return managed.ExternalObservation{
		ResourceExists: true,
		// Nothing changes while an operation runs.
		ResourceUpToDate:        running != nil || !needsPatch(&cr.Spec.ForProvider, observed),
		ResourceLateInitialized: lateInit,
	}, nil
}

// state returns the state of a network with the operation running on it.
func state(running *clients.Operation) string {
	switch {
	case running == nil:
		return StateReady
	case running.Type == "insert":
		return StateCreating
	case running.Type == "delete":
		return StateDeleting
	default:
		return StateReady
	}
}

// parameters returns the network's configuration in the shape of its spec.
func parameters(n *computepb.Network) *v1beta1.NetworkParameters {
	p := &v1beta1.NetworkParameters{
		AutoCreateSubnetworks: n.AutoCreateSubnetworks,
		Description:           n.Description,
	}
	if n.Mtu != nil {
		p.MTU = new(int64(n.GetMtu()))
	}
	if rc := n.GetRoutingConfig(); rc.RoutingMode != nil {
		p.RoutingMode = rc.RoutingMode
	}
	return p
}

// needsPatch reports whether a field the spec sets, and a patch can change,
// differs from the network.
func needsPatch(fp, observed *v1beta1.NetworkParameters) bool {
	return differs(fp.RoutingMode, observed.RoutingMode) || differs(fp.MTU, observed.MTU)
}

// differs reports whether a desired value is set and differs from the
// observed one (unset counts as different).
func differs[T comparable](desired, observed *T) bool {
	return desired != nil && (observed == nil || *desired != *observed)
}

// Create inserts the network, named by the external name.
func (e *external) Create(ctx context.Context, cr *v1beta1.Network) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	clients.FillNil(&p, cr.Spec.InitProvider, nil)
	n := &computepb.Network{
		Name:                  new(meta.GetExternalName(cr)),
		AutoCreateSubnetworks: p.AutoCreateSubnetworks,
		Description:           p.Description,
	}
	if p.MTU != nil {
		n.Mtu = new(int32(*p.MTU)) //nolint:gosec // G115: the schema bounds the MTU to 1300-8896.
	}
	if p.RoutingMode != nil {
		n.RoutingConfig = &computepb.NetworkRoutingConfig{RoutingMode: p.RoutingMode}
	}
	op, err := e.api.InsertNetwork(ctx, n)
	if clients.IsAlreadyExists(err) {
		// Networks have no labels to tell whose a network is; a crashed
		// create is adopted by Observe before it gets here.
		return managed.ExternalCreation{}, clients.MarkConflict(cr, kind)
	}
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create network")
	}
	if err := op.Err(); err != nil {
		return managed.ExternalCreation{}, err
	}
	clients.ClearConflict(cr)
	// The reconciler saves the annotation with the create's.
	clients.SetPendingOperation(cr, op)
	return managed.ExternalCreation{}, nil
}

// Update patches the routing mode and MTU when they differ from the spec.
func (e *external) Update(ctx context.Context, cr *v1beta1.Network) (managed.ExternalUpdate, error) {
	n, err := e.api.GetNetwork(ctx, meta.GetExternalName(cr))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot get network")
	}
	fp, observed := &cr.Spec.ForProvider, parameters(n)
	patch := &computepb.Network{}
	if differs(fp.RoutingMode, observed.RoutingMode) {
		patch.RoutingConfig = &computepb.NetworkRoutingConfig{RoutingMode: fp.RoutingMode}
	}
	if differs(fp.MTU, observed.MTU) {
		patch.Mtu = new(int32(*fp.MTU)) //nolint:gosec // G115: the schema bounds the MTU to 1300-8896.
	}
	if patch.RoutingConfig == nil && patch.Mtu == nil {
		return managed.ExternalUpdate{}, nil
	}
	op, err := e.api.PatchNetwork(ctx, n.GetName(), patch)
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot patch network")
	}
	return managed.ExternalUpdate{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Delete deletes the network, unless an operation of the provider's still
// runs on it (the delete itself, or a patch to wait for). A network that
// still has subnetworks or instances cannot be deleted; the error says so
// and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.Network) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if clients.PendingOperation(cr) != "" {
		return managed.ExternalDelete{}, nil
	}
	op, err := e.api.DeleteNetwork(ctx, meta.GetExternalName(cr))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete network")
	}
	return managed.ExternalDelete{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Disconnect does nothing: the clients are shared and kept.
func (e *external) Disconnect(context.Context) error { return nil }
