package aws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
)

// Instance states, as EC2 spells them, and their codes.
const (
	statePending      = "pending"
	stateRunning      = "running"
	stateShuttingDown = "shutting-down"
	stateTerminated   = "terminated"
	stateStopping     = "stopping"
	stateStopped      = "stopped"
)

var stateCodes = map[string]int{
	statePending: 0, stateRunning: 16, stateShuttingDown: 32, stateTerminated: 48, stateStopping: 64, stateStopped: 80,
}

// terminatedKept is how long a terminated instance stays listed, as in
// EC2.
const terminatedKept = time.Hour

// maxLaunch is the most instances one RunInstances launches.
const maxLaunch = 20

// An instance is an EC2 instance, as stored.
type instance struct {
	Region       string    `json:"region"`
	ID           string    `json:"id"`
	Reservation  string    `json:"reservation"`
	LaunchIndex  int       `json:"launchIndex"`
	Image        string    `json:"image"`
	Type         string    `json:"type"`
	KeyName      string    `json:"keyName,omitempty"`
	SubnetID     string    `json:"subnetId"`
	VpcID        string    `json:"vpcId"`
	Zone         string    `json:"zone"`
	Groups       []string  `json:"groups"`
	PrivateIP    string    `json:"privateIp,omitempty"`
	PublicIP     string    `json:"publicIp,omitempty"`
	Public       bool      `json:"public"`
	State        string    `json:"state"`
	Until        time.Time `json:"until"`
	Launched     time.Time `json:"launched"`
	Reason       string    `json:"reason,omitempty"`
	StateReason  string    `json:"stateReason,omitempty"`
	ClientToken  string    `json:"clientToken,omitempty"`
	RequestHash  string    `json:"requestHash,omitempty"`
	UserData     string    `json:"userData,omitempty"`
	NoTerminate  bool      `json:"noTerminate,omitempty"`
	NoStop       bool      `json:"noStop,omitempty"`
	ENI          string    `json:"eni"`
	MAC          string    `json:"mac"`
	Volume       string    `json:"volume"`
	RootDevice   string    `json:"rootDevice"`
	Tags         []ec2Tag  `json:"tags,omitempty"`
	VolumeTags   []ec2Tag  `json:"volumeTags,omitempty"`
	Architecture string    `json:"architecture"`
}

// publicOwner is the IPAM owner of an instance's public address, which
// comes and goes with stops and starts while the private one stays.
func publicOwner(id string) string { return id + "#public" }

type stateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type stateReasonXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type groupIdentifierXML struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type instanceBDMXML struct {
	DeviceName string `xml:"deviceName"`
	Ebs        struct {
		VolumeID            string `xml:"volumeId"`
		Status              string `xml:"status"`
		AttachTime          string `xml:"attachTime"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
	} `xml:"ebs"`
}

type instanceENIXML struct {
	NetworkInterfaceID string               `xml:"networkInterfaceId"`
	SubnetID           string               `xml:"subnetId"`
	VpcID              string               `xml:"vpcId"`
	Description        string               `xml:"description"`
	OwnerID            string               `xml:"ownerId"`
	Status             string               `xml:"status"`
	MacAddress         string               `xml:"macAddress"`
	PrivateIPAddress   string               `xml:"privateIpAddress"`
	PrivateDNSName     string               `xml:"privateDnsName"`
	SourceDestCheck    bool                 `xml:"sourceDestCheck"`
	GroupSet           []groupIdentifierXML `xml:"groupSet>item"`
	Attachment         struct {
		AttachmentID        string `xml:"attachmentId"`
		DeviceIndex         int    `xml:"deviceIndex"`
		Status              string `xml:"status"`
		AttachTime          string `xml:"attachTime"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
	} `xml:"attachment"`
	Association   *eniAssociationXML `xml:"association,omitempty"`
	InterfaceType string             `xml:"interfaceType"`
}

type eniAssociationXML struct {
	PublicIP      string `xml:"publicIp"`
	PublicDNSName string `xml:"publicDnsName"`
	IPOwnerID     string `xml:"ipOwnerId"`
}

