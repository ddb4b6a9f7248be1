// Package aws emulates the parts of Amazon RDS and Amazon EC2 that Stratus
// manages, in the AWS Query protocol as the official SDKs speak it: signed
// (SigV4) form-encoded POSTs answered in XML. Every RDS DB instance is a
// real PostgreSQL server; every resource lives in the local cloud's state
// folder, per region, and outlives a restart.
package aws

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// The APIs the service serves, named as the fault injector and the SigV4
// credential scope name them.
const (
	apiRDS = "rds"
	apiEC2 = "ec2"
)

// DefaultAccountID is the account that owns every resource unless
// Options.AccountID says otherwise; moto and LocalStack use the same.
const DefaultAccountID = "000000000000"

// maxBody is the largest request body accepted; AWS's limit for Query
// requests is far lower than any body a real client sends here.
const maxBody = 1 << 20

// Options configure the AWS service.
type Options struct {
	// Credentials are the access keys requests may be signed with (access
	// key ID to secret access key); empty means {"test": "test"}.
	Credentials map[string]string
	// AccountID owns every resource; DefaultAccountID when empty.
	AccountID string
}

// A Service serves RDS and EC2 on one handler.
type Service struct {
	env     *cloud.Env
	account string
	verify  verifier
	handler http.Handler

	// mu makes every API call and every state change of Tick one step, so
	// that checks across resources (a VPC's subnets, a group's users) hold.
	mu sync.Mutex
	// tickMu keeps Ticks from overlapping.
	tickMu sync.Mutex

	dbs          *store.Table[dbInstance]
	subnetGroups *store.Table[dbSubnetGroup]
	regions      *store.Table[regionState]
	vpcs         *store.Table[vpc]
	subnets      *store.Table[subnet]
	groups       *store.Table[securityGroup]
	instances    *store.Table[instance]

	rdsActions map[string]rdsAction
	ec2Actions map[string]ec2Action
}

// New returns the AWS service over env.
func New(env *cloud.Env, o Options) (*Service, error) {
	creds := o.Credentials
	if len(creds) == 0 {
		creds = map[string]string{"test": "test"}
	}
	s := &Service{env: env, account: o.AccountID, verify: verifier{secrets: creds, now: env.Now}}
	if s.account == "" {
		s.account = DefaultAccountID
	}
	var err error
	if s.dbs, err = store.NewTable[dbInstance](env.Store, "aws/rds/dbinstances"); err != nil {
		return nil, errors.Wrap(err, "cannot open the DB instances table")
	}
	if s.subnetGroups, err = store.NewTable[dbSubnetGroup](env.Store, "aws/rds/dbsubnetgroups"); err != nil {
		return nil, errors.Wrap(err, "cannot open the DB subnet groups table")
	}
	if s.regions, err = store.NewTable[regionState](env.Store, "aws/ec2/regions"); err != nil {
		return nil, errors.Wrap(err, "cannot open the regions table")
	}
	if s.vpcs, err = store.NewTable[vpc](env.Store, "aws/ec2/vpcs"); err != nil {
		return nil, errors.Wrap(err, "cannot open the VPCs table")
	}
	if s.subnets, err = store.NewTable[subnet](env.Store, "aws/ec2/subnets"); err != nil {
		return nil, errors.Wrap(err, "cannot open the subnets table")
	}
	if s.groups, err = store.NewTable[securityGroup](env.Store, "aws/ec2/securitygroups"); err != nil {
		return nil, errors.Wrap(err, "cannot open the security groups table")
	}
	if s.instances, err = store.NewTable[instance](env.Store, "aws/ec2/instances"); err != nil {
		return nil, errors.Wrap(err, "cannot open the instances table")
	}
	s.rdsActions = s.rdsRoutes()
	s.ec2Actions = s.ec2Routes()
	rds := env.Faults.Wrap(apiRDS, rdsResponder{}, http.HandlerFunc(s.serveRDS))
	ec2 := env.Faults.Wrap(apiEC2, ec2Responder{}, http.HandlerFunc(s.serveEC2))
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			writeRDSError(w, requestID(), clientError("MalformedQueryString", "The request body cannot be read or is larger than %d bytes.", maxBody))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		switch api := apiOf(r, body); api {
		case apiRDS:
			rds.ServeHTTP(w, r)
		case apiEC2:
			ec2.ServeHTTP(w, r)
		default:
			writeRDSError(w, requestID(), clientError("InvalidAction", "The local cloud's AWS endpoint serves RDS and EC2 only; this request is for %q.", api))
		}
	})
	return s, nil
}

// Name returns "aws".
func (s *Service) Name() string { return "aws" }

// Handler serves RDS and EC2, with faults injected per API.
func (s *Service) Handler() http.Handler { return s.handler }

