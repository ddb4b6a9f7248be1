package pt

import (
	"maps"

	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// An ObservedResource is a composed resource as it exists.
type ObservedResource struct {
	// Resource is the composed resource.
	Resource map[string]any

	// ConnectionDetails are the composed resource's own connection details.
	ConnectionDetails map[string][]byte
}

// Input is what Render renders: resource templates and patch sets, and the
// observed and desired state they render against.
type Input struct {
	// Resources are the resource templates, rendered in order.
	Resources []v1beta1.ComposedTemplate

	// PatchSets the templates' PatchSet patches include.
	PatchSets []v1beta1.PatchSet

	// ObservedComposite is the composite resource as it exists. From and
	// CombineFrom patches read it.
	ObservedComposite map[string]any

	// ObservedResources are the composed resources that exist, by template
	// name. To and CombineTo patches, connection details and readiness
	// checks read them.
	ObservedResources map[string]ObservedResource

	// DesiredComposite is the desired composite resource so far, such as
	// earlier pipeline steps produced it; To and CombineTo patches write to
	// a copy of it. It may be nil.
	DesiredComposite map[string]any

	// DesiredResources are the desired composed resources so far, by name. A
	// template without a base patches a copy of the one of its name.
	DesiredResources map[string]map[string]any
}

// A DesiredResource is a rendered composed resource.
type DesiredResource struct {
	// Name of the template the resource was rendered from.
	Name string

	// Resource is the rendered composed resource.
	Resource map[string]any

	// Ready is whether the observed resource passes its readiness checks.
	// A resource that is not observed yet is not ready.
	Ready bool
}

// Output is what Render rendered.
type Output struct {
	// Composite is the desired composite resource: the input's with the To
	// and CombineTo patches applied.
	Composite map[string]any

	// ConnectionDetails the observed composed resources contribute to the
	// composite resource.
	ConnectionDetails map[string][]byte

	// Resources are the rendered composed resources, in template order.
	Resources []DesiredResource
}

// Render renders every resource template of the input: it starts each
// composed resource from the template's base, applies the From and
// CombineFrom patches from the observed composite resource, and, when the
// composed resource is observed, applies its To and CombineTo patches to the
// desired composite resource, extracts its connection details and runs its
// readiness checks. It returns the first error, naming the template, patch
// and transform, and nothing else; it never modifies its input.
func Render(in Input) (*Output, error) {
	sets, err := patchSets(in.PatchSets)
	if err != nil {
		return nil, err
	}
	oxr, err := toJSONObject(in.ObservedComposite)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the observed composite resource")
	}
	dxr, err := toJSONObject(in.DesiredComposite)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the desired composite resource")
	}
	out := &Output{Composite: dxr, ConnectionDetails: map[string][]byte{}}
	seen := map[string]bool{}
	for i := range in.Resources {
		t := in.Resources[i]
		if t.Name == "" {
			return nil, errors.Errorf("resource %d: name is required", i)
		}
		if seen[t.Name] {
			return nil, errors.Errorf("resource %q: name is not unique", t.Name)
		}
		seen[t.Name] = true
		dr, err := renderTemplate(t, sets, oxr, dxr, in, out.ConnectionDetails)
		if err != nil {
			return nil, errors.Wrapf(err, "resource %q", t.Name)
		}
		out.Resources = append(out.Resources, *dr)
	}
	if out.Composite, err = toJSONObject(dxr); err != nil {
		return nil, errors.Wrap(err, "cannot encode the desired composite resource")
	}
	return out, nil
}

// patchSets indexes patch sets by name.
func patchSets(ps []v1beta1.PatchSet) (map[string]v1beta1.PatchSet, error) {
	sets := make(map[string]v1beta1.PatchSet, len(ps))
	for i, s := range ps {
		if s.Name == "" {
			return nil, errors.Errorf("patchSet %d: name is required", i)
		}
		if _, dup := sets[s.Name]; dup {
			return nil, errors.Errorf("patchSet %q: name is not unique", s.Name)
		}
		sets[s.Name] = s
	}
	return sets, nil
}

// A patchContext holds the objects a template's patches read and write.
type patchContext struct {
	oxr  map[string]any // The observed composite resource; From patches read it.
	dcd  map[string]any // The desired composed resource; From patches write it.
	ocd  map[string]any // The observed composed resource, or nil; To patches read it.
	dxr  map[string]any // The desired composite resource; To patches write it.
	sets map[string]v1beta1.PatchSet
}

