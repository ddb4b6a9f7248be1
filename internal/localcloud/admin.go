package localcloud

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
)

// Resources is what the admin API lists: every stored resource by table and
// ID, and the PostgreSQL servers.
type Resources struct {
	Tables   map[string]map[string]json.RawMessage `json:"tables"`
	Postgres []pg.Server                           `json:"postgres"`
}

// adminError is the admin API's error body.
type adminError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// adminHandler serves the admin API:
//
//	GET    /healthz            200 once serving
//	GET    /v1/endpoints       where each API is served
//	GET    /v1/resources       every resource and PostgreSQL server
//	POST   /v1/reset           delete every resource (?faults=true also clears faults)
//	GET    /v1/faults          fault settings per API
//	PUT    /v1/faults/{api}    set one API's faults: {"throttle":0.2,"error":0.1,"latency":"50ms"}
//	DELETE /v1/faults          clear every fault
//	GET    /v1/ca.pem          the CA of the Azure endpoint's certificate
func (c *Cloud) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /v1/endpoints", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.endpoints)
	})
	mux.HandleFunc("GET /v1/resources", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, Resources{Tables: c.env.Store.Raw(), Postgres: c.env.PG.Servers()})
	})
	mux.HandleFunc("POST /v1/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := c.Reset(r.Context()); err != nil {
			writeJSON(w, http.StatusInternalServerError, adminError{Error: err.Error()})
			return
		}
		if r.URL.Query().Get("faults") == "true" {
			c.env.Faults.Reset()
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	mux.HandleFunc("GET /v1/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.env.Faults.All())
	})
	mux.HandleFunc("PUT /v1/faults/{api}", func(w http.ResponseWriter, r *http.Request) {
		api := r.PathValue("api")
		if !knownAPI(api) {
			writeJSON(w, http.StatusNotFound, adminError{Error: "unknown API " + api + ": want one of " + strings.Join(APIs, ", ")})
			return
		}
		var fc fault.Config
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fc); err != nil {
			writeJSON(w, http.StatusBadRequest, adminError{Error: "cannot decode fault settings: " + err.Error()})
			return
		}
		if err := c.env.Faults.Set(api, fc); err != nil {
			writeJSON(w, http.StatusBadRequest, adminError{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, c.env.Faults.All())
	})
	mux.HandleFunc("DELETE /v1/faults", func(w http.ResponseWriter, _ *http.Request) {
		c.env.Faults.Reset()
		writeJSON(w, http.StatusOK, c.env.Faults.All())
	})
	mux.HandleFunc("GET /v1/ca.pem", func(w http.ResponseWriter, _ *http.Request) {
		b, err := os.ReadFile(c.endpoints.AzureCA)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, adminError{Error: err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(b)
	})
	return mux
}

// APIs are the names faults can be set for.
var APIs = []string{"rds", "ec2", "sqladmin", "compute", "arm"}

func knownAPI(api string) bool { return slices.Contains(APIs, api) }
