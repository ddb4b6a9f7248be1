package pt

import (
	"encoding/json"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// FuzzResolveTransforms runs arbitrary transforms over arbitrary JSON input.
// Any error is fine; a panic is not.
func FuzzResolveTransforms(f *testing.F) {
	seeds := []struct{ transforms, input string }{
		{`[{"type":"map","map":{"a":"b","c":{"d":1}}}]`, `"a"`},
		{`[{"type":"match","match":{"patterns":[{"type":"regexp","regexp":"^a+$","result":1},{"literal":"b","result":"x"}],"fallbackTo":"Input"}}]`, `"aaa"`},
		{`[{"type":"math","math":{"type":"ClampMax","clampMax":-3}}]`, `1.5e300`},
		{`[{"type":"math","math":{"multiply":-9223372036854775808}}]`, `-1`},
		{`[{"type":"string","string":{"fmt":"%[2]*[1]d %v"}}]`, `{"a":[1,2]}`},
		{`[{"type":"string","string":{"type":"Regexp","regexp":{"match":"(a)(b)?","group":2}}}]`, `"a"`},
		{`[{"type":"string","string":{"type":"Convert","convert":"FromBase64"}},{"type":"string","string":{"type":"Convert","convert":"ToSha512"}}]`, `"aGk="`},
		{`[{"type":"string","string":{"type":"Join","join":{"separator":"-"}}}]`, `[1,"a",null,{"b":2}]`},
		{`[{"type":"convert","convert":{"toType":"float64","format":"quantity"}}]`, `"1.5Ei"`},
		{`[{"type":"convert","convert":{"toType":"int"}}]`, `9.3e18`},
		{`[{"type":"convert","convert":{"toType":"array","format":"json"}}]`, `"[1,[2,{}]]"`},
	}
	for _, s := range seeds {
		f.Add(s.transforms, s.input)
	}
	f.Fuzz(func(_ *testing.T, transforms, input string) {
		var ts []v1beta1.Transform
		if err := json.Unmarshal([]byte(transforms), &ts); err != nil {
			return
		}
		var in any
		if err := utiljson.Unmarshal([]byte(input), &in); err != nil {
			return
		}
		_, _ = ResolveTransforms(ts, in)
	})
}

// FuzzRender renders arbitrary resource templates against arbitrary composite
// and composed resources. Any error is fine; a panic is not.
func FuzzRender(f *testing.F) {
	seeds := []struct{ resources, xr, observed string }{
		{
			`{"patchSets":[{"name":"s","patches":[{"fromFieldPath":"spec.a","toFieldPath":"spec.b[*].c","policy":{"toFieldPath":"MergeObjectsAppendArrays"}}]}],` +
				`"resources":[{"name":"r","base":{"apiVersion":"v1","kind":"K","spec":{"b":[{"c":1},{}]}},"patches":[{"type":"PatchSet","patchSetName":"s"},` +
				`{"type":"ToCompositeFieldPath","fromFieldPath":"status","toFieldPath":"status","policy":{"toFieldPath":"ForceMergeObjects"}}],` +
				`"readinessChecks":[{"type":"MatchInteger","fieldPath":"status.n","matchInteger":3}],"connectionDetails":[{"name":"x","fromFieldPath":"status"}]}]}`,
			`{"spec":{"a":{"x":[1,2]}}}`,
			`{"status":{"n":3,"m":{"k":["v"]}}}`,
		},
		{
			`{"resources":[{"name":"r","base":{"apiVersion":"v1","kind":"K"},"patches":[{"type":"CombineFromComposite","toFieldPath":"metadata.name",` +
				`"combine":{"variables":[{"fromFieldPath":"spec.a"},{"fromFieldPath":"spec.b[0]"}],"strategy":"string","string":{"fmt":"%s-%d"}}},` +
				`{"fromFieldPath":"spec.a","toFieldPath":"spec.list[1023].x","policy":{"fromFieldPath":"Required"}}]}]}`,
			`{"spec":{"a":"x","b":[7]}}`,
			`{}`,
		},
		{
			`{"resources":[{"name":"r","base":{"apiVersion":"v1","kind":"K","spec":{"a":"s"}},"patches":[{"fromFieldPath":"spec","toFieldPath":"spec.a.b","policy":{"toFieldPath":"AppendArray"}}]}]}`,
			`{"spec":[1]}`,
			`null`,
		},
	}
	for _, s := range seeds {
		f.Add(s.resources, s.xr, s.observed)
	}
	f.Fuzz(func(_ *testing.T, resources, xr, observed string) {
		in := &v1beta1.Resources{}
		if err := json.Unmarshal([]byte(resources), in); err != nil {
			return
		}
		oxr := map[string]any{}
		if err := utiljson.Unmarshal([]byte(xr), &oxr); err != nil {
			return
		}
		ocd := map[string]any{}
		if err := utiljson.Unmarshal([]byte(observed), &ocd); err != nil {
			return
		}
		ors := map[string]ObservedResource{}
		for _, t := range in.Resources {
			ors[t.Name] = ObservedResource{Resource: ocd, ConnectionDetails: map[string][]byte{"k": []byte("v")}}
		}
		_, _ = Render(Input{
			Resources:         in.Resources,
			PatchSets:         in.PatchSets,
			ObservedComposite: oxr,
			ObservedResources: ors,
			DesiredComposite:  ocd,
		})
	})
}

// FuzzApplyPatch applies a patch of arbitrary type, field paths, policies,
// format and transforms between arbitrary JSON objects. Any error is fine; a
// panic is not.
func FuzzApplyPatch(f *testing.F) {
	type seed struct {
		patchType, fromFieldPath, toFieldPath, fromPolicy, toPolicy, format, transforms, from, to string
	}
	seeds := []seed{
		{"FromCompositeFieldPath", "spec.a", "spec.b", "Required", "MergeObjects", "", `[]`, `{"spec":{"a":{"x":1}}}`, `{"spec":{"b":{"y":2}}}`},
		{"ToCompositeFieldPath", "spec.a[0]", "spec.b[*].c", "Optional", "ForceMergeObjectsAppendArrays", "", `[{"type":"string","string":{"fmt":"%v"}}]`, `{"spec":{"a":[[1]]}}`, `{"spec":{"b":[{"c":[0]},{"c":"x"}]}}`},
		{"CombineFromComposite", "spec.a", "metadata.annotations[a.b/c]", "", "AppendArray", "%s-%05.2f", `[{"type":"convert","convert":{"toType":"string"}}]`, `{"spec":{"a":"x"}}`, `{}`},
		{"CombineToComposite", "spec[*]", "spec", "Required", "MergeObjectsAppendArrays", "%[3]d", `[]`, `{"spec":{"a":"x"}}`, `{"spec":"s"}`},
		{"", "a", "", "", "Replace", "", `[{"type":"math","math":{"multiply":3}}]`, `{"a":1e308}`, `{"a":{}}`},
	}
	for _, s := range seeds {
		f.Add(s.patchType, s.fromFieldPath, s.toFieldPath, s.fromPolicy, s.toPolicy, s.format, s.transforms, s.from, s.to)
	}
	f.Fuzz(func(_ *testing.T, patchType, fromFieldPath, toFieldPath, fromPolicy, toPolicy, format, transforms, from, to string) {
		var ts []v1beta1.Transform
		if err := json.Unmarshal([]byte(transforms), &ts); err != nil {
			ts = nil
		}
		fromObj := map[string]any{}
		if err := utiljson.Unmarshal([]byte(from), &fromObj); err != nil {
			return
		}
		toObj := map[string]any{}
		if err := utiljson.Unmarshal([]byte(to), &toObj); err != nil {
			return
		}
		fp := v1beta1.FromFieldPathPolicy(fromPolicy)
		tp := v1beta1.ToFieldPathPolicy(toPolicy)
		p := v1beta1.ComposedPatch{
			Type:          v1beta1.PatchType(patchType),
			FromFieldPath: &fromFieldPath,
			ToFieldPath:   &toFieldPath,
			Transforms:    ts,
			Policy:        &v1beta1.PatchPolicy{FromFieldPath: &fp, ToFieldPath: &tp},
			Combine: &v1beta1.Combine{
				Variables: []v1beta1.CombineVariable{{FromFieldPath: fromFieldPath}, {FromFieldPath: toFieldPath}},
				Strategy:  v1beta1.CombineStrategyString,
				String:    &v1beta1.StringCombine{Format: format},
			},
		}
		if fromPolicy == "" {
			p.Policy.FromFieldPath = nil
		}
		if toPolicy == "" {
			p.Policy.ToFieldPath = nil
		}
		_ = ApplyPatch(p, fromObj, toObj)
	})
}
