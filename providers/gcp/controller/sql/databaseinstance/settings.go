package databaseinstance

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
)

// Values the schema accepts, so that late initialization never writes one
// it would refuse.
var (
	editions          = []string{"ENTERPRISE", "ENTERPRISE_PLUS"}
	availabilityTypes = []string{"ZONAL", "REGIONAL"}
	diskTypes         = []string{"PD_SSD", "PD_HDD", "HYPERDISK_BALANCED"}
	updateTracks      = []string{"canary", "stable", "week5"}
	versionPattern    = regexp.MustCompile(`^(POSTGRES|MYSQL)_[0-9][0-9_]*$`)
	startTimePattern  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// oneOf returns v if allowed holds it, else nil.
func oneOf(v string, allowed []string) *string {
	if slices.Contains(allowed, v) {
		return new(v)
	}
	return nil
}

// inRange returns v if it is within [lo, hi], else nil.
func inRange(v, lo, hi int64) *int64 {
	if v >= lo && v <= hi {
		return new(v)
	}
	return nil
}

// parameters returns the instance's configuration in the shape of its
// spec, for late initialization. Values the schema would refuse are left
// out.
func parameters(db *sqladmin.DatabaseInstance) *v1beta1.DatabaseInstanceParameters {
	p := &v1beta1.DatabaseInstanceParameters{}
	if db.Region != "" {
		p.Region = new(db.Region)
	}
	if versionPattern.MatchString(db.DatabaseVersion) {
		p.DatabaseVersion = new(db.DatabaseVersion)
	}
	if db.Settings != nil {
		p.Settings = settingsParameters(db.Settings)
	}
	return p
}

// settingsParameters returns Cloud SQL settings in the shape of the spec.
func settingsParameters(s *sqladmin.Settings) *v1beta1.Settings {
	out := &v1beta1.Settings{
		Edition:                   oneOf(s.Edition, editions),
		AvailabilityType:          oneOf(s.AvailabilityType, availabilityTypes),
		DataDiskSizeGB:            inRange(s.DataDiskSizeGb, 10, 1<<20),
		DataDiskType:              oneOf(s.DataDiskType, diskTypes),
		DiskAutoresize:            s.StorageAutoResize,
		UserLabels:                clients.UserLabels(s.UserLabels),
		DeletionProtectionEnabled: new(s.DeletionProtectionEnabled),
	}
	if s.Tier != "" {
		out.Tier = new(s.Tier)
	}
	if ip := s.IpConfiguration; ip != nil {
		out.IPConfiguration = &v1beta1.IPConfiguration{IPv4Enabled: new(ip.Ipv4Enabled), AuthorizedNetworks: aclEntries(ip.AuthorizedNetworks)}
		if ip.PrivateNetwork != "" {
			out.IPConfiguration.PrivateNetwork = new(ip.PrivateNetwork)
		}
	}
	if b := s.BackupConfiguration; b != nil {
		out.BackupConfiguration = &v1beta1.BackupConfiguration{
			Enabled:                     new(b.Enabled),
			PointInTimeRecoveryEnabled:  new(b.PointInTimeRecoveryEnabled),
			TransactionLogRetentionDays: inRange(b.TransactionLogRetentionDays, 1, 35),
		}
		if startTimePattern.MatchString(b.StartTime) {
			out.BackupConfiguration.StartTime = new(b.StartTime)
		}
		if r := b.BackupRetentionSettings; r != nil {
			out.BackupConfiguration.RetainedBackups = inRange(r.RetainedBackups, 1, 365)
		}
	}
	if mw := s.MaintenanceWindow; mw != nil && mw.Day >= 1 && mw.Day <= 7 && mw.Hour >= 0 && mw.Hour <= 23 {
		// Day 0 means no window: nothing to record.
		out.MaintenanceWindow = &v1beta1.MaintenanceWindow{Day: mw.Day, Hour: mw.Hour, UpdateTrack: oneOf(mw.UpdateTrack, updateTracks)}
	}
	for _, f := range s.DatabaseFlags {
		if f != nil {
			out.DatabaseFlags = append(out.DatabaseFlags, v1beta1.DatabaseFlag{Name: f.Name, Value: f.Value})
		}
	}
	return out
}

// aclEntries returns authorized networks in the shape of the spec, or nil
// when there are none.
func aclEntries(in []*sqladmin.AclEntry) []v1beta1.ACLEntry {
	if len(in) == 0 {
		return nil
	}
	out := make([]v1beta1.ACLEntry, 0, len(in))
	for _, e := range in {
		if e == nil {
			continue
		}
		a := v1beta1.ACLEntry{Value: e.Value}
		if e.Name != "" {
			a.Name = new(e.Name)
		}
		out = append(out, a)
	}
	return out
}

// createSettings returns the settings of an insert request for the spec's
// settings s (nil when the spec sets none) and the labels Stratus adds.
func createSettings(mg resource.Object, s *v1beta1.Settings) *sqladmin.Settings {
	out := &sqladmin.Settings{UserLabels: clients.DesiredLabels(mg, nil)}
	if s == nil {
		return out
	}
	out.UserLabels = clients.DesiredLabels(mg, s.UserLabels)
	out.Tier = deref(s.Tier)
	out.Edition = deref(s.Edition)
	out.AvailabilityType = deref(s.AvailabilityType)
	out.DataDiskSizeGb = deref(s.DataDiskSizeGB)
	out.DataDiskType = deref(s.DataDiskType)
	out.StorageAutoResize = s.DiskAutoresize
	if s.DeletionProtectionEnabled != nil {
		out.DeletionProtectionEnabled = *s.DeletionProtectionEnabled
		out.ForceSendFields = append(out.ForceSendFields, "DeletionProtectionEnabled")
	}
	if ip := s.IPConfiguration; ip != nil {
		out.IpConfiguration = applyIP(&sqladmin.IpConfiguration{}, ip)
	}
	if b := s.BackupConfiguration; b != nil {
		out.BackupConfiguration = applyBackup(&sqladmin.BackupConfiguration{}, b)
	}
	if mw := s.MaintenanceWindow; mw != nil {
		out.MaintenanceWindow = applyWindow(&sqladmin.MaintenanceWindow{}, mw)
	}
	out.DatabaseFlags = databaseFlags(s.DatabaseFlags)
	return out
}

// deref returns what p points to, or the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// applyIP returns a copy of ip with the fields the spec sets. Fields set to
// false or emptied are sent explicitly, since a patch leaves fields it
// leaves out alone.
func applyIP(ip *sqladmin.IpConfiguration, d *v1beta1.IPConfiguration) *sqladmin.IpConfiguration {
	out := *ip
	out.ForceSendFields = nil
	if d.IPv4Enabled != nil {
		out.Ipv4Enabled = *d.IPv4Enabled
		out.ForceSendFields = append(out.ForceSendFields, "Ipv4Enabled")
	}
	if d.AuthorizedNetworks != nil {
		out.AuthorizedNetworks = make([]*sqladmin.AclEntry, 0, len(d.AuthorizedNetworks))
		for _, a := range d.AuthorizedNetworks {
			out.AuthorizedNetworks = append(out.AuthorizedNetworks, &sqladmin.AclEntry{Name: deref(a.Name), Value: a.Value})
		}
		out.ForceSendFields = append(out.ForceSendFields, "AuthorizedNetworks")
	}
	if d.PrivateNetwork != nil {
		out.PrivateNetwork = *d.PrivateNetwork
	}
	return &out
}

// applyBackup returns a copy of b with the fields the spec sets.
func applyBackup(b *sqladmin.BackupConfiguration, d *v1beta1.BackupConfiguration) *sqladmin.BackupConfiguration {
	out := *b
	out.ForceSendFields = nil
	if d.Enabled != nil {
		out.Enabled = *d.Enabled
		out.ForceSendFields = append(out.ForceSendFields, "Enabled")
	}
	if d.StartTime != nil {
		out.StartTime = *d.StartTime
	}
	if d.PointInTimeRecoveryEnabled != nil {
		out.PointInTimeRecoveryEnabled = *d.PointInTimeRecoveryEnabled
		out.ForceSendFields = append(out.ForceSendFields, "PointInTimeRecoveryEnabled")
	}
	if d.TransactionLogRetentionDays != nil {
		out.TransactionLogRetentionDays = *d.TransactionLogRetentionDays
	}
	if d.RetainedBackups != nil {
		out.BackupRetentionSettings = &sqladmin.BackupRetentionSettings{RetainedBackups: *d.RetainedBackups, RetentionUnit: "COUNT"}
	}
	return &out
}

// applyWindow returns a copy of w with the window the spec sets.
func applyWindow(w *sqladmin.MaintenanceWindow, d *v1beta1.MaintenanceWindow) *sqladmin.MaintenanceWindow {
	out := *w
	out.Day, out.Hour = d.Day, d.Hour
	// Hour 0 (midnight) is a value, not an omission.
	out.ForceSendFields = []string{"Hour"}
	if d.UpdateTrack != nil {
		out.UpdateTrack = *d.UpdateTrack
	}
	return &out
}

// databaseFlags returns the spec's flags as the API takes them, or nil.
func databaseFlags(fs []v1beta1.DatabaseFlag) []*sqladmin.DatabaseFlags {
	if fs == nil {
		return nil
	}
	out := make([]*sqladmin.DatabaseFlags, 0, len(fs))
	for _, f := range fs {
		out = append(out, &sqladmin.DatabaseFlags{Name: f.Name, Value: f.Value})
	}
	return out
}

// settingsPatch returns the settings a patch must send to make the
// instance's settings s match the spec's d (nil when the spec sets none)
// and the labels of mg, and whether there is anything to send. Fields the
// spec leaves unset are left alone. Objects (IP, backup and maintenance
// configuration) are sent whole, as they are with the spec's changes, so
// that the result is the same whether the API merges or replaces them.
func settingsPatch(mg resource.Object, d *v1beta1.Settings, s *sqladmin.Settings) (*sqladmin.Settings, bool) {
	if s == nil {
		s = &sqladmin.Settings{}
	}
	out := &sqladmin.Settings{SettingsVersion: s.SettingsVersion}
	changed := false
	var specLabels map[string]string
	if d != nil {
		specLabels = d.UserLabels
		changed = scalarChanges(out, d, s)
		if d.IPConfiguration != nil && ipDiffers(d.IPConfiguration, s.IpConfiguration) {
			out.IpConfiguration, changed = applyIP(orEmpty(s.IpConfiguration), d.IPConfiguration), true
		}
		if d.BackupConfiguration != nil && backupDiffers(d.BackupConfiguration, s.BackupConfiguration) {
			out.BackupConfiguration, changed = applyBackup(orEmpty(s.BackupConfiguration), d.BackupConfiguration), true
		}
		if d.MaintenanceWindow != nil && windowDiffers(d.MaintenanceWindow, s.MaintenanceWindow) {
			out.MaintenanceWindow, changed = applyWindow(orEmpty(s.MaintenanceWindow), d.MaintenanceWindow), true
		}
		if d.DatabaseFlags != nil && !maps.Equal(flagMap(d.DatabaseFlags), flagMap(specFlags(s.DatabaseFlags))) {
			out.DatabaseFlags, changed = databaseFlags(d.DatabaseFlags), true
			out.ForceSendFields = append(out.ForceSendFields, "DatabaseFlags")
		}
	}
	labels := clients.ManagedLabels(mg, specLabels, s.UserLabels)
	if !clients.SameMap(labels, s.UserLabels) {
		out.UserLabels, changed = labels, true
		// A patch merges labels: one no longer wanted is removed by
		// sending it as null.
		for _, k := range clients.RemovedLabels(labels, s.UserLabels) {
			out.NullFields = append(out.NullFields, "UserLabels."+k)
		}
	}
	return out, changed
}

// scalarChanges sets on out the plain settings that d sets and s does not
// have, and reports whether there were any.
func scalarChanges(out *sqladmin.Settings, d *v1beta1.Settings, s *sqladmin.Settings) bool {
	changed := false
	set := func(desired *string, observed string, to *string) {
		if desired != nil && *desired != observed {
			*to, changed = *desired, true
		}
	}
	set(d.Tier, s.Tier, &out.Tier)
	set(d.Edition, s.Edition, &out.Edition)
	set(d.AvailabilityType, s.AvailabilityType, &out.AvailabilityType)
	set(d.DataDiskType, s.DataDiskType, &out.DataDiskType)
	// Disks only grow: a larger disk satisfies a smaller size.
	if v := d.DataDiskSizeGB; v != nil && *v > s.DataDiskSizeGb {
		out.DataDiskSizeGb, changed = *v, true
	}
	if v := d.DiskAutoresize; v != nil && *v != (s.StorageAutoResize != nil && *s.StorageAutoResize) {
		out.StorageAutoResize, changed = v, true
	}
	if v := d.DeletionProtectionEnabled; v != nil && *v != s.DeletionProtectionEnabled {
		out.DeletionProtectionEnabled, changed = *v, true
		out.ForceSendFields = append(out.ForceSendFields, "DeletionProtectionEnabled")
	}
	return changed
}

// orEmpty returns p, or a new zero value when p is nil.
func orEmpty[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

func ipDiffers(d *v1beta1.IPConfiguration, ip *sqladmin.IpConfiguration) bool {
	ip = orEmpty(ip)
	if d.IPv4Enabled != nil && *d.IPv4Enabled != ip.Ipv4Enabled {
		return true
	}
	if d.PrivateNetwork != nil && resourcePath(*d.PrivateNetwork) != resourcePath(ip.PrivateNetwork) {
		return true
	}
	return d.AuthorizedNetworks != nil && !maps.Equal(aclMap(d.AuthorizedNetworks), aclMap(aclEntries(ip.AuthorizedNetworks)))
}

// resourcePath returns a network reference as a resource path
// (projects/P/global/networks/N), whether given as one, as a URL or with a
// leading slash.
func resourcePath(s string) string {
	if i := strings.Index(s, "projects/"); i >= 0 {
		return s[i:]
	}
	return s
}

// aclMap maps each authorized network to its name; the order does not
// matter.
func aclMap(as []v1beta1.ACLEntry) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.Value] = deref(a.Name)
	}
	return m
}

