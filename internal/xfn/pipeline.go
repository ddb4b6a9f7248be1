package xfn

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// MaxStepCalls is how many times the pipeline calls one step while the
// step's requirements keep changing.
const MaxStepCalls = 5

// capabilities the pipeline offers every function.
var capabilities = []fnv1.Capability{
	fnv1.Capability_CAPABILITY_CAPABILITIES,
	fnv1.Capability_CAPABILITY_REQUIRED_RESOURCES,
	fnv1.Capability_CAPABILITY_CREDENTIALS,
	fnv1.Capability_CAPABILITY_CONDITIONS,
}

// An ObservedResource is a composed resource as it exists, with its
// connection details.
type ObservedResource struct {
	Resource          *unstructured.Unstructured
	ConnectionDetails map[string][]byte
}

// A DesiredResource is a composed resource as the pipeline wants it, and
// whether the pipeline considers it ready.
type DesiredResource struct {
	Resource *unstructured.Unstructured
	Ready    fnv1.Ready
}

// A PipelineRequest is what a Composition's pipeline runs on.
type PipelineRequest struct {
	// Composite is the observed composite resource (XR).
	Composite *unstructured.Unstructured

	// CompositeConnectionDetails are the XR's current connection details.
	CompositeConnectionDetails map[string][]byte

	// Observed are the composed resources that exist, by composition
	// resource name.
	Observed map[string]ObservedResource

	// Steps are the Composition's pipeline steps, run in order.
	Steps []xpextv1.PipelineStep
}

// A PipelineResult is the desired state a pipeline arrived at, and what its
// functions reported on the way.
type PipelineResult struct {
	// Composite is the desired XR as the functions left it, or nil when no
	// function set one.
	Composite *unstructured.Unstructured

	// CompositeConnectionDetails are the XR's desired connection details.
	CompositeConnectionDetails map[string][]byte

	// Resources are the desired composed resources, by composition resource
	// name.
	Resources map[string]DesiredResource

	// Results are every non-fatal result, in order, with the step that
	// returned it.
	Results []StepResult

	// Conditions are the conditions the functions asked for, in order.
	Conditions []*fnv1.Condition

	// TTL is the shortest time-to-live any step asked for, after which the
	// XR should be composed again; zero when no step asked.
	TTL time.Duration

	// Context is the function context the last step returned.
	Context *structpb.Struct
}

// A StepResult is a result a pipeline step returned.
type StepResult struct {
	// Step is the name of the pipeline step.
	Step string

	// Result is the function's result.
	Result *fnv1.Result
}

// A FatalError is a FATAL result from a pipeline step. It stops the pipeline.
// Detect it with errors.As.
type FatalError struct {
	// Step is the name of the pipeline step.
	Step string

	// Function is the name of the function the step ran.
	Function string

	// Message is the function's message.
	Message string
}

// Error returns the function's message, naming the step.
func (e *FatalError) Error() string {
	return fmt.Sprintf("pipeline step %q (function %q) failed: %s", e.Step, e.Function, e.Message)
}

// A Pipeline runs a Composition's pipeline steps.
type Pipeline struct {
	runner FunctionRunner
	client client.Reader
	log    logging.Logger
}

// A PipelineOption configures a Pipeline.
type PipelineOption func(p *Pipeline)

// WithLogger makes the Pipeline log each call at debug level.
func WithLogger(l logging.Logger) PipelineOption {
	return func(p *Pipeline) {
		p.log = l
	}
}

