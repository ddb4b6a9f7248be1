// Package azure emulates the Azure APIs the local cloud serves: the Entra ID
// token endpoint (client credentials) and Azure Resource Manager with
// resource groups, PostgreSQL flexible servers (real PostgreSQL servers),
// virtual networks, network interfaces, public IP addresses and virtual
// machines, with long-running operations as azcore's pollers expect them.
package azure

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// Options configure the Azure service.
type Options struct {
	// Clients maps client (application) IDs to their secrets. When empty,
	// the token endpoint issues tokens to any client ID with any secret.
	Clients map[string]string
}

// A Service is the emulated Azure: Entra ID and Azure Resource Manager.
type Service struct {
	env     *cloud.Env
	clients map[string]string

	// mu serializes changes to resources: requests that write and the
	// commits of Tick. Reads go to the tables directly.
	mu sync.Mutex
	// tick keeps Tick calls from overlapping.
	tick sync.Mutex

	// up caches which PostgreSQL servers Tick last found ready, so that a
	// server at rest whose PostgreSQL server is not (yet) running again
	// after a restart of the local cloud shows Starting, not Ready.
	upMu sync.Mutex
	up   map[string]bool

	groups    *store.Table[groupRow]
	ops       *store.Table[operation]
	servers   *store.Table[serverRow]
	databases *store.Table[databaseRow]
	rules     *store.Table[firewallRow]
	vnets     *store.Table[vnetRow]
	subnets   *store.Table[subnetRow]
	nics      *store.Table[nicRow]
	pips      *store.Table[pipRow]
	vms       *store.Table[vmRow]
}

var _ cloud.Service = &Service{}

// New returns the Azure service keeping its state in env.Store.
func New(env *cloud.Env, o Options) (*Service, error) {
	if env == nil || env.Store == nil || env.PG == nil || env.IPs == nil || env.Faults == nil {
		return nil, errors.New("cannot create the Azure service: the environment is incomplete")
	}
	if len(env.SigningKey) == 0 {
		return nil, errors.New("cannot create the Azure service: the environment has no signing key")
	}
	s := &Service{env: env, clients: map[string]string{}, up: map[string]bool{}}
	maps.Copy(s.clients, o.Clients)
	var err error
	open := func(name string, fn func() error) {
		if err == nil {
			err = errors.Wrapf(fn(), "cannot open table %s", name)
		}
	}
	open("groups", func() (e error) {
		s.groups, e = store.NewTable[groupRow](env.Store, "azure/resources/resourcegroups")
		return
	})
	open("operations", func() (e error) { s.ops, e = store.NewTable[operation](env.Store, "azure/operations"); return })
	open("servers", func() (e error) {
		s.servers, e = store.NewTable[serverRow](env.Store, "azure/postgresql/flexibleservers")
		return
	})
	open("databases", func() (e error) {
		s.databases, e = store.NewTable[databaseRow](env.Store, "azure/postgresql/databases")
		return
	})
	open("firewall rules", func() (e error) {
		s.rules, e = store.NewTable[firewallRow](env.Store, "azure/postgresql/firewallrules")
		return
	})
	open("virtual networks", func() (e error) {
		s.vnets, e = store.NewTable[vnetRow](env.Store, "azure/network/virtualnetworks")
		return
	})
	open("subnets", func() (e error) { s.subnets, e = store.NewTable[subnetRow](env.Store, "azure/network/subnets"); return })
	open("network interfaces", func() (e error) {
		s.nics, e = store.NewTable[nicRow](env.Store, "azure/network/networkinterfaces")
		return
	})
	open("public IP addresses", func() (e error) {
		s.pips, e = store.NewTable[pipRow](env.Store, "azure/network/publicipaddresses")
		return
	})
	open("virtual machines", func() (e error) { s.vms, e = store.NewTable[vmRow](env.Store, "azure/compute/virtualmachines"); return })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Name is "azure".
func (s *Service) Name() string { return "azure" }

// Handler serves Entra ID's token endpoint and Azure Resource Manager. ARM
// requests need a bearer token from the token endpoint; faults configured for
// the "arm" API apply to them, not to the token endpoint.
func (s *Service) Handler() http.Handler {
	arm := s.env.Faults.Wrap("arm", responder{}, s.authenticate(http.HandlerFunc(s.serveARM)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.env.Log.Info("Azure request panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, internalError())
			}
		}()
		id := newID()
		w.Header().Set("x-ms-request-id", id)
		w.Header().Set("x-ms-correlation-request-id", id)
		if s.serveIdentity(w, r) {
			return
		}
		arm.ServeHTTP(w, r)
	})
}

