package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"k8s.io/client-go/rest"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// requestsMetric counts the requests the API server served, labeled by verb,
// resource and response code.
const requestsMetric = "apiserver_request_total"

// writeVerbs are the apiserver_request_total verbs that change state.
// Server-side apply is counted as APPLY, not PATCH.
var writeVerbs = map[string]bool{
	"POST": true, "PUT": true, "PATCH": true, "APPLY": true, "DELETE": true, "DELETECOLLECTION": true,
}

// A writeKey names one apiserver_request_total series of a write verb.
type writeKey struct {
	Verb        string `json:"verb"`
	Group       string `json:"group,omitempty"`
	Resource    string `json:"resource"`
	Subresource string `json:"subresource,omitempty"`
	Code        string `json:"code"`
}

// What the key reads as in a report: "PUT configmaps", "PUT claims/status".
func (k writeKey) what() string {
	r := k.Resource
	if k.Subresource != "" {
		r += "/" + k.Subresource
	}
	return k.Verb + " " + r
}

// writeCounts are API server write counters by series.
type writeCounts map[writeKey]float64

// total sums every series.
func (w writeCounts) total() float64 {
	var n float64
	for _, v := range w {
		n += v
	}
	return n
}

// since returns the increase of every series from before to w, leaving out
// series that did not change.
func (w writeCounts) since(before writeCounts) writeCounts {
	out := writeCounts{}
	for k, v := range w {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// A writeRow is one line of a write breakdown.
type writeRow struct {
	writeKey

	Count    float64 `json:"count"`
	PerClaim float64 `json:"perClaim"`
}

// rows returns the series, most writes first, with their count per claim.
func (w writeCounts) rows(claims int) []writeRow {
	out := make([]writeRow, 0, len(w))
	for k, v := range w {
		out = append(out, writeRow{writeKey: k, Count: v, PerClaim: v / float64(claims)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].what()+out[i].Code < out[j].what()+out[j].Code
	})
	return out
}

// A writeCounter reads the API server's write counters.
type writeCounter struct {
	hc  *http.Client
	url string
}

// newWriteCounter returns a counter that reads /metrics of the API server cfg
// points at, authenticated as cfg is.
func newWriteCounter(cfg *rest.Config) (*writeCounter, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create an HTTP client for the API server")
	}
	return &writeCounter{hc: hc, url: strings.TrimRight(cfg.Host, "/") + "/metrics"}, nil
}

// Read returns the API server's write counters as they are now.
func (c *writeCounter) Read(ctx context.Context) (writeCounts, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, errors.Wrap(err, "cannot build metrics request")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read %s", c.url)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, errors.Errorf("cannot read %s: HTTP %d: %s", c.url, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return parseWrites(resp.Body)
}

// parseWrites reads the write-verb series of apiserver_request_total from
// metrics in the Prometheus text format, summing series that differ only in
// labels a writeKey does not keep.
func parseWrites(r io.Reader) (writeCounts, error) {
	out := writeCounts{}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for s.Scan() {
		line := s.Text()
		if !strings.HasPrefix(line, requestsMetric+"{") {
			continue
		}
		labels, rest, err := parseLabels(line[len(requestsMetric)+1:])
		if err != nil {
			return nil, errors.Wrapf(err, "cannot parse metrics line %q", line)
		}
		if !writeVerbs[labels["verb"]] {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, errors.Errorf("metrics line %q has no value", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot parse the value of metrics line %q", line)
		}
		k := writeKey{Verb: labels["verb"], Group: labels["group"], Resource: labels["resource"], Subresource: labels["subresource"], Code: labels["code"]}
		out[k] += v
	}
	if err := s.Err(); err != nil {
		return nil, errors.Wrap(err, "cannot read metrics")
	}
	return out, nil
}

// parseLabels parses `name="value",...}` and returns the labels and what
// follows the closing brace.
func parseLabels(s string) (map[string]string, string, error) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ,")
		if strings.HasPrefix(s, "}") {
			return labels, s[1:], nil
		}
		eq := strings.IndexByte(s, '=')
		if eq < 1 || len(s) < eq+2 || s[eq+1] != '"' {
			return nil, "", errors.New("expected name=\"value\"")
		}
		name := s[:eq]
		s = s[eq+2:]
		var b strings.Builder
		closed := false
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && i+1 < len(s):
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				default:
					b.WriteByte(s[i])
				}
			case c == '"':
				labels[name] = b.String()
				s, closed = s[i+1:], true
			default:
				b.WriteByte(c)
			}
			if closed {
				break
			}
		}
		if !closed {
			return nil, "", errors.Errorf("unterminated value of label %s", name)
		}
	}
}
