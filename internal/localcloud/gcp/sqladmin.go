package gcp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"time"

	"google.golang.org/api/sqladmin/v1"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// sqlBase is the prefix of Cloud SQL self links; Cloud SQL reports the
// v1beta4 form whichever version is called.
const sqlBase = "https://sqladmin.googleapis.com/sql/v1beta4/projects/"

// Cloud SQL instance states and operation statuses.
const (
	statePendingCreate = "PENDING_CREATE"
	stateRunnable      = "RUNNABLE"
	statePendingDelete = "PENDING_DELETE"

	opPending = "PENDING"
	opRunning = "RUNNING"
	opDone    = "DONE"

	policyAlways = "ALWAYS"
	policyNever  = "NEVER"

	// rootUser is the built-in PostgreSQL user of every Cloud SQL instance.
	rootUser = "postgres"
	// superRole is the role Cloud SQL grants every user it creates; it owns
	// the databases made through the API.
	superRole = "cloudsqlsuperuser"
)

// A sqlInstance is one Cloud SQL instance.
type sqlInstance struct {
	Project string `json:"project"`
	Name    string `json:"name"`
	// View is the instance as the API shows it.
	View sqladmin.DatabaseInstance `json:"view"`
	// RootPassword is the postgres user's first password, kept only until
	// the server is provisioned with it.
	RootPassword string `json:"rootPassword,omitempty"`
	// Op names the operation in progress, if any; Cloud SQL runs one at a
	// time per instance.
	Op string `json:"op,omitempty"`
	// Until is the earliest time Op may finish.
	Until time.Time `json:"until"`
	// Pending are the settings a patch or update applies when Op finishes.
	Pending *sqladmin.Settings `json:"pending,omitempty"`
	// Prepared is true once the server has Cloud SQL's roles.
	Prepared bool `json:"prepared,omitempty"`
	// Host and Port are where the server listens, once known.
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
}

// A sqlUser is a user of an instance.
type sqlUser struct {
	Project  string `json:"project"`
	Instance string `json:"instance"`
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
}

// A sqlDatabase is a database of an instance.
type sqlDatabase struct {
	Project  string            `json:"project"`
	Instance string            `json:"instance"`
	View     sqladmin.Database `json:"view"`
}

// A sqlOp is a Cloud SQL operation and the work it does.
type sqlOp struct {
	Project  string             `json:"project"`
	Instance string             `json:"instance"`
	View     sqladmin.Operation `json:"view"`
	// Seq orders operations by creation.
	Seq int64 `json:"seq"`
	// User is the user a user operation creates, changes or deletes.
	User string `json:"user,omitempty"`
	// Password is the password a user operation sets, kept until applied.
	Password    string `json:"password,omitempty"`
	SetPassword bool   `json:"setPassword,omitempty"`
	// Database is the database a database operation works on.
	Database *sqladmin.Database `json:"database,omitempty"`
	// Stopped records that a restart has stopped the server.
	Stopped bool `json:"stopped,omitempty"`
}

type sqlTables struct {
	instances *store.Table[sqlInstance]
	users     *store.Table[sqlUser]
	databases *store.Table[sqlDatabase]
	ops       *store.Table[sqlOp]
}

func newSQLTables(env *cloud.Env) (*sqlTables, error) {
	t := &sqlTables{}
	var err error
	if t.instances, err = store.NewTable[sqlInstance](env.Store, "gcp/sqladmin/instances"); err != nil {
		return nil, err
	}
	if t.users, err = store.NewTable[sqlUser](env.Store, "gcp/sqladmin/users"); err != nil {
		return nil, err
	}
	if t.databases, err = store.NewTable[sqlDatabase](env.Store, "gcp/sqladmin/databases"); err != nil {
		return nil, err
	}
	if t.ops, err = store.NewTable[sqlOp](env.Store, "gcp/sqladmin/operations"); err != nil {
		return nil, err
	}
	return t, nil
}

// pgID is the PostgreSQL manager's name for an instance's server.
func pgID(project, name string) string { return "gcp/sql/" + project + "/" + name }

func instanceLink(project, name string) string { return sqlBase + project + "/instances/" + name }

func childKey(project, instance, name string) string { return project + "/" + instance + "/" + name }

