package azure

import (
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
)

const typePublicIP = "Microsoft.Network/publicIPAddresses"

// publicPool is the IPAM pool public addresses come from, shared by every
// cloud of the local cloud.
const publicPool = "public"

// A pipRow is a public IP address. Its address is allocated from
// cloud.PublicRange when it is created and kept until it is deleted.
type pipRow struct {
	ID      string                     `json:"id"`
	PIP     armnetwork.PublicIPAddress `json:"pip"`
	Pending pending                    `json:"pending"`
}

func (r *pipRow) life() *pending { return &r.Pending }

func (s *Service) pipModel(r pipRow) armnetwork.PublicIPAddress {
	m := clone(r.PIP)
	m.Properties.ProvisioningState = netState(r.Pending)
	if ipc := s.ipConfigUsingPublicIP(r.ID); ipc != "" {
		m.Properties.IPConfiguration = &armnetwork.IPConfiguration{ID: new(ipc)}
	}
	return m
}

// normalizePIP fills the defaults of a public IP address and drops what the
// server sets.
func normalizePIP(in armnetwork.PublicIPAddress) armnetwork.PublicIPAddress {
	m := clone(in)
	m.ID, m.Name, m.Type, m.Etag = nil, nil, nil, nil
	if m.Location != nil {
		m.Location = new(normalizeLocation(*m.Location))
	}
	if m.SKU == nil {
		m.SKU = &armnetwork.PublicIPAddressSKU{}
	}
	if m.SKU.Name == nil {
		m.SKU.Name = new(armnetwork.PublicIPAddressSKUNameStandard)
	}
	if m.SKU.Tier == nil {
		m.SKU.Tier = new(armnetwork.PublicIPAddressSKUTierRegional)
	}
	if m.Properties == nil {
		m.Properties = &armnetwork.PublicIPAddressPropertiesFormat{}
	}
	p := m.Properties
	p.IPAddress, p.IPConfiguration, p.ProvisioningState, p.ResourceGUID = nil, nil, nil, nil
	if p.PublicIPAllocationMethod == nil {
		method := armnetwork.IPAllocationMethodStatic
		if *m.SKU.Name == armnetwork.PublicIPAddressSKUNameBasic {
			method = armnetwork.IPAllocationMethodDynamic
		}
		p.PublicIPAllocationMethod = &method
	}
	if p.PublicIPAddressVersion == nil {
		p.PublicIPAddressVersion = new(armnetwork.IPVersionIPv4)
	}
	if p.IdleTimeoutInMinutes == nil {
		p.IdleTimeoutInMinutes = new(int32(4))
	}
	return m
}

func validatePIP(m armnetwork.PublicIPAddress) *apiError {
	p := m.Properties
	switch {
	case *m.SKU.Name != armnetwork.PublicIPAddressSKUNameStandard && *m.SKU.Name != armnetwork.PublicIPAddressSKUNameBasic:
		return badRequest("InvalidRequestFormat", "The public IP address SKU '%s' is invalid. Valid SKUs are Basic and Standard.", *m.SKU.Name)
	case *m.SKU.Name == armnetwork.PublicIPAddressSKUNameStandard && *p.PublicIPAllocationMethod != armnetwork.IPAllocationMethodStatic:
		return badRequest("StandardSkuPublicIPAddressesMustBeStatic", "Standard sku publicIp %s must have AllocationMethod set to Static.", deref(m.Name))
	case *p.PublicIPAllocationMethod != armnetwork.IPAllocationMethodStatic && *p.PublicIPAllocationMethod != armnetwork.IPAllocationMethodDynamic:
		return badRequest("InvalidRequestFormat", "The allocation method '%s' is invalid. Valid methods are Static and Dynamic.", *p.PublicIPAllocationMethod)
	case *p.PublicIPAddressVersion != armnetwork.IPVersionIPv4:
		return badRequest("InvalidRequestFormat", "The public IP address version '%s' is not supported: the local cloud hands out IPv4 addresses only.", *p.PublicIPAddressVersion)
	case *p.IdleTimeoutInMinutes < 4 || *p.IdleTimeoutInMinutes > 30:
		return badRequest("PublicIPIdleTimeoutIsOutOfRange", "The idle timeout %d minutes is out of range: it must be between 4 and 30.", *p.IdleTimeoutInMinutes)
	}
	return nil
}

func (s *Service) publicIPAddresses(q *request) *apiError {
	switch {
	case q.rt.Action != "":
		return unsupportedAction(q.rt)
	case q.rt.Kind == routeCollection:
		return listPrefix(q, s.pips, q.collectionPrefix(), s.pipModel)
	}
	return methods{get: s.getPIPAPI, put: s.putPIP, patch: s.patchPIPTags, del: s.deletePIP}.serve(q)
}

func (s *Service) getPIP(q *request) (pipRow, *apiError) {
	p, ok, err := s.pips.Get(key(q.id(typePublicIP, q.rt.Names[0])))
	if err != nil {
		return p, internalError()
	}
	if !ok {
		return p, resourceNotFound(typePublicIP, q.rt.Names[0], q.group.Name)
	}
	return p, nil
}

