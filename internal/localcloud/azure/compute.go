package azure

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

const (
	nsCompute = "Microsoft.Compute"
	typeVM    = "Microsoft.Compute/virtualMachines"
)

// Power states of a virtual machine at rest.
const (
	powerRunning     = "running"
	powerStopped     = "stopped"
	powerDeallocated = "deallocated"
)

// A vmRow is a virtual machine: what the API shows except its provisioning
// state and instance view, which follow from the row's lifecycle, and its
// secrets (the administrator password and custom data are write-only and
// not kept). UserData is shown only when asked for.
type vmRow struct {
	ID       string                    `json:"id"`
	VM       armcompute.VirtualMachine `json:"vm"`
	UserData *string                   `json:"userData,omitempty"`
	Power    string                    `json:"power"`
	Changed  time.Time                 `json:"changed"`
	Pending  pending                   `json:"pending"`
}

func (r *vmRow) life() *pending { return &r.Pending }

func (r vmRow) provisioningState() string {
	switch r.Pending.Phase {
	case phaseCreate:
		return "Creating"
	case phaseDelete:
		return "Deleting"
	case "":
		return "Succeeded"
	}
	return "Updating"
}

func (r vmRow) powerState() string {
	switch r.Pending.Phase {
	case phaseCreate, phaseStart, phaseRestart:
		return "starting"
	case phaseStop:
		return "stopping"
	case phaseDeallocate:
		return "deallocating"
	}
	return r.Power
}

var powerDisplay = map[string]string{
	"starting":       "VM starting",
	powerRunning:     "VM running",
	"stopping":       "VM stopping",
	powerStopped:     "VM stopped",
	"deallocating":   "VM deallocating",
	powerDeallocated: "VM deallocated",
}

func (r vmRow) instanceView() *armcompute.VirtualMachineInstanceView {
	prov := r.provisioningState()
	display := prov
	if prov == "Succeeded" {
		display = "Provisioning succeeded"
	}
	power := r.powerState()
	v := &armcompute.VirtualMachineInstanceView{
		Statuses: []*armcompute.InstanceViewStatus{
			status("ProvisioningState/"+strings.ToLower(prov), display, r.Changed),
			status("PowerState/"+power, powerDisplay[power], time.Time{}),
		},
		HyperVGeneration: new(armcompute.HyperVGenerationTypeV2),
	}
	if r.VM.Properties.OSProfile != nil {
		v.ComputerName = r.VM.Properties.OSProfile.ComputerName
	}
	return v
}

// status is an instance view status; a zero t is no time.
func status(code, display string, t time.Time) *armcompute.InstanceViewStatus {
	st := &armcompute.InstanceViewStatus{Code: &code, Level: new(armcompute.StatusLevelTypesInfo), DisplayStatus: &display}
	if !t.IsZero() {
		st.Time = &t
	}
	return st
}

func (r vmRow) model(expand string) armcompute.VirtualMachine {
	m := clone(r.VM)
	m.Properties.ProvisioningState = new(r.provisioningState())
	switch strings.ToLower(expand) {
	case "instanceview":
		m.Properties.InstanceView = r.instanceView()
	case "userdata":
		m.Properties.UserData = r.UserData
	}
	return m
}

// vmSecrets are what a virtual machine request carries that the API never
// shows again.
type vmSecrets struct {
	password string
	userData *string
}