func (s *Service) sqlRoutes(mux *http.ServeMux, p string) {
	inst := p + "/projects/{project}/instances/{instance}"
	mux.HandleFunc("GET "+p+"/projects/{project}/instances", s.sqlListInstances)
	mux.HandleFunc("POST "+p+"/projects/{project}/instances", s.sqlInsertInstance)
	mux.HandleFunc("GET "+inst, s.sqlGetInstance)
	mux.HandleFunc("PATCH "+inst, s.sqlPatchInstance)
	mux.HandleFunc("PUT "+inst, s.sqlUpdateInstance)
	mux.HandleFunc("DELETE "+inst, s.sqlDeleteInstance)
	mux.HandleFunc("POST "+inst+"/restart", s.sqlRestartInstance)
	mux.HandleFunc("GET "+inst+"/users", s.sqlListUsers)
	mux.HandleFunc("POST "+inst+"/users", s.sqlInsertUser)
	mux.HandleFunc("PUT "+inst+"/users", s.sqlUpdateUser)
	mux.HandleFunc("DELETE "+inst+"/users", s.sqlDeleteUser)
	mux.HandleFunc("GET "+inst+"/users/{name}", s.sqlGetUser)
	mux.HandleFunc("GET "+inst+"/databases", s.sqlListDatabases)
	mux.HandleFunc("POST "+inst+"/databases", s.sqlInsertDatabase)
	mux.HandleFunc("GET "+inst+"/databases/{database}", s.sqlGetDatabase)
	mux.HandleFunc("PATCH "+inst+"/databases/{database}", s.sqlPatchDatabase)
	mux.HandleFunc("PUT "+inst+"/databases/{database}", s.sqlPatchDatabase)
	mux.HandleFunc("DELETE "+inst+"/databases/{database}", s.sqlDeleteDatabase)
	mux.HandleFunc("GET "+p+"/projects/{project}/operations", s.sqlListOperations)
	mux.HandleFunc("GET "+p+"/projects/{project}/operations/{operation}", s.sqlGetOperation)
}

var projectID = regexp.MustCompile(`^([a-z0-9.-]+:)?[a-z][a-z0-9-]{0,61}[a-z0-9]$`)

// project returns the request's project, checked.
func project(r *http.Request) (string, *apiError) {
	p := r.PathValue("project")
	if !projectID.MatchString(p) {
		return "", errBadRequest("Invalid value for project: %s", p)
	}
	return p, nil
}

// projectNumber is a stable stand-in for a project's number.
func projectNumber(project string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(project))
	return 100000000000 + h.Sum64()%900000000000
}

func errInstanceNotFound() *apiError {
	return &apiError{Code: http.StatusNotFound, Reason: "instanceDoesNotExist", Message: "The Cloud SQL instance does not exist."}
}

func errOperationInProgress() *apiError {
	return &apiError{
		Code:    http.StatusConflict,
		Reason:  "operationInProgress",
		Status:  "ABORTED",
		Message: "Operation failed because another operation was already in progress. Try your request after the current operation is complete.",
	}
}

func errNotRunning() *apiError {
	return errInvalid("Invalid request: Invalid request since instance is not running.")
}

// instance returns the request's instance.
func (s *Service) instance(r *http.Request) (sqlInstance, *apiError) {
	p, e := project(r)
	if e != nil {
		return sqlInstance{}, e
	}
	in, ok, err := s.sql.instances.Get(p + "/" + r.PathValue("instance"))
	if err != nil {
		return sqlInstance{}, errInternal(err)
	}
	if !ok {
		return sqlInstance{}, errInstanceNotFound()
	}
	return in, nil
}

// idleInstance returns the request's instance, which must be running with
// no operation in progress: what user and database calls need.
func (s *Service) idleInstance(r *http.Request) (sqlInstance, *apiError) {
	in, e := s.instance(r)
	if e != nil {
		return in, e
	}
	if in.Op != "" {
		return in, errOperationInProgress()
	}
	if in.View.State != stateRunnable || in.View.Settings.ActivationPolicy != policyAlways {
		return in, errNotRunning()
	}
	return in, nil
}

