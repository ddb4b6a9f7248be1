// Package gcptest serves fake Google APIs to unit tests: an httptest server
// that answers each request from a table of canned responses and records
// the requests it gets, for the official Go clients to call with
// option.WithEndpoint and option.WithoutAuthentication. Tests see exactly
// what went over the wire, JSON bodies included.
package gcptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/option"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Project is the project the fake clients of tests use.
const Project = "my-project"

// A Response is a canned answer: an HTTP status and a body, encoded as the
// API would (protojson for Compute Engine messages, JSON otherwise).
type Response struct {
	Status int
	Body   any
}

// OK answers 200 with body.
func OK(body any) Response { return Response{Status: http.StatusOK, Body: body} }

// Error answers with a Google API error of the given code and reason.
func Error(code int, reason, message string) Response {
	return Response{Status: code, Body: map[string]any{"error": map[string]any{
		"code":    code,
		"message": message,
		"errors":  []map[string]any{{"message": message, "domain": "global", "reason": reason}},
	}}}
}

// Routes map "METHOD /path" (no query) to the response of every request
// that matches.
type Routes map[string]Response

// A Server is a fake Google API.
type Server struct {
	srv      *httptest.Server
	mu       sync.Mutex
	routes   Routes
	requests []string
}

// NewServer serves routes until the test ends. A request no route matches
// gets HTTP 418 with an error that names it, so that the test fails on it.
func NewServer(t testing.TB, routes Routes) *Server {
	t.Helper()
	s := &Server{routes: routes}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := r.Method + " " + r.URL.Path
	if q := r.URL.Query(); len(q) > 0 {
		// The clients add their own parameters (alt, prettyPrint);
		// record only those a test may care about.
		keep := []string{}
		for k, v := range q {
			if k != "alt" && k != "prettyPrint" && k != "$alt" {
				keep = append(keep, k+"="+strings.Join(v, ","))
			}
		}
		sort.Strings(keep)
		if len(keep) > 0 {
			req += "?" + strings.Join(keep, "&")
		}
	}
	if len(bytes.TrimSpace(body)) > 0 {
		req += " " + Canonical(body)
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	rsp, ok := s.routes[r.Method+" "+r.URL.Path]
	s.mu.Unlock()
	if !ok {
		rsp = Error(http.StatusTeapot, "unexpected", "unexpected request "+r.Method+" "+r.URL.Path)
	}
	b, err := encode(rsp.Body)
	if err != nil {
		rsp, b = Response{Status: http.StatusInternalServerError}, []byte(`{"error":{"code":500,"message":"cannot encode the canned response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rsp.Status)
	_, _ = w.Write(b)
}

// encode encodes a canned body as the API would.
func encode(body any) ([]byte, error) {
	if m, ok := body.(proto.Message); ok {
		return protojson.Marshal(m)
	}
	if body == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(body)
}

// Canonical returns a JSON document with its keys sorted and no spaces, so
// that tests can compare bodies as strings. Anything else is returned as
// it is.
func Canonical(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// JSON returns v as canonical JSON: what a test expects a request body to
// be.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cannot encode %v: %v", v, err))
	}
	return Canonical(b)
}

// Requests returns every request the server got, in order, as "METHOD
// /path[?query] [body]".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Mutations returns the requests other than GETs, in order.
func (s *Server) Mutations() []string {
	var out []string
	for _, r := range s.Requests() {
		if !strings.HasPrefix(r, http.MethodGet+" ") {
			out = append(out, r)
		}
	}
	return out
}

// SQLOptions are the options of a Cloud SQL Admin client of the server.
func (s *Server) SQLOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.srv.URL + "/"), option.WithoutAuthentication()}
}

// ComputeOptions are the options of a Compute Engine client of the server.
func (s *Server) ComputeOptions() []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.srv.URL), option.WithoutAuthentication()}
}
