package pt

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// DefaultTTL is how long Crossplane may cache a response of the function
// before it runs it again.
const DefaultTTL = time.Minute

// A Function is the built-in composition function
// function-patch-and-transform. Its input is a pt.fn.crossplane.io/v1beta1
// Resources; it renders the resource templates with Render.
type Function struct {
	log logging.Logger
	ttl time.Duration
}

// An Option configures a Function.
type Option func(*Function)

// WithLogger sets the Function's logger.
func WithLogger(l logging.Logger) Option {
	return func(f *Function) { f.log = l }
}

// WithTTL sets how long the Function's responses may be cached.
func WithTTL(ttl time.Duration) Option {
	return func(f *Function) { f.ttl = ttl }
}

// NewFunction returns the built-in function-patch-and-transform. It
// satisfies the xfn.FunctionRunner interface.
func NewFunction(opts ...Option) *Function {
	f := &Function{log: logging.NewNopLogger(), ttl: DefaultTTL}
	for _, o := range opts {
		o(f)
	}
	return f
}

// RunFunction runs the function once. It keeps the desired state earlier
// steps produced and adds to it: the composed resources its templates render,
// the composite resource's fields its To patches write and the connection
// details its templates extract. Any problem, including a malformed input,
// is a response with a single fatal result that says what is wrong and
// carries the request's desired state unchanged; RunFunction itself never
// returns an error.
func (f *Function) RunFunction(_ context.Context, _ string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := &fnv1.RunFunctionResponse{
		Meta:    &fnv1.ResponseMeta{Tag: req.GetMeta().GetTag(), Ttl: durationpb.New(f.ttl)},
		Desired: &fnv1.State{},
	}
	if d := req.GetDesired(); d != nil {
		rsp.Desired = proto.CloneOf(d)
	}
	if c := req.GetContext(); c != nil {
		rsp.Context = proto.CloneOf(c)
	}

	desired, err := run(req)
	if err != nil {
		f.log.Debug("Cannot run function-patch-and-transform", "tag", req.GetMeta().GetTag(), "error", err)
		rsp.Results = []*fnv1.Result{{
			Severity: fnv1.Severity_SEVERITY_FATAL,
			Message:  err.Error(),
			Target:   fnv1.Target_TARGET_COMPOSITE.Enum(),
		}}
		return rsp, nil
	}
	rsp.Desired = desired
	return rsp, nil
}

// run renders the request's input and returns the new desired state.
func run(req *fnv1.RunFunctionRequest) (*fnv1.State, error) { //nolint:gocyclo // A straight sequence of decoding steps, each with its error.
	in, err := decodeInput(req.GetInput())
	if err != nil {
		return nil, err
	}

	oxrs := req.GetObserved().GetComposite().GetResource()
	if oxrs == nil {
		return nil, errors.New("the request has no observed composite resource")
	}
	oxr, err := fromStruct(oxrs)
	if err != nil {
		return nil, errors.Wrap(err, "cannot decode the observed composite resource")
	}
	observed := map[string]ObservedResource{}
	for name, r := range req.GetObserved().GetResources() {
		o, err := fromStruct(r.GetResource())
		if err != nil {
			return nil, errors.Wrapf(err, "cannot decode observed resource %q", name)
		}
		observed[name] = ObservedResource{Resource: o, ConnectionDetails: r.GetConnectionDetails()}
	}
	dxr, err := fromStruct(req.GetDesired().GetComposite().GetResource())
	if err != nil {
		return nil, errors.Wrap(err, "cannot decode the desired composite resource")
	}
	desired := map[string]map[string]any{}
	for name, r := range req.GetDesired().GetResources() {
		o, err := fromStruct(r.GetResource())
		if err != nil {
			return nil, errors.Wrapf(err, "cannot decode desired resource %q", name)
		}
		desired[name] = o
	}

	out, err := Render(Input{
		Resources:         in.Resources,
		PatchSets:         in.PatchSets,
		ObservedComposite: oxr,
		ObservedResources: observed,
		DesiredComposite:  dxr,
		DesiredResources:  desired,
	})
	if err != nil {
		return nil, err
	}

	state := &fnv1.State{}
	if d := req.GetDesired(); d != nil {
		state = proto.CloneOf(d)
	}
	if state.Composite == nil {
		state.Composite = &fnv1.Resource{}
	}
	// The desired composite resource carries the observed one's kind, so
	// that it is a well-formed object; Crossplane sets both itself anyway.
	out.Composite["apiVersion"] = oxr["apiVersion"]
	out.Composite["kind"] = oxr["kind"]
	if state.Composite.Resource, err = toStruct(out.Composite); err != nil {
		return nil, errors.Wrap(err, "cannot encode the desired composite resource")
	}
	if len(out.ConnectionDetails) > 0 && state.Composite.ConnectionDetails == nil {
		state.Composite.ConnectionDetails = map[string][]byte{}
	}
	maps.Copy(state.Composite.ConnectionDetails, out.ConnectionDetails)
	if len(out.Resources) > 0 && state.Resources == nil {
		state.Resources = map[string]*fnv1.Resource{}
	}
	for _, r := range out.Resources {
		s, err := toStruct(r.Resource)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot encode desired resource %q", r.Name)
		}
		ready := fnv1.Ready_READY_FALSE
		if r.Ready {
			ready = fnv1.Ready_READY_TRUE
		}
		state.Resources[r.Name] = &fnv1.Resource{Resource: s, Ready: ready}
	}
	return state, nil
}

// decodeInput decodes the function's input strictly, so that a
// misspelled field is an error rather than silently ignored.
func decodeInput(s *structpb.Struct) (*v1beta1.Resources, error) {
	if s == nil {
		return nil, errors.Errorf("the function requires an input: apiVersion %s, kind %s", v1beta1.SchemeGroupVersion, v1beta1.ResourcesKind)
	}
	b, err := protojson.Marshal(s)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the input as JSON")
	}
	in := &v1beta1.Resources{}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(in); err != nil {
		return nil, errors.Wrap(err, "cannot decode the input")
	}
	if gvk := in.GroupVersionKind(); gvk != v1beta1.ResourcesGroupVersionKind {
		return nil, errors.Errorf("the input must have apiVersion %s and kind %s, not apiVersion %q and kind %q", v1beta1.SchemeGroupVersion, v1beta1.ResourcesKind, in.APIVersion, in.Kind)
	}
	return in, nil
}

// fromStruct returns a protobuf Struct as a JSON object, with integers as
// int64 the way Kubernetes decodes them. A nil Struct is an empty object.
func fromStruct(s *structpb.Struct) (map[string]any, error) {
	if s == nil {
		return map[string]any{}, nil
	}
	b, err := protojson.Marshal(s)
	if err != nil {
		return nil, err
	}
	o := map[string]any{}
	return o, utiljson.Unmarshal(b, &o)
}

// toStruct returns a JSON object as a protobuf Struct.
func toStruct(o map[string]any) (*structpb.Struct, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	s := &structpb.Struct{}
	return s, protojson.Unmarshal(b, s)
}
