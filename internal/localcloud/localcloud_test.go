package localcloud

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
)

func fastDelays() cloud.Delays {
	d := 200 * time.Millisecond
	return cloud.Delays{Create: d, Modify: d, Delete: d, Start: d, Stop: d}
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAdminAPI exercises the admin endpoint of a local cloud running all
// three services.
func TestAdminAPI(t *testing.T) {
	dir := filepath.Join(pgtest.Dir(t), "lc")
	c, err := Start(context.Background(), Options{Dir: dir, Delays: fastDelays()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	e := c.Endpoints()
	for _, u := range []string{e.AWS, e.GCP, e.Admin} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("endpoint %q is not loopback HTTP", u)
		}
	}
	if !strings.HasPrefix(e.Azure, "https://127.0.0.1:") {
		t.Errorf("Azure endpoint %q is not loopback HTTPS", e.Azure)
	}

	cases := map[string]struct {
		reason         string
		method, path   string
		body           string
		wantCode       int
		wantBodySubstr string
	}{
		"Health": {
			reason: "The health check answers once serving.",
			method: http.MethodGet, path: "/healthz", wantCode: http.StatusOK, wantBodySubstr: "ok",
		},
		"Endpoints": {
			reason: "Endpoints name the Azure CA file.",
			method: http.MethodGet, path: "/v1/endpoints", wantCode: http.StatusOK, wantBodySubstr: "ca.pem",
		},
		"SetFault": {
			reason: "A valid fault setting is stored and echoed.",
			method: http.MethodPut, path: "/v1/faults/rds", body: `{"throttle":0.5,"latency":"5ms"}`,
			wantCode: http.StatusOK, wantBodySubstr: `"latency": "5ms"`,
		},
		"UnknownAPI": {
			reason: "An unknown API is refused with the list of known ones.",
			method: http.MethodPut, path: "/v1/faults/s3", body: `{"throttle":0.5}`,
			wantCode: http.StatusNotFound, wantBodySubstr: "want one of rds, ec2, sqladmin, compute, arm",
		},
		"BadRate": {
			reason: "A rate above 1 is refused with what is wrong.",
			method: http.MethodPut, path: "/v1/faults/arm", body: `{"throttle":2}`,
			wantCode: http.StatusBadRequest, wantBodySubstr: "not between 0 and 1",
		},
		"UnknownField": {
			reason: "A mistyped setting is refused rather than ignored.",
			method: http.MethodPut, path: "/v1/faults/arm", body: `{"throttel":0.1}`,
			wantCode: http.StatusBadRequest, wantBodySubstr: "unknown field",
		},
		"CA": {
			reason: "The Azure CA is served as PEM.",
			method: http.MethodGet, path: "/v1/ca.pem", wantCode: http.StatusOK, wantBodySubstr: "BEGIN CERTIFICATE",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, body := do(t, tc.method, e.Admin+tc.path, tc.body)
			if code != tc.wantCode || !strings.Contains(body, tc.wantBodySubstr) {
				t.Errorf("%s\n%s %s: got %d %s, want %d containing %q", tc.reason, tc.method, tc.path, code, body, tc.wantCode, tc.wantBodySubstr)
			}
		})
	}

	if diff := cmp.Diff(map[string]fault.Config{"rds": {Throttle: 0.5, Latency: fault.Duration(5 * time.Millisecond)}}, c.Env().Faults.All()); diff != "" {
		t.Errorf("faults after PUT: -want, +got:\n%s", diff)
	}
	if code, _ := do(t, http.MethodDelete, e.Admin+"/v1/faults", ""); code != http.StatusOK {
		t.Errorf("DELETE /v1/faults: %d", code)
	}
	if got := c.Env().Faults.All(); len(got) != 0 {
		t.Errorf("faults after DELETE: %v", got)
	}
}

// TestRestartKeepsPorts shows a local cloud restarted over the same folder
// with ports left at 0 serves where it served before.
func TestRestartKeepsPorts(t *testing.T) {
	dir := filepath.Join(pgtest.Dir(t), "lc")
	c, err := Start(context.Background(), Options{Dir: dir, Delays: fastDelays()})
	if err != nil {
		t.Fatal(err)
	}
	first := c.Endpoints()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = Start(context.Background(), Options{Dir: dir, Delays: fastDelays()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if diff := cmp.Diff(first, c.Endpoints()); diff != "" {
		t.Errorf("endpoints across a restart: -first, +second:\n%s", diff)
	}
	code, body := do(t, http.MethodGet, c.Endpoints().Admin+"/v1/resources", "")
	var r Resources
	if err := json.Unmarshal([]byte(body), &r); code != http.StatusOK || err != nil {
		t.Fatalf("GET /v1/resources: %d %v %s", code, err, body)
	}
}