type instanceXML struct {
	InstanceID     string       `xml:"instanceId"`
	ImageID        string       `xml:"imageId"`
	InstanceState  stateXML     `xml:"instanceState"`
	PrivateDNSName string       `xml:"privateDnsName"`
	DNSName        string       `xml:"dnsName"`
	Reason         string       `xml:"reason"`
	KeyName        string       `xml:"keyName,omitempty"`
	AmiLaunchIndex int          `xml:"amiLaunchIndex"`
	InstanceType   string       `xml:"instanceType"`
	LaunchTime     string       `xml:"launchTime"`
	Placement      placementXML `xml:"placement"`
	Monitoring     struct {
		State string `xml:"state"`
	} `xml:"monitoring"`
	SubnetID            string               `xml:"subnetId,omitempty"`
	VpcID               string               `xml:"vpcId,omitempty"`
	PrivateIPAddress    string               `xml:"privateIpAddress,omitempty"`
	IPAddress           string               `xml:"ipAddress,omitempty"`
	SourceDestCheck     bool                 `xml:"sourceDestCheck"`
	GroupSet            []groupIdentifierXML `xml:"groupSet>item"`
	StateReason         *stateReasonXML      `xml:"stateReason,omitempty"`
	Architecture        string               `xml:"architecture"`
	RootDeviceType      string               `xml:"rootDeviceType"`
	RootDeviceName      string               `xml:"rootDeviceName"`
	BlockDeviceMapping  []instanceBDMXML     `xml:"blockDeviceMapping>item"`
	VirtualizationType  string               `xml:"virtualizationType"`
	ClientToken         string               `xml:"clientToken,omitempty"`
	TagSet              tagSet               `xml:"tagSet"`
	Hypervisor          string               `xml:"hypervisor"`
	NetworkInterfaceSet []instanceENIXML     `xml:"networkInterfaceSet>item"`
	EbsOptimized        bool                 `xml:"ebsOptimized"`
	EnaSupport          bool                 `xml:"enaSupport"`
	PlatformDetails     string               `xml:"platformDetails"`
	UsageOperation      string               `xml:"usageOperation"`
}

type placementXML struct {
	AvailabilityZone   string `xml:"availabilityZone"`
	AvailabilityZoneID string `xml:"availabilityZoneId"`
	GroupName          string `xml:"groupName"`
	Tenancy            string `xml:"tenancy"`
}

type reservationXML struct {
	ReservationID string               `xml:"reservationId"`
	OwnerID       string               `xml:"ownerId"`
	GroupSet      []groupIdentifierXML `xml:"groupSet>item"`
	InstancesSet  []instanceXML        `xml:"instancesSet>item"`
}

type runInstancesResponse struct {
	ec2Meta
	reservationXML
}