// normalizeVM fills the defaults of a virtual machine named name and drops
// what the server sets and the secrets, which it returns apart. cur, when
// set, is the machine being updated, whose generated values stand in for
// ones the request leaves out.
func normalizeVM(in armcompute.VirtualMachine, name string, cur *armcompute.VirtualMachine) (armcompute.VirtualMachine, vmSecrets) {
	m := clone(in)
	m.ID, m.Name, m.Type, m.Etag, m.ManagedBy, m.Resources, m.SystemData = nil, nil, nil, nil, nil, nil, nil
	if m.Location != nil {
		m.Location = new(normalizeLocation(*m.Location))
	}
	if m.Properties == nil {
		m.Properties = &armcompute.VirtualMachineProperties{}
	}
	p := m.Properties
	sec := vmSecrets{userData: p.UserData}
	p.InstanceView, p.ProvisioningState, p.VMID, p.TimeCreated, p.UserData = nil, nil, nil, nil, nil
	if o := p.OSProfile; o != nil {
		sec.password = deref(o.AdminPassword)
		normalizeOSProfile(o, name)
	}
	if p.StorageProfile == nil {
		p.StorageProfile = &armcompute.StorageProfile{}
	}
	var curDisk *armcompute.OSDisk
	if cur != nil && cur.Properties != nil && cur.Properties.StorageProfile != nil {
		curDisk = cur.Properties.StorageProfile.OSDisk
	}
	windows := p.OSProfile != nil && p.OSProfile.WindowsConfiguration != nil
	normalizeOSDisk(p.StorageProfile, windows, curDisk)
	if p.NetworkProfile != nil {
		for _, n := range p.NetworkProfile.NetworkInterfaces {
			if n == nil {
				continue
			}
			if n.Properties == nil {
				n.Properties = &armcompute.NetworkInterfaceReferenceProperties{}
			}
			n.Properties.DeleteOption = orDefault(n.Properties.DeleteOption, armcompute.DeleteOptionsDetach)
		}
	}
	return m, sec
}

// normalizeOSProfile drops the secrets of an OS profile and fills its
// defaults.
func normalizeOSProfile(o *armcompute.OSProfile, name string) {
	o.AdminPassword, o.CustomData = nil, nil
	o.ComputerName = orDefault(o.ComputerName, name)
	o.AllowExtensionOperations = orDefault(o.AllowExtensionOperations, true)
	o.RequireGuestProvisionSignal = orDefault(o.RequireGuestProvisionSignal, true)
	if o.WindowsConfiguration == nil && o.LinuxConfiguration == nil {
		o.LinuxConfiguration = &armcompute.LinuxConfiguration{}
	}
	lc := o.LinuxConfiguration
	if lc == nil {
		return
	}
	lc.DisablePasswordAuthentication = orDefault(lc.DisablePasswordAuthentication, false)
	lc.ProvisionVMAgent = orDefault(lc.ProvisionVMAgent, true)
	if lc.SSH == nil {
		return
	}
	for _, k := range lc.SSH.PublicKeys {
		if k != nil {
			k.Path = orDefault(k.Path, "/home/"+deref(o.AdminUsername)+"/.ssh/authorized_keys")
		}
	}
}

// normalizeOSDisk fills the defaults of the OS disk and image of a storage
// profile; cur is the disk of the machine being updated, if any.
func normalizeOSDisk(sp *armcompute.StorageProfile, windows bool, cur *armcompute.OSDisk) {
	if sp.OSDisk == nil {
		sp.OSDisk = &armcompute.OSDisk{}
	}
	d := sp.OSDisk
	d.CreateOption = orDefault(d.CreateOption, armcompute.DiskCreateOptionTypesFromImage)
	osType, size := armcompute.OperatingSystemTypesLinux, int32(30)
	if windows {
		osType, size = armcompute.OperatingSystemTypesWindows, 127
	}
	if cur != nil {
		d.Name = orDefault(d.Name, deref(cur.Name))
		size = deref(orDefault(cur.DiskSizeGB, size))
	}
	d.OSType = orDefault(d.OSType, osType)
	d.DiskSizeGB = orDefault(d.DiskSizeGB, size)
	d.Caching = orDefault(d.Caching, armcompute.CachingTypesReadWrite)
	d.DeleteOption = orDefault(d.DeleteOption, armcompute.DiskDeleteOptionTypesDetach)
	if d.ManagedDisk == nil {
		d.ManagedDisk = &armcompute.ManagedDiskParameters{}
	}
	d.ManagedDisk.ID = nil
	d.ManagedDisk.StorageAccountType = orDefault(d.ManagedDisk.StorageAccountType, armcompute.StorageAccountTypesPremiumLRS)
	if ir := sp.ImageReference; ir != nil {
		ir.ExactVersion = nil
		if ir.ID == nil && ir.SharedGalleryImageID == nil && ir.CommunityGalleryImageID == nil {
			ir.Version = orDefault(ir.Version, "latest")
		}
	}
}

// reservedAdmins are administrator names Azure refuses.
var reservedAdmins = []string{
	"administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a",
	"actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root",
	"server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
}