func (s *Service) getPIPAPI(q *request) *apiError {
	p, e := s.getPIP(q)
	if e != nil {
		return e
	}
	writeJSON(q.w, http.StatusOK, s.pipModel(p))
	return nil
}

func (s *Service) patchPIPTags(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.getPIP(q)
	if e != nil {
		return e
	}
	var in armnetwork.TagsObject
	if e := decode(q.r, &in); e != nil {
		return e
	}
	p.PIP.Tags, p.PIP.Etag = in.Tags, new(etag())
	if err := s.pips.Put(key(p.ID), p); err != nil {
		return internalError()
	}
	writeJSON(q.w, http.StatusOK, s.pipModel(p))
	return nil
}

func (s *Service) putPIP(q *request) *apiError {
	name := q.rt.Names[0]
	if e := validName(typePublicIP, name, 80); e != nil {
		return e
	}
	var in armnetwork.PublicIPAddress
	if e := decode(q.r, &in); e != nil {
		return e
	}
	if _, e := requireLocation(in.Location); e != nil {
		return e
	}
	in.Name = new(name)
	spec := normalizePIP(in)
	if e := validatePIP(spec); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	id := q.id(typePublicIP, name)
	cur, found, err := s.pips.Get(key(id))
	if err != nil {
		return internalError()
	}
	if found {
		return s.updatePIP(q, cur, spec)
	}
	ip, err := s.env.IPs.Allocate(publicPool, cloud.PublicRange, key(id))
	if err != nil {
		return badRequest("PublicIPCountLimitReached", "No public address is left in the local cloud's range %s: %v", cloud.PublicRange, err)
	}
	op, err := s.startOp(q.rt.Sub, nsNetwork, *spec.Location, id, actionCreate, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Name, spec.Type, spec.Etag = new(id), new(name), new(typePublicIP), new(etag())
	spec.Properties.IPAddress, spec.Properties.ResourceGUID = &ip, new(newID())
	row := pipRow{ID: id, PIP: spec, Pending: pending{Phase: phaseCreate, Until: q.now.Add(s.env.Delays.Create), Op: op.ID}}
	if err := s.pips.Put(key(id), row); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, http.StatusCreated, s.pipModel(row))
	return nil
}

// updatePIP applies a PUT to an existing public IP address. Called with s.mu
// held.
func (s *Service) updatePIP(q *request, cur pipRow, spec armnetwork.PublicIPAddress) *apiError {
	name := deref(cur.PIP.Name)
	if e := busy(cur.Pending); e != nil {
		return e
	}
	if *spec.Location != deref(cur.PIP.Location) {
		return otherLocation(name, deref(cur.PIP.Location), q.group.Name, *spec.Location)
	}
	curSpec := normalizePIP(cur.PIP)
	if sameJSON(spec, curSpec) {
		writeJSON(q.w, http.StatusOK, s.pipModel(cur))
		return nil
	}
	if *spec.SKU.Name != *curSpec.SKU.Name {
		return badRequest("PublicIPAddressSkuCannotBeChanged", "The SKU of public IP address %s cannot be changed from %s to %s.", name, *curSpec.SKU.Name, *spec.SKU.Name)
	}
	op, err := s.startOp(q.rt.Sub, nsNetwork, *spec.Location, cur.ID, actionUpdate, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Name, spec.Type, spec.Etag = cur.PIP.ID, cur.PIP.Name, cur.PIP.Type, new(etag())
	spec.Properties.IPAddress, spec.Properties.ResourceGUID = cur.PIP.Properties.IPAddress, cur.PIP.Properties.ResourceGUID
	cur.PIP = spec
	s.supersede(&cur.Pending, pending{Phase: phaseUpdate, Until: q.now.Add(s.env.Delays.Modify), Op: op.ID})
	if err := s.pips.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync, http.StatusOK, s.pipModel(cur))
	return nil
}

func (s *Service) deletePIP(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok, err := s.pips.Get(key(q.id(typePublicIP, q.rt.Names[0])))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if ipc := s.ipConfigUsingPublicIP(cur.ID); ipc != "" {
		return badRequest("PublicIPAddressCannotBeDeleted", "Public IP address %s can not be deleted since it is still allocated to resource %s. In order to delete the public IP, disassociate/detach the Public IP address from the resource.", cur.ID, ipc)
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsNetwork, deref(cur.PIP.Location), cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	if err := s.pips.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}

func (s *Service) tickPublicIPs(now time.Time) {
	all, err := s.pips.List()
	if err != nil {
		return
	}
	for _, p := range all {
		if !p.Pending.due(now) {
			continue
		}
		if p.Pending.Phase == phaseDelete {
			if err := s.env.IPs.Release(key(p.ID)); err != nil {
				s.env.Log.Info("cannot release a public address", "id", p.ID, "error", err)
				continue
			}
		}
		finish(s, s.pips, key(p.ID), p.Pending)
	}
}
