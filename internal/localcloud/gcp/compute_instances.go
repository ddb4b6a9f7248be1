package gcp

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// Instance statuses.
const (
	statusProvisioning = "PROVISIONING"
	statusStaging      = "STAGING"
	statusRunning      = "RUNNING"
	statusStopping     = "STOPPING"
	statusTerminated   = "TERMINATED"
)

// publicPool is the address pool external IPs come from.
const publicPool = "public"

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

const refPrefix = `^(?:https://(?:www|compute)\.googleapis\.com/compute/v1/)?(?:projects/([a-z0-9:.-]+)/)?`

var (
	networkRef     = regexp.MustCompile(refPrefix + `global/networks/([^/]+)$`)
	subnetworkRef  = regexp.MustCompile(refPrefix + `regions/([^/]+)/subnetworks/([^/]+)$`)
	machineTypeRef = regexp.MustCompile(refPrefix + `zones/([^/]+)/machineTypes/([^/]+)$`)
	diskTypeRef    = regexp.MustCompile(refPrefix + `zones/([^/]+)/diskTypes/([^/]+)$`)
	metadataKey    = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
)

// parseNetwork returns the project and name a network reference (URL,
// partial URL or name) points at.
func parseNetwork(ref, project string) (string, string, bool) {
	if computeName.MatchString(ref) {
		return project, ref, true
	}
	m := networkRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", false
	}
	if m[1] != "" {
		project = m[1]
	}
	return project, m[2], true
}

// parseSubnetwork returns the project, region and name a subnetwork
// reference points at; a bare name is in region.
func parseSubnetwork(ref, project, region string) (string, string, string, bool) {
	if computeName.MatchString(ref) {
		return project, region, ref, true
	}
	m := subnetworkRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", "", false
	}
	if m[1] != "" {
		project = m[1]
	}
	return project, m[2], m[3], true
}

// machineType checks a machine type reference for an instance in zone and
// returns the type's full URL.
func machineType(field, ref, project, zone string) (string, *apiError) {
	m := machineTypeRef.FindStringSubmatch(ref)
	if m == nil {
		return "", errInvalid("Invalid value for field '%s': '%s'. Must be a URL to a valid Compute resource of the correct type (zones/ZONE/machineTypes/TYPE).", field, ref)
	}
	if m[2] != zone {
		return "", errInvalid("Invalid value for field '%s': '%s'. Machine type must be in the instance's zone %s.", field, ref, zone)
	}
	if !validMachineType(m[3]) {
		return "", errInvalid("Invalid value for field '%s': '%s'. Machine type with name '%s' does not exist in zone '%s'.", field, ref, m[3], zone)
	}
	return zoneURL(project, zone) + "/machineTypes/" + m[3], nil
}

func validateLabels(field string, labels map[string]string) *apiError {
	if len(labels) > 64 {
		return errInvalid("Invalid value for field '%s': a resource can have up to 64 labels.", field)
	}
	for k, v := range labels {
		if !labelKey.MatchString(k) || !labelValue.MatchString(v) {
			return errInvalid("Invalid value for field '%s': '%s=%s'. Label keys start with a lowercase letter; keys and values use lowercase letters, digits, - and _, up to 63 characters.", field, k, v)
		}
	}
	return nil
}

func validateMetadata(md *computepb.Metadata) *apiError {
	seen := map[string]bool{}
	size := 0
	for i, it := range md.GetItems() {
		if !metadataKey.MatchString(it.GetKey()) {
			return errInvalid("Invalid value for field 'resource.metadata.items[%d].key': '%s'. Must be a match of regex '[a-zA-Z0-9-_]{1,128}'", i, it.GetKey())
		}
		if seen[it.GetKey()] {
			return errInvalid("Invalid value for field 'resource.metadata.items[%d].key': '%s'. Duplicate keys are not allowed.", i, it.GetKey())
		}
		seen[it.GetKey()] = true
		size += len(it.GetKey()) + len(it.GetValue())
	}
	if size > 512*1024 {
		return errInvalid("Invalid value for field 'resource.metadata': metadata is limited to 512 KB.")
	}
	return nil
}

func validateTags(t *computepb.Tags) *apiError {
	for i, tag := range t.GetItems() {
		if !computeName.MatchString(tag) {
			return errInvalid("Invalid value for field 'resource.tags.items[%d]': '%s'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'", i, tag)
		}
	}
	return nil
}