// validateVM checks a new virtual machine's spec and secrets.
func validateVM(m armcompute.VirtualMachine, sec vmSecrets) *apiError {
	p := m.Properties
	if p.HardwareProfile == nil || deref(p.HardwareProfile.VMSize) == "" {
		return invalidParameter("hardwareProfile.vmSize", "Required parameter 'hardwareProfile.vmSize' is missing (null).")
	}
	if e := validateImage(p.StorageProfile); e != nil {
		return e
	}
	o := p.OSProfile
	if o == nil {
		return invalidParameter("osProfile", "Required parameter 'osProfile' is missing (null).")
	}
	user := deref(o.AdminUsername)
	switch {
	case user == "":
		return invalidParameter("osProfile.adminUsername", "Required parameter 'osProfile.adminUsername' is missing (null).")
	case slices.Contains(reservedAdmins, strings.ToLower(user)) || len(user) > 64:
		return invalidParameter("adminUsername", "The Admin Username specified is not allowed.")
	}
	if *p.StorageProfile.OSDisk.OSType == armcompute.OperatingSystemTypesWindows {
		return validateWindows(sec)
	}
	return validateLinux(user, o.LinuxConfiguration, sec)
}

// validateImage checks that a machine is created from an image.
func validateImage(sp *armcompute.StorageProfile) *apiError {
	if c := *sp.OSDisk.CreateOption; c != armcompute.DiskCreateOptionTypesFromImage {
		return invalidParameter("osDisk.createOption", "The local cloud creates virtual machines from images only; osDisk.createOption '%s' is not supported.", c)
	}
	ir := sp.ImageReference
	if ir == nil {
		return invalidParameter("imageReference", "Required parameter 'imageReference' is missing (null).")
	}
	if ir.ID == nil && ir.SharedGalleryImageID == nil && ir.CommunityGalleryImageID == nil &&
		(deref(ir.Publisher) == "" || deref(ir.Offer) == "" || deref(ir.SKU) == "") {
		return invalidParameter("imageReference", "The image reference must name a publisher, offer and sku, or an image ID.")
	}
	return nil
}

func validateWindows(sec vmSecrets) *apiError {
	if sec.password == "" {
		return invalidParameter("adminPassword", "Required parameter 'adminPassword' is missing (null).")
	}
	if !complexPassword(sec.password, 8, 123) {
		return invalidParameter("adminPassword", "The supplied password must be between 8-123 characters long and must satisfy at least 3 of password complexity requirements from the following: 1) Contains an uppercase character 2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character.")
	}
	return nil
}

// validateLinux checks how administrator user of a Linux machine logs in:
// with a password, SSH keys, or both.
func validateLinux(user string, lc *armcompute.LinuxConfiguration, sec vmSecrets) *apiError {
	if lc == nil {
		lc = &armcompute.LinuxConfiguration{}
	}
	var keys []*armcompute.SSHPublicKey
	if lc.SSH != nil {
		keys = lc.SSH.PublicKeys
	}
	if e := validateKeys(user, keys); e != nil {
		return e
	}
	noPassword := deref(lc.DisablePasswordAuthentication)
	switch {
	case noPassword && len(keys) == 0:
		return invalidParameter("linuxConfiguration.ssh.publicKeys", "Required parameter 'linuxConfiguration.ssh.publicKeys' is missing when password authentication is disabled.")
	case noPassword && sec.password != "":
		return invalidParameter("adminPassword", "Password authentication is disabled, so 'adminPassword' must not be set.")
	case sec.password == "" && len(keys) == 0:
		return invalidParameter("adminPassword", "Required parameter 'adminPassword' is missing (null).")
	case sec.password != "" && !complexPassword(sec.password, 6, 72):
		return invalidParameter("adminPassword", "The supplied password must be between 6-72 characters long and must satisfy at least 3 of password complexity requirements from the following: 1) Contains an uppercase character 2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character.")
	}
	return nil
}

// validateKeys checks the SSH public keys of administrator user.
func validateKeys(user string, keys []*armcompute.SSHPublicKey) *apiError {
	for _, k := range keys {
		data := deref(k.KeyData)
		if !strings.HasPrefix(data, "ssh-rsa ") && !strings.HasPrefix(data, "ssh-ed25519 ") && !strings.HasPrefix(data, "ecdsa-sha2-") {
			return invalidParameter("linuxConfiguration.ssh.publicKeys.keyData", "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.")
		}
		if want := "/home/" + user + "/.ssh/authorized_keys"; deref(k.Path) != want {
			return invalidParameter("linuxConfiguration.ssh.publicKeys.path", "The value of parameter linuxConfiguration.ssh.publicKeys.path is invalid: on the local cloud, as on Azure, keys can only be placed in %s.", want)
		}
	}
	return nil
}

