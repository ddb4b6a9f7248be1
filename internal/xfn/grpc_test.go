package xfn

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/testing/protocmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
)

// echoServer answers with the tag it was sent and the input's message, after
// the input's delay.
type echoServer struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
}

func (echoServer) RunFunction(ctx context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	if d, err := time.ParseDuration(req.GetInput().GetFields()["delay"].GetStringValue()); err == nil {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &fnv1.RunFunctionResponse{
		Meta:    &fnv1.ResponseMeta{Tag: req.GetMeta().GetTag()},
		Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: req.GetInput().GetFields()["message"].GetStringValue()}},
	}, nil
}

// serve serves echoServer in plaintext on a loopback port until the test
// ends, and returns its address.
func serve(t *testing.T) string {
	t.Helper()
	lis, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fnv1.RegisterFunctionRunnerServiceServer(srv, echoServer{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// closedAddress returns a loopback address nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	lis, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	return addr
}

func TestGRPCRunnerRunFunction(t *testing.T) {
	live := serve(t)
	dead := closedAddress(t)
	function := func(name, endpoint string) *pkgv1.Function {
		fn := &pkgv1.Function{ObjectMeta: metav1.ObjectMeta{Name: name}}
		fn.Status.Endpoint = endpoint
		return fn
	}
	req := func(input map[string]any) *fnv1.RunFunctionRequest {
		return &fnv1.RunFunctionRequest{Input: mustStruct(input)}
	}

	type args struct {
		objects []client.Object
		opts    []GRPCRunnerOption
		name    string
		req     *fnv1.RunFunctionRequest
	}
	type want struct {
		rsp *fnv1.RunFunctionResponse
		// err is a substring of the error: gRPC's own wording of transport
		// failures is not ours to pin down.
		err string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Runs": {
			reason: "A Function with an endpoint is called there, with a tag set on the request.",
			args: args{
				objects: []client.Object{function("echo", live)},
				opts:    []GRPCRunnerOption{WithInsecure()},
				name:    "echo",
				req:     req(map[string]any{"message": "hi"}),
			},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    &fnv1.ResponseMeta{Tag: Tag(req(map[string]any{"message": "hi"}))},
				Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "hi"}},
			}},
		},
		"KeepsTag": {
			reason: "A tag the caller set is sent as it is.",
			args: args{
				objects: []client.Object{function("echo", live)},
				opts:    []GRPCRunnerOption{WithInsecure()},
				name:    "echo",
				req:     &fnv1.RunFunctionRequest{Meta: &fnv1.RequestMeta{Tag: "mine"}},
			},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    &fnv1.ResponseMeta{Tag: "mine"},
				Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL}},
			}},
		},
		"NoFunction": {
			reason: "A name without a Function says what to create.",
			args:   args{opts: []GRPCRunnerOption{WithInsecure()}, name: "echo", req: req(nil)},
			want:   want{err: `function "echo" is not installed: create a pkg.crossplane.io/v1 Function named "echo"`},
		},
		"NoEndpoint": {
			reason: "A Function without an endpoint asks whether it is installed and healthy.",
			args: args{
				objects: []client.Object{function("echo", "")},
				opts:    []GRPCRunnerOption{WithInsecure()},
				name:    "echo",
				req:     req(nil),
			},
			want: want{err: `function "echo" has no endpoint: is it installed and healthy?`},
		},
		"NoTLS": {
			reason: "Without TLS configuration or WithInsecure the runner refuses to call, saying which option to pass.",
			args: args{
				objects: []client.Object{function("echo", live)},
				name:    "echo",
				req:     req(nil),
			},
			want: want{err: `cannot connect to function "echo" at ` + live + `: no TLS configuration: load client certificates with LoadTLSConfig and pass WithTLSConfig, or pass WithInsecure for functions served with --insecure`},
		},
		"Unreachable": {
			reason: "An endpoint nothing listens on is reported as unreachable.",
			args: args{
				objects: []client.Object{function("echo", dead)},
				opts:    []GRPCRunnerOption{WithInsecure()},
				name:    "echo",
				req:     req(nil),
			},
			want: want{err: `cannot reach function "echo" at ` + dead + ` (is it running, and do its TLS settings match ours?)`},
		},
		"Timeout": {
			reason: "A call that outlives the timeout fails, naming the timeout.",
			args: args{
				objects: []client.Object{function("echo", live)},
				opts:    []GRPCRunnerOption{WithInsecure(), WithTimeout(50 * time.Millisecond)},
				name:    "echo",
				req:     req(map[string]any{"delay": "5s"}),
			},
			want: want{err: `function "echo" at ` + live + ` did not answer within 50ms`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(tc.args.objects...).Build()
			r := NewGRPCRunner(c, tc.args.opts...)
			t.Cleanup(func() { _ = r.Close() })
			rsp, err := r.RunFunction(context.Background(), tc.args.name, tc.args.req)
			switch {
			case tc.want.err == "" && err != nil:
				t.Errorf("%s\nRunFunction(...): unexpected error: %v", tc.reason, err)
			case tc.want.err != "" && (err == nil || !strings.Contains(err.Error(), tc.want.err)):
				t.Errorf("%s\nRunFunction(...): want an error containing %q, got %v", tc.reason, tc.want.err, err)
			}
			if diff := cmp.Diff(tc.want.rsp, rsp, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestGRPCRunnerConnections(t *testing.T) {
	a, b := serve(t), serve(t)
	fa := &pkgv1.Function{ObjectMeta: metav1.ObjectMeta{Name: "a"}}
	fa.Status.Endpoint = a
	fb := &pkgv1.Function{ObjectMeta: metav1.ObjectMeta{Name: "b"}}
	fb.Status.Endpoint = b
	c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(fa, fb).Build()
	r := NewGRPCRunner(c, WithInsecure())

	for _, name := range []string{"a", "b", "a", "b"} {
		if _, err := r.RunFunction(context.Background(), name, &fnv1.RunFunctionRequest{}); err != nil {
			t.Fatalf("RunFunction(%q): %v", name, err)
		}
	}
	if got := len(r.conns); got != 2 {
		t.Errorf("Two functions called twice each should share one connection per endpoint.\nconnections: want 2, got %d", got)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close(): %v", err)
	}
	if got := len(r.conns); got != 0 {
		t.Errorf("Close should close every connection.\nconnections: want 0, got %d", got)
	}
	if _, err := r.RunFunction(context.Background(), "a", &fnv1.RunFunctionRequest{}); err == nil {
		t.Errorf("A closed runner should refuse to run functions.\nRunFunction(...): want an error, got none")
	}
}

func TestLoadTLSConfig(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadTLSConfig(dir)
	want := "cannot load client certificate tls.crt and key tls.key from " + dir
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("A directory without certificates cannot configure TLS.\nLoadTLSConfig(%q): want an error starting %q, got %v", filepath.Base(dir), want, err)
	}
}
