// Package pg runs the real PostgreSQL servers behind the local cloud's
// database APIs: one server per database instance, each on its own loopback
// port, with the admin role and password the API request named.
//
// Servers are cloned from one template cluster made by initdb on first use,
// so that a new instance costs a directory copy and a server start rather
// than a full initdb. Every call is safe to repeat: Ensure brings an instance
// to "running and provisioned" from whatever it finds on disk, which is how a
// restarted local cloud brings back the servers it had.
package pg

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/proc"
)

// DefaultBinDir is where Debian's postgresql-15 package installs its
// binaries.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

// Superuser is the role the manager itself uses to administer every server.
// Cloud users never see it.
const Superuser = "localcloud"

const (
	templateDir     = "template"
	instancesDir    = "instances"
	passwordFile    = "superuser-password"
	addressFile     = "address"
	provisionedFile = "provisioned"
	logFile         = "postgres.log"
	dataDir         = "data"

	// startTimeout bounds how long a server may take to accept connections.
	startTimeout = 60 * time.Second
	// stopTimeout bounds a fast shutdown before the server is killed.
	stopTimeout = 15 * time.Second
	// retryAfter is how long Ensure waits before retrying a failed start.
	retryAfter = 2 * time.Second
)

// settings keep each server small: a laptop runs dozens of them. Durability
// settings are off because the data lives only as long as the local cloud's
// folder and must survive a crash of the local cloud, not of the machine.
var settings = []string{
	"unix_socket_directories = ''",
	"shared_buffers = 16MB",
	"max_connections = 40",
	"fsync = off",
	"synchronous_commit = off",
	"full_page_writes = off",
	"wal_level = minimal",
	"max_wal_senders = 0",
	"max_wal_size = 64MB",
	"min_wal_size = 32MB",
	"max_worker_processes = 2",
	"max_parallel_workers = 0",
	"max_parallel_workers_per_gather = 0",
	"autovacuum_max_workers = 1",
	"jit = off",
	"huge_pages = off",
	"logging_collector = off",
	"log_min_messages = warning",
}

// Options configure a Manager.
type Options struct {
	// Dir holds the template cluster and every instance's data.
	Dir string
	// BinDir holds initdb and postgres; DefaultBinDir when empty.
	BinDir string
	// Logger receives progress; a nop logger when nil.
	Logger logging.Logger
}

// A Spec is what a database API asked for when it created an instance.
type Spec struct {
	// User is the admin role to create (the master user, root user or
	// administrator login). It can log in with Password over TCP.
	User string
	// Password is the admin role's password.
	Password string
	// Database, when set, is a database to create, owned by User.
	Database string
}

// A Status says where an instance is.
type Status struct {
	// Ready is true once the server accepts connections as Spec.User.
	Ready bool
	// Host is the server's loopback address and Port its port. They are
	// empty until the background work has chosen them (soon after the
	// first Ensure) and then never change, except that an address another
	// process took before the server first started is replaced.
	Host string
	Port int
	// Err is the last error bringing the instance up, if any; Ensure keeps
	// retrying.
	Err error
}

// A Manager runs PostgreSQL servers.
type Manager struct {
	dir     string
	bin     string
	log     logging.Logger
	cred    *syscall.Credential // nil unless the servers run as another user
	superPw string

	templateMu sync.Mutex

	mu        sync.Mutex
	instances map[string]*instance
	closed    bool
}

// instance is one server the manager knows of.
type instance struct {
	id   string
	dir  string
	host string
	port int

	busy    bool // a goroutine is bringing the instance up
	ready   bool
	lastErr error
	failed  time.Time
	cancel  context.CancelFunc
	done    chan struct{} // closed when the busy goroutine ends

	proc *exec.Cmd
	exit chan struct{} // closed when proc ends
}

