// Package linuxvirtualmachine manages Azure virtual machines running Linux.
package linuxvirtualmachine

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/compute/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// Connection details of a virtual machine, besides username.
const (
	ConnectionDetailPrivateIP = "privateIP"
	ConnectionDetailPublicIP  = "publicIP"
)

// powerRunning is the power state of a machine that is up.
const powerRunning = "running"

// maxComputerName is the longest host name a Linux machine may have.
const maxComputerName = 64

// An API is the part of the compute API that manages virtual machines;
// *armcompute.VirtualMachinesClient is one.
type API interface {
	Get(ctx context.Context, rg, name string, o *armcompute.VirtualMachinesClientGetOptions) (armcompute.VirtualMachinesClientGetResponse, error)
	BeginCreateOrUpdate(ctx context.Context, rg, name string, vm armcompute.VirtualMachine, o *armcompute.VirtualMachinesClientBeginCreateOrUpdateOptions) (*runtime.Poller[armcompute.VirtualMachinesClientCreateOrUpdateResponse], error)
	BeginUpdate(ctx context.Context, rg, name string, vm armcompute.VirtualMachineUpdate, o *armcompute.VirtualMachinesClientBeginUpdateOptions) (*runtime.Poller[armcompute.VirtualMachinesClientUpdateResponse], error)
	BeginDelete(ctx context.Context, rg, name string, o *armcompute.VirtualMachinesClientBeginDeleteOptions) (*runtime.Poller[armcompute.VirtualMachinesClientDeleteResponse], error)
}

// An InterfacesAPI reads network interfaces; *armnetwork.InterfacesClient
// is one.
type InterfacesAPI interface {
	Get(ctx context.Context, rg, name string, o *armnetwork.InterfacesClientGetOptions) (armnetwork.InterfacesClientGetResponse, error)
}

// A PublicIPAddressesAPI reads public IP addresses;
// *armnetwork.PublicIPAddressesClient is one.
type PublicIPAddressesAPI interface {
	Get(ctx context.Context, rg, name string, o *armnetwork.PublicIPAddressesClientGetOptions) (armnetwork.PublicIPAddressesClientGetResponse, error)
}

// APIs are the clients a virtual machine is managed with.
type APIs struct {
	VMs        API
	Interfaces InterfacesAPI
	PublicIPs  PublicIPAddressesAPI
}

// NewAPIs returns the clients of conn's subscription.
func NewAPIs(conn *clients.Connection) (APIs, error) {
	vms, err := armcompute.NewVirtualMachinesClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	nics, err := armnetwork.NewInterfacesClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	pips, err := armnetwork.NewPublicIPAddressesClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	return APIs{VMs: vms, Interfaces: nics, PublicIPs: pips}, nil
}

// Setup adds a controller that reconciles Linux virtual machines.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPIs: NewAPIs, ops: clients.NewOperations(mgr.GetClient()), kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.LinuxVirtualMachineGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The machine's name is the external name, the resource's name unless
	// set: a create retried after a crash finds the machine by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.LinuxVirtualMachine{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn    clients.ConnectionSource
	newAPIs func(*clients.Connection) (APIs, error)
	ops     *clients.Operations
	kube    client.Reader
}

// Connect returns a client for the machine's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.LinuxVirtualMachine) (managed.TypedExternalClient[*v1beta1.LinuxVirtualMachine], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	apis, err := c.newAPIs(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create virtual machines client")
	}
	return &external{apis: apis, ops: c.ops, kube: c.kube}, nil
}

type external struct {
	apis APIs
	ops  *clients.Operations
	kube client.Reader

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
	// vm is the machine Observe saw.
	vm *armcompute.VirtualMachine
}

func place(cr *v1beta1.LinuxVirtualMachine) (string, string, error) {
	rg := clients.Deref(cr.Spec.ForProvider.ResourceGroupName)
	if rg == "" {
		return "", "", errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from its reference)")
	}
	return rg, meta.GetExternalName(cr), nil
}

