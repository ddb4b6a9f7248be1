package azure

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	typeNIC      = "Microsoft.Network/networkInterfaces"
	typeIPConfig = "Microsoft.Network/networkInterfaces/ipConfigurations"
)

// A nicRow is a network interface. Its private addresses come from the IPAM
// pools of their subnets; Owners are the IPAM owners holding them.
type nicRow struct {
	ID      string               `json:"id"`
	NIC     armnetwork.Interface `json:"nic"`
	Owners  []string             `json:"owners,omitempty"`
	Pending pending              `json:"pending"`
}

func (r *nicRow) life() *pending { return &r.Pending }

func (s *Service) nicModel(r nicRow) armnetwork.Interface {
	m := clone(r.NIC)
	state := netState(r.Pending)
	m.Properties.ProvisioningState = state
	for _, c := range m.Properties.IPConfigurations {
		if c != nil && c.Properties != nil {
			c.Properties.ProvisioningState = state
		}
	}
	if vm := s.vmUsingNIC(r.ID); vm != "" {
		m.Properties.VirtualMachine = &armnetwork.SubResource{ID: new(vm)}
	}
	return m
}

// normalizeNIC fills the defaults of a network interface (named, from its
// URL) and drops what the server sets; references keep their IDs only.
func normalizeNIC(in armnetwork.Interface) armnetwork.Interface {
	m := clone(in)
	m.ID, m.Type, m.Etag = nil, nil, nil
	if m.Location != nil {
		m.Location = new(normalizeLocation(*m.Location))
	}
	if m.Properties == nil {
		m.Properties = &armnetwork.InterfacePropertiesFormat{}
	}
	p := m.Properties
	p.ProvisioningState, p.ResourceGUID, p.MacAddress, p.VirtualMachine, p.Primary = nil, nil, nil, nil, nil
	p.HostedWorkloads, p.TapConfigurations, p.PrivateEndpoint, p.VnetEncryptionSupported = nil, nil, nil, nil
	p.DscpConfiguration, p.DefaultOutboundConnectivityEnabled = nil, nil
	anyPrimary := false
	for _, c := range p.IPConfigurations {
		if c != nil && c.Properties != nil && deref(c.Properties.Primary) {
			anyPrimary = true
		}
	}
	for i, c := range p.IPConfigurations {
		if c != nil {
			normalizeIPConfig(c, i == 0 && !anyPrimary)
		}
	}
	return m
}

// normalizeIPConfig fills the defaults of an IP configuration; primary says
// it is primary for want of one marked so.
func normalizeIPConfig(c *armnetwork.InterfaceIPConfiguration, primary bool) {
	c.ID, c.Type, c.Etag = nil, nil, nil
	if c.Properties == nil {
		c.Properties = &armnetwork.InterfaceIPConfigurationPropertiesFormat{}
	}
	cp := c.Properties
	cp.ProvisioningState, cp.PrivateIPAddressPrefixLength = nil, nil
	cp.PrivateIPAllocationMethod = orDefault(cp.PrivateIPAllocationMethod, armnetwork.IPAllocationMethodDynamic)
	if *cp.PrivateIPAllocationMethod == armnetwork.IPAllocationMethodDynamic {
		cp.PrivateIPAddress = nil
	}
	cp.PrivateIPAddressVersion = orDefault(cp.PrivateIPAddressVersion, armnetwork.IPVersionIPv4)
	if cp.Subnet != nil {
		cp.Subnet = &armnetwork.Subnet{ID: cp.Subnet.ID}
	}
	if cp.PublicIPAddress != nil {
		cp.PublicIPAddress = &armnetwork.PublicIPAddress{ID: cp.PublicIPAddress.ID}
	}
	if primary {
		cp.Primary = new(true)
	}
	cp.Primary = orDefault(cp.Primary, false)
}