// New returns a Manager keeping its servers under o.Dir. When the process
// runs as root, servers run as the postgres user (initdb refuses root), and
// every folder above o.Dir must let that user through.
func New(o Options) (*Manager, error) {
	if o.BinDir == "" {
		o.BinDir = DefaultBinDir
	}
	if o.Logger == nil {
		o.Logger = logging.NewNopLogger()
	}
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(o.BinDir, b)); err != nil {
			return nil, errors.Wrapf(err, "cannot find PostgreSQL's %s in %s: install Debian's postgresql-15 package", b, o.BinDir)
		}
	}
	m := &Manager{dir: o.Dir, bin: o.BinDir, log: o.Logger, instances: map[string]*instance{}}
	if err := os.MkdirAll(filepath.Join(o.Dir, instancesDir), 0o755); err != nil { //nolint:gosec // G301: the postgres user walks through it.
		return nil, errors.Wrapf(err, "cannot create PostgreSQL folder %s", o.Dir)
	}
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return nil, err
		}
		m.cred = cred
		if err := reachable(o.Dir); err != nil {
			return nil, err
		}
		// The folders servers' data goes into; the data itself is made
		// by initdb running as postgres and copied with its ownership.
		if err := chownDirs(cred, o.Dir, filepath.Join(o.Dir, instancesDir)); err != nil {
			return nil, err
		}
	}
	pw, err := m.superuserPassword()
	if err != nil {
		return nil, err
	}
	m.superPw = pw
	return m, nil
}

// postgresCredential is the identity servers run as when the local cloud
// runs as root.
func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.Wrap(err, "cannot run PostgreSQL as root and there is no postgres user to run it as")
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, errors.Wrap(err, "cannot parse the postgres user's uid")
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, errors.Wrap(err, "cannot parse the postgres user's gid")
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// reachable checks that a user other than root can walk down to dir.
func reachable(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return errors.Wrapf(err, "cannot resolve %s", dir)
	}
	for p := filepath.Dir(abs); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return errors.Wrapf(err, "cannot check %s", p)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return errors.Errorf("PostgreSQL servers run as the postgres user, which cannot enter %s: run `chmod o+x %s` or keep the local cloud's state elsewhere", p, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func chownDirs(cred *syscall.Credential, dirs ...string) error {
	for _, d := range dirs {
		if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
			return errors.Wrapf(err, "cannot hand %s to the postgres user", d)
		}
	}
	return nil
}

func (m *Manager) superuserPassword() (string, error) {
	p := filepath.Join(m.dir, passwordFile)
	if b, err := os.ReadFile(p); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", errors.Wrap(err, "cannot generate the PostgreSQL superuser password")
	}
	pw := hex.EncodeToString(b)
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		return "", errors.Wrap(err, "cannot store the PostgreSQL superuser password")
	}
	if m.cred != nil {
		// initdb, running as postgres, reads it.
		if err := os.Chown(p, int(m.cred.Uid), int(m.cred.Gid)); err != nil {
			return "", errors.Wrap(err, "cannot hand the superuser password file to the postgres user")
		}
	}
	return pw, nil
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// dirName maps any instance ID to a short, safe, unique folder name.
func dirName(id string) string {
	sum := sha256.Sum256([]byte(id))
	name := unsafeChars.ReplaceAllString(id, "-")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return strings.Trim(name, "-.") + "-" + hex.EncodeToString(sum[:4])
}

func (m *Manager) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(m.bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: m.cred}
	return cmd
}

