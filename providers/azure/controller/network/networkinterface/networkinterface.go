// Package networkinterface manages Azure network interfaces.
package networkinterface

import (
	"context"
	"strings"

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

// ipConfigurationName names the IP configuration of the interfaces Stratus
// creates.
const ipConfigurationName = "primary"

// An API is the part of the network API that manages network interfaces;
// *armnetwork.InterfacesClient is one.
type API interface {
	Get(ctx context.Context, rg, name string, o *armnetwork.InterfacesClientGetOptions) (armnetwork.InterfacesClientGetResponse, error)
	BeginCreateOrUpdate(ctx context.Context, rg, name string, n armnetwork.Interface, o *armnetwork.InterfacesClientBeginCreateOrUpdateOptions) (*runtime.Poller[armnetwork.InterfacesClientCreateOrUpdateResponse], error)
	UpdateTags(ctx context.Context, rg, name string, t armnetwork.TagsObject, o *armnetwork.InterfacesClientUpdateTagsOptions) (armnetwork.InterfacesClientUpdateTagsResponse, error)
	BeginDelete(ctx context.Context, rg, name string, o *armnetwork.InterfacesClientBeginDeleteOptions) (*runtime.Poller[armnetwork.InterfacesClientDeleteResponse], error)
}

// NewAPI returns the network interfaces client of conn's subscription.
func NewAPI(conn *clients.Connection) (API, error) {
	return armnetwork.NewInterfacesClient(conn.SubscriptionID, conn.Credential, conn.Options)
}

// Setup adds a controller that reconciles network interfaces.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPI: NewAPI, ops: clients.NewOperations(mgr.GetClient())}
	k := provider.Kind{Managed: v1beta1.NetworkInterfaceGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The interface's name is the external name, the resource's name
	// unless set.
	return provider.SetupManaged(mgr, o, k, &v1beta1.NetworkInterface{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn   clients.ConnectionSource
	newAPI func(*clients.Connection) (API, error)
	ops    *clients.Operations
}

// Connect returns a client for the interface's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.NetworkInterface) (managed.TypedExternalClient[*v1beta1.NetworkInterface], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	api, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create network interfaces client")
	}
	return &external{api: api, ops: c.ops}, nil
}

type external struct {
	api API
	ops *clients.Operations

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
	// nic is the interface Observe saw.
	nic *armnetwork.Interface
}

func place(cr *v1beta1.NetworkInterface) (string, string, error) {
	rg := clients.Deref(cr.Spec.ForProvider.ResourceGroupName)
	if rg == "" {
		return "", "", errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from its reference)")
	}
	return rg, meta.GetExternalName(cr), nil
}

// resume resumes the operation op describes on interface name of group rg.
func (e *external) resume(rg, name string) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate, clients.VerbUpdate:
			return clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, armnetwork.Interface{}, &armnetwork.InterfacesClientBeginCreateOrUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.api.BeginDelete(ctx, rg, name, &armnetwork.InterfacesClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("unknown operation %q", op.Verb)
	}
}

// Observe polls the operation in progress, if any, and finds the interface
// by its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.NetworkInterface) (managed.ExternalObservation, error) {
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
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get network interface")
	}
	e.nic = &rsp.Interface
	tags := clients.FromPtrMap(e.nic.Tags)
	observed := parameters(e.nic)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	at := v1beta1.NetworkInterfaceObservation{ID: clients.Deref(e.nic.ID)}
	if c := primary(e.nic); c != nil {
		at.PrivateIPAddress = clients.Deref(c.Properties.PrivateIPAddress)
	}
	if np := e.nic.Properties; np != nil {
		at.ProvisioningState = string(clients.Deref(np.ProvisioningState))
		at.MACAddress = clients.Deref(np.MacAddress)
		if np.VirtualMachine != nil {
			at.VirtualMachineID = clients.Deref(np.VirtualMachine.ID)
		}
	}
	cr.Status.AtProvider = at
	clients.SetConditions(cr, at.ProvisioningState, e.op)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        e.op != nil || (ipConfigUpToDate(&cr.Spec.ForProvider, observed) && clients.TagsUpToDate(cr, cr.Spec.ForProvider.Tags, tags)),
		ResourceLateInitialized: lateInit,
	}, nil
}

