// Package controller registers the Stratus core controllers with a
// controller-runtime manager. Each controller lives in its own package under
// internal/controller/<area>/<controller> and exposes a Setup function of type
// SetupFn; Setup calls every one of them.
package controller

import (
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlcontroller "sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
)

// EventRecorder returns a recorder of Kubernetes events for the named
// controller.
func EventRecorder(mgr ctrl.Manager, name string) event.Recorder {
	// crossplane-runtime's recorder takes the core/v1 EventRecorder, which
	// the manager still provides beside its newer events/v1 one.
	var p legacyRecorderProvider = mgr
	return event.NewAPIRecorder(p.GetEventRecorderFor(name))
}

// legacyRecorderProvider provides core/v1 event recorders.
type legacyRecorderProvider interface {
	GetEventRecorderFor(name string) record.EventRecorder
}

// RequeueOnConflict turns a reconcile that lost a write race (HTTP 409) into
// a quiet, immediate retry: the next attempt reads the newer object.
func RequeueOnConflict(res reconcile.Result, err error) (reconcile.Result, error) {
	if kerrors.IsConflict(errors.Cause(err)) {
		return reconcile.Result{Requeue: true}, nil
	}
	return res, err
}

// Options returns controller-runtime options for a core controller. Several
// managers may run in one process (tests do), so a controller's name need not
// be unique.
func Options(o controller.Options) ctrlcontroller.Options {
	co := o.ForControllerRuntime()
	co.SkipNameValidation = new(true)
	return co
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