func backupDiffers(d *v1beta1.BackupConfiguration, b *sqladmin.BackupConfiguration) bool {
	b = orEmpty(b)
	retained := int64(0)
	if b.BackupRetentionSettings != nil {
		retained = b.BackupRetentionSettings.RetainedBackups
	}
	return (d.Enabled != nil && *d.Enabled != b.Enabled) ||
		(d.StartTime != nil && *d.StartTime != b.StartTime) ||
		(d.PointInTimeRecoveryEnabled != nil && *d.PointInTimeRecoveryEnabled != b.PointInTimeRecoveryEnabled) ||
		(d.TransactionLogRetentionDays != nil && *d.TransactionLogRetentionDays != b.TransactionLogRetentionDays) ||
		(d.RetainedBackups != nil && *d.RetainedBackups != retained)
}

func windowDiffers(d *v1beta1.MaintenanceWindow, w *sqladmin.MaintenanceWindow) bool {
	w = orEmpty(w)
	return d.Day != w.Day || d.Hour != w.Hour || (d.UpdateTrack != nil && *d.UpdateTrack != w.UpdateTrack)
}

// specFlags returns the API's flags in the shape of the spec.
func specFlags(fs []*sqladmin.DatabaseFlags) []v1beta1.DatabaseFlag {
	out := make([]v1beta1.DatabaseFlag, 0, len(fs))
	for _, f := range fs {
		if f != nil {
			out = append(out, v1beta1.DatabaseFlag{Name: f.Name, Value: f.Value})
		}
	}
	return out
}

// flagMap maps each flag to its value; the order does not matter.
func flagMap(fs []v1beta1.DatabaseFlag) map[string]string {
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		m[f.Name] = f.Value
	}
	return m
}
