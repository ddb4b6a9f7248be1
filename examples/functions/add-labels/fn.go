package main

import (
	"context"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/response"
)

// The input this function reads.
const (
	InputAPIVersion = "add-labels.fn.stratus.dev/v1alpha1"
	InputKind       = "Input"
)

// A Function adds labels to every desired composed resource.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
}

// RunFunction adds the input's labels to the desired composed resources that
// earlier steps produced, keeping every other part of the desired state.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	log := f.log.WithValues("tag", req.GetMeta().GetTag())
	rsp := response.To(req, response.DefaultTTL)

	labels, err := inputLabels(req)
	if err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}

	desired, err := request.GetDesiredComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get desired composed resources"))
		return rsp, nil
	}
	for _, d := range desired {
		l := d.Resource.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		maps.Copy(l, labels)
		d.Resource.SetLabels(l)
	}
	if err := response.SetDesiredComposedResources(rsp, desired); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired composed resources"))
		return rsp, nil
	}

	keys := slices.Sorted(maps.Keys(labels))
	log.Debug("Added labels", "labels", keys, "resources", len(desired))
	response.Normalf(rsp, "added labels %s to %d composed resources", strings.Join(keys, ", "), len(desired)).
		WithReason("LabelsAdded")
	return rsp, nil
}

// inputLabels reads the labels from the function's input.
func inputLabels(req *fnv1.RunFunctionRequest) (map[string]string, error) {
	in := &unstructured.Unstructured{}
	if err := request.GetInput(req, in); err != nil {
		return nil, errors.Wrap(err, "cannot get function input")
	}
	if in.GetAPIVersion() != InputAPIVersion || in.GetKind() != InputKind {
		return nil, errors.Errorf("input must be an %s %s, not %q %q", InputAPIVersion, InputKind, in.GetAPIVersion(), in.GetKind())
	}
	labels, _, err := unstructured.NestedStringMap(in.Object, "labels")
	if err != nil {
		return nil, errors.Wrap(err, "cannot read input labels: labels must map strings to strings")
	}
	return labels, nil
}