// responder answers injected faults the way ARM does.
type responder struct{}

func (responder) Throttle(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Retry-After", "1")
	writeError(w, &apiError{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Message: "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits"})
}

func (responder) ServerError(w http.ResponseWriter, _ *http.Request) {
	writeError(w, &apiError{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "Encountered internal server error. Diagnostic information: timestamp '" + time.Now().UTC().Format("20060102T150405Z") + "'."})
}

// A request is one ARM request on a resource type, with the resource group
// it is under.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	rt    route
	group groupRow
	now   time.Time
}

// serveARM routes an authenticated ARM request.
func (s *Service) serveARM(w http.ResponseWriter, r *http.Request) {
	rt := parseRoute(r.URL.Path)
	if rt.Kind == routeUnknown {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "NotFound", Message: fmt.Sprintf("No HTTP resource was found that matches the request URI '%s'.", r.URL.Path)})
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		writeError(w, badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."))
		return
	}
	switch rt.Kind {
	case routeSubscription:
		s.subscription(w, r, rt)
		return
	case routeOperation:
		s.serveOperationStatus(w, r, rt)
		return
	case routeOperationResult:
		s.serveOperationResult(w, r, rt)
		return
	case routeGroups, routeGroup:
		s.resourceGroups(w, r, rt)
		return
	}
	req, e := s.resourceRequest(w, r, rt)
	if e == nil {
		e = resourceHandlers[rt.TypeKey()](s, req)
	}
	if e != nil {
		writeError(w, e)
	}
}

// resourceHandlers serve the resource types the local cloud emulates, by
// lower-case type path.
var resourceHandlers = map[string]func(*Service, *request) *apiError{
	"microsoft.dbforpostgresql/flexibleservers":               (*Service).flexibleServers,
	"microsoft.dbforpostgresql/flexibleservers/databases":     (*Service).pgDatabases,
	"microsoft.dbforpostgresql/flexibleservers/firewallrules": (*Service).firewallRules,
	"microsoft.network/virtualnetworks":                       (*Service).virtualNetworks,
	"microsoft.network/virtualnetworks/subnets":               (*Service).subnetsAPI,
	"microsoft.network/networkinterfaces":                     (*Service).networkInterfaces,
	"microsoft.network/publicipaddresses":                     (*Service).publicIPAddresses,
	"microsoft.compute/virtualmachines":                       (*Service).virtualMachines,
}

// otherDatabases are the namespaces of database engines other than
// PostgreSQL, which the local cloud refuses with a message saying so.
var otherDatabases = map[string]bool{"microsoft.dbformysql": true, "microsoft.dbformariadb": true, "microsoft.sql": true, "microsoft.documentdb": true}

// resourceRequest checks that a request names an emulated resource type in
// an existing resource group, and returns it with the group.
func (s *Service) resourceRequest(w http.ResponseWriter, r *http.Request, rt route) (*request, *apiError) {
	ns, ok := namespaces[strings.ToLower(rt.Provider)]
	if otherDatabases[strings.ToLower(rt.Provider)] {
		return nil, badRequest("InvalidResourceNamespace", "The resource namespace '%s' is not emulated: the local cloud runs PostgreSQL only. Use Microsoft.DBforPostgreSQL/flexibleServers.", rt.Provider)
	}
	if !ok {
		return nil, badRequest("InvalidResourceNamespace", "The resource namespace '%s' is invalid or is not emulated by the local cloud.", rt.Provider)
	}
	if _, ok := resourceHandlers[rt.TypeKey()]; !ok {
		return nil, badRequest("InvalidResourceType", "The resource type '%s' could not be found in the namespace '%s' for api version '%s'. The local cloud does not emulate it.", strings.Join(rt.Types, "/"), ns, r.URL.Query().Get("api-version"))
	}
	req := &request{w: w, r: r, rt: rt, now: s.env.Now().UTC()}
	if rt.Group == "" {
		return req, nil
	}
	g, found, err := s.groups.Get(groupKey(rt.Sub, rt.Group))
	switch {
	case err != nil:
		return nil, internalError()
	case !found:
		return nil, groupNotFound(rt.Group)
	}
	req.group = g
	return req, nil
}

