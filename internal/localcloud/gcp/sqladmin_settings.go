package gcp

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/api/sqladmin/v1"
)

// defaultSettings are the settings Cloud SQL gives a new PostgreSQL
// instance in region for whatever the request leaves out.
func defaultSettings(region string) *sqladmin.Settings {
	autoResize := true
	return &sqladmin.Settings{
		Kind:                 "sql#settings",
		PricingPlan:          "PER_USE",
		ReplicationType:      "SYNCHRONOUS",
		ActivationPolicy:     "ALWAYS",
		AvailabilityType:     "ZONAL",
		Edition:              "ENTERPRISE",
		DataDiskSizeGb:       10,
		DataDiskType:         "PD_SSD",
		StorageAutoResize:    &autoResize,
		ConnectorEnforcement: "NOT_REQUIRED",
		IpConfiguration: &sqladmin.IpConfiguration{
			Ipv4Enabled:  true,
			SslMode:      "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
			ServerCaMode: "GOOGLE_MANAGED_INTERNAL_CA",
		},
		BackupConfiguration: &sqladmin.BackupConfiguration{
			Kind:                        "sql#backupConfiguration",
			StartTime:                   "00:00",
			TransactionLogRetentionDays: 7,
			BackupRetentionSettings:     &sqladmin.BackupRetentionSettings{RetainedBackups: 7, RetentionUnit: "COUNT"},
			BackupTier:                  "STANDARD",
		},
		LocationPreference: &sqladmin.LocationPreference{Kind: "sql#locationPreference", Zone: firstZone(region)},
		MaintenanceWindow:  &sqladmin.MaintenanceWindow{Kind: "sql#maintenanceWindow"},
	}
}

// settingsFrom lays a request's settings object over base (the defaults for
// an insert or update, the current settings for a patch) and decodes the
// result.
func settingsFrom(base *sqladmin.Settings, req map[string]any) (*sqladmin.Settings, *apiError) {
	bm, err := toObject(base)
	if err != nil {
		return nil, errInternal(err)
	}
	merged := mergeObjects(bm, req)
	s := &sqladmin.Settings{}
	if err := fromObject(merged, s); err != nil {
		return nil, payloadError(err)
	}
	return s, nil
}

var (
	labelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
	hhmm       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	flagName   = regexp.MustCompile(`^[a-z][a-z0-9_.]*$`)
)

// validateSettings says what is wrong with the settings of a PostgreSQL
// instance, in Cloud SQL's words.
func validateSettings(s *sqladmin.Settings) *apiError {
	if s.Tier == "" {
		return errInvalid("Invalid request: Missing required field: settings.tier.")
	}
	if e := checkEnums(s); e != nil {
		return e
	}
	if msg := checkTier(s.Tier, s.Edition); msg != "" {
		return errInvalid("Invalid request: %s", msg)
	}
	if s.DataDiskSizeGb < 10 || s.DataDiskSizeGb > 65536 {
		return errInvalid("Invalid request: dataDiskSizeGb must be between 10 and 65536, not %d.", s.DataDiskSizeGb)
	}
	if e := validateIPConfiguration(s.IpConfiguration); e != nil {
		return e
	}
	if e := validateBackups(s.BackupConfiguration, s.Edition); e != nil {
		return e
	}
	if mw := s.MaintenanceWindow; mw != nil && (mw.Day < 0 || mw.Day > 7 || mw.Hour < 0 || mw.Hour > 23) {
		return errInvalid("Invalid request: maintenanceWindow day must be 0-7 and hour 0-23.")
	}
	return validateFlagsAndLabels(s)
}

// checkEnums checks the settings that take one of a few values.
func checkEnums(s *sqladmin.Settings) *apiError {
	for _, c := range []struct {
		field, value string
		allowed      []string
	}{
		{field: "edition", value: s.Edition, allowed: []string{"ENTERPRISE", "ENTERPRISE_PLUS"}},
		{field: "availabilityType", value: s.AvailabilityType, allowed: []string{"ZONAL", "REGIONAL"}},
		{field: "activationPolicy", value: s.ActivationPolicy, allowed: []string{"ALWAYS", "NEVER"}},
		{field: "dataDiskType", value: s.DataDiskType, allowed: []string{"PD_SSD", "PD_HDD", "HYPERDISK_BALANCED"}},
		{field: "pricingPlan", value: s.PricingPlan, allowed: []string{"PER_USE"}},
	} {
		if !slices.Contains(c.allowed, c.value) {
			return errInvalid("Invalid request: Invalid %s (%s). Valid values are %s.", c.field, c.value, strings.Join(c.allowed, ", "))
		}
	}
	return nil
}