func renderTemplate(t v1beta1.ComposedTemplate, sets map[string]v1beta1.PatchSet, oxr, dxr map[string]any, in Input, conn map[string][]byte) (*DesiredResource, error) {
	dcd, err := base(t, in.DesiredResources)
	if err != nil {
		return nil, err
	}
	var ocd map[string]any
	observed, isObserved := in.ObservedResources[t.Name]
	if isObserved {
		if ocd, err = toJSONObject(observed.Resource); err != nil {
			return nil, errors.Wrap(err, "cannot read the observed resource")
		}
	}
	c := &patchContext{oxr: oxr, dcd: dcd, ocd: ocd, dxr: dxr, sets: sets}
	if err := applyPatches(t.Patches, c, false); err != nil {
		return nil, err
	}
	// Values written by patches are JSON-shaped already; normalise numbers
	// once more so that integers read back as int64.
	if dcd, err = toJSONObject(dcd); err != nil {
		return nil, errors.Wrap(err, "cannot encode the rendered resource")
	}

	for i := range t.ReadinessChecks {
		if err := ValidateReadinessCheck(t.ReadinessChecks[i]); err != nil {
			return nil, errors.Wrapf(err, "readiness check %d (%s)", i, describeReadinessCheck(t.ReadinessChecks[i]))
		}
	}
	dr := &DesiredResource{Name: t.Name, Resource: dcd}
	if !isObserved {
		// Validate the connection details even though there is nothing to
		// extract yet, so that mistakes show before the resource exists.
		_, err := ExtractConnectionDetails(map[string]any{}, nil, t.ConnectionDetails)
		// Checks of type None never look at the resource: it is ready as
		// soon as it is applied, which saves a recompose and a status write.
		dr.Ready = onlyNoneChecks(t.ReadinessChecks)
		return dr, err
	}
	cd, err := ExtractConnectionDetails(ocd, observed.ConnectionDetails, t.ConnectionDetails)
	if err != nil {
		return nil, err
	}
	maps.Copy(conn, cd)
	if dr.Ready, err = IsReady(ocd, t.ReadinessChecks); err != nil {
		return nil, err
	}
	return dr, nil
}

// onlyNoneChecks reports whether a template has readiness checks and all are
// of type None.
func onlyNoneChecks(checks []v1beta1.ReadinessCheck) bool {
	for _, c := range checks {
		if c.Type != v1beta1.ReadinessCheckTypeNone {
			return false
		}
	}
	return len(checks) > 0
}

// base returns a copy of the template's base, or of the desired resource of
// its name when it has none.
func base(t v1beta1.ComposedTemplate, desired map[string]map[string]any) (map[string]any, error) {
	raw := t.Base.Raw
	if len(raw) == 0 && t.Base.Object != nil {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(t.Base.Object)
		if err != nil {
			return nil, errors.Wrap(err, "cannot read base")
		}
		return toJSONObject(u)
	}
	if len(raw) == 0 || string(raw) == "null" {
		d, ok := desired[t.Name]
		if !ok {
			return nil, errors.New("base is required: no earlier step produced a resource of this name to patch")
		}
		o, err := toJSONObject(d)
		return o, errors.Wrap(err, "cannot read the desired resource of an earlier step")
	}
	o := map[string]any{}
	if err := utiljson.Unmarshal(raw, &o); err != nil {
		return nil, errors.Wrap(err, "cannot decode base as a JSON object")
	}
	if av, _ := o["apiVersion"].(string); av == "" {
		return nil, errors.New("base must set apiVersion")
	}
	if k, _ := o["kind"].(string); k == "" {
		return nil, errors.New("base must set kind")
	}
	return o, nil
}

// applyPatches applies patches in order; inSet says they belong to a PatchSet.
func applyPatches(ps []v1beta1.ComposedPatch, c *patchContext, inSet bool) error {
	for i := range ps {
		if err := applyComposedPatch(ps[i], c, inSet); err != nil {
			return errors.Wrapf(err, "patch %d (%s)", i, describePatch(ps[i]))
		}
	}
	return nil
}

func applyComposedPatch(p v1beta1.ComposedPatch, c *patchContext, inSet bool) error {
	if err := ValidatePatch(p); err != nil {
		return err
	}
	switch p.GetType() {
	case v1beta1.PatchTypePatchSet:
		if inSet {
			return errors.New("a PatchSet cannot include another PatchSet")
		}
		s, ok := c.sets[*p.PatchSetName]
		if !ok {
			return errors.Errorf("no patchSet named %q", *p.PatchSetName)
		}
		return applyPatches(s.Patches, c, true)
	case v1beta1.PatchTypeFromCompositeFieldPath, v1beta1.PatchTypeCombineFromComposite:
		return ApplyPatch(p, c.oxr, c.dcd)
	case v1beta1.PatchTypeToCompositeFieldPath, v1beta1.PatchTypeCombineToComposite:
		if c.ocd == nil {
			// Nothing to read until the composed resource exists.
			return nil
		}
		return ApplyPatch(p, c.ocd, c.dxr)
	}
	return errors.Errorf("unknown patch type %q", p.Type)
}