// subscription answers a subscription lookup: every subscription exists in
// the local cloud.
func (s *Service) subscription(w http.ResponseWriter, r *http.Request, rt route) {
	if r.Method != http.MethodGet {
		writeError(w, methodNotAllowed(r))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":             "/subscriptions/" + rt.Sub,
		"subscriptionId": rt.Sub,
		"displayName":    "Local cloud subscription",
		"state":          "Enabled",
		"tenantId":       "00000000-0000-0000-0000-000000000000",
		"subscriptionPolicies": map[string]any{
			"locationPlacementId": "Public_2014-09-01",
			"quotaId":             "PayAsYouGo_2014-09-01",
			"spendingLimit":       "Off",
		},
	})
}

func methodNotAllowed(r *http.Request) *apiError {
	return &apiError{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method)}
}

// unsupportedAction answers an action the local cloud does not emulate.
func unsupportedAction(rt route) *apiError {
	return badRequest("InvalidResourceType", "The resource type '%s/%s' could not be found in the namespace '%s'. The local cloud does not emulate the action.", strings.Join(rt.Types, "/"), rt.Action, rt.Provider)
}

// groupPrefix is the key prefix of every resource in a resource group, or in
// a subscription when group is empty.
func groupPrefix(sub, group string) string {
	if group == "" {
		return key("/subscriptions/"+sub) + "/"
	}
	return groupKey(sub, group) + "/"
}

// A pending transition of a resource: what it is doing, until when, and the
// operation a client polls for it. An empty Phase is a resource at rest.
type pending struct {
	Phase string    `json:"phase,omitempty"`
	Until time.Time `json:"until,omitzero"`
	Op    string    `json:"op,omitempty"`
}

// Phases of resources.
const (
	phaseCreate     = "create"
	phaseUpdate     = "update"
	phaseDelete     = "delete"
	phaseStart      = "start"
	phaseStop       = "stop"
	phaseDeallocate = "deallocate"
	phaseRestart    = "restart"
)

func (p pending) due(now time.Time) bool { return p.Phase != "" && !now.Before(p.Until) }

// A lifer is a resource row with a lifecycle.
type lifer interface{ life() *pending }

// errStale says a row left the transition Tick was finishing.
var errStale = errors.New("the resource changed")

// commit applies fn to row id under the service lock if the row is still in
// transition seen. It reports whether fn ran and its change was stored.
func commit[T any, P interface {
	*T
	lifer
}](s *Service, t *store.Table[T], id string, seen pending, fn func(P) error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := t.Update(id, func(v *T) error {
		if *P(v).life() != seen {
			return errStale
		}
		return fn(P(v))
	})
	if err != nil && !errors.Is(err, errStale) && !errors.Is(err, store.ErrNotFound) {
		s.env.Log.Info("cannot update resource", "id", id, "error", err)
	}
	return err == nil
}

// remove deletes row id under the service lock if it is still in
// transition seen, and reports whether it did.
func remove[T any, P interface {
	*T
	lifer
}](s *Service, t *store.Table[T], id string, seen pending) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok, err := t.Get(id)
	if err != nil || !ok || *P(&v).life() != seen {
		return false
	}
	if err := t.Delete(id); err != nil {
		s.env.Log.Info("cannot delete resource", "id", id, "error", err)
		return false
	}
	return true
}

