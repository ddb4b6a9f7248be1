package gcp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// computeBase is the prefix of Compute Engine's resource URLs.
const computeBase = "https://www.googleapis.com/compute/v1/projects/"

// emptyFingerprint is the fingerprint Compute Engine gives empty labels,
// metadata and tags.
const emptyFingerprint = "42WmSpB8rSM="

// A computeRow is one Compute Engine resource (instance, network or
// subnetwork) with the transition it is in.
type computeRow struct {
	Project string `json:"project"`
	// Scope is the zone of an instance, the region of a subnetwork, and
	// empty for a network.
	Scope string `json:"scope,omitempty"`
	Name  string `json:"name"`
	// Res is the resource as the API shows it, in Compute Engine's JSON.
	Res json.RawMessage `json:"resource"`
	// Op is the key of the operation the current transition completes;
	// Until is when the transition's current step ends.
	Op    string    `json:"op,omitempty"`
	Until time.Time `json:"until"`
	// Deleting is true while the resource is being deleted.
	Deleting bool `json:"deleting,omitempty"`
	// Auto marks a subnetwork an auto mode network made.
	Auto bool `json:"auto,omitempty"`
}

// A computeOp is one Compute Engine operation.
type computeOp struct {
	Project string `json:"project"`
	// Scope is zones/ZONE, regions/REGION or global.
	Scope string          `json:"scope"`
	Name  string          `json:"name"`
	Res   json.RawMessage `json:"resource"`
	Seq   int64           `json:"seq"`
	Done  bool            `json:"done,omitempty"`
	// DoneAt is when an operation that no transition completes is done.
	DoneAt    time.Time `json:"doneAt"`
	RequestID string    `json:"requestId,omitempty"`
}

type computeTables struct {
	instances   *store.Table[computeRow]
	networks    *store.Table[computeRow]
	subnetworks *store.Table[computeRow]
	ops         *store.Table[computeOp]
}

func newComputeTables(env *cloud.Env) (*computeTables, error) {
	t := &computeTables{}
	var err error
	if t.instances, err = store.NewTable[computeRow](env.Store, "gcp/compute/instances"); err != nil {
		return nil, err
	}
	if t.networks, err = store.NewTable[computeRow](env.Store, "gcp/compute/networks"); err != nil {
		return nil, err
	}
	if t.subnetworks, err = store.NewTable[computeRow](env.Store, "gcp/compute/subnetworks"); err != nil {
		return nil, err
	}
	if t.ops, err = store.NewTable[computeOp](env.Store, "gcp/compute/operations"); err != nil {
		return nil, err
	}
	return t, nil
}

func rowKey(project, scope, name string) string {
	if scope == "" {
		return project + "/" + name
	}
	return project + "/" + scope + "/" + name
}

func (r computeRow) key() string { return rowKey(r.Project, r.Scope, r.Name) }

func opKey(project, scope, name string) string { return project + "/" + scope + "/" + name }

func (s *Service) computeRoutes(mux *http.ServeMux) {
	const p = "/compute/v1/projects/{project}"
	mux.HandleFunc("GET "+p+"/zones/{zone}/instances", s.listInstances)
	mux.HandleFunc("POST "+p+"/zones/{zone}/instances", s.insertInstance)
	mux.HandleFunc("GET "+p+"/zones/{zone}/instances/{instance}", s.getInstance)
	mux.HandleFunc("DELETE "+p+"/zones/{zone}/instances/{instance}", s.deleteInstance)
	mux.HandleFunc("POST "+p+"/zones/{zone}/instances/{instance}/{verb}", s.instanceAction)
	mux.HandleFunc("GET "+p+"/global/networks", s.listNetworks)
	mux.HandleFunc("POST "+p+"/global/networks", s.insertNetwork)
	mux.HandleFunc("GET "+p+"/global/networks/{network}", s.getNetwork)
	mux.HandleFunc("PATCH "+p+"/global/networks/{network}", s.patchNetwork)
	mux.HandleFunc("DELETE "+p+"/global/networks/{network}", s.deleteNetwork)
	mux.HandleFunc("GET "+p+"/regions/{region}/subnetworks", s.listSubnetworks)
	mux.HandleFunc("POST "+p+"/regions/{region}/subnetworks", s.insertSubnetwork)
	mux.HandleFunc("GET "+p+"/regions/{region}/subnetworks/{subnetwork}", s.getSubnetwork)
	mux.HandleFunc("PATCH "+p+"/regions/{region}/subnetworks/{subnetwork}", s.patchSubnetwork)
	mux.HandleFunc("DELETE "+p+"/regions/{region}/subnetworks/{subnetwork}", s.deleteSubnetwork)
	for _, scope := range []string{"/zones/{zone}", "/regions/{region}", "/global"} {
		mux.HandleFunc("GET "+p+scope+"/operations", s.listOperations)
		mux.HandleFunc("GET "+p+scope+"/operations/{operation}", s.getOperation)
		mux.HandleFunc("DELETE "+p+scope+"/operations/{operation}", s.deleteOperation)
		mux.HandleFunc("POST "+p+scope+"/operations/{operation}/wait", s.waitOperation)
	}
}

