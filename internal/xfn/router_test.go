package xfn

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
)

func TestRouterRunFunction(t *testing.T) {
	// Each runner answers with a result that says who ran the function.
	answer := func(who string) FunctionRunner {
		return FunctionRunnerFn(func(_ context.Context, name string, _ *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
			return &fnv1.RunFunctionResponse{Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: who + " ran " + name}}}, nil
		})
	}
	ran := func(who, name string) *fnv1.RunFunctionResponse {
		return &fnv1.RunFunctionResponse{Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: who + " ran " + name}}}
	}
	function := func(name, endpoint string) *pkgv1.Function {
		fn := &pkgv1.Function{ObjectMeta: metav1.ObjectMeta{Name: name}}
		fn.Status.Endpoint = endpoint
		return fn
	}

	type args struct {
		objects []client.Object
		opts    []RouterOption
		name    string
	}
	type want struct {
		rsp *fnv1.RunFunctionResponse
		err error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"InstalledWithEndpoint": {
			reason: "A Function with an endpoint runs over gRPC, even when a built-in of that name exists.",
			args: args{
				objects: []client.Object{function(FunctionPatchAndTransform, "10.0.0.1:9443")},
				opts:    []RouterOption{WithBuiltin(FunctionPatchAndTransform, answer("builtin"))},
				name:    FunctionPatchAndTransform,
			},
			want: want{rsp: ran("remote", FunctionPatchAndTransform)},
		},
		"NotInstalledBuiltin": {
			reason: "Without a Function, a registered built-in runs in-process.",
			args: args{
				opts: []RouterOption{WithBuiltin(FunctionPatchAndTransform, answer("builtin"))},
				name: FunctionPatchAndTransform,
			},
			want: want{rsp: ran("builtin", FunctionPatchAndTransform)},
		},
		"InstalledWithoutEndpointBuiltin": {
			reason: "A Function that has no endpoint yet falls back to the built-in of that name.",
			args: args{
				objects: []client.Object{function(FunctionPatchAndTransform, "")},
				opts:    []RouterOption{WithBuiltin(FunctionPatchAndTransform, answer("builtin"))},
				name:    FunctionPatchAndTransform,
			},
			want: want{rsp: ran("builtin", FunctionPatchAndTransform)},
		},
		"InstalledWithoutEndpoint": {
			reason: "A Function that has no endpoint and no built-in to fall back to fails, asking whether it is healthy.",
			args: args{
				objects: []client.Object{function("function-go-templating", "")},
				name:    "function-go-templating",
			},
			want: want{err: errors.New(`function "function-go-templating" has no endpoint: is it installed and healthy?`)},
		},
		"Unknown": {
			reason: "A name that is neither installed nor built in fails clearly.",
			args:   args{name: "x"},
			want:   want{err: errors.New(`unknown function "x": no Function named "x" is installed and it is not built in`)},
		},
		"AutoReadyByDefault": {
			reason: "The auto-ready built-in is registered without being asked for.",
			args:   args{name: FunctionAutoReady},
			want:   want{rsp: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{}, Desired: &fnv1.State{}}},
		},
		"BuiltinRemoved": {
			reason: "WithBuiltin with a nil runner removes a built-in.",
			args: args{
				opts: []RouterOption{WithBuiltin(FunctionAutoReady, nil)},
				name: FunctionAutoReady,
			},
			want: want{err: errors.New(`unknown function "function-auto-ready": no Function named "function-auto-ready" is installed and it is not built in`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(tc.args.objects...).Build()
			r := NewRouter(c, answer("remote"), tc.args.opts...)
			rsp, err := r.RunFunction(context.Background(), tc.args.name, &fnv1.RunFunctionRequest{})
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.rsp, rsp, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRouterLookupError(t *testing.T) {
	c := &test.MockClient{MockGet: test.NewMockGetFn(errors.New("boom"))}
	_, err := NewRouter(c, nil).RunFunction(context.Background(), "x", &fnv1.RunFunctionRequest{})
	want := errors.Wrap(errors.New("boom"), `cannot get Function "x"`)
	if diff := cmp.Diff(want, err, test.EquateErrors()); diff != "" {
		t.Errorf("A failed Function lookup is an error, not a fall back to a built-in.\nRunFunction(...): -want error, +got error:\n%s", diff)
	}
}