// template makes the template cluster once.
func (m *Manager) template(ctx context.Context) (string, error) {
	m.templateMu.Lock()
	defer m.templateMu.Unlock()
	dir := filepath.Join(m.dir, templateDir)
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err == nil {
		return dir, nil
	}
	// The template is made aside and renamed into place once configured: a
	// crash half way (initdb writes PG_VERSION early) leaves no template
	// that looks finished.
	final := dir
	dir += ".tmp"
	_ = os.RemoveAll(dir)
	m.log.Info("Creating PostgreSQL template cluster", "dir", final)
	cmd := m.command(ctx, "initdb", "-D", dir, "-U", Superuser, "--pwfile", filepath.Join(m.dir, passwordFile),
		"--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync", "--no-instructions")
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", errors.Wrapf(err, "cannot initdb the PostgreSQL template: %s", strings.TrimSpace(string(out)))
	}
	conf := filepath.Join(dir, "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return "", errors.Wrap(err, "cannot open the template's postgresql.conf")
	}
	_, err = f.WriteString("\n# Stratus local cloud\n" + strings.Join(settings, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Wrap(err, "cannot configure the template's postgresql.conf")
	}
	// Each server has its own loopback address; clients reach it from any
	// address of 127.0.0.0/8.
	hba := filepath.Join(dir, "pg_hba.conf")
	f, err = os.OpenFile(hba, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return "", errors.Wrap(err, "cannot open the template's pg_hba.conf")
	}
	_, err = f.WriteString("host all all 127.0.0.0/8 scram-sha-256\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Wrap(err, "cannot configure the template's pg_hba.conf")
	}
	return final, errors.Wrap(os.Rename(dir, final), "cannot move the template cluster into place")
}

// Ensure brings instance id up without blocking: the first call starts the
// work in the background and later calls report how far it got. An instance
// already provisioned keeps its roles and data; spec only matters the first
// time. A server that stopped (a crash, a restart of the local cloud) is
// started again.
func (m *Manager) Ensure(id string, spec Spec) Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Status{Err: errors.New("the PostgreSQL manager is shut down")}
	}
	in, ok := m.instances[id]
	if !ok {
		in = &instance{id: id, dir: filepath.Join(m.dir, instancesDir, dirName(id))}
		if b, err := os.ReadFile(filepath.Join(in.dir, addressFile)); err == nil {
			in.host, in.port = parseAddress(strings.TrimSpace(string(b)))
		}
		m.instances[id] = in
	}
	if in.ready && in.running() {
		return Status{Ready: true, Host: in.host, Port: in.port}
	}
	in.ready = false
	if !in.busy && (in.lastErr == nil || time.Since(in.failed) > retryAfter) {
		ctx, cancel := context.WithCancel(context.Background())
		in.busy, in.cancel, in.done = true, cancel, make(chan struct{})
		go m.bringUp(ctx, in, spec)
	}
	return Status{Host: in.host, Port: in.port, Err: in.lastErr}
}

func parseAddress(s string) (string, int) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

func (in *instance) running() bool {
	if in.proc == nil {
		return false
	}
	select {
	case <-in.exit:
		return false
	default:
		return true
	}
}

func (m *Manager) bringUp(ctx context.Context, in *instance, spec Spec) {
	err := m.up(ctx, in, spec)
	m.mu.Lock()
	defer m.mu.Unlock()
	in.busy = false
	in.cancel()
	close(in.done)
	if err != nil {
		in.lastErr, in.failed = err, time.Now()
		if ctx.Err() == nil {
			m.log.Info("Cannot bring up PostgreSQL server", "instance", in.id, "error", err)
		}
		return
	}
	in.ready, in.lastErr = true, nil
}

func (m *Manager) up(ctx context.Context, in *instance, spec Spec) error {
	if err := os.MkdirAll(in.dir, 0o750); err != nil {
		return errors.Wrapf(err, "cannot create %s", in.dir)
	}
	if m.cred != nil {
		if err := os.Chown(in.dir, int(m.cred.Uid), int(m.cred.Gid)); err != nil {
			return errors.Wrapf(err, "cannot hand %s to the postgres user", in.dir)
		}
	}
	host, port, err := m.address(in)
	if err != nil {
		return err
	}
	if err := m.ensureData(ctx, filepath.Join(in.dir, dataDir)); err != nil {
		return err
	}
	_, perr := os.Stat(filepath.Join(in.dir, provisionedFile))
	provisioned := perr == nil
	if err := m.startAndWait(ctx, in, host, port); err != nil {
		if !provisioned && strings.Contains(proc.Tail(filepath.Join(in.dir, logFile), 20), "already in use") {
			// Another process took the address between the check and the
			// start. Nobody has connected yet: take another one next time.
			m.mu.Lock()
			in.host, in.port = "", 0
			m.mu.Unlock()
			_ = os.Remove(filepath.Join(in.dir, addressFile))
		}
		return err
	}
	if provisioned {
		return nil
	}
	if err := m.provision(ctx, host, port, spec); err != nil {
		return err
	}
	return errors.Wrap(os.WriteFile(filepath.Join(in.dir, provisionedFile), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600),
		"cannot record that the instance is provisioned")
}

