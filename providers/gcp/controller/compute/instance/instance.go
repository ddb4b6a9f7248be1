// Package instance manages Compute Engine instances.
package instance

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

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

// Connection detail keys an instance publishes.
const (
	ConnectionPublicIP  = "publicIP"
	ConnectionPrivateIP = "privateIP"
)

// Statuses of an instance that need handling of their own.
const (
	statusProvisioning = "PROVISIONING"
	statusStaging      = "STAGING"
)

// kind names instances in messages.
const kind = "instance"

// An API is the part of the Compute Engine API that manages instances.
type API interface {
	clients.OperationGetter
	GetInstance(ctx context.Context, zone, name string) (*computepb.Instance, error)
	InsertInstance(ctx context.Context, zone string, in *computepb.Instance) (*clients.Operation, error)
	DeleteInstance(ctx context.Context, zone, name string) (*clients.Operation, error)
	StartInstance(ctx context.Context, zone, name string) (*clients.Operation, error)
	StopInstance(ctx context.Context, zone, name string) (*clients.Operation, error)
	SetInstanceLabels(ctx context.Context, zone, name string, labels map[string]string, fingerprint string) (*clients.Operation, error)
	SetInstanceMetadata(ctx context.Context, zone, name string, items []*computepb.Items, fingerprint string) (*clients.Operation, error)
	SetInstanceTags(ctx context.Context, zone, name string, tags []string, fingerprint string) (*clients.Operation, error)
	SetInstanceMachineType(ctx context.Context, zone, name, machineType string) (*clients.Operation, error)
}

// Setup adds a controller that reconciles instances, with API clients from
// src.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions, src clients.Source) error {
	c := &connector{source: src, kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.InstanceGroupVersionKind, Usage: gcpv1beta1.ProviderConfigUsageGroupVersionKind}
	// The instance name is the external name, the resource's name unless
	// set: a create retried after a crash finds the instance by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Instance{}, c, managed.WithPollIntervalHook(clients.PollIntervalHook))
}

type connector struct {
	source clients.Source
	kube   client.Client
}

// Connect returns a client for the project of the instance's
// ProviderConfig.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Instance) (managed.TypedExternalClient[*v1beta1.Instance], error) {
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

// zone returns the instance's zone, which the schema requires.
func zone(cr *v1beta1.Instance) string {
	if z := cr.Spec.ForProvider.Zone; z != nil {
		return *z
	}
	return ""
}

// desiredStatus returns the status the spec asks for: RUNNING unless it
// says TERMINATED.
func desiredStatus(fp *v1beta1.InstanceParameters) string {
	if fp.DesiredStatus != nil && *fp.DesiredStatus == v1beta1.StatusTerminated {
		return v1beta1.StatusTerminated
	}
	return v1beta1.StatusRunning
}

// Observe finds the instance by its zone and name. While an operation the
// provider started runs (a create, a stop, a start, a machine type
// change), the instance is reported as it is and left alone.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	if zone(cr) == "" {
		return managed.ExternalObservation{}, errors.New("spec.forProvider.zone is required")
	}
	running, err := clients.SettleOperation(ctx, e.kube, e.api, cr, nil)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	in, err := e.api.GetInstance(ctx, zone(cr), name)
	if clients.IsNotFound(err) {
		if running != nil && running.Type == "insert" && !meta.WasDeleted(cr) {
			cr.Status.AtProvider.Status = statusProvisioning
			cr.SetConditions(xpv2.Creating())
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get instance")
	}
	if clients.Foreign(cr, in.GetLabels()) {
		return clients.ObserveForeign(cr, kind)
	}
	observed := parameters(cr, in)
	lateInit := clients.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = observation(in)
	setConditions(cr, in, running)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        running != nil || upToDate(cr, in),
		ResourceLateInitialized: lateInit,
		ConnectionDetails:       connectionDetails(in),
	}, nil
}