// primary returns the primary IP configuration of n: the one marked so, or
// the first.
func primary(n *armnetwork.Interface) *armnetwork.InterfaceIPConfiguration {
	if n.Properties == nil {
		return nil
	}
	var first *armnetwork.InterfaceIPConfiguration
	for _, c := range n.Properties.IPConfigurations {
		if c == nil || c.Properties == nil {
			continue
		}
		if clients.Deref(c.Properties.Primary) {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

// parameters returns the interface's configuration in the shape of its
// spec.
func parameters(n *armnetwork.Interface) *v1beta1.NetworkInterfaceParameters {
	p := &v1beta1.NetworkInterfaceParameters{Location: n.Location, Tags: clients.UserTags(clients.FromPtrMap(n.Tags))}
	c := primary(n)
	if c == nil {
		return p
	}
	cp := c.Properties
	if cp.Subnet != nil {
		p.SubnetID = cp.Subnet.ID
	}
	p.PrivateIPAddressAllocation = (*string)(cp.PrivateIPAllocationMethod)
	if strings.EqualFold(string(clients.Deref(cp.PrivateIPAllocationMethod)), string(armnetwork.IPAllocationMethodStatic)) {
		// A dynamic address is Azure's to choose, not part of the spec.
		p.PrivateIPAddress = cp.PrivateIPAddress
	}
	if cp.PublicIPAddress != nil {
		p.PublicIPAddressID = cp.PublicIPAddress.ID
	}
	return p
}

// ipConfigUpToDate reports whether the observed IP configuration has what
// the spec sets. A static address is compared only when the allocation is
// static: a dynamic one is Azure's to choose.
func ipConfigUpToDate(fp, o *v1beta1.NetworkInterfaceParameters) bool {
	same := func(desired, observed *string) bool {
		return desired == nil || strings.EqualFold(*desired, clients.Deref(observed))
	}
	if !same(fp.SubnetID, o.SubnetID) || !same(fp.PrivateIPAddressAllocation, o.PrivateIPAddressAllocation) || !same(fp.PublicIPAddressID, o.PublicIPAddressID) {
		return false
	}
	return !strings.EqualFold(clients.Deref(fp.PrivateIPAddressAllocation), string(armnetwork.IPAllocationMethodStatic)) || same(fp.PrivateIPAddress, o.PrivateIPAddress)
}

// ipConfig sets the IP configuration c to what p says.
func ipConfig(c *armnetwork.InterfaceIPConfigurationPropertiesFormat, p *v1beta1.NetworkInterfaceParameters) {
	if p.SubnetID != nil {
		c.Subnet = &armnetwork.Subnet{ID: p.SubnetID}
	}
	if p.PrivateIPAddressAllocation != nil {
		c.PrivateIPAllocationMethod = (*armnetwork.IPAllocationMethod)(p.PrivateIPAddressAllocation)
	}
	if strings.EqualFold(string(clients.Deref(c.PrivateIPAllocationMethod)), string(armnetwork.IPAllocationMethodStatic)) {
		c.PrivateIPAddress = p.PrivateIPAddress
	}
	if p.PublicIPAddressID != nil {
		c.PublicIPAddress = &armnetwork.PublicIPAddress{ID: p.PublicIPAddressID}
	}
}

// Create starts creating the interface, with one IP configuration, and
// records the operation.
func (e *external) Create(ctx context.Context, cr *v1beta1.NetworkInterface) (managed.ExternalCreation, error) {
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create network interface")
	}
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	switch {
	case p.Location == nil:
		return managed.ExternalCreation{}, errors.New("cannot create network interface: spec.forProvider.location is required")
	case p.SubnetID == nil:
		return managed.ExternalCreation{}, errors.New("cannot create network interface: spec.forProvider.subnetId is required")
	}
	c := &armnetwork.InterfaceIPConfigurationPropertiesFormat{Primary: new(true)}
	ipConfig(c, &p)
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, armnetwork.Interface{
		Location: p.Location,
		Tags:     clients.ToPtrMap(clients.DesiredTags(cr, p.Tags)),
		Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{
			{Name: new(ipConfigurationName), Properties: c},
		}},
	}, nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create network interface")
	}
	// The reconciler saves the record with the external name.
	return managed.ExternalCreation{}, clients.Wrap(e.ops.Start(ctx, cr, clients.VerbCreate, poller, nil), "cannot create network interface")
}

// Update changes what differs from the spec: tags alone with a PATCH of the
// tags; the IP configuration with a PUT of the interface as Azure showed it
// (so that its other settings stay) with the primary IP configuration
// changed and the tags.
func (e *external) Update(ctx context.Context, cr *v1beta1.NetworkInterface) (managed.ExternalUpdate, error) {
	rg, name, err := place(cr)
	if err != nil || e.nic == nil {
		return managed.ExternalUpdate{}, err
	}
	fp := &cr.Spec.ForProvider
	tags := clients.ToPtrMap(clients.ManagedTags(cr, fp.Tags, clients.FromPtrMap(e.nic.Tags)))
	if ipConfigUpToDate(fp, parameters(e.nic)) {
		_, err := e.api.UpdateTags(ctx, rg, name, armnetwork.TagsObject{Tags: tags}, nil)
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update network interface tags")
	}
	n := *e.nic
	n.Tags, n.Etag = tags, nil
	props := *n.Properties
	props.ProvisioningState = nil
	props.IPConfigurations = make([]*armnetwork.InterfaceIPConfiguration, 0, len(e.nic.Properties.IPConfigurations))
	pc := primary(e.nic)
	for _, c := range e.nic.Properties.IPConfigurations {
		if c != pc {
			props.IPConfigurations = append(props.IPConfigurations, c)
			continue
		}
		cp := *c.Properties
		cp.ProvisioningState = nil
		ipConfig(&cp, fp)
		props.IPConfigurations = append(props.IPConfigurations, &armnetwork.InterfaceIPConfiguration{Name: c.Name, ID: c.ID, Properties: &cp})
	}
	n.Properties = &props
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, n, nil))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update network interface")
	}
	return managed.ExternalUpdate{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbUpdate, poller, nil), "cannot update network interface")
}

// Delete starts deleting the interface, unless Observe saw that under way.
// Azure refuses while a virtual machine uses the interface; the error shows
// on Synced and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.NetworkInterface) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if (e.op != nil && e.op.Verb == clients.VerbDelete) || cr.Status.AtProvider.ProvisioningState == clients.StateDeleting {
		return managed.ExternalDelete{}, nil
	}
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete network interface")
	}
	poller, err := clients.AsPoller(e.api.BeginDelete(ctx, rg, name, nil))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete network interface")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete network interface")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
