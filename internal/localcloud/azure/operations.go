package azure

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// Operation statuses, as azcore's pollers read them.
const (
	statusInProgress = "InProgress"
	statusSucceeded  = "Succeeded"
	statusFailed     = "Failed"
	statusCanceled   = "Canceled"
)

// Operation actions; they decide what the operation result URL answers once
// the operation is done.
const (
	actionCreate = "create"
	actionUpdate = "update"
	actionDelete = "delete"
)

// pollAfter is the Retry-After, in seconds, of every answer about an
// operation in progress. azcore's pollers honor it over their own frequency.
const pollAfter = "1"

// keepOperations is how long a finished operation can still be polled.
const keepOperations = time.Hour

// An operation is one asynchronous request a client may poll: through the
// Azure-AsyncOperation URL (its status) or the Location URL (its result).
type operation struct {
	ID       string    `json:"id"`
	Sub      string    `json:"sub"`
	Provider string    `json:"provider"`
	Location string    `json:"location"`
	Resource string    `json:"resource"`
	Action   string    `json:"action"`
	Status   string    `json:"status"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	Error    *apiError `json:"error,omitempty"`
	// GroupResult marks a resource group deletion, polled at the
	// subscription's operationresults URL.
	GroupResult bool `json:"groupResult,omitempty"`
}

// startOp records a new operation on resource id. A done operation (a
// request with nothing to do, such as starting a running machine) has
// already succeeded.
func (s *Service) startOp(sub, provider, location, id, action string, done bool) (operation, error) {
	now := s.env.Now().UTC()
	op := operation{ID: newID(), Sub: sub, Provider: provider, Location: location, Resource: id, Action: action, Status: statusInProgress, Start: now}
	if done {
		op.Status, op.End = statusSucceeded, now
	}
	return op, s.ops.Put(op.ID, op)
}

// finishOp ends operation id: succeeded when e is nil, failed (or canceled,
// when e says so) otherwise. An empty id is no operation.
func (s *Service) finishOp(id string, e *apiError) {
	if id == "" {
		return
	}
	_, err := s.ops.Update(id, func(op *operation) error {
		if op.Status != statusInProgress {
			return nil
		}
		op.Status, op.End = statusSucceeded, s.env.Now().UTC()
		if e != nil {
			op.Status, op.Error = statusFailed, e
			if e.Code == "OperationPreempted" {
				op.Status = statusCanceled
			}
		}
		return nil
	})
	if err != nil && err != store.ErrNotFound { //nolint:errorlint // store returns its sentinel unwrapped.
		s.env.Log.Info("cannot finish operation", "id", id, "error", err)
	}
}

// beginDelete puts a resource in its deleting state and returns the
// operation to answer with. A resource already being deleted keeps its
// deadline, and the request joins the deletion in progress.
func (s *Service) beginDelete(p *pending, sub, provider, location, id string, until time.Time) (operation, error) {
	if p.Phase == phaseDelete && p.Op != "" {
		if op, ok, err := s.ops.Get(p.Op); err == nil && ok && op.Status == statusInProgress {
			return op, nil
		}
	}
	op, err := s.startOp(sub, provider, location, id, actionDelete, false)
	if err != nil {
		return op, err
	}
	if p.Phase != phaseDelete {
		s.preempt(p.Op)
		*p = pending{Phase: phaseDelete, Until: until, Op: op.ID}
	} else {
		p.Op = op.ID
	}
	return op, nil
}

// preempt cancels operation id because a newer request replaced it, as ARM
// does when a request supersedes one in progress.
func (s *Service) preempt(id string) {
	s.finishOp(id, conflict("OperationPreempted", "Operation execution has been preempted by a more recent operation."))
}

func opQuery(r *http.Request) string {
	return "?api-version=" + url.QueryEscape(r.URL.Query().Get("api-version"))
}

// statusURL is an operation's Azure-AsyncOperation URL.
func statusURL(r *http.Request, op operation) string {
	return baseURL(r) + "/subscriptions/" + url.PathEscape(op.Sub) + "/providers/" + op.Provider + "/locations/" + url.PathEscape(op.Location) + "/operationStatuses/" + op.ID + opQuery(r)
}

// resultURL is an operation's Location URL.
func resultURL(r *http.Request, op operation) string {
	if op.GroupResult {
		return baseURL(r) + "/subscriptions/" + url.PathEscape(op.Sub) + "/operationresults/" + op.ID + opQuery(r)
	}
	return baseURL(r) + "/subscriptions/" + url.PathEscape(op.Sub) + "/providers/" + op.Provider + "/locations/" + url.PathEscape(op.Location) + "/operationResults/" + op.ID + opQuery(r)
}

// Which polling headers an accepted request carries.
const (
	headerAsync    = 1 << iota // Azure-AsyncOperation
	headerLocation             // Location
)

// accepted answers a request that started op, with the polling headers the
// resource provider sends and body (nil for none).
func accepted(w http.ResponseWriter, r *http.Request, op operation, headers, status int, body any) {
	if headers&headerAsync != 0 {
		w.Header().Set("Azure-AsyncOperation", statusURL(r, op))
	}
	if headers&headerLocation != 0 {
		w.Header().Set("Location", resultURL(r, op))
	}
	w.Header().Set("Retry-After", pollAfter)
	writeJSON(w, status, body)
}

// operationBody is what Microsoft.DBforPostgreSQL answers a request it
// accepted with.
func operationBody(op operation, name string) map[string]any {
	return map[string]any{"operation": name, "startTime": op.Start.Format(time.RFC3339Nano)}
}

func (s *Service) findOp(rt route) (operation, *apiError) {
	op, ok, err := s.ops.Get(rt.OpID)
	if err != nil {
		return op, internalError()
	}
	if !ok || !strings.EqualFold(op.Sub, rt.Sub) {
		return op, &apiError{Status: http.StatusNotFound, Code: "NotFound", Message: "The operation " + rt.OpID + " was not found."}
	}
	return op, nil
}

// serveOperationStatus answers an Azure-AsyncOperation poll.
func (s *Service) serveOperationStatus(w http.ResponseWriter, r *http.Request, rt route) {
	op, e := s.findOp(rt)
	if e != nil {
		writeError(w, e)
		return
	}
	body := map[string]any{
		"id":        strings.TrimPrefix(statusURL(r, op), baseURL(r)),
		"name":      op.ID,
		"status":    op.Status,
		"startTime": op.Start.Format(time.RFC3339Nano),
	}
	if !op.End.IsZero() {
		body["endTime"] = op.End.Format(time.RFC3339Nano)
	}
	if op.Error != nil {
		body["error"] = map[string]any{"code": op.Error.Code, "message": op.Error.Message}
	}
	if op.Status == statusInProgress {
		w.Header().Set("Retry-After", pollAfter)
	}
	writeJSON(w, http.StatusOK, body)
}

// serveOperationResult answers a Location poll: 202 while in progress, then
// what the operation produced.
func (s *Service) serveOperationResult(w http.ResponseWriter, r *http.Request, rt route) {
	op, e := s.findOp(rt)
	if e != nil {
		writeError(w, e)
		return
	}
	switch {
	case op.Status == statusInProgress:
		w.Header().Set("Location", resultURL(r, op))
		w.Header().Set("Retry-After", pollAfter)
		w.WriteHeader(http.StatusAccepted)
	case op.Error != nil:
		writeError(w, op.Error)
	case op.Action == actionDelete:
		w.WriteHeader(http.StatusNoContent)
	case op.Action == actionCreate || op.Action == actionUpdate:
		// The result of a create or update is the resource as it is now.
		u := *r.URL
		u.Path, u.RawPath = op.Resource, ""
		g := r.Clone(r.Context())
		g.Method, g.URL, g.Body = http.MethodGet, &u, http.NoBody
		s.serveARM(w, g)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// purgeOps forgets operations finished long ago.
func (s *Service) purgeOps(now time.Time) {
	all, err := s.ops.List()
	if err != nil {
		return
	}
	for _, op := range all {
		if op.Status != statusInProgress && now.Sub(op.End) > keepOperations {
			_ = s.ops.Delete(op.ID)
		}
	}
}
