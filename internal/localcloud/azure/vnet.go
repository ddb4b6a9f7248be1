package azure

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
)

const (
	nsNetwork  = "Microsoft.Network"
	typeVNet   = "Microsoft.Network/virtualNetworks"
	typeSubnet = "Microsoft.Network/virtualNetworks/subnets"
)

// A vnetRow is a virtual network. VNet holds what the API shows except the
// provisioning state and the subnets, which are rows of their own.
type vnetRow struct {
	ID   string                    `json:"id"`
	VNet armnetwork.VirtualNetwork `json:"vnet"`
	// Subnets are the names of the network's subnets, in order.
	Subnets []string `json:"subnets,omitempty"`
	Pending pending  `json:"pending"`
}

func (r *vnetRow) life() *pending { return &r.Pending }

// A subnetRow is a subnet of a virtual network.
type subnetRow struct {
	ID      string            `json:"id"`
	VNet    string            `json:"vnet"`
	Subnet  armnetwork.Subnet `json:"subnet"`
	Pending pending           `json:"pending"`
}

func (r *subnetRow) life() *pending { return &r.Pending }

// netState is the provisioning state network resources show.
func netState(p pending) *armnetwork.ProvisioningState {
	switch p.Phase {
	case phaseCreate, phaseUpdate:
		return new(armnetwork.ProvisioningStateUpdating)
	case phaseDelete:
		return new(armnetwork.ProvisioningStateDeleting)
	}
	return new(armnetwork.ProvisioningStateSucceeded)
}

// busy refuses changes to a network resource being deleted.
func busy(p pending) *apiError {
	if p.Phase == phaseDelete {
		return conflict("AnotherOperationInProgress", "Another operation on this or dependent resource is in progress. Retry the request after the operation is finished.")
	}
	return nil
}

// supersede starts transition next on a resource, ending the one in progress:
// a create or update replaced by a newer request succeeds with it (the last
// write wins), anything else is preempted.
func (s *Service) supersede(p *pending, next pending) {
	if p.Op != "" && p.Op != next.Op {
		if p.Phase == phaseCreate || p.Phase == phaseUpdate {
			s.finishOp(p.Op, nil)
		} else {
			s.preempt(p.Op)
		}
	}
	*p = next
}

func (s *Service) subnetModel(r subnetRow) *armnetwork.Subnet {
	m := clone(r.Subnet)
	if m.Properties == nil {
		m.Properties = &armnetwork.SubnetPropertiesFormat{}
	}
	m.Properties.ProvisioningState = netState(r.Pending)
	for _, ipc := range s.ipConfigsInSubnet(r.ID) {
		m.Properties.IPConfigurations = append(m.Properties.IPConfigurations, &armnetwork.IPConfiguration{ID: new(ipc)})
	}
	return &m
}

func (s *Service) vnetModel(r vnetRow) armnetwork.VirtualNetwork {
	m := clone(r.VNet)
	if m.Properties == nil {
		m.Properties = &armnetwork.VirtualNetworkPropertiesFormat{}
	}
	m.Properties.ProvisioningState = netState(r.Pending)
	m.Properties.Subnets = []*armnetwork.Subnet{}
	for _, n := range r.Subnets {
		if sn, ok, _ := s.subnets.Get(key(r.ID + "/subnets/" + n)); ok {
			m.Properties.Subnets = append(m.Properties.Subnets, s.subnetModel(sn))
		}
	}
	return m
}

// normalizeVNet drops what the server sets from a virtual network and
// returns its subnets apart.
func normalizeVNet(in armnetwork.VirtualNetwork) (armnetwork.VirtualNetwork, []*armnetwork.Subnet) {
	m := clone(in)
	m.ID, m.Name, m.Type, m.Etag = nil, nil, nil, nil
	if m.Location != nil {
		m.Location = new(normalizeLocation(*m.Location))
	}
	if m.Properties == nil {
		m.Properties = &armnetwork.VirtualNetworkPropertiesFormat{}
	}
	subnets := m.Properties.Subnets
	m.Properties.Subnets, m.Properties.ProvisioningState, m.Properties.ResourceGUID = nil, nil, nil
	return m, subnets
}