func metadataFingerprint(md *computepb.Metadata) string {
	items := make([][2]string, 0, len(md.GetItems()))
	for _, it := range md.GetItems() {
		items = append(items, [2]string{it.GetKey(), it.GetValue()})
	}
	return fingerprint(items)
}

// refreshFingerprint recomputes the instance's own fingerprint, which
// changes with any of its settings.
func refreshFingerprint(in *computepb.Instance) {
	c := proto.Clone(in).(*computepb.Instance)
	c.Fingerprint, c.Status, c.LastStartTimestamp, c.LastStopTimestamp = nil, nil, nil, nil
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	sum := sha256.Sum256(b)
	fp := base64.StdEncoding.EncodeToString(sum[:8])
	in.Fingerprint = &fp
}

// loadInstance returns an instance's row and resource.
func (s *Service) loadInstance(project, zone, name string) (computeRow, *computepb.Instance, *apiError) {
	row, ok, err := s.comp.instances.Get(rowKey(project, zone, name))
	if err != nil {
		return row, nil, errInternal(err)
	}
	if !ok {
		return row, nil, errResourceNotFound(instanceURL(project, zone, name))
	}
	in := &computepb.Instance{}
	if err := decodeRes(row.Res, in); err != nil {
		return row, nil, errInternal(err)
	}
	return row, in, nil
}

func (s *Service) putInstance(row *computeRow, in *computepb.Instance) error {
	raw, err := encodeRes(in)
	if err != nil {
		return err
	}
	row.Res = raw
	return s.comp.instances.Put(row.key(), *row)
}

// buildInstance checks an insert request and fills in what Compute Engine
// reports for a new instance (addresses come later).
func buildInstance(p, z string, in *computepb.Instance, now time.Time) *apiError {
	if e := validateName("resource.name", in.GetName()); e != nil {
		return e
	}
	mt, e := machineType("resource.machineType", in.GetMachineType(), p, z)
	if e != nil {
		return e
	}
	in.MachineType = &mt
	if e := buildDisks(p, z, in); e != nil {
		return e
	}
	if len(in.GetNetworkInterfaces()) == 0 {
		return errInvalid("Invalid value for field 'resource.networkInterfaces': ''. At least one network interface is required.")
	}
	if e := labelsMetadataTags(in); e != nil {
		return e
	}
	url := instanceURL(p, z, in.GetName())
	in.Kind = new("compute#instance")
	in.Id = new(newID())
	in.CreationTimestamp = new(computeTime(now))
	in.SelfLink = &url
	in.Zone = new(zoneURL(p, z))
	in.Status = new(statusProvisioning)
	if in.CanIpForward == nil {
		in.CanIpForward = new(false)
	}
	if in.DeletionProtection == nil {
		in.DeletionProtection = new(false)
	}
	in.StartRestricted = new(false)
	in.Scheduling = scheduling(in.GetScheduling())
	return nil
}

// labelsMetadataTags checks an instance's labels, metadata and tags and
// gives each its fingerprint.
func labelsMetadataTags(in *computepb.Instance) *apiError {
	if e := validateLabels("resource.labels", in.GetLabels()); e != nil {
		return e
	}
	if in.Metadata == nil {
		in.Metadata = &computepb.Metadata{}
	}
	if e := validateMetadata(in.GetMetadata()); e != nil {
		return e
	}
	if in.Tags == nil {
		in.Tags = &computepb.Tags{}
	}
	if e := validateTags(in.GetTags()); e != nil {
		return e
	}
	in.LabelFingerprint = new(fingerprint(in.GetLabels()))
	in.Metadata.Kind = new("compute#metadata")
	in.Metadata.Fingerprint = new(metadataFingerprint(in.GetMetadata()))
	in.Tags.Fingerprint = new(fingerprint(in.GetTags().GetItems()))
	return nil
}