// vmNICs returns the network interface IDs of a virtual machine.
func vmNICs(m armcompute.VirtualMachine) []string {
	var out []string
	if m.Properties == nil || m.Properties.NetworkProfile == nil {
		return out
	}
	for _, n := range m.Properties.NetworkProfile.NetworkInterfaces {
		if n != nil {
			out = append(out, deref(n.ID))
		}
	}
	return out
}

// resolveVMNICs checks the network interfaces a virtual machine id (spec)
// references. Called with s.mu held.
func (s *Service) resolveVMNICs(id string, spec armcompute.VirtualMachine) *apiError {
	np := spec.Properties.NetworkProfile
	if np != nil && len(np.NetworkInterfaceConfigurations) > 0 {
		return invalidParameter("networkProfile.networkInterfaceConfigurations", "The local cloud does not create network interfaces for virtual machines; create them first and reference them in networkProfile.networkInterfaces.")
	}
	if np == nil || len(np.NetworkInterfaces) == 0 {
		return invalidParameter("networkProfile", "Virtual machine %s must have at least one network interface.", deref(spec.Name))
	}
	primaries := 0
	for _, n := range np.NetworkInterfaces {
		if n == nil || deref(n.ID) == "" {
			return invalidParameter("networkProfile.networkInterfaces.id", "Required parameter 'networkProfile.networkInterfaces.id' is missing (null).")
		}
		if deref(n.Properties.Primary) {
			primaries++
		}
		nicID, e := s.checkVMNIC(id, spec, *n.ID)
		if e != nil {
			return e
		}
		n.ID = &nicID
	}
	if len(np.NetworkInterfaces) > 1 && primaries != 1 {
		return invalidParameter("networkProfile.networkInterfaces", "Virtual machine %s has more than one network interface; exactly one must be set as primary.", deref(spec.Name))
	}
	return nil
}

// checkVMNIC checks that virtual machine id (spec) can use network
// interface ref, and returns its canonical ID.
func (s *Service) checkVMNIC(id string, spec armcompute.VirtualMachine, ref string) (string, *apiError) {
	nic, ok, err := s.nics.Get(key(ref))
	switch {
	case err != nil:
		return "", internalError()
	case !ok || nic.Pending.Phase == phaseDelete:
		return "", notFound(ref)
	case deref(nic.NIC.Location) != *spec.Location:
		return "", invalidParameter("networkProfile.networkInterfaces", "Network interface %s is in location %s, virtual machine %s in %s; they must be in the same location.", nic.ID, deref(nic.NIC.Location), deref(spec.Name), *spec.Location)
	}
	if other := s.vmUsingNIC(nic.ID); other != "" && !sameID(other, id) {
		return "", badRequest("NicInUse", "Network interface %s is in use by virtual machine %s.", nic.ID, other)
	}
	return nic.ID, nil
}

// vmUsingNIC returns the virtual machine a network interface is attached to,
// if any.
func (s *Service) vmUsingNIC(nic string) string {
	all, _ := s.vms.List()
	for _, v := range all {
		for _, n := range vmNICs(v.VM) {
			if sameID(n, nic) {
				return v.ID
			}
		}
	}
	return ""
}

// vmActions are the actions on a virtual machine, by lower-case name.
var vmActions = map[string]string{"start": phaseStart, "poweroff": phaseStop, "deallocate": phaseDeallocate, "restart": phaseRestart}

func (s *Service) virtualMachines(q *request) *apiError {
	expand := q.r.URL.Query().Get("$expand")
	switch action := strings.ToLower(q.rt.Action); {
	case q.rt.Kind == routeCollection:
		return listPrefix(q, s.vms, q.collectionPrefix(), func(v vmRow) armcompute.VirtualMachine { return v.model(expand) })
	case action == "instanceview":
		return methods{get: s.getInstanceView}.serve(q)
	case action != "":
		phase, ok := vmActions[action]
		if !ok {
			return unsupportedAction(q.rt)
		}
		if q.r.Method != http.MethodPost {
			return methodNotAllowed(q.r)
		}
		return s.vmAction(q, phase)
	}
	return methods{get: s.getVMAPI, put: s.putVM, patch: s.patchVM, del: s.deleteVM}.serve(q)
}