// ensureData makes the cluster at data from the template if it is not there.
func (m *Manager) ensureData(ctx context.Context, data string) error {
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return nil
	}
	tpl, err := m.template(ctx)
	if err != nil {
		return err
	}
	// Copied aside and renamed, so that a copy cut short by a crash is never
	// mistaken for a cluster.
	_ = os.RemoveAll(data)
	_ = os.RemoveAll(data + ".tmp")
	if out, err := exec.CommandContext(ctx, "cp", "-a", tpl, data+".tmp").CombinedOutput(); err != nil {
		return errors.Wrapf(err, "cannot copy the template cluster: %s", strings.TrimSpace(string(out)))
	}
	return errors.Wrap(os.Rename(data+".tmp", data), "cannot move the instance's cluster into place")
}

// DefaultPort is the port every server listens on when it can: each server
// has a loopback address of its own (127.0.1.1, 127.0.1.2, ...), so all of
// them can use PostgreSQL's standard port, as cloud databases do. APIs with
// no port field (Cloud SQL, Azure's FQDN) depend on it.
const DefaultPort = 5432

// maxAddressTries is how many loopback addresses are tried for the standard
// port before falling back to 127.0.0.1 and a free port.
const maxAddressTries = 32

// address returns the instance's host and port, choosing and recording them
// the first time. They stay the same across restarts, so endpoints the APIs
// reported stay true. When the standard port cannot be had on a fresh
// loopback address (something listens on it for every address), the server
// gets 127.0.0.1 and a free port instead.
func (m *Manager) address(in *instance) (string, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if in.port != 0 {
		return in.host, in.port, nil
	}
	taken := map[string]bool{}
	for _, o := range m.instances {
		taken[o.host] = true
	}
	entries, _ := os.ReadDir(filepath.Join(m.dir, instancesDir))
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(m.dir, instancesDir, e.Name(), addressFile)); err == nil {
			h, _ := parseAddress(strings.TrimSpace(string(b)))
			taken[h] = true
		}
	}
	// Start at a random address, so that several local clouds on one
	// machine (parallel tests) rarely reach for the same one, and skip any
	// address something else already listens on.
	host, port := "", 0
	const span = 254 * 254
	first := mrand.IntN(span) //nolint:gosec // G404: spreads choices, needs no secrecy.
	for i := 0; i < maxAddressTries && host == ""; i++ {
		n := (first + i) % span
		h := fmt.Sprintf("127.0.%d.%d", 1+n/254, 1+n%254)
		if taken[h] {
			continue
		}
		if l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", net.JoinHostPort(h, strconv.Itoa(DefaultPort))); err == nil {
			_ = l.Close()
			host, port = h, DefaultPort
		}
	}
	if host == "" {
		l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return "", 0, errors.Wrap(err, "cannot find a free loopback port")
		}
		host, port = "127.0.0.1", l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if err := os.WriteFile(filepath.Join(in.dir, addressFile), []byte(addr+"\n"), 0o600); err != nil {
		return "", 0, errors.Wrap(err, "cannot record the instance's address")
	}
	in.host, in.port = host, port
	return host, port, nil
}

