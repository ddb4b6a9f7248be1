package pt

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// st returns JSON as a protobuf Struct, or panics; for test fixtures.
func st(j string) *structpb.Struct {
	s := &structpb.Struct{}
	if err := protojson.Unmarshal([]byte(j), s); err != nil {
		panic(err)
	}
	return s
}

func TestRunFunction(t *testing.T) {
	type args struct {
		req *fnv1.RunFunctionRequest
	}
	type want struct {
		rsp *fnv1.RunFunctionResponse
		err error
	}

	xr := `{
		"apiVersion": "example.org/v1", "kind": "XDatabase",
		"metadata": {"name": "orders"},
		"spec": {"region": "eu", "size": 20}
	}`
	input := `{
		"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources",
		"patchSets": [{"name": "region", "patches": [{"fromFieldPath": "spec.region", "toFieldPath": "spec.forProvider.region"}]}],
		"resources": [
			{
				"name": "db",
				"base": {"apiVersion": "rds.aws.stratus.dev/v1", "kind": "Instance", "spec": {"forProvider": {"engine": "postgres"}}},
				"patches": [
					{"type": "PatchSet", "patchSetName": "region"},
					{"fromFieldPath": "spec.size", "toFieldPath": "spec.forProvider.storage", "transforms": [{"type": "math", "math": {"multiply": 2}}]},
					{"type": "ToCompositeFieldPath", "fromFieldPath": "status.atProvider.endpoint", "toFieldPath": "status.endpoint"}
				],
				"connectionDetails": [
					{"name": "password", "type": "FromConnectionSecretKey", "fromConnectionSecretKey": "password"},
					{"name": "host", "type": "FromFieldPath", "fromFieldPath": "status.atProvider.endpoint"}
				],
				"readinessChecks": [{"type": "MatchString", "fieldPath": "status.atProvider.state", "matchString": "available"}]
			},
			{
				"name": "bucket",
				"base": {"apiVersion": "s3.aws.stratus.dev/v1", "kind": "Bucket"},
				"patches": [{"type": "PatchSet", "patchSetName": "region"}]
			}
		]
	}`
	observed := &fnv1.State{
		Composite: &fnv1.Resource{Resource: st(xr)},
		Resources: map[string]*fnv1.Resource{
			"db": {
				Resource:          st(`{"apiVersion": "rds.aws.stratus.dev/v1", "kind": "Instance", "metadata": {"name": "orders-x7k2p"}, "status": {"atProvider": {"endpoint": "orders.eu.rds", "state": "available"}}}`),
				ConnectionDetails: map[string][]byte{"password": []byte("s3cret")},
			},
		},
	}
	earlier := func() *fnv1.State {
		return &fnv1.State{
			Composite: &fnv1.Resource{
				Resource:          st(`{"status": {"phase": "earlier"}}`),
				ConnectionDetails: map[string][]byte{"earlier": []byte("yes")},
			},
			Resources: map[string]*fnv1.Resource{
				"other": {Resource: st(`{"apiVersion": "v1", "kind": "ConfigMap"}`), Ready: fnv1.Ready_READY_TRUE},
			},
		}
	}
	meta := &fnv1.ResponseMeta{Tag: "t", Ttl: durationpb.New(time.Minute)}
	fatal := func(msg string) []*fnv1.Result {
		return []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_FATAL, Message: msg, Target: fnv1.Target_TARGET_COMPOSITE.Enum()}}
	}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Compose": {
			reason: "The function adds its rendered resources, composite patches and connection details to the desired state of earlier steps.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta:     &fnv1.RequestMeta{Tag: "t"},
				Input:    st(input),
				Observed: observed,
				Desired:  earlier(),
				Context:  st(`{"apiextensions.crossplane.io/environment": {"a": "b"}}`),
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta: meta,
				Desired: &fnv1.State{
					Composite: &fnv1.Resource{
						Resource:          st(`{"apiVersion": "example.org/v1", "kind": "XDatabase", "status": {"phase": "earlier", "endpoint": "orders.eu.rds"}}`),
						ConnectionDetails: map[string][]byte{"earlier": []byte("yes"), "password": []byte("s3cret"), "host": []byte("orders.eu.rds")},
					},
					Resources: map[string]*fnv1.Resource{
						"other": {Resource: st(`{"apiVersion": "v1", "kind": "ConfigMap"}`), Ready: fnv1.Ready_READY_TRUE},
						"db": {
							Resource: st(`{"apiVersion": "rds.aws.stratus.dev/v1", "kind": "Instance", "spec": {"forProvider": {"engine": "postgres", "region": "eu", "storage": 40}}}`),
							Ready:    fnv1.Ready_READY_TRUE,
						},
						"bucket": {
							Resource: st(`{"apiVersion": "s3.aws.stratus.dev/v1", "kind": "Bucket", "spec": {"forProvider": {"region": "eu"}}}`),
							Ready:    fnv1.Ready_READY_FALSE,
						},
					},
				},
				Context: st(`{"apiextensions.crossplane.io/environment": {"a": "b"}}`),
			}},
		},
		"FirstStep": {
			reason: "The function works without desired state from earlier steps.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta:     &fnv1.RequestMeta{Tag: "t"},
				Input:    st(`{"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources", "resources": [{"name": "cm", "base": {"apiVersion": "v1", "kind": "ConfigMap"}, "readinessChecks": [{"type": "None"}]}]}`),
				Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: st(xr)}, Resources: map[string]*fnv1.Resource{"cm": {Resource: st(`{"apiVersion": "v1", "kind": "ConfigMap"}`)}}},
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta: meta,
				Desired: &fnv1.State{
					Composite: &fnv1.Resource{Resource: st(`{"apiVersion": "example.org/v1", "kind": "XDatabase"}`)},
					Resources: map[string]*fnv1.Resource{"cm": {Resource: st(`{"apiVersion": "v1", "kind": "ConfigMap"}`), Ready: fnv1.Ready_READY_TRUE}},
				},
			}},
		},
		"RenderError": {
			reason: "A rendering error is a single fatal result with the precise message, and the desired state of earlier steps unchanged.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta: &fnv1.RequestMeta{Tag: "t"},
				Input: st(`{"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources", "resources": [
					{"name": "db", "base": {"apiVersion": "v1", "kind": "ConfigMap"}, "patches": [
						{"fromFieldPath": "spec.region"},
						{"fromFieldPath": "spec.parameters.size", "policy": {"fromFieldPath": "Required"}}
					]}
				]}`),
				Observed: observed,
				Desired:  earlier(),
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    meta,
				Desired: earlier(),
				Results: fatal(`resource "db": patch 1 (FromCompositeFieldPath spec.parameters.size): required field spec.parameters.size not found`),
			}},
		},
		"NoInput": {
			reason: "A missing input is a fatal result.",
			args:   args{req: &fnv1.RunFunctionRequest{Meta: &fnv1.RequestMeta{Tag: "t"}, Observed: observed}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    meta,
				Desired: &fnv1.State{},
				Results: fatal("the function requires an input: apiVersion pt.fn.crossplane.io/v1beta1, kind Resources"),
			}},
		},
		"WrongKind": {
			reason: "An input of another kind is a fatal result.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta:     &fnv1.RequestMeta{Tag: "t"},
				Input:    st(`{"apiVersion": "kcl.fn.crossplane.io/v1beta1", "kind": "KCLInput"}`),
				Observed: observed,
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    meta,
				Desired: &fnv1.State{},
				Results: fatal(`the input must have apiVersion pt.fn.crossplane.io/v1beta1 and kind Resources, not apiVersion "kcl.fn.crossplane.io/v1beta1" and kind "KCLInput"`),
			}},
		},
		"UnknownField": {
			reason: "A misspelled field of the input is a fatal result rather than silently ignored.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta:     &fnv1.RequestMeta{Tag: "t"},
				Input:    st(`{"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources", "resources": [{"name": "a", "base": {"apiVersion": "v1", "kind": "ConfigMap"}, "patches": [{"fromFieldPth": "spec.x"}]}]}`),
				Observed: observed,
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    meta,
				Desired: &fnv1.State{},
				Results: fatal(`cannot decode the input: json: unknown field "fromFieldPth"`),
			}},
		},
		"WrongFieldType": {
			reason: "A field of the wrong type is a fatal result.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta:     &fnv1.RequestMeta{Tag: "t"},
				Input:    st(`{"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources", "resources": {"name": "a"}}`),
				Observed: observed,
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    meta,
				Desired: &fnv1.State{},
				Results: fatal(`cannot decode the input: json: cannot unmarshal object into Go struct field Resources.resources of type []v1beta1.ComposedTemplate`),
			}},
		},
		"NoObservedComposite": {
			reason: "A request without an observed composite resource is a fatal result.",
			args: args{req: &fnv1.RunFunctionRequest{
				Meta:  &fnv1.RequestMeta{Tag: "t"},
				Input: st(`{"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources", "resources": []}`),
			}},
			want: want{rsp: &fnv1.RunFunctionResponse{
				Meta:    meta,
				Desired: &fnv1.State{},
				Results: fatal("the request has no observed composite resource"),
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := NewFunction()
			rsp, err := f.RunFunction(context.Background(), "function-patch-and-transform", tc.args.req)
			if diff := cmp.Diff(tc.want.err, err); diff != "" {
				t.Errorf("%s\nf.RunFunction(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.rsp, rsp, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nf.RunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRunFunctionGoBuiltInput(t *testing.T) {
	// A Composition in Resources mode hands its templates to the function as
	// a Resources encoded from Go types; that encoding must decode strictly.
	in := &v1beta1.Resources{
		PatchSets: []v1beta1.PatchSet{{Name: "s", Patches: []v1beta1.ComposedPatch{{FromFieldPath: new("spec.region"), ToFieldPath: new("spec.forProvider.region")}}}},
		Resources: []v1beta1.ComposedTemplate{{
			Name: "bucket",
			Base: runtime.RawExtension{Raw: []byte(`{"apiVersion":"s3.aws.stratus.dev/v1","kind":"Bucket"}`)},
			Patches: []v1beta1.ComposedPatch{
				{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("s")},
				{FromFieldPath: new("spec.region"), ToFieldPath: new("metadata.labels.zone"), Transforms: []v1beta1.Transform{mapT(map[string]extv1.JSON{"eu": js(`"eu-1"`)})}},
			},
		}},
	}
	in.SetGroupVersionKind(v1beta1.ResourcesGroupVersionKind)
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("json.Marshal(...): %v", err)
	}
	req := &fnv1.RunFunctionRequest{
		Input:    st(string(b)),
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: st(`{"apiVersion": "example.org/v1", "kind": "XBucket", "spec": {"region": "eu"}}`)}},
	}
	rsp, _ := NewFunction().RunFunction(context.Background(), "function-patch-and-transform", req)
	want := &fnv1.RunFunctionResponse{
		Meta: &fnv1.ResponseMeta{Ttl: durationpb.New(time.Minute)},
		Desired: &fnv1.State{
			Composite: &fnv1.Resource{Resource: st(`{"apiVersion": "example.org/v1", "kind": "XBucket"}`)},
			Resources: map[string]*fnv1.Resource{"bucket": {
				Resource: st(`{"apiVersion": "s3.aws.stratus.dev/v1", "kind": "Bucket", "metadata": {"labels": {"zone": "eu-1"}}, "spec": {"forProvider": {"region": "eu"}}}`),
				Ready:    fnv1.Ready_READY_FALSE,
			}},
		},
	}
	if diff := cmp.Diff(want, rsp, protocmp.Transform()); diff != "" {
		t.Errorf("f.RunFunction(...): -want, +got:\n%s", diff)
	}
}