// inGroup returns the rows of t whose keys start with prefix.
func inGroup[T any](t *store.Table[T], prefix string) []string {
	var out []string
	for _, id := range t.IDs() {
		if strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	return out
}

// Tick finishes transitions whose time has come and keeps the PostgreSQL
// servers of flexible servers running.
func (s *Service) Tick(ctx context.Context, now time.Time) {
	if !s.tick.TryLock() {
		return
	}
	defer s.tick.Unlock()
	now = now.UTC()
	s.tickServers(ctx, now)
	s.tickDatabases(ctx, now)
	s.tickFirewallRules(now)
	s.tickVirtualMachines(now)
	s.tickNetworkInterfaces(now)
	s.tickPublicIPs(now)
	s.tickSubnets(now)
	s.tickVirtualNetworks(now)
	s.tickGroups(now)
	s.purgeOps(now)
}

// Reset deletes every Azure resource, removing the PostgreSQL servers of
// flexible servers and releasing every address.
func (s *Service) Reset(_ context.Context) error {
	s.tick.Lock()
	defer s.tick.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	servers, err := s.servers.List()
	if err != nil {
		return err
	}
	for _, sv := range servers {
		if err := s.env.PG.Remove(sv.PGID); err != nil {
			return errors.Wrapf(err, "cannot remove the PostgreSQL server of %s", sv.ID)
		}
	}
	nics, err := s.nics.List()
	if err != nil {
		return err
	}
	for _, n := range nics {
		if err := s.releaseNIC(n); err != nil {
			return err
		}
	}
	for _, id := range s.pips.IDs() {
		if err := s.env.IPs.Release(id); err != nil {
			return errors.Wrap(err, "cannot release a public address")
		}
	}
	s.upMu.Lock()
	s.up = map[string]bool{}
	s.upMu.Unlock()
	for _, clear := range []func() error{s.groups.Clear, s.ops.Clear, s.servers.Clear, s.databases.Clear, s.rules.Clear, s.vnets.Clear, s.subnets.Clear, s.nics.Clear, s.pips.Clear, s.vms.Clear} {
		if err := clear(); err != nil {
			return errors.Wrap(err, "cannot clear the Azure tables")
		}
	}
	return nil
}

// methods serve a request on one resource by HTTP method; a method with no
// function is not allowed.
type methods struct {
	get, put, patch, del func(*request) *apiError
}

func (m methods) serve(q *request) *apiError {
	var fn func(*request) *apiError
	switch q.r.Method {
	case http.MethodGet:
		fn = m.get
	case http.MethodPut:
		fn = m.put
	case http.MethodPatch:
		fn = m.patch
	case http.MethodDelete:
		fn = m.del
	}
	if fn == nil {
		return methodNotAllowed(q.r)
	}
	return fn(q)
}

// listPrefix answers a collection request with the models of the rows of t
// whose keys start with prefix.
func listPrefix[T, M any](q *request, t *store.Table[T], prefix string, model func(T) M) *apiError {
	if q.r.Method != http.MethodGet {
		return methodNotAllowed(q.r)
	}
	out := list[M]{Value: []M{}}
	for _, id := range inGroup(t, prefix) {
		v, ok, err := t.Get(id)
		if err != nil {
			return internalError()
		}
		if ok {
			out.Value = append(out.Value, model(v))
		}
	}
	writeJSON(q.w, http.StatusOK, out)
	return nil
}

// collectionPrefix is the key prefix of a collection request's resources,
// in its resource group or, with none, its subscription.
func (q *request) collectionPrefix() string { return groupPrefix(q.rt.Sub, q.rt.Group) }

// finish ends a transition that needs no work outside the row: a row at the
// end of phase seen is set at rest (or deleted) and its operation succeeds.
func finish[T any, P interface {
	*T
	lifer
}](s *Service, t *store.Table[T], id string, seen pending) {
	var ok bool
	if seen.Phase == phaseDelete {
		ok = remove[T, P](s, t, id, seen)
	} else {
		ok = commit[T, P](s, t, id, seen, func(r P) error {
			*r.life() = pending{}
			return nil
		})
	}
	if ok {
		s.finishOp(seen.Op, nil)
	}
}

// id is the ID of a resource of type typ (a namespace/type path) named
// names in the request's resource group.
func (q *request) id(typ string, names ...string) string {
	segs := strings.Split(typ, "/")
	var b strings.Builder
	b.WriteString(q.group.ID + "/providers/" + segs[0])
	for i, n := range names {
		b.WriteString("/" + segs[i+1] + "/" + n)
	}
	return b.String()
}

// writable refuses changes in a resource group being deleted.
func (q *request) writable() *apiError {
	if q.group.Pending.Phase == phaseDelete {
		return conflict("ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", q.group.Name)
	}
	return nil
}

// otherLocation is ARM's answer to a PUT that moves a resource.
func otherLocation(name, cur, group, next string) *apiError {
	return conflict("InvalidResourceLocation", "The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.", name, cur, group, next)
}
