package clients

import (
	"context"
	"fmt"
	"strings"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/api/option"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Compute calls the Compute Engine API (v1, REST) for one project. Its
// methods are the calls the controllers make, one HTTP request each;
// mutations return the long-running operation they started, named by its
// scope: zones/ZONE/operations/NAME, regions/REGION/operations/NAME or
// global/operations/NAME.
type Compute struct {
	project     string
	instances   *compute.InstancesClient
	networks    *compute.NetworksClient
	subnetworks *compute.SubnetworksClient
	zoneOps     *compute.ZoneOperationsClient
	regionOps   *compute.RegionOperationsClient
	globalOps   *compute.GlobalOperationsClient
}

// NewCompute returns a Compute Engine client for project, built with opts
// (endpoint and credentials).
func NewCompute(ctx context.Context, project string, opts ...option.ClientOption) (*Compute, error) {
	c := &Compute{project: project}
	var err error
	for _, mk := range []func() error{
		func() error { c.instances, err = compute.NewInstancesRESTClient(ctx, opts...); return err },
		func() error { c.networks, err = compute.NewNetworksRESTClient(ctx, opts...); return err },
		func() error { c.subnetworks, err = compute.NewSubnetworksRESTClient(ctx, opts...); return err },
		func() error { c.zoneOps, err = compute.NewZoneOperationsRESTClient(ctx, opts...); return err },
		func() error { c.regionOps, err = compute.NewRegionOperationsRESTClient(ctx, opts...); return err },
		func() error { c.globalOps, err = compute.NewGlobalOperationsRESTClient(ctx, opts...); return err },
	} {
		if err := mk(); err != nil {
			_ = c.Close()
			return nil, errors.Wrap(err, "cannot create Compute Engine client")
		}
	}
	return c, nil
}

// Close releases the clients' connections.
func (c *Compute) Close() error {
	var closers []func() error
	if c.instances != nil {
		closers = append(closers, c.instances.Close)
	}
	if c.networks != nil {
		closers = append(closers, c.networks.Close)
	}
	if c.subnetworks != nil {
		closers = append(closers, c.subnetworks.Close)
	}
	if c.zoneOps != nil {
		closers = append(closers, c.zoneOps.Close)
	}
	if c.regionOps != nil {
		closers = append(closers, c.regionOps.Close)
	}
	if c.globalOps != nil {
		closers = append(closers, c.globalOps.Close)
	}
	for _, cl := range closers {
		_ = cl()
	}
	return nil
}

// Project returns the project the client manages.
func (c *Compute) Project() string { return c.project }

// GetInstance returns the instance called name in zone.
func (c *Compute) GetInstance(ctx context.Context, zone, name string) (*computepb.Instance, error) {
	return c.instances.Get(ctx, &computepb.GetInstanceRequest{Project: c.project, Zone: zone, Instance: name})
}

// InsertInstance creates an instance in zone.
func (c *Compute) InsertInstance(ctx context.Context, zone string, in *computepb.Instance) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: c.project, Zone: zone, InstanceResource: in}))
}

// DeleteInstance deletes the instance called name in zone.
func (c *Compute) DeleteInstance(ctx context.Context, zone, name string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.Delete(ctx, &computepb.DeleteInstanceRequest{Project: c.project, Zone: zone, Instance: name}))
}

// StartInstance starts the stopped instance called name in zone.
func (c *Compute) StartInstance(ctx context.Context, zone, name string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.Start(ctx, &computepb.StartInstanceRequest{Project: c.project, Zone: zone, Instance: name}))
}

// StopInstance stops the instance called name in zone.
func (c *Compute) StopInstance(ctx context.Context, zone, name string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.Stop(ctx, &computepb.StopInstanceRequest{Project: c.project, Zone: zone, Instance: name}))
}