// saveInstance stores in with a fresh etag.
func (s *Service) saveInstance(in *sqlInstance) error {
	in.View.Etag = ""
	b, err := json.Marshal(in.View)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	in.View.Etag = hex.EncodeToString(sum[:16])
	return s.sql.instances.Put(in.Project+"/"+in.Name, *in)
}

// newSQLOp starts an operation of type typ on an instance.
func newSQLOp(project, instance, typ string, now time.Time) sqlOp {
	name := newUUID()
	return sqlOp{
		Project:  project,
		Instance: instance,
		Seq:      now.UnixNano(),
		View: sqladmin.Operation{
			Kind:          "sql#operation",
			Name:          name,
			OperationType: typ,
			Status:        opPending,
			TargetId:      instance,
			TargetProject: project,
			TargetLink:    instanceLink(project, instance),
			SelfLink:      sqlBase + project + "/operations/" + name,
			InsertTime:    sqlTime(now),
		},
	}
}

// beginOp records op as in's operation in progress, finishing no earlier
// than until, and answers the request with it.
func (s *Service) beginOp(w http.ResponseWriter, in *sqlInstance, op sqlOp, until time.Time) {
	if err := s.sql.ops.Put(op.Project+"/"+op.View.Name, op); err != nil {
		writeError(w, errInternal(err))
		return
	}
	in.Op = op.View.Name
	in.Until = until
	if err := s.saveInstance(in); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeJSON(w, http.StatusOK, op.View)
}

func (s *Service) sqlListInstances(w http.ResponseWriter, r *http.Request) {
	p, e := project(r)
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	f, err := parseFilter(q.Get("filter"))
	if err != nil {
		writeError(w, filterError(q.Get("filter"), err))
		return
	}
	s.mu.Lock()
	all, err := s.sql.instances.List()
	s.mu.Unlock()
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	items := []*sqladmin.DatabaseInstance{}
	for _, in := range all {
		if in.Project != p {
			continue
		}
		m, err := toObject(in.View)
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		if f.match(m) {
			v := in.View
			items = append(items, &v)
		}
	}
	pg, next, e := page(items, q.Get("maxResults"), q.Get("pageToken"))
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, sqladmin.InstancesListResponse{Kind: "sql#instancesList", Items: pg, NextPageToken: next})
}

func (s *Service) sqlGetInstance(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	in, e := s.instance(r)
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, in.View)
}

func (s *Service) sqlInsertInstance(w http.ResponseWriter, r *http.Request) {
	p, e := project(r)
	if e != nil {
		writeError(w, e)
		return
	}
	req, raw, e := readInstance(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	in, e := s.newInstance(p, req, raw)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok, err := s.sql.instances.Get(p + "/" + in.Name); err != nil || ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, &apiError{
			Code:    http.StatusConflict,
			Reason:  "instanceAlreadyExists",
			Message: "The Cloud SQL instance already exists.",
		})
		return
	}
	now := s.clock()
	for _, u := range []sqlUser{{Project: p, Instance: in.Name, Name: rootUser, Type: "BUILT_IN"}} {
		if err := s.sql.users.Put(childKey(p, in.Name, u.Name), u); err != nil {
			writeError(w, errInternal(err))
			return
		}
	}
	db := sqlDatabase{Project: p, Instance: in.Name, View: databaseView(p, in.Name, sqladmin.Database{Name: "postgres"})}
	if err := s.sql.databases.Put(childKey(p, in.Name, "postgres"), db); err != nil {
		writeError(w, errInternal(err))
		return
	}
	s.beginOp(w, &in, newSQLOp(p, in.Name, "CREATE", now), now.Add(s.env.Delays.Create))
}

