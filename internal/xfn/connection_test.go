package xfn

import (
	"context"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func TestConnectionDetails(t *testing.T) {
	const uri = `postgresql://{{ .username | uriEscape }}:{{ .password | uriEscape }}@{{ .host }}:{{ .port }}/{{ .database | uriEscape }}`
	input := func(details map[string]any) map[string]any {
		return map[string]any{"apiVersion": ConnectionTemplatesAPIVersion, "kind": ConnectionTemplatesKind, "details": details}
	}
	full := map[string][]byte{
		"username": []byte("app"), "password": []byte("p@ss/w:rd %ü"), "host": []byte("127.0.1.2"),
		"port": []byte("5432"), "database": []byte("app"),
	}
	withDetails := func(cd map[string][]byte, extra map[string]string) *fnv1.State {
		out := maps.Clone(cd)
		if out == nil {
			out = map[string][]byte{}
		}
		for k, v := range extra {
			out[k] = []byte(v)
		}
		return &fnv1.State{Composite: &fnv1.Resource{ConnectionDetails: out}}
	}
	fatal := func(msg string) []*fnv1.Result {
		return []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_FATAL, Message: msg, Target: fnv1.Target_TARGET_COMPOSITE.Enum()}}
	}

	cases := map[string]struct {
		reason  string
		input   map[string]any
		desired *fnv1.State
		want    *fnv1.RunFunctionResponse
	}{
		"DerivesURI": {
			reason:  "Every key the template names is there: the URI is added, with user and password percent-encoded.",
			input:   input(map[string]any{"uri": uri}),
			desired: withDetails(full, nil),
			want: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(full, map[string]string{
				"uri": "postgresql://app:p%40ss%2Fw%3Ard%20%25%C3%BC@127.0.1.2:5432/app",
			})},
		},
		"WaitsForMissingKeys": {
			reason:  "The password is not known yet (the database is being created): the URI is left out, nothing fails.",
			input:   input(map[string]any{"uri": uri, "greeting": "hello {{ .username }}"}),
			desired: withDetails(map[string][]byte{"username": []byte("app")}, nil),
			want: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(map[string][]byte{"username": []byte("app")}, map[string]string{
				"greeting": "hello app",
			})},
		},
		"KeysInsideConditionals": {
			reason:  "Keys read inside if/else count too.",
			input:   input(map[string]any{"x": "{{ if .a }}{{ .b }}{{ else }}none{{ end }}"}),
			desired: withDetails(map[string][]byte{"a": []byte("1")}, nil),
			want:    &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(map[string][]byte{"a": []byte("1")}, nil)},
		},
		"NoDesiredState": {
			reason: "A first step with nothing desired yet gets an empty composite with no details.",
			input:  input(map[string]any{"uri": uri}),
			want:   &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: &fnv1.State{Composite: &fnv1.Resource{}}},
		},
		"BadTemplate": {
			reason:  "A template that does not parse is a fatal result naming the detail; the desired state is unchanged.",
			input:   input(map[string]any{"uri": "{{ .host "}),
			desired: withDetails(full, nil),
			want: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(full, nil),
				Results: fatal(`cannot parse the template of connection detail "uri": template: uri:1: unclosed action`)},
		},
		"UnknownField": {
			reason:  "The input is decoded strictly.",
			input:   map[string]any{"apiVersion": ConnectionTemplatesAPIVersion, "kind": ConnectionTemplatesKind, "detail": map[string]any{"uri": uri}},
			desired: withDetails(full, nil),
			want: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(full, nil),
				Results: fatal(`cannot decode the input: json: unknown field "detail"`)},
		},
		"WrongKind": {
			reason:  "An input of another kind is refused.",
			input:   map[string]any{"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources"},
			desired: withDetails(full, nil),
			want: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(full, nil),
				Results: fatal("the input is a pt.fn.crossplane.io/v1beta1 Resources: want a connection.fn.stratus.dev/v1alpha1 Templates")},
		},
		"NoDetails": {
			reason:  "An input with nothing to derive is a mistake.",
			input:   input(map[string]any{}),
			desired: withDetails(full, nil),
			want: &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "t"}, Desired: withDetails(full, nil),
				Results: fatal("the input has no details: name at least one connection detail and its template")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := &fnv1.RunFunctionRequest{Meta: &fnv1.RequestMeta{Tag: "t"}, Input: mustStruct(tc.input), Desired: tc.desired}
			got, err := ConnectionDetails().RunFunction(context.Background(), FunctionConnectionDetails, req)
			if err != nil {
				t.Fatalf("\n%s\nRunFunction(...): unexpected error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("\n%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestURIEscape(t *testing.T) {
	cases := map[string]string{
		"plain-Name_1.~": "plain-Name_1.~",
		"a b+c":          "a%20b%2Bc",
		"@:/?#[]":        "%40%3A%2F%3F%23%5B%5D",
		"ü":              "%C3%BC",
	}
	for in, want := range cases {
		if got := uriEscape(in); got != want {
			t.Errorf("uriEscape(%q): want %q, got %q", in, want, got)
		}
	}
}