// startAndWait starts the server unless it runs and waits until it accepts
// connections. A server of a previous run still shutting down (the local
// cloud was killed, its servers got SIGINT) holds the data's lock file for a
// moment; the start is retried until it lets go.
func (m *Manager) startAndWait(ctx context.Context, in *instance, host string, port int) error {
	deadline := time.Now().Add(startTimeout)
	for {
		m.mu.Lock()
		running := in.running()
		m.mu.Unlock()
		if !running {
			if err := m.start(in, host, port); err != nil {
				return err
			}
		}
		err := m.waitAccepting(ctx, in)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil ||
			!strings.Contains(proc.Tail(filepath.Join(in.dir, logFile), 5), "lock file") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (m *Manager) start(in *instance, host string, port int) error {
	lf, err := os.OpenFile(filepath.Join(in.dir, logFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return errors.Wrap(err, "cannot open the server's log file")
	}
	cmd := exec.Command(filepath.Join(m.bin, "postgres"), "-D", filepath.Join(in.dir, dataDir), "-p", strconv.Itoa(port), "-c", "listen_addresses="+host)
	cmd.Stdout, cmd.Stderr = lf, lf
	// SIGINT is a fast shutdown: if the local cloud dies, its servers stop
	// cleanly and start again with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: m.cred, Setpgid: true, Pdeathsig: syscall.SIGINT}
	if err := cmd.Start(); err != nil {
		_ = lf.Close()
		return errors.Wrap(err, "cannot start postgres")
	}
	exit := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = lf.Close()
		close(exit)
	}()
	m.mu.Lock()
	in.proc, in.exit = cmd, exit
	m.mu.Unlock()
	return nil
}

func (m *Manager) connString(host string, port int, user, password, db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=disable connect_timeout=5",
		host, port, quoteConn(user), quoteConn(password), quoteConn(db))
}

// quoteConn quotes a value for a libpq keyword/value connection string.
func quoteConn(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func (m *Manager) superConn(ctx context.Context, host string, port int) (*pgx.Conn, error) {
	c, err := pgx.Connect(ctx, m.connString(host, port, Superuser, m.superPw, "postgres"))
	return c, errors.Wrap(err, "cannot connect to the PostgreSQL server")
}

func (m *Manager) waitAccepting(ctx context.Context, in *instance) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		m.mu.Lock()
		running, host, port := in.running(), in.host, in.port
		m.mu.Unlock()
		if !running {
			return errors.Errorf("postgres exited while starting; see %s", filepath.Join(in.dir, logFile))
		}
		c, err := m.superConn(ctx, host, port)
		if err == nil {
			_ = c.Close(ctx)
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return errors.Wrapf(last, "postgres did not accept connections within %s; see %s", startTimeout, filepath.Join(in.dir, logFile))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (m *Manager) provision(ctx context.Context, host string, port int, spec Spec) error {
	c, err := m.superConn(ctx, host, port)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(ctx) }()
	if spec.User != "" {
		if err := upsertRole(ctx, c, spec.User, spec.Password); err != nil {
			return err
		}
		// As on the clouds, the admin user may create tables in the
		// default database (PostgreSQL 15 no longer lets everyone).
		if _, err := c.Exec(ctx, "GRANT ALL ON SCHEMA public TO "+Ident(spec.User)); err != nil {
			return errors.Wrap(err, "cannot grant the admin user the public schema")
		}
	}
	if spec.Database != "" {
		if err := createDatabase(ctx, c, spec.Database, spec.User); err != nil {
			return err
		}
	}
	return nil
}

// Ident quotes a PostgreSQL identifier.
func Ident(s string) string { return pgx.Identifier{s}.Sanitize() }

// Literal quotes a PostgreSQL string literal (standard_conforming_strings is
// on in every server the manager runs).
func Literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func upsertRole(ctx context.Context, c *pgx.Conn, role, password string) error {
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return errors.Wrap(err, "cannot look up role")
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	pw := "PASSWORD NULL"
	if password != "" {
		pw = "PASSWORD " + Literal(password)
	}
	_, err := c.Exec(ctx, fmt.Sprintf("%s ROLE %s WITH LOGIN CREATEDB CREATEROLE %s", verb, Ident(role), pw))
	return errors.Wrapf(err, "cannot %s role %s", strings.ToLower(verb), role)
}

func createDatabase(ctx context.Context, c *pgx.Conn, db, owner string) error {
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", db).Scan(&exists); err != nil {
		return errors.Wrap(err, "cannot look up database")
	}
	if exists {
		return nil
	}
	q := "CREATE DATABASE " + Ident(db)
	if owner != "" {
		q += " OWNER " + Ident(owner)
	}
	_, err := c.Exec(ctx, q)
	return errors.Wrapf(err, "cannot create database %s", db)
}

// ErrNotReady is returned by the administration calls for an instance whose
// server is not up.
var ErrNotReady = errors.New("the PostgreSQL server is not running yet")

func (m *Manager) readyAddress(id string) (string, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.instances[id]
	if !ok || !in.ready || !in.running() {
		return "", 0, ErrNotReady
	}
	return in.host, in.port, nil
}

// Exec runs sql on instance id's server, connected as the superuser to
// database db ("postgres" when empty).
func (m *Manager) Exec(ctx context.Context, id, db, sql string) error {
	host, port, err := m.readyAddress(id)
	if err != nil {
		return err
	}
	if db == "" {
		db = "postgres"
	}
	c, err := pgx.Connect(ctx, m.connString(host, port, Superuser, m.superPw, db))
	if err != nil {
		return errors.Wrap(err, "cannot connect to the PostgreSQL server")
	}
	defer func() { _ = c.Close(ctx) }()
	_, err = c.Exec(ctx, sql)
	return errors.Wrap(err, "cannot run statement")
}

func (m *Manager) withSuper(ctx context.Context, id string, fn func(*pgx.Conn) error) error {
	host, port, err := m.readyAddress(id)
	if err != nil {
		return err
	}
	c, err := m.superConn(ctx, host, port)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(ctx) }()
	return fn(c)
}