// validateNIC checks what a network interface says about itself.
func validateNIC(m armnetwork.Interface) *apiError {
	cfgs := m.Properties.IPConfigurations
	if len(cfgs) == 0 {
		return badRequest("InvalidRequestFormat", "Network interface %s must have at least one IP configuration.", deref(m.Name))
	}
	names := map[string]bool{}
	primaries := 0
	for _, c := range cfgs {
		if c == nil {
			return badRequest("InvalidRequestFormat", "Network interface %s has an empty IP configuration.", deref(m.Name))
		}
		name := deref(c.Name)
		if name == "" {
			return badRequest("InvalidRequestFormat", "An IP configuration of network interface %s has no name.", deref(m.Name))
		}
		if e := validName(typeIPConfig, name, 80); e != nil {
			return e
		}
		if names[strings.ToLower(name)] {
			return badRequest("DuplicateResourceName", "Network interface %s has two IP configurations named %s.", deref(m.Name), name)
		}
		names[strings.ToLower(name)] = true
		cp := c.Properties
		if deref(cp.Primary) {
			primaries++
		}
		if cp.Subnet == nil || deref(cp.Subnet.ID) == "" {
			return badRequest("InvalidRequestFormat", "IP configuration %s of network interface %s must reference a subnet.", name, deref(m.Name))
		}
		if *cp.PrivateIPAddressVersion != armnetwork.IPVersionIPv4 {
			return badRequest("InvalidRequestFormat", "IP configuration %s asks for %s addresses; the local cloud hands out IPv4 only.", name, *cp.PrivateIPAddressVersion)
		}
		switch *cp.PrivateIPAllocationMethod {
		case armnetwork.IPAllocationMethodDynamic:
		case armnetwork.IPAllocationMethodStatic:
			if _, err := netip.ParseAddr(deref(cp.PrivateIPAddress)); err != nil {
				return badRequest("InvalidRequestFormat", "IP configuration %s uses static allocation but its privateIPAddress '%s' is not an IPv4 address.", name, deref(cp.PrivateIPAddress))
			}
		default:
			return badRequest("InvalidRequestFormat", "The allocation method '%s' is invalid. Valid methods are Static and Dynamic.", *cp.PrivateIPAllocationMethod)
		}
	}
	if primaries != 1 {
		return badRequest("OnlyOnePrimaryIpConfigurationAllowedPerNetworkInterface", "Network interface %s must have exactly one primary IP configuration, it has %d.", deref(m.Name), primaries)
	}
	return nil
}

// usableAddress reports whether ip is one a subnet hands out: Azure keeps the
// first four addresses and the last one.
func usableAddress(p netip.Prefix, ip netip.Addr) bool {
	if !p.Contains(ip) || !ip.Is4() {
		return false
	}
	base, a := p.Masked().Addr().As4(), ip.As4()
	off := binary.BigEndian.Uint32(a[:]) - binary.BigEndian.Uint32(base[:])
	size := uint32(1) << (32 - p.Bits())
	return off >= 4 && off < size-1
}

func (s *Service) networkInterfaces(q *request) *apiError {
	switch {
	case q.rt.Action != "":
		return unsupportedAction(q.rt)
	case q.rt.Kind == routeCollection:
		return listPrefix(q, s.nics, q.collectionPrefix(), s.nicModel)
	}
	return methods{get: s.getNICAPI, put: s.putNIC, patch: s.patchNICTags, del: s.deleteNIC}.serve(q)
}

func (s *Service) getNIC(q *request) (nicRow, *apiError) {
	n, ok, err := s.nics.Get(key(q.id(typeNIC, q.rt.Names[0])))
	if err != nil {
		return n, internalError()
	}
	if !ok {
		return n, resourceNotFound(typeNIC, q.rt.Names[0], q.group.Name)
	}
	return n, nil
}

func (s *Service) getNICAPI(q *request) *apiError {
	n, e := s.getNIC(q)
	if e != nil {
		return e
	}
	writeJSON(q.w, http.StatusOK, s.nicModel(n))
	return nil
}

func (s *Service) patchNICTags(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, e := s.getNIC(q)
	if e != nil {
		return e
	}
	var in armnetwork.TagsObject
	if e := decode(q.r, &in); e != nil {
		return e
	}
	n.NIC.Tags, n.NIC.Etag = in.Tags, new(etag())
	if err := s.nics.Put(key(n.ID), n); err != nil {
		return internalError()
	}
	writeJSON(q.w, http.StatusOK, s.nicModel(n))
	return nil
}

