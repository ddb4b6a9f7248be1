// Package localcloud runs Stratus's local cloud: AWS, GCP and Azure
// management APIs on loopback ports, spoken as the official SDKs speak them,
// with a real PostgreSQL server behind every database instance and all state
// kept in one folder.
//
// Each cloud is a cloud.Service in its own package (aws, gcp, azure); this
// package gives them a shared environment, serves each on its port, drives
// their asynchronous work, and serves the admin API (list and reset
// resources, set faults).
package localcloud

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	xerrors "github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// Default ports of `stratus localcloud`. 4566 is where LocalStack serves AWS,
// so tools configured for it find the local cloud's AWS there too.
const (
	DefaultAWSPort   = 4566
	DefaultGCPPort   = 4567
	DefaultAzurePort = 4568
	DefaultAdminPort = 4569
)

// settleTimeout bounds how long a start waits for the PostgreSQL servers of
// a previous run to come back.
const settleTimeout = time.Minute

const (
	endpointsFile  = "endpoints.json"
	signingKeyFile = "signing-key"
	stateDir       = "state"
	postgresDir    = "postgres"
	tlsDir         = "tls"
)

// Ports are where the APIs listen. A zero port reuses the port the local
// cloud had the last time it ran over the same folder, if it is free, and
// otherwise any free port, so that a restarted local cloud keeps the
// endpoints its clients know.
type Ports struct {
	AWS   int
	GCP   int
	Azure int
	Admin int
}

// Options configure a local cloud.
type Options struct {
	// Dir holds all state: resources, PostgreSQL data, certificates.
	Dir string
	// Ports are the APIs' ports.
	Ports Ports
	// Delays are the lengths of asynchronous transitions.
	Delays cloud.Delays
	// AWSCredentials are the access keys AWS requests may be signed with
	// (access key ID to secret); empty means the key "test" with secret
	// "test".
	AWSCredentials map[string]string
	// AzureClients are the client IDs and secrets the token endpoint
	// accepts; empty accepts any client.
	AzureClients map[string]string
	// GCPRequireAuth refuses GCP requests without a bearer token.
	GCPRequireAuth bool
	// Faults are the faults to inject from the start, per API.
	Faults map[string]fault.Config
	// PostgresBinDir holds PostgreSQL's binaries; pg.DefaultBinDir when
	// empty.
	PostgresBinDir string
	// Logger receives progress; a nop logger when nil.
	Logger logging.Logger
}

// Endpoints are where a running local cloud serves.
type Endpoints struct {
	// AWS serves RDS and EC2 (the Query protocol); use it as the SDK's base
	// endpoint for both.
	AWS string `json:"aws"`
	// GCP serves Cloud SQL Admin (/v1/...) and Compute (/compute/v1/...).
	GCP string `json:"gcp"`
	// Azure serves Resource Manager and the Entra ID token endpoint over
	// HTTPS, with a certificate signed by AzureCA.
	Azure string `json:"azure"`
	// AzureCA is the PEM file of the CA that signed the Azure endpoint's
	// certificate.
	AzureCA string `json:"azureCA"`
	// Admin serves the admin API.
	Admin string `json:"admin"`
}

// A Factory builds one cloud's service in env.
type Factory func(env *cloud.Env, o Options) (cloud.Service, error)

// A Cloud is a running local cloud.
type Cloud struct {
	env       *cloud.Env
	services  []cloud.Service
	endpoints Endpoints
	servers   []*http.Server
	log       logging.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error

	closeOnce sync.Once
	closeErr  error
}

// Start starts a local cloud with the AWS, GCP and Azure services.
func Start(ctx context.Context, o Options) (*Cloud, error) {
	return StartWith(ctx, o, Services()...)
}

// StartWith starts a local cloud serving the services the factories build,
// in order: the first on the AWS port, then GCP, then Azure (over HTTPS).
func StartWith(ctx context.Context, o Options, factories ...Factory) (*Cloud, error) {
	if o.Logger == nil {
		o.Logger = logging.NewNopLogger()
	}
	if o.Delays == (cloud.Delays{}) {
		o.Delays = cloud.DefaultDelays()
	}
	if o.Dir == "" {
		return nil, xerrors.New("the local cloud needs a state folder")
	}
	// Searchable by others: PostgreSQL servers run as the postgres user when
	// the local cloud runs as root. Files holding secrets are private.
	if err := os.MkdirAll(o.Dir, 0o755); err != nil { //nolint:gosec // G301: see above.
		return nil, xerrors.Wrapf(err, "cannot create state folder %s", o.Dir)
	}
	env, err := newEnv(o)
	if err != nil {
		return nil, err
	}
	c := &Cloud{env: env, log: o.Logger, errs: make(chan error, 8)}
	ok := false
	defer func() {
		if !ok {
			_ = c.Close()
		}
	}()
	for _, f := range factories {
		svc, err := f(env, o)
		if err != nil {
			return nil, err
		}
		c.services = append(c.services, svc)
	}
	// Bring back the PostgreSQL servers of a previous run before serving:
	// the services ask for them on their first tick.
	for _, svc := range c.services {
		svc.Tick(ctx, env.Now())
	}
	sctx, scancel := context.WithTimeout(ctx, settleTimeout)
	err = env.PG.Settle(sctx)
	scancel()
	if err != nil {
		o.Logger.Info("Serving before every PostgreSQL server is back", "error", err)
	}
	if err := c.listen(o); err != nil {
		return nil, err
	}
	tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	c.wg.Add(1)
	go c.tick(tctx)
	ok = true
	return c, nil
}

