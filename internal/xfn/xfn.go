// Package xfn runs composition functions: over gRPC with the
// apiextensions.fn.proto.v1 protocol, or in-process for the built-in
// functions, and strings them into a Composition's pipeline.
package xfn

import (
	"context"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// Names of the built-in functions. A pipeline step whose functionRef names
// one of these runs the built-in in-process, unless a Function of that name
// with an endpoint is installed.
const (
	FunctionPatchAndTransform = "function-patch-and-transform"
	FunctionAutoReady         = "function-auto-ready"
	FunctionConnectionDetails = "function-connection-details"
)

// A FunctionRunner runs the named composition function once.
type FunctionRunner interface {
	RunFunction(ctx context.Context, name string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error)
}

// A FunctionRunnerFn is a function that satisfies FunctionRunner.
type FunctionRunnerFn func(ctx context.Context, name string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error)

// RunFunction runs the named function.
func (fn FunctionRunnerFn) RunFunction(ctx context.Context, name string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	return fn(ctx, name, req)
}
