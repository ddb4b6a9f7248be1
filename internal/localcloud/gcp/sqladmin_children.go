package gcp

import (
	"net/http"
	"regexp"

	"google.golang.org/api/sqladmin/v1"
)

// pgName is what PostgreSQL takes as a role or database name through
// Cloud SQL: up to 63 bytes, no NUL.
var pgName = regexp.MustCompile(`^[^\x00]{1,63}$`)

func userView(u sqlUser) *sqladmin.User {
	return &sqladmin.User{
		Kind:     "sql#user",
		Name:     u.Name,
		Instance: u.Instance,
		Project:  u.Project,
		Type:     u.Type,
	}
}

func databaseView(project, instance string, d sqladmin.Database) sqladmin.Database {
	if d.Charset == "" {
		d.Charset = "UTF8"
	}
	if d.Collation == "" {
		d.Collation = "en_US.UTF8"
	}
	d.Kind = "sql#database"
	d.Project = project
	d.Instance = instance
	d.SelfLink = instanceLink(project, instance) + "/databases/" + d.Name
	d.Etag = ""
	return d
}

func errUserNotFound() *apiError {
	return &apiError{Code: http.StatusNotFound, Reason: "notFound", Message: "The user does not exist."}
}

func errDatabaseNotFound() *apiError {
	return &apiError{Code: http.StatusNotFound, Reason: "notFound", Message: "The database does not exist."}
}

func (s *Service) sqlListUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.instance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if in.View.Settings.ActivationPolicy != policyAlways {
		writeError(w, errNotRunning())
		return
	}
	all, err := s.sql.users.List()
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	items := []*sqladmin.User{}
	for _, u := range all {
		if u.Project == in.Project && u.Instance == in.Name {
			items = append(items, userView(u))
		}
	}
	writeJSON(w, http.StatusOK, sqladmin.UsersListResponse{Kind: "sql#usersList", Items: items})
}

func (s *Service) sqlGetUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.instance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	u, ok, err := s.sql.users.Get(childKey(in.Project, in.Name, r.PathValue("name")))
	switch {
	case err != nil:
		writeError(w, errInternal(err))
	case !ok:
		writeError(w, errUserNotFound())
	default:
		writeJSON(w, http.StatusOK, userView(u))
	}
}

// decodeUser reads and checks a user from a request body.
func decodeUser(w http.ResponseWriter, r *http.Request) (sqladmin.User, *apiError) {
	var u sqladmin.User
	body, e := readBody(w, r)
	if e != nil {
		return u, e
	}
	if err := decodeStrict(body, &u); err != nil {
		return u, payloadError(err)
	}
	switch u.Type {
	case "", "BUILT_IN":
	default:
		return u, errInvalid("Invalid request: user type %s is not supported by the local cloud; only BUILT_IN users (with a password) are.", u.Type)
	}
	return u, nil
}

