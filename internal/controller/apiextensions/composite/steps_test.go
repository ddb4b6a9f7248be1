package composite

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	ptv1beta1 "github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
	"github.com/stratus-dev/stratus/internal/xfn"
)

// equateJSON compares raw extensions by the JSON they hold, not its bytes.
var equateJSON = cmp.Transformer("JSON", func(r *runtime.RawExtension) any {
	if r == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		return string(r.Raw)
	}
	return v
})

func raw(s string) *runtime.RawExtension { return &runtime.RawExtension{Raw: []byte(s)} }

func TestSteps(t *testing.T) {
	pipeline := v1.CompositionModePipeline
	resources := v1.CompositionModeResources
	bogus := v1.CompositionMode("Bogus")
	ns := "team-a"
	cm := "settings"

	templates := []ptv1beta1.ComposedTemplate{{
		Name:    "db",
		Base:    runtime.RawExtension{Raw: []byte(`{"apiVersion":"example.org/v1","kind":"Instance"}`)},
		Patches: []ptv1beta1.ComposedPatch{{Type: ptv1beta1.PatchTypePatchSet, PatchSetName: new("common")}},
	}}
	patchSets := []ptv1beta1.PatchSet{{
		Name:    "common",
		Patches: []ptv1beta1.ComposedPatch{{FromFieldPath: new("spec.region"), ToFieldPath: new("spec.forProvider.region")}},
	}}
	// The input function-patch-and-transform receives for templates and
	// patchSets.
	ptInput := `{
		"apiVersion": "pt.fn.crossplane.io/v1beta1",
		"kind": "Resources",
		"metadata": {},
		"patchSets": [{"name": "common", "patches": [{"fromFieldPath": "spec.region", "toFieldPath": "spec.forProvider.region"}]}],
		"resources": [{"name": "db", "base": {"apiVersion": "example.org/v1", "kind": "Instance"}, "patches": [{"type": "PatchSet", "patchSetName": "common"}]}]
	}`
	steps := []v1.PipelineStep{
		{
			Step:        "render",
			FunctionRef: v1.FunctionReference{Name: "function-go-templating"},
			Input:       raw(`{"apiVersion":"gotemplating.fn.crossplane.io/v1beta1","kind":"GoTemplate","source":"Inline"}`),
			Credentials: []v1.FunctionCredentials{{Name: "aws", Source: "Secret", SecretRef: &xpv2.SecretReference{Namespace: "crossplane-system", Name: "aws"}}},
			Requirements: &v1.FunctionRequirements{RequiredResources: []v1.RequiredResourceSelector{{
				RequirementName: "settings", APIVersion: "v1", Kind: "ConfigMap", Namespace: &ns, Name: &cm,
			}}},
		},
		{Step: "ready", FunctionRef: v1.FunctionReference{Name: "function-auto-ready"}},
	}
	converted := []xpextv1.PipelineStep{
		{
			Step:        "render",
			FunctionRef: xpextv1.FunctionReference{Name: "function-go-templating"},
			Input:       raw(`{"apiVersion":"gotemplating.fn.crossplane.io/v1beta1","kind":"GoTemplate","source":"Inline"}`),
			Credentials: []xpextv1.FunctionCredentials{{Name: "aws", Source: "Secret", SecretRef: &xpv2.SecretReference{Namespace: "crossplane-system", Name: "aws"}}},
			Requirements: &xpextv1.FunctionRequirements{RequiredResources: []xpextv1.RequiredResourceSelector{{
				RequirementName: "settings", APIVersion: "v1", Kind: "ConfigMap", Namespace: &ns, Name: &cm,
			}}},
		},
		{Step: "ready", FunctionRef: xpextv1.FunctionReference{Name: "function-auto-ready"}},
	}

	type args struct {
		spec *v1.CompositionSpec
	}
	type want struct {
		steps []xpextv1.PipelineStep
		err   error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"ResourcesMode": {
			reason: "Resources mode is one step of function-patch-and-transform, with the resources and patch sets as its Resources input.",
			args:   args{spec: &v1.CompositionSpec{Mode: &resources, Resources: templates, PatchSets: patchSets}},
			want: want{steps: []xpextv1.PipelineStep{{
				Step:        "resources",
				FunctionRef: xpextv1.FunctionReference{Name: xfn.FunctionPatchAndTransform},
				Input:       raw(ptInput),
			}}},
		},
		"ResourcesModeInferred": {
			reason: "Without a mode or a pipeline, a Composition is in Resources mode.",
			args:   args{spec: &v1.CompositionSpec{Resources: templates, PatchSets: patchSets}},
			want: want{steps: []xpextv1.PipelineStep{{
				Step:        "resources",
				FunctionRef: xpextv1.FunctionReference{Name: xfn.FunctionPatchAndTransform},
				Input:       raw(ptInput),
			}}},
		},
		"ResourcesModeIgnoresPipeline": {
			reason: "An explicit Resources mode composes the resources, even when a pipeline is set too.",
			args:   args{spec: &v1.CompositionSpec{Mode: &resources, Resources: templates, PatchSets: patchSets, Pipeline: steps}},
			want: want{steps: []xpextv1.PipelineStep{{
				Step:        "resources",
				FunctionRef: xpextv1.FunctionReference{Name: xfn.FunctionPatchAndTransform},
				Input:       raw(ptInput),
			}}},
		},
		"PipelineMode": {
			reason: "Pipeline mode runs the Composition's steps, with their inputs, credentials and requirements.",
			args:   args{spec: &v1.CompositionSpec{Mode: &pipeline, Pipeline: steps}},
			want:   want{steps: converted},
		},
		"PipelineModeInferred": {
			reason: "Without a mode, a Composition with a pipeline is in Pipeline mode.",
			args:   args{spec: &v1.CompositionSpec{Pipeline: steps, Resources: templates}},
			want:   want{steps: converted},
		},
		"PipelineModeWithoutSteps": {
			reason: "Pipeline mode without steps is an error that says so.",
			args:   args{spec: &v1.CompositionSpec{Mode: &pipeline, Resources: templates}},
			want:   want{err: errors.New("the Composition is in Pipeline mode but has no spec.pipeline steps")},
		},
		"UnknownMode": {
			reason: "An unknown mode is an error that names the known ones.",
			args:   args{spec: &v1.CompositionSpec{Mode: &bogus}},
			want:   want{err: errors.New(`unknown Composition mode "Bogus": use Resources or Pipeline`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Steps(tc.args.spec)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nSteps(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.steps, got, equateJSON); diff != "" {
				t.Errorf("%s\nSteps(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetStatus(t *testing.T) {
	type args struct {
		xr      map[string]any
		desired *unstructured.Unstructured
	}
	type want struct {
		xr map[string]any
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NoDesired": {
			reason: "Without a desired XR, the status is unchanged.",
			args:   args{xr: map[string]any{"status": map[string]any{"address": "a"}}},
			want:   want{xr: map[string]any{"status": map[string]any{"address": "a"}}},
		},
		"NoDesiredStatus": {
			reason: "A desired XR without status leaves the status unchanged.",
			args: args{
				xr:      map[string]any{"status": map[string]any{"address": "a"}},
				desired: &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{}}},
			},
			want: want{xr: map[string]any{"status": map[string]any{"address": "a"}}},
		},
		"NoStatusYet": {
			reason: "An XR without status gets the desired status fields.",
			args: args{
				xr:      map[string]any{},
				desired: &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"address": "b", "port": int64(5432)}}},
			},
			want: want{xr: map[string]any{"status": map[string]any{"address": "b", "port": int64(5432)}}},
		},
		"OwnFieldsKept": {
			reason: "Status fields are copied over the XR's, but the machinery Stratus owns is neither copied nor lost.",
			args: args{
				xr: map[string]any{"status": map[string]any{
					"address":             "old",
					"kept":                "yes",
					"conditions":          []any{map[string]any{"type": "Ready", "status": "True"}},
					"claimConditionTypes": []any{"DatabaseReady"},
					"connectionDetails":   map[string]any{"lastPublishedTime": "2024-01-01T00:00:00Z"},
					"observedGeneration":  int64(3),
				}},
				desired: &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{
					"address":             "new",
					"conditions":          []any{map[string]any{"type": "Ready", "status": "False"}},
					"claimConditionTypes": []any{"Hijacked"},
					"connectionDetails":   map[string]any{"lastPublishedTime": "1970-01-01T00:00:00Z"},
					"observedGeneration":  int64(1),
					"crossplane":          map[string]any{"resourceRefs": []any{}},
				}}},
			},
			want: want{xr: map[string]any{"status": map[string]any{
				"address":             "new",
				"kept":                "yes",
				"conditions":          []any{map[string]any{"type": "Ready", "status": "True"}},
				"claimConditionTypes": []any{"DatabaseReady"},
				"connectionDetails":   map[string]any{"lastPublishedTime": "2024-01-01T00:00:00Z"},
				"observedGeneration":  int64(3),
			}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := composite.New(composite.WithSchema(composite.SchemaLegacy))
			xr.Object = tc.args.xr
			setStatus(xr, tc.args.desired)
			if diff := cmp.Diff(tc.want.xr, xr.Object); diff != "" {
				t.Errorf("%s\nsetStatus(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetFunctionConditions(t *testing.T) {
	existing := xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionTrue, Reason: xpv2.ReasonAvailable, LastTransitionTime: metav1.Now()}

	type args struct {
		schema     composite.Schema
		conditions []xpv2.Condition
		claimTypes []xpv2.ConditionType
		fn         []*fnv1.Condition
	}
	type want struct {
		conditions []xpv2.Condition
		claimTypes []xpv2.ConditionType
		err        error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"StatusMapping": {
			reason: "Function condition statuses map to True, False and Unknown; unspecified is Unknown.",
			args: args{
				schema: composite.SchemaLegacy,
				fn: []*fnv1.Condition{
					{Type: "A", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Good", Message: new("all good")},
					{Type: "B", Status: fnv1.Status_STATUS_CONDITION_FALSE, Reason: "Bad"},
					{Type: "C", Status: fnv1.Status_STATUS_CONDITION_UNKNOWN, Reason: "Unsure"},
					{Type: "D", Status: fnv1.Status_STATUS_CONDITION_UNSPECIFIED, Reason: "Unsaid"},
				},
			},
			want: want{conditions: []xpv2.Condition{
				{Type: "A", Status: corev1.ConditionTrue, Reason: "Good", Message: "all good"},
				{Type: "B", Status: corev1.ConditionFalse, Reason: "Bad"},
				{Type: "C", Status: corev1.ConditionUnknown, Reason: "Unsure"},
				{Type: "D", Status: corev1.ConditionUnknown, Reason: "Unsaid"},
			}},
		},
		"ReadyAndSyncedIgnored": {
			reason: "Functions cannot set Ready or Synced, which Stratus owns.",
			args: args{
				schema:     composite.SchemaLegacy,
				conditions: []xpv2.Condition{existing},
				fn: []*fnv1.Condition{
					{Type: string(xpv2.TypeReady), Status: fnv1.Status_STATUS_CONDITION_FALSE, Reason: "Hijack", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
					{Type: string(xpv2.TypeSynced), Status: fnv1.Status_STATUS_CONDITION_FALSE, Reason: "Hijack", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
				},
			},
			want: want{conditions: []xpv2.Condition{existing}},
		},
		"ClaimTargets": {
			reason: "Conditions aimed at the claim too are recorded as claim condition types, after those already recorded.",
			args: args{
				schema:     composite.SchemaLegacy,
				claimTypes: []xpv2.ConditionType{"Earlier"},
				fn: []*fnv1.Condition{
					{Type: "DatabaseReady", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Up", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
					{Type: "Internal", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Up", Target: fnv1.Target_TARGET_COMPOSITE.Enum()},
					{Type: "Earlier", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Up", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
				},
			},
			want: want{
				conditions: []xpv2.Condition{
					{Type: "DatabaseReady", Status: corev1.ConditionTrue, Reason: "Up"},
					{Type: "Internal", Status: corev1.ConditionTrue, Reason: "Up"},
					{Type: "Earlier", Status: corev1.ConditionTrue, Reason: "Up"},
				},
				claimTypes: []xpv2.ConditionType{"Earlier", "DatabaseReady"},
			},
		},
		"NoClaimTargets": {
			reason: "Without conditions aimed at the claim, no claim condition types are recorded.",
			args: args{
				schema: composite.SchemaLegacy,
				fn:     []*fnv1.Condition{{Type: "Internal", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Up"}},
			},
			want: want{conditions: []xpv2.Condition{{Type: "Internal", Status: corev1.ConditionTrue, Reason: "Up"}}},
		},
		"ModernXRHasNoClaim": {
			reason: "A modern XR has no claim: its conditions are set, no claim condition types recorded.",
			args: args{
				schema: composite.SchemaModern,
				fn:     []*fnv1.Condition{{Type: "DatabaseReady", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Up", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()}},
			},
			want: want{conditions: []xpv2.Condition{{Type: "DatabaseReady", Status: corev1.ConditionTrue, Reason: "Up"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := composite.New(composite.WithGroupVersionKind(xrGVK), composite.WithSchema(tc.args.schema))
			xr.SetConditions(tc.args.conditions...)
			if len(tc.args.claimTypes) > 0 {
				if err := xr.SetClaimConditionTypes(tc.args.claimTypes...); err != nil {
					t.Fatalf("SetClaimConditionTypes(...): %v", err)
				}
			}
			err := setFunctionConditions(xr, tc.args.fn)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nsetFunctionConditions(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.conditions, xr.GetConditions(), cmpopts.EquateEmpty(), cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime")); diff != "" {
				t.Errorf("%s\nsetFunctionConditions(...): -want conditions, +got conditions:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.claimTypes, xr.GetClaimConditionTypes(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nsetFunctionConditions(...): -want claim condition types, +got claim condition types:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetFunctionConditionsSystemTypes(t *testing.T) {
	type args struct {
		fn []*fnv1.Condition
	}
	type want struct {
		conditions []xpv2.Condition
		claimTypes []xpv2.ConditionType
		err        error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"HealthyAimedAtClaim": {
			reason: "Functions cannot set system conditions; other conditions aimed at the claim are still recorded.",
			args: args{fn: []*fnv1.Condition{
				{Type: string(xpv2.TypeHealthy), Status: fnv1.Status_STATUS_CONDITION_FALSE, Reason: "Hijack", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
				{Type: "DatabaseReady", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Up", Target: fnv1.Target_TARGET_COMPOSITE_AND_CLAIM.Enum()},
			}},
			want: want{
				conditions: []xpv2.Condition{{Type: "DatabaseReady", Status: corev1.ConditionTrue, Reason: "Up"}},
				claimTypes: []xpv2.ConditionType{"DatabaseReady"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := composite.New(composite.WithGroupVersionKind(xrGVK), composite.WithSchema(composite.SchemaLegacy))
			err := setFunctionConditions(xr, tc.args.fn)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nsetFunctionConditions(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.conditions, xr.GetConditions(), cmpopts.EquateEmpty(), cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime")); diff != "" {
				t.Errorf("%s\nsetFunctionConditions(...): -want conditions, +got conditions:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.claimTypes, xr.GetClaimConditionTypes(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nsetFunctionConditions(...): -want claim condition types, +got claim condition types:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBytesMapEqual(t *testing.T) {
	type args struct {
		a, b map[string][]byte
	}
	type want struct {
		equal bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"BothEmpty": {
			reason: "A nil map equals an empty one: neither Secret has data.",
			args:   args{a: nil, b: map[string][]byte{}},
			want:   want{equal: true},
		},
		"Equal": {
			reason: "Maps of the same keys and bytes are equal.",
			args:   args{a: map[string][]byte{"user": []byte("admin"), "pass": []byte("s3cret")}, b: map[string][]byte{"pass": []byte("s3cret"), "user": []byte("admin")}},
			want:   want{equal: true},
		},
		"EmptyValues": {
			reason: "A nil value equals an empty one.",
			args:   args{a: map[string][]byte{"k": nil}, b: map[string][]byte{"k": {}}},
			want:   want{equal: true},
		},
		"ValueDiffers": {
			reason: "A changed value is a difference.",
			args:   args{a: map[string][]byte{"pass": []byte("old")}, b: map[string][]byte{"pass": []byte("new")}},
			want:   want{equal: false},
		},
		"KeyDiffers": {
			reason: "Maps of one size but different keys differ.",
			args:   args{a: map[string][]byte{"a": []byte("v")}, b: map[string][]byte{"b": []byte("v")}},
			want:   want{equal: false},
		},
		"LengthDiffers": {
			reason: "An extra key is a difference.",
			args:   args{a: map[string][]byte{"a": []byte("v")}, b: map[string][]byte{"a": []byte("v"), "b": []byte("w")}},
			want:   want{equal: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want.equal, bytesMapEqual(tc.args.a, tc.args.b)); diff != "" {
				t.Errorf("%s\nbytesMapEqual(a, b): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.equal, bytesMapEqual(tc.args.b, tc.args.a)); diff != "" {
				t.Errorf("%s\nbytesMapEqual(b, a): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
