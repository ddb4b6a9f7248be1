// Package core_test runs the Stratus core against the local control plane.
package core_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"

	ctrls "github.com/stratus-dev/stratus/internal/controller"
	"github.com/stratus-dev/stratus/internal/core"
	"github.com/stratus-dev/stratus/internal/proc"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

func TestCoreServesAndLeads(t *testing.T) {
	env := harness.Get(t)
	ns := env.Namespace(t)

	healthPort, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	metricsPort, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}

	// A controller that records that the manager started it, with the
	// options the core was given.
	started := make(chan controller.Options, 1)
	probe := func(mgr ctrl.Manager, o controller.Options) error {
		return mgr.Add(runnable(func(ctx context.Context) error {
			started <- o
			<-ctx.Done()
			return nil
		}))
	}

	mgr, err := core.NewManager(env.Config, core.Options{
		MetricsBindAddress:      fmt.Sprintf("127.0.0.1:%d", metricsPort),
		HealthProbeBindAddress:  fmt.Sprintf("127.0.0.1:%d", healthPort),
		LeaderElection:          true,
		LeaderElectionNamespace: ns,
		MaxConcurrentReconciles: 3,
		PollInterval:            42 * time.Second,
		Controllers:             []ctrls.SetupFn{probe},
	})
	if err != nil {
		t.Fatalf("NewManager(...): %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager stopped with an error: %v", err)
		}
	})

	select {
	case o := <-started:
		if o.MaxConcurrentReconciles != 3 || o.PollInterval != 42*time.Second {
			t.Errorf("controller options: want 3 concurrent reconciles and a 42s poll, got %d and %s", o.MaxConcurrentReconciles, o.PollInterval)
		}
	case err := <-done:
		t.Fatalf("manager stopped before starting controllers: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("manager did not start its controllers within 30s (did it win leader election?)")
	}

	// The Lease shows which replica leads.
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: core.LeaderElectionID}}
	env.WaitFor(t, lease, 10*time.Second, func(o client.Object) (bool, string) {
		l := o.(*coordinationv1.Lease)
		if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" {
			return false, "the lease has no holder"
		}
		return true, ""
	})

	for _, c := range []struct{ url, want string }{
		{fmt.Sprintf("http://127.0.0.1:%d/healthz", healthPort), "ok"},
		{fmt.Sprintf("http://127.0.0.1:%d/readyz", healthPort), "ok"},
		{fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort), "leader_election_master_status"},
	} {
		body := getOK(t, c.url)
		if !strings.Contains(body, c.want) {
			t.Errorf("GET %s: want a body containing %q, got %.300q", c.url, c.want, body)
		}
	}
}

func TestCoreRejectsBadOptions(t *testing.T) {
	env := harness.Get(t)
	cases := map[string]struct {
		reason string
		o      core.Options
		want   string
	}{
		"NoConcurrency": {
			reason: "At least one reconcile must be allowed at a time.",
			o:      core.Options{MaxConcurrentReconciles: 0, PollInterval: time.Minute},
			want:   "max concurrent reconciles must be at least 1, not 0",
		},
		"NegativePoll": {
			reason: "A poll interval must be positive.",
			o:      core.Options{MaxConcurrentReconciles: 1, PollInterval: -time.Second},
			want:   "poll interval must be positive, not -1s",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := core.NewManager(env.Config, tc.o)
			if err == nil || err.Error() != tc.want {
				t.Errorf("%s\nNewManager(...): want error %q, got %v", tc.reason, tc.want, err)
			}
		})
	}
}

type runnable func(ctx context.Context) error

func (r runnable) Start(ctx context.Context) error { return r(ctx) }

func getOK(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b)
			}
			err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