// resume resumes the operation op describes on machine name of group rg.
func (e *external) resume(rg, name string) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate:
			return clients.AsPoller(e.apis.VMs.BeginCreateOrUpdate(ctx, rg, name, armcompute.VirtualMachine{}, &armcompute.VirtualMachinesClientBeginCreateOrUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbUpdate:
			return clients.AsPoller(e.apis.VMs.BeginUpdate(ctx, rg, name, armcompute.VirtualMachineUpdate{}, &armcompute.VirtualMachinesClientBeginUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.apis.VMs.BeginDelete(ctx, rg, name, &armcompute.VirtualMachinesClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("unknown operation %q", op.Verb)
	}
}

// Observe polls the operation in progress, if any, finds the machine by its
// name, with its instance view, and reads the addresses of its primary
// network interface.
func (e *external) Observe(ctx context.Context, cr *v1beta1.LinuxVirtualMachine) (managed.ExternalObservation, error) {
	rg, name, err := place(cr)
	if err != nil || name == "" {
		return managed.ExternalObservation{}, err
	}
	if e.op, err = e.ops.Check(ctx, cr, e.resume(rg, name)); err != nil {
		return managed.ExternalObservation{}, err
	}
	rsp, err := e.apis.VMs.Get(ctx, rg, name, &armcompute.VirtualMachinesClientGetOptions{Expand: new(armcompute.InstanceViewTypesInstanceView)})
	if clients.IsNotFound(err) {
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get virtual machine")
	}
	e.vm = &rsp.VirtualMachine
	observed := parameters(e.vm)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	at := observation(e.vm)
	if at.PrivateIPAddress, at.PublicIPAddress, err = e.addresses(ctx, observed.NetworkInterfaceIDs); err != nil {
		return managed.ExternalObservation{}, err
	}
	cr.Status.AtProvider = at
	setConditions(cr, at, e.op)
	_, changed := changes(cr, e.vm)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        e.op != nil || !changed,
		ResourceLateInitialized: lateInit,
		ConnectionDetails:       connectionDetails(observed, at),
	}, nil
}

// parameters returns the machine's configuration in the shape of its spec.
func parameters(vm *armcompute.VirtualMachine) *v1beta1.LinuxVirtualMachineParameters {
	p := &v1beta1.LinuxVirtualMachineParameters{Location: vm.Location, Tags: clients.UserTags(clients.FromPtrMap(vm.Tags))}
	vp := vm.Properties
	if vp == nil {
		return p
	}
	if vp.HardwareProfile != nil {
		p.Size = (*string)(vp.HardwareProfile.VMSize)
	}
	if op := vp.OSProfile; op != nil {
		p.AdminUsername = op.AdminUsername
		if lc := op.LinuxConfiguration; lc != nil && lc.SSH != nil && len(lc.SSH.PublicKeys) > 0 && lc.SSH.PublicKeys[0] != nil {
			p.AdminSSHKey = lc.SSH.PublicKeys[0].KeyData
		}
	}
	if sp := vp.StorageProfile; sp != nil {
		if d := sp.OSDisk; d != nil {
			p.OSDisk = &v1beta1.OSDisk{Caching: (*string)(d.Caching), DiskSizeGB: d.DiskSizeGB}
			if d.ManagedDisk != nil {
				p.OSDisk.StorageAccountType = (*string)(d.ManagedDisk.StorageAccountType)
			}
		}
		if ir := sp.ImageReference; ir != nil && ir.Publisher != nil {
			p.SourceImageReference = &v1beta1.SourceImageReference{Publisher: clients.Deref(ir.Publisher), Offer: clients.Deref(ir.Offer), SKU: clients.Deref(ir.SKU), Version: ir.Version}
		}
	}
	if np := vp.NetworkProfile; np != nil {
		p.NetworkInterfaceIDs = nicIDs(np.NetworkInterfaces)
	}
	return p
}

// nicIDs returns the IDs of refs, the primary one first.
func nicIDs(refs []*armcompute.NetworkInterfaceReference) []string {
	ids := make([]string, 0, len(refs))
	for _, r := range refs {
		if r == nil || r.ID == nil {
			continue
		}
		if r.Properties != nil && clients.Deref(r.Properties.Primary) {
			ids = append([]string{*r.ID}, ids...)
			continue
		}
		ids = append(ids, *r.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// observation returns what Azure reports of vm, but its addresses.
func observation(vm *armcompute.VirtualMachine) v1beta1.LinuxVirtualMachineObservation {
	o := v1beta1.LinuxVirtualMachineObservation{ID: clients.Deref(vm.ID)}
	vp := vm.Properties
	if vp == nil {
		return o
	}
	o.VMID, o.ProvisioningState = clients.Deref(vp.VMID), clients.Deref(vp.ProvisioningState)
	if vp.HardwareProfile != nil {
		o.Size = string(clients.Deref(vp.HardwareProfile.VMSize))
	}
	if vp.StorageProfile != nil && vp.StorageProfile.OSDisk != nil {
		o.OSDiskName = clients.Deref(vp.StorageProfile.OSDisk.Name)
	}
	if vp.InstanceView != nil {
		for _, s := range vp.InstanceView.Statuses {
			if s != nil && strings.HasPrefix(clients.Deref(s.Code), "PowerState/") {
				o.PowerState = strings.TrimPrefix(*s.Code, "PowerState/")
			}
		}
	}
	return o
}

// addresses returns the private and public addresses of the primary network
// interface of a machine whose interfaces are nics (the primary first).
func (e *external) addresses(ctx context.Context, nics []string) (string, string, error) {
	if len(nics) == 0 {
		return "", "", nil
	}
	id, err := arm.ParseResourceID(nics[0])
	if err != nil {
		return "", "", errors.Wrapf(err, "cannot parse network interface ID %q", nics[0])
	}
	rsp, err := e.apis.Interfaces.Get(ctx, id.ResourceGroupName, id.Name, nil)
	if clients.IsNotFound(err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", clients.Wrap(err, "cannot get the primary network interface")
	}
	private, publicID := primaryAddress(&rsp.Interface)
	if publicID == "" {
		return private, "", nil
	}
	public, err := e.publicAddress(ctx, publicID)
	return private, public, err
}

// primaryAddress returns the private address of the primary IP
// configuration of n and the ID of its public address, if any.
func primaryAddress(n *armnetwork.Interface) (string, string) {
	if n.Properties == nil {
		return "", ""
	}
	var c *armnetwork.InterfaceIPConfigurationPropertiesFormat
	for _, ipc := range n.Properties.IPConfigurations {
		if ipc == nil || ipc.Properties == nil {
			continue
		}
		if c == nil || clients.Deref(ipc.Properties.Primary) {
			c = ipc.Properties
		}
	}
	if c == nil {
		return "", ""
	}
	if c.PublicIPAddress == nil {
		return clients.Deref(c.PrivateIPAddress), ""
	}
	return clients.Deref(c.PrivateIPAddress), clients.Deref(c.PublicIPAddress.ID)
}

// publicAddress returns the address of public IP address id.
func (e *external) publicAddress(ctx context.Context, id string) (string, error) {
	rid, err := arm.ParseResourceID(id)
	if err != nil {
		return "", errors.Wrapf(err, "cannot parse public IP address ID %q", id)
	}
	pip, err := e.apis.PublicIPs.Get(ctx, rid.ResourceGroupName, rid.Name, nil)
	if clients.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", clients.Wrap(err, "cannot get the public IP address")
	}
	if pip.Properties == nil {
		return "", nil
	}
	return clients.Deref(pip.Properties.IPAddress), nil
}

// setConditions sets the Ready condition from the machine's provisioning
// and power states and the operation in progress: Available when it is
// running, whatever it is being updated with.
func setConditions(cr *v1beta1.LinuxVirtualMachine, at v1beta1.LinuxVirtualMachineObservation, op *clients.Operation) {
	switch {
	case at.ProvisioningState == clients.StateDeleting || (op != nil && op.Verb == clients.VerbDelete):
		cr.SetConditions(xpv2.Deleting())
	case at.ProvisioningState == clients.StateCreating || (op != nil && op.Verb == clients.VerbCreate):
		cr.SetConditions(xpv2.Creating())
	case at.ProvisioningState == clients.StateFailed:
		cr.SetConditions(xpv2.Unavailable().WithMessage("provisioning state is " + at.ProvisioningState))
	case at.PowerState == powerRunning:
		cr.SetConditions(xpv2.Available())
	default:
		cr.SetConditions(xpv2.Unavailable().WithMessage("power state is " + at.PowerState))
	}
}

// connectionDetails returns the administrator's name and the machine's
// addresses.
func connectionDetails(p *v1beta1.LinuxVirtualMachineParameters, at v1beta1.LinuxVirtualMachineObservation) managed.ConnectionDetails {
	cd := managed.ConnectionDetails{}
	if u := clients.Deref(p.AdminUsername); u != "" {
		cd[xpv2.CredentialsSecretUserKey] = []byte(u)
	}
	if at.PrivateIPAddress != "" {
		cd[ConnectionDetailPrivateIP] = []byte(at.PrivateIPAddress)
	}
	if at.PublicIPAddress != "" {
		cd[ConnectionDetailPublicIP] = []byte(at.PublicIPAddress)
	}
	return cd
}

// changes returns the PATCH that makes vm match what cr's spec sets, and
// whether there is anything to change: the size, the network interfaces
// (which Azure changes only on a deallocated machine) and the tags, each
// only when it differs.
func changes(cr *v1beta1.LinuxVirtualMachine, vm *armcompute.VirtualMachine) (armcompute.VirtualMachineUpdate, bool) {
	fp := &cr.Spec.ForProvider
	o := parameters(vm)
	u := armcompute.VirtualMachineUpdate{}
	props := armcompute.VirtualMachineProperties{}
	if fp.Size != nil && !strings.EqualFold(*fp.Size, clients.Deref(o.Size)) {
		props.HardwareProfile = &armcompute.HardwareProfile{VMSize: (*armcompute.VirtualMachineSizeTypes)(fp.Size)}
	}
	if fp.NetworkInterfaceIDs != nil && !clients.SameSet(fp.NetworkInterfaceIDs, o.NetworkInterfaceIDs) {
		props.NetworkProfile = &armcompute.NetworkProfile{NetworkInterfaces: nicRefs(fp.NetworkInterfaceIDs)}
	}
	if props.HardwareProfile != nil || props.NetworkProfile != nil {
		u.Properties = &props
	}
	observedTags := clients.FromPtrMap(vm.Tags)
	if !clients.TagsUpToDate(cr, fp.Tags, observedTags) {
		u.Tags = clients.ToPtrMap(clients.ManagedTags(cr, fp.Tags, observedTags))
	}
	return u, u.Properties != nil || u.Tags != nil
}

// nicRefs returns references to the network interfaces ids, the first
// primary. The interfaces are resources of their own: they stay when the
// machine is deleted.
func nicRefs(ids []string) []*armcompute.NetworkInterfaceReference {
	refs := make([]*armcompute.NetworkInterfaceReference, 0, len(ids))
	for i, id := range ids {
		refs = append(refs, &armcompute.NetworkInterfaceReference{ID: new(id), Properties: &armcompute.NetworkInterfaceReferenceProperties{
			Primary:      new(i == 0),
			DeleteOption: new(armcompute.DeleteOptionsDetach),
		}})
	}
	return refs
}

// Create starts creating the machine, with the administrator password from
// its Secret if there is one, and records the operation.
func (e *external) Create(ctx context.Context, cr *v1beta1.LinuxVirtualMachine) (managed.ExternalCreation, error) {
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create virtual machine")
	}
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	switch {
	case p.Location == nil, p.Size == nil, p.AdminUsername == nil, p.SourceImageReference == nil, len(p.NetworkInterfaceIDs) == 0:
		return managed.ExternalCreation{}, errors.New("cannot create virtual machine: spec.forProvider needs location, size, adminUsername, sourceImageReference and networkInterfaceIds")
	case p.AdminSSHKey == nil && p.AdminPasswordSecretRef == nil:
		return managed.ExternalCreation{}, errors.New("cannot create virtual machine: spec.forProvider needs adminSshKey or adminPasswordSecretRef")
	}
	pw := ""
	if ref := p.AdminPasswordSecretRef; ref != nil {
		if pw, err = clients.ReadPassword(ctx, e.kube, *ref); err != nil {
			return managed.ExternalCreation{}, errors.Wrap(err, "cannot create virtual machine")
		}
		if pw == "" {
			return managed.ExternalCreation{}, errors.Errorf("cannot create virtual machine: password Secret %s/%s has no key %q", ref.Namespace, ref.Name, ref.Key)
		}
	}
	poller, err := clients.AsPoller(e.apis.VMs.BeginCreateOrUpdate(ctx, rg, name, machine(cr, name, &p, pw), nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Redacted(clients.Wrap(err, "cannot create virtual machine"), pw)
	}
	// The reconciler saves the record with the external name.
	return managed.ExternalCreation{}, clients.Redacted(clients.Wrap(e.ops.Start(ctx, cr, clients.VerbCreate, poller, nil), "cannot create virtual machine"), pw)
}

// machine returns the virtual machine p describes, named name, with
// administrator password pw (none when empty).
func machine(cr *v1beta1.LinuxVirtualMachine, name string, p *v1beta1.LinuxVirtualMachineParameters, pw string) armcompute.VirtualMachine {
	computerName := name
	if len(computerName) > maxComputerName {
		computerName = computerName[:maxComputerName]
	}
	lc := &armcompute.LinuxConfiguration{DisablePasswordAuthentication: new(pw == "")}
	if p.AdminSSHKey != nil {
		lc.SSH = &armcompute.SSHConfiguration{PublicKeys: []*armcompute.SSHPublicKey{{
			KeyData: p.AdminSSHKey,
			Path:    new("/home/" + *p.AdminUsername + "/.ssh/authorized_keys"),
		}}}
	}
	os := &armcompute.OSProfile{AdminUsername: p.AdminUsername, ComputerName: &computerName, LinuxConfiguration: lc}
	if pw != "" {
		os.AdminPassword = new(pw)
	}
	disk := &armcompute.OSDisk{
		CreateOption: new(armcompute.DiskCreateOptionTypesFromImage),
		// The disk is the machine's: it goes with it rather than leak.
		DeleteOption: new(armcompute.DiskDeleteOptionTypesDelete),
	}
	if d := p.OSDisk; d != nil {
		disk.Caching, disk.DiskSizeGB = (*armcompute.CachingTypes)(d.Caching), d.DiskSizeGB
		if d.StorageAccountType != nil {
			disk.ManagedDisk = &armcompute.ManagedDiskParameters{StorageAccountType: (*armcompute.StorageAccountTypes)(d.StorageAccountType)}
		}
	}
	img := p.SourceImageReference
	version := img.Version
	if version == nil {
		version = new("latest")
	}
	return armcompute.VirtualMachine{
		Location: p.Location,
		Tags:     clients.ToPtrMap(clients.DesiredTags(cr, p.Tags)),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: (*armcompute.VirtualMachineSizeTypes)(p.Size)},
			OSProfile:       os,
			StorageProfile: &armcompute.StorageProfile{
				ImageReference: &armcompute.ImageReference{Publisher: &img.Publisher, Offer: &img.Offer, SKU: &img.SKU, Version: version},
				OSDisk:         disk,
			},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: nicRefs(p.NetworkInterfaceIDs)},
		},
	}
}

// Update starts a PATCH of what differs from the spec (size, network
// interfaces, tags) and records the operation.
func (e *external) Update(ctx context.Context, cr *v1beta1.LinuxVirtualMachine) (managed.ExternalUpdate, error) {
	rg, name, err := place(cr)
	if err != nil || e.vm == nil || e.op != nil {
		return managed.ExternalUpdate{}, err
	}
	u, changed := changes(cr, e.vm)
	if !changed {
		return managed.ExternalUpdate{}, nil
	}
	poller, err := clients.AsPoller(e.apis.VMs.BeginUpdate(ctx, rg, name, u, nil))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update virtual machine")
	}
	return managed.ExternalUpdate{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbUpdate, poller, nil), "cannot update virtual machine")
}

// Delete starts deleting the machine (and its OS disk, not its network
// interfaces), unless Observe saw that under way.
func (e *external) Delete(ctx context.Context, cr *v1beta1.LinuxVirtualMachine) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if (e.op != nil && e.op.Verb == clients.VerbDelete) || cr.Status.AtProvider.ProvisioningState == clients.StateDeleting {
		return managed.ExternalDelete{}, nil
	}
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete virtual machine")
	}
	poller, err := clients.AsPoller(e.apis.VMs.BeginDelete(ctx, rg, name, nil))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete virtual machine")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete virtual machine")
}

// Disconnect does nothing: the SDK clients hold no connection of their own.
func (e *external) Disconnect(context.Context) error { return nil }