// normalizeSubnet drops what the server sets from a subnet.
func normalizeSubnet(in armnetwork.Subnet) armnetwork.Subnet {
	m := clone(in)
	m.ID, m.Type, m.Etag = nil, nil, nil
	if m.Properties == nil {
		m.Properties = &armnetwork.SubnetPropertiesFormat{}
	}
	p := m.Properties
	p.ProvisioningState, p.IPConfigurations, p.IPConfigurationProfiles, p.PrivateEndpoints = nil, nil, nil, nil
	p.ResourceNavigationLinks, p.ServiceAssociationLinks, p.Purpose = nil, nil, nil
	return m
}

func subnetPrefixStrings(sn armnetwork.Subnet) []string {
	if sn.Properties == nil {
		return nil
	}
	if sn.Properties.AddressPrefix != nil {
		return []string{*sn.Properties.AddressPrefix}
	}
	out := make([]string, 0, len(sn.Properties.AddressPrefixes))
	for _, p := range sn.Properties.AddressPrefixes {
		out = append(out, deref(p))
	}
	return out
}

// subnetPrefix returns the IPv4 range addresses come from in a subnet.
func subnetPrefix(sn armnetwork.Subnet) (netip.Prefix, bool) {
	for _, s := range subnetPrefixStrings(sn) {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Is4() {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func parseCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}

// validateSpace checks a virtual network's address space.
func validateSpace(m armnetwork.VirtualNetwork) ([]netip.Prefix, *apiError) {
	if m.Properties.AddressSpace == nil || len(m.Properties.AddressSpace.AddressPrefixes) == 0 {
		return nil, badRequest("InvalidAddressSpace", "The virtual network must have at least one address prefix in properties.addressSpace.addressPrefixes.")
	}
	space := make([]netip.Prefix, 0, len(m.Properties.AddressSpace.AddressPrefixes))
	for _, s := range m.Properties.AddressSpace.AddressPrefixes {
		p, ok := parseCIDR(deref(s))
		if !ok {
			return nil, badRequest("InvalidAddressPrefixFormat", "Address prefix %s of the virtual network is not in valid IPv4 CIDR format (the local cloud supports IPv4 only).", deref(s))
		}
		for _, o := range space {
			if o.Overlaps(p) {
				return nil, badRequest("VnetAddressSpacesOverlap", "Address prefixes %s and %s of the virtual network overlap.", o, p)
			}
		}
		space = append(space, p)
	}
	return space, nil
}

// validateSubnets checks subnets against their virtual network's space and
// each other.
func validateSubnets(vnet string, space []netip.Prefix, subnets []armnetwork.Subnet) *apiError {
	type named struct {
		name string
		p    netip.Prefix
	}
	var seen []named
	names := map[string]bool{}
	for _, sn := range subnets {
		name := deref(sn.Name)
		if name == "" {
			return badRequest("InvalidRequestFormat", "Cannot parse the request: a subnet of virtual network '%s' has no name.", vnet)
		}
		if e := validName("Microsoft.Network/virtualNetworks/subnets", name, 80); e != nil {
			return e
		}
		if names[strings.ToLower(name)] {
			return badRequest("DuplicateResourceName", "Virtual network '%s' has two subnets named '%s'.", vnet, name)
		}
		names[strings.ToLower(name)] = true
		prefixes := subnetPrefixStrings(sn)
		if len(prefixes) == 0 {
			return badRequest("NoAddressPrefixOrPoolProvided", "Subnet '%s' of virtual network '%s' has neither addressPrefix nor addressPrefixes.", name, vnet)
		}
		for _, s := range prefixes {
			p, ok := parseCIDR(s)
			if !ok {
				return badRequest("NetcfgInvalidSubnet", "Subnet '%s' is not valid in virtual network '%s': address prefix %s is not an IPv4 CIDR block.", name, vnet, s)
			}
			if p.Bits() > 29 {
				return badRequest("NetcfgInvalidSubnet", "Subnet '%s' is not valid in virtual network '%s': the smallest subnet is a /29, %s is smaller.", name, vnet, s)
			}
			inside := false
			for _, sp := range space {
				if sp.Bits() <= p.Bits() && sp.Contains(p.Addr()) {
					inside = true
				}
			}
			if !inside {
				return badRequest("NetcfgSubnetRangeOutsideVnet", "Subnet '%s' is not valid because its IP address range is outside the IP address range of virtual network '%s'.", name, vnet)
			}
			for _, o := range seen {
				if o.p.Overlaps(p) {
					return badRequest("NetcfgSubnetRangesOverlap", "Subnet '%s' is not valid because its IP address range overlaps with that of an existing subnet '%s' in virtual network '%s'.", name, o.name, vnet)
				}
			}
			seen = append(seen, named{name, p})
		}
	}
	return nil
}

func (s *Service) virtualNetworks(q *request) *apiError {
	switch {
	case q.rt.Action != "":
		return unsupportedAction(q.rt)
	case q.rt.Kind == routeCollection:
		return listPrefix(q, s.vnets, q.collectionPrefix(), s.vnetModel)
	}
	return methods{get: s.getVNetAPI, put: s.putVNet, patch: s.patchVNetTags, del: s.deleteVNet}.serve(q)
}

func (s *Service) getVNet(q *request) (vnetRow, *apiError) {
	v, ok, err := s.vnets.Get(key(q.id(typeVNet, q.rt.Names[0])))
	if err != nil {
		return v, internalError()
	}
	if !ok {
		return v, resourceNotFound(typeVNet, q.rt.Names[0], q.group.Name)
	}
	return v, nil
}

func (s *Service) getVNetAPI(q *request) *apiError {
	v, e := s.getVNet(q)
	if e != nil {
		return e
	}
	writeJSON(q.w, http.StatusOK, s.vnetModel(v))
	return nil
}

// vnetRequest reads and checks a virtual network PUT: the network and its
// inline subnets.
func vnetRequest(q *request) (armnetwork.VirtualNetwork, []armnetwork.Subnet, *apiError) {
	name := q.rt.Names[0]
	if e := validName(typeVNet, name, 64); e != nil {
		return armnetwork.VirtualNetwork{}, nil, e
	}
	var in armnetwork.VirtualNetwork
	if e := decode(q.r, &in); e != nil {
		return in, nil, e
	}
	if _, e := requireLocation(in.Location); e != nil {
		return in, nil, e
	}
	spec, inline := normalizeVNet(in)
	space, e := validateSpace(spec)
	if e != nil {
		return spec, nil, e
	}
	subnets := make([]armnetwork.Subnet, 0, len(inline))
	for _, sn := range inline {
		if sn != nil {
			subnets = append(subnets, normalizeSubnet(*sn))
		}
	}
	return spec, subnets, validateSubnets(name, space, subnets)
}

func (s *Service) putVNet(q *request) *apiError {
	spec, subnets, e := vnetRequest(q)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	id := q.id(typeVNet, q.rt.Names[0])
	cur, found, err := s.vnets.Get(key(id))
	if err != nil {
		return internalError()
	}
	if found {
		return s.updateVNet(q, cur, spec, subnets)
	}
	op, err := s.startOp(q.rt.Sub, nsNetwork, *spec.Location, id, actionCreate, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Name, spec.Type, spec.Etag = new(id), new(q.rt.Names[0]), new(typeVNet), new(etag())
	spec.Properties.ResourceGUID = new(newID())
	row := vnetRow{ID: id, VNet: spec, Pending: pending{Phase: phaseCreate, Until: q.now.Add(s.env.Delays.Create), Op: op.ID}}
	for _, sn := range subnets {
		if e := s.putSubnetRow(&row, sn, row.Pending.Until, ""); e != nil {
			return e
		}
	}
	if err := s.vnets.Put(key(id), row); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, http.StatusCreated, s.vnetModel(row))
	return nil
}

// planSubnets works out what a PUT of a virtual network does to its subnets:
// the ones it adds or changes, and the ones it leaves out, which are
// deleted, as in Azure.
func (s *Service) planSubnets(cur vnetRow, subnets []armnetwork.Subnet) ([]armnetwork.Subnet, []string, *apiError) {
	keep := map[string]bool{}
	upserts := make([]armnetwork.Subnet, 0, len(subnets))
	for _, sn := range subnets {
		keep[strings.ToLower(*sn.Name)] = true
		old, ok, err := s.subnets.Get(key(cur.ID + "/subnets/" + *sn.Name))
		if err != nil {
			return nil, nil, internalError()
		}
		if ok && sameJSON(normalizeSubnet(old.Subnet), sn) {
			continue
		}
		if ok {
			if e := s.subnetChangeAllowed(old, sn); e != nil {
				return nil, nil, e
			}
		}
		upserts = append(upserts, sn)
	}
	removed := make([]string, 0, len(cur.Subnets))
	for _, n := range cur.Subnets {
		if keep[strings.ToLower(n)] {
			continue
		}
		if users := s.ipConfigsInSubnet(cur.ID + "/subnets/" + n); len(users) > 0 {
			return nil, nil, inUseSubnet(n, users[0])
		}
		removed = append(removed, n)
	}
	return upserts, removed, nil
}

// updateVNet applies a PUT to an existing virtual network. Called with s.mu
// held.
func (s *Service) updateVNet(q *request, cur vnetRow, spec armnetwork.VirtualNetwork, subnets []armnetwork.Subnet) *apiError {
	if e := busy(cur.Pending); e != nil {
		return e
	}
	if *spec.Location != deref(cur.VNet.Location) {
		return otherLocation(deref(cur.VNet.Name), deref(cur.VNet.Location), q.group.Name, *spec.Location)
	}
	curSpec, _ := normalizeVNet(cur.VNet)
	upserts, removed, e := s.planSubnets(cur, subnets)
	if e != nil {
		return e
	}
	if sameJSON(spec, curSpec) && len(upserts) == 0 && len(removed) == 0 {
		writeJSON(q.w, http.StatusOK, s.vnetModel(cur))
		return nil
	}
	op, err := s.startOp(q.rt.Sub, nsNetwork, *spec.Location, cur.ID, actionUpdate, false)
	if err != nil {
		return internalError()
	}
	until := q.now.Add(s.env.Delays.Modify)
	spec.ID, spec.Name, spec.Type, spec.Etag = cur.VNet.ID, cur.VNet.Name, cur.VNet.Type, new(etag())
	spec.Properties.ResourceGUID = cur.VNet.Properties.ResourceGUID
	cur.VNet = spec
	s.supersede(&cur.Pending, pending{Phase: phaseUpdate, Until: until, Op: op.ID})
	for _, n := range removed {
		_ = s.subnets.Delete(key(cur.ID + "/subnets/" + n))
	}
	for _, sn := range upserts {
		if e := s.putSubnetRow(&cur, sn, until, ""); e != nil {
			return e
		}
	}
	// Subnets keep the order the request gave them.
	cur.Subnets = cur.Subnets[:0]
	for _, sn := range subnets {
		cur.Subnets = append(cur.Subnets, *sn.Name)
	}
	if err := s.vnets.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, http.StatusOK, s.vnetModel(cur))
	return nil
}

// putSubnetRow creates or updates subnet sn of v (not stored here) in a
// transition ending at until. Called with s.mu held.
func (s *Service) putSubnetRow(v *vnetRow, sn armnetwork.Subnet, until time.Time, op string) *apiError {
	id := v.ID + "/subnets/" + *sn.Name
	cur, found, err := s.subnets.Get(key(id))
	if err != nil {
		return internalError()
	}
	phase := phaseUpdate
	if !found {
		phase = phaseCreate
		cur = subnetRow{ID: id, VNet: key(v.ID)}
		v.Subnets = append(v.Subnets, *sn.Name)
	}
	sn.ID, sn.Type, sn.Etag = new(id), new(typeSubnet), new(etag())
	if found {
		sn.Name = cur.Subnet.Name
	}
	cur.Subnet = sn
	s.supersede(&cur.Pending, pending{Phase: phase, Until: until, Op: op})
	if err := s.subnets.Put(key(id), cur); err != nil {
		return internalError()
	}
	return nil
}

// subnetChangeAllowed refuses to change the range of a subnet in use.
func (s *Service) subnetChangeAllowed(old subnetRow, next armnetwork.Subnet) *apiError {
	if slices.Equal(subnetPrefixStrings(old.Subnet), subnetPrefixStrings(next)) {
		return nil
	}
	if users := s.ipConfigsInSubnet(old.ID); len(users) > 0 {
		return badRequest("InUseSubnetCannotBeUpdated", "Subnet %s is in use by %s and cannot be updated.", deref(old.Subnet.Name), users[0])
	}
	return nil
}

func inUseSubnet(name, user string) *apiError {
	return badRequest("InUseSubnetCannotBeDeleted", "Subnet %s is in use by %s and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.", name, user)
}

func (s *Service) patchVNetTags(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, e := s.getVNet(q)
	if e != nil {
		return e
	}
	var in armnetwork.TagsObject
	if e := decode(q.r, &in); e != nil {
		return e
	}
	cur.VNet.Tags, cur.VNet.Etag = in.Tags, new(etag())
	if err := s.vnets.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	writeJSON(q.w, http.StatusOK, s.vnetModel(cur))
	return nil
}

func (s *Service) deleteVNet(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok, err := s.vnets.Get(key(q.id(typeVNet, q.rt.Names[0])))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	for _, n := range cur.Subnets {
		if users := s.ipConfigsInSubnet(cur.ID + "/subnets/" + n); len(users) > 0 {
			return inUseSubnet(n, users[0])
		}
	}
	until := q.now.Add(s.env.Delays.Delete)
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsNetwork, deref(cur.VNet.Location), cur.ID, until)
	if err != nil {
		return internalError()
	}
	if err := markDeleting(s, s.subnets, key(cur.ID)+"/", cur.Pending.Until); err != nil {
		return internalError()
	}
	if err := s.vnets.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}