// computeName is what Compute Engine takes as a resource name (RFC 1035).
var computeName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)

func validateName(field, name string) *apiError {
	if !computeName.MatchString(name) {
		return errInvalid("Invalid value for field '%s': '%s'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'", field, name)
	}
	return nil
}

// computeProject returns the request's project, checked.
func computeProject(r *http.Request) (string, *apiError) {
	p := r.PathValue("project")
	if !projectID.MatchString(p) {
		return "", errInvalid("Invalid value for field 'project': '%s'. Must be a match of regex '(?:(?:[-a-z0-9]{1,63}\\.)*(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?):)?(?:[0-9]{1,19}|(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?))'", p)
	}
	return p, nil
}

// zonal returns the request's project and zone, checked.
func zonal(r *http.Request) (string, string, *apiError) {
	p, e := computeProject(r)
	if e != nil {
		return "", "", e
	}
	z := r.PathValue("zone")
	if _, ok := zoneRegion(z); !ok {
		return "", "", errInvalid("Invalid value for field 'zone': '%s'. Unknown zone.", z)
	}
	return p, z, nil
}

// regional returns the request's project and region, checked.
func regional(r *http.Request) (string, string, *apiError) {
	p, e := computeProject(r)
	if e != nil {
		return "", "", e
	}
	rg := r.PathValue("region")
	if _, ok := regions[rg]; !ok {
		return "", "", errInvalid("Invalid value for field 'region': '%s'. Unknown region.", rg)
	}
	return p, rg, nil
}

func zoneURL(p, z string) string    { return computeBase + p + "/zones/" + z }
func regionURL(p, r string) string  { return computeBase + p + "/regions/" + r }
func networkURL(p, n string) string { return computeBase + p + "/global/networks/" + n }
func subnetworkURL(p, r, n string) string {
	return computeBase + p + "/regions/" + r + "/subnetworks/" + n
}
func instanceURL(p, z, n string) string { return computeBase + p + "/zones/" + z + "/instances/" + n }

// resourcePath is a URL without the API prefix, as error messages name
// resources.
func resourcePath(url string) string {
	return "projects/" + strings.TrimPrefix(url, computeBase)
}

func errResourceNotFound(url string) *apiError {
	return errNotFound("The resource '%s' was not found", resourcePath(url))
}

func errResourceExists(url string) *apiError {
	return errAlreadyExists("The resource '%s' already exists", resourcePath(url))
}

func errNotReady(url string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Reason: "resourceNotReady", Message: fmt.Sprintf("The resource '%s' is not ready", resourcePath(url))}
}

func errInUse(kind, url, user string) *apiError {
	return &apiError{
		Code:    http.StatusBadRequest,
		Reason:  "resourceInUseByAnotherResource",
		Message: fmt.Sprintf("The %s resource '%s' is already being used by '%s'", kind, resourcePath(url), resourcePath(user)),
	}
}

func errConditionNotMet(msg string) *apiError {
	return &apiError{Code: http.StatusPreconditionFailed, Reason: "conditionNotMet", Message: msg}
}

// newID returns a resource ID: a random 63-bit number, as Compute Engine's
// IDs are opaque 64-bit numbers.
func newID() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 1
}

