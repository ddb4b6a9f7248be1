// Package controller registers the Stratus core controllers with a
// controller-runtime manager. Each controller lives in its own package under
// internal/controller/<area>/<controller> and exposes a Setup function of type
// SetupFn; Setup calls every one of them.
package controller

import (
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
)

// EventRecorder returns a recorder of Kubernetes events for the named
// controller.
func EventRecorder(mgr ctrl.Manager, name string) event.Recorder {
	// crossplane-runtime's recorder takes the core/v1 EventRecorder.
	return event.NewAPIRecorder(mgr.GetEventRecorderFor(name)) //nolint:staticcheck // SA1019: crossplane-runtime takes the core/v1 recorder.
}

// RequeueOnConflict turns a reconcile that lost a write race (HTTP 409) into
// a quiet, immediate retry: the next attempt reads the newer object.
func RequeueOnConflict(res reconcile.Result, err error) (reconcile.Result, error) {
	if kerrors.IsConflict(errors.Cause(err)) {
		return reconcile.Result{Requeue: true}, nil
	}
	return res, err
}

// A SetupFn adds one controller to a manager.
type SetupFn func(mgr ctrl.Manager, o controller.Options) error

// Setup adds each controller to mgr.
func Setup(mgr ctrl.Manager, o controller.Options, fns ...SetupFn) error {
	for i, fn := range fns {
		if err := fn(mgr, o); err != nil {
			return errors.Wrapf(err, "cannot set up controller %d", i)
		}
	}
	return nil
}
