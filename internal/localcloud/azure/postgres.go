package azure

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"

	"github.com/stratus-dev/stratus/internal/localcloud/pg"
)

const (
	typeServer = "Microsoft.DBforPostgreSQL/flexibleServers"
	nsPostgres = "Microsoft.DBforPostgreSQL"
	haDisabled = armpostgresqlflexibleservers.HighAvailabilityMode("Disabled")
)

// A serverRow is a flexible server. Server holds what the API shows except
// the state, which follows from the row's lifecycle, and the password, which
// is write-only.
type serverRow struct {
	ID     string                              `json:"id"`
	PGID   string                              `json:"pgID"`
	Server armpostgresqlflexibleservers.Server `json:"server"`
	// Password is the administrator's password; NewPassword one a pending
	// update sets.
	Password    string `json:"password"`
	NewPassword string `json:"newPassword,omitempty"`
	Stopped     bool   `json:"stopped,omitempty"`
	// Bounced says a restart has stopped the PostgreSQL server and waits
	// for it to be up again.
	Bounced bool    `json:"bounced,omitempty"`
	Pending pending `json:"pending"`
}

func (r *serverRow) life() *pending { return &r.Pending }

func (r serverRow) login() string { return deref(r.Server.Properties.AdministratorLogin) }

func (r serverRow) name() string { return deref(r.Server.Name) }

// state is the state of a server's row.
func (r serverRow) state() armpostgresqlflexibleservers.ServerState {
	switch r.Pending.Phase {
	case phaseCreate:
		return armpostgresqlflexibleservers.ServerStateProvisioning
	case phaseUpdate:
		return armpostgresqlflexibleservers.ServerStateUpdating
	case phaseDelete:
		return armpostgresqlflexibleservers.ServerStateDropping
	case phaseStop:
		return armpostgresqlflexibleservers.ServerStateStopping
	case phaseStart:
		return armpostgresqlflexibleservers.ServerStateStarting
	case phaseRestart:
		return armpostgresqlflexibleservers.ServerStateRestarting
	}
	if r.Stopped {
		return armpostgresqlflexibleservers.ServerStateStopped
	}
	return armpostgresqlflexibleservers.ServerStateReady
}

// runs reports whether a server's PostgreSQL server should be running.
func (r serverRow) runs() bool {
	switch r.Pending.Phase {
	case phaseStart:
		return true
	case phaseStop, phaseDelete:
		return false
	case phaseRestart:
		return r.Bounced
	}
	return !r.Stopped
}

// serverState is what the API shows of a server: its row's state, and
// Starting for a server at rest whose PostgreSQL server is not up.
func (s *Service) serverState(r serverRow) armpostgresqlflexibleservers.ServerState {
	st := r.state()
	if st == armpostgresqlflexibleservers.ServerStateReady && !s.isUp(r.PGID) {
		return armpostgresqlflexibleservers.ServerStateStarting
	}
	return st
}

func (s *Service) isUp(pgID string) bool {
	s.upMu.Lock()
	defer s.upMu.Unlock()
	return s.up[pgID]
}

func (s *Service) setUp(pgID string, up bool) {
	s.upMu.Lock()
	defer s.upMu.Unlock()
	if up {
		s.up[pgID] = true
		return
	}
	delete(s.up, pgID)
}

func (s *Service) serverModel(r serverRow) armpostgresqlflexibleservers.Server {
	m := clone(r.Server)
	m.Properties.State = new(s.serverState(r))
	if ha := m.Properties.HighAvailability; ha != nil {
		state := armpostgresqlflexibleservers.HighAvailabilityStateHealthy
		if ha.Mode == nil || *ha.Mode == haDisabled {
			state = armpostgresqlflexibleservers.HighAvailabilityStateNotEnabled
		}
		ha.State = &state
	}
	return m
}

var (
	serverName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	loginName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)
)

// reservedLogins cannot be administrator logins on Azure; the local cloud
// adds its own superuser.
var reservedLogins = []string{"azure_superuser", "azure_pg_admin", "admin", "administrator", "root", "guest", "public", "postgres", pg.Superuser}

// storageSizes are the sizes, in GiB, a Premium SSD server can have.
var storageSizes = []int32{32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767}