// scheduling fills in the scheduling options Compute Engine defaults: a
// standard VM migrates on host maintenance and restarts automatically; a
// preemptible or spot one does neither.
func scheduling(sc *computepb.Scheduling) *computepb.Scheduling {
	if sc == nil {
		sc = &computepb.Scheduling{}
	}
	if sc.Preemptible == nil {
		sc.Preemptible = new(false)
	}
	spot := sc.GetPreemptible() || sc.GetProvisioningModel() == "SPOT"
	if sc.ProvisioningModel == nil {
		sc.ProvisioningModel = new("STANDARD")
		if spot {
			sc.ProvisioningModel = new("SPOT")
		}
	}
	if sc.OnHostMaintenance == nil {
		sc.OnHostMaintenance = new("MIGRATE")
		if spot {
			sc.OnHostMaintenance = new("TERMINATE")
		}
	}
	if sc.AutomaticRestart == nil {
		sc.AutomaticRestart = new(!spot)
	}
	return sc
}

// buildDisks turns the disks of an insert request into attached disks made
// from images (or blank), as an instance reports them.
func buildDisks(p, z string, in *computepb.Instance) *apiError {
	if len(in.GetDisks()) == 0 {
		return errInvalid("Invalid value for field 'resource.disks': ''. An instance needs a boot disk.")
	}
	boots := 0
	for i, d := range in.GetDisks() {
		out, e := buildDisk(p, z, in.GetName(), i, d)
		if e != nil {
			return e
		}
		if out.GetBoot() {
			boots++
		}
		in.Disks[i] = out
	}
	if boots != 1 {
		return errInvalid("Invalid value for field 'resource.disks': ''. Exactly one disk must be the boot disk, not %d.", boots)
	}
	return nil
}

// buildDisk turns disk i of an insert request into an attached disk.
func buildDisk(p, z, instance string, i int, d *computepb.AttachedDisk) (*computepb.AttachedDisk, *apiError) {
	field := fmt.Sprintf("resource.disks[%d]", i)
	if d.GetSource() != "" {
		return nil, errNotFound("The resource '%s' was not found", d.GetSource())
	}
	ip := d.GetInitializeParams()
	if ip == nil {
		return nil, errInvalid("Invalid value for field '%s': ''. A disk needs source or initializeParams.", field)
	}
	boot := d.GetBoot() || (i == 0 && d.Boot == nil && ip.GetSourceImage() != "")
	if boot && ip.GetSourceImage() == "" {
		return nil, errInvalid("Invalid value for field '%s.initializeParams.sourceImage': ''. A boot disk needs a source image.", field)
	}
	size, e := diskSize(field, p, ip)
	if e != nil {
		return nil, e
	}
	if e := checkDiskType(field, ip.GetDiskType()); e != nil {
		return nil, e
	}
	name := ip.GetDiskName()
	switch {
	case name != "":
	case boot:
		name = instance
	default:
		name = fmt.Sprintf("%s-disk-%d", instance, i)
	}
	source := zoneURL(p, z) + "/disks/" + name
	out := &computepb.AttachedDisk{
		Kind:         new("compute#attachedDisk"),
		Type:         new("PERSISTENT"),
		Mode:         new("READ_WRITE"),
		Source:       &source,
		DeviceName:   new(fmt.Sprintf("persistent-disk-%d", i)),
		Index:        new(int32(i)), //nolint:gosec // G115: an instance has at most 128 disks.
		Boot:         new(boot),
		AutoDelete:   new(true),
		Interface:    new("SCSI"),
		DiskSizeGb:   &size,
		Architecture: new("X86_64"),
	}
	for _, keep := range []struct{ from, to **string }{{&d.Mode, &out.Mode}, {&d.DeviceName, &out.DeviceName}, {&d.Interface, &out.Interface}} {
		if *keep.from != nil {
			*keep.to = *keep.from
		}
	}
	if d.AutoDelete != nil {
		out.AutoDelete = d.AutoDelete
	}
	return out, nil
}

// diskSize returns the size of a disk made from initializeParams: as asked,
// or the image's size, and never smaller than the image.
func diskSize(field, p string, ip *computepb.AttachedDiskInitializeParams) (int64, *apiError) {
	size := ip.GetDiskSizeGb()
	if ip.GetSourceImage() != "" {
		ok, img, found := resolveImage(ip.GetSourceImage(), p)
		if !ok {
			return 0, errInvalid("Invalid value for field '%s.initializeParams.sourceImage': '%s'. The URL is malformed.", field, ip.GetSourceImage())
		}
		if !found {
			return 0, errNotFound("The resource '%s' was not found", ip.GetSourceImage())
		}
		if size == 0 {
			size = img.sizeGb
		}
		if size < img.sizeGb {
			return 0, errInvalid("Invalid value for field '%s.initializeParams.diskSizeGb': '%d'. Requested disk size cannot be smaller than the image size (%d GB).", field, size, img.sizeGb)
		}
	}
	if size == 0 {
		size = 10
	}
	if size < 1 || size > 65536 {
		return 0, errInvalid("Invalid value for field '%s.initializeParams.diskSizeGb': '%d'.", field, size)
	}
	return size, nil
}

