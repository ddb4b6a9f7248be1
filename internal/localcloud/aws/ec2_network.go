package aws

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// regionPattern is the shape of AWS region names (us-east-1, us-gov-west-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

func validRegion(r string) bool { return regionPattern.MatchString(r) }

// zoneLetters are the availability zones of the regions that have more
// than the usual three.
var zoneLetters = map[string]string{
	"us-east-1":      "abcdef",
	"us-west-2":      "abcd",
	"ap-northeast-1": "acd",
	"ap-northeast-2": "abcd",
}

// zones returns a region's availability zones.
func zones(region string) []string {
	letters, ok := zoneLetters[region]
	if !ok {
		letters = "abc"
	}
	out := make([]string, 0, len(letters))
	for _, l := range letters {
		out = append(out, region+string(l))
	}
	return out
}

// zoneID returns the ID of a zone (use1-az1 for us-east-1a): the region's
// initials and number, and the zone's position.
func zoneID(zone string) string {
	if len(zone) < 2 || !validRegion(zone[:len(zone)-1]) {
		return ""
	}
	region := zone[:len(zone)-1]
	parts := strings.Split(region, "-")
	var b strings.Builder
	for _, p := range parts[:len(parts)-1] {
		if p == "gov" {
			b.WriteString("gov")
			continue
		}
		b.WriteString(p[:1])
	}
	id := strings.Replace(b.String(), string(parts[0][0]), parts[0], 1) + parts[len(parts)-1]
	return id + "-az" + strconv.Itoa(strings.IndexByte("abcdefghij", zone[len(zone)-1])+1)
}

// regionState records that a region's default resources exist.
type regionState struct {
	Region     string `json:"region"`
	DefaultVPC string `json:"defaultVpc,omitempty"`
}

// defaultVPCCIDR is the range of every default VPC, as in AWS.
const defaultVPCCIDR = "172.31.0.0/16"

// ensureRegion creates a region's default VPC (a subnet per zone, public
// addresses on launch, DNS names) the first time the region is used, as
// every AWS account has one.
func (s *Service) ensureRegion(region string, _ time.Time) error {
	if _, ok, err := s.regions.Get(region); err != nil || ok {
		return err
	}
	v, err := s.newVPC(region, defaultVPCCIDR, "default", true)
	if err != nil {
		return err
	}
	for i, z := range zones(region) {
		sn := subnet{Region: region, ID: newID("subnet"), VpcID: v.ID, CIDR: fmt.Sprintf("172.31.%d.0/20", 16*i), Zone: z, MapPublicIP: true, DefaultForAZ: true}
		if err := s.subnets.Put(sn.ID, sn); err != nil {
			return err
		}
	}
	return s.regions.Put(region, regionState{Region: region, DefaultVPC: v.ID})
}

// defaultVPC returns the region's default VPC ID, "" when it was deleted.
func (s *Service) defaultVPC(region string) (string, error) {
	rs, _, err := s.regions.Get(region)
	return rs.DefaultVPC, err
}

// A vpc is an EC2 VPC, as stored.
type vpc struct {
	Region       string   `json:"region"`
	ID           string   `json:"id"`
	CIDR         string   `json:"cidr"`
	CIDRAssoc    string   `json:"cidrAssoc"`
	Tenancy      string   `json:"tenancy"`
	DHCPOptions  string   `json:"dhcpOptions"`
	IsDefault    bool     `json:"isDefault"`
	DNSSupport   bool     `json:"dnsSupport"`
	DNSHostnames bool     `json:"dnsHostnames"`
	NAUMetrics   bool     `json:"nauMetrics"`
	DefaultGroup string   `json:"defaultGroup"`
	Tags         []ec2Tag `json:"tags,omitempty"`
}