// complexPassword checks the rule Azure applies to passwords: a length
// between minLen and maxLen and characters of at least three of the four
// kinds (lower case, upper case, digits, others).
func complexPassword(p string, minLen, maxLen int) bool {
	if len(p) < minLen || len(p) > maxLen {
		return false
	}
	var lower, upper, digit, other int
	for _, c := range p {
		switch {
		case c >= 'a' && c <= 'z':
			lower = 1
		case c >= 'A' && c <= 'Z':
			upper = 1
		case c >= '0' && c <= '9':
			digit = 1
		default:
			other = 1
		}
	}
	return lower+upper+digit+other >= 3
}

func invalidValue(format string, args ...any) *apiError {
	return badRequest("InvalidParameterValue", format, args...)
}

// normalizeServer fills the defaults of a server spec and drops what a
// client may send but the server sets (state, FQDN, identity fields). It
// returns the password the spec carried, if any.
func normalizeServer(in armpostgresqlflexibleservers.Server) (armpostgresqlflexibleservers.Server, string) {
	m := clone(in)
	m.ID, m.Name, m.Type, m.SystemData = nil, nil, nil, nil
	if m.Location != nil {
		m.Location = new(normalizeLocation(*m.Location))
	}
	if m.Properties == nil {
		m.Properties = &armpostgresqlflexibleservers.ServerProperties{}
	}
	p := m.Properties
	pw := deref(p.AdministratorLoginPassword)
	p.AdministratorLoginPassword, p.State, p.FullyQualifiedDomainName = nil, nil, nil
	p.CreateMode, p.PointInTimeUTC, p.SourceServerResourceID = nil, nil, nil
	p.MinorVersion, p.ReplicaCapacity, p.PrivateEndpointConnections = nil, nil, nil
	if p.Version == nil {
		p.Version = new(armpostgresqlflexibleservers.PostgresMajorVersionFifteen)
	}
	if m.SKU == nil {
		m.SKU = &armpostgresqlflexibleservers.SKU{}
	}
	m.SKU.Name = orDefault(m.SKU.Name, "Standard_B1ms")
	m.SKU.Tier = orDefault(m.SKU.Tier, armpostgresqlflexibleservers.SKUTierBurstable)
	serverStorageDefaults(p)
	return m, pw
}

// orDefault returns v, or a pointer to def when v is nil.
func orDefault[T any](v *T, def T) *T {
	if v == nil {
		return &def
	}
	return v
}

// serverStorageDefaults fills the defaults of a server's storage, backup,
// high availability and network settings.
func serverStorageDefaults(p *armpostgresqlflexibleservers.ServerProperties) {
	if p.Storage == nil {
		p.Storage = &armpostgresqlflexibleservers.Storage{}
	}
	p.Storage.StorageSizeGB = orDefault(p.Storage.StorageSizeGB, 32)
	p.Storage.AutoGrow = orDefault(p.Storage.AutoGrow, armpostgresqlflexibleservers.StorageAutoGrowDisabled)
	if p.Backup == nil {
		p.Backup = &armpostgresqlflexibleservers.Backup{}
	}
	p.Backup.EarliestRestoreDate = nil
	p.Backup.BackupRetentionDays = orDefault(p.Backup.BackupRetentionDays, 7)
	p.Backup.GeoRedundantBackup = orDefault(p.Backup.GeoRedundantBackup, armpostgresqlflexibleservers.GeographicallyRedundantBackupDisabled)
	if p.HighAvailability == nil {
		p.HighAvailability = &armpostgresqlflexibleservers.HighAvailability{}
	}
	p.HighAvailability.State = nil
	p.HighAvailability.Mode = orDefault(p.HighAvailability.Mode, haDisabled)
	if p.Network == nil {
		p.Network = &armpostgresqlflexibleservers.Network{}
	}
	p.Network.PublicNetworkAccess = orDefault(p.Network.PublicNetworkAccess, armpostgresqlflexibleservers.ServerPublicNetworkAccessStateEnabled)
}

// validateAdmin checks the administrator of a new server.
func validateAdmin(login, pw string) *apiError {
	switch {
	case login == "":
		return invalidValue("The administratorLogin property is required to create a server with password authentication.")
	case !loginName.MatchString(login) || strings.HasPrefix(strings.ToLower(login), "pg_") || slices.Contains(reservedLogins, strings.ToLower(login)):
		return invalidValue("The administrator login '%s' is invalid: it must be 1 to 63 letters, digits or '_', start with a letter or '_', not start with 'pg_', and not be a reserved name (azure_superuser, azure_pg_admin, admin, administrator, root, guest, public).", login)
	case pw == "":
		return invalidValue("The administratorLoginPassword property is required to create a server with password authentication.")
	}
	return nil
}