func (s *Service) sqlInsertUser(w http.ResponseWriter, r *http.Request) {
	u, e := decodeUser(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	if !pgName.MatchString(u.Name) {
		writeError(w, errInvalid("Invalid request: Missing or invalid user name."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if _, ok, err := s.sql.users.Get(childKey(in.Project, in.Name, u.Name)); err != nil || ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errAlreadyExists("User '%s' already exists in instance '%s'.", u.Name, in.Name))
		return
	}
	now := s.clock()
	op := newSQLOp(in.Project, in.Name, "CREATE_USER", now)
	op.User, op.Password, op.SetPassword = u.Name, u.Password, true
	s.beginOp(w, &in, op, now)
}

func (s *Service) sqlUpdateUser(w http.ResponseWriter, r *http.Request) {
	u, e := decodeUser(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = u.Name
	}
	if !pgName.MatchString(name) {
		writeError(w, errInvalid("Invalid request: Missing or invalid user name."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	now := s.clock()
	op := newSQLOp(in.Project, in.Name, "UPDATE_USER", now)
	op.User, op.Password, op.SetPassword = name, u.Password, u.Password != ""
	s.beginOp(w, &in, op, now)
}

func (s *Service) sqlDeleteUser(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if _, ok, err := s.sql.users.Get(childKey(in.Project, in.Name, name)); err != nil || !ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errUserNotFound())
		return
	}
	now := s.clock()
	op := newSQLOp(in.Project, in.Name, "DELETE_USER", now)
	op.User = name
	s.beginOp(w, &in, op, now)
}

func (s *Service) sqlListDatabases(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.instance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if in.View.Settings.ActivationPolicy != policyAlways {
		writeError(w, errNotRunning())
		return
	}
	all, err := s.sql.databases.List()
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	items := []*sqladmin.Database{}
	for _, d := range all {
		if d.Project == in.Project && d.Instance == in.Name {
			v := d.View
			items = append(items, &v)
		}
	}
	writeJSON(w, http.StatusOK, sqladmin.DatabasesListResponse{Kind: "sql#databasesList", Items: items})
}

func (s *Service) sqlGetDatabase(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.instance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	d, ok, err := s.sql.databases.Get(childKey(in.Project, in.Name, r.PathValue("database")))
	switch {
	case err != nil:
		writeError(w, errInternal(err))
	case !ok:
		writeError(w, errDatabaseNotFound())
	default:
		writeJSON(w, http.StatusOK, d.View)
	}
}

// decodeDatabase reads and checks a database from a request body.
func decodeDatabase(w http.ResponseWriter, r *http.Request) (sqladmin.Database, *apiError) {
	var d sqladmin.Database
	body, e := readBody(w, r)
	if e != nil {
		return d, e
	}
	if err := decodeStrict(body, &d); err != nil {
		return d, payloadError(err)
	}
	if d.Charset != "" && d.Charset != "UTF8" && d.Charset != "utf8" {
		return d, errInvalid("Invalid request: charset %s is not supported by the local cloud; databases are UTF8.", d.Charset)
	}
	if d.Charset != "" {
		d.Charset = "UTF8"
	}
	return d, nil
}

func (s *Service) sqlInsertDatabase(w http.ResponseWriter, r *http.Request) {
	d, e := decodeDatabase(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	if !pgName.MatchString(d.Name) {
		writeError(w, errInvalid("Invalid request: Missing or invalid database name."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	if _, ok, err := s.sql.databases.Get(childKey(in.Project, in.Name, d.Name)); err != nil || ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errAlreadyExists("Database '%s' already exists in instance '%s'.", d.Name, in.Name))
		return
	}
	now := s.clock()
	op := newSQLOp(in.Project, in.Name, "CREATE_DATABASE", now)
	v := databaseView(in.Project, in.Name, d)
	op.Database = &v
	s.beginOp(w, &in, op, now)
}

// sqlPatchDatabase serves patch and update: PostgreSQL cannot change a
// database's charset or collation, so only a request that keeps them is
// accepted, as an UPDATE_DATABASE operation.
func (s *Service) sqlPatchDatabase(w http.ResponseWriter, r *http.Request) {
	d, e := decodeDatabase(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	name := r.PathValue("database")
	cur, ok, err := s.sql.databases.Get(childKey(in.Project, in.Name, name))
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	if !ok {
		writeError(w, errDatabaseNotFound())
		return
	}
	if (d.Charset != "" && d.Charset != cur.View.Charset) || (d.Collation != "" && d.Collation != cur.View.Collation) {
		writeError(w, errInvalid("Invalid request: the charset and collation of a PostgreSQL database cannot be changed."))
		return
	}
	now := s.clock()
	op := newSQLOp(in.Project, in.Name, "UPDATE_DATABASE", now)
	v := cur.View
	op.Database = &v
	s.beginOp(w, &in, op, now)
}

func (s *Service) sqlDeleteDatabase(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, e := s.idleInstance(r)
	if e != nil {
		writeError(w, e)
		return
	}
	name := r.PathValue("database")
	cur, ok, err := s.sql.databases.Get(childKey(in.Project, in.Name, name))
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	if !ok {
		writeError(w, errDatabaseNotFound())
		return
	}
	now := s.clock()
	op := newSQLOp(in.Project, in.Name, "DELETE_DATABASE", now)
	v := cur.View
	op.Database = &v
	s.beginOp(w, &in, op, now)
}