type vpcXML struct {
	VpcID                   string         `xml:"vpcId"`
	OwnerID                 string         `xml:"ownerId"`
	InstanceTenancy         string         `xml:"instanceTenancy"`
	CidrBlockAssociationSet []cidrAssocXML `xml:"cidrBlockAssociationSet>item"`
	IsDefault               bool           `xml:"isDefault"`
	State                   string         `xml:"state"`
	CidrBlock               string         `xml:"cidrBlock"`
	DhcpOptionsID           string         `xml:"dhcpOptionsId"`
	TagSet                  tagSet         `xml:"tagSet"`
}

type cidrAssocXML struct {
	AssociationID  string `xml:"associationId"`
	CidrBlock      string `xml:"cidrBlock"`
	CidrBlockState struct {
		State string `xml:"state"`
	} `xml:"cidrBlockState"`
}

func (s *Service) vpcXMLOf(v vpc, state string) vpcXML {
	a := cidrAssocXML{AssociationID: v.CIDRAssoc, CidrBlock: v.CIDR}
	a.CidrBlockState.State = "associated"
	return vpcXML{
		VpcID: v.ID, OwnerID: s.account, InstanceTenancy: v.Tenancy, CidrBlockAssociationSet: []cidrAssocXML{a},
		IsDefault: v.IsDefault, State: state, CidrBlock: v.CIDR, DhcpOptionsID: v.DHCPOptions, TagSet: v.Tags,
	}
}

type createVpcResponse struct {
	ec2Meta

	Vpc vpcXML `xml:"vpc"`
}

type describeVpcsResponse struct {
	ec2Meta

	VpcSet    []vpcXML `xml:"vpcSet>item"`
	NextToken string   `xml:"nextToken,omitempty"`
}

// parseCIDR reads an IPv4 CIDR block in its canonical form.
func parseCIDR(s, param string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, invalidValue("Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", s, param)
	}
	return p, nil
}

// newVPC stores a VPC and its default security group.
func (s *Service) newVPC(region, cidr, tenancy string, isDefault bool) (vpc, error) {
	v := vpc{
		Region: region, ID: newID("vpc"), CIDR: cidr, CIDRAssoc: newID("vpc-cidr-assoc"), Tenancy: tenancy,
		DHCPOptions: newID("dopt"), IsDefault: isDefault, DNSSupport: true, DNSHostnames: isDefault,
	}
	g := securityGroup{Region: region, ID: newID("sg"), VpcID: v.ID, Name: "default", Description: "default VPC security group"}
	g.Ingress = []sgRule{{ID: newID("sgr"), Protocol: "-1", From: -1, To: -1, Group: g.ID}}
	g.Egress = []sgRule{{ID: newID("sgr"), Protocol: "-1", From: -1, To: -1, CIDR: "0.0.0.0/0"}}
	v.DefaultGroup = g.ID
	if err := s.groups.Put(g.ID, g); err != nil {
		return vpc{}, err
	}
	return v, s.vpcs.Put(v.ID, v)
}

// createVpc creates a VPC with the given IPv4 block.
func (s *Service) createVpc(_ context.Context, c call) (ec2Body, error) {
	p := c.Params
	for _, k := range []string{"Ipv4IpamPoolId", "Ipv6IpamPoolId", "Ipv6CidrBlock", "Ipv6Pool"} {
		if p.str(k) != "" {
			return nil, invalidCombination("The local cloud does not support %s: VPCs have one IPv4 CIDR block.", k)
		}
	}
	if ipv6, err := p.optBool("AmazonProvidedIpv6CidrBlock"); err != nil {
		return nil, err
	} else if deref(ipv6, false) {
		return nil, invalidCombination("The local cloud does not support IPv6 CIDR blocks.")
	}
	cidr := p.str("CidrBlock")
	if cidr == "" {
		return nil, missing(apiEC2, "CidrBlock")
	}
	pfx, err := parseCIDR(cidr, "cidrBlock")
	if err != nil {
		return nil, err
	}
	if pfx.Bits() < 16 || pfx.Bits() > 28 {
		return nil, clientError("InvalidVpc.Range", "The CIDR '%s' is invalid.", cidr)
	}
	tenancy := orDefault(p.str("InstanceTenancy"), "default")
	if tenancy != "default" && tenancy != "dedicated" {
		return nil, invalidValue("Value (%s) for parameter instanceTenancy is invalid.", tenancy)
	}
	specs, err := tagSpecs(p, "vpc")
	if err != nil {
		return nil, err
	}
	v, err := s.newVPC(c.Region, pfx.String(), tenancy, false)
	if err != nil {
		return nil, err
	}
	v.Tags = specs["vpc"]
	if err := s.vpcs.Put(v.ID, v); err != nil {
		return nil, err
	}
	// AWS answers a new VPC as pending; it is available by the time any
	// client asks again.
	return &createVpcResponse{Vpc: s.vpcXMLOf(v, "pending")}, nil
}