func invalidReference(ref, by string) *apiError {
	return badRequest("InvalidResourceReference", "Resource %s referenced by resource %s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", ref, by)
}

// resolved is an IP configuration with the subnet it is in.
type resolved struct {
	cfg    *armnetwork.InterfaceIPConfiguration
	subnet subnetRow
	prefix netip.Prefix
}

// resolveNIC checks the references of network interface id (spec) and
// returns its IP configurations with their subnets. Called with s.mu held.
func (s *Service) resolveNIC(id string, spec armnetwork.Interface) ([]resolved, *apiError) {
	out := make([]resolved, 0, len(spec.Properties.IPConfigurations))
	for _, c := range spec.Properties.IPConfigurations {
		r, e := s.resolveIPConfig(id, *spec.Location, c)
		if e != nil {
			return nil, e
		}
		if len(out) > 0 && out[0].subnet.VNet != r.subnet.VNet {
			return nil, badRequest("IpConfigurationsOnSameNicCannotUseDifferentVnets", "IP configurations of network interface %s reference subnets of different virtual networks.", id)
		}
		out = append(out, r)
	}
	return out, nil
}

// resolveIPConfig checks the subnet, public IP address and static address
// of IP configuration c of network interface id in location loc.
func (s *Service) resolveIPConfig(id, loc string, c *armnetwork.InterfaceIPConfiguration) (resolved, *apiError) {
	cp := c.Properties
	sid := *cp.Subnet.ID
	sn, ok, err := s.subnets.Get(key(sid))
	if err != nil {
		return resolved{}, internalError()
	}
	if !ok || sn.Pending.Phase == phaseDelete {
		return resolved{}, invalidReference(sid, id)
	}
	v, ok, err := s.vnets.Get(sn.VNet)
	if err != nil {
		return resolved{}, internalError()
	}
	if !ok || v.Pending.Phase == phaseDelete || deref(v.VNet.Location) != loc {
		return resolved{}, invalidReference(sid, id)
	}
	prefix, ok := subnetPrefix(sn.Subnet)
	if !ok {
		return resolved{}, badRequest("InvalidRequestFormat", "Subnet %s has no IPv4 address range.", sid)
	}
	if cp.PublicIPAddress != nil {
		pid, e := s.checkPublicIP(id, loc, deref(cp.PublicIPAddress.ID))
		if e != nil {
			return resolved{}, e
		}
		cp.PublicIPAddress.ID = &pid
	}
	cp.Subnet.ID = new(sn.ID)
	if *cp.PrivateIPAllocationMethod == armnetwork.IPAllocationMethodStatic {
		if e := s.checkStaticAddress(id, deref(c.Name), sn, prefix, *cp.PrivateIPAddress); e != nil {
			return resolved{}, e
		}
	}
	return resolved{cfg: c, subnet: sn, prefix: prefix}, nil
}

// checkPublicIP checks that network interface id in location loc can use
// public IP address pid, and returns its canonical ID.
func (s *Service) checkPublicIP(id, loc, pid string) (string, *apiError) {
	p, ok, err := s.pips.Get(key(pid))
	if err != nil {
		return "", internalError()
	}
	if !ok || p.Pending.Phase == phaseDelete || deref(p.PIP.Location) != loc {
		return "", invalidReference(pid, id)
	}
	if other := s.ipConfigUsingPublicIP(p.ID); other != "" && !strings.HasPrefix(key(other), key(id)+"/") {
		return "", badRequest("PublicIPAddressInUse", "Resource %s is referencing public IP address %s that is already allocated to resource %s.", id, pid, other)
	}
	return p.ID, nil
}

// checkStaticAddress checks a static private address of IP configuration
// name of network interface id.
func (s *Service) checkStaticAddress(id, name string, sn subnetRow, prefix netip.Prefix, addr string) *apiError {
	ip, _ := netip.ParseAddr(addr)
	if !prefix.Contains(ip) {
		return badRequest("PrivateIPAddressNotInSubnet", "IP configuration %s has the private IP address %s, which does not belong to the range %s of subnet %s.", name, ip, prefix, sn.ID)
	}
	if !usableAddress(prefix, ip) {
		return badRequest("PrivateIPAddressIsReserved", "The private IP address %s is reserved: Azure keeps the first four addresses and the last address of subnet %s.", ip, sn.ID)
	}
	if user := s.addressUser(sn.ID, ip.String(), id); user != "" {
		return badRequest("PrivateIPAddressInUse", "IP configuration %s is using the private IP address %s which is already allocated to resource %s.", name, ip, user)
	}
	return nil
}

