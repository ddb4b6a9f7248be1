// Package fault injects the failures real clouds produce (throttling, server
// errors, slow answers) into the local cloud's APIs, at rates set per API, so
// that reliability tests can show a controller rides them out.
package fault

import (
	"maps"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A Config is what to inject into one API.
type Config struct {
	// Throttle is the fraction (0 to 1) of requests refused as throttled.
	Throttle float64 `json:"throttle,omitempty"`
	// Error is the fraction (0 to 1) of requests failed with a server error.
	Error float64 `json:"error,omitempty"`
	// Latency is added to every request.
	Latency Duration `json:"latency,omitempty"`
}

// A Duration is a time.Duration that reads and writes JSON as "150ms".
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

// UnmarshalJSON reads a Go duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if s, err := strconv.Unquote(string(b)); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return errors.Wrapf(err, "cannot parse duration %q", s)
		}
		*d = Duration(v)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.Errorf("cannot parse duration %s: want a string such as \"150ms\"", b)
	}
	*d = Duration(n)
	return nil
}

// Validate says what is wrong with c, if anything.
func (c Config) Validate() error {
	if c.Throttle < 0 || c.Throttle > 1 {
		return errors.Errorf("throttle rate %v is not between 0 and 1", c.Throttle)
	}
	if c.Error < 0 || c.Error > 1 {
		return errors.Errorf("error rate %v is not between 0 and 1", c.Error)
	}
	if c.Throttle+c.Error > 1 {
		return errors.Errorf("throttle and error rates add up to %v, more than 1", c.Throttle+c.Error)
	}
	if c.Latency < 0 {
		return errors.New("latency cannot be negative")
	}
	return nil
}

// A Responder writes a failure the way one API's real service does.
type Responder interface {
	// Throttle answers that the client sends too many requests.
	Throttle(w http.ResponseWriter, r *http.Request)
	// ServerError answers with an internal error the client may retry.
	ServerError(w http.ResponseWriter, r *http.Request)
}

// An Injector holds the fault settings of every API.
type Injector struct {
	mu  sync.Mutex
	cfg map[string]Config
	rnd func() float64
}

// NewInjector returns an Injector that injects nothing.
func NewInjector() *Injector {
	return &Injector{cfg: map[string]Config{}, rnd: rand.Float64}
}

// Set replaces the settings of api; a zero Config stops injecting there.
func (i *Injector) Set(api string, c Config) error {
	if err := c.Validate(); err != nil {
		return errors.Wrapf(err, "invalid faults for %s", api)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if c == (Config{}) {
		delete(i.cfg, api)
		return nil
	}
	i.cfg[api] = c
	return nil
}

// Get returns the settings of api.
func (i *Injector) Get(api string) Config {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.cfg[api]
}

// All returns the settings of every API that has any.
func (i *Injector) All() map[string]Config {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := make(map[string]Config, len(i.cfg))
	maps.Copy(out, i.cfg)
	return out
}

// Reset stops injecting anywhere.
func (i *Injector) Reset() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.cfg = map[string]Config{}
}

// decide returns the latency to add and which failure, if any, to answer.
func (i *Injector) decide(api string) (time.Duration, int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	c, ok := i.cfg[api]
	if !ok {
		return 0, none
	}
	x := i.rnd()
	switch {
	case x < c.Throttle:
		return time.Duration(c.Latency), throttle
	case x < c.Throttle+c.Error:
		return time.Duration(c.Latency), serverError
	}
	return time.Duration(c.Latency), none
}

const (
	none = iota
	throttle
	serverError
)

// Wrap returns next with api's faults injected in front of it, answered in
// r's shape.
func (i *Injector) Wrap(api string, r Responder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		lat, what := i.decide(api)
		if lat > 0 {
			select {
			case <-time.After(lat):
			case <-req.Context().Done():
				return
			}
		}
		switch what {
		case throttle:
			r.Throttle(w, req)
		case serverError:
			r.ServerError(w, req)
		default:
			next.ServeHTTP(w, req)
		}
	})
}

// Parse reads a flag value such as "rds=throttle:0.2,error:0.05,latency:50ms"
// into the API's name and its settings.
func Parse(s string) (string, Config, error) {
	api, spec, ok := strings.Cut(s, "=")
	if !ok || api == "" {
		return "", Config{}, errors.Errorf("fault %q: want API=throttle:RATE,error:RATE,latency:DURATION", s)
	}
	var c Config
	for kv := range strings.SplitSeq(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), ":")
		if !ok {
			return "", Config{}, errors.Errorf("fault %q: %q is not KEY:VALUE", s, kv)
		}
		var err error
		switch k {
		case "throttle":
			c.Throttle, err = strconv.ParseFloat(v, 64)
		case "error":
			c.Error, err = strconv.ParseFloat(v, 64)
		case "latency":
			var d time.Duration
			d, err = time.ParseDuration(v)
			c.Latency = Duration(d)
		default:
			return "", Config{}, errors.Errorf("fault %q: unknown key %q (want throttle, error or latency)", s, k)
		}
		if err != nil {
			return "", Config{}, errors.Wrapf(err, "fault %q: cannot parse %s", s, k)
		}
	}
	return api, c, errors.Wrapf(c.Validate(), "fault %q", s)
}

// Names returns the APIs with settings, sorted; for messages.
func (i *Injector) Names() []string {
	all := i.All()
	out := make([]string, 0, len(all))
	for k := range all {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