// getVPC returns a VPC of the region.
func (s *Service) getVPC(region, id string) (vpc, error) {
	v, ok, err := s.vpcs.Get(id)
	if err != nil {
		return vpc{}, err
	}
	if !ok || v.Region != region {
		return vpc{}, clientError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
	}
	return v, nil
}

// describeVpcs describes the region's VPCs, by ID or filters.
func (s *Service) describeVpcs(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("VpcId", "")
	filters := readFilters(c.Params)
	all, err := s.vpcs.List()
	if err != nil {
		return nil, err
	}
	var out []vpc
	found := map[string]bool{}
	for _, v := range all {
		if v.Region != c.Region || (len(ids) > 0 && !slices.Contains(ids, v.ID)) {
			continue
		}
		found[v.ID] = true
		ok, err := matches(filters, v.Tags, fields(map[string][]string{
			"vpc-id": {v.ID}, "cidr": {v.CIDR}, "cidr-block-association.cidr-block": {v.CIDR}, "cidrBlock": {v.CIDR},
			"cidr-block-association.association-id": {v.CIDRAssoc}, "cidr-block-association.state": {"associated"},
			"state": {"available"}, "is-default": {boolString(v.IsDefault)}, "isDefault": {boolString(v.IsDefault)},
			"dhcp-options-id": {v.DHCPOptions}, "owner-id": {s.account}, "instance-tenancy": {v.Tenancy},
		}))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	if missingIDs := absent(ids, found); len(missingIDs) > 0 {
		return nil, notFoundIDs("InvalidVpcID.NotFound", "vpc", missingIDs)
	}
	page, next, err := ec2Page(c.Params, out, func(v vpc) string { return v.ID }, len(ids) > 0)
	if err != nil {
		return nil, err
	}
	resp := &describeVpcsResponse{NextToken: next}
	for _, v := range page {
		resp.VpcSet = append(resp.VpcSet, s.vpcXMLOf(v, "available"))
	}
	return resp, nil
}

// absent returns the IDs not in found, without repeats.
func absent(ids []string, found map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if !found[id] && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

type attributeBool struct {
	Value bool `xml:"value"`
}

type describeVpcAttributeResponse struct {
	ec2Meta

	VpcID                            string         `xml:"vpcId"`
	EnableDNSHostnames               *attributeBool `xml:"enableDnsHostnames,omitempty"`
	EnableDNSSupport                 *attributeBool `xml:"enableDnsSupport,omitempty"`
	EnableNetworkAddressUsageMetrics *attributeBool `xml:"enableNetworkAddressUsageMetrics,omitempty"`
}

// describeVpcAttribute answers one VPC attribute.
func (s *Service) describeVpcAttribute(_ context.Context, c call) (ec2Body, error) {
	id := c.Params.str("VpcId")
	if id == "" {
		return nil, missing(apiEC2, "VpcId")
	}
	v, err := s.getVPC(c.Region, id)
	if err != nil {
		return nil, err
	}
	resp := &describeVpcAttributeResponse{VpcID: v.ID}
	switch a := c.Params.str("Attribute"); a {
	case "enableDnsSupport":
		resp.EnableDNSSupport = &attributeBool{Value: v.DNSSupport}
	case "enableDnsHostnames":
		resp.EnableDNSHostnames = &attributeBool{Value: v.DNSHostnames}
	case "enableNetworkAddressUsageMetrics":
		resp.EnableNetworkAddressUsageMetrics = &attributeBool{Value: v.NAUMetrics}
	case "":
		return nil, missing(apiEC2, "Attribute")
	default:
		return nil, invalidValue("Value (%s) for parameter attribute is invalid. Unknown attribute.", a)
	}
	return resp, nil
}

// modifyVpcAttribute changes one VPC attribute.
func (s *Service) modifyVpcAttribute(_ context.Context, c call) (ec2Body, error) {
	id := c.Params.str("VpcId")
	if id == "" {
		return nil, missing(apiEC2, "VpcId")
	}
	v, err := s.getVPC(c.Region, id)
	if err != nil {
		return nil, err
	}
	set := 0
	for name, dst := range map[string]*bool{"EnableDnsSupport": &v.DNSSupport, "EnableDnsHostnames": &v.DNSHostnames, "EnableNetworkAddressUsageMetrics": &v.NAUMetrics} {
		b, err := c.Params.optBool(name + ".Value")
		if err != nil {
			return nil, err
		}
		if b != nil {
			*dst = *b
			set++
		}
	}
	switch {
	case set == 0:
		return nil, invalidCombination("No attributes specified.")
	case set > 1:
		return nil, invalidCombination("Only one attribute can be modified at a time.")
	}
	return nil, s.vpcs.Put(v.ID, v)
}

// deleteVpc deletes a VPC that holds no subnets, security groups (but its
// default one) or instances.
func (s *Service) deleteVpc(_ context.Context, c call) (ec2Body, error) {
	id := c.Params.str("VpcId")
	if id == "" {
		return nil, missing(apiEC2, "VpcId")
	}
	v, err := s.getVPC(c.Region, id)
	if err != nil {
		return nil, err
	}
	subnets, err := s.subnets.List()
	if err != nil {
		return nil, err
	}
	groups, err := s.groups.List()
	if err != nil {
		return nil, err
	}
	hasSubnet := slices.ContainsFunc(subnets, func(sn subnet) bool { return sn.VpcID == v.ID })
	hasGroup := slices.ContainsFunc(groups, func(g securityGroup) bool { return g.VpcID == v.ID && g.ID != v.DefaultGroup })
	if hasSubnet || hasGroup {
		return nil, clientError("DependencyViolation", "The vpc '%s' has dependencies and cannot be deleted.", v.ID)
	}
	if err := s.groups.Delete(v.DefaultGroup); err != nil {
		return nil, err
	}
	if v.IsDefault {
		if err := s.regions.Put(c.Region, regionState{Region: c.Region}); err != nil {
			return nil, err
		}
	}
	return nil, s.vpcs.Delete(v.ID)
}

// A subnet is an EC2 subnet, as stored.
type subnet struct {
	Region       string   `json:"region"`
	ID           string   `json:"id"`
	VpcID        string   `json:"vpcId"`
	CIDR         string   `json:"cidr"`
	Zone         string   `json:"zone"`
	MapPublicIP  bool     `json:"mapPublicIp"`
	DefaultForAZ bool     `json:"defaultForAz"`
	Tags         []ec2Tag `json:"tags,omitempty"`
}

type ec2SubnetXML struct {
	SubnetID                    string `xml:"subnetId"`
	SubnetArn                   string `xml:"subnetArn"`
	State                       string `xml:"state"`
	VpcID                       string `xml:"vpcId"`
	OwnerID                     string `xml:"ownerId"`
	CidrBlock                   string `xml:"cidrBlock"`
	AvailableIPAddressCount     int    `xml:"availableIpAddressCount"`
	AvailabilityZone            string `xml:"availabilityZone"`
	AvailabilityZoneID          string `xml:"availabilityZoneId"`
	DefaultForAz                bool   `xml:"defaultForAz"`
	MapPublicIPOnLaunch         bool   `xml:"mapPublicIpOnLaunch"`
	MapCustomerOwnedIPOnLaunch  bool   `xml:"mapCustomerOwnedIpOnLaunch"`
	AssignIpv6AddressOnCreation bool   `xml:"assignIpv6AddressOnCreation"`
	Ipv6Native                  bool   `xml:"ipv6Native"`
	EnableDNS64                 bool   `xml:"enableDns64"`
	TagSet                      tagSet `xml:"tagSet"`
}

type createSubnetResponse struct {
	ec2Meta

	Subnet ec2SubnetXML `xml:"subnet"`
}

type describeSubnetsResponse struct {
	ec2Meta

	SubnetSet []ec2SubnetXML `xml:"subnetSet>item"`
	NextToken string         `xml:"nextToken,omitempty"`
}

// subnetXMLOf describes a subnet; used counts the addresses its instances
// hold.
func (s *Service) subnetXMLOf(sn subnet, used int) ec2SubnetXML {
	size := 0
	if p, err := netip.ParsePrefix(sn.CIDR); err == nil {
		size = 1 << (32 - p.Bits())
	}
	return ec2SubnetXML{
		SubnetID: sn.ID, SubnetArn: "arn:aws:ec2:" + sn.Region + ":" + s.account + ":subnet/" + sn.ID, State: "available",
		VpcID: sn.VpcID, OwnerID: s.account, CidrBlock: sn.CIDR, AvailableIPAddressCount: max(size-5-used, 0),
		AvailabilityZone: sn.Zone, AvailabilityZoneID: zoneID(sn.Zone), DefaultForAz: sn.DefaultForAZ,
		MapPublicIPOnLaunch: sn.MapPublicIP, TagSet: sn.Tags,
	}
}

// addressesUsed counts the private addresses held in each subnet.
func (s *Service) addressesUsed() (map[string]int, error) {
	ins, err := s.instances.List()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, in := range ins {
		if in.PrivateIP != "" {
			out[in.SubnetID]++
		}
	}
	return out, nil
}

// createSubnet creates a subnet in a VPC and an availability zone.
func (s *Service) createSubnet(_ context.Context, c call) (ec2Body, error) { //nolint:gocyclo // One check per parameter, as EC2 makes them.
	p := c.Params
	vpcID := p.str("VpcId")
	if vpcID == "" {
		return nil, missing(apiEC2, "VpcId")
	}
	for _, k := range []string{"Ipv4IpamPoolId", "Ipv6IpamPoolId", "Ipv6CidrBlock", "OutpostArn"} {
		if p.str(k) != "" {
			return nil, invalidCombination("The local cloud does not support %s: subnets have one IPv4 CIDR block.", k)
		}
	}
	v, err := s.getVPC(c.Region, vpcID)
	if err != nil {
		return nil, err
	}
	cidr := p.str("CidrBlock")
	if cidr == "" {
		return nil, missing(apiEC2, "CidrBlock")
	}
	pfx, err := parseCIDR(cidr, "cidrBlock")
	if err != nil {
		return nil, err
	}
	vp := netip.MustParsePrefix(v.CIDR)
	if pfx.Bits() < 16 || pfx.Bits() > 28 || pfx.Bits() < vp.Bits() || !vp.Contains(pfx.Addr()) {
		return nil, clientError("InvalidSubnet.Range", "The CIDR '%s' is invalid.", cidr)
	}
	zone := p.str("AvailabilityZone")
	if id := p.str("AvailabilityZoneId"); id != "" {
		if zone != "" {
			return nil, invalidCombination("Only one of AvailabilityZone and AvailabilityZoneId may be given.")
		}
		for _, z := range zones(c.Region) {
			if zoneID(z) == id {
				zone = z
			}
		}
		if zone == "" {
			return nil, invalidValue("Value (%s) for parameter availabilityZoneId is invalid.", id)
		}
	}
	if zone == "" {
		zone = zones(c.Region)[0]
	}
	if !slices.Contains(zones(c.Region), zone) {
		return nil, invalidValue("Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", zone, strings.Join(zones(c.Region), ", "))
	}
	all, err := s.subnets.List()
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.VpcID == v.ID && netip.MustParsePrefix(o.CIDR).Overlaps(pfx) {
			return nil, clientError("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", cidr)
		}
	}
	specs, err := tagSpecs(p, "subnet")
	if err != nil {
		return nil, err
	}
	sn := subnet{Region: c.Region, ID: newID("subnet"), VpcID: v.ID, CIDR: pfx.String(), Zone: zone, Tags: specs["subnet"]}
	if err := s.subnets.Put(sn.ID, sn); err != nil {
		return nil, err
	}
	return &createSubnetResponse{Subnet: s.subnetXMLOf(sn, 0)}, nil
}

// getSubnet returns a subnet of the region.
func (s *Service) getSubnet(region, id string) (subnet, error) {
	sn, ok, err := s.subnets.Get(id)
	if err != nil {
		return subnet{}, err
	}
	if !ok || sn.Region != region {
		return subnet{}, clientError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
	}
	return sn, nil
}

// describeSubnets describes the region's subnets, by ID or filters.
func (s *Service) describeSubnets(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("SubnetId", "")
	filters := readFilters(c.Params)
	all, err := s.subnets.List()
	if err != nil {
		return nil, err
	}
	used, err := s.addressesUsed()
	if err != nil {
		return nil, err
	}
	var out []subnet
	found := map[string]bool{}
	for _, sn := range all {
		if sn.Region != c.Region || (len(ids) > 0 && !slices.Contains(ids, sn.ID)) {
			continue
		}
		found[sn.ID] = true
		ok, err := matches(filters, sn.Tags, fields(map[string][]string{
			"subnet-id": {sn.ID}, "vpc-id": {sn.VpcID}, "vpcId": {sn.VpcID}, "cidr-block": {sn.CIDR}, "cidr": {sn.CIDR}, "cidrBlock": {sn.CIDR},
			"availability-zone": {sn.Zone}, "availabilityZone": {sn.Zone}, "availability-zone-id": {zoneID(sn.Zone)},
			"default-for-az": {boolString(sn.DefaultForAZ)}, "defaultForAz": {boolString(sn.DefaultForAZ)},
			"map-public-ip-on-launch": {boolString(sn.MapPublicIP)}, "state": {"available"}, "owner-id": {s.account},
			"subnet-arn": {"arn:aws:ec2:" + sn.Region + ":" + s.account + ":subnet/" + sn.ID},
		}))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, sn)
		}
	}
	if missingIDs := absent(ids, found); len(missingIDs) > 0 {
		return nil, notFoundIDs("InvalidSubnetID.NotFound", "subnet", missingIDs)
	}
	page, next, err := ec2Page(c.Params, out, func(sn subnet) string { return sn.ID }, len(ids) > 0)
	if err != nil {
		return nil, err
	}
	resp := &describeSubnetsResponse{NextToken: next}
	for _, sn := range page {
		resp.SubnetSet = append(resp.SubnetSet, s.subnetXMLOf(sn, used[sn.ID]))
	}
	return resp, nil
}