// setConditions sets the Ready condition: Available once the instance has
// the status the spec asks for, Creating while it is being provisioned,
// Deleting while the provider deletes it, and Unavailable otherwise.
func setConditions(cr *v1beta1.Instance, in *computepb.Instance, running *clients.Operation) {
	status := in.GetStatus()
	switch {
	case running != nil && running.Type == "delete":
		cr.SetConditions(xpv2.Deleting())
	case status == desiredStatus(&cr.Spec.ForProvider):
		cr.SetConditions(xpv2.Available())
	case status == statusProvisioning || status == statusStaging:
		cr.SetConditions(xpv2.Creating())
	default:
		cr.SetConditions(xpv2.Unavailable().WithMessage("instance status is " + status + ", want " + desiredStatus(&cr.Spec.ForProvider)))
	}
}

// parameters returns the instance's configuration in the shape of its
// spec, for late initialization. The boot disk is left out (Compute Engine
// reads it only at creation), and so is the desired status: the status of
// the moment is not a wish.
func parameters(cr *v1beta1.Instance, in *computepb.Instance) *v1beta1.InstanceParameters {
	p := &v1beta1.InstanceParameters{
		Labels:   clients.UserLabels(in.GetLabels()),
		Metadata: metadata(in),
		Tags:     in.GetTags().GetItems(),
	}
	if mt := lastSegment(in.GetMachineType()); mt != "" {
		p.MachineType = &mt
	}
	if len(cr.Spec.ForProvider.NetworkInterfaces) == 0 {
		for _, nic := range in.GetNetworkInterfaces() {
			n := v1beta1.NetworkInterface{Network: nic.Network, Subnetwork: nic.Subnetwork}
			for _, ac := range nic.GetAccessConfigs() {
				n.AccessConfigs = append(n.AccessConfigs, v1beta1.AccessConfig{Name: ac.Name, NetworkTier: ac.NetworkTier})
			}
			p.NetworkInterfaces = append(p.NetworkInterfaces, n)
		}
	}
	return p
}

// metadata returns the instance's metadata as a map, or nil if it has
// none.
func metadata(in *computepb.Instance) map[string]string {
	items := in.GetMetadata().GetItems()
	if len(items) == 0 {
		return nil
	}
	m := make(map[string]string, len(items))
	for _, it := range items {
		m[it.GetKey()] = it.GetValue()
	}
	return m
}

// observation returns what Compute Engine reports of the instance.
func observation(in *computepb.Instance) v1beta1.InstanceObservation {
	o := v1beta1.InstanceObservation{
		Status:      in.GetStatus(),
		ID:          strconv.FormatUint(in.GetId(), 10),
		SelfLink:    in.GetSelfLink(),
		MachineType: lastSegment(in.GetMachineType()),
	}
	if nics := in.GetNetworkInterfaces(); len(nics) > 0 {
		o.NetworkIP = nics[0].GetNetworkIP()
		if acs := nics[0].GetAccessConfigs(); len(acs) > 0 {
			o.NatIP = acs[0].GetNatIP()
		}
	}
	return o
}

// connectionDetails returns the instance's addresses, omitting any it does
// not have.
func connectionDetails(in *computepb.Instance) managed.ConnectionDetails {
	o := observation(in)
	cd := managed.ConnectionDetails{}
	if o.NetworkIP != "" {
		cd[ConnectionPrivateIP] = []byte(o.NetworkIP)
	}
	if o.NatIP != "" {
		cd[ConnectionPublicIP] = []byte(o.NatIP)
	}
	return cd
}

// upToDate reports whether the instance matches every field the spec
// manages.
func upToDate(cr *v1beta1.Instance, in *computepb.Instance) bool {
	fp := &cr.Spec.ForProvider
	return !labelsDiffer(cr, in) && !metadataDiffers(fp, in) && !tagsDiffer(fp, in) &&
		!machineTypeDiffers(fp, in) && !statusDiffers(fp, in)
}

func labelsDiffer(cr *v1beta1.Instance, in *computepb.Instance) bool {
	return !clients.SameMap(clients.ManagedLabels(cr, cr.Spec.ForProvider.Labels, in.GetLabels()), in.GetLabels())
}

func metadataDiffers(fp *v1beta1.InstanceParameters, in *computepb.Instance) bool {
	return fp.Metadata != nil && !maps.Equal(fp.Metadata, metadata(in))
}

func tagsDiffer(fp *v1beta1.InstanceParameters, in *computepb.Instance) bool {
	return fp.Tags != nil && !slices.Equal(sortedSet(fp.Tags), sortedSet(in.GetTags().GetItems()))
}

