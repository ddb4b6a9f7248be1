package gcp

import (
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// privateRanges are where subnetwork ranges may lie.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// checkRange parses a subnetwork's primary range and says what is wrong
// with it.
func checkRange(cidr string) (netip.Prefix, *apiError) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, errInvalid("Invalid value for field 'resource.ipCidrRange': '%s'. Invalid IPCidrRange: must be an IPv4 range such as 10.0.0.0/24.", cidr)
	}
	if p.Masked() != p {
		return netip.Prefix{}, errInvalid("Invalid value for field 'resource.ipCidrRange': '%s'. Invalid IPCidrRange: the address has bits set beyond the prefix length; use %s.", cidr, p.Masked())
	}
	if p.Bits() < 8 || p.Bits() > 29 {
		return netip.Prefix{}, errInvalid("Invalid value for field 'resource.ipCidrRange': '%s'. Invalid IPCidrRange: the prefix length must be between /8 and /29.", cidr)
	}
	for _, r := range privateRanges {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return p, nil
		}
	}
	return netip.Prefix{}, errInvalid("Invalid value for field 'resource.ipCidrRange': '%s'. Invalid IPCidrRange: the range must be in private address space (RFC 1918 or 100.64.0.0/10).", cidr)
}

// gateway is a range's first host address, a subnetwork's gateway.
func gateway(p netip.Prefix) string { return p.Addr().Next().String() }

// networkView returns a network as the API shows it: with the URLs of its
// subnetworks.
func (s *Service) networkView(row computeRow) (*computepb.Network, error) {
	n := &computepb.Network{}
	if err := decodeRes(row.Res, n); err != nil {
		return nil, err
	}
	subs, err := s.comp.subnetworks.List()
	if err != nil {
		return nil, err
	}
	n.Subnetworks = nil
	for _, sr := range subs {
		sub := &computepb.Subnetwork{}
		if err := decodeRes(sr.Res, sub); err != nil {
			return nil, err
		}
		if sub.GetNetwork() == n.GetSelfLink() {
			n.Subnetworks = append(n.Subnetworks, sub.GetSelfLink())
		}
	}
	return n, nil
}

