package pt

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

func TestApplyPatch(t *testing.T) {
	type args struct {
		p    v1beta1.ComposedPatch
		from map[string]any
		to   map[string]any
	}
	type want struct {
		to  map[string]any
		err string
	}
	required := &v1beta1.PatchPolicy{FromFieldPath: new(v1beta1.FromFieldPathPolicyRequired)}
	optional := &v1beta1.PatchPolicy{FromFieldPath: new(v1beta1.FromFieldPathPolicyOptional)}
	toPolicy := func(p v1beta1.ToFieldPathPolicy) *v1beta1.PatchPolicy {
		return &v1beta1.PatchPolicy{ToFieldPath: &p}
	}
	xr := func() map[string]any {
		return map[string]any{
			"spec": map[string]any{
				"region": "eu",
				"size":   int64(20),
				"name":   "orders",
				"labels": map[string]any{"team": "a", "tier": "gold"},
				"tags":   []any{"x", "y"},
			},
		}
	}
	cd := func() map[string]any {
		return map[string]any{
			"spec": map[string]any{
				"forProvider": map[string]any{
					"labels": map[string]any{"team": "base", "env": "prod"},
					"tags":   []any{"y", "z"},
					"rules":  []any{map[string]any{"port": int64(1)}, map[string]any{"port": int64(2)}},
				},
			},
		}
	}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"FromCompositeFieldPath": {
			reason: "A FromCompositeFieldPath patch copies a field to the destination path.",
			args: args{
				p:    v1beta1.ComposedPatch{Type: v1beta1.PatchTypeFromCompositeFieldPath, FromFieldPath: new("spec.region"), ToFieldPath: new("spec.forProvider.region")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"region": "eu"}}}},
		},
		"DefaultTypeAndToFieldPath": {
			reason: "A patch without a type is FromCompositeFieldPath; without toFieldPath it writes to fromFieldPath.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.size")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"spec": map[string]any{"size": int64(20)}}},
		},
		"Transforms": {
			reason: "A patch's transforms apply to the value before it is written.",
			args: args{
				p: v1beta1.ComposedPatch{
					FromFieldPath: new("spec.size"), ToFieldPath: new("spec.forProvider.storage"),
					Transforms: []v1beta1.Transform{mathT(v1beta1.MathTransform{Multiply: new(int64(1024))}), fmtT("%dMi")},
				},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"storage": "20480Mi"}}}},
		},
		"ArrayIndex": {
			reason: "A toFieldPath may index into arrays, creating them.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.tags[1]"), ToFieldPath: new("spec.list[2].name")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"spec": map[string]any{"list": []any{nil, nil, map[string]any{"name": "y"}}}}},
		},
		"Wildcard": {
			reason: "A [*] in toFieldPath writes every element of an existing array.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.size"), ToFieldPath: new("spec.forProvider.rules[*].port")},
				from: xr(),
				to:   cd(),
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{
				"labels": map[string]any{"team": "base", "env": "prod"},
				"tags":   []any{"y", "z"},
				"rules":  []any{map[string]any{"port": int64(20)}, map[string]any{"port": int64(20)}},
			}}}},
		},
		"WildcardNoMatch": {
			reason: "A [*] that matches nothing is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.size"), ToFieldPath: new("spec.missing[*].port")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "cannot set spec.missing[*].port: no existing field matches it"},
		},
		"OptionalMissing": {
			reason: "A missing source field skips an Optional patch.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.nope"), ToFieldPath: new("spec.x"), Policy: optional},
				from: xr(),
				to:   map[string]any{"a": "b"},
			},
			want: want{to: map[string]any{"a": "b"}},
		},
		"DefaultOptional": {
			reason: "Patches are Optional by default.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.nope.deeper[3]")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}},
		},
		"RequiredMissing": {
			reason: "A missing source field fails a Required patch.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.parameters.size"), Policy: required},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "required field spec.parameters.size not found"},
		},
		"RequiredPresent": {
			reason: "A Required patch whose source exists applies.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.name"), ToFieldPath: new("metadata.annotations[crossplane.io/external-name]"), Policy: required},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"metadata": map[string]any{"annotations": map[string]any{"crossplane.io/external-name": "orders"}}}},
		},
		"UnknownFromPolicy": {
			reason: "An unknown fromFieldPath policy is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.name"), Policy: &v1beta1.PatchPolicy{FromFieldPath: new(v1beta1.FromFieldPathPolicy("Sometimes"))}},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: `unknown fromFieldPath policy "Sometimes" (want Optional or Required)`},
		},
		"ToPolicyReplace": {
			reason: "Replace replaces an object.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.labels"), ToFieldPath: new("spec.forProvider.labels"), Policy: toPolicy(v1beta1.ToFieldPathPolicyReplace)},
				from: xr(),
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base", "env": "prod"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "a", "tier": "gold"}}}}},
		},
		"ToPolicyMergeObjects": {
			reason: "MergeObjects merges objects and keeps the destination's values.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.labels"), ToFieldPath: new("spec.forProvider.labels"), Policy: toPolicy(v1beta1.ToFieldPathPolicyMergeObjects)},
				from: xr(),
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base", "env": "prod"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base", "env": "prod", "tier": "gold"}}}}},
		},
		"ToPolicyForceMergeObjects": {
			reason: "ForceMergeObjects merges objects and overwrites the destination's values.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.labels"), ToFieldPath: new("spec.forProvider.labels"), Policy: toPolicy(v1beta1.ToFieldPathPolicyForceMergeObjects)},
				from: xr(),
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base", "env": "prod"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "a", "env": "prod", "tier": "gold"}}}}},
		},
		"ToPolicyMergeObjectsReplacesArrays": {
			reason: "MergeObjects replaces arrays.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.tags"), ToFieldPath: new("spec.forProvider.tags"), Policy: toPolicy(v1beta1.ToFieldPathPolicyForceMergeObjects)},
				from: xr(),
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"tags": []any{"y", "z"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"tags": []any{"x", "y"}}}}},
		},
		"ToPolicyMergeObjectsAppendArrays": {
			reason: "MergeObjectsAppendArrays keeps the destination's values and appends to nested arrays, duplicates included, as Crossplane does.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec"), ToFieldPath: new("spec.forProvider"), Policy: toPolicy(v1beta1.ToFieldPathPolicyMergeObjectsAppendArrays)},
				from: map[string]any{"spec": map[string]any{"labels": map[string]any{"team": "a"}, "tags": []any{"x", "y"}}},
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base"}, "tags": []any{"y", "z"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base"}, "tags": []any{"y", "z", "x", "y"}}}}},
		},
		"ToPolicyForceMergeObjectsAppendArrays": {
			reason: "ForceMergeObjectsAppendArrays overwrites values and appends to nested arrays, duplicates included, as Crossplane does.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec"), ToFieldPath: new("spec.forProvider"), Policy: toPolicy(v1beta1.ToFieldPathPolicyForceMergeObjectsAppendArrays)},
				from: map[string]any{"spec": map[string]any{"labels": map[string]any{"team": "a"}, "tags": []any{"x", "y"}}},
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "base"}, "tags": []any{"y", "z"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"labels": map[string]any{"team": "a"}, "tags": []any{"y", "z", "x", "y"}}}}},
		},
		"ToPolicyAppendArray": {
			reason: "AppendArray appends to an array the elements it lacks.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.tags"), ToFieldPath: new("spec.forProvider.tags"), Policy: toPolicy(v1beta1.ToFieldPathPolicyAppendArray)},
				from: xr(),
				to:   map[string]any{"spec": map[string]any{"forProvider": map[string]any{"tags": []any{"y", "z"}}}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": map[string]any{"tags": []any{"y", "z", "x"}}}}},
		},
		"ToPolicyMergeIntoNothing": {
			reason: "Merging into a field that does not exist sets it.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.labels"), ToFieldPath: new("metadata.labels"), Policy: toPolicy(v1beta1.ToFieldPathPolicyMergeObjects)},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"metadata": map[string]any{"labels": map[string]any{"team": "a", "tier": "gold"}}}},
		},
		"UnknownToPolicy": {
			reason: "An unknown toFieldPath policy is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.labels"), Policy: toPolicy("Shuffle")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: `unknown toFieldPath policy "Shuffle" (want Replace, MergeObjects, MergeObjectsAppendArrays, ForceMergeObjects, ForceMergeObjectsAppendArrays or AppendArray)`},
		},
		"ToCompositeFieldPath": {
			reason: "A ToCompositeFieldPath patch copies from its source to its destination like a From patch.",
			args: args{
				p:    v1beta1.ComposedPatch{Type: v1beta1.PatchTypeToCompositeFieldPath, FromFieldPath: new("status.atProvider.arn"), ToFieldPath: new("status.arn")},
				from: map[string]any{"status": map[string]any{"atProvider": map[string]any{"arn": "arn:aws:s3:::b"}}},
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"status": map[string]any{"arn": "arn:aws:s3:::b"}}},
		},
		"CombineFromComposite": {
			reason: "A combine patch formats its variables into one string.",
			args: args{
				p: v1beta1.ComposedPatch{
					Type: v1beta1.PatchTypeCombineFromComposite,
					Combine: &v1beta1.Combine{
						Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}, {FromFieldPath: "spec.region"}, {FromFieldPath: "spec.size"}},
						Strategy:  v1beta1.CombineStrategyString,
						String:    &v1beta1.StringCombine{Format: "%s-%s-%d"},
					},
					ToFieldPath: new("metadata.annotations.id"),
					Transforms:  []v1beta1.Transform{convStrT(v1beta1.StringConversionTypeToUpper)},
				},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"metadata": map[string]any{"annotations": map[string]any{"id": "ORDERS-EU-20"}}}},
		},
		"CombineToComposite": {
			reason: "A CombineToComposite patch combines like CombineFromComposite.",
			args: args{
				p: v1beta1.ComposedPatch{
					Type: v1beta1.PatchTypeCombineToComposite,
					Combine: &v1beta1.Combine{
						Variables: []v1beta1.CombineVariable{{FromFieldPath: "status.host"}, {FromFieldPath: "status.port"}},
						Strategy:  v1beta1.CombineStrategyString,
						String:    &v1beta1.StringCombine{Format: "%s:%d"},
					},
					ToFieldPath: new("status.endpoint"),
				},
				from: map[string]any{"status": map[string]any{"host": "db", "port": int64(5432)}},
				to:   map[string]any{},
			},
			want: want{to: map[string]any{"status": map[string]any{"endpoint": "db:5432"}}},
		},
		"CombineMissingVariable": {
			reason: "A missing variable skips an Optional combine patch.",
			args: args{
				p: v1beta1.ComposedPatch{
					Type: v1beta1.PatchTypeCombineFromComposite,
					Combine: &v1beta1.Combine{
						Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}, {FromFieldPath: "spec.nope"}},
						Strategy:  v1beta1.CombineStrategyString,
						String:    &v1beta1.StringCombine{Format: "%s-%s"},
					},
					ToFieldPath: new("metadata.name"),
				},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}},
		},
		"CombineRequiredMissingVariable": {
			reason: "A missing variable fails a Required combine patch.",
			args: args{
				p: v1beta1.ComposedPatch{
					Type: v1beta1.PatchTypeCombineFromComposite,
					Combine: &v1beta1.Combine{
						Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}, {FromFieldPath: "spec.nope"}},
						Strategy:  v1beta1.CombineStrategyString,
						String:    &v1beta1.StringCombine{Format: "%s-%s"},
					},
					ToFieldPath: new("metadata.name"),
					Policy:      required,
				},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "variable 1: required field spec.nope not found"},
		},
		"CombineBadFmt": {
			reason: "A format that does not fit the variables is an error.",
			args: args{
				p: v1beta1.ComposedPatch{
					Type: v1beta1.PatchTypeCombineFromComposite,
					Combine: &v1beta1.Combine{
						Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}, {FromFieldPath: "spec.size"}},
						Strategy:  v1beta1.CombineStrategyString,
						String:    &v1beta1.StringCombine{Format: "%d-%d"},
					},
					ToFieldPath: new("metadata.name"),
				},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: `cannot combine variables: fmt "%d-%d" does not fit its input: it formats as "%!d(string=orders)-20"`},
		},
		"CombineNoVariables": {
			reason: "A combine without variables is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{Type: v1beta1.PatchTypeCombineFromComposite, Combine: &v1beta1.Combine{Strategy: v1beta1.CombineStrategyString, String: &v1beta1.StringCombine{Format: "x"}}, ToFieldPath: new("a")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "combine requires at least one variable"},
		},
		"CombineNoFmt": {
			reason: "The string strategy without string.fmt is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{Type: v1beta1.PatchTypeCombineFromComposite, Combine: &v1beta1.Combine{Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}}, Strategy: v1beta1.CombineStrategyString}, ToFieldPath: new("a")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "combine strategy string requires string.fmt"},
		},
		"CombineUnknownStrategy": {
			reason: "An unknown combine strategy is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{Type: v1beta1.PatchTypeCombineFromComposite, Combine: &v1beta1.Combine{Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}}, Strategy: "sum"}, ToFieldPath: new("a")},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: `unknown combine strategy "sum" (want string)`},
		},
		"CombineNoToFieldPath": {
			reason: "A combine patch without toFieldPath is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{Type: v1beta1.PatchTypeCombineFromComposite, Combine: &v1beta1.Combine{Variables: []v1beta1.CombineVariable{{FromFieldPath: "spec.name"}}, Strategy: v1beta1.CombineStrategyString, String: &v1beta1.StringCombine{Format: "%s"}}},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "toFieldPath is required"},
		},
		"NoFromFieldPath": {
			reason: "A FromCompositeFieldPath patch without fromFieldPath is an error.",
			args:   args{p: v1beta1.ComposedPatch{ToFieldPath: new("a")}, from: xr(), to: map[string]any{}},
			want:   want{to: map[string]any{}, err: "fromFieldPath is required"},
		},
		"BadFieldPath": {
			reason: "An unparseable field path is an error.",
			args:   args{p: v1beta1.ComposedPatch{FromFieldPath: new("spec[")}, from: xr(), to: map[string]any{}},
			want:   want{to: map[string]any{}, err: `invalid fromFieldPath "spec[": unterminated '[' at position 4`},
		},
		"UnknownType": {
			reason: "An unknown patch type is an error.",
			args:   args{p: v1beta1.ComposedPatch{Type: "FromEnvironmentFieldPath", FromFieldPath: new("a")}, from: xr(), to: map[string]any{}},
			want:   want{to: map[string]any{}, err: `unknown patch type "FromEnvironmentFieldPath" (want FromCompositeFieldPath, ToCompositeFieldPath, CombineFromComposite, CombineToComposite or PatchSet)`},
		},
		"PatchSetNotExpanded": {
			reason: "ApplyPatch does not resolve PatchSets.",
			args:   args{p: v1beta1.ComposedPatch{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("s")}, from: xr(), to: map[string]any{}},
			want:   want{to: map[string]any{}, err: "a PatchSet patch must be expanded before it is applied"},
		},
		"InvalidTransform": {
			reason: "An invalid transform is an error even when the source is missing.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.nope"), Transforms: []v1beta1.Transform{{Type: v1beta1.TransformTypeMath}}},
				from: xr(),
				to:   map[string]any{},
			},
			want: want{to: map[string]any{}, err: "transform 0 (math): a math transform requires math"},
		},
		"DestinationNotObject": {
			reason: "Writing through a field that is not an object is an error.",
			args: args{
				p:    v1beta1.ComposedPatch{FromFieldPath: new("spec.name"), ToFieldPath: new("spec.forProvider.name")},
				from: xr(),
				to:   map[string]any{"spec": map[string]any{"forProvider": "oops"}},
			},
			want: want{to: map[string]any{"spec": map[string]any{"forProvider": "oops"}}, err: "cannot set spec.forProvider.name: spec.forProvider is not an object"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := ApplyPatch(tc.args.p, tc.args.from, tc.args.to)
			if diff := cmp.Diff(tc.want.err, errString(err)); diff != "" {
				t.Errorf("%s\nApplyPatch(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.to, tc.args.to); diff != "" {
				t.Errorf("%s\nApplyPatch(...): -want to, +got to:\n%s", tc.reason, diff)
			}
		})
	}
}