type describeInstancesResponse struct {
	ec2Meta

	ReservationSet []reservationXML `xml:"reservationSet>item"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

type stateChangeXML struct {
	InstanceID    string   `xml:"instanceId"`
	CurrentState  stateXML `xml:"currentState"`
	PreviousState stateXML `xml:"previousState"`
}

type stateChangeResponse struct {
	ec2Meta

	InstancesSet []stateChangeXML `xml:"instancesSet>item"`
}

// privateDNS is an instance's private host name, as EC2 forms it.
func privateDNS(region, ip string) string {
	if ip == "" {
		return ""
	}
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

// publicDNS is an instance's public host name, as EC2 forms it.
func publicDNS(region, ip string) string {
	if ip == "" {
		return ""
	}
	host := "ec2-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".compute-1.amazonaws.com"
	}
	return host + "." + region + ".compute.amazonaws.com"
}

// instanceXMLOf describes an instance.
func (s *Service) instanceXMLOf(in instance) instanceXML {
	x := instanceXML{
		InstanceID: in.ID, ImageID: in.Image, InstanceState: stateXML{Code: stateCodes[in.State], Name: in.State},
		Reason: in.Reason, KeyName: in.KeyName, AmiLaunchIndex: in.LaunchIndex, InstanceType: in.Type,
		LaunchTime: ec2Time(in.Launched), Placement: placementXML{AvailabilityZone: in.Zone, AvailabilityZoneID: zoneID(in.Zone), Tenancy: "default"},
		Architecture: in.Architecture, RootDeviceType: "ebs", RootDeviceName: in.RootDevice, VirtualizationType: "hvm",
		ClientToken: in.ClientToken, TagSet: in.Tags, Hypervisor: "xen", EnaSupport: true, PlatformDetails: "Linux/UNIX",
		UsageOperation: "RunInstances", SourceDestCheck: true,
	}
	x.Monitoring.State = "disabled"
	if in.StateReason != "" {
		x.StateReason = &stateReasonXML{Code: in.StateReason, Message: in.StateReason + ": User initiated shutdown"}
	}
	if in.State == stateTerminated {
		// A terminated instance has let go of its network and volumes.
		return x
	}
	hostnames := false
	if v, ok, _ := s.vpcs.Get(in.VpcID); ok {
		hostnames = v.DNSHostnames
	}
	x.SubnetID, x.VpcID, x.PrivateIPAddress, x.IPAddress = in.SubnetID, in.VpcID, in.PrivateIP, in.PublicIP
	x.PrivateDNSName = privateDNS(in.Region, in.PrivateIP)
	if hostnames {
		x.DNSName = publicDNS(in.Region, in.PublicIP)
	}
	groups := make([]groupIdentifierXML, 0, len(in.Groups))
	for _, id := range in.Groups {
		g, _, _ := s.groups.Get(id)
		groups = append(groups, groupIdentifierXML{GroupID: id, GroupName: g.Name})
	}
	x.GroupSet = groups
	bdm := instanceBDMXML{DeviceName: in.RootDevice}
	bdm.Ebs.VolumeID, bdm.Ebs.Status, bdm.Ebs.AttachTime, bdm.Ebs.DeleteOnTermination = in.Volume, "attached", ec2Time(in.Launched), true
	x.BlockDeviceMapping = []instanceBDMXML{bdm}
	eni := instanceENIXML{
		NetworkInterfaceID: in.ENI, SubnetID: in.SubnetID, VpcID: in.VpcID, OwnerID: s.account, Status: "in-use", MacAddress: in.MAC,
		PrivateIPAddress: in.PrivateIP, PrivateDNSName: x.PrivateDNSName, SourceDestCheck: true, GroupSet: groups, InterfaceType: "interface",
	}
	eni.Attachment.AttachmentID = "eni-attach-" + strings.TrimPrefix(in.ENI, "eni-")
	eni.Attachment.Status, eni.Attachment.AttachTime, eni.Attachment.DeleteOnTermination = "attached", ec2Time(in.Launched), true
	if in.PublicIP != "" {
		eni.Association = &eniAssociationXML{PublicIP: in.PublicIP, PublicDNSName: x.DNSName, IPOwnerID: "amazon"}
	}
	x.NetworkInterfaceSet = []instanceENIXML{eni}
	return x
}

// instanceType is the shape of instance type names (t3.micro, m7g.large).
var instanceType = regexp.MustCompile(`^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9]+$`)

// instanceIDPattern is the shape of instance IDs.
var instanceIDPattern = regexp.MustCompile(`^i-[0-9a-f]{8}([0-9a-f]{9})?$`)

// A launch is what RunInstances asks for, read and checked.
type launch struct {
	image    image
	typ      string
	count    int
	subnet   subnet
	groups   []string
	public   bool
	keyName  string
	userData string
	token    string
	hash     string
	tags     map[string][]ec2Tag
	noTerm   bool
	rootDev  string
}

// requestHash fingerprints a request's parameters, but its client token,
// so that a repeated token with other parameters is told apart.
func requestHash(p params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "ClientToken" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		_, _ = h.Write([]byte(k + "=" + p[k] + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readLaunch reads and checks a RunInstances request.
func (s *Service) readLaunch(c call) (launch, error) { //nolint:gocyclo // One check per parameter, in EC2's order.
	p := c.Params
	l := launch{token: p.str("ClientToken"), hash: requestHash(p)}
	if len(l.token) > 64 {
		return l, invalidValue("Value (%s) for parameter clientToken is invalid. The client token must be at most 64 characters long.", l.token)
	}
	if p.str("ImageId") == "" {
		return l, missing(apiEC2, "ImageId")
	}
	im, err := findImage(p.str("ImageId"))
	if err != nil {
		return l, err
	}
	l.image, l.rootDev = im, im.RootDevice
	l.typ = orDefault(p.str("InstanceType"), "m1.small")
	if !instanceType.MatchString(l.typ) {
		return l, invalidValue("Invalid value '%s' for InstanceType.", l.typ)
	}
	minC, err := p.optInt("MinCount")
	if err != nil {
		return l, err
	}
	maxC, err := p.optInt("MaxCount")
	if err != nil {
		return l, err
	}
	if minC == nil {
		return l, missing(apiEC2, "MinCount")
	}
	if maxC == nil {
		return l, missing(apiEC2, "MaxCount")
	}
	if *minC < 1 || *maxC < *minC {
		return l, invalidValue("Invalid value '%d' for minCount. Must be greater than or equal to 1 and no greater than maxCount (%d).", *minC, *maxC)
	}
	if *minC > maxLaunch {
		return l, clientError("InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type.", *minC, maxLaunch)
	}
	l.count = int(min(*maxC, maxLaunch))
	if p.str("PrivateIpAddress") != "" || p.has("NetworkInterface.1.PrivateIpAddress") {
		return l, invalidCombination("The local cloud assigns private addresses itself; PrivateIpAddress is not supported.")
	}
	if p.has("NetworkInterface.2.DeviceIndex") || p.has("NetworkInterface.2.SubnetId") {
		return l, invalidCombination("The local cloud launches instances with one network interface.")
	}
	nic := p.sub("NetworkInterface.1")
	subnetID, groups, names := p.str("SubnetId"), p.strings("SecurityGroupId", ""), p.strings("SecurityGroup", "")
	if len(nic) > 0 {
		if subnetID != "" {
			return l, invalidCombination("Network interfaces and an instance-level subnet ID may not be specified on the same request")
		}
		if len(groups) > 0 || len(names) > 0 {
			return l, invalidCombination("Network interfaces and an instance-level security groups may not be specified on the same request")
		}
		if nic.str("NetworkInterfaceId") != "" {
			return l, invalidCombination("The local cloud cannot attach existing network interfaces.")
		}
		subnetID, groups = nic.str("SubnetId"), nic.strings("SecurityGroupId", "")
	}
	zone := p.str("Placement.AvailabilityZone")
	if subnetID == "" {
		sn, err := s.defaultSubnet(c.Region, zone)
		if err != nil {
			return l, err
		}
		l.subnet = sn
	} else {
		if l.subnet, err = s.getSubnet(c.Region, subnetID); err != nil {
			return l, err
		}
		if zone != "" && zone != l.subnet.Zone {
			return l, invalidCombination("The specified subnet %s is in %s, not in availability zone %s.", subnetID, l.subnet.Zone, zone)
		}
	}
	if l.groups, err = s.instanceGroups(c.Region, l.subnet.VpcID, groups, names); err != nil {
		return l, err
	}
	l.public = l.subnet.MapPublicIP
	if b, err := nic.optBool("AssociatePublicIpAddress"); err != nil {
		return l, err
	} else if b != nil {
		l.public = *b
	}
	l.keyName = p.str("KeyName")
	if ud := p.str("UserData"); ud != "" {
		if _, err := base64.StdEncoding.DecodeString(ud); err != nil {
			return l, invalidValue("Invalid BASE64 encoding of user data.")
		}
		if len(ud) > 21848 {
			return l, invalidValue("User data is limited to 16384 bytes")
		}
		l.userData = ud
	}
	if b, err := p.optBool("DisableApiTermination"); err != nil {
		return l, err
	} else if b != nil {
		l.noTerm = *b
	}
	if l.tags, err = tagSpecs(p, "instance", "volume"); err != nil {
		return l, err
	}
	return l, nil
}

// defaultSubnet returns the default VPC's subnet in zone (the first zone
// when none is asked for).
func (s *Service) defaultSubnet(region, zone string) (subnet, error) {
	def, err := s.defaultVPC(region)
	if err != nil {
		return subnet{}, err
	}
	if def == "" {
		return subnet{}, clientError("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	all, err := s.subnets.List()
	if err != nil {
		return subnet{}, err
	}
	var best *subnet
	for i, sn := range all {
		if sn.VpcID != def || !sn.DefaultForAZ || (zone != "" && sn.Zone != zone) {
			continue
		}
		if best == nil || sn.Zone < best.Zone {
			best = &all[i]
		}
	}
	if best == nil {
		return subnet{}, invalidValue("Value (%s) for parameter availabilityZone is invalid. No default subnet for availability zone.", zone)
	}
	return *best, nil
}

// instanceGroups resolves an instance's security groups by ID or name; they
// must be in its VPC. None means the VPC's default group.
func (s *Service) instanceGroups(region, vpcID string, ids, names []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		g, err := s.getGroup(region, id)
		if err != nil {
			return nil, err
		}
		if g.VpcID != vpcID {
			return nil, clientError("InvalidParameter", "Security group %s and subnet belong to different networks.", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(names) > 0 {
		all, err := s.groups.List()
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			i := slices.IndexFunc(all, func(g securityGroup) bool { return g.VpcID == vpcID && g.Name == n })
			if i < 0 {
				return nil, clientError("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", n, vpcID)
			}
			if !slices.Contains(out, all[i].ID) {
				out = append(out, all[i].ID)
			}
		}
	}
	if len(out) == 0 {
		v, err := s.getVPC(region, vpcID)
		if err != nil {
			return nil, err
		}
		out = []string{v.DefaultGroup}
	}
	return out, nil
}

// runInstances launches instances: pending for Delays.Start, then running.
// A repeated client token answers the instances the first call launched.
func (s *Service) runInstances(_ context.Context, c call) (ec2Body, error) {
	l, err := s.readLaunch(c)
	if err != nil {
		return nil, err
	}
	if l.token != "" {
		prior, err := s.byToken(c.Region, l.token)
		if err != nil {
			return nil, err
		}
		if len(prior) > 0 {
			if prior[0].RequestHash != l.hash {
				return nil, clientError("IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			}
			return &runInstancesResponse{reservationXML: s.reservationXMLOf(prior)}, nil
		}
	}
	res := "r-" + newID("x")[2:]
	launched := make([]instance, 0, l.count)
	for i := range l.count {
		in := instance{
			Region: c.Region, ID: newID("i"), Reservation: res, LaunchIndex: i, Image: l.image.ID, Type: l.typ, KeyName: l.keyName,
			SubnetID: l.subnet.ID, VpcID: l.subnet.VpcID, Zone: l.subnet.Zone, Groups: l.groups, Public: l.public,
			State: statePending, Until: c.Now.Add(s.env.Delays.Start), Launched: c.Now.UTC(), ClientToken: l.token, RequestHash: l.hash,
			UserData: l.userData, NoTerminate: l.noTerm, ENI: newID("eni"), MAC: randomMAC(), Volume: newID("vol"), RootDevice: l.rootDev,
			Tags: l.tags["instance"], VolumeTags: l.tags["volume"], Architecture: l.image.Architecture,
		}
		if in.PrivateIP, err = s.env.IPs.Allocate(l.subnet.ID, l.subnet.CIDR, in.ID); err != nil {
			s.rollback(launched)
			if errors.Is(err, cloud.ErrExhausted) {
				return nil, clientError("InsufficientFreeAddressesInSubnet", "Insufficient free IP addresses in subnet %s.", l.subnet.ID)
			}
			return nil, err
		}
		if in.Public {
			if in.PublicIP, err = s.env.IPs.Allocate("public", cloud.PublicRange, publicOwner(in.ID)); err != nil {
				_ = s.releaseAddresses(in.ID)
				s.rollback(launched)
				return nil, err
			}
		}
		launched = append(launched, in)
	}
	for _, in := range launched {
		if err := s.instances.Put(in.ID, in); err != nil {
			return nil, err
		}
	}
	return &runInstancesResponse{reservationXML: s.reservationXMLOf(launched)}, nil
}

// rollback releases the addresses of instances a failed launch allocated.
func (s *Service) rollback(launched []instance) {
	for _, in := range launched {
		_ = s.releaseAddresses(in.ID)
	}
}

// releaseAddresses frees an instance's private and public addresses.
func (s *Service) releaseAddresses(id string) error {
	if err := s.env.IPs.Release(id); err != nil {
		return err
	}
	return s.env.IPs.Release(publicOwner(id))
}

// byToken returns the instances a client token launched, in launch order.
func (s *Service) byToken(region, token string) ([]instance, error) {
	all, err := s.instances.List()
	if err != nil {
		return nil, err
	}
	var out []instance
	for _, in := range all {
		if in.Region == region && in.ClientToken == token {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LaunchIndex < out[j].LaunchIndex })
	return out, nil
}

// randomMAC returns a locally administered MAC address, as EC2 gives its
// interfaces.
func randomMAC() string {
	b := newID("x")[2:14]
	return "02:" + b[0:2] + ":" + b[2:4] + ":" + b[4:6] + ":" + b[6:8] + ":" + b[8:10]
}

func (s *Service) reservationXMLOf(ins []instance) reservationXML {
	r := reservationXML{OwnerID: s.account}
	for _, in := range ins {
		r.ReservationID = in.Reservation
		r.InstancesSet = append(r.InstancesSet, s.instanceXMLOf(in))
	}
	return r
}

// getInstances returns the region's instances with ids, refusing the call
// if any is malformed or unknown.
func (s *Service) getInstances(region string, ids []string) ([]instance, error) {
	if len(ids) == 0 {
		return nil, missing(apiEC2, "InstanceId")
	}
	out := make([]instance, 0, len(ids))
	var unknown []string
	for _, id := range ids {
		if !instanceIDPattern.MatchString(id) {
			return nil, clientError("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
		in, ok, err := s.instances.Get(id)
		if err != nil {
			return nil, err
		}
		if !ok || in.Region != region {
			unknown = append(unknown, id)
			continue
		}
		out = append(out, in)
	}
	if len(unknown) > 0 {
		return nil, notFoundIDs("InvalidInstanceID.NotFound", "instance", unknown)
	}
	return out, nil
}

// describeInstances describes the region's instances, by ID or filters,
// grouped by reservation.
func (s *Service) describeInstances(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("InstanceId", "")
	filters := readFilters(c.Params)
	var candidates []instance
	var err error
	if len(ids) > 0 {
		if candidates, err = s.getInstances(c.Region, ids); err != nil {
			return nil, err
		}
	} else {
		all, err := s.instances.List()
		if err != nil {
			return nil, err
		}
		for _, in := range all {
			if in.Region == c.Region {
				candidates = append(candidates, in)
			}
		}
	}
	var out []instance
	for _, in := range candidates {
		ok, err := matches(filters, in.Tags, s.instanceField(in))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, in)
		}
	}
	page, next, err := ec2Page(c.Params, out, func(in instance) string { return in.ID }, len(ids) > 0)
	if err != nil {
		return nil, err
	}
	resp := &describeInstancesResponse{NextToken: next}
	byRes := map[string][]instance{}
	var order []string
	for _, in := range page {
		if _, ok := byRes[in.Reservation]; !ok {
			order = append(order, in.Reservation)
		}
		byRes[in.Reservation] = append(byRes[in.Reservation], in)
	}
	for _, r := range order {
		resp.ReservationSet = append(resp.ReservationSet, s.reservationXMLOf(byRes[r]))
	}
	return resp, nil
}

// instanceField answers the instance filters.
func (s *Service) instanceField(in instance) fieldFunc {
	var names []string
	for _, id := range in.Groups {
		if g, ok, _ := s.groups.Get(id); ok {
			names = append(names, g.Name)
		}
	}
	return fields(map[string][]string{
		"instance-id": {in.ID}, "instance-state-name": {in.State}, "instance-state-code": {strconv.Itoa(stateCodes[in.State])},
		"instance-type": {in.Type}, "image-id": {in.Image}, "vpc-id": {in.VpcID}, "subnet-id": {in.SubnetID},
		"availability-zone": {in.Zone}, "private-ip-address": {in.PrivateIP}, "ip-address": {in.PublicIP},
		"private-dns-name": {privateDNS(in.Region, in.PrivateIP)}, "key-name": {in.KeyName}, "reservation-id": {in.Reservation},
		"client-token": {in.ClientToken}, "launch-index": {strconv.Itoa(in.LaunchIndex)}, "architecture": {in.Architecture},
		"owner-id": {s.account}, "network-interface.network-interface-id": {in.ENI}, "block-device-mapping.volume-id": {in.Volume},
		"instance.group-id": in.Groups, "group-id": in.Groups, "instance.group-name": names, "group-name": names,
	})
}

// modifyInstanceAttribute changes one attribute of an instance: its type
// (only while stopped), its security groups, or its termination and stop
// protection.
func (s *Service) modifyInstanceAttribute(_ context.Context, c call) (ec2Body, error) { //nolint:gocyclo // One case per attribute.
	p := c.Params
	ins, err := s.getInstances(c.Region, []string{p.str("InstanceId")})
	if err != nil {
		return nil, err
	}
	in := ins[0]
	if in.State == stateTerminated || in.State == stateShuttingDown {
		return nil, clientError("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be modified.", in.ID)
	}
	attr, value := p.str("Attribute"), p.optStr("Value")
	set := map[string]*string{}
	for _, k := range []string{"InstanceType", "DisableApiTermination", "DisableApiStop", "UserData"} {
		if v := p.optStr(k + ".Value"); v != nil {
			set[k] = v
		}
	}
	if attr != "" && value != nil {
		set[strings.ToUpper(attr[:1])+attr[1:]] = value
	}
	groups := p.strings("GroupId", "")
	for k := range p {
		name, _, _ := strings.Cut(k, ".")
		switch name {
		case "Action", "Version", "InstanceId", "DryRun", "Attribute", "Value", "InstanceType", "DisableApiTermination", "DisableApiStop", "UserData", "GroupId":
		default:
			return nil, invalidCombination("The local cloud does not support modifying the instance attribute %s.", name)
		}
	}
	switch n := len(set) + min(len(groups), 1); {
	case n == 0:
		return nil, invalidCombination("No attributes specified.")
	case n > 1:
		return nil, invalidCombination("Only one attribute can be modified at a time.")
	}
	switch {
	case len(groups) > 0:
		if in.Groups, err = s.instanceGroups(c.Region, in.VpcID, groups, nil); err != nil {
			return nil, err
		}
	case set["InstanceType"] != nil:
		if in.State != stateStopped {
			return nil, clientError("IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", in.ID)
		}
		if !instanceType.MatchString(*set["InstanceType"]) {
			return nil, invalidValue("Invalid value '%s' for InstanceType.", *set["InstanceType"])
		}
		in.Type = *set["InstanceType"]
	case set["UserData"] != nil:
		if in.State != stateStopped {
			return nil, clientError("IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", in.ID)
		}
		if _, err := base64.StdEncoding.DecodeString(*set["UserData"]); err != nil {
			return nil, invalidValue("Invalid BASE64 encoding of user data.")
		}
		in.UserData = *set["UserData"]
	case set["DisableApiTermination"] != nil, set["DisableApiStop"] != nil:
		for k, dst := range map[string]*bool{"DisableApiTermination": &in.NoTerminate, "DisableApiStop": &in.NoStop} {
			if v := set[k]; v != nil {
				b, err := strconv.ParseBool(*v)
				if err != nil {
					return nil, invalidValue("Value (%s) for parameter %s is invalid.", *v, k)
				}
				*dst = b
			}
		}
	default:
		return nil, invalidValue("Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	return nil, s.instances.Put(in.ID, in)
}

// transition checks and applies a state change to every instance a call
// names, or to none.
func (s *Service) transition(c call, step func(in *instance) error) (ec2Body, error) {
	ins, err := s.getInstances(c.Region, c.Params.strings("InstanceId", ""))
	if err != nil {
		return nil, err
	}
	changes := make([]stateChangeXML, 0, len(ins))
	next := make([]instance, 0, len(ins))
	for _, in := range ins {
		prev := in.State
		if err := step(&in); err != nil {
			return nil, err
		}
		next = append(next, in)
		changes = append(changes, stateChangeXML{
			InstanceID: in.ID, PreviousState: stateXML{Code: stateCodes[prev], Name: prev}, CurrentState: stateXML{Code: stateCodes[in.State], Name: in.State},
		})
	}
	for _, in := range next {
		if err := s.instances.Put(in.ID, in); err != nil {
			return nil, err
		}
	}
	return &stateChangeResponse{InstancesSet: changes}, nil
}

// stopInstances stops running instances: stopping for Delays.Stop, then
// stopped (their public addresses released).
func (s *Service) stopInstances(_ context.Context, c call) (ec2Body, error) {
	return s.transition(c, func(in *instance) error {
		switch in.State {
		case stateRunning:
			if in.NoStop {
				return clientError("OperationNotPermitted", "The instance '%s' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.", in.ID)
			}
			in.State, in.Until = stateStopping, c.Now.Add(s.env.Delays.Stop)
			in.Reason = "User initiated (" + c.Now.UTC().Format("2006-01-02 15:04:05") + " GMT)"
			in.StateReason = "Client.UserInitiatedShutdown"
		case stateStopping, stateStopped:
		default:
			return clientError("IncorrectInstanceState", "This instance '%s' is not in a state from which it can be stopped.", in.ID)
		}
		return nil
	})
}

// startInstances starts stopped instances: pending for Delays.Start (with
// a new public address), then running.
func (s *Service) startInstances(_ context.Context, c call) (ec2Body, error) {
	return s.transition(c, func(in *instance) error {
		switch in.State {
		case stateStopped:
			if in.Public {
				ip, err := s.env.IPs.Allocate("public", cloud.PublicRange, publicOwner(in.ID))
				if err != nil {
					return err
				}
				in.PublicIP = ip
			}
			in.State, in.Until, in.Reason, in.StateReason = statePending, c.Now.Add(s.env.Delays.Start), "", ""
		case statePending, stateRunning:
		default:
			return clientError("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be started.", in.ID)
		}
		return nil
	})
}

// terminateInstances terminates instances: shutting-down for Delays.Delete,
// then terminated, listed for an hour more.
func (s *Service) terminateInstances(_ context.Context, c call) (ec2Body, error) {
	return s.transition(c, func(in *instance) error {
		switch in.State {
		case stateShuttingDown, stateTerminated:
		default:
			if in.NoTerminate {
				return clientError("OperationNotPermitted", "The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", in.ID)
			}
			in.State, in.Until = stateShuttingDown, c.Now.Add(s.env.Delays.Delete)
			in.Reason = "User initiated (" + c.Now.UTC().Format("2006-01-02 15:04:05") + " GMT)"
			in.StateReason = "Client.UserInitiatedShutdown"
		}
		return nil
	})
}

// tickInstances moves the instances whose transitions are due.
func (s *Service) tickInstances(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.instances.IDs() {
		in, ok, err := s.instances.Get(id)
		if err != nil || !ok || now.Before(in.Until) {
			continue
		}
		if err := s.stepInstance(in, now); err != nil {
			s.env.Log.Info("Cannot move instance on", "instance", id, "error", err)
		}
	}
}

// stepInstance finishes an instance's due transition.
func (s *Service) stepInstance(in instance, now time.Time) error {
	switch in.State {
	case statePending:
		in.State = stateRunning
	case stateStopping:
		if err := s.env.IPs.Release(publicOwner(in.ID)); err != nil {
			return err
		}
		in.State, in.PublicIP = stateStopped, ""
	case stateShuttingDown:
		if err := s.releaseAddresses(in.ID); err != nil {
			return err
		}
		in.State, in.PublicIP, in.PrivateIP, in.Until = stateTerminated, "", "", now.Add(terminatedKept)
	case stateTerminated:
		return s.instances.Delete(in.ID)
	default:
		return nil
	}
	return s.instances.Put(in.ID, in)
}