func (s *Service) getVMAPI(q *request) *apiError {
	v, e := s.getVM(q)
	if e != nil {
		return e
	}
	writeJSON(q.w, http.StatusOK, v.model(q.r.URL.Query().Get("$expand")))
	return nil
}

func (s *Service) getInstanceView(q *request) *apiError {
	v, e := s.getVM(q)
	if e != nil {
		return e
	}
	writeJSON(q.w, http.StatusOK, v.instanceView())
	return nil
}

func (s *Service) getVM(q *request) (vmRow, *apiError) {
	v, ok, err := s.vms.Get(key(q.id(typeVM, q.rt.Names[0])))
	if err != nil {
		return v, internalError()
	}
	if !ok {
		return v, resourceNotFound(typeVM, q.rt.Names[0], q.group.Name)
	}
	return v, nil
}

func (s *Service) putVM(q *request) *apiError {
	name := q.rt.Names[0]
	if e := validName(typeVM, name, 64); e != nil {
		return e
	}
	var in armcompute.VirtualMachine
	if e := decode(q.r, &in); e != nil {
		return e
	}
	if _, e := requireLocation(in.Location); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	id := q.id(typeVM, name)
	cur, found, err := s.vms.Get(key(id))
	if err != nil {
		return internalError()
	}
	if found {
		spec, sec := normalizeVM(in, name, &cur.VM)
		return s.updateVM(q, cur, spec, sec)
	}
	spec, sec := normalizeVM(in, name, nil)
	spec.Name = new(name)
	if e := validateVM(spec, sec); e != nil {
		return e
	}
	if e := s.resolveVMNICs(id, spec); e != nil {
		return e
	}
	op, err := s.startOp(q.rt.Sub, nsCompute, *spec.Location, id, actionCreate, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Type = new(id), new(typeVM)
	spec.Properties.VMID, spec.Properties.TimeCreated = new(newID()), new(q.now)
	d := spec.Properties.StorageProfile.OSDisk
	if d.Name == nil {
		d.Name = new(name + "_OsDisk_1_" + strings.ReplaceAll(newID(), "-", ""))
	}
	row := vmRow{ID: id, VM: spec, UserData: sec.userData, Power: powerRunning, Changed: q.now, Pending: pending{Phase: phaseCreate, Until: q.now.Add(s.env.Delays.Create), Op: op.ID}}
	if err := s.vms.Put(key(id), row); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, http.StatusCreated, row.model(""))
	return nil
}

func (s *Service) patchVM(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, e := s.getVM(q)
	if e != nil {
		return e
	}
	next, e := patchModel(q.r, cur.model(""))
	if e != nil {
		return e
	}
	spec, sec := normalizeVM(next, *cur.VM.Name, &cur.VM)
	spec.Location = orDefault(spec.Location, deref(cur.VM.Location))
	return s.updateVM(q, cur, spec, sec)
}

// checkVMUpdate checks an update of virtual machine cur to spec and
// returns the normalized current spec.
func (s *Service) checkVMUpdate(q *request, cur vmRow, spec armcompute.VirtualMachine) (armcompute.VirtualMachine, *apiError) {
	vm := *cur.VM.Name
	curSpec, _ := normalizeVM(cur.VM, vm, &cur.VM)
	curSpec.Name = cur.VM.Name
	if cur.Pending.Phase == phaseDelete {
		return curSpec, conflict("OperationNotAllowed", "Operation 'PUT' is not allowed on VM '%s' since the VM is marked for deletion. You can only retry the Delete operation (or wait for an ongoing one to complete).", vm)
	}
	if *spec.Location != deref(cur.VM.Location) {
		return curSpec, otherLocation(vm, deref(cur.VM.Location), q.group.Name, *spec.Location)
	}
	return curSpec, nil
}