// checkDiskType checks a disk type reference (URL or name).
func checkDiskType(field, dt string) *apiError {
	if dt == "" {
		return nil
	}
	name := dt
	if m := diskTypeRef.FindStringSubmatch(dt); m != nil {
		name = m[3]
	}
	if !slices.Contains([]string{"pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced"}, name) {
		return errInvalid("Invalid value for field '%s.initializeParams.diskType': '%s'. Unknown disk type.", field, dt)
	}
	return nil
}

// nicOwner and natOwner name who holds an interface's internal and external
// address in the address pools.
func nicOwner(in *computepb.Instance, nic int) string {
	return fmt.Sprintf("%s/nic%d", in.GetSelfLink(), nic)
}

func natOwner(in *computepb.Instance, nic int) string { return nicOwner(in, nic) + "/nat" }

// attachInterfaces resolves an instance's network interfaces to
// subnetworks and gives each an internal address from its subnetwork's
// range.
func (s *Service) attachInterfaces(p, z string, in *computepb.Instance) *apiError {
	region, _ := zoneRegion(z)
	for i, nic := range in.GetNetworkInterfaces() {
		field := fmt.Sprintf("resource.networkInterfaces[%d]", i)
		if e := checkInterface(field, nic); e != nil {
			return e
		}
		sub, e := s.interfaceSubnetwork(field, p, region, nic)
		if e != nil {
			return e
		}
		ip, err := s.env.IPs.Allocate(sub.GetSelfLink(), sub.GetIpCidrRange(), nicOwner(in, i))
		if err != nil {
			return errInvalid("Invalid value for field '%s.subnetwork': '%s'. %v", field, sub.GetSelfLink(), err)
		}
		nic.Kind = new("compute#networkInterface")
		nic.Name = new(fmt.Sprintf("nic%d", i))
		nic.Network = new(sub.GetNetwork())
		nic.Subnetwork = new(sub.GetSelfLink())
		nic.NetworkIP = &ip
		if nic.StackType == nil {
			nic.StackType = new("IPV4_ONLY")
		}
		for _, ac := range nic.GetAccessConfigs() {
			ac.Kind = new("compute#accessConfig")
			ac.Type = new("ONE_TO_ONE_NAT")
			if ac.Name == nil {
				ac.Name = new("External NAT")
			}
			if ac.NetworkTier == nil {
				ac.NetworkTier = new("PREMIUM")
			}
		}
		nic.Fingerprint = new(fingerprint(nic.GetName() + nic.GetSubnetwork() + ip))
	}
	return nil
}

// checkInterface checks what a network interface asks of its addresses:
// the local cloud assigns them, and gives each interface at most one
// ephemeral external address.
func checkInterface(field string, nic *computepb.NetworkInterface) *apiError {
	if nic.GetNetworkIP() != "" {
		return errInvalid("Invalid value for field '%s.networkIP': '%s'. The local cloud assigns internal addresses; leave networkIP empty.", field, nic.GetNetworkIP())
	}
	if len(nic.GetAccessConfigs()) > 1 {
		return errInvalid("Invalid value for field '%s.accessConfigs': ''. At most one access config is allowed per network interface.", field)
	}
	for _, ac := range nic.GetAccessConfigs() {
		if ac.GetType() != "" && ac.GetType() != "ONE_TO_ONE_NAT" {
			return errInvalid("Invalid value for field '%s.accessConfigs[0].type': '%s'. Must be ONE_TO_ONE_NAT.", field, ac.GetType())
		}
		if ac.GetNatIP() != "" {
			return errInvalid("Invalid value for field '%s.accessConfigs[0].natIP': '%s'. Reserved static addresses are not emulated by the local cloud; leave natIP empty for an ephemeral address.", field, ac.GetNatIP())
		}
		if !slices.Contains([]string{"", "PREMIUM", "STANDARD"}, ac.GetNetworkTier()) {
			return errInvalid("Invalid value for field '%s.accessConfigs[0].networkTier': '%s'.", field, ac.GetNetworkTier())
		}
	}
	return nil
}

