// Package engine_test runs controllers started and stopped at run time
// against the local control plane.
package engine_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stratus-dev/stratus/internal/engine"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

func TestStartStop(t *testing.T) {
	env := harness.Get(t)
	ns := env.Namespace(t)
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: env.Scheme, Metrics: metricsOff(), HealthProbeBindAddress: "0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	go func() { _ = mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		t.Fatal("cache did not sync")
	}

	seen := make(chan string, 10)
	e := engine.New(mgr.GetCache(), logging.NewNopLogger())
	r := reconcile.Func(func(_ context.Context, req reconcile.Request) (reconcile.Result, error) {
		if req.Namespace == ns {
			seen <- req.Name
		}
		return reconcile.Result{}, nil
	})
	gvk := corev1.SchemeGroupVersion.WithKind("ConfigMap")
	if err := e.Start(ctx, "cm", controller.Options{Reconciler: r}, gvk); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "probe"}}
	if err := env.Client.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-seen:
		if got != "probe" {
			t.Errorf("reconciled %q, want probe", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the started controller did not reconcile the new ConfigMap within 20s")
	}
	if err := e.Stop(ctx, "cm"); err != nil {
		t.Fatal(err)
	}
	if _, running := e.Kind("cm"); running {
		t.Error("Kind(cm): want stopped")
	}

	// A stopped controller sees no more changes.
	if err := env.Client.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "after-stop"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-seen:
		t.Errorf("a stopped controller reconciled %q", got)
	case <-time.After(2 * time.Second):
	}
}