// validateServer checks a normalized server spec (and a password, when it
// sets one).
func validateServer(m armpostgresqlflexibleservers.Server, pw string) *apiError {
	p := m.Properties
	if pw != "" && !complexPassword(pw, 8, 128) {
		return invalidValue("The password does not meet the complexity requirements: it must be 8 to 128 characters long and contain characters from three of the following categories: English uppercase letters, English lowercase letters, numbers (0-9), and non-alphanumeric characters.")
	}
	if !slices.Contains(armpostgresqlflexibleservers.PossiblePostgresMajorVersionValues(), *p.Version) {
		return invalidValue("The version '%s' is not a supported PostgreSQL major version.", *p.Version)
	}
	if !slices.Contains(armpostgresqlflexibleservers.PossibleSKUTierValues(), *m.SKU.Tier) {
		return invalidValue("The SKU tier '%s' is invalid. Valid tiers are Burstable, GeneralPurpose and MemoryOptimized.", *m.SKU.Tier)
	}
	if *m.SKU.Name == "" {
		return invalidValue("The SKU name is required.")
	}
	size := *p.Storage.StorageSizeGB
	if deref(p.Storage.Type) != armpostgresqlflexibleservers.StorageTypePremiumV2LRS && !slices.Contains(storageSizes, size) {
		return invalidValue("The storage size %d GB is not supported. Supported sizes are 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384 and 32767 GB.", size)
	}
	if size < 32 || size > 65536 {
		return invalidValue("The storage size %d GB is out of range.", size)
	}
	if d := *p.Backup.BackupRetentionDays; d < 7 || d > 35 {
		return invalidValue("The backup retention period %d is invalid. It must be between 7 and 35 days.", d)
	}
	return validateAvailability(m)
}

// validateAvailability checks the high availability and network settings of
// a server.
func validateAvailability(m armpostgresqlflexibleservers.Server) *apiError {
	p := m.Properties
	switch mode := *p.HighAvailability.Mode; mode {
	case haDisabled:
	case armpostgresqlflexibleservers.HighAvailabilityModeSameZone, armpostgresqlflexibleservers.HighAvailabilityModeZoneRedundant:
		if *m.SKU.Tier == armpostgresqlflexibleservers.SKUTierBurstable {
			return invalidValue("High availability is not supported for the Burstable tier.")
		}
	default:
		return invalidValue("The high availability mode '%s' is invalid. Valid modes are Disabled, SameZone and ZoneRedundant.", mode)
	}
	switch a := *p.Network.PublicNetworkAccess; a {
	case armpostgresqlflexibleservers.ServerPublicNetworkAccessStateEnabled, armpostgresqlflexibleservers.ServerPublicNetworkAccessStateDisabled:
	default:
		return invalidValue("The public network access value '%s' is invalid. Valid values are Enabled and Disabled.", a)
	}
	return nil
}

// validateServerChange checks an update from cur to next.
func validateServerChange(cur, next armpostgresqlflexibleservers.Server) *apiError {
	cp, np := cur.Properties, next.Properties
	if np.AdministratorLogin != nil && deref(np.AdministratorLogin) != deref(cp.AdministratorLogin) {
		return invalidValue("The administrator login of a server cannot be changed.")
	}
	if *np.Storage.StorageSizeGB < *cp.Storage.StorageSizeGB {
		return invalidValue("The requested storage size %d GB is smaller than the current size %d GB. Decreasing the storage size of a server is not supported.", *np.Storage.StorageSizeGB, *cp.Storage.StorageSizeGB)
	}
	if majorOf(*np.Version) < majorOf(*cp.Version) {
		return invalidValue("The PostgreSQL version cannot be downgraded from %s to %s.", *cp.Version, *np.Version)
	}
	return nil
}