// updateVM applies spec to virtual machine cur. Called with s.mu held.
func (s *Service) updateVM(q *request, cur vmRow, spec armcompute.VirtualMachine, sec vmSecrets) *apiError {
	vm := *cur.VM.Name
	spec.Name = cur.VM.Name
	curSpec, e := s.checkVMUpdate(q, cur, spec)
	if e != nil {
		return e
	}
	if sec.userData == nil {
		sec.userData = cur.UserData
	}
	if sameJSON(spec, curSpec) && deref(sec.userData) == deref(cur.UserData) {
		writeJSON(q.w, http.StatusOK, cur.model(""))
		return nil
	}
	if e := vmChangeAllowed(curSpec, spec); e != nil {
		return e
	}
	if !slices.EqualFunc(vmNICs(curSpec), vmNICs(spec), sameID) && (cur.Power != powerDeallocated || cur.Pending.Phase != "") {
		return conflict("OperationNotAllowed", "Virtual machine %s must be deallocated before network interfaces are added or removed.", vm)
	}
	if cur.Pending.Phase == phaseCreate {
		return conflict("OperationNotAllowed", "Operation 'PUT' is not allowed on VM '%s' while it is being created.", vm)
	}
	if e := s.resolveVMNICs(cur.ID, spec); e != nil {
		return e
	}
	op, err := s.startOp(q.rt.Sub, nsCompute, *spec.Location, cur.ID, actionUpdate, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Type = cur.VM.ID, cur.VM.Type
	spec.Properties.VMID, spec.Properties.TimeCreated = cur.VM.Properties.VMID, cur.VM.Properties.TimeCreated
	cur.VM, cur.UserData, cur.Changed = spec, sec.userData, q.now
	if cur.Pending.Phase == "" || cur.Pending.Phase == phaseUpdate {
		s.supersede(&cur.Pending, pending{Phase: phaseUpdate, Until: q.now.Add(s.env.Delays.Modify), Op: op.ID})
	} else {
		// A power transition in progress carries the update with it.
		s.finishOp(op.ID, nil)
	}
	if err := s.vms.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, http.StatusOK, cur.model(""))
	return nil
}

func propertyChange(name string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: "PropertyChangeNotAllowed", Message: "Changing property '" + name + "' is not allowed.", Target: name}
}

// vmChangeAllowed refuses the changes Azure refuses on an existing virtual
// machine.
func vmChangeAllowed(cur, next armcompute.VirtualMachine) *apiError {
	cp, np := cur.Properties, next.Properties
	co, no := cp.OSProfile, np.OSProfile
	if no != nil && co != nil {
		if deref(no.AdminUsername) != deref(co.AdminUsername) {
			return propertyChange("osProfile.adminUsername")
		}
		if deref(no.ComputerName) != deref(co.ComputerName) {
			return propertyChange("osProfile.computerName")
		}
	}
	if !sameJSON(cp.StorageProfile.ImageReference, np.StorageProfile.ImageReference) {
		return propertyChange("imageReference")
	}
	if deref(cp.StorageProfile.OSDisk.Name) != deref(np.StorageProfile.OSDisk.Name) {
		return propertyChange("osDisk.name")
	}
	return nil
}

// vmActionAllowed refuses actions on a machine being created or deleted,
// and restarts of a machine that is not running.
func vmActionAllowed(cur vmRow, phase, action string) *apiError {
	vm := *cur.VM.Name
	switch {
	case cur.Pending.Phase == phaseDelete:
		return conflict("OperationNotAllowed", "Operation '%s' is not allowed on VM '%s' since the VM is marked for deletion. You can only retry the Delete operation (or wait for an ongoing one to complete).", action, vm)
	case cur.Pending.Phase == phaseCreate:
		return conflict("OperationNotAllowed", "Operation '%s' is not allowed on VM '%s' while it is being created.", action, vm)
	case phase == phaseRestart && (cur.Power != powerRunning || (cur.Pending.Phase != "" && cur.Pending.Phase != phaseUpdate)):
		return conflict("OperationNotAllowed", "Operation 'restart' is not allowed on VM '%s' since the VM is not running.", vm)
	}
	return nil
}

// alreadyIn reports whether a machine at rest is already where action
// phase would take it.
func alreadyIn(cur vmRow, phase string) bool {
	if cur.Pending.Phase != "" {
		return false
	}
	switch phase {
	case phaseStart:
		return cur.Power == powerRunning
	case phaseStop:
		return cur.Power == powerStopped || cur.Power == powerDeallocated
	case phaseDeallocate:
		return cur.Power == powerDeallocated
	}
	return false
}

