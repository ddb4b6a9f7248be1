package pt

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

func raw(s string) runtime.RawExtension { return runtime.RawExtension{Raw: []byte(s)} }

func TestRender(t *testing.T) {
	type want struct {
		out *Output
		err string
	}
	xr := func() map[string]any {
		return map[string]any{
			"apiVersion": "example.org/v1",
			"kind":       "XDatabase",
			"metadata":   map[string]any{"name": "orders", "labels": map[string]any{"team": "a"}},
			"spec":       map[string]any{"region": "eu", "size": int64(20), "engine": "postgres"},
		}
	}
	bucket := `{"apiVersion":"s3.aws.stratus.dev/v1","kind":"Bucket","spec":{"forProvider":{"acl":"private"}}}`
	db := `{"apiVersion":"rds.aws.stratus.dev/v1","kind":"Instance","spec":{"forProvider":{"storage":10}}}`
	common := v1beta1.PatchSet{Name: "common", Patches: []v1beta1.ComposedPatch{
		{FromFieldPath: new("metadata.labels"), ToFieldPath: new("metadata.labels")},
		{FromFieldPath: new("spec.region"), ToFieldPath: new("spec.forProvider.region")},
	}}
	observedDB := ObservedResource{
		Resource: map[string]any{
			"apiVersion": "rds.aws.stratus.dev/v1",
			"kind":       "Instance",
			"metadata":   map[string]any{"name": "orders-x7k2p"},
			"status": map[string]any{
				"atProvider": map[string]any{"endpoint": "orders.eu.rds", "port": int64(5432)},
				"conditions": []any{map[string]any{"type": "Ready", "status": "True"}},
			},
		},
		ConnectionDetails: map[string][]byte{"password": []byte("s3cret")},
	}

	cases := map[string]struct {
		reason string
		in     Input
		want   want
	}{
		"NotObserved": {
			reason: "A template renders its base and From patches; an unobserved resource is not ready, has no connection details, and its To patches wait.",
			in: Input{
				PatchSets: []v1beta1.PatchSet{common},
				Resources: []v1beta1.ComposedTemplate{{
					Name: "bucket",
					Base: raw(bucket),
					Patches: []v1beta1.ComposedPatch{
						{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("common")},
						{Type: v1beta1.PatchTypeToCompositeFieldPath, FromFieldPath: new("status.atProvider.arn"), ToFieldPath: new("status.arn")},
					},
					ConnectionDetails: []v1beta1.ConnectionDetail{{Name: "engine", Value: new("s3")}},
					ReadinessChecks:   []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeNonEmpty, FieldPath: new("status.atProvider.arn")}},
				}},
				ObservedComposite: xr(),
			},
			want: want{out: &Output{
				Composite:         map[string]any{},
				ConnectionDetails: map[string][]byte{},
				Resources: []DesiredResource{{
					Name: "bucket",
					Resource: map[string]any{
						"apiVersion": "s3.aws.stratus.dev/v1",
						"kind":       "Bucket",
						"metadata":   map[string]any{"labels": map[string]any{"team": "a"}},
						"spec":       map[string]any{"forProvider": map[string]any{"acl": "private", "region": "eu"}},
					},
				}},
			}},
		},
		"Observed": {
			reason: "For an observed resource, To patches write the desired composite, connection details are extracted and readiness checked.",
			in: Input{
				PatchSets: []v1beta1.PatchSet{common},
				Resources: []v1beta1.ComposedTemplate{
					{
						Name: "db",
						Base: raw(db),
						Patches: []v1beta1.ComposedPatch{
							{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("common")},
							{FromFieldPath: new("spec.size"), ToFieldPath: new("spec.forProvider.storage")},
							{
								Type:        v1beta1.PatchTypeCombineFromComposite,
								Combine:     &v1beta1.Combine{Variables: []v1beta1.CombineVariable{{FromFieldPath: "metadata.name"}, {FromFieldPath: "spec.engine"}}, Strategy: v1beta1.CombineStrategyString, String: &v1beta1.StringCombine{Format: "%s-%s"}},
								ToFieldPath: new("spec.forProvider.dbName"),
							},
							{Type: v1beta1.PatchTypeToCompositeFieldPath, FromFieldPath: new("status.atProvider.endpoint"), ToFieldPath: new("status.endpoint")},
							{
								Type:        v1beta1.PatchTypeCombineToComposite,
								Combine:     &v1beta1.Combine{Variables: []v1beta1.CombineVariable{{FromFieldPath: "status.atProvider.endpoint"}, {FromFieldPath: "status.atProvider.port"}}, Strategy: v1beta1.CombineStrategyString, String: &v1beta1.StringCombine{Format: "postgres://%s:%d"}},
								ToFieldPath: new("status.url"),
							},
						},
						ConnectionDetails: []v1beta1.ConnectionDetail{
							{Name: "password", Type: v1beta1.ConnectionDetailTypeFromConnectionSecretKey, FromConnectionSecretKey: new("password")},
							{Name: "port", Type: v1beta1.ConnectionDetailTypeFromFieldPath, FromFieldPath: new("status.atProvider.port")},
						},
					},
				},
				ObservedComposite: xr(),
				ObservedResources: map[string]ObservedResource{"db": observedDB},
				DesiredComposite:  map[string]any{"status": map[string]any{"phase": "earlier"}},
			},
			want: want{out: &Output{
				Composite:         map[string]any{"status": map[string]any{"phase": "earlier", "endpoint": "orders.eu.rds", "url": "postgres://orders.eu.rds:5432"}},
				ConnectionDetails: map[string][]byte{"password": []byte("s3cret"), "port": []byte("5432")},
				Resources: []DesiredResource{{
					Name: "db",
					Resource: map[string]any{
						"apiVersion": "rds.aws.stratus.dev/v1",
						"kind":       "Instance",
						"metadata":   map[string]any{"labels": map[string]any{"team": "a"}},
						"spec":       map[string]any{"forProvider": map[string]any{"storage": int64(20), "region": "eu", "dbName": "orders-postgres"}},
					},
					Ready: true,
				}},
			}},
		},
		"NoBasePatchesEarlierStep": {
			reason: "A template without a base patches the desired resource an earlier step produced.",
			in: Input{
				Resources: []v1beta1.ComposedTemplate{{
					Name:    "bucket",
					Patches: []v1beta1.ComposedPatch{{FromFieldPath: new("spec.region"), ToFieldPath: new("spec.forProvider.region")}},
				}},
				ObservedComposite: xr(),
				DesiredResources: map[string]map[string]any{"bucket": {
					"apiVersion": "s3.aws.stratus.dev/v1", "kind": "Bucket", "spec": map[string]any{"forProvider": map[string]any{"acl": "private"}},
				}},
			},
			want: want{out: &Output{
				Composite:         map[string]any{},
				ConnectionDetails: map[string][]byte{},
				Resources: []DesiredResource{{
					Name:     "bucket",
					Resource: map[string]any{"apiVersion": "s3.aws.stratus.dev/v1", "kind": "Bucket", "spec": map[string]any{"forProvider": map[string]any{"acl": "private", "region": "eu"}}},
				}},
			}},
		},
		"NoBaseNoEarlierStep": {
			reason: "A template without a base needs a desired resource of its name.",
			in:     Input{Resources: []v1beta1.ComposedTemplate{{Name: "bucket"}}, ObservedComposite: xr()},
			want:   want{err: `resource "bucket": base is required: no earlier step produced a resource of this name to patch`},
		},
		"BaseWithoutKind": {
			reason: "A base must say what it is.",
			in:     Input{Resources: []v1beta1.ComposedTemplate{{Name: "bucket", Base: raw(`{"apiVersion":"v1"}`)}}, ObservedComposite: xr()},
			want:   want{err: `resource "bucket": base must set kind`},
		},
		"BaseNotObject": {
			reason: "A base must be a JSON object.",
			in:     Input{Resources: []v1beta1.ComposedTemplate{{Name: "bucket", Base: raw(`[1]`)}}, ObservedComposite: xr()},
			want:   want{err: `resource "bucket": cannot decode base as a JSON object: json: cannot unmarshal array into Go value of type map[string]interface {}`},
		},
		"RequiredMissing": {
			reason: "A Required patch whose source is missing fails, naming resource, patch and field.",
			in: Input{
				Resources: []v1beta1.ComposedTemplate{{
					Name: "db",
					Base: raw(db),
					Patches: []v1beta1.ComposedPatch{
						{FromFieldPath: new("spec.region"), ToFieldPath: new("spec.forProvider.region")},
						{FromFieldPath: new("spec.parameters.size"), Policy: &v1beta1.PatchPolicy{FromFieldPath: new(v1beta1.FromFieldPathPolicyRequired)}},
					},
				}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": patch 1 (FromCompositeFieldPath spec.parameters.size): required field spec.parameters.size not found`},
		},
		"BadRegexp": {
			reason: "A bad transform fails, naming resource, patch and transform.",
			in: Input{
				Resources: []v1beta1.ComposedTemplate{{
					Name: "db",
					Base: raw(db),
					Patches: []v1beta1.ComposedPatch{{
						FromFieldPath: new("spec.region"),
						Transforms:    []v1beta1.Transform{stringT(v1beta1.StringTransform{Type: v1beta1.StringTransformTypeRegexp, Regexp: &v1beta1.StringTransformRegexp{Match: "("}})},
					}},
				}},
				ObservedComposite: xr(),
			},
			want: want{err: "resource \"db\": patch 0 (FromCompositeFieldPath spec.region): transform 0 (string Regexp): invalid regexp \"(\": error parsing regexp: missing closing ): `(`"},
		},
		"MissingPatchSet": {
			reason: "A PatchSet patch naming a patch set that does not exist is an error.",
			in: Input{
				PatchSets:         []v1beta1.PatchSet{common},
				Resources:         []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), Patches: []v1beta1.ComposedPatch{{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("commn")}}}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": patch 0 (PatchSet "commn"): no patchSet named "commn"`},
		},
		"ErrorInPatchSet": {
			reason: "An error in a patch set names the including patch and the patch within the set.",
			in: Input{
				PatchSets: []v1beta1.PatchSet{{Name: "sizes", Patches: []v1beta1.ComposedPatch{
					{FromFieldPath: new("spec.region")},
					{FromFieldPath: new("spec.engine"), Transforms: []v1beta1.Transform{mathT(v1beta1.MathTransform{Multiply: new(int64(2))})}},
				}}},
				Resources:         []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), Patches: []v1beta1.ComposedPatch{{FromFieldPath: new("spec.region")}, {Type: v1beta1.PatchTypePatchSet, PatchSetName: new("sizes")}}}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": patch 1 (PatchSet "sizes"): patch 1 (FromCompositeFieldPath spec.engine): transform 0 (math Multiply): input must be a number, got string "postgres"`},
		},
		"NestedPatchSet": {
			reason: "A patch set cannot include another.",
			in: Input{
				PatchSets:         []v1beta1.PatchSet{common, {Name: "outer", Patches: []v1beta1.ComposedPatch{{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("common")}}}},
				Resources:         []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), Patches: []v1beta1.ComposedPatch{{Type: v1beta1.PatchTypePatchSet, PatchSetName: new("outer")}}}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": patch 0 (PatchSet "outer"): patch 0 (PatchSet "common"): a PatchSet cannot include another PatchSet`},
		},
		"InvalidToPatchNotObserved": {
			reason: "A malformed To patch is an error even before its resource is observed.",
			in: Input{
				Resources:         []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), Patches: []v1beta1.ComposedPatch{{Type: v1beta1.PatchTypeToCompositeFieldPath}}}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": patch 0 (ToCompositeFieldPath): fromFieldPath is required`},
		},
		"ReadinessError": {
			reason: "A readiness check of the wrong type of field is an error.",
			in: Input{
				Resources: []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), ReadinessChecks: []v1beta1.ReadinessCheck{
					{Type: v1beta1.ReadinessCheckTypeMatchTrue, FieldPath: new("status.atProvider.endpoint")},
				}}},
				ObservedComposite: xr(),
				ObservedResources: map[string]ObservedResource{"db": observedDB},
			},
			want: want{err: `resource "db": readiness check 0 (MatchTrue status.atProvider.endpoint): status.atProvider.endpoint must be a boolean, got string "orders.eu.rds"`},
		},
		"InvalidReadinessCheckNotObserved": {
			reason: "A malformed readiness check is an error even before its resource is observed.",
			in: Input{
				Resources:         []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), ReadinessChecks: []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeMatchString}}}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": readiness check 0 (MatchString): matchString is required`},
		},
		"InvalidConnectionDetailNotObserved": {
			reason: "A malformed connection detail is an error even before its resource is observed.",
			in: Input{
				Resources:         []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db), ConnectionDetails: []v1beta1.ConnectionDetail{{Type: v1beta1.ConnectionDetailTypeFromValue, Name: "x"}}}},
				ObservedComposite: xr(),
			},
			want: want{err: `resource "db": connection detail 0 (FromValue "x"): value is required`},
		},
		"NoName": {
			reason: "Every template needs a name.",
			in:     Input{Resources: []v1beta1.ComposedTemplate{{Base: raw(db)}}, ObservedComposite: xr()},
			want:   want{err: "resource 0: name is required"},
		},
		"DuplicateName": {
			reason: "Template names must be unique.",
			in:     Input{Resources: []v1beta1.ComposedTemplate{{Name: "db", Base: raw(db)}, {Name: "db", Base: raw(db)}}, ObservedComposite: xr()},
			want:   want{err: `resource "db": name is not unique`},
		},
		"DuplicatePatchSet": {
			reason: "Patch set names must be unique.",
			in:     Input{PatchSets: []v1beta1.PatchSet{common, common}, ObservedComposite: xr()},
			want:   want{err: `patchSet "common": name is not unique`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Render(tc.in)
			if diff := cmp.Diff(tc.want.err, errString(err)); diff != "" {
				t.Errorf("%s\nRender(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.out, got); diff != "" {
				t.Errorf("%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRenderDoesNotModifyInput(t *testing.T) {
	in := Input{
		Resources: []v1beta1.ComposedTemplate{{
			Name: "a",
			Patches: []v1beta1.ComposedPatch{
				{FromFieldPath: new("spec.x"), ToFieldPath: new("spec.y")},
				{Type: v1beta1.PatchTypeToCompositeFieldPath, FromFieldPath: new("status.x"), ToFieldPath: new("status.x")},
			},
		}},
		ObservedComposite: map[string]any{"spec": map[string]any{"x": "1"}},
		ObservedResources: map[string]ObservedResource{"a": {Resource: map[string]any{"status": map[string]any{"x": "2"}}}},
		DesiredComposite:  map[string]any{"status": map[string]any{}},
		DesiredResources:  map[string]map[string]any{"a": {"spec": map[string]any{}}},
	}
	if _, err := Render(in); err != nil {
		t.Fatalf("Render(...): %v", err)
	}
	want := map[string]any{"status": map[string]any{}}
	if diff := cmp.Diff(want, in.DesiredComposite); diff != "" {
		t.Errorf("Render(...) modified the desired composite resource: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]map[string]any{"a": {"spec": map[string]any{}}}, in.DesiredResources); diff != "" {
		t.Errorf("Render(...) modified the desired resources: -want, +got:\n%s", diff)
	}
}

func TestRenderNoneCheckReadyBeforeObserved(t *testing.T) {
	cases := map[string]struct {
		reason string
		checks []v1beta1.ReadinessCheck
		want   bool
	}{
		"OnlyNone": {
			reason: "A resource whose only readiness checks are None is ready as soon as it is rendered.",
			checks: []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeNone}},
			want:   true,
		},
		"NoChecks": {
			reason: "Without checks, readiness waits for the observed Ready condition.",
			want:   false,
		},
		"NoneAndAnother": {
			reason: "A None check beside one that reads the resource waits for the resource.",
			checks: []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeNone}, {Type: v1beta1.ReadinessCheckTypeMatchTrue, FieldPath: new("status.ok")}},
			want:   false,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := Render(Input{
				Resources: []v1beta1.ComposedTemplate{{
					Name:            "cm",
					Base:            runtime.RawExtension{Raw: []byte(`{"apiVersion":"v1","kind":"ConfigMap"}`)},
					ReadinessChecks: tc.checks,
				}},
				ObservedComposite: map[string]any{"apiVersion": "example.org/v1", "kind": "XR"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.Resources[0].Ready); diff != "" {
				t.Errorf("%s\nRender(...): -want ready, +got ready:\n%s", tc.reason, diff)
			}
		})
	}
}