func majorOf(v armpostgresqlflexibleservers.PostgresMajorVersion) int {
	n := 0
	for _, c := range string(v) {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// serverActions are the actions on a flexible server, by lower-case name.
var serverActions = map[string]string{"start": phaseStart, "stop": phaseStop, "restart": phaseRestart}

func (s *Service) flexibleServers(q *request) *apiError {
	switch {
	case q.rt.Kind == routeCollection:
		return listPrefix(q, s.servers, q.collectionPrefix(), s.serverModel)
	case q.rt.Action != "":
		phase, ok := serverActions[strings.ToLower(q.rt.Action)]
		if !ok {
			return unsupportedAction(q.rt)
		}
		if q.r.Method != http.MethodPost {
			return methodNotAllowed(q.r)
		}
		return s.serverAction(q, phase)
	}
	return methods{get: s.getServerAPI, put: s.putServer, patch: s.patchServer, del: s.deleteServer}.serve(q)
}

func (s *Service) getServer(q *request, name string) (serverRow, *apiError) {
	sv, ok, err := s.servers.Get(key(q.id(typeServer, name)))
	if err != nil {
		return sv, internalError()
	}
	if !ok {
		return sv, resourceNotFound(typeServer, name, q.group.Name)
	}
	return sv, nil
}

func (s *Service) getServerAPI(q *request) *apiError {
	sv, e := s.getServer(q, q.rt.Names[0])
	if e != nil {
		return e
	}
	writeJSON(q.w, http.StatusOK, s.serverModel(sv))
	return nil
}

// acceptedServerOp answers a server request that started (or joined) op.
func acceptedServerOp(q *request, op operation, name string) {
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, operationBody(op, name))
}

func (s *Service) putServer(q *request) *apiError {
	name := q.rt.Names[0]
	if !serverName.MatchString(name) {
		return badRequest("InvalidResourceName", "The server name '%s' is invalid. It must be 3 to 63 characters of lowercase letters, digits and hyphens, and cannot start or end with a hyphen.", name)
	}
	var in armpostgresqlflexibleservers.Server
	if e := decode(q.r, &in); e != nil {
		return e
	}
	if _, e := requireLocation(in.Location); e != nil {
		return e
	}
	if in.Properties != nil && in.Properties.CreateMode != nil {
		switch *in.Properties.CreateMode {
		case armpostgresqlflexibleservers.CreateModeDefault, armpostgresqlflexibleservers.CreateModeCreate, armpostgresqlflexibleservers.CreateModeUpdate:
		default:
			return invalidValue("The create mode '%s' is not supported by the local cloud, which creates empty servers only (createMode Default).", *in.Properties.CreateMode)
		}
	}
	spec, pw := normalizeServer(in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	id := q.id(typeServer, name)
	cur, found, err := s.servers.Get(key(id))
	if err != nil {
		return internalError()
	}
	if found {
		return s.updateServer(q, cur, spec, pw)
	}
	return s.createServer(q, id, name, spec, pw)
}

// createServer creates server id and starts its PostgreSQL server. Called
// with s.mu held.
func (s *Service) createServer(q *request, id, name string, spec armpostgresqlflexibleservers.Server, pw string) *apiError {
	if e := validateAdmin(deref(spec.Properties.AdministratorLogin), pw); e != nil {
		return e
	}
	if e := validateServer(spec, pw); e != nil {
		return e
	}
	pgID := key(id)
	st := s.env.PG.Ensure(pgID, pg.Spec{User: *spec.Properties.AdministratorLogin, Password: pw})
	op, err := s.startOp(q.rt.Sub, nsPostgres, *spec.Location, id, actionCreate, false)
	if err != nil {
		return internalError()
	}
	spec.ID, spec.Name, spec.Type = new(id), new(name), new(typeServer)
	if st.Host != "" {
		spec.Properties.FullyQualifiedDomainName = new(st.Host)
	}
	spec.Properties.MinorVersion = new(string(*spec.Properties.Version))
	spec.Properties.ReplicaCapacity = new(int32(5))
	spec.Properties.Backup.EarliestRestoreDate = new(q.now)
	row := serverRow{ID: id, PGID: pgID, Server: spec, Password: pw, Pending: pending{Phase: phaseCreate, Until: q.now.Add(s.env.Delays.Create), Op: op.ID}}
	if err := s.servers.Put(key(id), row); err != nil {
		return internalError()
	}
	// Every server has the postgres database, which cannot be dropped.
	db := databaseRow{ID: id + "/databases/postgres", Server: key(id), Name: "postgres", System: true}
	db.Database = databaseModel(db.ID, "postgres", "UTF8", "en_US.utf8")
	if err := s.databases.Put(key(db.ID), db); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "UpsertServerManagementOperationV2")
	return nil
}

func (s *Service) patchServer(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := q.writable(); e != nil {
		return e
	}
	cur, e := s.getServer(q, q.rt.Names[0])
	if e != nil {
		return e
	}
	base, _ := normalizeServer(cur.Server)
	next, e := patchModel(q.r, base)
	if e != nil {
		return e
	}
	spec, pw := normalizeServer(next)
	spec.Location = orDefault(spec.Location, deref(cur.Server.Location))
	return s.updateServer(q, cur, spec, pw)
}

// checkServerUpdate checks an update of cur to spec (and a new password, if
// pw is one) and returns the normalized current spec.
func checkServerUpdate(q *request, cur serverRow, spec armpostgresqlflexibleservers.Server, pw string) (armpostgresqlflexibleservers.Server, *apiError) {
	curSpec, _ := normalizeServer(cur.Server)
	if cur.Pending.Phase == phaseDelete {
		return curSpec, conflict("ServerGroupDropping", "Operations on a server group in dropping state are not allowed.")
	}
	if *spec.Location != deref(cur.Server.Location) {
		return curSpec, otherLocation(cur.name(), deref(cur.Server.Location), q.group.Name, *spec.Location)
	}
	if spec.Properties.AdministratorLogin == nil {
		spec.Properties.AdministratorLogin = cur.Server.Properties.AdministratorLogin
	}
	if e := validateServer(spec, pw); e != nil {
		return curSpec, e
	}
	return curSpec, validateServerChange(curSpec, spec)
}

// updateServer applies spec (and a new password, if pw is one) to cur. Called
// with s.mu held.
func (s *Service) updateServer(q *request, cur serverRow, spec armpostgresqlflexibleservers.Server, pw string) *apiError {
	curSpec, e := checkServerUpdate(q, cur, spec, pw)
	if e != nil {
		return e
	}
	newPassword := pw != "" && pw != cur.Password
	if sameJSON(spec, curSpec) && !newPassword {
		// The same request again joins the operation in progress, if any.
		if op, ok, _ := s.ops.Get(cur.Pending.Op); ok && op.Status == statusInProgress && (cur.Pending.Phase == phaseCreate || cur.Pending.Phase == phaseUpdate) {
			acceptedServerOp(q, op, "UpsertServerManagementOperationV2")
			return nil
		}
		writeJSON(q.w, http.StatusOK, s.serverModel(cur))
		return nil
	}
	switch {
	case cur.Pending.Phase != "":
		return conflict("ServerIsNotReady", "The operation cannot be performed while server '%s' is in state '%s'. Wait for the current operation to finish.", cur.name(), cur.state())
	case cur.Stopped:
		return badRequest("ServerStoppedError", "The server '%s' is stopped. Start the server before updating it.", cur.name())
	}
	op, err := s.startOp(q.rt.Sub, nsPostgres, *cur.Server.Location, cur.ID, actionUpdate, false)
	if err != nil {
		return internalError()
	}
	// Keep the fields the server set, take everything else from spec.
	p, cp := spec.Properties, cur.Server.Properties
	p.FullyQualifiedDomainName, p.ReplicaCapacity, p.Backup.EarliestRestoreDate = cp.FullyQualifiedDomainName, cp.ReplicaCapacity, cp.Backup.EarliestRestoreDate
	p.MinorVersion = new(string(*p.Version))
	spec.ID, spec.Name, spec.Type = cur.Server.ID, cur.Server.Name, cur.Server.Type
	cur.Server = spec
	if newPassword {
		cur.NewPassword = pw
	}
	cur.Pending = pending{Phase: phaseUpdate, Until: q.now.Add(s.env.Delays.Modify), Op: op.ID}
	if err := s.servers.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "UpsertServerManagementOperationV2")
	return nil
}