// SetInstanceLabels replaces the labels of the instance called name in
// zone; fingerprint is the instance's current labelFingerprint.
func (c *Compute) SetInstanceLabels(ctx context.Context, zone, name string, labels map[string]string, fingerprint string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.SetLabels(ctx, &computepb.SetLabelsInstanceRequest{
		Project: c.project, Zone: zone, Instance: name,
		InstancesSetLabelsRequestResource: &computepb.InstancesSetLabelsRequest{Labels: labels, LabelFingerprint: &fingerprint},
	}))
}

// SetInstanceMetadata replaces the metadata of the instance called name in
// zone; fingerprint is its current metadata fingerprint.
func (c *Compute) SetInstanceMetadata(ctx context.Context, zone, name string, items []*computepb.Items, fingerprint string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.SetMetadata(ctx, &computepb.SetMetadataInstanceRequest{
		Project: c.project, Zone: zone, Instance: name,
		MetadataResource: &computepb.Metadata{Items: items, Fingerprint: &fingerprint},
	}))
}

// SetInstanceTags replaces the network tags of the instance called name in
// zone; fingerprint is their current fingerprint.
func (c *Compute) SetInstanceTags(ctx context.Context, zone, name string, tags []string, fingerprint string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.SetTags(ctx, &computepb.SetTagsInstanceRequest{
		Project: c.project, Zone: zone, Instance: name,
		TagsResource: &computepb.Tags{Items: tags, Fingerprint: &fingerprint},
	}))
}

// SetInstanceMachineType changes the machine type of the stopped instance
// called name in zone.
func (c *Compute) SetInstanceMachineType(ctx context.Context, zone, name, machineType string) (*Operation, error) {
	return computeOperation("zones/" + zone)(c.instances.SetMachineType(ctx, &computepb.SetMachineTypeInstanceRequest{
		Project: c.project, Zone: zone, Instance: name,
		InstancesSetMachineTypeRequestResource: &computepb.InstancesSetMachineTypeRequest{MachineType: &machineType},
	}))
}

// GetNetwork returns the network called name.
func (c *Compute) GetNetwork(ctx context.Context, name string) (*computepb.Network, error) {
	return c.networks.Get(ctx, &computepb.GetNetworkRequest{Project: c.project, Network: name})
}

// InsertNetwork creates a network.
func (c *Compute) InsertNetwork(ctx context.Context, n *computepb.Network) (*Operation, error) {
	return computeOperation("global")(c.networks.Insert(ctx, &computepb.InsertNetworkRequest{Project: c.project, NetworkResource: n}))
}

// PatchNetwork changes the fields of the network called name that n sets.
func (c *Compute) PatchNetwork(ctx context.Context, name string, n *computepb.Network) (*Operation, error) {
	return computeOperation("global")(c.networks.Patch(ctx, &computepb.PatchNetworkRequest{Project: c.project, Network: name, NetworkResource: n}))
}

// DeleteNetwork deletes the network called name.
func (c *Compute) DeleteNetwork(ctx context.Context, name string) (*Operation, error) {
	return computeOperation("global")(c.networks.Delete(ctx, &computepb.DeleteNetworkRequest{Project: c.project, Network: name}))
}

// GetSubnetwork returns the subnetwork called name in region.
func (c *Compute) GetSubnetwork(ctx context.Context, region, name string) (*computepb.Subnetwork, error) {
	return c.subnetworks.Get(ctx, &computepb.GetSubnetworkRequest{Project: c.project, Region: region, Subnetwork: name})
}

// InsertSubnetwork creates a subnetwork in region.
func (c *Compute) InsertSubnetwork(ctx context.Context, region string, s *computepb.Subnetwork) (*Operation, error) {
	return computeOperation("regions/" + region)(c.subnetworks.Insert(ctx, &computepb.InsertSubnetworkRequest{Project: c.project, Region: region, SubnetworkResource: s}))
}

