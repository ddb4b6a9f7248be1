// Package subnetwork manages Compute Engine subnetworks.
package subnetwork

import (
	"context"
	"maps"
	"strconv"

	"cloud.google.com/go/compute/apiv1/computepb"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	gcpv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
)

// States a subnetwork reports in status.atProvider.state.
const (
	StateCreating = "CREATING"
	StateReady    = "READY"
	StateDeleting = "DELETING"
)

// kind names subnetworks in messages.
const kind = "subnetwork"

// An API is the part of the Compute Engine API that manages subnetworks.
type API interface {
	clients.OperationGetter
	GetSubnetwork(ctx context.Context, region, name string) (*computepb.Subnetwork, error)
	InsertSubnetwork(ctx context.Context, region string, s *computepb.Subnetwork) (*clients.Operation, error)
	PatchSubnetwork(ctx context.Context, region, name string, s *computepb.Subnetwork) (*clients.Operation, error)
	SetSubnetworkPrivateIPGoogleAccess(ctx context.Context, region, name string, enabled bool) (*clients.Operation, error)
	DeleteSubnetwork(ctx context.Context, region, name string) (*clients.Operation, error)
}

// Setup adds a controller that reconciles subnetworks, with API clients
// from src.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions, src clients.Source) error {
	c := &connector{source: src, kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.SubnetworkGroupVersionKind, Usage: gcpv1beta1.ProviderConfigUsageGroupVersionKind}
	// The subnetwork name is the external name, the resource's name
	// unless set: a create retried after a crash finds it by name.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Subnetwork{}, c, managed.WithPollIntervalHook(clients.PollIntervalHook))
}

type connector struct {
	source clients.Source
	kube   client.Client
}

// Connect returns a client for the project of the subnetwork's
// ProviderConfig.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Subnetwork) (managed.TypedExternalClient[*v1beta1.Subnetwork], error) {
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

// region returns the subnetwork's region, which the schema requires.
func region(cr *v1beta1.Subnetwork) string {
	if r := cr.Spec.ForProvider.Region; r != nil {
		return *r
	}
	return ""
}

// Observe finds the subnetwork by its region and name. While an operation
// the provider started runs, the subnetwork is reported as it is and left
// alone.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Subnetwork) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	if region(cr) == "" {
		return managed.ExternalObservation{}, errors.New("spec.forProvider.region is required")
	}
	running, err := clients.SettleOperation(ctx, e.kube, e.api, cr, nil)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	s, err := e.api.GetSubnetwork(ctx, region(cr), name)
	if clients.IsNotFound(err) {
		if running != nil && running.Type == "insert" && !meta.WasDeleted(cr) {
			cr.Status.AtProvider.State = StateCreating
			cr.SetConditions(xpv2.Creating())
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get subnetwork")
	}
	if clients.Foreign(cr, nil) {
		return clients.ObserveForeign(cr, kind)
	}
	observed := parameters(cr, s)
	lateInit := clients.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = v1beta1.SubnetworkObservation{
		ID:             strconv.FormatUint(s.GetId(), 10),
		SelfLink:       s.GetSelfLink(),
		Network:        s.GetNetwork(),
		IPCIDRRange:    s.GetIpCidrRange(),
		GatewayAddress: s.GetGatewayAddress(),
		State:          state(running),
	}
	switch cr.Status.AtProvider.State {
	case StateCreating:
		cr.SetConditions(xpv2.Creating())
	case StateDeleting:
		cr.SetConditions(xpv2.Deleting())
	default:
		cr.SetConditions(xpv2.Available())
	}
	fp := &cr.Spec.ForProvider
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        running != nil || (!rangesDiffer(fp, observed) && !accessDiffers(fp, observed)),
		ResourceLateInitialized: lateInit,
	}, nil
}

// state returns the state of a subnetwork with the operation running on
// it.
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

// parameters returns the subnetwork's configuration in the shape of its
// spec. The network is left out when a reference sets it, so that the
// reference still resolves.
func parameters(cr *v1beta1.Subnetwork, s *computepb.Subnetwork) *v1beta1.SubnetworkParameters {
	p := &v1beta1.SubnetworkParameters{
		IPCIDRRange:           s.IpCidrRange,
		PrivateIPGoogleAccess: s.PrivateIpGoogleAccess,
		Description:           s.Description,
	}
	if fp := cr.Spec.ForProvider; fp.NetworkRef == nil && fp.NetworkSelector == nil {
		p.Network = s.Network
	}
	for _, r := range s.GetSecondaryIpRanges() {
		p.SecondaryIPRanges = append(p.SecondaryIPRanges, v1beta1.SecondaryRange{RangeName: r.GetRangeName(), IPCIDRRange: r.GetIpCidrRange()})
	}
	return p
}