func (s *Service) tickVirtualNetworks(now time.Time) {
	all, err := s.vnets.List()
	if err != nil {
		return
	}
	for _, v := range all {
		// A network goes when its subnets have.
		if v.Pending.due(now) && (v.Pending.Phase != phaseDelete || len(inGroup(s.subnets, key(v.ID)+"/")) == 0) {
			finish(s, s.vnets, key(v.ID), v.Pending)
		}
	}
}

func (s *Service) tickSubnets(now time.Time) {
	all, err := s.subnets.List()
	if err != nil {
		return
	}
	for _, sn := range all {
		p := sn.Pending
		if !p.due(now) {
			continue
		}
		if p.Phase != phaseDelete {
			finish(s, s.subnets, key(sn.ID), p)
			continue
		}
		if !remove(s, s.subnets, key(sn.ID), p) {
			continue
		}
		s.mu.Lock()
		_, _ = s.vnets.Update(sn.VNet, func(v *vnetRow) error {
			v.Subnets = slices.DeleteFunc(v.Subnets, func(n string) bool { return strings.EqualFold(n, deref(sn.Subnet.Name)) })
			return nil
		})
		s.mu.Unlock()
		s.finishOp(p.Op, nil)
	}
}

func (s *Service) subnetsAPI(q *request) *apiError {
	switch {
	case q.rt.Action != "":
		return unsupportedAction(q.rt)
	case q.rt.Kind == routeCollection:
		if q.r.Method != http.MethodGet {
			return methodNotAllowed(q.r)
		}
		v, e := s.getVNet(q)
		if e != nil {
			return e
		}
		writeJSON(q.w, http.StatusOK, list[*armnetwork.Subnet]{Value: s.vnetModel(v).Properties.Subnets})
		return nil
	}
	return methods{get: s.getSubnet, put: s.putSubnet, del: s.deleteSubnet}.serve(q)
}