// apiOf tells which API a request is for: the service of its credential
// scope or, for an unsigned request, its Version (or Action).
func apiOf(r *http.Request, body []byte) string {
	if a, err := parseAuthorization(r.Header.Get("Authorization")); err == nil {
		return a.Scope.Service
	}
	p, err := parseParams(string(body))
	if err != nil {
		return apiRDS
	}
	switch p.str("Version") {
	case rdsVersion:
		return apiRDS
	case ec2Version:
		return apiEC2
	}
	if _, ok := ec2ActionNames[p.str("Action")]; ok {
		return apiEC2
	}
	return apiRDS
}

// A call is one API request once authenticated and parsed.
type call struct {
	// Region is the region of the credential scope.
	Region string
	// Action is the requested action.
	Action string
	// Params are the request's parameters.
	Params params
	// Now is when the request arrived.
	Now time.Time
}

// authenticate reads and verifies a request, returning the call it makes.
func (s *Service) authenticate(r *http.Request, api string) (call, *apiError) {
	body, _ := io.ReadAll(r.Body)
	sc, err := s.verify.verify(r, body)
	if err != nil {
		return call{}, authError(api, err)
	}
	if !validRegion(sc.Region) {
		return call{}, newError(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '%s'.", sc.Region)
	}
	p, err := parseParams(string(body))
	if err != nil {
		return call{}, clientError("MalformedQueryString", "The request body is not a valid form-encoded query.")
	}
	for k, v := range r.URL.Query() {
		if _, ok := p[k]; !ok && len(v) > 0 {
			p[k] = v[0]
		}
	}
	return call{Region: sc.Region, Action: p.str("Action"), Params: p, Now: s.env.Now()}, nil
}

// authError maps an authentication failure to the API's error.
func authError(api string, err error) *apiError {
	var p *signatureError
	if !errors.As(err, &p) {
		return newError(http.StatusForbidden, "SignatureDoesNotMatch", "%s", err.Error())
	}
	switch p.kind {
	case authMissing:
		if api == apiEC2 {
			return newError(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return newError(http.StatusForbidden, "MissingAuthenticationToken", "%s", p.message)
	case authMalformed:
		return clientError("IncompleteSignature", "%s", p.message)
	case authUnknownKey:
		if api == apiEC2 {
			return newError(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return newError(http.StatusForbidden, "InvalidClientTokenId", "%s", p.message)
	case authExpired:
		if api == apiEC2 {
			return clientError("RequestExpired", "Request has expired.")
		}
		return newError(http.StatusForbidden, "SignatureDoesNotMatch", "%s", p.message)
	default:
		return newError(http.StatusForbidden, "SignatureDoesNotMatch", "%s", p.message)
	}
}

// asAPIError returns err as an API error; errors the service did not mean
// for the client become an internal failure in the API's terms.
func (s *Service) asAPIError(api string, action string, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var bp *paramError
	if errors.As(err, &bp) {
		return invalidValue("%s", bp.Error())
	}
	s.env.Log.Info("AWS request failed", "api", api, "action", action, "error", err)
	if api == apiEC2 {
		return newError(http.StatusInternalServerError, "InternalError", "An internal error has occurred.")
	}
	return newError(http.StatusInternalServerError, "InternalFailure", "An internal error has occurred.")
}

// recovered turns a panic in a handler into an internal error; bad input
// is validated before use, so this is only a last line.
func (s *Service) recovered(api, action string, write func(*apiError)) {
	if v := recover(); v != nil {
		s.env.Log.Info("AWS request handler panicked", "api", api, "action", action, "panic", v, "stack", string(debug.Stack()))
		write(s.asAPIError(api, action, errors.Errorf("panic: %v", v)))
	}
}

// Tick moves every resource whose transition is due: DB instances that
// finished creating, modifying, stopping or deleting; EC2 instances that
// finished starting, stopping or terminating.
func (s *Service) Tick(ctx context.Context, now time.Time) {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	s.tickDBs(ctx, now)
	s.tickInstances(now)
}

// Reset deletes every resource of every region, removing the PostgreSQL
// servers of DB instances and releasing the instances' addresses.
func (s *Service) Reset(_ context.Context) error {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	dbs, err := s.dbs.List()
	if err != nil {
		return err
	}
	for _, db := range dbs {
		if err := s.env.PG.Remove(db.pgID()); err != nil {
			return errors.Wrapf(err, "cannot remove the server of DB instance %s", db.ID)
		}
	}
	ins, err := s.instances.List()
	if err != nil {
		return err
	}
	for _, in := range ins {
		if err := s.releaseAddresses(in.ID); err != nil {
			return err
		}
	}
	for _, t := range []interface{ Clear() error }{s.dbs, s.subnetGroups, s.instances, s.groups, s.subnets, s.vpcs, s.regions} {
		if err := t.Clear(); err != nil {
			return errors.Wrap(err, "cannot clear AWS state")
		}
	}
	return nil
}
