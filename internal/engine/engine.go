// Package engine starts and stops controllers while the manager runs. The
// core needs one composite (and one claim) controller per XRD, and XRDs come
// and go at run time; controller-runtime's manager can add controllers but
// never remove them, so these controllers are run outside it, each with its
// own context, on the manager's shared cache.
package engine

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
)

// A Watch is a kind of object a controller watches and how its events map to
// reconcile requests.
type Watch struct {
	GroupVersionKind schema.GroupVersionKind

	// Object, when set, is the typed object to watch the kind as. A
	// controller that reads a kind through the typed cache must watch it
	// typed too: typed and unstructured informers are separate, and an event
	// from one may arrive before the other has the change.
	Object client.Object

	Handler    handler.EventHandler
	Predicates []predicate.Predicate
}

type running struct {
	ctrl    controller.Controller
	cancel  context.CancelFunc
	done    chan struct{}
	primary schema.GroupVersionKind
	watched map[schema.GroupVersionKind]bool
}

// An Engine runs named controllers on a shared cache.
type Engine struct {
	cache cache.Cache
	log   logging.Logger

	mu      sync.Mutex
	running map[string]*running
}

// New returns an engine whose controllers read through c.
func New(c cache.Cache, log logging.Logger) *Engine {
	return &Engine{cache: c, log: log, running: map[string]*running{}}
}

// IsRunning reports whether the named controller runs.
func (e *Engine) IsRunning(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.running[name]
	return ok
}

// Kind returns the primary kind of the named controller, and whether it runs.
func (e *Engine) Kind(name string) (schema.GroupVersionKind, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.running[name]
	if !ok {
		return schema.GroupVersionKind{}, false
	}
	return r.primary, true
}

// Start starts the named controller, reconciling objects of the primary kind
// (For) with o.Reconciler. It does nothing when the controller already runs.
func (e *Engine) Start(ctx context.Context, name string, o controller.Options, primary schema.GroupVersionKind, watches ...Watch) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.running[name]; ok {
		return nil
	}
	// A controller stopped and started again keeps its name.
	o.SkipNameValidation = new(true)
	o.Reconciler = logErrors{r: o.Reconciler, log: e.log.WithValues("controller", name)}
	c, err := controller.NewUnmanaged(name, o)
	if err != nil {
		return errors.Wrapf(err, "cannot create controller %s", name)
	}
	r := &running{ctrl: c, primary: primary, watched: map[schema.GroupVersionKind]bool{}, done: make(chan struct{})}
	all := append([]Watch{{GroupVersionKind: primary, Handler: &handler.EnqueueRequestForObject{}}}, watches...)
	for _, w := range all {
		if err := e.watch(r, w); err != nil {
			return err
		}
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	go func() {
		defer close(r.done)
		if err := c.Start(cctx); err != nil {
			e.log.Info("Controller stopped with an error", "controller", name, "error", err)
		}
	}()
	e.running[name] = r
	e.log.Debug("Started controller", "controller", name, "kind", primary.String())
	return nil
}

// AddWatch makes the named controller also watch w, if it does not already
// watch that kind.
func (e *Engine) AddWatch(name string, w Watch) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.running[name]
	if !ok {
		return errors.Errorf("controller %s is not running", name)
	}
	return e.watch(r, w)
}

func (e *Engine) watch(r *running, w Watch) error {
	if r.watched[w.GroupVersionKind] {
		return nil
	}
	obj := w.Object
	if obj == nil {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(w.GroupVersionKind)
		obj = u
	}
	if err := r.ctrl.Watch(source.Kind[client.Object](e.cache, obj, w.Handler, w.Predicates...)); err != nil {
		return errors.Wrapf(err, "cannot watch %s", w.GroupVersionKind)
	}
	r.watched[w.GroupVersionKind] = true
	return nil
}

// Stop stops the named controller and drops the informer of its primary
// kind, whose CRD is usually about to go. Informers of other kinds stay: other
// controllers may share them.
func (e *Engine) Stop(ctx context.Context, name string) error {
	e.mu.Lock()
	r, ok := e.running[name]
	delete(e.running, name)
	e.mu.Unlock()
	if !ok {
		return nil
	}
	r.cancel()
	select {
	case <-r.done:
	case <-ctx.Done():
		return errors.Wrapf(ctx.Err(), "controller %s did not stop", name)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(r.primary)
	if err := e.cache.RemoveInformer(ctx, u); err != nil {
		return errors.Wrapf(err, "cannot stop informer for %s", r.primary)
	}
	e.log.Debug("Stopped controller", "controller", name)
	return nil
}

// StopAll stops every controller.
func (e *Engine) StopAll(ctx context.Context) error {
	e.mu.Lock()
	names := make([]string, 0, len(e.running))
	for n := range e.running {
		names = append(names, n)
	}
	e.mu.Unlock()
	var errs []error
	for _, n := range names {
		if err := e.Stop(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// logErrors logs the errors of a reconciler; controllers run outside the
// manager have no logger of their own.
type logErrors struct {
	r   reconcile.Reconciler
	log logging.Logger
}

func (l logErrors) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	res, err := l.r.Reconcile(ctx, req)
	if err != nil {
		l.log.Debug("Cannot reconcile", "request", req, "error", err)
	}
	return res, err
}
