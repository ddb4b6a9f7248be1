package xfn

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
)

func TestPipelineRun(t *testing.T) {
	xr := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.org/v1",
		"kind":       "XBucket",
		"metadata":   map[string]any{"name": "b"},
		"spec":       map[string]any{"replicas": int64(3)},
	}}
	bucket := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "s3.aws.stratus.dev/v1alpha1",
		"kind":       "Bucket",
		"metadata":   map[string]any{"name": "b-bucket"},
	}}
	cm := func(name string, labels map[string]string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Labels: labels}, Data: map[string]string{"k": name}}
	}

	type args struct {
		runner  FunctionRunner
		objects []client.Object
		req     PipelineRequest
	}
	type want struct {
		res *PipelineResult
		err error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NoSteps": {
			reason: "A pipeline without steps desires nothing.",
			args: args{
				runner: FunctionRunnerFn(func(context.Context, string, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					return nil, errors.New("no step should run")
				}),
				req: PipelineRequest{Composite: xr},
			},
			want: want{res: &PipelineResult{Resources: map[string]DesiredResource{}}},
		},
		"AccumulatesState": {
			reason: "Each step sees the observed state, its input, and the desired state and context the previous step returned; results, conditions and the shortest TTL are collected.",
			args: args{
				runner: FunctionRunnerFn(func(_ context.Context, name string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					if req.GetMeta().GetTag() == "" || len(req.GetMeta().GetCapabilities()) == 0 {
						return nil, errors.New("no tag or capabilities")
					}
					if got := req.GetObserved().GetComposite().GetResource().GetFields()["spec"].GetStructValue().GetFields()["replicas"].GetNumberValue(); got != 3 {
						return nil, errors.Errorf("observed XR: want replicas 3, got %v", got)
					}
					rsp := &fnv1.RunFunctionResponse{Desired: req.GetDesired(), Context: req.GetContext()}
					switch name {
					case "first":
						if req.GetInput().GetFields()["greeting"].GetStringValue() != "hello" {
							return nil, errors.Errorf("first: want input greeting hello, got %v", req.GetInput())
						}
						if len(req.GetDesired().GetResources()) != 0 {
							return nil, errors.New("first: desired state should start empty")
						}
						rsp.Desired.Resources = map[string]*fnv1.Resource{"bucket": {Resource: mustStruct(bucket.Object)}}
						rsp.Context = mustStruct(map[string]any{"seen": "first"})
						rsp.Meta = &fnv1.ResponseMeta{Ttl: durationpb.New(time.Minute)}
						rsp.Results = []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "made a bucket"}}
					case "second":
						if _, ok := req.GetDesired().GetResources()["bucket"]; !ok {
							return nil, errors.New("second: want the bucket the first step desired")
						}
						if req.GetContext().GetFields()["seen"].GetStringValue() != "first" {
							return nil, errors.New("second: want the first step's context")
						}
						if req.GetInput() != nil {
							return nil, errors.New("second: want no input")
						}
						rsp.Desired.Resources["bucket"].Ready = fnv1.Ready_READY_TRUE
						rsp.Desired.Composite = &fnv1.Resource{
							Resource:          mustStruct(map[string]any{"status": map[string]any{"size": float64(2)}}),
							ConnectionDetails: map[string][]byte{"url": []byte("s3://b")},
						}
						rsp.Meta = &fnv1.ResponseMeta{Ttl: durationpb.New(10 * time.Second)}
						rsp.Results = []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_WARNING, Message: "careful"}}
						rsp.Conditions = []*fnv1.Condition{{Type: "BucketReady", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Available"}}
					}
					return rsp, nil
				}),
				req: PipelineRequest{
					Composite: xr,
					Steps: []xpextv1.PipelineStep{
						{Step: "one", FunctionRef: xpextv1.FunctionReference{Name: "first"}, Input: &runtime.RawExtension{Raw: []byte(`{"greeting":"hello"}`)}},
						{Step: "two", FunctionRef: xpextv1.FunctionReference{Name: "second"}},
					},
				},
			},
			want: want{res: &PipelineResult{
				Composite:                  &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"size": int64(2)}}},
				CompositeConnectionDetails: map[string][]byte{"url": []byte("s3://b")},
				Resources:                  map[string]DesiredResource{"bucket": {Resource: bucket, Ready: fnv1.Ready_READY_TRUE}},
				Results: []StepResult{
					{Step: "one", Result: &fnv1.Result{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "made a bucket"}},
					{Step: "two", Result: &fnv1.Result{Severity: fnv1.Severity_SEVERITY_WARNING, Message: "careful"}},
				},
				Conditions: []*fnv1.Condition{{Type: "BucketReady", Status: fnv1.Status_STATUS_CONDITION_TRUE, Reason: "Available"}},
				TTL:        10 * time.Second,
				Context:    mustStruct(map[string]any{"seen": "first"}),
			}},
		},
		"FatalStops": {
			reason: "A FATAL result stops the pipeline with a *FatalError that names the step and carries the message, returning the results so far; later steps do not run.",
			args: args{
				runner: FunctionRunnerFn(func(_ context.Context, name string, _ *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					if name == "later" {
						return nil, errors.New("a step after a FATAL result ran")
					}
					return &fnv1.RunFunctionResponse{Results: []*fnv1.Result{
						{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "fine"},
						{Severity: fnv1.Severity_SEVERITY_FATAL, Message: "input is missing a region"},
					}}, nil
				}),
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{
					{Step: "broken", FunctionRef: xpextv1.FunctionReference{Name: "fails"}},
					{Step: "never", FunctionRef: xpextv1.FunctionReference{Name: "later"}},
				}},
			},
			want: want{
				res: &PipelineResult{Results: []StepResult{{Step: "broken", Result: &fnv1.Result{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "fine"}}}},
				err: &FatalError{Step: "broken", Function: "fails", Message: "input is missing a region"},
			},
		},
		"RunFunctionError": {
			reason: "A function that cannot run fails the pipeline, naming the step and the function.",
			args: args{
				runner: FunctionRunnerFn(func(context.Context, string, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					return nil, errors.New("boom")
				}),
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{Step: "s", FunctionRef: xpextv1.FunctionReference{Name: "f"}}}},
			},
			want: want{err: errors.Wrap(errors.New("boom"), `cannot run pipeline step "s" (function "f")`)},
		},
		"RequirementsLoop": {
			reason: "A step that asks for resources is called again with them, until it asks for nothing new.",
			args: args{
				runner: countingRunner(func(call int, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					rsp := &fnv1.RunFunctionResponse{Requirements: &fnv1.Requirements{Resources: map[string]*fnv1.ResourceSelector{
						"by-name":   {ApiVersion: "v1", Kind: "ConfigMap", Namespace: new("ns"), Match: &fnv1.ResourceSelector_MatchName{MatchName: "one"}},
						"by-labels": {ApiVersion: "v1", Kind: "ConfigMap", Namespace: new("ns"), Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{"pick": "me"}}}},
						"missing":   {ApiVersion: "v1", Kind: "ConfigMap", Namespace: new("ns"), Match: &fnv1.ResourceSelector_MatchName{MatchName: "nope"}},
					}}}
					rr := req.GetRequiredResources()
					rsp.Results = []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: fmt.Sprintf("call %d: by-name %s, by-labels %d, missing %d",
						call, configMapNames(rr["by-name"]), len(rr["by-labels"].GetItems()), len(rr["missing"].GetItems()))}}
					return rsp, nil
				}),
				objects: []client.Object{cm("one", nil), cm("two", map[string]string{"pick": "me"}), cm("three", map[string]string{"pick": "me"}), cm("four", nil)},
				req:     PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{Step: "needs", FunctionRef: xpextv1.FunctionReference{Name: "f"}}}},
			},
			want: want{res: &PipelineResult{
				Resources: map[string]DesiredResource{},
				Results:   []StepResult{{Step: "needs", Result: &fnv1.Result{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "call 2: by-name [one], by-labels 2, missing 0"}}},
			}},
		},
		"RequirementsNeverSettle": {
			reason: "A step whose requirements keep changing is called at most MaxStepCalls times.",
			args: args{
				runner: countingRunner(func(call int, _ *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					if call > MaxStepCalls {
						return nil, errors.Errorf("called %d times", call)
					}
					return &fnv1.RunFunctionResponse{Requirements: &fnv1.Requirements{Resources: map[string]*fnv1.ResourceSelector{
						"next": {ApiVersion: "v1", Kind: "ConfigMap", Namespace: new("ns"), Match: &fnv1.ResourceSelector_MatchName{MatchName: fmt.Sprintf("cm-%d", call)}},
					}}}, nil
				}),
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{Step: "greedy", FunctionRef: xpextv1.FunctionReference{Name: "f"}}}},
			},
			want: want{err: errors.Errorf(`pipeline step "greedy" (function "f") still asked for different required resources after 5 calls: its requirements must settle`)},
		},
		"BootstrapRequirements": {
			reason: "Resources a step declares in requirements.requiredResources are there on the first call.",
			args: args{
				runner: countingRunner(func(call int, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					rr := req.GetRequiredResources()
					return &fnv1.RunFunctionResponse{Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL,
						Message: fmt.Sprintf("call %d: config %s, picked %d", call, configMapNames(rr["config"]), len(rr["picked"].GetItems()))}}}, nil
				}),
				objects: []client.Object{cm("one", nil), cm("two", map[string]string{"pick": "me"})},
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{
					Step:        "bootstrap",
					FunctionRef: xpextv1.FunctionReference{Name: "f"},
					Requirements: &xpextv1.FunctionRequirements{RequiredResources: []xpextv1.RequiredResourceSelector{
						{RequirementName: "config", APIVersion: "v1", Kind: "ConfigMap", Namespace: new("ns"), Name: new("one")},
						{RequirementName: "picked", APIVersion: "v1", Kind: "ConfigMap", MatchLabels: map[string]string{"pick": "me"}},
					}},
				}}},
			},
			want: want{res: &PipelineResult{
				Resources: map[string]DesiredResource{},
				Results:   []StepResult{{Step: "bootstrap", Result: &fnv1.Result{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "call 1: config [one], picked 1"}}},
			}},
		},
		"Credentials": {
			reason: "Credentials with source Secret are read from the Secret and passed by name; source None passes nothing.",
			args: args{
				runner: FunctionRunnerFn(func(_ context.Context, _ string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					msg := "no credentials"
					if c, ok := req.GetCredentials()["aws"]; ok {
						msg = fmt.Sprintf("aws key %s, %d credentials", c.GetCredentialData().GetData()["key"], len(req.GetCredentials()))
					}
					return &fnv1.RunFunctionResponse{Results: []*fnv1.Result{{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: msg}}}, nil
				}),
				objects: []client.Object{&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"}, Data: map[string][]byte{"key": []byte("AKIA")}}},
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{
					Step:        "creds",
					FunctionRef: xpextv1.FunctionReference{Name: "f"},
					Credentials: []xpextv1.FunctionCredentials{
						{Name: "aws", Source: xpextv1.FunctionCredentialsSourceSecret, SecretRef: &xpv2.SecretReference{Namespace: "ns", Name: "creds"}},
						{Name: "none", Source: xpextv1.FunctionCredentialsSourceNone},
					},
				}}},
			},
			want: want{res: &PipelineResult{
				Resources: map[string]DesiredResource{},
				Results:   []StepResult{{Step: "creds", Result: &fnv1.Result{Severity: fnv1.Severity_SEVERITY_NORMAL, Message: "aws key AKIA, 1 credentials"}}},
			}},
		},
		"CredentialsSecretMissing": {
			reason: "A credentials Secret that does not exist fails the step before the function runs.",
			args: args{
				runner: FunctionRunnerFn(func(context.Context, string, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					return nil, errors.New("the function ran without its credentials")
				}),
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{
					Step:        "creds",
					FunctionRef: xpextv1.FunctionReference{Name: "f"},
					Credentials: []xpextv1.FunctionCredentials{{Name: "aws", Source: xpextv1.FunctionCredentialsSourceSecret, SecretRef: &xpv2.SecretReference{Namespace: "ns", Name: "creds"}}},
				}}},
			},
			want: want{err: errors.Wrap(errors.Wrap(errors.New(`secrets "creds" not found`), `cannot get Secret ns/creds for credentials "aws"`), `cannot read the credentials of pipeline step "creds"`)},
		},
		"BadInput": {
			reason: "An input that is not a JSON object fails the step.",
			args: args{
				runner: FunctionRunnerFn(func(context.Context, string, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
					return nil, errors.New("the function ran with a bad input")
				}),
				req: PipelineRequest{Composite: xr, Steps: []xpextv1.PipelineStep{{Step: "in", FunctionRef: xpextv1.FunctionReference{Name: "f"}, Input: &runtime.RawExtension{Raw: []byte(`[1]`)}}}},
			},
			want: want{err: errors.Wrap(errors.Wrap(errors.New("json: cannot unmarshal array into Go value of type map[string]interface {}"), "input must be a JSON object"), `cannot read the input of pipeline step "in"`)},
		},
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(tc.args.objects...).Build()
			got, err := NewPipeline(tc.args.runner, c).Run(context.Background(), tc.args.req)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nRun(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.res, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRun(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestFatalErrorAs(t *testing.T) {
	err := errors.Wrap(&FatalError{Step: "s", Function: "f", Message: "m"}, "cannot compose")
	var fe *FatalError
	if !errors.As(err, &fe) {
		t.Fatalf("errors.As(%v, *FatalError): want true, got false", err)
	}
	want := &FatalError{Step: "s", Function: "f", Message: "m"}
	if diff := cmp.Diff(want, fe); diff != "" {
		t.Errorf("errors.As(...): -want, +got:\n%s", diff)
	}
}

// countingRunner returns a FunctionRunner that passes fn the number of the
// call, starting at 1.
func countingRunner(fn func(call int, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error)) FunctionRunner {
	calls := 0
	return FunctionRunnerFn(func(_ context.Context, _ string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
		calls++
		return fn(calls, req)
	})
}

func configMapNames(rs *fnv1.Resources) []string {
	names := make([]string, 0, len(rs.GetItems()))
	for _, r := range rs.GetItems() {
		names = append(names, r.GetResource().GetFields()["metadata"].GetStructValue().GetFields()["name"].GetStringValue())
	}
	return names
}

func mustStruct(o map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(o)
	if err != nil {
		panic(err)
	}
	return s
}

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, pkgv1.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