func (s *Service) deleteServer(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok, err := s.servers.Get(key(q.id(typeServer, q.rt.Names[0])))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsPostgres, *cur.Server.Location, cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	if err := s.servers.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "DropServerManagementOperation")
	return nil
}

// serverAction starts, stops or restarts a server.
func (s *Service) serverAction(q *request, phase string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, e := s.getServer(q, q.rt.Names[0])
	if e != nil {
		return e
	}
	switch {
	case cur.Pending.Phase == phaseDelete:
		return conflict("ServerGroupDropping", "Operations on a server group in dropping state are not allowed.")
	case phase == phaseStart && (!cur.Stopped || cur.Pending.Phase != ""):
		return conflict("ServerIsNotStopped", "Start Server can only be performed on Stopped servers. Server Name = %s, Current Server State = %s", cur.name(), cur.state())
	case phase != phaseStart && (cur.Stopped || cur.Pending.Phase != ""):
		return conflict("ServerIsNotReady", "Restart or Stop Server can only be performed on Started servers. Server Name = %s, Current Server State = %s", cur.name(), cur.state())
	}
	op, err := s.startOp(q.rt.Sub, nsPostgres, *cur.Server.Location, cur.ID, phase, false)
	if err != nil {
		return internalError()
	}
	delay := s.env.Delays.Stop
	if phase != phaseStop {
		delay = s.env.Delays.Start
	}
	cur.Bounced = false
	cur.Pending = pending{Phase: phase, Until: q.now.Add(delay), Op: op.ID}
	if err := s.servers.Put(key(cur.ID), cur); err != nil {
		return internalError()
	}
	accepted(q.w, q.r, op, headerAsync|headerLocation, http.StatusAccepted, nil)
	return nil
}

