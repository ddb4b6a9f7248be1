package xfn

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func TestAutoReady(t *testing.T) {
	withReady := func(status string) *structpb.Struct {
		return mustStruct(map[string]any{"status": map[string]any{"conditions": []any{
			map[string]any{"type": "Synced", "status": "True"},
			map[string]any{"type": "Ready", "status": status},
		}}})
	}
	body := mustStruct(map[string]any{"spec": map[string]any{"forProvider": map[string]any{"region": "eu-west-1"}}})
	xr := &fnv1.Resource{Resource: mustStruct(map[string]any{"status": map[string]any{"phase": "x"}})}
	fctx := mustStruct(map[string]any{"k": "v"})

	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
		want   *fnv1.RunFunctionResponse
	}{
		"MarksReady": {
			reason: "Desired resources whose observed counterparts are Ready=True become READY_TRUE; the others and the rest of the state pass through.",
			req: &fnv1.RunFunctionRequest{
				Meta: &fnv1.RequestMeta{Tag: "t"},
				Observed: &fnv1.State{Resources: map[string]*fnv1.Resource{
					"ready":    {Resource: withReady("True")},
					"creating": {Resource: withReady("False")},
					"nostatus": {Resource: body},
				}},
				Desired: &fnv1.State{Composite: xr, Resources: map[string]*fnv1.Resource{
					"ready":    {Resource: body},
					"creating": {Resource: body},
					"nostatus": {Resource: body},
					"new":      {Resource: body},
				}},
				Context: fctx,
			},
			want: &fnv1.RunFunctionResponse{
				Meta: &fnv1.ResponseMeta{Tag: "t"},
				Desired: &fnv1.State{Composite: xr, Resources: map[string]*fnv1.Resource{
					"ready":    {Resource: body, Ready: fnv1.Ready_READY_TRUE},
					"creating": {Resource: body},
					"nostatus": {Resource: body},
					"new":      {Resource: body},
				}},
				Context: fctx,
			},
		},
		"KeepsExplicitReadiness": {
			reason: "A readiness an earlier step set explicitly is kept.",
			req: &fnv1.RunFunctionRequest{
				Observed: &fnv1.State{Resources: map[string]*fnv1.Resource{"r": {Resource: withReady("True")}}},
				Desired:  &fnv1.State{Resources: map[string]*fnv1.Resource{"r": {Resource: body, Ready: fnv1.Ready_READY_FALSE}}},
			},
			want: &fnv1.RunFunctionResponse{
				Meta:    &fnv1.ResponseMeta{},
				Desired: &fnv1.State{Resources: map[string]*fnv1.Resource{"r": {Resource: body, Ready: fnv1.Ready_READY_FALSE}}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := AutoReady().RunFunction(context.Background(), FunctionAutoReady, tc.req)
			if err != nil {
				t.Fatalf("%s\nRunFunction(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