// SetRole creates role (able to log in, create databases and roles) on
// instance id, or sets its password if it exists.
func (m *Manager) SetRole(ctx context.Context, id, role, password string) error {
	return m.withSuper(ctx, id, func(c *pgx.Conn) error { return upsertRole(ctx, c, role, password) })
}

// DropRole removes role from instance id; a missing role is not an error.
// Objects the role owns are reassigned to the superuser first.
func (m *Manager) DropRole(ctx context.Context, id, role string) error {
	return m.withSuper(ctx, id, func(c *pgx.Conn) error {
		var exists bool
		if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
			return errors.Wrap(err, "cannot look up role")
		}
		if !exists {
			return nil
		}
		dbs, err := databases(ctx, c)
		if err != nil {
			return err
		}
		for _, db := range dbs {
			if err := reassign(ctx, m.connString(c.Config().Host, int(c.Config().Port), Superuser, m.superPw, db), role); err != nil {
				return err
			}
		}
		_, err = c.Exec(ctx, "DROP ROLE "+Ident(role))
		return errors.Wrapf(err, "cannot drop role %s", role)
	})
}

func databases(ctx context.Context, c *pgx.Conn) ([]string, error) {
	rows, err := c.Query(ctx, "SELECT datname FROM pg_database WHERE datallowconn")
	if err != nil {
		return nil, errors.Wrap(err, "cannot list databases")
	}
	dbs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return dbs, errors.Wrap(err, "cannot list databases")
}

func reassign(ctx context.Context, conn, role string) error {
	c, err := pgx.Connect(ctx, conn)
	if err != nil {
		return errors.Wrap(err, "cannot connect to reassign objects")
	}
	defer func() { _ = c.Close(ctx) }()
	_, err = c.Exec(ctx, fmt.Sprintf("REASSIGN OWNED BY %s TO %s; DROP OWNED BY %s", Ident(role), Ident(Superuser), Ident(role)))
	return errors.Wrapf(err, "cannot reassign objects owned by %s", role)
}