// interfaceSubnetwork returns the subnetwork a network interface attaches
// to: the one it names, or its network's subnetwork in the region when the
// network is in auto mode.
func (s *Service) interfaceSubnetwork(field, p, region string, nic *computepb.NetworkInterface) (*computepb.Subnetwork, *apiError) {
	netURL := networkURL(p, "default")
	if nic.GetNetwork() != "" {
		np, nn, ok := parseNetwork(nic.GetNetwork(), p)
		if !ok {
			return nil, errInvalid("Invalid value for field '%s.network': '%s'. The URL is malformed.", field, nic.GetNetwork())
		}
		netURL = networkURL(np, nn)
	}
	if nic.GetSubnetwork() != "" {
		sub, e := s.namedSubnetwork(field, p, region, nic.GetSubnetwork())
		if e != nil {
			return nil, e
		}
		if nic.GetNetwork() != "" && sub.GetNetwork() != netURL {
			return nil, errInvalid("Invalid value for field '%s.network': '%s'. The subnetwork belongs to %s.", field, nic.GetNetwork(), sub.GetNetwork())
		}
		return sub, nil
	}
	np, nn, _ := parseNetwork(netURL, p)
	net, ok, err := s.comp.networks.Get(rowKey(np, "", nn))
	if err != nil {
		return nil, errInternal(err)
	}
	if !ok || net.Deleting {
		return nil, errResourceNotFound(netURL)
	}
	netRes := &computepb.Network{}
	if err := decodeRes(net.Res, netRes); err != nil {
		return nil, errInternal(err)
	}
	if !netRes.GetAutoCreateSubnetworks() {
		return nil, errInvalid("Invalid value for field '%s.network': '%s'. Subnetwork should be specified for custom subnetmode network", field, netURL)
	}
	_, sub, e := s.loadSubnetwork(np, region, nn)
	return sub, e
}

// namedSubnetwork returns the subnetwork a reference names, which must be
// in the instance's region.
func (s *Service) namedSubnetwork(field, p, region, ref string) (*computepb.Subnetwork, *apiError) {
	sp, sr, sn, ok := parseSubnetwork(ref, p, region)
	if !ok {
		return nil, errInvalid("Invalid value for field '%s.subnetwork': '%s'. The URL is malformed.", field, ref)
	}
	if sr != region {
		return nil, errInvalid("Invalid value for field '%s.subnetwork': '%s'. Subnetwork must be in the instance's region %s.", field, ref, region)
	}
	row, sub, e := s.loadSubnetwork(sp, sr, sn)
	if e == nil && row.Deleting {
		e = errResourceNotFound(subnetworkURL(sp, sr, sn))
	}
	return sub, e
}

// allocateNAT gives every access config an ephemeral external address.
func (s *Service) allocateNAT(in *computepb.Instance) error {
	for i, nic := range in.GetNetworkInterfaces() {
		for _, ac := range nic.GetAccessConfigs() {
			ip, err := s.env.IPs.Allocate(publicPool, cloud.PublicRange, natOwner(in, i))
			if err != nil {
				return err
			}
			ac.NatIP = &ip
		}
	}
	return nil
}

// releaseNAT gives up the instance's external addresses, as a stopped
// instance does.
func (s *Service) releaseNAT(in *computepb.Instance) error {
	for i, nic := range in.GetNetworkInterfaces() {
		if err := s.env.IPs.Release(natOwner(in, i)); err != nil {
			return err
		}
		for _, ac := range nic.GetAccessConfigs() {
			ac.NatIP = nil
		}
	}
	return nil
}