// addressUser returns the IP configuration, of another network interface
// than nic, that holds address ip in subnet, if any.
func (s *Service) addressUser(subnet, ip, nic string) string {
	all, _ := s.nics.List()
	for _, n := range all {
		if sameID(n.ID, nic) {
			continue
		}
		for _, c := range n.NIC.Properties.IPConfigurations {
			if c.Properties.Subnet != nil && sameID(deref(c.Properties.Subnet.ID), subnet) && deref(c.Properties.PrivateIPAddress) == ip {
				return deref(c.ID)
			}
		}
	}
	return ""
}

// assignAddresses gives each dynamic IP configuration an address from its
// subnet's pool and returns the IPAM owners that hold them. An IP
// configuration that keeps its subnet keeps its address. Addresses other
// interfaces hold statically are skipped (and kept held, so the pool does
// not offer them again).
func (s *Service) assignAddresses(id string, cfgs []resolved) ([]string, *apiError) {
	var owners []string
	for _, r := range cfgs {
		cp := r.cfg.Properties
		if *cp.PrivateIPAllocationMethod == armnetwork.IPAllocationMethodStatic {
			continue
		}
		pool := key(r.subnet.ID)
		base := key(id+"/ipConfigurations/"+*r.cfg.Name) + "|" + pool
		assigned := false
		for i := 0; i < 64 && !assigned; i++ {
			owner := base
			if i > 0 {
				owner = base + "#" + strconv.Itoa(i)
			}
			ip, err := s.env.IPs.Allocate(pool, r.prefix.String(), owner)
			if err != nil {
				for _, o := range owners {
					_ = s.env.IPs.Release(o)
				}
				return nil, badRequest("SubnetIsFull", "Subnet %s with address prefix %s does not have enough capacity for 1 IP addresses.", deref(r.subnet.Subnet.Name), r.prefix)
			}
			owners = append(owners, owner)
			if s.addressUser(r.subnet.ID, ip, id) == "" && !staticIn(cfgs, ip) {
				cp.PrivateIPAddress = new(ip)
				assigned = true
			}
		}
		if !assigned {
			return nil, badRequest("SubnetIsFull", "Subnet %s with address prefix %s does not have enough capacity for 1 IP addresses.", deref(r.subnet.Subnet.Name), r.prefix)
		}
	}
	return owners, nil
}

func staticIn(cfgs []resolved, ip string) bool {
	for _, r := range cfgs {
		cp := r.cfg.Properties
		if *cp.PrivateIPAllocationMethod == armnetwork.IPAllocationMethodStatic && deref(cp.PrivateIPAddress) == ip {
			return true
		}
	}
	return false
}

func macAddress() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("00-0D-3A-%02X-%02X-%02X", b[0], b[1], b[2])
}

// nicRequest reads and checks a network interface PUT.
func nicRequest(q *request) (armnetwork.Interface, *apiError) {
	name := q.rt.Names[0]
	if e := validName(typeNIC, name, 80); e != nil {
		return armnetwork.Interface{}, e
	}
	var in armnetwork.Interface
	if e := decode(q.r, &in); e != nil {
		return in, e
	}
	if _, e := requireLocation(in.Location); e != nil {
		return in, e
	}
	in.Name = new(name)
	spec := normalizeNIC(in)
	return spec, validateNIC(spec)
}