func machineTypeDiffers(fp *v1beta1.InstanceParameters, in *computepb.Instance) bool {
	return fp.MachineType != nil && *fp.MachineType != lastSegment(in.GetMachineType())
}

// statusDiffers reports whether a running instance should be stopped or a
// stopped one started. An instance on its way between the two is left to
// arrive.
func statusDiffers(fp *v1beta1.InstanceParameters, in *computepb.Instance) bool {
	s := in.GetStatus()
	return (s == v1beta1.StatusRunning || s == v1beta1.StatusTerminated) && s != desiredStatus(fp)
}

// sortedSet returns the distinct values of s, sorted.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// lastSegment returns what follows the last slash of a URL.
func lastSegment(s string) string {
	return s[strings.LastIndex(s, "/")+1:]
}

// Create inserts the instance, named by the external name and labeled
// with the resource's UID.
func (e *external) Create(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	clients.FillNil(&p, cr.Spec.InitProvider, nil)
	z := zone(cr)
	in := &computepb.Instance{
		Name:              new(meta.GetExternalName(cr)),
		Labels:            clients.DesiredLabels(cr, p.Labels),
		NetworkInterfaces: networkInterfaces(p.NetworkInterfaces),
	}
	if p.MachineType != nil {
		in.MachineType = new(machineTypeURL(z, *p.MachineType))
	}
	if d := p.BootDisk; d != nil {
		ip := &computepb.AttachedDiskInitializeParams{SourceImage: new(d.Image), DiskSizeGb: d.SizeGB}
		if d.Type != nil {
			ip.DiskType = new(diskTypeURL(z, *d.Type))
		}
		in.Disks = []*computepb.AttachedDisk{{Boot: new(true), AutoDelete: new(true), InitializeParams: ip}}
	}
	if p.Metadata != nil {
		in.Metadata = &computepb.Metadata{Items: metadataItems(p.Metadata)}
	}
	if p.Tags != nil {
		in.Tags = &computepb.Tags{Items: sortedSet(p.Tags)}
	}
	op, err := e.api.InsertInstance(ctx, z, in)
	if clients.IsAlreadyExists(err) {
		return e.adopt(ctx, cr)
	}
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create instance")
	}
	if err := op.Err(); err != nil {
		return managed.ExternalCreation{}, err
	}
	clients.ClearConflict(cr)
	clients.SetPendingOperation(cr, op)
	return managed.ExternalCreation{}, nil
}

// adopt handles a create that found the name taken: the instance is this
// resource's if it carries its UID label (an earlier create whose record
// was lost); otherwise the conflict is recorded and reported.
func (e *external) adopt(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalCreation, error) {
	in, err := e.api.GetInstance(ctx, zone(cr), meta.GetExternalName(cr))
	if err != nil && !clients.IsNotFound(err) {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot get instance")
	}
	if in.GetLabels()[clients.LabelUID] == string(cr.GetUID()) {
		return managed.ExternalCreation{}, nil
	}
	return managed.ExternalCreation{}, clients.MarkConflict(cr, kind)
}

// networkInterfaces returns the network interfaces of an insert request.
func networkInterfaces(nics []v1beta1.NetworkInterface) []*computepb.NetworkInterface {
	out := make([]*computepb.NetworkInterface, 0, len(nics))
	for _, n := range nics {
		nic := &computepb.NetworkInterface{Network: n.Network, Subnetwork: n.Subnetwork}
		for _, ac := range n.AccessConfigs {
			nic.AccessConfigs = append(nic.AccessConfigs, &computepb.AccessConfig{Name: ac.Name, NetworkTier: ac.NetworkTier, Type: new("ONE_TO_ONE_NAT")})
		}
		out = append(out, nic)
	}
	return out
}

// machineTypeURL returns the partial URL of a machine type in zone; a URL
// is kept as it is.
func machineTypeURL(zone, t string) string {
	if strings.Contains(t, "/") {
		return t
	}
	return "zones/" + zone + "/machineTypes/" + t
}

// diskTypeURL returns the partial URL of a disk type in zone; a URL is kept
// as it is.
func diskTypeURL(zone, t string) string {
	if strings.Contains(t, "/") {
		return t
	}
	return "zones/" + zone + "/diskTypes/" + t
}