// newInstance builds a new instance from an insert request (req decoded,
// raw as sent, to tell fields left out from fields set to their zero value).
func (s *Service) newInstance(p string, req sqladmin.DatabaseInstance, raw map[string]any) (sqlInstance, *apiError) {
	if e := validateInstanceName(req.Name); e != nil {
		return sqlInstance{}, e
	}
	version := req.DatabaseVersion
	if version == "" {
		version = "MYSQL_8_0" // Cloud SQL's default engine.
	}
	if !postgresVersion(version) {
		return sqlInstance{}, engineError(version)
	}
	if req.MasterInstanceName != "" || req.ReplicaConfiguration != nil {
		return sqlInstance{}, errInvalid("Invalid request: read replicas are not supported by the local cloud.")
	}
	region := req.Region
	if region == "" {
		region = "us-central1"
	}
	if _, ok := regions[region]; !ok {
		return sqlInstance{}, errInvalid("Invalid request: region (%s) is not valid.", region)
	}
	reqSettings, _ := raw["settings"].(map[string]any)
	if reqSettings == nil {
		return sqlInstance{}, errInvalid("Invalid request: Missing required field: settings.")
	}
	delete(reqSettings, "settingsVersion")
	settings, e := settingsFrom(defaultSettings(region), reqSettings)
	if e != nil {
		return sqlInstance{}, e
	}
	if e := validateSettings(settings); e != nil {
		return sqlInstance{}, e
	}
	zone, e := instanceZone(settings, region)
	if e != nil {
		return sqlInstance{}, e
	}
	settings.SettingsVersion = 1
	now := s.clock()
	ca, err := newServerCA(req.Name, now)
	if err != nil {
		return sqlInstance{}, errInternal(err)
	}
	view := req
	view.RootPassword = ""
	view.Kind = "sql#instance"
	view.Project = p
	view.Region = region
	view.GceZone = zone
	view.DatabaseVersion = version
	view.State = statePendingCreate
	view.BackendType = "SECOND_GEN"
	view.InstanceType = "CLOUD_SQL_INSTANCE"
	view.ConnectionName = p + ":" + region + ":" + req.Name
	view.SelfLink = instanceLink(p, req.Name)
	view.ServiceAccountEmailAddress = fmt.Sprintf("p%d-%s@gcp-sa-cloud-sql.iam.gserviceaccount.com", projectNumber(p), shortHash(p+"/"+req.Name))
	view.ServerCaCert = ca
	view.CreateTime = sqlTime(now)
	view.SqlNetworkArchitecture = "NEW_NETWORK_ARCHITECTURE"
	view.Settings = settings
	view.IpAddresses = nil
	return sqlInstance{Project: p, Name: req.Name, View: view, RootPassword: req.RootPassword}, nil
}

// instanceZone returns the zone an instance's settings place it in.
func instanceZone(s *sqladmin.Settings, region string) (string, *apiError) {
	zone := firstZone(region)
	if s.LocationPreference != nil && s.LocationPreference.Zone != "" {
		zone = s.LocationPreference.Zone
	}
	if zr, ok := zoneRegion(zone); !ok || zr != region {
		return "", errInvalid("Invalid request: zone (%s) is not in region %s.", zone, region)
	}
	return zone, nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:3])
}

func (s *Service) sqlPatchInstance(w http.ResponseWriter, r *http.Request) {
	s.changeSettings(w, r, false)
}

func (s *Service) sqlUpdateInstance(w http.ResponseWriter, r *http.Request) {
	s.changeSettings(w, r, true)
}