// vmAction starts, powers off, deallocates or restarts a virtual machine.
// A machine already in the asked state answers with an operation that has
// succeeded.
func (s *Service) vmAction(q *request, phase string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, e := s.getVM(q)
	if e != nil {
		return e
	}
	if e := vmActionAllowed(cur, phase, q.rt.Action); e != nil {
		return e
	}
	done := alreadyIn(cur, phase)
	op, err := s.startOp(q.rt.Sub, nsCompute, deref(cur.VM.Location), cur.ID, phase, done)
	if err != nil {
		return internalError()
	}
	if !done {
		delay := s.env.Delays.Stop
		if phase == phaseStart || phase == phaseRestart {
			delay = s.env.Delays.Start
		}
		if cur.Pending.Phase == phaseUpdate {
			// The update in progress is done with this transition.
			s.finishOp(cur.Pending.Op, nil)
			cur.Pending.Op = ""
		}
		s.supersede(&cur.Pending, pending{Phase: phase, Until: q.now.Add(delay), Op: op.ID})
		cur.Changed = q.now
		if err := s.vms.Put(key(cur.ID), cur); err != nil {
			return internalError()
		}
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}

func (s *Service) deleteVM(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok, err := s.vms.Get(key(q.id(typeVM, q.rt.Names[0])))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsCompute, deref(cur.VM.Location), cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	cur.Changed = q.now
	if err := s.vms.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}

// tickVirtualMachines finishes power transitions, updates and deletions.
// Deleting a machine deletes the network interfaces it references with
// deleteOption Delete, and their public IP addresses with deleteOption
// Delete.
func (s *Service) tickVirtualMachines(now time.Time) {
	all, err := s.vms.List()
	if err != nil {
		return
	}
	for _, v := range all {
		p := v.Pending
		if !p.due(now) {
			continue
		}
		if p.Phase == phaseDelete {
			if !remove(s, s.vms, key(v.ID), p) {
				continue
			}
			var refs []*armcompute.NetworkInterfaceReference
			if v.VM.Properties.NetworkProfile != nil {
				refs = v.VM.Properties.NetworkProfile.NetworkInterfaces
			}
			for _, n := range refs {
				if n != nil && n.Properties != nil && deref(n.Properties.DeleteOption) == armcompute.DeleteOptionsDelete {
					s.deleteNICWith(deref(n.ID), now)
				}
			}
			s.finishOp(p.Op, nil)
			continue
		}
		if commit(s, s.vms, key(v.ID), p, func(r *vmRow) error {
			switch p.Phase {
			case phaseCreate, phaseStart, phaseRestart:
				r.Power = powerRunning
			case phaseStop:
				r.Power = powerStopped
			case phaseDeallocate:
				r.Power = powerDeallocated
			}
			r.Pending, r.Changed = pending{}, now
			return nil
		}) {
			s.finishOp(p.Op, nil)
		}
	}
}

// deleteNICWith starts deleting a network interface whose virtual machine
// was deleted, and the public IP addresses of its IP configurations that ask
// to go with it.
func (s *Service) deleteNICWith(id string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := now.Add(s.env.Delays.Delete)
	n, ok, err := s.nics.Get(key(id))
	if err != nil || !ok {
		return
	}
	for _, c := range n.NIC.Properties.IPConfigurations {
		if c.Properties.PublicIPAddress == nil {
			continue
		}
		_, _ = s.pips.Update(key(deref(c.Properties.PublicIPAddress.ID)), func(p *pipRow) error {
			if p.PIP.Properties != nil && deref(p.PIP.Properties.DeleteOption) == "Delete" && p.Pending.Phase != phaseDelete {
				s.preempt(p.Pending.Op)
				p.Pending = pending{Phase: phaseDelete, Until: until}
			}
			return nil
		})
	}
	_, _ = s.nics.Update(key(id), func(r *nicRow) error {
		if r.Pending.Phase != phaseDelete {
			s.preempt(r.Pending.Op)
			r.Pending = pending{Phase: phaseDelete, Until: until}
		}
		return nil
	})
}