// CreateDatabase creates database db on instance id, owned by owner (the
// superuser when empty); an existing database is left as it is.
func (m *Manager) CreateDatabase(ctx context.Context, id, db, owner string) error {
	return m.withSuper(ctx, id, func(c *pgx.Conn) error { return createDatabase(ctx, c, db, owner) })
}

// DropDatabase removes database db from instance id, ending its sessions; a
// missing database is not an error.
func (m *Manager) DropDatabase(ctx context.Context, id, db string) error {
	return m.withSuper(ctx, id, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+Ident(db)+" WITH (FORCE)")
		return errors.Wrapf(err, "cannot drop database %s", db)
	})
}

// Stop stops instance id's server and keeps its data (a stopped database
// instance). Ensure starts it again.
func (m *Manager) Stop(id string) error {
	m.mu.Lock()
	in, ok := m.instances[id]
	m.mu.Unlock()
	if !ok {
		return nil
	}
	m.halt(in)
	return nil
}

// halt cancels any bring-up in progress and stops the server.
func (m *Manager) halt(in *instance) {
	m.mu.Lock()
	busy, done := in.busy, in.done
	if busy {
		in.cancel()
	}
	m.mu.Unlock()
	if busy {
		<-done
	}
	m.mu.Lock()
	proc, exit, running := in.proc, in.exit, in.running()
	in.ready = false
	m.mu.Unlock()
	if !running {
		return
	}
	_ = proc.Process.Signal(syscall.SIGINT)
	select {
	case <-exit:
	case <-time.After(stopTimeout):
		_ = proc.Process.Kill()
		<-exit
	}
}

// Remove stops instance id's server and deletes its data. Removing an
// instance that does not exist is not an error.
func (m *Manager) Remove(id string) error {
	m.mu.Lock()
	in, ok := m.instances[id]
	if !ok {
		in = &instance{id: id, dir: filepath.Join(m.dir, instancesDir, dirName(id))}
	}
	m.mu.Unlock()
	m.halt(in)
	m.mu.Lock()
	delete(m.instances, id)
	m.mu.Unlock()
	return errors.Wrapf(os.RemoveAll(in.dir), "cannot remove the data of PostgreSQL instance %s", id)
}

// Settle waits until no server is being brought up: every server Ensure was
// asked for is ready or has failed. The local cloud calls it at start, after
// its services asked for the servers they had, so that an API that reports
// a database available after a restart means a server that answers.
func (m *Manager) Settle(ctx context.Context) error {
	for {
		m.mu.Lock()
		busy := 0
		for _, in := range m.instances {
			if in.busy {
				busy++
			}
		}
		m.mu.Unlock()
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Errorf("%d PostgreSQL servers are still starting", busy)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// A Server describes one server for the admin endpoint.
type Server struct {
	ID      string `json:"id"`
	Host    string `json:"host"`
	Port    int    `json:"port"`
	Running bool   `json:"running"`
	Ready   bool   `json:"ready"`
	Pid     int    `json:"pid,omitempty"`
	Error   string `json:"error,omitempty"`
	Dir     string `json:"dir"`
}

// Servers lists the servers the manager knows of, by ID.
func (m *Manager) Servers() []Server {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Server, 0, len(m.instances))
	for _, in := range m.instances {
		s := Server{ID: in.id, Host: in.host, Port: in.port, Running: in.running(), Ready: in.ready, Dir: in.dir}
		if s.Running {
			s.Pid = in.proc.Process.Pid
		}
		if in.lastErr != nil {
			s.Error = in.lastErr.Error()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Close stops every server, keeping their data.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	ins := make([]*instance, 0, len(m.instances))
	for _, in := range m.instances {
		ins = append(ins, in)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, in := range ins {
		wg.Go(func() { m.halt(in) })
	}
	wg.Wait()
	return nil
}
