package gcp

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// An apiError is an error the way Google's JSON APIs report it: an HTTP
// code, a reason clients switch on (notFound, alreadyExists, conditionNotMet)
// and a message for people. googleapi.Error is what the SDKs decode it into.
type apiError struct {
	Code    int
	Reason  string
	Message string
	// Status is the canonical gRPC status name; derived from Code when empty.
	Status string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Code, e.Reason, e.Message)
}

// errorItem and errorBody are the wire shape of an error.
type errorItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

type errorBody struct {
	Error struct {
		Code    int         `json:"code"`
		Message string      `json:"message"`
		Errors  []errorItem `json:"errors"`
		Status  string      `json:"status"`
	} `json:"error"`
}

// statusOf maps an HTTP code to the status name Google puts beside it.
func statusOf(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "ALREADY_EXISTS"
	case http.StatusPreconditionFailed:
		return "FAILED_PRECONDITION"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case http.StatusNotImplemented:
		return "UNIMPLEMENTED"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	default:
		return "INTERNAL"
	}
}

func errNotFound(format string, a ...any) *apiError {
	return &apiError{Code: http.StatusNotFound, Reason: "notFound", Message: fmt.Sprintf(format, a...)}
}

func errInvalid(format string, a ...any) *apiError {
	return &apiError{Code: http.StatusBadRequest, Reason: "invalid", Message: fmt.Sprintf(format, a...)}
}

func errBadRequest(format string, a ...any) *apiError {
	return &apiError{Code: http.StatusBadRequest, Reason: "badRequest", Message: fmt.Sprintf(format, a...)}
}

func errAlreadyExists(format string, a ...any) *apiError {
	return &apiError{Code: http.StatusConflict, Reason: "alreadyExists", Message: fmt.Sprintf(format, a...)}
}

func errInternal(err error) *apiError {
	return &apiError{Code: http.StatusInternalServerError, Reason: "backendError", Message: "Internal error: " + err.Error()}
}

// writeError answers with e in Google's error shape.
func writeError(w http.ResponseWriter, e *apiError) {
	var b errorBody
	b.Error.Code = e.Code
	b.Error.Message = e.Message
	b.Error.Errors = []errorItem{{Message: e.Message, Domain: "global", Reason: e.Reason}}
	b.Error.Status = e.Status
	if b.Error.Status == "" {
		b.Error.Status = statusOf(e.Code)
	}
	if e.Code == http.StatusUnauthorized {
		b.Error.Errors[0].Location = "Authorization"
		b.Error.Errors[0].LocationType = "header"
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)
	}
	writeJSON(w, e.Code, b)
}

// writeJSON answers with v encoded as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"error":{"code":500,"message":"cannot encode the response","status":"INTERNAL"}}`)
	}
	writeRaw(w, code, b)
}

// writeRaw answers with b, which is JSON already.
func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// A responder answers injected faults the way a Google API does.
type responder struct {
	// service is the API's host name prefix: sqladmin or compute.
	service string
}

// Throttle answers 429 rateLimitExceeded, as a Google API whose per-minute
// quota is used up.
func (r responder) Throttle(w http.ResponseWriter, _ *http.Request) {
	writeError(w, &apiError{
		Code:    http.StatusTooManyRequests,
		Reason:  "rateLimitExceeded",
		Message: fmt.Sprintf("Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service '%s.googleapis.com'.", r.service),
	})
}

// ServerError answers 503 backendError, which clients retry.
func (r responder) ServerError(w http.ResponseWriter, _ *http.Request) {
	writeError(w, &apiError{
		Code:    http.StatusServiceUnavailable,
		Reason:  "backendError",
		Message: "The service is currently unavailable.",
	})
}