// validateFlagsAndLabels checks database flags and user labels.
func validateFlagsAndLabels(s *sqladmin.Settings) *apiError {
	seen := map[string]bool{}
	for _, f := range s.DatabaseFlags {
		if f == nil || !flagName.MatchString(f.Name) {
			return errInvalid("Invalid request: Invalid flag name in databaseFlags.")
		}
		if seen[f.Name] {
			return errInvalid("Invalid request: Duplicate flag %s in databaseFlags.", f.Name)
		}
		seen[f.Name] = true
	}
	for k, v := range s.UserLabels {
		if !labelKey.MatchString(k) || !labelValue.MatchString(v) {
			return errInvalid("Invalid request: Invalid user label %s=%s: keys start with a lowercase letter; keys and values use lowercase letters, digits, - and _, up to 63 characters.", k, v)
		}
	}
	return nil
}

func validateIPConfiguration(ip *sqladmin.IpConfiguration) *apiError {
	if ip == nil || (!ip.Ipv4Enabled && ip.PrivateNetwork == "") {
		return errInvalid("Invalid request: At least one of Public IP or Private IP must be enabled (settings.ipConfiguration.ipv4Enabled or privateNetwork).")
	}
	for _, n := range ip.AuthorizedNetworks {
		if n == nil {
			continue
		}
		if _, err := netip.ParsePrefix(n.Value); err != nil {
			if _, err := netip.ParseAddr(n.Value); err != nil {
				return errInvalid("Invalid request: Non-CIDR value (%s) in authorizedNetworks.", n.Value)
			}
		}
	}
	switch ip.SslMode {
	case "", "ALLOW_UNENCRYPTED_AND_ENCRYPTED", "ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED":
	default:
		return errInvalid("Invalid request: Invalid sslMode (%s).", ip.SslMode)
	}
	return nil
}

func validateBackups(b *sqladmin.BackupConfiguration, edition string) *apiError {
	if b == nil {
		return nil
	}
	if b.StartTime != "" && !hhmm.MatchString(b.StartTime) {
		return errInvalid("Invalid request: backupConfiguration.startTime (%s) must be HH:MM.", b.StartTime)
	}
	maxDays := int64(7)
	if edition == "ENTERPRISE_PLUS" {
		maxDays = 35
	}
	if b.TransactionLogRetentionDays < 0 || b.TransactionLogRetentionDays > maxDays {
		return errInvalid("Invalid request: transactionLogRetentionDays must be between 1 and %d.", maxDays)
	}
	if r := b.BackupRetentionSettings; r != nil && (r.RetainedBackups < 0 || r.RetainedBackups > 365) {
		return errInvalid("Invalid request: retainedBackups must be between 1 and 365.")
	}
	if b.BinaryLogEnabled {
		return errInvalid("Invalid request: Binary logging is only for MySQL instances; use pointInTimeRecoveryEnabled for PostgreSQL.")
	}
	return nil
}

// validateSettingsChange says what is wrong with changing old settings into
// new ones.
func validateSettingsChange(old, updated *sqladmin.Settings) *apiError {
	if updated.DataDiskSizeGb < old.DataDiskSizeGb {
		return errInvalid("Invalid request: Disk size cannot be decreased (from %d GB to %d GB).", old.DataDiskSizeGb, updated.DataDiskSizeGb)
	}
	return nil
}

// postgresVersion reports whether a Cloud SQL database version is one of
// PostgreSQL's, the only engine the local cloud runs.
func postgresVersion(v string) bool {
	return strings.HasPrefix(v, "POSTGRES_") && len(v) > len("POSTGRES_")
}

// engineError is the answer to an instance of an engine the local cloud does
// not run.
func engineError(v string) *apiError {
	return errInvalid("Invalid request: databaseVersion %s is not supported by the local cloud, which runs PostgreSQL only; use a POSTGRES_* version such as POSTGRES_15.", v)
}

// instanceName is what Cloud SQL accepts as an instance name.
var instanceName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,96}[a-z0-9])?$`)

func validateInstanceName(n string) *apiError {
	if n == "" {
		return errInvalid("Invalid request: Missing required field: name.")
	}
	if !instanceName.MatchString(n) || strings.Contains(n, "--") {
		return errInvalid("Invalid request: instance name (%s). Names use lowercase letters, digits and hyphens, start with a letter and end with a letter or digit.", n)
	}
	return nil
}
