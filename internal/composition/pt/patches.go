package pt

import (
	"fmt"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// describePatch names a patch's type and field for error messages, such as
// "FromCompositeFieldPath spec.parameters.size".
func describePatch(p v1beta1.ComposedPatch) string {
	t := p.GetType()
	switch t {
	case v1beta1.PatchTypeFromCompositeFieldPath, v1beta1.PatchTypeToCompositeFieldPath:
		if p.FromFieldPath != nil && *p.FromFieldPath != "" {
			return fmt.Sprintf("%s %s", t, *p.FromFieldPath)
		}
	case v1beta1.PatchTypeCombineFromComposite, v1beta1.PatchTypeCombineToComposite:
		if p.ToFieldPath != nil && *p.ToFieldPath != "" {
			return fmt.Sprintf("%s to %s", t, *p.ToFieldPath)
		}
	case v1beta1.PatchTypePatchSet:
		if p.PatchSetName != nil {
			return fmt.Sprintf("%s %q", t, *p.PatchSetName)
		}
	}
	return string(t)
}

// ValidatePatch returns an error if a patch is incomplete or malformed: an
// unknown type or policy, a missing or unparseable field path, a combine
// without variables or format, an invalid transform. It does not resolve a
// PatchSet patch's name.
func ValidatePatch(p v1beta1.ComposedPatch) error { //nolint:gocyclo // One flat switch over the patch types reads best.
	switch p.GetType() {
	case v1beta1.PatchTypeFromCompositeFieldPath, v1beta1.PatchTypeToCompositeFieldPath:
		if p.FromFieldPath == nil || *p.FromFieldPath == "" {
			return errors.New("fromFieldPath is required")
		}
		if err := validatePath("fromFieldPath", *p.FromFieldPath); err != nil {
			return err
		}
		if p.ToFieldPath != nil && *p.ToFieldPath != "" {
			if err := validatePath("toFieldPath", *p.ToFieldPath); err != nil {
				return err
			}
		}
	case v1beta1.PatchTypeCombineFromComposite, v1beta1.PatchTypeCombineToComposite:
		if err := validateCombine(p.Combine); err != nil {
			return err
		}
		if p.ToFieldPath == nil || *p.ToFieldPath == "" {
			return errors.New("toFieldPath is required")
		}
		if err := validatePath("toFieldPath", *p.ToFieldPath); err != nil {
			return err
		}
	case v1beta1.PatchTypePatchSet:
		if p.PatchSetName == nil || *p.PatchSetName == "" {
			return errors.New("patchSetName is required")
		}
		return nil
	default:
		return errors.Errorf("unknown patch type %q (want FromCompositeFieldPath, ToCompositeFieldPath, CombineFromComposite, CombineToComposite or PatchSet)", p.Type)
	}
	switch p.Policy.GetFromFieldPathPolicy() {
	case v1beta1.FromFieldPathPolicyOptional, v1beta1.FromFieldPathPolicyRequired:
	default:
		return errors.Errorf("unknown fromFieldPath policy %q (want Optional or Required)", *p.Policy.FromFieldPath)
	}
	if _, err := mergeOptions(p.Policy); err != nil {
		return err
	}
	for i := range p.Transforms {
		if err := ValidateTransform(p.Transforms[i]); err != nil {
			return errors.Wrapf(err, "transform %d (%s)", i, describeTransform(p.Transforms[i]))
		}
	}
	return nil
}

func validatePath(field, path string) error {
	if _, err := fieldpath.Parse(path); err != nil {
		return errors.Wrapf(err, "invalid %s %q", field, path)
	}
	return nil
}

func validateCombine(c *v1beta1.Combine) error {
	if c == nil {
		return errors.New("combine is required")
	}
	if len(c.Variables) == 0 {
		return errors.New("combine requires at least one variable")
	}
	for i, v := range c.Variables {
		if v.FromFieldPath == "" {
			return errors.Errorf("combine variable %d: fromFieldPath is required", i)
		}
		if err := validatePath("fromFieldPath", v.FromFieldPath); err != nil {
			return errors.Wrapf(err, "combine variable %d", i)
		}
	}
	switch c.Strategy {
	case v1beta1.CombineStrategyString:
		if c.String == nil {
			return errors.New("combine strategy string requires string.fmt")
		}
	case "":
		return errors.New("combine strategy is required")
	default:
		return errors.Errorf("unknown combine strategy %q (want string)", c.Strategy)
	}
	return nil
}

// mergeOptions returns how a policy writes its destination: nil replaces.
func mergeOptions(p *v1beta1.PatchPolicy) (*fieldpath.MergeOptions, error) {
	yes, no := true, false
	switch p.GetToFieldPathPolicy() {
	case v1beta1.ToFieldPathPolicyReplace:
		return nil, nil
	case v1beta1.ToFieldPathPolicyMergeObjects:
		return &fieldpath.MergeOptions{KeepMapValues: &yes}, nil
	case v1beta1.ToFieldPathPolicyMergeObjectsAppendArrays:
		return &fieldpath.MergeOptions{KeepMapValues: &yes, AppendSlice: &yes}, nil
	case v1beta1.ToFieldPathPolicyForceMergeObjects:
		return &fieldpath.MergeOptions{KeepMapValues: &no}, nil
	case v1beta1.ToFieldPathPolicyForceMergeObjectsAppendArrays, v1beta1.ToFieldPathPolicyAppendArray:
		return &fieldpath.MergeOptions{AppendSlice: &yes}, nil
	}
	return nil, errors.Errorf("unknown toFieldPath policy %q (want Replace, MergeObjects, MergeObjectsAppendArrays, ForceMergeObjects, ForceMergeObjectsAppendArrays or AppendArray)", *p.ToFieldPath)
}

// ApplyPatch applies one patch that is not a PatchSet, reading from and
// writing to as its type says: FromCompositeFieldPath and
// CombineFromComposite patches read the composite resource and write the
// composed resource; ToCompositeFieldPath and CombineToComposite patches the
// other way around. A missing source field skips the patch unless its policy
// makes it Required.
func ApplyPatch(p v1beta1.ComposedPatch, from, to map[string]any) error {
	if err := ValidatePatch(p); err != nil {
		return err
	}
	switch p.GetType() {
	case v1beta1.PatchTypeFromCompositeFieldPath, v1beta1.PatchTypeToCompositeFieldPath:
		return applyFieldPathPatch(p, from, to)
	case v1beta1.PatchTypeCombineFromComposite, v1beta1.PatchTypeCombineToComposite:
		return applyCombinePatch(p, from, to)
	case v1beta1.PatchTypePatchSet:
		return errors.New("a PatchSet patch must be expanded before it is applied")
	}
	return errors.Errorf("unknown patch type %q", p.Type)
}

func applyFieldPathPatch(p v1beta1.ComposedPatch, from, to map[string]any) error {
	path := *p.FromFieldPath
	in, err := fieldpath.Pave(from).GetValue(path)
	if fieldpath.IsNotFound(err) {
		if p.Policy.GetFromFieldPathPolicy() == v1beta1.FromFieldPathPolicyRequired {
			return errors.Errorf("required field %s not found", path)
		}
		return nil
	}
	if err != nil {
		return errors.Wrapf(err, "cannot read %s", path)
	}
	out, err := ResolveTransforms(p.Transforms, in)
	if err != nil {
		return err
	}
	toPath := path
	if p.ToFieldPath != nil && *p.ToFieldPath != "" {
		toPath = *p.ToFieldPath
	}
	return setValue(to, toPath, out, p.Policy)
}

func applyCombinePatch(p v1beta1.ComposedPatch, from, to map[string]any) error {
	paved := fieldpath.Pave(from)
	in := make([]any, len(p.Combine.Variables))
	for i, v := range p.Combine.Variables {
		val, err := paved.GetValue(v.FromFieldPath)
		if fieldpath.IsNotFound(err) {
			// A combination of some of its variables is not what the
			// format asks for, so a missing variable skips the patch.
			if p.Policy.GetFromFieldPathPolicy() == v1beta1.FromFieldPathPolicyRequired {
				return errors.Errorf("variable %d: required field %s not found", i, v.FromFieldPath)
			}
			return nil
		}
		if err != nil {
			return errors.Wrapf(err, "variable %d: cannot read %s", i, v.FromFieldPath)
		}
		in[i] = val
	}
	// validateCombine allows only the string strategy.
	out, err := sprintf(p.Combine.String.Format, in...)
	if err != nil {
		return errors.Wrap(err, "cannot combine variables")
	}
	res, err := ResolveTransforms(p.Transforms, out)
	if err != nil {
		return err
	}
	return setValue(to, *p.ToFieldPath, res, p.Policy)
}

// setValue writes v to path of o as the policy says. A [*] segment in path
// writes every element of an existing array or object.
func setValue(o map[string]any, path string, v any, p *v1beta1.PatchPolicy) error {
	mo, err := mergeOptions(p)
	if err != nil {
		return err
	}
	paved := fieldpath.Pave(o)
	paths := []string{path}
	if strings.Contains(path, "[*]") {
		paths, err = paved.ExpandWildcards(path)
		if err != nil {
			return errors.Wrapf(err, "cannot expand %s", path)
		}
		if len(paths) == 0 {
			return errors.Errorf("cannot set %s: no existing field matches it", path)
		}
	}
	for _, fp := range paths {
		// A fresh copy for every field, so that the fields share nothing.
		jv, err := toJSONValue(v)
		if err != nil {
			return errors.Wrapf(err, "cannot set %s", fp)
		}
		if err := paved.MergeValue(fp, jv, mo); err != nil {
			return errors.Wrapf(err, "cannot set %s", fp)
		}
	}
	return nil
}