// NewPipeline returns a Pipeline that runs functions with r and reads
// credentials Secrets and required resources through c.
func NewPipeline(r FunctionRunner, c client.Reader, opts ...PipelineOption) *Pipeline {
	p := &Pipeline{runner: r, client: c, log: logging.NewNopLogger()}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Run runs the request's steps in order. Each step sees the observed state,
// the desired state and context the previous step returned (as in
// Crossplane, a step's response replaces both), its input and credentials,
// and the resources it requires. Run stops at the first error. A FATAL result
// stops it with a *FatalError; Run then also returns the results and
// conditions the steps before it reported, so that callers can still show
// them, but no desired state.
func (p *Pipeline) Run(ctx context.Context, req PipelineRequest) (*PipelineResult, error) {
	observed, err := observedState(req)
	if err != nil {
		return nil, err
	}
	desired := &fnv1.State{}
	var fctx *structpb.Struct
	res := &PipelineResult{}

	for _, s := range req.Steps {
		rsp, err := p.runStep(ctx, s, observed, desired, fctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rsp.GetResults() {
			if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
				return res, &FatalError{Step: s.Step, Function: s.FunctionRef.Name, Message: r.GetMessage()}
			}
			res.Results = append(res.Results, StepResult{Step: s.Step, Result: r})
		}
		res.Conditions = append(res.Conditions, rsp.GetConditions()...)
		if ttl := rsp.GetMeta().GetTtl(); ttl != nil {
			if d := ttl.AsDuration(); d > 0 && (res.TTL == 0 || d < res.TTL) {
				res.TTL = d
			}
		}
		desired = rsp.GetDesired()
		if desired == nil {
			desired = &fnv1.State{}
		}
		fctx = rsp.GetContext()
	}

	res.Context = fctx
	if c := desired.GetComposite(); c != nil {
		res.Composite = AsUnstructured(c.GetResource())
		res.CompositeConnectionDetails = c.GetConnectionDetails()
	}
	res.Resources = make(map[string]DesiredResource, len(desired.GetResources()))
	for name, r := range desired.GetResources() {
		if r.GetResource() == nil {
			return nil, errors.Errorf("the pipeline left desired composed resource %q without a body", name)
		}
		res.Resources[name] = DesiredResource{Resource: AsUnstructured(r.GetResource()), Ready: r.GetReady()}
	}
	return res, nil
}

// runStep calls a step's function until the resources it requires stop
// changing, at most MaxStepCalls times.
func (p *Pipeline) runStep(ctx context.Context, s xpextv1.PipelineStep, observed, desired *fnv1.State, fctx *structpb.Struct) (*fnv1.RunFunctionResponse, error) {
	fn := s.FunctionRef.Name
	req := &fnv1.RunFunctionRequest{Observed: observed, Desired: desired, Context: fctx}

	in, err := inputStruct(s.Input)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read the input of pipeline step %q", s.Step)
	}
	req.Input = in

	if req.Credentials, err = p.credentials(ctx, s); err != nil {
		return nil, errors.Wrapf(err, "cannot read the credentials of pipeline step %q", s.Step)
	}

	// Resources the step declares up front are fetched before the first
	// call; those it asks for in its responses are added to them.
	bootstrap := stepSelectors(s)
	fetched, err := p.fetchAll(ctx, bootstrap)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot fetch the resources pipeline step %q requires", s.Step)
	}
	if len(fetched) > 0 {
		req.RequiredResources = fetched
	}

	last := &fnv1.Requirements{}
	for call := 1; ; call++ {
		req.Meta = &fnv1.RequestMeta{Capabilities: capabilities}
		req.Meta.Tag = Tag(req)
		p.log.Debug("Running pipeline step", "step", s.Step, "function", fn, "call", call, "tag", req.Meta.Tag)

		rsp, err := p.runner.RunFunction(ctx, fn, req)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot run pipeline step %q (function %q)", s.Step, fn)
		}
		if fatal(rsp) {
			return rsp, nil
		}
		want := requirements(rsp)
		if requirementsEqual(want, last) {
			return rsp, nil
		}
		if call == MaxStepCalls {
			return nil, errors.Errorf("pipeline step %q (function %q) still asked for different required resources after %d calls: its requirements must settle", s.Step, fn, MaxStepCalls)
		}
		last = want

		required, err := p.fetchAll(ctx, want.GetResources())
		if err != nil {
			return nil, errors.Wrapf(err, "cannot fetch the resources pipeline step %q requires", s.Step)
		}
		for k, v := range fetched {
			if _, ok := required[k]; !ok {
				required[k] = v
			}
		}
		req.RequiredResources = required
		if req.ExtraResources, err = p.fetchAll(ctx, want.GetExtraResources()); err != nil { //nolint:staticcheck // Functions built with older SDKs still ask for extra resources.
			return nil, errors.Wrapf(err, "cannot fetch the extra resources pipeline step %q requires", s.Step)
		}
	}
}

func fatal(rsp *fnv1.RunFunctionResponse) bool {
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			return true
		}
	}
	return false
}

// observedState converts the observed XR and composed resources.
func observedState(req PipelineRequest) (*fnv1.State, error) {
	xr, err := AsStruct(req.Composite)
	if err != nil {
		return nil, errors.Wrap(err, "cannot convert the observed composite resource")
	}
	s := &fnv1.State{
		Composite: &fnv1.Resource{Resource: xr, ConnectionDetails: req.CompositeConnectionDetails},
		Resources: make(map[string]*fnv1.Resource, len(req.Observed)),
	}
	for name, o := range req.Observed {
		r, err := AsStruct(o.Resource)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert observed composed resource %q", name)
		}
		s.Resources[name] = &fnv1.Resource{Resource: r, ConnectionDetails: o.ConnectionDetails}
	}
	return s, nil
}

// inputStruct converts a step's input to a Struct. A step without input has
// none.
func inputStruct(in *runtime.RawExtension) (*structpb.Struct, error) {
	if in == nil {
		return nil, nil
	}
	raw := in.Raw
	if len(raw) == 0 && in.Object != nil {
		b, err := json.Marshal(in.Object)
		if err != nil {
			return nil, errors.Wrap(err, "cannot encode input as JSON")
		}
		raw = b
	}
	if len(raw) == 0 {
		return nil, nil
	}
	o := map[string]any{}
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, errors.Wrap(err, "input must be a JSON object")
	}
	return objectAsStruct(o)
}

// credentials reads the credentials a step names.
func (p *Pipeline) credentials(ctx context.Context, s xpextv1.PipelineStep) (map[string]*fnv1.Credentials, error) {
	if len(s.Credentials) == 0 {
		return nil, nil
	}
	out := make(map[string]*fnv1.Credentials, len(s.Credentials))
	for _, c := range s.Credentials {
		switch c.Source {
		case xpextv1.FunctionCredentialsSourceNone:
			continue
		case xpextv1.FunctionCredentialsSourceSecret:
			if c.SecretRef == nil {
				return nil, errors.Errorf("credentials %q have source Secret but no secretRef", c.Name)
			}
			sec := &corev1.Secret{}
			if err := p.client.Get(ctx, client.ObjectKey{Namespace: c.SecretRef.Namespace, Name: c.SecretRef.Name}, sec); err != nil {
				return nil, errors.Wrapf(err, "cannot get Secret %s/%s for credentials %q", c.SecretRef.Namespace, c.SecretRef.Name, c.Name)
			}
			out[c.Name] = &fnv1.Credentials{Source: &fnv1.Credentials_CredentialData{CredentialData: &fnv1.CredentialData{Data: sec.Data}}}
		default:
			return nil, errors.Errorf("credentials %q have unknown source %q: use None or Secret", c.Name, c.Source)
		}
	}
	return out, nil
}