// modifySubnetAttribute changes whether instances launched in a subnet get
// a public address, the one subnet attribute the local cloud models.
func (s *Service) modifySubnetAttribute(_ context.Context, c call) (ec2Body, error) {
	id := c.Params.str("SubnetId")
	if id == "" {
		return nil, missing(apiEC2, "SubnetId")
	}
	sn, err := s.getSubnet(c.Region, id)
	if err != nil {
		return nil, err
	}
	b, err := c.Params.optBool("MapPublicIpOnLaunch.Value")
	if err != nil {
		return nil, err
	}
	for k := range c.Params {
		if k != "Action" && k != "Version" && k != "SubnetId" && k != "DryRun" && k != "MapPublicIpOnLaunch.Value" {
			return nil, invalidCombination("The local cloud supports modifying the subnet attribute MapPublicIpOnLaunch only, not %s.", strings.TrimSuffix(k, ".Value"))
		}
	}
	if b == nil {
		return nil, invalidCombination("No attributes specified.")
	}
	sn.MapPublicIP = *b
	return nil, s.subnets.Put(sn.ID, sn)
}

// deleteSubnet deletes a subnet no instance or DB instance lives in.
func (s *Service) deleteSubnet(_ context.Context, c call) (ec2Body, error) {
	id := c.Params.str("SubnetId")
	if id == "" {
		return nil, missing(apiEC2, "SubnetId")
	}
	sn, err := s.getSubnet(c.Region, id)
	if err != nil {
		return nil, err
	}
	ins, err := s.instances.List()
	if err != nil {
		return nil, err
	}
	dbs, err := s.dbs.List()
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(ins, func(in instance) bool { return in.SubnetID == sn.ID && in.State != stateTerminated }) ||
		slices.ContainsFunc(dbs, func(db dbInstance) bool { return db.Subnet == sn.ID }) {
		return nil, clientError("DependencyViolation", "The subnet '%s' has dependencies and cannot be deleted.", sn.ID)
	}
	return nil, s.subnets.Delete(sn.ID)
}