func (s *Service) getSubnet(q *request) *apiError {
	v, e := s.getVNet(q)
	if e != nil {
		return e
	}
	id := v.ID + "/subnets/" + q.rt.Names[1]
	sn, ok, err := s.subnets.Get(key(id))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		return notFound(id)
	}
	writeJSON(q.w, http.StatusOK, s.subnetModel(sn))
	return nil
}

// checkSubnet checks subnet sn of virtual network v against the network's
// space and its other subnets.
func (s *Service) checkSubnet(v vnetRow, sn armnetwork.Subnet) *apiError {
	if e := busy(v.Pending); e != nil {
		return e
	}
	space, e := validateSpace(v.VNet)
	if e != nil {
		return e
	}
	all := []armnetwork.Subnet{}
	for _, n := range v.Subnets {
		if strings.EqualFold(n, *sn.Name) {
			continue
		}
		if o, ok, _ := s.subnets.Get(key(v.ID + "/subnets/" + n)); ok {
			all = append(all, normalizeSubnet(o.Subnet))
		}
	}
	return validateSubnets(*v.VNet.Name, space, append(all, sn))
}

func (s *Service) putSubnet(q *request) *apiError {
	var in armnetwork.Subnet
	if e := decode(q.r, &in); e != nil {
		return e
	}
	in.Name = new(q.rt.Names[1])
	sn := normalizeSubnet(in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	v, e := s.getVNet(q)
	if e != nil {
		return e
	}
	if e := s.checkSubnet(v, sn); e != nil {
		return e
	}
	id := v.ID + "/subnets/" + *sn.Name
	cur, found, err := s.subnets.Get(key(id))
	if err != nil {
		return internalError()
	}
	action, status := actionCreate, http.StatusCreated
	if found {
		if e := busy(cur.Pending); e != nil {
			return e
		}
		if sameJSON(normalizeSubnet(cur.Subnet), sn) {
			writeJSON(q.w, http.StatusOK, s.subnetModel(cur))
			return nil
		}
		if e := s.subnetChangeAllowed(cur, sn); e != nil {
			return e
		}
		action, status = actionUpdate, http.StatusOK
	}
	op, err := s.startOp(q.rt.Sub, nsNetwork, deref(v.VNet.Location), id, action, false)
	if err != nil {
		return internalError()
	}
	if e := s.putSubnetRow(&v, sn, q.now.Add(s.env.Delays.Modify), op.ID); e != nil {
		return e
	}
	v.VNet.Etag = new(etag())
	if err := s.vnets.Put(key(v.ID), v); err != nil {
		return internalError()
	}
	row, _, err := s.subnets.Get(key(id))
	if err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, status, s.subnetModel(row))
	return nil
}

func (s *Service) deleteSubnet(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, e := s.getVNet(q)
	if e != nil {
		return e
	}
	id := v.ID + "/subnets/" + q.rt.Names[1]
	cur, ok, err := s.subnets.Get(key(id))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if users := s.ipConfigsInSubnet(cur.ID); len(users) > 0 {
		return inUseSubnet(deref(cur.Subnet.Name), users[0])
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsNetwork, deref(v.VNet.Location), cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	if err := s.subnets.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}