// metadataItems returns metadata as items sorted by key.
func metadataItems(m map[string]string) []*computepb.Items {
	items := make([]*computepb.Items, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		items = append(items, &computepb.Items{Key: new(k), Value: new(m[k])})
	}
	return items
}

// Update sets the labels, metadata and network tags that differ from the
// spec (each call carries the fingerprint it replaces), then moves the
// instance one step towards its machine type and status: a stopped
// instance gets its new machine type; a running one whose machine type
// must change is stopped first, if allowStoppingForUpdate allows; then the
// instance is started or stopped as desiredStatus says. The last operation
// started is recorded, and nothing else changes until it is done.
func (e *external) Update(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalUpdate, error) {
	z, name := zone(cr), meta.GetExternalName(cr)
	in, err := e.api.GetInstance(ctx, z, name)
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot get instance")
	}
	fp := &cr.Spec.ForProvider
	var last *clients.Operation
	record := func(op *clients.Operation, err error, what string) error {
		if err != nil {
			return clients.Wrap(err, what)
		}
		if err := op.Err(); err != nil {
			return err
		}
		last = op
		return nil
	}
	if labelsDiffer(cr, in) {
		op, err := e.api.SetInstanceLabels(ctx, z, name, clients.ManagedLabels(cr, fp.Labels, in.GetLabels()), in.GetLabelFingerprint())
		if err := record(op, err, "cannot set instance labels"); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if metadataDiffers(fp, in) {
		op, err := e.api.SetInstanceMetadata(ctx, z, name, metadataItems(fp.Metadata), in.GetMetadata().GetFingerprint())
		if err := record(op, err, "cannot set instance metadata"); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if tagsDiffer(fp, in) {
		op, err := e.api.SetInstanceTags(ctx, z, name, sortedSet(fp.Tags), in.GetTags().GetFingerprint())
		if err := record(op, err, "cannot set instance tags"); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	op, err := e.lifecycle(ctx, cr, in)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if op != nil {
		last = op
	}
	return managed.ExternalUpdate{}, clients.RecordOperation(ctx, e.kube, cr, last, nil)
}

// lifecycle starts the one operation, if any, that moves the instance
// towards the spec's machine type and status.
func (e *external) lifecycle(ctx context.Context, cr *v1beta1.Instance, in *computepb.Instance) (*clients.Operation, error) {
	fp := &cr.Spec.ForProvider
	z, name, status := zone(cr), in.GetName(), in.GetStatus()
	if machineTypeDiffers(fp, in) {
		switch {
		case status == v1beta1.StatusTerminated:
			op, err := e.api.SetInstanceMachineType(ctx, z, name, machineTypeURL(z, *fp.MachineType))
			return op, clients.Wrap(err, "cannot set instance machine type")
		case status == v1beta1.StatusRunning && fp.AllowStoppingForUpdate != nil && *fp.AllowStoppingForUpdate:
			op, err := e.api.StopInstance(ctx, z, name)
			return op, clients.Wrap(err, "cannot stop instance to change its machine type")
		case status == v1beta1.StatusRunning:
			return nil, errors.Errorf("cannot change the machine type of a running instance: set spec.forProvider.allowStoppingForUpdate to let Stratus stop it (and start it again), or desiredStatus to %s", v1beta1.StatusTerminated)
		default:
			// Let a starting or stopping instance arrive first.
			return nil, nil
		}
	}
	if !statusDiffers(fp, in) {
		return nil, nil
	}
	if desiredStatus(fp) == v1beta1.StatusRunning {
		op, err := e.api.StartInstance(ctx, z, name)
		return op, clients.Wrap(err, "cannot start instance")
	}
	op, err := e.api.StopInstance(ctx, z, name)
	return op, clients.Wrap(err, "cannot stop instance")
}

// Delete deletes the instance, unless an operation of the provider's still
// runs on it (the delete itself, or a stop or start to wait for).
func (e *external) Delete(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if clients.PendingOperation(cr) != "" {
		return managed.ExternalDelete{}, nil
	}
	op, err := e.api.DeleteInstance(ctx, zone(cr), meta.GetExternalName(cr))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete instance")
	}
	return managed.ExternalDelete{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Disconnect does nothing: the clients are shared and kept.
func (e *external) Disconnect(context.Context) error { return nil }
