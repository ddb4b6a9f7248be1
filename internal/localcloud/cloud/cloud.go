// Package cloud holds what every emulated cloud API of the local cloud
// shares: the environment a service runs in (state store, PostgreSQL
// manager, fault injector, delays, address pools) and the Service interface
// the local cloud's server drives.
package cloud

import (
	"context"
	"net/http"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg"
	"github.com/stratus-dev/stratus/internal/localcloud/store"
)

// Delays are how long the asynchronous transitions of emulated resources
// take: long enough that clients see the intermediate states real clouds
// report (creating, PENDING_CREATE, Provisioning), short enough for tests.
type Delays struct {
	// Create is the least time from a create request to the resource being
	// available. A database is never available before its server accepts
	// connections, however short this is.
	Create time.Duration `json:"create"`
	// Modify is how long a modification stays in progress.
	Modify time.Duration `json:"modify"`
	// Delete is how long a resource stays in its deleting state.
	Delete time.Duration `json:"delete"`
	// Start and Stop are how long a machine takes to start and stop.
	Start time.Duration `json:"start"`
	Stop  time.Duration `json:"stop"`
}

// DefaultDelays are the delays of `stratus localcloud` without flags.
func DefaultDelays() Delays {
	return Delays{Create: 2 * time.Second, Modify: time.Second, Delete: time.Second, Start: time.Second, Stop: time.Second}
}

// An Env is what the local cloud gives each service.
type Env struct {
	// Store keeps every resource; services open their tables in it.
	Store *store.Store
	// PG runs the PostgreSQL servers behind database instances.
	PG *pg.Manager
	// Faults injects throttling, errors and latency per API.
	Faults *fault.Injector
	// Delays are the lengths of asynchronous transitions.
	Delays Delays
	// IPs hands out addresses to machines and network interfaces.
	IPs *IPAM
	// SigningKey is a persistent secret for stateless tokens, so that tokens
	// issued before a restart stay valid after it.
	SigningKey []byte
	// Now is the clock; time.Now unless a test sets it.
	Now func() time.Time
	// Log receives what the services want to say.
	Log logging.Logger
}

// A Service is one emulated cloud (AWS, GCP or Azure), served on its own
// loopback port.
type Service interface {
	// Name is the cloud's name: aws, gcp or azure.
	Name() string
	// Handler serves the cloud's APIs, with faults injected per API.
	Handler() http.Handler
	// Tick advances asynchronous work whose time has come: resources
	// finishing creation, modification or deletion, operations completing,
	// databases whose servers became ready. The server calls it every
	// TickInterval; it must not block for long.
	Tick(ctx context.Context, now time.Time)
	// Reset deletes every resource of the cloud, stopping and removing the
	// PostgreSQL servers behind databases.
	Reset(ctx context.Context) error
}

// TickInterval is how often the server calls Tick.
const TickInterval = 100 * time.Millisecond
