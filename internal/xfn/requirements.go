package xfn

import (
	"context"

	"google.golang.org/protobuf/proto"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// requirements returns the resources a response asks for. Schemas are not
// supported, so they do not count.
func requirements(rsp *fnv1.RunFunctionResponse) *fnv1.Requirements {
	r := rsp.GetRequirements()
	return &fnv1.Requirements{
		Resources:      r.GetResources(),
		ExtraResources: r.GetExtraResources(), //nolint:staticcheck // Functions built with older SDKs still ask for extra resources.
	}
}

// requirementsEqual reports whether two sets of requirements ask for the same
// resources. Empty and absent maps are equal.
func requirementsEqual(a, b *fnv1.Requirements) bool {
	return proto.Equal(a, b)
}

// stepSelectors returns the selectors of the resources a step declares it
// requires, by requirement name.
func stepSelectors(s xpextv1.PipelineStep) map[string]*fnv1.ResourceSelector {
	if s.Requirements == nil || len(s.Requirements.RequiredResources) == 0 {
		return nil
	}
	out := make(map[string]*fnv1.ResourceSelector, len(s.Requirements.RequiredResources))
	for _, r := range s.Requirements.RequiredResources {
		sel := &fnv1.ResourceSelector{ApiVersion: r.APIVersion, Kind: r.Kind, Namespace: r.Namespace}
		switch {
		case len(r.MatchLabels) > 0:
			sel.Match = &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: r.MatchLabels}}
		case r.Name != nil:
			sel.Match = &fnv1.ResourceSelector_MatchName{MatchName: *r.Name}
		}
		out[r.RequirementName] = sel
	}
	return out
}

// fetchAll fetches the resources each selector selects, by requirement name.
// It always returns a non-nil map.
func (p *Pipeline) fetchAll(ctx context.Context, sels map[string]*fnv1.ResourceSelector) (map[string]*fnv1.Resources, error) {
	out := make(map[string]*fnv1.Resources, len(sels))
	for name, sel := range sels {
		rs, err := fetch(ctx, p.client, sel)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot fetch required resource %q", name)
		}
		out[name] = rs
	}
	return out, nil
}

// fetch fetches the resources a selector selects. A name that selects
// nothing is not an error: the function decides what a missing resource
// means.
func fetch(ctx context.Context, c client.Reader, sel *fnv1.ResourceSelector) (*fnv1.Resources, error) {
	gvk := schema.FromAPIVersionAndKind(sel.GetApiVersion(), sel.GetKind())
	if gvk.Kind == "" || gvk.Version == "" {
		return nil, errors.Errorf("selector needs an apiVersion and a kind, not %q and %q", sel.GetApiVersion(), sel.GetKind())
	}
	var objs []unstructured.Unstructured
	switch m := sel.GetMatch().(type) {
	case *fnv1.ResourceSelector_MatchName:
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		err := c.Get(ctx, client.ObjectKey{Namespace: sel.GetNamespace(), Name: m.MatchName}, u)
		switch {
		case kerrors.IsNotFound(err):
		case err != nil:
			return nil, errors.Wrapf(err, "cannot get %s %q", gvk.Kind, m.MatchName)
		default:
			objs = append(objs, *u)
		}
	case *fnv1.ResourceSelector_MatchLabels:
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		opts := []client.ListOption{client.MatchingLabels(m.MatchLabels.GetLabels())}
		if ns := sel.GetNamespace(); ns != "" {
			opts = append(opts, client.InNamespace(ns))
		}
		if err := c.List(ctx, l, opts...); err != nil {
			return nil, errors.Wrapf(err, "cannot list %s", gvk.Kind)
		}
		objs = l.Items
	default:
		return nil, errors.Errorf("selector for %s must match a name or labels", gvk.Kind)
	}

	rs := &fnv1.Resources{Items: make([]*fnv1.Resource, 0, len(objs))}
	for i := range objs {
		s, err := AsStruct(&objs[i])
		if err != nil {
			return nil, err
		}
		rs.Items = append(rs.Items, &fnv1.Resource{Resource: s})
	}
	return rs, nil
}
