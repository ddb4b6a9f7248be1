package aws

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// A securityGroup is an EC2 security group, as stored.
type securityGroup struct {
	Region      string   `json:"region"`
	ID          string   `json:"id"`
	VpcID       string   `json:"vpcId"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Ingress     []sgRule `json:"ingress,omitempty"`
	Egress      []sgRule `json:"egress,omitempty"`
	Tags        []ec2Tag `json:"tags,omitempty"`
}

// An sgRule is one rule of a security group: a protocol, a port range and
// one peer (an IPv4 or IPv6 range, another group or a prefix list). EC2's
// IpPermission groups rules that share protocol and ports.
type sgRule struct {
	ID          string `json:"id"`
	Protocol    string `json:"protocol"`
	From        int32  `json:"from"`
	To          int32  `json:"to"`
	CIDR        string `json:"cidr,omitempty"`
	CIDRv6      string `json:"cidrV6,omitempty"`
	Group       string `json:"group,omitempty"`
	PrefixList  string `json:"prefixList,omitempty"`
	Description string `json:"description,omitempty"`
}

// same reports whether two rules allow the same traffic, whatever their
// descriptions.
func (r sgRule) same(o sgRule) bool {
	return r.Protocol == o.Protocol && r.From == o.From && r.To == o.To && r.CIDR == o.CIDR && r.CIDRv6 == o.CIDRv6 &&
		r.Group == o.Group && r.PrefixList == o.PrefixList
}

// peer names a rule's peer as EC2's messages do.
func (r sgRule) peer() string {
	return r.CIDR + r.CIDRv6 + r.Group + r.PrefixList
}

type ipPermissionXML struct {
	IPProtocol    string          `xml:"ipProtocol"`
	FromPort      *int32          `xml:"fromPort,omitempty"`
	ToPort        *int32          `xml:"toPort,omitempty"`
	Groups        []groupPairXML  `xml:"groups>item"`
	IPRanges      []ipRangeXML    `xml:"ipRanges>item"`
	Ipv6Ranges    []ipv6RangeXML  `xml:"ipv6Ranges>item"`
	PrefixListIDs []prefixListXML `xml:"prefixListIds>item"`
}

type groupPairXML struct {
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	Description string `xml:"description,omitempty"`
}

type ipRangeXML struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ipv6RangeXML struct {
	CidrIpv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type prefixListXML struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type securityGroupXML struct {
	OwnerID             string            `xml:"ownerId"`
	GroupID             string            `xml:"groupId"`
	GroupName           string            `xml:"groupName"`
	GroupDescription    string            `xml:"groupDescription"`
	VpcID               string            `xml:"vpcId"`
	SecurityGroupArn    string            `xml:"securityGroupArn"`
	IPPermissions       []ipPermissionXML `xml:"ipPermissions>item"`
	IPPermissionsEgress []ipPermissionXML `xml:"ipPermissionsEgress>item"`
	TagSet              tagSet            `xml:"tagSet"`
}

type securityGroupRuleXML struct {
	SecurityGroupRuleID string `xml:"securityGroupRuleId"`
	GroupID             string `xml:"groupId"`
	GroupOwnerID        string `xml:"groupOwnerId"`
	IsEgress            bool   `xml:"isEgress"`
	IPProtocol          string `xml:"ipProtocol"`
	FromPort            int32  `xml:"fromPort"`
	ToPort              int32  `xml:"toPort"`
	CidrIpv4            string `xml:"cidrIpv4,omitempty"`
	CidrIpv6            string `xml:"cidrIpv6,omitempty"`
	PrefixListID        string `xml:"prefixListId,omitempty"`
	ReferencedGroupInfo *struct {
		GroupID string `xml:"groupId"`
		UserID  string `xml:"userId"`
	} `xml:"referencedGroupInfo,omitempty"`
	Description string `xml:"description,omitempty"`
}

type createSecurityGroupResponse struct {
	ec2Meta

	Return           bool   `xml:"return"`
	GroupID          string `xml:"groupId"`
	SecurityGroupArn string `xml:"securityGroupArn"`
	TagSet           tagSet `xml:"tagSet"`
}

type describeSecurityGroupsResponse struct {
	ec2Meta

	SecurityGroupInfo []securityGroupXML `xml:"securityGroupInfo>item"`
	NextToken         string             `xml:"nextToken,omitempty"`
}

type authorizeResponse struct {
	ec2Meta

	Return               bool                   `xml:"return"`
	SecurityGroupRuleSet []securityGroupRuleXML `xml:"securityGroupRuleSet>item"`
}

type revokeResponse struct {
	ec2Meta

	Return                      bool                   `xml:"return"`
	UnknownIPPermissionSet      []ipPermissionXML      `xml:"unknownIpPermissionSet>item"`
	RevokedSecurityGroupRuleSet []securityGroupRuleXML `xml:"revokedSecurityGroupRuleSet>item"`
}

type deleteSecurityGroupResponse struct {
	ec2Meta

	Return  bool   `xml:"return"`
	GroupID string `xml:"groupId"`
}

func (s *Service) groupARN(g securityGroup) string {
	return "arn:aws:ec2:" + g.Region + ":" + s.account + ":security-group/" + g.ID
}

// permissions groups rules into EC2's IpPermissions, in the order their
// protocol and ports first appear.
func (s *Service) permissions(rules []sgRule) []ipPermissionXML {
	var out []ipPermissionXML
	index := map[string]int{}
	for _, r := range rules {
		k := r.Protocol + "/" + strconv.Itoa(int(r.From)) + "/" + strconv.Itoa(int(r.To))
		i, ok := index[k]
		if !ok {
			p := ipPermissionXML{IPProtocol: r.Protocol}
			if r.Protocol != "-1" {
				from, to := r.From, r.To
				p.FromPort, p.ToPort = &from, &to
			}
			out = append(out, p)
			i = len(out) - 1
			index[k] = i
		}
		switch {
		case r.CIDR != "":
			out[i].IPRanges = append(out[i].IPRanges, ipRangeXML{CidrIP: r.CIDR, Description: r.Description})
		case r.CIDRv6 != "":
			out[i].Ipv6Ranges = append(out[i].Ipv6Ranges, ipv6RangeXML{CidrIpv6: r.CIDRv6, Description: r.Description})
		case r.Group != "":
			out[i].Groups = append(out[i].Groups, groupPairXML{UserID: s.account, GroupID: r.Group, Description: r.Description})
		case r.PrefixList != "":
			out[i].PrefixListIDs = append(out[i].PrefixListIDs, prefixListXML{PrefixListID: r.PrefixList, Description: r.Description})
		}
	}
	return out
}

func (s *Service) groupXMLOf(g securityGroup) securityGroupXML {
	return securityGroupXML{
		OwnerID: s.account, GroupID: g.ID, GroupName: g.Name, GroupDescription: g.Description, VpcID: g.VpcID,
		SecurityGroupArn: s.groupARN(g), IPPermissions: s.permissions(g.Ingress), IPPermissionsEgress: s.permissions(g.Egress), TagSet: g.Tags,
	}
}

func (s *Service) ruleXMLOf(g securityGroup, r sgRule, egress bool) securityGroupRuleXML {
	x := securityGroupRuleXML{
		SecurityGroupRuleID: r.ID, GroupID: g.ID, GroupOwnerID: s.account, IsEgress: egress, IPProtocol: r.Protocol,
		FromPort: r.From, ToPort: r.To, CidrIpv4: r.CIDR, CidrIpv6: r.CIDRv6, PrefixListID: r.PrefixList, Description: r.Description,
	}
	if r.Group != "" {
		x.ReferencedGroupInfo = &struct {
			GroupID string `xml:"groupId"`
			UserID  string `xml:"userId"`
		}{GroupID: r.Group, UserID: s.account}
	}
	return x
}

// checkDescription checks a group or rule description as EC2 does:
// at most 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*.
func checkDescription(d, what string) error {
	if len(d) > 255 {
		return invalidValue("Invalid %s: the description must be at most 255 characters long.", what)
	}
	for _, r := range d {
		ok := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || strings.ContainsRune(" ._-:/()#,@[]+=&;{}!$*", r)
		if !ok {
			return invalidValue("Invalid %s: character '%c' is not allowed. Use a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", what, r)
		}
	}
	return nil
}

// checkGroupName checks a new group's name and description as EC2 does.
func checkGroupName(name, desc string) error {
	if len(name) > 255 {
		return invalidValue("Invalid security group name: at most 255 characters.")
	}
	if strings.HasPrefix(name, "sg-") {
		return invalidValue("Group names may not be in the format sg-*.")
	}
	if name == "default" {
		return clientError("InvalidGroup.Reserved", "The security group 'default' is reserved")
	}
	if err := checkDescription(name, "security group name"); err != nil {
		return err
	}
	return checkDescription(desc, "security group description")
}

// createSecurityGroup creates a group in a VPC (the default VPC when none
// is named), with the egress rule to anywhere every new group has.
func (s *Service) createSecurityGroup(_ context.Context, c call) (ec2Body, error) {
	p := c.Params
	name, desc := p.str("GroupName"), p.str("GroupDescription")
	if name == "" {
		return nil, missing(apiEC2, "GroupName")
	}
	if !p.has("GroupDescription") {
		return nil, missing(apiEC2, "GroupDescription")
	}
	if err := checkGroupName(name, desc); err != nil {
		return nil, err
	}
	vpcID := p.str("VpcId")
	if vpcID == "" {
		def, err := s.defaultVPC(c.Region)
		if err != nil {
			return nil, err
		}
		if def == "" {
			return nil, clientError("VPCIdNotSpecified", "No default VPC for this user")
		}
		vpcID = def
	}
	if _, err := s.getVPC(c.Region, vpcID); err != nil {
		return nil, err
	}
	all, err := s.groups.List()
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(all, func(g securityGroup) bool { return g.VpcID == vpcID && g.Name == name }) {
		return nil, clientError("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpcID)
	}
	specs, err := tagSpecs(p, "security-group")
	if err != nil {
		return nil, err
	}
	g := securityGroup{Region: c.Region, ID: newID("sg"), VpcID: vpcID, Name: name, Description: desc, Tags: specs["security-group"]}
	g.Egress = []sgRule{{ID: newID("sgr"), Protocol: "-1", From: -1, To: -1, CIDR: "0.0.0.0/0"}}
	if err := s.groups.Put(g.ID, g); err != nil {
		return nil, err
	}
	return &createSecurityGroupResponse{Return: true, GroupID: g.ID, SecurityGroupArn: s.groupARN(g), TagSet: g.Tags}, nil
}

// getGroup returns a group of the region.
func (s *Service) getGroup(region, id string) (securityGroup, error) {
	g, ok, err := s.groups.Get(id)
	if err != nil {
		return securityGroup{}, err
	}
	if !ok || g.Region != region {
		return securityGroup{}, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	}
	return g, nil
}

// groupOf returns the group a rule call names, by GroupId or, in the
// default VPC, by GroupName.
func (s *Service) groupOf(c call) (securityGroup, error) {
	if id := c.Params.str("GroupId"); id != "" {
		return s.getGroup(c.Region, id)
	}
	name := c.Params.str("GroupName")
	if name == "" {
		return securityGroup{}, missing(apiEC2, "GroupId")
	}
	def, err := s.defaultVPC(c.Region)
	if err != nil {
		return securityGroup{}, err
	}
	all, err := s.groups.List()
	if err != nil {
		return securityGroup{}, err
	}
	for _, g := range all {
		if g.Region == c.Region && g.VpcID == def && g.Name == name {
			return g, nil
		}
	}
	return securityGroup{}, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, def)
}

// protocolNames maps the protocol numbers EC2 reports by name.
var protocolNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}

// readRules reads the rules a call names, one per peer: IpPermissions.N,
// or the older top-level IpProtocol/FromPort/ToPort/CidrIp.
func (s *Service) readRules(c call) ([]sgRule, error) {
	perms := c.Params.structs("IpPermissions", "")
	if len(perms) == 0 && (c.Params.has("IpProtocol") || c.Params.has("CidrIp")) {
		perms = []params{{
			"IpProtocol": c.Params.str("IpProtocol"), "FromPort": c.Params.str("FromPort"), "ToPort": c.Params.str("ToPort"),
			"IpRanges.1.CidrIp": c.Params.str("CidrIp"),
		}}
		for k, v := range perms[0] {
			if v == "" && k != "IpProtocol" {
				delete(perms[0], k)
			}
		}
	}
	var out []sgRule
	for _, p := range perms {
		base, err := ruleBase(p)
		if err != nil {
			return nil, err
		}
		rules, err := s.rulePeers(c.Region, base, p)
		if err != nil {
			return nil, err
		}
		out = append(out, rules...)
	}
	for _, r := range out {
		if err := checkDescription(r.Description, "rule description"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rulePeers returns a rule per peer of one IpPermission: its IPv4 and IPv6
// ranges, groups and prefix lists.
func (s *Service) rulePeers(region string, base sgRule, p params) ([]sgRule, error) {
	var out []sgRule
	add := func(set func(r *sgRule), desc string) {
		r := base
		set(&r)
		r.Description = desc
		out = append(out, r)
	}
	for _, r := range p.structs("IpRanges", "") {
		pfx, err := netip.ParsePrefix(r.str("CidrIp"))
		if err != nil || !pfx.Addr().Is4() {
			return nil, invalidValue("CIDR block %s is malformed", r.str("CidrIp"))
		}
		add(func(x *sgRule) { x.CIDR = pfx.Masked().String() }, r.str("Description"))
	}
	for _, r := range p.structs("Ipv6Ranges", "") {
		pfx, err := netip.ParsePrefix(r.str("CidrIpv6"))
		if err != nil || !pfx.Addr().Is6() {
			return nil, invalidValue("CIDR block %s is malformed", r.str("CidrIpv6"))
		}
		add(func(x *sgRule) { x.CIDRv6 = pfx.Masked().String() }, r.str("Description"))
	}
	for _, r := range p.structs("Groups", "") {
		id := r.str("GroupId")
		if id == "" {
			return nil, missing(apiEC2, "GroupId")
		}
		if _, err := s.getGroup(region, id); err != nil {
			return nil, err
		}
		add(func(x *sgRule) { x.Group = id }, r.str("Description"))
	}
	for _, r := range p.structs("PrefixListIds", "") {
		add(func(x *sgRule) { x.PrefixList = r.str("PrefixListId") }, r.str("Description"))
	}
	if len(out) == 0 {
		return nil, missing(apiEC2, "IpRanges, Ipv6Ranges, Groups or PrefixListIds")
	}
	return out, nil
}

// ruleBase reads the protocol and ports of one IpPermission.
func ruleBase(p params) (sgRule, error) {
	proto := strings.ToLower(p.str("IpProtocol"))
	if proto == "" {
		return sgRule{}, missing(apiEC2, "IpProtocol")
	}
	if name, ok := protocolNames[proto]; ok {
		proto = name
	}
	from, err := p.optInt("FromPort")
	if err != nil {
		return sgRule{}, err
	}
	to, err := p.optInt("ToPort")
	if err != nil {
		return sgRule{}, err
	}
	r := sgRule{Protocol: proto, From: -1, To: -1}
	if err := r.setPorts(from, to); err != nil {
		return sgRule{}, err
	}
	return r, nil
}

// setPorts sets a rule's port range (ICMP type and code) as its protocol
// wants: none for all protocols and for protocol numbers, both ends for TCP
// and UDP.
func (r *sgRule) setPorts(from, to *int32) error {
	switch r.Protocol {
	case "-1":
	case "tcp", "udp":
		if err := checkPortRange(from, to); err != nil {
			return err
		}
		r.From, r.To = *from, *to
	case "icmp", "icmpv6":
		r.From, r.To = deref(from, -1), deref(to, -1)
		if r.From < -1 || r.From > 255 || r.To < -1 || r.To > 255 {
			return invalidValue("Invalid ICMP type or code %d/%d.", r.From, r.To)
		}
	default:
		n, err := strconv.Atoi(r.Protocol)
		if err != nil || n < 0 || n > 255 {
			return clientError("InvalidPermission.Malformed", "Unsupported IP protocol \"%s\"  - supported: [all, tcp, udp, icmp, icmpv6, or a protocol number]", r.Protocol)
		}
	}
	return nil
}

// checkPortRange checks a TCP or UDP port range.
func checkPortRange(from, to *int32) error {
	if from == nil || to == nil {
		return invalidValue("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange")
	}
	if *from < 0 || *to > 65535 || *from > *to {
		return invalidValue("Invalid TCP/UDP port range %d-%d.", *from, *to)
	}
	return nil
}

// ruleText describes a rule as EC2's duplicate error does.
func ruleText(r sgRule) string {
	proto := strings.ToUpper(r.Protocol)
	if r.Protocol == "-1" {
		proto = "ALL"
	}
	return "peer: " + r.peer() + ", " + proto + ", from port: " + strconv.Itoa(int(r.From)) + ", to port: " + strconv.Itoa(int(r.To)) + ", ALLOW"
}

// authorize adds rules to one direction of a group.
func (s *Service) authorize(c call, egress bool) (ec2Body, error) {
	g, err := s.groupOf(c)
	if err != nil {
		return nil, err
	}
	rules, err := s.readRules(c)
	if err != nil {
		return nil, err
	}
	have := &g.Ingress
	if egress {
		have = &g.Egress
	}
	resp := &authorizeResponse{Return: true}
	for i, r := range rules {
		dup := slices.ContainsFunc(*have, r.same) || slices.ContainsFunc(rules[:i], r.same)
		if dup {
			return nil, clientError("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", ruleText(r))
		}
	}
	for _, r := range rules {
		r.ID = newID("sgr")
		*have = append(*have, r)
		resp.SecurityGroupRuleSet = append(resp.SecurityGroupRuleSet, s.ruleXMLOf(g, r, egress))
	}
	if len(*have) > 60 {
		return nil, clientError("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
	}
	if err := s.groups.Put(g.ID, g); err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Service) authorizeIngress(_ context.Context, c call) (ec2Body, error) {
	return s.authorize(c, false)
}

func (s *Service) authorizeEgress(_ context.Context, c call) (ec2Body, error) {
	return s.authorize(c, true)
}

// revoke removes rules from one direction of a group, by rule or by rule
// ID. A rule the group lacks fails the call, except in the default VPC,
// where EC2 answers it as unknown and revokes the rest.
func (s *Service) revoke(c call, egress bool) (ec2Body, error) {
	g, err := s.groupOf(c)
	if err != nil {
		return nil, err
	}
	have := &g.Ingress
	if egress {
		have = &g.Egress
	}
	var rules []sgRule
	ruleIDs := c.Params.strings("SecurityGroupRuleId", "")
	if len(ruleIDs) == 0 {
		if rules, err = s.readRules(c); err != nil {
			return nil, err
		}
	}
	resp := &revokeResponse{Return: true}
	var unknown []sgRule
	keep := append([]sgRule(nil), (*have)...)
	remove := func(match func(sgRule) bool) bool {
		i := slices.IndexFunc(keep, match)
		if i < 0 {
			return false
		}
		resp.RevokedSecurityGroupRuleSet = append(resp.RevokedSecurityGroupRuleSet, s.ruleXMLOf(g, keep[i], egress))
		keep = slices.Delete(keep, i, i+1)
		return true
	}
	for _, id := range ruleIDs {
		if !remove(func(r sgRule) bool { return r.ID == id }) {
			return nil, clientError("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
		}
	}
	for _, r := range rules {
		if !remove(r.same) {
			unknown = append(unknown, r)
		}
	}
	if len(unknown) > 0 {
		def, err := s.defaultVPC(c.Region)
		if err != nil {
			return nil, err
		}
		if g.VpcID != def {
			return nil, clientError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
		}
		resp.UnknownIPPermissionSet = s.permissions(unknown)
	}
	*have = keep
	if err := s.groups.Put(g.ID, g); err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Service) revokeIngress(_ context.Context, c call) (ec2Body, error) {
	return s.revoke(c, false)
}

func (s *Service) revokeEgress(_ context.Context, c call) (ec2Body, error) {
	return s.revoke(c, true)
}

// describeRules sets the descriptions of existing rules of one direction,
// by rule (IpPermissions) or by rule ID.
func (s *Service) describeRules(c call, egress bool) (ec2Body, error) {
	g, err := s.groupOf(c)
	if err != nil {
		return nil, err
	}
	have := g.Ingress
	if egress {
		have = g.Egress
	}
	byID := c.Params.structs("SecurityGroupRuleDescription", "")
	for _, d := range byID {
		i := slices.IndexFunc(have, func(r sgRule) bool { return r.ID == d.str("SecurityGroupRuleId") })
		if i < 0 {
			return nil, clientError("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", d.str("SecurityGroupRuleId"))
		}
		if err := checkDescription(d.str("Description"), "rule description"); err != nil {
			return nil, err
		}
		have[i].Description = d.str("Description")
	}
	if len(byID) == 0 {
		rules, err := s.readRules(c)
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			i := slices.IndexFunc(have, r.same)
			if i < 0 {
				return nil, clientError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			}
			have[i].Description = r.Description
		}
	}
	if err := s.groups.Put(g.ID, g); err != nil {
		return nil, err
	}
	return &ec2Return{Return: true}, nil
}

func (s *Service) describeIngress(_ context.Context, c call) (ec2Body, error) {
	return s.describeRules(c, false)
}

func (s *Service) describeEgress(_ context.Context, c call) (ec2Body, error) {
	return s.describeRules(c, true)
}

// describeSecurityGroups describes the region's groups, by ID, by name (in
// the default VPC) or by filters.
func (s *Service) describeSecurityGroups(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("GroupId", "")
	names := c.Params.strings("GroupName", "")
	filters := readFilters(c.Params)
	def, err := s.defaultVPC(c.Region)
	if err != nil {
		return nil, err
	}
	all, err := s.groups.List()
	if err != nil {
		return nil, err
	}
	var out []securityGroup
	found := map[string]bool{}
	for _, g := range all {
		if g.Region != c.Region || !selected(g, ids, names, def) {
			continue
		}
		found[g.ID], found[g.Name] = true, true
		ok, err := matches(filters, g.Tags, fields(map[string][]string{
			"group-id": {g.ID}, "group-name": {g.Name}, "vpc-id": {g.VpcID}, "description": {g.Description}, "owner-id": {s.account},
			"ip-permission.cidr":        ruleValues(g.Ingress, func(r sgRule) string { return r.CIDR }),
			"ip-permission.group-id":    ruleValues(g.Ingress, func(r sgRule) string { return r.Group }),
			"ip-permission.protocol":    ruleValues(g.Ingress, func(r sgRule) string { return r.Protocol }),
			"egress.ip-permission.cidr": ruleValues(g.Egress, func(r sgRule) string { return r.CIDR }),
		}))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, g)
		}
	}
	if missingIDs := absent(ids, found); len(missingIDs) > 0 {
		return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist", strings.Join(missingIDs, "', '"))
	}
	if missingNames := absent(names, found); len(missingNames) > 0 {
		return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", strings.Join(missingNames, "', '"), def)
	}
	page, next, err := ec2Page(c.Params, out, func(g securityGroup) string { return g.ID }, len(ids) > 0 || len(names) > 0)
	if err != nil {
		return nil, err
	}
	resp := &describeSecurityGroupsResponse{NextToken: next}
	for _, g := range page {
		resp.SecurityGroupInfo = append(resp.SecurityGroupInfo, s.groupXMLOf(g))
	}
	return resp, nil
}

// selected reports whether a group is among those a describe names by ID
// or, in the default VPC, by name.
func selected(g securityGroup, ids, names []string, defaultVPC string) bool {
	if len(ids) > 0 && !slices.Contains(ids, g.ID) {
		return false
	}
	return len(names) == 0 || (slices.Contains(names, g.Name) && (len(ids) > 0 || g.VpcID == defaultVPC))
}

func ruleValues(rules []sgRule, f func(sgRule) string) []string {
	var out []string
	for _, r := range rules {
		if v := f(r); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// deleteSecurityGroup deletes a group that no instance, DB instance or
// other group's rule uses. A VPC's default group goes with its VPC only.
func (s *Service) deleteSecurityGroup(_ context.Context, c call) (ec2Body, error) {
	g, err := s.groupOf(c)
	if err != nil {
		return nil, err
	}
	if g.Name == "default" {
		return nil, clientError("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.ID)
	}
	ins, err := s.instances.List()
	if err != nil {
		return nil, err
	}
	dbs, err := s.dbs.List()
	if err != nil {
		return nil, err
	}
	groups, err := s.groups.List()
	if err != nil {
		return nil, err
	}
	inUse := slices.ContainsFunc(ins, func(in instance) bool { return in.State != stateTerminated && slices.Contains(in.Groups, g.ID) }) ||
		slices.ContainsFunc(dbs, func(db dbInstance) bool { return slices.Contains(db.SecurityGroups, g.ID) }) ||
		slices.ContainsFunc(groups, func(o securityGroup) bool {
			refers := func(r sgRule) bool { return r.Group == g.ID }
			return o.ID != g.ID && (slices.ContainsFunc(o.Ingress, refers) || slices.ContainsFunc(o.Egress, refers))
		})
	if inUse {
		return nil, clientError("DependencyViolation", "resource %s has a dependent object", g.ID)
	}
	if err := s.groups.Delete(g.ID); err != nil {
		return nil, err
	}
	return &deleteSecurityGroupResponse{Return: true, GroupID: g.ID}, nil
}