// PatchSubnetwork changes the fields of the subnetwork called name in
// region that s sets; s carries the subnetwork's current fingerprint.
func (c *Compute) PatchSubnetwork(ctx context.Context, region, name string, s *computepb.Subnetwork) (*Operation, error) {
	return computeOperation("regions/" + region)(c.subnetworks.Patch(ctx, &computepb.PatchSubnetworkRequest{Project: c.project, Region: region, Subnetwork: name, SubnetworkResource: s}))
}

// SetSubnetworkPrivateIPGoogleAccess turns Private Google Access of the
// subnetwork called name in region on or off.
func (c *Compute) SetSubnetworkPrivateIPGoogleAccess(ctx context.Context, region, name string, enabled bool) (*Operation, error) {
	return computeOperation("regions/" + region)(c.subnetworks.SetPrivateIpGoogleAccess(ctx, &computepb.SetPrivateIpGoogleAccessSubnetworkRequest{
		Project: c.project, Region: region, Subnetwork: name,
		SubnetworksSetPrivateIpGoogleAccessRequestResource: &computepb.SubnetworksSetPrivateIpGoogleAccessRequest{PrivateIpGoogleAccess: &enabled},
	}))
}

// DeleteSubnetwork deletes the subnetwork called name in region.
func (c *Compute) DeleteSubnetwork(ctx context.Context, region, name string) (*Operation, error) {
	return computeOperation("regions/" + region)(c.subnetworks.Delete(ctx, &computepb.DeleteSubnetworkRequest{Project: c.project, Region: region, Subnetwork: name}))
}

// GetOperation returns the operation ref names, as a mutation returned it.
func (c *Compute) GetOperation(ctx context.Context, ref string) (*Operation, error) {
	parts := strings.Split(ref, "/")
	var (
		op  *computepb.Operation
		err error
	)
	switch {
	case len(parts) == 4 && parts[0] == "zones" && parts[2] == "operations":
		op, err = c.zoneOps.Get(ctx, &computepb.GetZoneOperationRequest{Project: c.project, Zone: parts[1], Operation: parts[3]})
	case len(parts) == 4 && parts[0] == "regions" && parts[2] == "operations":
		op, err = c.regionOps.Get(ctx, &computepb.GetRegionOperationRequest{Project: c.project, Region: parts[1], Operation: parts[3]})
	case len(parts) == 3 && parts[0] == "global" && parts[1] == "operations":
		op, err = c.globalOps.Get(ctx, &computepb.GetGlobalOperationRequest{Project: c.project, Operation: parts[2]})
	default:
		return nil, errors.Wrapf(errNotAnOperation, "%q is not a Compute Engine operation", ref)
	}
	if err != nil {
		return nil, err
	}
	return fromComputeOperation(strings.Join(parts[:len(parts)-2], "/"), op), nil
}

// computeOperation returns a function that turns what a Compute Engine
// mutation in scope returned into an Operation.
func computeOperation(scope string) func(*compute.Operation, error) (*Operation, error) {
	return func(op *compute.Operation, err error) (*Operation, error) {
		if err != nil {
			return nil, err
		}
		return fromComputeOperation(scope, op.Proto()), nil
	}
}

// fromComputeOperation turns a Compute Engine operation of scope into an
// Operation.
func fromComputeOperation(scope string, op *computepb.Operation) *Operation {
	o := &Operation{
		Ref:  scope + "/operations/" + op.GetName(),
		Type: op.GetOperationType(),
		Done: op.GetStatus() == computepb.Operation_DONE,
	}
	msgs := make([]string, 0, len(op.GetError().GetErrors())+1)
	for _, e := range op.GetError().GetErrors() {
		msgs = append(msgs, joinNonEmpty(": ", e.GetCode(), e.GetMessage()))
	}
	if len(msgs) == 0 && op.GetHttpErrorStatusCode() >= 400 {
		msgs = append(msgs, fmt.Sprintf("HTTP %d: %s", op.GetHttpErrorStatusCode(), op.GetHttpErrorMessage()))
	}
	o.Error = strings.Join(msgs, "; ")
	return o
}
