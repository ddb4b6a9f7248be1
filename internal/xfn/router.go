package xfn

import (
	"context"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
)

// A Router runs each function where it lives: over gRPC when a Function of
// that name with an endpoint is installed, otherwise in-process when a
// built-in of that name is registered.
type Router struct {
	functions client.Reader
	remote    FunctionRunner
	builtins  map[string]FunctionRunner
}

// A RouterOption configures a Router.
type RouterOption func(r *Router)

// WithBuiltin registers an in-process function under name. It replaces any
// built-in already registered under that name; a nil runner removes it.
func WithBuiltin(name string, fn FunctionRunner) RouterOption {
	return func(r *Router) {
		if fn == nil {
			delete(r.builtins, name)
			return
		}
		r.builtins[name] = fn
	}
}

// NewRouter returns a Router that looks Functions up through c and runs the
// installed ones with remote, usually a GRPCRunner. The auto-ready built-in
// (FunctionAutoReady) and connection-details (FunctionConnectionDetails)
// built-ins are registered by default; register the others with WithBuiltin.
func NewRouter(c client.Reader, remote FunctionRunner, opts ...RouterOption) *Router {
	r := &Router{
		functions: c,
		remote:    remote,
		builtins:  map[string]FunctionRunner{FunctionAutoReady: AutoReady(), FunctionConnectionDetails: ConnectionDetails()},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// RunFunction runs the named function.
func (r *Router) RunFunction(ctx context.Context, name string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	fn := &pkgv1.Function{}
	err := r.functions.Get(ctx, client.ObjectKey{Name: name}, fn)
	switch {
	case err == nil && fn.Status.Endpoint != "":
		return r.remote.RunFunction(ctx, name, req)
	case err != nil && !kerrors.IsNotFound(err):
		return nil, errors.Wrapf(err, "cannot get Function %q", name)
	}
	if b, ok := r.builtins[name]; ok {
		return b.RunFunction(ctx, name, req)
	}
	if err == nil {
		// Installed, but not (yet) running, and nothing to fall back to.
		return nil, errors.Errorf("function %q has no endpoint: is it installed and healthy?", name)
	}
	return nil, errors.Errorf("unknown function %q: no Function named %q is installed and it is not built in", name, name)
}
