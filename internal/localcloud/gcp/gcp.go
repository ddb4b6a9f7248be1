// Package gcp emulates Google Cloud's management APIs for the local cloud:
// the Cloud SQL Admin API (v1 and v1beta4), the Compute Engine API (v1:
// instances, networks, subnetworks, operations) and the OAuth 2.0 token
// endpoint, served on one port the way the official Go clients speak them.
// Cloud SQL instances are real PostgreSQL servers; every resource lives in
// the local cloud's store, so a restarted service carries on where it was.
package gcp

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
)

// Options configure the GCP service.
type Options struct {
	// RequireAuth makes every API call present a bearer token: an access
	// token from the service's /token endpoint or a self-signed service
	// account JWT. Without it any credential, or none, is accepted.
	RequireAuth bool
}

// A Service serves the emulated Google Cloud APIs.
type Service struct {
	env    *cloud.Env
	opts   Options
	clock  func() time.Time
	log    logging.Logger
	tokens tokenIssuer

	// mu serializes every read-modify-write of the tables, so that a
	// request and Tick never act on the same resource at once. It is never
	// held while PostgreSQL works.
	mu   sync.Mutex
	sql  *sqlTables
	comp *computeTables
	jobs *jobs
	// resetting stops Tick from starting work while Reset waits for the
	// jobs in progress.
	resetting bool

	handler http.Handler
}

var _ cloud.Service = &Service{}

// New returns the GCP service over env.
func New(env *cloud.Env, o Options) (*Service, error) {
	if env == nil || env.Store == nil || env.PG == nil || env.Faults == nil || env.IPs == nil {
		return nil, errors.New("cannot create the GCP service: the environment is incomplete")
	}
	if len(env.SigningKey) == 0 {
		return nil, errors.New("cannot create the GCP service: the environment has no signing key")
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	sqlT, err := newSQLTables(env)
	if err != nil {
		return nil, errors.Wrap(err, "cannot open the Cloud SQL tables")
	}
	compT, err := newComputeTables(env)
	if err != nil {
		return nil, errors.Wrap(err, "cannot open the Compute Engine tables")
	}
	log := env.Log
	if log == nil {
		log = logging.NewNopLogger()
	}
	s := &Service{
		env:    env,
		opts:   o,
		clock:  now,
		log:    log,
		tokens: tokenIssuer{key: env.SigningKey, now: now},
		sql:    sqlT,
		comp:   compT,
		jobs:   &jobs{running: map[string]bool{}},
	}
	s.handler = s.routes()
	return s, nil
}

// Name returns "gcp".
func (s *Service) Name() string { return "gcp" }

// Handler serves the token endpoint, Cloud SQL Admin and Compute Engine.
func (s *Service) Handler() http.Handler { return s.handler }

// Tick advances every resource whose time has come.
func (s *Service) Tick(_ context.Context, now time.Time) {
	s.tickSQL(now)
	s.tickCompute(now)
}

// Reset deletes every Cloud SQL and Compute Engine resource, removing the
// PostgreSQL servers and releasing the addresses they held.
func (s *Service) Reset(_ context.Context) error {
	s.mu.Lock()
	s.resetting = true
	s.mu.Unlock()
	s.jobs.wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.resetting = false }()
	if err := s.resetSQL(); err != nil {
		return err
	}
	return s.resetCompute()
}

func (s *Service) routes() http.Handler {
	sqlMux := http.NewServeMux()
	for _, prefix := range []string{"/v1", "/sql/v1beta4"} {
		s.sqlRoutes(sqlMux, prefix)
	}
	sqlMux.HandleFunc("/", unimplemented)
	compMux := http.NewServeMux()
	s.computeRoutes(compMux)
	compMux.HandleFunc("/", unimplemented)

	sqlAPI := s.env.Faults.Wrap("sqladmin", responder{service: "sqladmin"}, s.authorized(sqlMux))
	compAPI := s.env.Faults.Wrap("compute", responder{service: "compute"}, s.authorized(compMux))

	top := http.NewServeMux()
	top.HandleFunc("/token", s.serveToken)
	top.Handle("/v1/", sqlAPI)
	top.Handle("/sql/v1beta4/", sqlAPI)
	top.Handle("/compute/v1/", compAPI)
	top.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("The requested URL %s was not found on this server.", r.URL.Path))
	})
	return recovered(s, top)
}

// authorized checks credentials before next serves the request.
func (s *Service) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := s.authenticate(r); e != nil {
			writeError(w, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recovered answers a request whose handler panicked with a server error
// rather than dropping the connection. Handlers validate their input; this
// is the last line only.
func recovered(s *Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Info("GCP handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, &apiError{Code: http.StatusInternalServerError, Reason: "backendError", Message: "Internal error encountered."})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// unimplemented answers calls to API methods the local cloud does not
// emulate, as Google does for methods a service does not implement.
func unimplemented(w http.ResponseWriter, r *http.Request) {
	writeError(w, &apiError{
		Code:    http.StatusNotImplemented,
		Reason:  "notImplemented",
		Message: fmt.Sprintf("Method %s %s is not implemented by the local cloud; see docs/localcloud/gcp.md for what is emulated.", r.Method, r.URL.Path),
	})
}

// jobs runs slow work (PostgreSQL administration) in the background, at
// most one job per key at a time, so that Tick never waits for a server.
// The set of running keys is a cache: the work each job does is recorded in
// the tables when it finishes, and a job lost to a restart is started again
// by the next Tick because its resource still says the work is pending.
type jobs struct {
	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

// jobTimeout bounds one piece of PostgreSQL administration.
const jobTimeout = 60 * time.Second

// start runs fn in the background unless a job with the same key runs.
func (j *jobs) start(key string, fn func(ctx context.Context)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running[key] {
		return
	}
	j.running[key] = true
	j.wg.Go(func() {
		defer func() {
			j.mu.Lock()
			delete(j.running, key)
			j.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
		defer cancel()
		fn(ctx)
	})
}

// wait returns when no job runs.
func (j *jobs) wait() { j.wg.Wait() }

// lastSegment returns what follows the last slash of a URL or path.
func lastSegment(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}