// rangesDiffer reports whether the spec sets secondary ranges other than
// the subnetwork's, in any order.
func rangesDiffer(fp, observed *v1beta1.SubnetworkParameters) bool {
	if fp.SecondaryIPRanges == nil {
		return false
	}
	return !maps.Equal(rangeMap(fp.SecondaryIPRanges), rangeMap(observed.SecondaryIPRanges))
}

func rangeMap(rs []v1beta1.SecondaryRange) map[string]string {
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.RangeName] = r.IPCIDRRange
	}
	return m
}

// accessDiffers reports whether the spec asks for another Private Google
// Access setting.
func accessDiffers(fp, observed *v1beta1.SubnetworkParameters) bool {
	return fp.PrivateIPGoogleAccess != nil && *fp.PrivateIPGoogleAccess != (observed.PrivateIPGoogleAccess != nil && *observed.PrivateIPGoogleAccess)
}

// Create inserts the subnetwork, named by the external name.
func (e *external) Create(ctx context.Context, cr *v1beta1.Subnetwork) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	clients.FillNil(&p, cr.Spec.InitProvider, nil)
	s := &computepb.Subnetwork{
		Name:                  new(meta.GetExternalName(cr)),
		Network:               p.Network,
		IpCidrRange:           p.IPCIDRRange,
		PrivateIpGoogleAccess: p.PrivateIPGoogleAccess,
		Description:           p.Description,
		SecondaryIpRanges:     secondaryRanges(p.SecondaryIPRanges),
	}
	op, err := e.api.InsertSubnetwork(ctx, region(cr), s)
	if clients.IsAlreadyExists(err) {
		// Subnetworks have no labels to tell whose one is; a crashed
		// create is adopted by Observe before it gets here.
		return managed.ExternalCreation{}, clients.MarkConflict(cr, kind)
	}
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create subnetwork")
	}
	if err := op.Err(); err != nil {
		return managed.ExternalCreation{}, err
	}
	clients.ClearConflict(cr)
	clients.SetPendingOperation(cr, op)
	return managed.ExternalCreation{}, nil
}

func secondaryRanges(rs []v1beta1.SecondaryRange) []*computepb.SubnetworkSecondaryRange {
	if rs == nil {
		return nil
	}
	out := make([]*computepb.SubnetworkSecondaryRange, 0, len(rs))
	for _, r := range rs {
		out = append(out, &computepb.SubnetworkSecondaryRange{RangeName: new(r.RangeName), IpCidrRange: new(r.IPCIDRRange)})
	}
	return out
}

// Update changes one thing that differs from the spec per call, since each
// change is an operation of its own: the secondary ranges (a patch that
// carries the subnetwork's fingerprint), then Private Google Access.
func (e *external) Update(ctx context.Context, cr *v1beta1.Subnetwork) (managed.ExternalUpdate, error) {
	s, err := e.api.GetSubnetwork(ctx, region(cr), meta.GetExternalName(cr))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot get subnetwork")
	}
	fp, observed := &cr.Spec.ForProvider, parameters(cr, s)
	var op *clients.Operation
	switch {
	case rangesDiffer(fp, observed):
		op, err = e.api.PatchSubnetwork(ctx, region(cr), s.GetName(), &computepb.Subnetwork{
			Fingerprint:       s.Fingerprint,
			SecondaryIpRanges: secondaryRanges(fp.SecondaryIPRanges),
		})
		err = clients.Wrap(err, "cannot patch subnetwork")
	case accessDiffers(fp, observed):
		op, err = e.api.SetSubnetworkPrivateIPGoogleAccess(ctx, region(cr), s.GetName(), *fp.PrivateIPGoogleAccess)
		err = clients.Wrap(err, "cannot set Private Google Access")
	default:
		return managed.ExternalUpdate{}, nil
	}
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	return managed.ExternalUpdate{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Delete deletes the subnetwork, unless an operation of the provider's
// still runs on it. A subnetwork that instances use cannot be deleted; the
// error says so and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.Subnetwork) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if clients.PendingOperation(cr) != "" {
		return managed.ExternalDelete{}, nil
	}
	op, err := e.api.DeleteSubnetwork(ctx, region(cr), meta.GetExternalName(cr))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete subnetwork")
	}
	return managed.ExternalDelete{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Disconnect does nothing: the clients are shared and kept.
func (e *external) Disconnect(context.Context) error { return nil }