// releaseAddresses gives up every address of an instance.
func (s *Service) releaseAddresses(in *computepb.Instance) error {
	if err := s.releaseNAT(in); err != nil {
		return err
	}
	for i := range in.GetNetworkInterfaces() {
		if err := s.env.IPs.Release(nicOwner(in, i)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) insertInstance(w http.ResponseWriter, r *http.Request) {
	p, z, e := zonal(r)
	if e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	in := &computepb.Instance{}
	if e := decodeRequest(w, r, in); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope := "zones/" + z
	if s.replay(w, p, scope, rid) {
		return
	}
	now := s.clock()
	if e := buildInstance(p, z, in, now); e != nil {
		writeError(w, e)
		return
	}
	if _, ok, err := s.comp.instances.Get(rowKey(p, z, in.GetName())); err != nil || ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errResourceExists(in.GetSelfLink()))
		return
	}
	row := computeRow{Project: p, Scope: z, Name: in.GetName()}
	fail := func(e *apiError) {
		_ = s.releaseAddresses(in)
		writeError(w, e)
	}
	if e := s.attachInterfaces(p, z, in); e != nil {
		fail(e)
		return
	}
	if err := s.allocateNAT(in); err != nil {
		fail(errInternal(err))
		return
	}
	refreshFingerprint(in)
	op := newOp(p, scope, "insert", in.GetSelfLink(), in.GetId(), now)
	key, ok := s.saveOp(w, p, scope, rid, op, time.Time{}, now)
	if !ok {
		_ = s.releaseAddresses(in)
		return
	}
	row.Op, row.Until = key, now.Add(s.env.Delays.Start/2)
	if err := s.putInstance(&row, in); err != nil {
		fail(errInternal(err))
		return
	}
	writeProto(w, op)
}

