package fault

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse(t *testing.T) {
	type want struct {
		api string
		cfg Config
		err bool
	}
	cases := map[string]struct {
		reason string
		in     string
		want   want
	}{
		"All": {
			reason: "Every key is read.",
			in:     "rds=throttle:0.2,error:0.05,latency:50ms",
			want:   want{api: "rds", cfg: Config{Throttle: 0.2, Error: 0.05, Latency: Duration(50 * time.Millisecond)}},
		},
		"NoAPI": {
			reason: "A value without API= is refused.",
			in:     "throttle:0.2",
			want:   want{err: true},
		},
		"UnknownKey": {
			reason: "A mistyped key is refused.",
			in:     "ec2=throttel:0.2",
			want:   want{err: true},
		},
		"RateTooHigh": {
			reason: "Rates add up to at most 1.",
			in:     "arm=throttle:0.6,error:0.6",
			want:   want{err: true},
		},
		"BadLatency": {
			reason: "A latency must be a Go duration.",
			in:     "arm=latency:fast",
			want:   want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			api, cfg, err := Parse(tc.in)
			got := want{api: api, cfg: cfg, err: err != nil}
			if tc.want.err {
				got.api, got.cfg = "", Config{}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nParse(%q): -want, +got:\n%s", tc.reason, tc.in, diff)
			}
		})
	}
}

type responder struct{}

func (responder) Throttle(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusTooManyRequests)
}
func (responder) ServerError(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusServiceUnavailable)
}

func TestWrap(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	cases := map[string]struct {
		reason string
		cfg    Config
		roll   float64
		want   int
	}{
		"None":       {reason: "Without settings requests pass.", want: http.StatusOK},
		"Throttled":  {reason: "A roll under the throttle rate is throttled.", cfg: Config{Throttle: 0.3, Error: 0.3}, roll: 0.1, want: http.StatusTooManyRequests},
		"Failed":     {reason: "A roll between the rates fails.", cfg: Config{Throttle: 0.3, Error: 0.3}, roll: 0.5, want: http.StatusServiceUnavailable},
		"PassesOver": {reason: "A roll above both rates passes.", cfg: Config{Throttle: 0.3, Error: 0.3}, roll: 0.7, want: http.StatusOK},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			i := NewInjector()
			i.rnd = func() float64 { return tc.roll }
			if err := i.Set("rds", tc.cfg); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			i.Wrap("rds", responder{}, ok).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
			if diff := cmp.Diff(tc.want, rec.Code); diff != "" {
				t.Errorf("%s\nWrap(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	i := NewInjector()
	if err := i.Set("gcp", Config{Latency: Duration(50 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	i.Wrap("gcp", responder{}, http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("latency 50ms: request took %s", d)
	}
}

func TestSetValidates(t *testing.T) {
	err := NewInjector().Set("rds", Config{Throttle: -1})
	if diff := cmp.Diff(true, err != nil, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Set with a negative rate: -want error, +got:\n%s", diff)
	}
}