func (s *Service) putNIC(q *request) *apiError {
	spec, e := nicRequest(q)
	if e != nil {
		return e
	}
	name := *spec.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	id := q.id(typeNIC, name)
	cur, found, err := s.nics.Get(key(id))
	if err != nil {
		return internalError()
	}
	if found {
		if e := busy(cur.Pending); e != nil {
			return e
		}
		if *spec.Location != deref(cur.NIC.Location) {
			return otherLocation(name, deref(cur.NIC.Location), q.group.Name, *spec.Location)
		}
		if sameJSON(spec, normalizeNIC(cur.NIC)) {
			writeJSON(q.w, http.StatusOK, s.nicModel(cur))
			return nil
		}
	}
	cfgs, e := s.resolveNIC(id, spec)
	if e != nil {
		return e
	}
	owners, e := s.assignAddresses(id, cfgs)
	if e != nil {
		return e
	}
	for _, o := range cur.Owners {
		if !slices.Contains(owners, o) {
			_ = s.env.IPs.Release(o)
		}
	}
	return s.storeNIC(q, cur, found, spec, cfgs, owners)
}

// storeNIC stores network interface spec, created or updated, and answers.
// Called with s.mu held.
func (s *Service) storeNIC(q *request, cur nicRow, found bool, spec armnetwork.Interface, cfgs []resolved, owners []string) *apiError {
	id := q.id(typeNIC, *spec.Name)
	for _, r := range cfgs {
		r.cfg.ID, r.cfg.Type, r.cfg.Etag = new(id+"/ipConfigurations/"+*r.cfg.Name), new(typeIPConfig), new(etag())
	}
	action, status, delay := actionCreate, http.StatusCreated, s.env.Delays.Create
	guid, mac := new(newID()), new(macAddress())
	if found {
		action, status, delay = actionUpdate, http.StatusOK, s.env.Delays.Modify
		guid, mac = cur.NIC.Properties.ResourceGUID, cur.NIC.Properties.MacAddress
	} else {
		cur = nicRow{ID: id}
	}
	op, err := s.startOp(q.rt.Sub, nsNetwork, *spec.Location, id, action, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Type, spec.Etag = new(id), new(typeNIC), new(etag())
	spec.Properties.ResourceGUID, spec.Properties.MacAddress = guid, mac
	cur.NIC, cur.Owners = spec, owners
	s.supersede(&cur.Pending, pending{Phase: action, Until: q.now.Add(delay), Op: op.ID})
	if err := s.nics.Put(key(id), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, status, s.nicModel(cur))
	return nil
}

func (s *Service) deleteNIC(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok, err := s.nics.Get(key(q.id(typeNIC, q.rt.Names[0])))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if vm := s.vmUsingNIC(cur.ID); vm != "" {
		return badRequest("NicInUse", "Network Interface %s is used by existing resource %s. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.", cur.ID, vm)
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsNetwork, deref(cur.NIC.Location), cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	if err := s.nics.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}

// releaseNIC frees the private addresses of a network interface.
func (s *Service) releaseNIC(n nicRow) error {
	for _, o := range n.Owners {
		if err := s.env.IPs.Release(o); err != nil {
			return errors.Wrapf(err, "cannot release the addresses of %s", n.ID)
		}
	}
	return nil
}

func (s *Service) tickNetworkInterfaces(now time.Time) {
	all, err := s.nics.List()
	if err != nil {
		return
	}
	for _, n := range all {
		if !n.Pending.due(now) {
			continue
		}
		if n.Pending.Phase == phaseDelete {
			if err := s.releaseNIC(n); err != nil {
				s.env.Log.Info("cannot release addresses", "id", n.ID, "error", err)
				continue
			}
		}
		finish(s, s.nics, key(n.ID), n.Pending)
	}
}

// ipConfigsInSubnet returns the IP configurations of network interfaces in
// subnet id.
func (s *Service) ipConfigsInSubnet(id string) []string {
	all, _ := s.nics.List()
	var out []string
	for _, n := range all {
		for _, c := range n.NIC.Properties.IPConfigurations {
			if c.Properties.Subnet != nil && sameID(deref(c.Properties.Subnet.ID), id) {
				out = append(out, deref(c.ID))
			}
		}
	}
	return out
}

// ipConfigUsingPublicIP returns the IP configuration using public IP
// address id, if any.
func (s *Service) ipConfigUsingPublicIP(id string) string {
	all, _ := s.nics.List()
	for _, n := range all {
		for _, c := range n.NIC.Properties.IPConfigurations {
			if c.Properties.PublicIPAddress != nil && sameID(deref(c.Properties.PublicIPAddress.ID), id) {
				return deref(c.ID)
			}
		}
	}
	return ""
}