func newEnv(o Options) (*cloud.Env, error) {
	s, err := store.Open(filepath.Join(o.Dir, stateDir))
	if err != nil {
		return nil, err
	}
	m, err := pg.New(pg.Options{Dir: filepath.Join(o.Dir, postgresDir), BinDir: o.PostgresBinDir, Logger: o.Logger.WithValues("component", "postgres")})
	if err != nil {
		return nil, err
	}
	ipam, err := cloud.NewIPAM(s)
	if err != nil {
		return nil, err
	}
	key, err := signingKey(o.Dir)
	if err != nil {
		return nil, err
	}
	faults := fault.NewInjector()
	for api, fc := range o.Faults {
		if err := faults.Set(api, fc); err != nil {
			return nil, err
		}
	}
	return &cloud.Env{
		Store:      s,
		PG:         m,
		Faults:     faults,
		Delays:     o.Delays,
		IPs:        ipam,
		SigningKey: key,
		Now:        time.Now,
		Log:        o.Logger,
	}, nil
}

// signingKey returns the local cloud's persistent token key.
func signingKey(dir string) ([]byte, error) {
	p := filepath.Join(dir, signingKeyFile)
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, xerrors.Wrap(err, "cannot generate the token signing key")
	}
	return b, xerrors.Wrap(writeFileAtomic(p, b, 0o600), "cannot store the token signing key")
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// listener opens 127.0.0.1:port, or when port is 0 the port recorded in
// last (if free) or any free port.
func listener(port, last int) (net.Listener, error) {
	lc := &net.ListenConfig{}
	if port == 0 && last != 0 {
		if l, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(last))); err == nil {
			return l, nil
		}
	}
	l, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, xerrors.Wrapf(err, "cannot listen on 127.0.0.1:%d (is another local cloud running? pick another port with the flags)", port)
	}
	return l, nil
}

func portOf(u string) int {
	_, p, err := net.SplitHostPort(trimScheme(u))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

func trimScheme(u string) string {
	for _, s := range []string{"http://", "https://"} {
		if len(u) > len(s) && u[:len(s)] == s {
			return u[len(s):]
		}
	}
	return u
}

func (c *Cloud) listen(o Options) error {
	var last Endpoints
	if b, err := os.ReadFile(filepath.Join(o.Dir, endpointsFile)); err == nil {
		_ = json.Unmarshal(b, &last)
	}
	certs, err := ensureTLS(filepath.Join(o.Dir, tlsDir))
	if err != nil {
		return err
	}
	type slot struct {
		port, last int
		url        *string
		handler    http.Handler
		tls        bool
	}
	slots := []slot{}
	wanted := []struct {
		port, last int
		url        *string
		tls        bool
	}{
		{o.Ports.AWS, portOf(last.AWS), &c.endpoints.AWS, false},
		{o.Ports.GCP, portOf(last.GCP), &c.endpoints.GCP, false},
		{o.Ports.Azure, portOf(last.Azure), &c.endpoints.Azure, true},
	}
	for i, svc := range c.services {
		if i >= len(wanted) {
			return xerrors.Errorf("the local cloud serves at most %d clouds", len(wanted))
		}
		w := wanted[i]
		slots = append(slots, slot{port: w.port, last: w.last, url: w.url, handler: svc.Handler(), tls: w.tls})
	}
	slots = append(slots, slot{port: o.Ports.Admin, last: portOf(last.Admin), url: &c.endpoints.Admin, handler: c.adminHandler()})
	c.endpoints.AzureCA = certs.caFile
	for _, s := range slots {
		l, err := listener(s.port, s.last)
		if err != nil {
			return err
		}
		scheme := "http"
		srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
		if s.tls {
			scheme = "https"
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{certs.serving}, MinVersion: tls.VersionTLS12}
			l = tls.NewListener(l, srv.TLSConfig)
		}
		*s.url = fmt.Sprintf("%s://%s", scheme, l.Addr().String())
		c.servers = append(c.servers, srv)
		c.wg.Go(func() {
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				c.errs <- xerrors.Wrapf(err, "cannot serve %s", *s.url)
			}
		})
	}
	b, err := json.MarshalIndent(c.endpoints, "", "  ")
	if err != nil {
		return xerrors.Wrap(err, "cannot encode endpoints")
	}
	return xerrors.Wrap(writeFileAtomic(filepath.Join(o.Dir, endpointsFile), append(b, '\n'), 0o600), "cannot record endpoints")
}

// tick drives every service's asynchronous work.
func (c *Cloud) tick(ctx context.Context) {
	defer c.wg.Done()
	t := time.NewTicker(cloud.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for _, s := range c.services {
				s.Tick(ctx, now)
			}
		}
	}
}

// Endpoints returns where the local cloud serves.
func (c *Cloud) Endpoints() Endpoints { return c.endpoints }

// Env returns the environment the services share.
func (c *Cloud) Env() *cloud.Env { return c.env }

// Err returns a channel that receives an error if a server stops serving.
func (c *Cloud) Err() <-chan error { return c.errs }

// Reset deletes every resource of every cloud.
func (c *Cloud) Reset(ctx context.Context) error {
	for _, s := range c.services {
		if err := s.Reset(ctx); err != nil {
			return xerrors.Wrapf(err, "cannot reset %s", s.Name())
		}
	}
	return c.env.IPs.Reset()
}

// Close stops serving and stops every PostgreSQL server, keeping all state
// for the next start.
func (c *Cloud) Close() error {
	c.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, s := range c.servers {
			if err := s.Shutdown(ctx); err != nil {
				_ = s.Close()
			}
		}
		if c.cancel != nil {
			c.cancel()
		}
		c.wg.Wait()
		c.closeErr = c.env.PG.Close()
	})
	return c.closeErr
}