// changeSettings serves patch (merge the request's settings into the
// current ones) and update (replace them, defaulting what is left out).
func (s *Service) changeSettings(w http.ResponseWriter, r *http.Request, replace bool) {
	req, raw, e := readInstance(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.instance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if in.Op != "" {
		writeError(w, errOperationInProgress())
		return
	}
	if req.DatabaseVersion != "" && req.DatabaseVersion != in.View.DatabaseVersion {
		writeError(w, errInvalid("Invalid request: major version upgrades (%s to %s) are not supported by the local cloud.", in.View.DatabaseVersion, req.DatabaseVersion))
		return
	}
	updated, e := nextSettings(in.View, raw, replace)
	if e != nil {
		writeError(w, e)
		return
	}
	in.Pending = updated
	now := s.clock()
	s.beginOp(w, &in, newSQLOp(in.Project, in.Name, "UPDATE", now), now.Add(s.env.Delays.Modify))
}

// readInstance reads an instance from a request body, decoded and as sent.
func readInstance(w http.ResponseWriter, r *http.Request) (sqladmin.DatabaseInstance, map[string]any, *apiError) {
	var req sqladmin.DatabaseInstance
	body, e := readBody(w, r)
	if e != nil {
		return req, nil, e
	}
	if err := decodeStrict(body, &req); err != nil {
		return req, nil, payloadError(err)
	}
	raw, err := decodeObject(body)
	if err != nil {
		return req, nil, payloadError(err)
	}
	return req, raw, nil
}

// nextSettings returns the settings a patch or update (replace) request
// asks for, checked against the current ones.
func nextSettings(cur sqladmin.DatabaseInstance, raw map[string]any, replace bool) (*sqladmin.Settings, *apiError) {
	reqSettings, _ := raw["settings"].(map[string]any)
	if reqSettings == nil {
		if replace {
			return nil, errInvalid("Invalid request: Missing required field: settings.")
		}
		reqSettings = map[string]any{}
	}
	if v, ok := reqSettings["settingsVersion"]; ok {
		n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if err != nil || n != cur.Settings.SettingsVersion {
			return nil, &apiError{Code: http.StatusPreconditionFailed, Reason: "staleData", Message: "Condition does not match."}
		}
		delete(reqSettings, "settingsVersion")
	}
	base := cur.Settings
	if replace {
		base = defaultSettings(cur.Region)
		base.LocationPreference = cur.Settings.LocationPreference
	}
	updated, e := settingsFrom(base, reqSettings)
	if e != nil {
		return nil, e
	}
	if e := validateSettings(updated); e != nil {
		return nil, e
	}
	if e := validateSettingsChange(cur.Settings, updated); e != nil {
		return nil, e
	}
	if _, e := instanceZone(updated, cur.Region); e != nil {
		return nil, e
	}
	updated.SettingsVersion = cur.Settings.SettingsVersion
	return updated, nil
}

func (s *Service) sqlDeleteInstance(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.instance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if in.Op != "" {
		writeError(w, errOperationInProgress())
		return
	}
	if in.View.Settings.DeletionProtectionEnabled {
		writeError(w, &apiError{
			Code:    http.StatusBadRequest,
			Reason:  "protectedInstance",
			Message: "The instance is protected. Please disable the deletion protection and try again. To disable the deletion protection, update the instance settings with deletionProtectionEnabled set to false.",
		})
		return
	}
	in.View.State = statePendingDelete
	now := s.clock()
	s.beginOp(w, &in, newSQLOp(in.Project, in.Name, "DELETE", now), now.Add(s.env.Delays.Delete))
}

func (s *Service) sqlRestartInstance(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	now := s.clock()
	s.beginOp(w, &in, newSQLOp(in.Project, in.Name, "RESTART", now), now.Add(s.env.Delays.Modify))
}

func (s *Service) sqlListOperations(w http.ResponseWriter, r *http.Request) {
	p, e := project(r)
	if e != nil {
		writeError(w, e)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	all, err := s.sql.ops.List()
	s.mu.Unlock()
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	var ops []sqlOp
	for _, op := range all {
		if op.Project == p && (q.Get("instance") == "" || op.Instance == q.Get("instance")) {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Seq > ops[j].Seq })
	items := make([]*sqladmin.Operation, 0, len(ops))
	for i := range ops {
		items = append(items, &ops[i].View)
	}
	pg, next, e := page(items, q.Get("maxResults"), q.Get("pageToken"))
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, sqladmin.OperationsListResponse{Kind: "sql#operationsList", Items: pg, NextPageToken: next})
}

func (s *Service) sqlGetOperation(w http.ResponseWriter, r *http.Request) {
	p, e := project(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	op, ok, err := s.sql.ops.Get(p + "/" + r.PathValue("operation"))
	s.mu.Unlock()
	switch {
	case err != nil:
		writeError(w, errInternal(err))
	case !ok:
		writeError(w, &apiError{Code: http.StatusNotFound, Reason: "operationDoesNotExist", Message: "The Cloud SQL operation does not exist."})
	default:
		writeJSON(w, http.StatusOK, op.View)
	}
}

// resetSQL removes every instance's server and empties the tables.
func (s *Service) resetSQL() error {
	all, err := s.sql.instances.List()
	if err != nil {
		return err
	}
	for _, in := range all {
		if err := s.env.PG.Remove(pgID(in.Project, in.Name)); err != nil {
			return err
		}
	}
	for _, c := range []interface{ Clear() error }{s.sql.instances, s.sql.users, s.sql.databases, s.sql.ops} {
		if err := c.Clear(); err != nil {
			return err
		}
	}
	return nil
}
