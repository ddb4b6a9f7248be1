package xfn

import (
	"context"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// AutoReady returns the auto-ready built-in (FunctionAutoReady). It marks
// each desired composed resource ready (READY_TRUE) when its observed
// counterpart has a Ready condition with status True. Desired resources whose
// readiness an earlier step set explicitly keep it; everything else passes
// through unchanged.
func AutoReady() FunctionRunner {
	return FunctionRunnerFn(runAutoReady)
}

func runAutoReady(_ context.Context, _ string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := &fnv1.RunFunctionResponse{
		Meta:    &fnv1.ResponseMeta{Tag: req.GetMeta().GetTag()},
		Desired: proto.CloneOf(req.GetDesired()),
		Context: req.GetContext(),
	}
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	observed := req.GetObserved().GetResources()
	for name, d := range rsp.Desired.GetResources() {
		if d == nil || d.Ready != fnv1.Ready_READY_UNSPECIFIED {
			continue
		}
		if o, ok := observed[name]; ok && isReady(o.GetResource()) {
			d.Ready = fnv1.Ready_READY_TRUE
		}
	}
	return rsp, nil
}

// isReady reports whether an observed object has a Ready condition with
// status True.
func isReady(o *structpb.Struct) bool {
	conditions := o.GetFields()["status"].GetStructValue().GetFields()["conditions"].GetListValue().GetValues()
	for _, c := range conditions {
		f := c.GetStructValue().GetFields()
		if f["type"].GetStringValue() == "Ready" {
			return f["status"].GetStringValue() == "True"
		}
	}
	return false
}
