package xfn

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
)

// DefaultTimeout bounds one RunFunction call when no WithTimeout option is
// given.
const DefaultTimeout = 30 * time.Second

// Files LoadTLSConfig reads from a certificates directory: the CA that signs
// function servers' certificates, and the client's own certificate and key.
// They are the names Crossplane's function TLS secrets use.
const (
	CACertFile     = "ca.crt"
	ClientCertFile = "tls.crt"
	ClientKeyFile  = "tls.key"
)

// A GRPCRunner runs composition functions over gRPC. It finds a function's
// endpoint in the status of the pkg.crossplane.io/v1 Function of that name,
// and keeps one connection per endpoint until Close.
type GRPCRunner struct {
	functions client.Reader
	tls       *tls.Config
	insecure  bool
	timeout   time.Duration

	mu     sync.Mutex
	conns  map[string]*grpc.ClientConn
	closed bool
}

// A GRPCRunnerOption configures a GRPCRunner.
type GRPCRunnerOption func(r *GRPCRunner)

// WithTLSConfig makes the GRPCRunner authenticate function servers, and
// itself to them, with the supplied TLS configuration. See LoadTLSConfig.
func WithTLSConfig(c *tls.Config) GRPCRunnerOption {
	return func(r *GRPCRunner) {
		r.tls = c
	}
}

// WithInsecure makes the GRPCRunner talk to function servers in plaintext,
// without authentication. It is for development only: functions served with
// --insecure accept it.
func WithInsecure() GRPCRunnerOption {
	return func(r *GRPCRunner) {
		r.insecure = true
	}
}

// WithTimeout bounds each RunFunction call. The default is DefaultTimeout.
func WithTimeout(d time.Duration) GRPCRunnerOption {
	return func(r *GRPCRunner) {
		r.timeout = d
	}
}

// NewGRPCRunner returns a GRPCRunner that reads Functions through c. It uses
// mTLS: supply WithTLSConfig, or WithInsecure for development; with neither,
// every call fails with an error that says so.
func NewGRPCRunner(c client.Reader, opts ...GRPCRunnerOption) *GRPCRunner {
	r := &GRPCRunner{
		functions: c,
		timeout:   DefaultTimeout,
		conns:     map[string]*grpc.ClientConn{},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// RunFunction runs the named function at the endpoint its Function reports.
// It sets meta.tag when the request has none.
func (r *GRPCRunner) RunFunction(ctx context.Context, name string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	endpoint, err := FunctionEndpoint(ctx, r.functions, name)
	if err != nil {
		return nil, err
	}
	if endpoint == "" {
		return nil, errors.Errorf("function %q has no endpoint: is it installed and healthy?", name)
	}
	conn, err := r.conn(endpoint)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot connect to function %q at %s", name, endpoint)
	}

	if req.GetMeta().GetTag() == "" {
		req = proto.CloneOf(req)
		if req.Meta == nil {
			req.Meta = &fnv1.RequestMeta{}
		}
		req.Meta.Tag = Tag(req)
	}

	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	rsp, err := fnv1.NewFunctionRunnerServiceClient(conn).RunFunction(ctx, req)
	if err != nil {
		return nil, rpcError(err, name, endpoint, r.timeout)
	}
	return rsp, nil
}

// rpcError says what a failed RunFunction call means for the caller.
func rpcError(err error, name, endpoint string, timeout time.Duration) error {
	switch status.Code(err) {
	case codes.Unavailable:
		return errors.Wrapf(err, "cannot reach function %q at %s (is it running, and do its TLS settings match ours?)", name, endpoint)
	case codes.DeadlineExceeded:
		return errors.Wrapf(err, "function %q at %s did not answer within %s", name, endpoint, timeout)
	case codes.Unimplemented:
		return errors.Wrapf(err, "function %q at %s does not serve apiextensions.fn.proto.v1 RunFunction", name, endpoint)
	default:
		return errors.Wrapf(err, "function %q at %s failed", name, endpoint)
	}
}

// conn returns the cached connection to endpoint, creating it if needed.
// Connections are lazy: dial failures surface from the first call.
func (r *GRPCRunner) conn(endpoint string) (*grpc.ClientConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("the function runner is closed")
	}
	if c, ok := r.conns[endpoint]; ok {
		return c, nil
	}
	var creds credentials.TransportCredentials
	switch {
	case r.tls != nil:
		creds = credentials.NewTLS(r.tls)
	case r.insecure:
		creds = insecure.NewCredentials()
	default:
		return nil, errors.New("no TLS configuration: load client certificates with LoadTLSConfig and pass WithTLSConfig, or pass WithInsecure for functions served with --insecure")
	}
	c, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, errors.Wrap(err, "cannot create gRPC client")
	}
	r.conns[endpoint] = c
	return c, nil
}

// Close closes every cached connection. The runner cannot be used after.
func (r *GRPCRunner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	var errs []error
	for endpoint, c := range r.conns {
		if err := c.Close(); err != nil {
			errs = append(errs, errors.Wrapf(err, "cannot close connection to %s", endpoint))
		}
		delete(r.conns, endpoint)
	}
	return errors.Join(errs...)
}

// FunctionEndpoint returns the endpoint in the status of the Function named
// name, or an empty string when the Function has none yet. It fails with an
// error that says what to do when no such Function exists.
func FunctionEndpoint(ctx context.Context, c client.Reader, name string) (string, error) {
	fn := &pkgv1.Function{}
	if err := c.Get(ctx, client.ObjectKey{Name: name}, fn); err != nil {
		if kerrors.IsNotFound(err) {
			return "", errors.Errorf("function %q is not installed: create a %s Function named %q", name, pkgv1.SchemeGroupVersion, name)
		}
		return "", errors.Wrapf(err, "cannot get Function %q", name)
	}
	return fn.Status.Endpoint, nil
}

// Tag returns a tag that identifies the request's content: two requests with
// the same tag carry the same observed and desired state, input, context,
// credentials and required resources. Functions may use it to cache
// responses. Meta is not part of the tag.
func Tag(req *fnv1.RunFunctionRequest) string {
	c := proto.CloneOf(req)
	c.Meta = nil
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		// A request we built ourselves always marshals; an empty tag only
		// turns off caching.
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// LoadTLSConfig loads a client TLS configuration for function calls from
// dir: ca.crt, the CA that signed the functions' server certificates, and
// tls.crt and tls.key, the client certificate functions verify.
func LoadTLSConfig(dir string) (*tls.Config, error) {
	crt, err := tls.LoadX509KeyPair(filepath.Join(dir, ClientCertFile), filepath.Join(dir, ClientKeyFile))
	if err != nil {
		return nil, errors.Wrapf(err, "cannot load client certificate %s and key %s from %s", ClientCertFile, ClientKeyFile, dir)
	}
	ca, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read CA certificate %s from %s", CACertFile, dir)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.Errorf("cannot parse CA certificate %s: it holds no PEM certificate", filepath.Join(dir, CACertFile))
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{crt},
		RootCAs:      pool,
	}, nil
}