func (s *Service) insertNetwork(w http.ResponseWriter, r *http.Request) {
	p, e := computeProject(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	n := &computepb.Network{}
	if e := decodeRequest(w, r, n); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replay(w, p, "global", rid) {
		return
	}
	if e := validateName("resource.name", n.GetName()); e != nil {
		writeError(w, e)
		return
	}
	now := s.clock()
	if e := s.newNetwork(p, n, now); e != nil {
		writeError(w, e)
		return
	}
	op := newOp(p, "global", "insert", n.GetSelfLink(), n.GetId(), now)
	key, ok := s.saveOp(w, p, "global", rid, op, time.Time{}, now)
	if !ok {
		return
	}
	row := computeRow{Project: p, Name: n.GetName(), Op: key, Until: now.Add(s.env.Delays.Modify)}
	raw, err := encodeRes(n)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	row.Res = raw
	if err := s.comp.networks.Put(row.key(), row); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// newNetwork checks a network to insert, fills in what Compute Engine
// reports, and makes its subnetworks if it is in auto mode.
func (s *Service) newNetwork(p string, n *computepb.Network, now time.Time) *apiError {
	url := networkURL(p, n.GetName())
	if _, ok, err := s.comp.networks.Get(rowKey(p, "", n.GetName())); err != nil || ok {
		if err != nil {
			return errInternal(err)
		}
		return errResourceExists(url)
	}
	if e := checkNetwork(n); e != nil {
		return e
	}
	n.Kind = new("compute#network")
	n.Id = new(newID())
	n.CreationTimestamp = new(computeTime(now))
	n.SelfLink = &url
	n.SelfLinkWithId = new(fmt.Sprintf("%s%s/global/networks/%d", computeBase, p, n.GetId()))
	n.Subnetworks = nil
	if n.GetAutoCreateSubnetworks() {
		if err := s.createAutoSubnetworks(p, n, now); err != nil {
			return errInternal(err)
		}
	}
	return nil
}

// checkNetwork checks a network's settings and fills in the defaults.
func checkNetwork(n *computepb.Network) *apiError {
	if n.AutoCreateSubnetworks == nil || n.IPv4Range != nil {
		return errInvalid("Invalid value for field 'resource.autoCreateSubnetworks': ''. Legacy networks are not supported; set autoCreateSubnetworks to true (auto mode) or false (custom mode).")
	}
	if n.Mtu == nil {
		n.Mtu = new(int32(1460))
	}
	if n.GetMtu() < 1300 || n.GetMtu() > 8896 {
		return errInvalid("Invalid value for field 'resource.mtu': '%d'. The MTU must be between 1300 and 8896.", n.GetMtu())
	}
	if n.RoutingConfig == nil {
		n.RoutingConfig = &computepb.NetworkRoutingConfig{}
	}
	if n.RoutingConfig.RoutingMode == nil {
		n.RoutingConfig.RoutingMode = new("REGIONAL")
	}
	switch n.GetRoutingConfig().GetRoutingMode() {
	case "REGIONAL", "GLOBAL":
	default:
		return errInvalid("Invalid value for field 'resource.routingConfig.routingMode': '%s'. Must be REGIONAL or GLOBAL.", n.GetRoutingConfig().GetRoutingMode())
	}
	if n.NetworkFirewallPolicyEnforcementOrder == nil {
		n.NetworkFirewallPolicyEnforcementOrder = new("AFTER_CLASSIC_FIREWALL")
	}
	switch n.GetNetworkFirewallPolicyEnforcementOrder() {
	case "AFTER_CLASSIC_FIREWALL", "BEFORE_CLASSIC_FIREWALL":
	default:
		return errInvalid("Invalid value for field 'resource.networkFirewallPolicyEnforcementOrder': '%s'.", n.GetNetworkFirewallPolicyEnforcementOrder())
	}
	if len(n.GetPeerings()) > 0 {
		return errInvalid("Invalid value for field 'resource.peerings': network peering is not supported by the local cloud.")
	}
	return nil
}

// createAutoSubnetworks gives an auto mode network its subnetwork in every
// region, with the ranges Google Cloud uses.
func (s *Service) createAutoSubnetworks(p string, n *computepb.Network, now time.Time) error {
	for _, rg := range regionNames() {
		pfx := netip.MustParsePrefix(regions[rg].autoRange)
		cidr := pfx.String()
		sub := &computepb.Subnetwork{
			Kind:                  new("compute#subnetwork"),
			Id:                    new(newID()),
			CreationTimestamp:     new(computeTime(now)),
			Name:                  new(n.GetName()),
			Network:               new(n.GetSelfLink()),
			IpCidrRange:           &cidr,
			GatewayAddress:        new(gateway(pfx)),
			Region:                new(regionURL(p, rg)),
			SelfLink:              new(subnetworkURL(p, rg, n.GetName())),
			PrivateIpGoogleAccess: new(false),
			Purpose:               new("PRIVATE"),
			StackType:             new("IPV4_ONLY"),
		}
		sub.Fingerprint = new(subnetworkFingerprint(sub))
		raw, err := encodeRes(sub)
		if err != nil {
			return err
		}
		row := computeRow{Project: p, Scope: rg, Name: n.GetName(), Res: raw, Auto: true}
		if err := s.comp.subnetworks.Put(row.key(), row); err != nil {
			return err
		}
	}
	return nil
}

func subnetworkFingerprint(sub *computepb.Subnetwork) string {
	c := proto.Clone(sub).(*computepb.Subnetwork)
	c.Fingerprint = nil
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	return fingerprint(b)
}

// loadNetwork returns a network's row.
func (s *Service) loadNetwork(p, name string) (computeRow, *apiError) {
	row, ok, err := s.comp.networks.Get(rowKey(p, "", name))
	if err != nil {
		return row, errInternal(err)
	}
	if !ok {
		return row, errResourceNotFound(networkURL(p, name))
	}
	return row, nil
}

func (s *Service) getNetwork(w http.ResponseWriter, r *http.Request) {
	p, e := computeProject(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	row, e := s.loadNetwork(p, r.PathValue("network"))
	if e != nil {
		writeError(w, e)
		return
	}
	n, err := s.networkView(row)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, n)
}

func (s *Service) listNetworks(w http.ResponseWriter, r *http.Request) {
	p, e := computeProject(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	all, err := s.comp.networks.List()
	var raws [][]byte
	for _, row := range all {
		if err != nil || row.Project != p {
			continue
		}
		var n *computepb.Network
		if n, err = s.networkView(row); err == nil {
			var raw []byte
			raw, err = encodeRes(n)
			raws = append(raws, raw)
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	items, next, e := s.listPage(r, raws, func() proto.Message { return &computepb.Network{} })
	if e != nil {
		writeError(w, e)
		return
	}
	list := &computepb.NetworkList{
		Kind:     new("compute#networkList"),
		Id:       new(computeBase + p + "/global/networks"),
		SelfLink: new(computeBase + p + "/global/networks"),
	}
	for _, m := range items {
		list.Items = append(list.Items, m.(*computepb.Network))
	}
	if next != "" {
		list.NextPageToken = new(next)
	}
	writeProto(w, list)
}

func (s *Service) patchNetwork(w http.ResponseWriter, r *http.Request) {
	p, e := computeProject(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	req := &computepb.Network{}
	if e := decodeRequest(w, r, req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replay(w, p, "global", rid) {
		return
	}
	row, e := s.loadNetwork(p, r.PathValue("network"))
	if e != nil {
		writeError(w, e)
		return
	}
	cur := &computepb.Network{}
	if err := decodeRes(row.Res, cur); err != nil {
		writeError(w, errInternal(err))
		return
	}
	if row.Deleting {
		writeError(w, errNotReady(cur.GetSelfLink()))
		return
	}
	if e := patchNetworkFields(cur, req); e != nil {
		writeError(w, e)
		return
	}
	now := s.clock()
	op := newOp(p, "global", "patch", cur.GetSelfLink(), cur.GetId(), now)
	if _, ok := s.saveOp(w, p, "global", rid, op, now.Add(s.env.Delays.Modify), now); !ok {
		return
	}
	raw, err := encodeRes(cur)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	row.Res = raw
	if err := s.comp.networks.Put(row.key(), row); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// patchNetworkFields applies the fields a network patch may change: the
// routing mode, the MTU, the firewall policy order and the description.
func patchNetworkFields(cur, req *computepb.Network) *apiError {
	switch {
	case req.Name != nil && req.GetName() != cur.GetName():
		return errInvalid("Invalid value for field 'resource.name': '%s'. The name of a network cannot be changed.", req.GetName())
	case req.AutoCreateSubnetworks != nil && req.GetAutoCreateSubnetworks() != cur.GetAutoCreateSubnetworks():
		return errInvalid("Invalid value for field 'resource.autoCreateSubnetworks': '%t'. The subnet mode of a network cannot be changed by patch.", req.GetAutoCreateSubnetworks())
	case req.IPv4Range != nil || req.GatewayIPv4 != nil || len(req.GetPeerings()) > 0:
		return errInvalid("Invalid value for field 'resource': only routingConfig, mtu, networkFirewallPolicyEnforcementOrder and description can be patched.")
	}
	next := proto.Clone(cur).(*computepb.Network)
	if req.Description != nil {
		next.Description = req.Description
	}
	if req.Mtu != nil {
		next.Mtu = req.Mtu
	}
	if req.GetRoutingConfig().RoutingMode != nil {
		next.RoutingConfig.RoutingMode = req.GetRoutingConfig().RoutingMode
	}
	if req.NetworkFirewallPolicyEnforcementOrder != nil {
		next.NetworkFirewallPolicyEnforcementOrder = req.NetworkFirewallPolicyEnforcementOrder
	}
	if e := checkNetwork(next); e != nil {
		return e
	}
	proto.Reset(cur)
	proto.Merge(cur, next)
	return nil
}

func (s *Service) deleteNetwork(w http.ResponseWriter, r *http.Request) {
	p, e := computeProject(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replay(w, p, "global", rid) {
		return
	}
	row, e := s.loadNetwork(p, r.PathValue("network"))
	if e != nil {
		writeError(w, e)
		return
	}
	if row.Deleting {
		if o, ok, err := s.comp.ops.Get(row.Op); err == nil && ok {
			writeRaw(w, http.StatusOK, o.Res)
			return
		}
	}
	n := &computepb.Network{}
	if err := decodeRes(row.Res, n); err != nil {
		writeError(w, errInternal(err))
		return
	}
	if user, err := s.networkUser(n.GetSelfLink()); err != nil || user != "" {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errInUse("network", n.GetSelfLink(), user))
		return
	}
	now := s.clock()
	op := newOp(p, "global", "delete", n.GetSelfLink(), n.GetId(), now)
	key, ok := s.saveOp(w, p, "global", rid, op, time.Time{}, now)
	if !ok {
		return
	}
	row.Op, row.Until, row.Deleting = key, now.Add(s.env.Delays.Delete), true
	if err := s.comp.networks.Put(row.key(), row); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// networkUser returns the URL of a resource that keeps a network from being
// deleted: an instance attached to it or a subnetwork made in it (other
// than an auto mode one, which goes with the network).
func (s *Service) networkUser(url string) (string, error) {
	insts, err := s.comp.instances.List()
	if err != nil {
		return "", err
	}
	for _, row := range insts {
		in := &computepb.Instance{}
		if err := decodeRes(row.Res, in); err != nil {
			return "", err
		}
		for _, nic := range in.GetNetworkInterfaces() {
			if nic.GetNetwork() == url {
				return in.GetSelfLink(), nil
			}
		}
	}
	subs, err := s.comp.subnetworks.List()
	if err != nil {
		return "", err
	}
	for _, row := range subs {
		sub := &computepb.Subnetwork{}
		if err := decodeRes(row.Res, sub); err != nil {
			return "", err
		}
		if sub.GetNetwork() == url && !row.Auto {
			return sub.GetSelfLink(), nil
		}
	}
	return "", nil
}

// subnetworkUser returns the URL of an instance attached to a subnetwork.
func (s *Service) subnetworkUser(url string) (string, error) {
	insts, err := s.comp.instances.List()
	if err != nil {
		return "", err
	}
	for _, row := range insts {
		in := &computepb.Instance{}
		if err := decodeRes(row.Res, in); err != nil {
			return "", err
		}
		for _, nic := range in.GetNetworkInterfaces() {
			if nic.GetSubnetwork() == url {
				return in.GetSelfLink(), nil
			}
		}
	}
	return "", nil
}

// overlapping returns a subnetwork of network (other than skip) whose
// range overlaps pfx.
func (s *Service) overlapping(network, skip string, pfx netip.Prefix) (*computepb.Subnetwork, error) {
	all, err := s.comp.subnetworks.List()
	if err != nil {
		return nil, err
	}
	for _, row := range all {
		sub := &computepb.Subnetwork{}
		if err := decodeRes(row.Res, sub); err != nil {
			return nil, err
		}
		if sub.GetNetwork() != network || sub.GetSelfLink() == skip {
			continue
		}
		other, err := netip.ParsePrefix(sub.GetIpCidrRange())
		if err != nil {
			continue
		}
		if other.Overlaps(pfx) {
			return sub, nil
		}
	}
	return nil, nil
}

func errOverlap(cidr string, sub *computepb.Subnetwork) *apiError {
	return errInvalid("Invalid IPCidrRange: %s conflicts with existing subnetwork '%s' in region '%s'.", cidr, sub.GetName(), lastSegment(sub.GetRegion()))
}

func checkSecondaryRanges(sub *computepb.Subnetwork, primary netip.Prefix) *apiError {
	seen := map[string]bool{}
	for i, sr := range sub.GetSecondaryIpRanges() {
		if e := validateName(fmt.Sprintf("resource.secondaryIpRanges[%d].rangeName", i), sr.GetRangeName()); e != nil {
			return e
		}
		if seen[sr.GetRangeName()] {
			return errInvalid("Invalid value for field 'resource.secondaryIpRanges[%d].rangeName': '%s'. Range names must be unique.", i, sr.GetRangeName())
		}
		seen[sr.GetRangeName()] = true
		p, e := checkRange(sr.GetIpCidrRange())
		if e != nil {
			return e
		}
		if p.Overlaps(primary) {
			return errInvalid("Invalid IPCidrRange: %s conflicts with the primary range %s.", sr.GetIpCidrRange(), primary)
		}
	}
	return nil
}

func (s *Service) insertSubnetwork(w http.ResponseWriter, r *http.Request) {
	p, rg, e := regional(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	sub := &computepb.Subnetwork{}
	if e := decodeRequest(w, r, sub); e != nil {
		writeError(w, e)
		return
	}
	scope := "regions/" + rg
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replay(w, p, scope, rid) {
		return
	}
	if e := validateName("resource.name", sub.GetName()); e != nil {
		writeError(w, e)
		return
	}
	url := subnetworkURL(p, rg, sub.GetName())
	if _, ok, err := s.comp.subnetworks.Get(rowKey(p, rg, sub.GetName())); err != nil || ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errResourceExists(url))
		return
	}
	e = s.checkNewSubnetwork(p, sub)
	if e != nil {
		writeError(w, e)
		return
	}
	now := s.clock()
	sub.Kind = new("compute#subnetwork")
	sub.Id = new(newID())
	sub.CreationTimestamp = new(computeTime(now))
	sub.Region = new(regionURL(p, rg))
	sub.SelfLink = new(url)
	sub.Fingerprint = new(subnetworkFingerprint(sub))
	op := newOp(p, scope, "insert", url, sub.GetId(), now)
	key, ok := s.saveOp(w, p, scope, rid, op, time.Time{}, now)
	if !ok {
		return
	}
	raw, err := encodeRes(sub)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	row := computeRow{Project: p, Scope: rg, Name: sub.GetName(), Res: raw, Op: key, Until: now.Add(s.env.Delays.Modify)}
	if err := s.comp.subnetworks.Put(row.key(), row); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// checkNewSubnetwork checks a subnetwork to insert and fills in its network
// URL, gateway and defaults.
func (s *Service) checkNewSubnetwork(p string, sub *computepb.Subnetwork) *apiError {
	if sub.GetNetwork() == "" {
		return errInvalid("Invalid value for field 'resource.network': ''. The network must be specified.")
	}
	np, nn, ok := parseNetwork(sub.GetNetwork(), p)
	if !ok {
		return errInvalid("Invalid value for field 'resource.network': '%s'. The URL is malformed.", sub.GetNetwork())
	}
	net, ok, err := s.comp.networks.Get(rowKey(np, "", nn))
	if err != nil {
		return errInternal(err)
	}
	if !ok || net.Deleting {
		return errResourceNotFound(networkURL(np, nn))
	}
	sub.Network = new(networkURL(np, nn))
	pfx, e := s.checkSubnetworkRanges(sub)
	if e != nil {
		return e
	}
	gw := gateway(pfx)
	sub.GatewayAddress = &gw
	return subnetworkDefaults(sub)
}

// checkSubnetworkRanges checks a new subnetwork's primary range (in private
// space, clear of the network's other subnetworks) and secondary ranges.
func (s *Service) checkSubnetworkRanges(sub *computepb.Subnetwork) (netip.Prefix, *apiError) {
	if sub.GetIpCidrRange() == "" {
		return netip.Prefix{}, errInvalid("Invalid value for field 'resource.ipCidrRange': ''. The primary range must be specified.")
	}
	pfx, e := checkRange(sub.GetIpCidrRange())
	if e != nil {
		return pfx, e
	}
	other, err := s.overlapping(sub.GetNetwork(), "", pfx)
	if err != nil {
		return pfx, errInternal(err)
	}
	if other != nil {
		return pfx, errOverlap(sub.GetIpCidrRange(), other)
	}
	return pfx, checkSecondaryRanges(sub, pfx)
}

// subnetworkDefaults fills in a new subnetwork's purpose, stack type and
// Private Google Access, refusing kinds of subnetwork not emulated.
func subnetworkDefaults(sub *computepb.Subnetwork) *apiError {
	if sub.Purpose == nil {
		sub.Purpose = new("PRIVATE")
	}
	if sub.GetPurpose() != "PRIVATE" {
		return errInvalid("Invalid value for field 'resource.purpose': '%s'. Only PRIVATE subnetworks are supported by the local cloud.", sub.GetPurpose())
	}
	if sub.StackType == nil {
		sub.StackType = new("IPV4_ONLY")
	}
	if sub.GetStackType() != "IPV4_ONLY" {
		return errInvalid("Invalid value for field 'resource.stackType': '%s'. Only IPV4_ONLY subnetworks are supported by the local cloud.", sub.GetStackType())
	}
	if sub.PrivateIpGoogleAccess == nil {
		sub.PrivateIpGoogleAccess = new(false)
	}
	return nil
}

// loadSubnetwork returns a subnetwork's row and resource.
func (s *Service) loadSubnetwork(p, rg, name string) (computeRow, *computepb.Subnetwork, *apiError) {
	row, ok, err := s.comp.subnetworks.Get(rowKey(p, rg, name))
	if err != nil {
		return row, nil, errInternal(err)
	}
	if !ok {
		return row, nil, errResourceNotFound(subnetworkURL(p, rg, name))
	}
	sub := &computepb.Subnetwork{}
	if err := decodeRes(row.Res, sub); err != nil {
		return row, nil, errInternal(err)
	}
	return row, sub, nil
}

func (s *Service) getSubnetwork(w http.ResponseWriter, r *http.Request) {
	p, rg, e := regional(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	row, _, e := s.loadSubnetwork(p, rg, r.PathValue("subnetwork"))
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeRaw(w, http.StatusOK, row.Res)
}

func (s *Service) listSubnetworks(w http.ResponseWriter, r *http.Request) {
	p, rg, e := regional(r)
	if e != nil {
		writeError(w, e)
		return
	}
	raws, e := s.rawRows(s.comp.subnetworks, p, rg)
	if e != nil {
		writeError(w, e)
		return
	}
	items, next, e := s.listPage(r, raws, func() proto.Message { return &computepb.Subnetwork{} })
	if e != nil {
		writeError(w, e)
		return
	}
	list := &computepb.SubnetworkList{
		Kind:     new("compute#subnetworkList"),
		Id:       new(regionURL(p, rg) + "/subnetworks"),
		SelfLink: new(regionURL(p, rg) + "/subnetworks"),
	}
	for _, m := range items {
		list.Items = append(list.Items, m.(*computepb.Subnetwork))
	}
	if next != "" {
		list.NextPageToken = new(next)
	}
	writeProto(w, list)
}

func (s *Service) patchSubnetwork(w http.ResponseWriter, r *http.Request) {
	p, rg, e := regional(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	req := &computepb.Subnetwork{}
	if e := decodeRequest(w, r, req); e != nil {
		writeError(w, e)
		return
	}
	scope := "regions/" + rg
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replay(w, p, scope, rid) {
		return
	}
	row, cur, e := s.loadSubnetwork(p, rg, r.PathValue("subnetwork"))
	if e != nil {
		writeError(w, e)
		return
	}
	if row.Deleting {
		writeError(w, errNotReady(cur.GetSelfLink()))
		return
	}
	if req.GetFingerprint() == "" {
		writeError(w, errInvalid("Invalid value for field 'resource.fingerprint': ''. The fingerprint of the subnetwork must be provided."))
		return
	}
	if req.GetFingerprint() != cur.GetFingerprint() {
		writeError(w, errConditionNotMet("Supplied fingerprint does not match current subnetwork fingerprint."))
		return
	}
	next, e := s.patchSubnetworkFields(cur, req)
	if e != nil {
		writeError(w, e)
		return
	}
	next.Fingerprint = new(subnetworkFingerprint(next))
	now := s.clock()
	op := newOp(p, scope, "patch", cur.GetSelfLink(), cur.GetId(), now)
	if _, ok := s.saveOp(w, p, scope, rid, op, now.Add(s.env.Delays.Modify), now); !ok {
		return
	}
	raw, err := encodeRes(next)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	row.Res = raw
	if err := s.comp.subnetworks.Put(row.key(), row); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// patchSubnetworkFields returns cur with a patch's changes: description,
// Private Google Access, flow logs, secondary ranges, and an expansion of
// the primary range.
func (s *Service) patchSubnetworkFields(cur, req *computepb.Subnetwork) (*computepb.Subnetwork, *apiError) {
	if e := checkSubnetworkImmutable(cur, req); e != nil {
		return nil, e
	}
	next := proto.Clone(cur).(*computepb.Subnetwork)
	if req.Description != nil {
		next.Description = req.Description
	}
	if req.PrivateIpGoogleAccess != nil {
		next.PrivateIpGoogleAccess = req.PrivateIpGoogleAccess
	}
	if req.EnableFlowLogs != nil {
		next.EnableFlowLogs = req.EnableFlowLogs
	}
	if req.LogConfig != nil {
		next.LogConfig = req.LogConfig
	}
	if req.SecondaryIpRanges != nil {
		next.SecondaryIpRanges = req.GetSecondaryIpRanges()
	}
	primary, e := s.expandRange(cur, req.GetIpCidrRange())
	if e != nil {
		return nil, e
	}
	next.IpCidrRange = new(primary.String())
	if e := checkSecondaryRanges(next, primary); e != nil {
		return nil, e
	}
	return next, nil
}

// checkSubnetworkImmutable refuses a patch that changes what a subnetwork
// cannot change.
func checkSubnetworkImmutable(cur, req *computepb.Subnetwork) *apiError {
	switch {
	case req.Name != nil && req.GetName() != cur.GetName():
		return errInvalid("Invalid value for field 'resource.name': '%s'. The name of a subnetwork cannot be changed.", req.GetName())
	case req.Network != nil && lastSegment(req.GetNetwork()) != lastSegment(cur.GetNetwork()):
		return errInvalid("Invalid value for field 'resource.network': '%s'. The network of a subnetwork cannot be changed.", req.GetNetwork())
	case req.Purpose != nil && req.GetPurpose() != cur.GetPurpose():
		return errInvalid("Invalid value for field 'resource.purpose': '%s'. The purpose of a subnetwork cannot be changed.", req.GetPurpose())
	case req.StackType != nil && req.GetStackType() != cur.GetStackType():
		return errInvalid("Invalid value for field 'resource.stackType': '%s'. Only IPV4_ONLY subnetworks are supported by the local cloud.", req.GetStackType())
	}
	return nil
}

// expandRange returns a subnetwork's primary range after a patch asking
// for cidr: the current one when cidr is empty or the same, else a larger
// range that contains it and overlaps no other subnetwork.
func (s *Service) expandRange(cur *computepb.Subnetwork, cidr string) (netip.Prefix, *apiError) {
	primary := netip.MustParsePrefix(cur.GetIpCidrRange())
	if cidr == "" || cidr == cur.GetIpCidrRange() {
		return primary, nil
	}
	pfx, e := checkRange(cidr)
	if e != nil {
		return primary, e
	}
	if pfx.Bits() >= primary.Bits() || !pfx.Contains(primary.Addr()) {
		return primary, errInvalid("Invalid IPCidrRange: %s. A subnetwork's primary range can only be expanded to a larger range containing %s.", cidr, cur.GetIpCidrRange())
	}
	other, err := s.overlapping(cur.GetNetwork(), cur.GetSelfLink(), pfx)
	if err != nil {
		return primary, errInternal(err)
	}
	if other != nil {
		return primary, errOverlap(cidr, other)
	}
	return pfx, nil
}

func (s *Service) deleteSubnetwork(w http.ResponseWriter, r *http.Request) {
	p, rg, e := regional(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	scope := "regions/" + rg
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replay(w, p, scope, rid) {
		return
	}
	row, sub, e := s.loadSubnetwork(p, rg, r.PathValue("subnetwork"))
	if e != nil {
		writeError(w, e)
		return
	}
	if row.Deleting {
		if o, ok, err := s.comp.ops.Get(row.Op); err == nil && ok {
			writeRaw(w, http.StatusOK, o.Res)
			return
		}
	}
	if row.Auto {
		writeError(w, errInvalid("Invalid resource usage: the subnetwork '%s' was created by auto mode network '%s' and is deleted with it.", resourcePath(sub.GetSelfLink()), resourcePath(sub.GetNetwork())))
		return
	}
	if user, err := s.subnetworkUser(sub.GetSelfLink()); err != nil || user != "" {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errInUse("subnetwork", sub.GetSelfLink(), user))
		return
	}
	now := s.clock()
	op := newOp(p, scope, "delete", sub.GetSelfLink(), sub.GetId(), now)
	key, ok := s.saveOp(w, p, scope, rid, op, time.Time{}, now)
	if !ok {
		return
	}
	row.Op, row.Until, row.Deleting = key, now.Add(s.env.Delays.Delete), true
	if err := s.comp.subnetworks.Put(row.key(), row); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// advanceNetworks finishes network and subnetwork creations and deletions
// whose time has come.
func (s *Service) advanceNetworks(now time.Time) error {
	subs, err := s.comp.subnetworks.List()
	if err != nil {
		return err
	}
	for _, row := range subs {
		if row.Op == "" || now.Before(row.Until) {
			continue
		}
		if err := s.finishRow(s.comp.subnetworks.Delete, s.comp.subnetworks.Put, row, now); err != nil {
			return errors.Wrapf(err, "cannot advance subnetwork %s", row.Name)
		}
	}
	nets, err := s.comp.networks.List()
	if err != nil {
		return err
	}
	for _, row := range nets {
		if row.Op == "" || now.Before(row.Until) {
			continue
		}
		if row.Deleting {
			if err := s.dropAutoSubnetworks(row); err != nil {
				return err
			}
		}
		if err := s.finishRow(s.comp.networks.Delete, s.comp.networks.Put, row, now); err != nil {
			return errors.Wrapf(err, "cannot advance network %s", row.Name)
		}
	}
	return nil
}

// finishRow ends a network's or subnetwork's transition: a deleted one goes,
// a created one stays; either way its operation is done.
func (s *Service) finishRow(del func(string) error, put func(string, computeRow) error, row computeRow, now time.Time) error {
	key := row.Op
	if row.Deleting {
		if err := del(row.key()); err != nil {
			return err
		}
	} else {
		row.Op, row.Until = "", time.Time{}
		if err := put(row.key(), row); err != nil {
			return err
		}
	}
	return s.finishComputeOp(key, now)
}

// dropAutoSubnetworks removes the subnetworks an auto mode network made.
func (s *Service) dropAutoSubnetworks(net computeRow) error {
	url := networkURL(net.Project, net.Name)
	subs, err := s.comp.subnetworks.List()
	if err != nil {
		return err
	}
	for _, row := range subs {
		if !row.Auto || row.Project != net.Project || row.Name != net.Name {
			continue
		}
		sub := &computepb.Subnetwork{}
		if err := decodeRes(row.Res, sub); err != nil {
			return err
		}
		if sub.GetNetwork() == url {
			if err := s.comp.subnetworks.Delete(row.key()); err != nil {
				return err
			}
		}
	}
	return nil
}