// tickServers keeps servers' PostgreSQL servers running and finishes their
// transitions.
func (s *Service) tickServers(ctx context.Context, now time.Time) {
	all, err := s.servers.List()
	if err != nil {
		return
	}
	for _, sv := range all {
		if ctx.Err() != nil {
			return
		}
		var st pg.Status
		if sv.runs() {
			st = s.env.PG.Ensure(sv.PGID, pg.Spec{User: sv.login(), Password: sv.Password})
		}
		s.setUp(sv.PGID, st.Ready)
		p := sv.Pending
		if fqdn := deref(sv.Server.Properties.FullyQualifiedDomainName); st.Host != "" && st.Host != fqdn && (fqdn == "" || p.Phase == phaseCreate) {
			// The manager picks the server's address in the background, and
			// picks another if the first was taken before the server started.
			commit(s, s.servers, key(sv.ID), p, func(r *serverRow) error {
				r.Server.Properties.FullyQualifiedDomainName = new(st.Host)
				return nil
			})
		}
		if p.due(now) {
			s.advanceServer(ctx, sv, st)
		}
	}
}

// advanceServer does the work that ends a server's transition, when its
// PostgreSQL server allows, and ends it.
func (s *Service) advanceServer(ctx context.Context, sv serverRow, st pg.Status) {
	p, id := sv.Pending, key(sv.ID)
	rest := func(fn func(*serverRow)) {
		if commit(s, s.servers, id, p, func(r *serverRow) error {
			fn(r)
			r.Pending = pending{}
			return nil
		}) {
			s.finishOp(p.Op, nil)
		}
	}
	switch p.Phase {
	case phaseCreate, phaseStart:
		if st.Ready {
			rest(func(r *serverRow) { r.Stopped = false })
		}
	case phaseUpdate:
		if sv.NewPassword != "" && !s.setPassword(ctx, sv, st) {
			return
		}
		rest(func(r *serverRow) {
			if r.NewPassword != "" {
				r.Password, r.NewPassword = r.NewPassword, ""
			}
		})
	case phaseStop:
		if s.env.PG.Stop(sv.PGID) == nil {
			rest(func(r *serverRow) { r.Stopped = true })
		}
	case phaseRestart:
		switch {
		case !sv.Bounced:
			if s.env.PG.Stop(sv.PGID) == nil {
				commit(s, s.servers, id, p, func(r *serverRow) error {
					r.Bounced = true
					return nil
				})
			}
		case st.Ready:
			rest(func(r *serverRow) { r.Bounced = false })
		}
	case phaseDelete:
		s.dropServer(sv)
	}
}

// setPassword sets the administrator password a pending update asks for and
// reports whether it could.
func (s *Service) setPassword(ctx context.Context, sv serverRow, st pg.Status) bool {
	if !st.Ready {
		return false
	}
	if err := s.env.PG.SetRole(ctx, sv.PGID, sv.login(), sv.NewPassword); err != nil {
		s.env.Log.Debug("cannot set the administrator password yet", "server", sv.ID, "error", err)
		return false
	}
	return true
}

// dropServer removes a deleted server's PostgreSQL server, then the server
// with its databases and firewall rules.
func (s *Service) dropServer(sv serverRow) {
	if err := s.env.PG.Remove(sv.PGID); err != nil {
		s.env.Log.Info("cannot remove a PostgreSQL server", "server", sv.ID, "error", err)
		return
	}
	s.setUp(sv.PGID, false)
	id := key(sv.ID)
	s.mu.Lock()
	for _, child := range inGroup(s.databases, id+"/") {
		if d, ok, _ := s.databases.Get(child); ok {
			s.preempt(d.Pending.Op)
		}
		_ = s.databases.Delete(child)
	}
	for _, child := range inGroup(s.rules, id+"/") {
		if fr, ok, _ := s.rules.Get(child); ok {
			s.preempt(fr.Pending.Op)
		}
		_ = s.rules.Delete(child)
	}
	s.mu.Unlock()
	if remove(s, s.servers, id, sv.Pending) {
		s.finishOp(sv.Pending.Op, nil)
	}
}
