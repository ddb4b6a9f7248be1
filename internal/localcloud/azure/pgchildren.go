package azure

import (
	"context"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
)

const (
	typeDatabase = "Microsoft.DBforPostgreSQL/flexibleServers/databases"
	typeRule     = "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"
)

// A databaseRow is a database of a flexible server.
type databaseRow struct {
	ID       string                                `json:"id"`
	Server   string                                `json:"server"`
	Name     string                                `json:"name"`
	System   bool                                  `json:"system,omitempty"`
	Database armpostgresqlflexibleservers.Database `json:"database"`
	Pending  pending                               `json:"pending"`
}

func (r *databaseRow) life() *pending { return &r.Pending }

// A firewallRow is a firewall rule of a flexible server. Rules are kept and
// shown, not enforced: every server listens on loopback only.
type firewallRow struct {
	ID      string                                    `json:"id"`
	Server  string                                    `json:"server"`
	Rule    armpostgresqlflexibleservers.FirewallRule `json:"rule"`
	Pending pending                                   `json:"pending"`
}

func (r *firewallRow) life() *pending { return &r.Pending }

var dbName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$`)

var systemDatabases = []string{"postgres", "template0", "template1", "azure_maintenance", "azure_sys"}

func databaseModel(id, name, charset, collation string) armpostgresqlflexibleservers.Database {
	return armpostgresqlflexibleservers.Database{
		ID:         new(id),
		Name:       new(name),
		Type:       new(typeDatabase),
		Properties: &armpostgresqlflexibleservers.DatabaseProperties{Charset: new(charset), Collation: new(collation)},
	}
}

// serverFor returns the server a child resource request is under, refusing
// servers that cannot take changes when write is set.
func (s *Service) serverFor(q *request, write bool) (serverRow, *apiError) {
	sv, e := s.getServer(q, q.rt.Names[0])
	if e != nil || !write {
		return sv, e
	}
	if e := q.writable(); e != nil {
		return sv, e
	}
	switch {
	case sv.Pending.Phase == phaseDelete:
		return sv, conflict("ServerGroupDropping", "Operations on a server group in dropping state are not allowed.")
	case sv.Stopped || sv.Pending.Phase == phaseStop:
		return sv, badRequest("ServerStoppedError", "The server '%s' is stopped. Start the server before changing its databases or firewall rules.", sv.name())
	case sv.Pending.Phase == phaseCreate:
		return sv, conflict("ServerIsNotReady", "The server '%s' is still being provisioned.", sv.name())
	}
	return sv, nil
}

func (s *Service) pgDatabases(q *request) *apiError {
	switch {
	case q.rt.Action != "":
		return unsupportedAction(q.rt)
	case q.rt.Kind == routeCollection:
		sv, e := s.serverFor(q, false)
		if e != nil {
			return e
		}
		return listPrefix(q, s.databases, key(sv.ID)+"/databases/", func(d databaseRow) armpostgresqlflexibleservers.Database { return d.Database })
	}
	return methods{get: s.getDatabase, put: s.putDatabase, del: s.deleteDatabase}.serve(q)
}

func (s *Service) getDatabase(q *request) *apiError {
	sv, e := s.serverFor(q, false)
	if e != nil {
		return e
	}
	d, ok, err := s.databases.Get(key(sv.ID + "/databases/" + q.rt.Names[1]))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		return resourceNotFound(typeDatabase, sv.name()+"/"+q.rt.Names[1], q.group.Name)
	}
	writeJSON(q.w, http.StatusOK, d.Database)
	return nil
}

// databaseSettings returns the charset and collation a database request
// asks for, with Azure's defaults.
func databaseSettings(in armpostgresqlflexibleservers.Database) (string, string, *apiError) {
	charset, collation := "UTF8", "en_US.utf8"
	if in.Properties != nil {
		if c := deref(in.Properties.Charset); c != "" {
			charset = c
		}
		if c := deref(in.Properties.Collation); c != "" {
			collation = c
		}
	}
	if !strings.EqualFold(charset, "UTF8") && !strings.EqualFold(charset, "UTF-8") {
		return "", "", invalidValue("The charset '%s' is not supported by the local cloud, whose databases are UTF8.", charset)
	}
	return charset, collation, nil
}

func (s *Service) putDatabase(q *request) *apiError {
	name := q.rt.Names[1]
	var in armpostgresqlflexibleservers.Database
	if e := decode(q.r, &in); e != nil {
		return e
	}
	if !dbName.MatchString(name) {
		return invalidValue("The database name '%s' is invalid. It must be 1 to 63 letters, digits, '_', '$' or '-'.", name)
	}
	charset, collation, e := databaseSettings(in)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, e := s.serverFor(q, true)
	if e != nil {
		return e
	}
	id := sv.ID + "/databases/" + name
	cur, found, err := s.databases.Get(key(id))
	switch {
	case err != nil:
		return internalError()
	case found && (!strings.EqualFold(deref(cur.Database.Properties.Charset), charset) || !strings.EqualFold(deref(cur.Database.Properties.Collation), collation)):
		return invalidValue("The charset and collation of an existing database cannot be changed.")
	case found:
		writeJSON(q.w, http.StatusOK, cur.Database)
		return nil
	case slices.Contains(systemDatabases, strings.ToLower(name)):
		return invalidValue("The database name '%s' is reserved.", name)
	}
	op, err := s.startOp(q.rt.Sub, nsPostgres, *sv.Server.Location, id, actionCreate, false)
	if err != nil {
		return internalError()
	}
	row := databaseRow{ID: id, Server: key(sv.ID), Name: name, Database: databaseModel(id, name, charset, collation), Pending: pending{Phase: phaseCreate, Until: q.now.Add(s.env.Delays.Modify), Op: op.ID}}
	if err := s.databases.Put(key(id), row); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "UpsertServerDatabaseManagementOperation")
	return nil
}

func (s *Service) deleteDatabase(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, e := s.serverFor(q, true)
	if e != nil {
		return e
	}
	id := sv.ID + "/databases/" + q.rt.Names[1]
	cur, found, err := s.databases.Get(key(id))
	switch {
	case err != nil:
		return internalError()
	case !found:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	case cur.System:
		return invalidValue("The system database '%s' cannot be deleted.", cur.Name)
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsPostgres, *sv.Server.Location, cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	if err := s.databases.Put(key(id), cur); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "DropServerDatabaseManagementOperation")
	return nil
}

// tickDatabases creates and drops databases in their servers.
func (s *Service) tickDatabases(ctx context.Context, now time.Time) {
	all, err := s.databases.List()
	if err != nil {
		return
	}
	for _, d := range all {
		if ctx.Err() != nil {
			return
		}
		if !d.Pending.due(now) {
			continue
		}
		sv, ok, err := s.servers.Get(d.Server)
		if err != nil {
			continue
		}
		// A database whose server is going goes with it, with no work in
		// PostgreSQL.
		gone := !ok || sv.Pending.Phase == phaseDelete
		if !gone && !s.databaseWork(ctx, d, sv) {
			continue
		}
		if d.Pending.Phase == phaseCreate && gone {
			continue
		}
		finish(s, s.databases, key(d.ID), d.Pending)
	}
}

// databaseWork creates or drops a database in its server and reports
// whether it could.
func (s *Service) databaseWork(ctx context.Context, d databaseRow, sv serverRow) bool {
	var err error
	switch {
	case d.Pending.Phase == phaseCreate:
		err = s.env.PG.CreateDatabase(ctx, sv.PGID, d.Name, sv.login())
	case d.Pending.Phase == phaseDelete && !sv.Stopped:
		err = s.env.PG.DropDatabase(ctx, sv.PGID, d.Name)
	}
	if err != nil {
		s.env.Log.Debug("cannot change a database yet", "database", d.ID, "error", err)
		return false
	}
	return true
}

func (s *Service) firewallRules(q *request) *apiError {
	switch {
	case q.rt.Action != "":
		return unsupportedAction(q.rt)
	case q.rt.Kind == routeCollection:
		sv, e := s.serverFor(q, false)
		if e != nil {
			return e
		}
		return listPrefix(q, s.rules, key(sv.ID)+"/firewallrules/", func(r firewallRow) armpostgresqlflexibleservers.FirewallRule { return r.Rule })
	}
	return methods{get: s.getFirewallRule, put: s.putFirewallRule, del: s.deleteFirewallRule}.serve(q)
}

func (s *Service) getFirewallRule(q *request) *apiError {
	sv, e := s.serverFor(q, false)
	if e != nil {
		return e
	}
	fr, ok, err := s.rules.Get(key(sv.ID + "/firewallRules/" + q.rt.Names[1]))
	switch {
	case err != nil:
		return internalError()
	case !ok:
		return resourceNotFound(typeRule, sv.name()+"/"+q.rt.Names[1], q.group.Name)
	}
	writeJSON(q.w, http.StatusOK, fr.Rule)
	return nil
}

// validRule checks a firewall rule's address range.
func validRule(in armpostgresqlflexibleservers.FirewallRule) *apiError {
	if in.Properties == nil {
		return invalidValue("The firewall rule properties startIpAddress and endIpAddress are required.")
	}
	start, err1 := netip.ParseAddr(deref(in.Properties.StartIPAddress))
	end, err2 := netip.ParseAddr(deref(in.Properties.EndIPAddress))
	if err1 != nil || err2 != nil || !start.Is4() || !end.Is4() {
		return invalidValue("The firewall rule addresses '%s' and '%s' must be IPv4 addresses.", deref(in.Properties.StartIPAddress), deref(in.Properties.EndIPAddress))
	}
	if end.Less(start) {
		return invalidValue("The firewall rule end address %s is lower than its start address %s.", end, start)
	}
	return nil
}

func (s *Service) putFirewallRule(q *request) *apiError {
	name := q.rt.Names[1]
	var in armpostgresqlflexibleservers.FirewallRule
	if e := decode(q.r, &in); e != nil {
		return e
	}
	if e := validName(typeRule, name, 128); e != nil {
		return e
	}
	if e := validRule(in); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, e := s.serverFor(q, true)
	if e != nil {
		return e
	}
	id := sv.ID + "/firewallRules/" + name
	cur, found, err := s.rules.Get(key(id))
	if err != nil {
		return internalError()
	}
	props := &armpostgresqlflexibleservers.FirewallRuleProperties{StartIPAddress: in.Properties.StartIPAddress, EndIPAddress: in.Properties.EndIPAddress}
	action := actionCreate
	switch {
	case found && cur.Pending.Phase == phaseDelete:
		return conflict("OperationInProgress", "The firewall rule '%s' is being deleted.", name)
	case found && sameJSON(cur.Rule.Properties, props):
		writeJSON(q.w, http.StatusOK, cur.Rule)
		return nil
	case found:
		action = actionUpdate
	default:
		cur = firewallRow{ID: id, Server: key(sv.ID), Rule: armpostgresqlflexibleservers.FirewallRule{ID: new(id), Name: new(name), Type: new(typeRule)}}
	}
	op, err := s.startOp(q.rt.Sub, nsPostgres, *sv.Server.Location, id, action, false)
	if err != nil {
		return internalError()
	}
	cur.Rule.Properties = props
	s.supersede(&cur.Pending, pending{Phase: phaseUpdate, Until: q.now.Add(s.env.Delays.Modify), Op: op.ID})
	if err := s.rules.Put(key(id), cur); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "UpsertServerFirewallRulesManagementOperation")
	return nil
}

func (s *Service) deleteFirewallRule(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv, e := s.serverFor(q, true)
	if e != nil {
		return e
	}
	id := sv.ID + "/firewallRules/" + q.rt.Names[1]
	cur, found, err := s.rules.Get(key(id))
	switch {
	case err != nil:
		return internalError()
	case !found:
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	op, err := s.beginDelete(&cur.Pending, q.rt.Sub, nsPostgres, *sv.Server.Location, cur.ID, q.now.Add(s.env.Delays.Delete))
	if err != nil {
		return internalError()
	}
	if err := s.rules.Put(key(id), cur); err != nil {
		return internalError()
	}
	acceptedServerOp(q, op, "DropServerFirewallRulesManagementOperation")
	return nil
}

// tickFirewallRules finishes rule changes; rules need no work in PostgreSQL.
func (s *Service) tickFirewallRules(now time.Time) {
	all, err := s.rules.List()
	if err != nil {
		return
	}
	for _, fr := range all {
		if fr.Pending.due(now) {
			finish(s, s.rules, key(fr.ID), fr.Pending)
		}
	}
}