func (s *Service) getInstance(w http.ResponseWriter, r *http.Request) {
	p, z, e := zonal(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	row, _, e := s.loadInstance(p, z, r.PathValue("instance"))
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeRaw(w, http.StatusOK, row.Res)
}

func (s *Service) listInstances(w http.ResponseWriter, r *http.Request) {
	p, z, e := zonal(r)
	if e != nil {
		writeError(w, e)
		return
	}
	raws, e := s.rawRows(s.comp.instances, p, z)
	if e != nil {
		writeError(w, e)
		return
	}
	items, next, e := s.listPage(r, raws, func() proto.Message { return &computepb.Instance{} })
	if e != nil {
		writeError(w, e)
		return
	}
	list := &computepb.InstanceList{
		Kind:     new("compute#instanceList"),
		Id:       new(zoneURL(p, z) + "/instances"),
		SelfLink: new(zoneURL(p, z) + "/instances"),
	}
	for _, m := range items {
		list.Items = append(list.Items, m.(*computepb.Instance))
	}
	if next != "" {
		list.NextPageToken = new(next)
	}
	writeProto(w, list)
}

// rawRows returns the stored resources of a table in one project and scope.
func (s *Service) rawRows(t *store.Table[computeRow], project, scope string) ([][]byte, *apiError) {
	s.mu.Lock()
	all, err := t.List()
	s.mu.Unlock()
	if err != nil {
		return nil, errInternal(err)
	}
	var out [][]byte
	for _, row := range all {
		if row.Project == project && row.Scope == scope {
			out = append(out, row.Res)
		}
	}
	return out, nil
}

func (s *Service) deleteInstance(w http.ResponseWriter, r *http.Request) {
	p, z, e := zonal(r)
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
	scope := "zones/" + z
	if s.replay(w, p, scope, rid) {
		return
	}
	row, in, e := s.loadInstance(p, z, r.PathValue("instance"))
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
	if in.GetDeletionProtection() {
		writeError(w, &apiError{
			Code:    http.StatusBadRequest,
			Reason:  "resourceInUseByAnotherResource",
			Message: "Invalid resource usage: 'Resource cannot be deleted if it's protected against deletion.'.",
		})
		return
	}
	now := s.clock()
	if row.Op != "" {
		if err := s.finishComputeOp(row.Op, now); err != nil {
			writeError(w, errInternal(err))
			return
		}
	}
	op := newOp(p, scope, "delete", in.GetSelfLink(), in.GetId(), now)
	key, ok := s.saveOp(w, p, scope, rid, op, time.Time{}, now)
	if !ok {
		return
	}
	in.Status = new(statusStopping)
	row.Op, row.Until, row.Deleting = key, now.Add(s.env.Delays.Delete), true
	if err := s.putInstance(&row, in); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// An action is one POST verb on an instance, about to be applied.
type action struct {
	p, z string
	row  *computeRow
	in   *computepb.Instance
	body proto.Message
	now  time.Time
}

// An instanceVerb is what a POST verb takes as its body and how it changes
// the instance. do returns when the verb's operation is done, or zero when
// the instance's transition finishes it.
type instanceVerb struct {
	body func() proto.Message
	do   func(s *Service, a action) (time.Time, *apiError)
}

var instanceVerbs = map[string]instanceVerb{
	"start": {do: func(s *Service, a action) (time.Time, *apiError) { return s.startInstance(a.row, a.in, a.now) }},
	"stop":  {do: func(s *Service, a action) (time.Time, *apiError) { return s.stopInstance(a.row, a.in, a.now) }},
	"setLabels": {
		body: func() proto.Message { return &computepb.InstancesSetLabelsRequest{} },
		do: func(_ *Service, a action) (time.Time, *apiError) {
			return setLabels(a.in, a.body.(*computepb.InstancesSetLabelsRequest), a.now)
		},
	},
	"setMachineType": {
		body: func() proto.Message { return &computepb.InstancesSetMachineTypeRequest{} },
		do: func(_ *Service, a action) (time.Time, *apiError) {
			return setMachineType(a.p, a.z, a.in, a.body.(*computepb.InstancesSetMachineTypeRequest), a.now)
		},
	},
	"setMetadata": {
		body: func() proto.Message { return &computepb.Metadata{} },
		do: func(_ *Service, a action) (time.Time, *apiError) {
			return setMetadata(a.in, a.body.(*computepb.Metadata), a.now)
		},
	},
	"setTags": {
		body: func() proto.Message { return &computepb.Tags{} },
		do: func(_ *Service, a action) (time.Time, *apiError) {
			return setTags(a.in, a.body.(*computepb.Tags), a.now)
		},
	},
}

// instanceAction serves the instance methods called with POST on a verb:
// start, stop, setLabels, setMachineType, setMetadata, setTags.
func (s *Service) instanceAction(w http.ResponseWriter, r *http.Request) {
	verb := r.PathValue("verb")
	iv, ok := instanceVerbs[verb]
	if !ok {
		unimplemented(w, r)
		return
	}
	a := action{}
	var e *apiError
	if a.p, a.z, e = zonal(r); e != nil {
		writeError(w, e)
		return
	}
	rid, e := requestID(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if iv.body != nil {
		a.body = iv.body()
		if e := decodeRequest(w, r, a.body); e != nil {
			writeError(w, e)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope := "zones/" + a.z
	if s.replay(w, a.p, scope, rid) {
		return
	}
	row, in, e := s.loadInstance(a.p, a.z, r.PathValue("instance"))
	if e != nil {
		writeError(w, e)
		return
	}
	if row.Deleting {
		writeError(w, errNotReady(in.GetSelfLink()))
		return
	}
	a.row, a.in, a.now = &row, in, s.clock()
	doneAt, e := iv.do(s, a)
	if e != nil {
		writeError(w, e)
		return
	}
	refreshFingerprint(in)
	op := newOp(a.p, scope, verb, in.GetSelfLink(), in.GetId(), a.now)
	key, ok := s.saveOp(w, a.p, scope, rid, op, doneAt, a.now)
	if !ok {
		return
	}
	if doneAt.IsZero() {
		row.Op = key
	}
	if err := s.putInstance(&row, in); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeProto(w, op)
}

// startInstance starts a stopped instance. It returns when the operation is
// done if no transition completes it (the instance already runs).
func (s *Service) startInstance(row *computeRow, in *computepb.Instance, now time.Time) (time.Time, *apiError) {
	switch in.GetStatus() {
	case statusTerminated:
		if err := s.allocateNAT(in); err != nil {
			return time.Time{}, errInternal(err)
		}
		in.Status = new(statusProvisioning)
		row.Until = now.Add(s.env.Delays.Start / 2)
		return time.Time{}, nil
	case statusStopping:
		return time.Time{}, errNotReady(in.GetSelfLink())
	}
	return now, nil
}

// stopInstance stops a running (or starting) instance.
func (s *Service) stopInstance(row *computeRow, in *computepb.Instance, now time.Time) (time.Time, *apiError) {
	switch in.GetStatus() {
	case statusTerminated:
		return now, nil
	case statusStopping:
		return row.Until, nil
	}
	if row.Op != "" {
		if err := s.finishComputeOp(row.Op, now); err != nil {
			return time.Time{}, errInternal(err)
		}
	}
	in.Status = new(statusStopping)
	row.Until = now.Add(s.env.Delays.Stop)
	return time.Time{}, nil
}

func setLabels(in *computepb.Instance, req *computepb.InstancesSetLabelsRequest, now time.Time) (time.Time, *apiError) {
	if req.GetLabelFingerprint() != in.GetLabelFingerprint() {
		return time.Time{}, errConditionNotMet("Labels fingerprint either invalid or resource labels have changed")
	}
	if e := validateLabels("labels", req.GetLabels()); e != nil {
		return time.Time{}, e
	}
	in.Labels = req.GetLabels()
	in.LabelFingerprint = new(fingerprint(in.GetLabels()))
	return now, nil
}

func setMachineType(p, z string, in *computepb.Instance, req *computepb.InstancesSetMachineTypeRequest, now time.Time) (time.Time, *apiError) {
	if in.GetStatus() != statusTerminated {
		return time.Time{}, &apiError{
			Code:    http.StatusBadRequest,
			Reason:  "resourceNotReady",
			Message: fmt.Sprintf("The resource '%s' is not ready: the instance must be stopped (TERMINATED) to change its machine type, and is %s.", resourcePath(in.GetSelfLink()), in.GetStatus()),
		}
	}
	mt, e := machineType("machineType", req.GetMachineType(), p, z)
	if e != nil {
		return time.Time{}, e
	}
	in.MachineType = &mt
	return now, nil
}

func setMetadata(in *computepb.Instance, req *computepb.Metadata, now time.Time) (time.Time, *apiError) {
	if req.GetFingerprint() != in.GetMetadata().GetFingerprint() {
		return time.Time{}, errConditionNotMet("Supplied fingerprint does not match current metadata fingerprint.")
	}
	if e := validateMetadata(req); e != nil {
		return time.Time{}, e
	}
	in.Metadata = &computepb.Metadata{Kind: new("compute#metadata"), Items: req.GetItems()}
	in.Metadata.Fingerprint = new(metadataFingerprint(in.GetMetadata()))
	return now, nil
}

func setTags(in *computepb.Instance, req *computepb.Tags, now time.Time) (time.Time, *apiError) {
	if req.GetFingerprint() != in.GetTags().GetFingerprint() {
		return time.Time{}, errConditionNotMet("Supplied fingerprint does not match current tags fingerprint.")
	}
	if e := validateTags(req); e != nil {
		return time.Time{}, e
	}
	in.Tags = &computepb.Tags{Items: req.GetItems()}
	in.Tags.Fingerprint = new(fingerprint(in.GetTags().GetItems()))
	return now, nil
}

// advanceInstances moves every instance whose transition step has ended.
func (s *Service) advanceInstances(now time.Time) error {
	all, err := s.comp.instances.List()
	if err != nil {
		return err
	}
	for i := range all {
		row := all[i]
		if row.Op == "" || now.Before(row.Until) {
			continue
		}
		if err := s.advanceInstance(&row, now); err != nil {
			return errors.Wrapf(err, "cannot advance instance %s", row.Name)
		}
	}
	return nil
}

func (s *Service) advanceInstance(row *computeRow, now time.Time) error {
	in := &computepb.Instance{}
	if err := decodeRes(row.Res, in); err != nil {
		return err
	}
	switch in.GetStatus() {
	case statusProvisioning:
		in.Status = new(statusStaging)
		row.Until = now.Add(s.env.Delays.Start - s.env.Delays.Start/2)
		return s.putInstance(row, in)
	case statusStaging:
		in.Status = new(statusRunning)
		in.LastStartTimestamp = new(computeTime(now))
	case statusStopping:
		if row.Deleting {
			if err := s.releaseAddresses(in); err != nil {
				return err
			}
			if err := s.comp.instances.Delete(row.key()); err != nil {
				return err
			}
			return s.finishComputeOp(row.Op, now)
		}
		if err := s.releaseNAT(in); err != nil {
			return err
		}
		in.Status = new(statusTerminated)
		in.LastStopTimestamp = new(computeTime(now))
	}
	key := row.Op
	row.Op, row.Until = "", time.Time{}
	if err := s.putInstance(row, in); err != nil {
		return err
	}
	return s.finishComputeOp(key, now)
}