// computeTime formats t as Compute Engine does.
func computeTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000-07:00") }

// fingerprint is an opaque digest of v: it changes whenever v does.
func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	if len(b) == 0 || string(b) == "null" || string(b) == "{}" || string(b) == "[]" {
		return emptyFingerprint
	}
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:8])
}

var protoOut = protojson.MarshalOptions{}

// encodeRes encodes a resource in Compute Engine's JSON.
func encodeRes(m proto.Message) (json.RawMessage, error) { return protoOut.Marshal(m) }

// decodeRes decodes a stored resource.
func decodeRes(raw json.RawMessage, m proto.Message) error {
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(raw, m)
}

// decodeRequest decodes a request body, refusing unknown fields as Compute
// Engine does.
func decodeRequest(w http.ResponseWriter, r *http.Request, m proto.Message) *apiError {
	b, e := readBody(w, r)
	if e != nil {
		return e
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if err := protojson.Unmarshal(b, m); err != nil {
		return errBadRequest("Invalid JSON payload received. %v", err)
	}
	return nil
}

// writeProto answers with m in Compute Engine's JSON.
func writeProto(w http.ResponseWriter, m proto.Message) {
	b, err := protoOut.Marshal(m)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// opScope returns the scope of an operations request.
func opScope(r *http.Request) (string, string, *apiError) {
	p, e := computeProject(r)
	if e != nil {
		return "", "", e
	}
	switch {
	case r.PathValue("zone") != "":
		if _, ok := zoneRegion(r.PathValue("zone")); !ok {
			return "", "", errInvalid("Invalid value for field 'zone': '%s'. Unknown zone.", r.PathValue("zone"))
		}
		return p, "zones/" + r.PathValue("zone"), nil
	case r.PathValue("region") != "":
		if _, ok := regions[r.PathValue("region")]; !ok {
			return "", "", errInvalid("Invalid value for field 'region': '%s'. Unknown region.", r.PathValue("region"))
		}
		return p, "regions/" + r.PathValue("region"), nil
	}
	return p, "global", nil
}

// newOp makes an operation of type typ on the resource at target.
func newOp(project, scope, typ, target string, targetID uint64, now time.Time) *computepb.Operation {
	var rnd [15]byte
	_, _ = rand.Read(rnd[:])
	h := hex.EncodeToString(rnd[:])
	name := fmt.Sprintf("operation-%d-%s-%s-%s", now.UnixMilli(), h[:13], h[13:21], h[21:29])
	op := &computepb.Operation{
		Kind:          new("compute#operation"),
		Id:            new(newID()),
		Name:          &name,
		OperationType: new(typ),
		TargetLink:    new(target),
		TargetId:      new(targetID),
		Status:        computepb.Operation_RUNNING.Enum(),
		Progress:      new(int32(0)),
		InsertTime:    new(computeTime(now)),
		StartTime:     new(computeTime(now)),
		SelfLink:      new(computeBase + project + "/" + scope + "/operations/" + name),
	}
	switch {
	case strings.HasPrefix(scope, "zones/"):
		op.Zone = new(zoneURL(project, strings.TrimPrefix(scope, "zones/")))
	case strings.HasPrefix(scope, "regions/"):
		op.Region = new(regionURL(project, strings.TrimPrefix(scope, "regions/")))
	}
	return op
}

// requestID returns the request's requestId: Compute Engine answers a
// retried mutation carrying the same one with the operation it started.
func requestID(r *http.Request) (string, *apiError) {
	id := r.URL.Query().Get("requestId")
	if len(id) > 128 {
		return "", errInvalid("Invalid value for field 'requestId': '%s'. Must be a UUID.", id)
	}
	return id, nil
}

// replay answers a retried mutation with the operation it started, if the
// request carries a requestId seen before in scope.
func (s *Service) replay(w http.ResponseWriter, project, scope, rid string) bool {
	if rid == "" {
		return false
	}
	all, err := s.comp.ops.List()
	if err != nil {
		writeError(w, errInternal(err))
		return true
	}
	for _, o := range all {
		if o.Project == project && o.Scope == scope && o.RequestID == rid {
			writeRaw(w, http.StatusOK, o.Res)
			return true
		}
	}
	return false
}

// saveOp stores a new operation and answers the request with it. An
// operation with a zero doneAt is finished by its resource's transition.
func (s *Service) saveOp(w http.ResponseWriter, project, scope, rid string, op *computepb.Operation, doneAt, now time.Time) (string, bool) {
	raw, err := encodeRes(op)
	if err != nil {
		writeError(w, errInternal(err))
		return "", false
	}
	key := opKey(project, scope, op.GetName())
	row := computeOp{Project: project, Scope: scope, Name: op.GetName(), Res: raw, Seq: now.UnixNano(), DoneAt: doneAt, RequestID: rid}
	if err := s.comp.ops.Put(key, row); err != nil {
		writeError(w, errInternal(err))
		return "", false
	}
	return key, true
}

// finishComputeOp marks an operation done. (Compute Engine operations of
// the calls emulated here do not fail once started: what would fail them is
// refused when the call is made.)
func (s *Service) finishComputeOp(key string, now time.Time) error {
	_, err := s.comp.ops.Update(key, func(o *computeOp) error {
		if o.Done {
			return nil
		}
		op := &computepb.Operation{}
		if err := decodeRes(o.Res, op); err != nil {
			return err
		}
		op.Status = computepb.Operation_DONE.Enum()
		op.Progress = new(int32(100))
		op.EndTime = new(computeTime(now))
		raw, err := encodeRes(op)
		if err != nil {
			return err
		}
		o.Res, o.Done, o.DoneAt = raw, true, time.Time{}
		return nil
	})
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

func (s *Service) getOperation(w http.ResponseWriter, r *http.Request) {
	p, scope, e := opScope(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	o, ok, err := s.comp.ops.Get(opKey(p, scope, r.PathValue("operation")))
	s.mu.Unlock()
	switch {
	case err != nil:
		writeError(w, errInternal(err))
	case !ok:
		writeError(w, errResourceNotFound(computeBase+p+"/"+scope+"/operations/"+r.PathValue("operation")))
	default:
		writeRaw(w, http.StatusOK, o.Res)
	}
}

// waitMax is how long a wait call blocks for its operation, at most.
const waitMax = 2 * time.Second

// waitOperation returns the operation when it is done or after waitMax,
// whichever comes first, as Compute Engine's wait methods do.
func (s *Service) waitOperation(w http.ResponseWriter, r *http.Request) {
	p, scope, e := opScope(r)
	if e != nil {
		writeError(w, e)
		return
	}
	key := opKey(p, scope, r.PathValue("operation"))
	deadline := time.NewTimer(waitMax)
	defer deadline.Stop()
	tick := time.NewTicker(cloud.TickInterval / 2)
	defer tick.Stop()
	for {
		s.mu.Lock()
		o, ok, err := s.comp.ops.Get(key)
		s.mu.Unlock()
		switch {
		case err != nil:
			writeError(w, errInternal(err))
			return
		case !ok:
			writeError(w, errResourceNotFound(computeBase+p+"/"+scope+"/operations/"+r.PathValue("operation")))
			return
		case o.Done:
			writeRaw(w, http.StatusOK, o.Res)
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-deadline.C:
			writeRaw(w, http.StatusOK, o.Res)
			return
		case <-tick.C:
		}
	}
}

func (s *Service) deleteOperation(w http.ResponseWriter, r *http.Request) {
	p, scope, e := opScope(r)
	if e != nil {
		writeError(w, e)
		return
	}
	key := opKey(p, scope, r.PathValue("operation"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok, err := s.comp.ops.Get(key); err != nil || !ok {
		if err != nil {
			writeError(w, errInternal(err))
			return
		}
		writeError(w, errResourceNotFound(computeBase+p+"/"+scope+"/operations/"+r.PathValue("operation")))
		return
	}
	if err := s.comp.ops.Delete(key); err != nil {
		writeError(w, errInternal(err))
		return
	}
	writeRaw(w, http.StatusOK, []byte("{}"))
}

func (s *Service) listOperations(w http.ResponseWriter, r *http.Request) {
	p, scope, e := opScope(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	all, err := s.comp.ops.List()
	s.mu.Unlock()
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	var rows []computeOp
	for _, o := range all {
		if o.Project == p && o.Scope == scope {
			rows = append(rows, o)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	raws := make([][]byte, 0, len(rows))
	for _, o := range rows {
		raws = append(raws, o.Res)
	}
	items, next, e := s.listPage(r, raws, func() proto.Message { return &computepb.Operation{} })
	if e != nil {
		writeError(w, e)
		return
	}
	list := &computepb.OperationList{
		Kind:     new("compute#operationList"),
		Id:       new(computeBase + p + "/" + scope + "/operations"),
		SelfLink: new(computeBase + p + "/" + scope + "/operations"),
	}
	for _, m := range items {
		list.Items = append(list.Items, m.(*computepb.Operation))
	}
	if next != "" {
		list.NextPageToken = new(next)
	}
	writeProto(w, list)
}

// listPage filters, orders and pages stored resources for a list call.
func (s *Service) listPage(r *http.Request, raws [][]byte, fresh func() proto.Message) ([]proto.Message, string, *apiError) {
	q := r.URL.Query()
	f, err := parseFilter(q.Get("filter"))
	if err != nil {
		return nil, "", filterError(q.Get("filter"), err)
	}
	type item struct {
		m   proto.Message
		obj map[string]any
	}
	items := make([]item, 0, len(raws))
	for _, raw := range raws {
		obj, err := decodeObject(raw)
		if err != nil {
			return nil, "", errInternal(err)
		}
		if !f.match(obj) {
			continue
		}
		m := fresh()
		if err := decodeRes(raw, m); err != nil {
			return nil, "", errInternal(err)
		}
		items = append(items, item{m: m, obj: obj})
	}
	if ob := strings.TrimSpace(q.Get("orderBy")); ob != "" {
		field, dir, _ := strings.Cut(ob, " ")
		if (field != "name" && field != "creationTimestamp") || (dir != "" && dir != "desc" && dir != "asc") {
			return nil, "", errInvalid("Invalid value for field 'orderBy': '%s'. Sorting is supported by name and creationTimestamp.", ob)
		}
		sort.SliceStable(items, func(i, j int) bool {
			a, b := fmt.Sprint(items[i].obj[field]), fmt.Sprint(items[j].obj[field])
			if dir == "desc" {
				return a > b
			}
			return a < b
		})
	}
	ms := make([]proto.Message, 0, len(items))
	for _, it := range items {
		ms = append(ms, it.m)
	}
	return page(ms, q.Get("maxResults"), q.Get("pageToken"))
}

// tickCompute moves instances, networks, subnetworks and operations on.
func (s *Service) tickCompute(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resetting {
		return
	}
	if err := s.advanceInstances(now); err != nil {
		s.log.Info("Cannot advance Compute Engine instances", "error", err)
	}
	if err := s.advanceNetworks(now); err != nil {
		s.log.Info("Cannot advance Compute Engine networks", "error", err)
	}
	ops, err := s.comp.ops.List()
	if err != nil {
		s.log.Info("Cannot list Compute Engine operations", "error", err)
		return
	}
	for _, o := range ops {
		if o.Done || o.DoneAt.IsZero() || now.Before(o.DoneAt) {
			continue
		}
		if err := s.finishComputeOp(opKey(o.Project, o.Scope, o.Name), now); err != nil {
			s.log.Info("Cannot finish Compute Engine operation", "operation", o.Name, "error", err)
		}
	}
}

// resetCompute deletes every Compute Engine resource and releases the
// addresses instances held.
func (s *Service) resetCompute() error {
	all, err := s.comp.instances.List()
	if err != nil {
		return err
	}
	for _, row := range all {
		in := &computepb.Instance{}
		if err := decodeRes(row.Res, in); err != nil {
			return err
		}
		if err := s.releaseAddresses(in); err != nil {
			return err
		}
	}
	for _, c := range []interface{ Clear() error }{s.comp.instances, s.comp.networks, s.comp.subnetworks, s.comp.ops} {
		if err := c.Clear(); err != nil {
			return err
		}
	}
	return nil
}