type availabilityZoneXML struct {
	ZoneName           string `xml:"zoneName"`
	ZoneID             string `xml:"zoneId"`
	ZoneState          string `xml:"zoneState"`
	RegionName         string `xml:"regionName"`
	ZoneType           string `xml:"zoneType"`
	GroupName          string `xml:"groupName"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
	OptInStatus        string `xml:"optInStatus"`
}

type describeAvailabilityZonesResponse struct {
	ec2Meta

	AvailabilityZoneInfo []availabilityZoneXML `xml:"availabilityZoneInfo>item"`
}

// describeAvailabilityZones lists the region's zones.
func (s *Service) describeAvailabilityZones(_ context.Context, c call) (ec2Body, error) {
	names := c.Params.strings("ZoneName", "")
	ids := c.Params.strings("ZoneId", "")
	filters := readFilters(c.Params)
	resp := &describeAvailabilityZonesResponse{AvailabilityZoneInfo: []availabilityZoneXML{}}
	for _, n := range names {
		if !slices.Contains(zones(c.Region), n) {
			return nil, invalidValue("The zone '%s' does not exist.", n)
		}
	}
	for _, z := range zones(c.Region) {
		if (len(names) > 0 || len(ids) > 0) && !slices.Contains(names, z) && !slices.Contains(ids, zoneID(z)) {
			continue
		}
		x := availabilityZoneXML{
			ZoneName: z, ZoneID: zoneID(z), ZoneState: "available", RegionName: c.Region, ZoneType: "availability-zone",
			GroupName: c.Region, NetworkBorderGroup: c.Region, OptInStatus: "opt-in-not-required",
		}
		ok, err := matches(filters, nil, fields(map[string][]string{
			"zone-name": {x.ZoneName}, "zone-id": {x.ZoneID}, "state": {x.ZoneState}, "region-name": {x.RegionName},
			"zone-type": {x.ZoneType}, "group-name": {x.GroupName}, "network-border-group": {x.NetworkBorderGroup},
			"opt-in-status": {x.OptInStatus},
		}))
		if err != nil {
			return nil, err
		}
		if ok {
			resp.AvailabilityZoneInfo = append(resp.AvailabilityZoneInfo, x)
		}
	}
	return resp, nil
}
