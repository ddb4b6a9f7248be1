package xfn

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// The input of the connection-details built-in.
const (
	ConnectionTemplatesAPIVersion = "connection.fn.stratus.dev/v1alpha1"
	ConnectionTemplatesKind       = "Templates"
)

// ConnectionTemplates is the input of the connection-details built-in
// (FunctionConnectionDetails): the composite connection details to derive,
// each a Go text/template over the connection details earlier steps
// produced.
type ConnectionTemplates struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Details maps the name of each connection detail to write to its
	// template. The template's data is the desired composite connection
	// details as strings ({{ .password }}); the function uriEscape
	// percent-encodes a value for any part of a URI.
	Details map[string]string `json:"details"`
}

// ConnectionDetails returns the connection-details built-in
// (FunctionConnectionDetails). It derives composite connection details from
// the ones earlier steps produced, such as a postgresql:// URI from host,
// port, username and password. A detail whose template names a key that is
// not there yet (the composed resource is still being created) is left out
// until it is. A malformed input or template is a fatal result that says
// what is wrong; the desired state passes through unchanged.
func ConnectionDetails() FunctionRunner {
	return FunctionRunnerFn(runConnectionDetails)
}

func runConnectionDetails(_ context.Context, _ string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := &fnv1.RunFunctionResponse{
		Meta:    &fnv1.ResponseMeta{Tag: req.GetMeta().GetTag()},
		Desired: proto.CloneOf(req.GetDesired()),
		Context: req.GetContext(),
	}
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.Desired.Composite == nil {
		rsp.Desired.Composite = &fnv1.Resource{}
	}
	derived, err := deriveConnectionDetails(req.GetInput(), rsp.Desired.Composite.GetConnectionDetails())
	if err != nil {
		rsp.Desired = req.GetDesired()
		rsp.Results = []*fnv1.Result{{
			Severity: fnv1.Severity_SEVERITY_FATAL,
			Message:  err.Error(),
			Target:   fnv1.Target_TARGET_COMPOSITE.Enum(),
		}}
		return rsp, nil //nolint:nilerr // A function reports bad input as a fatal result, not as a failed call.
	}
	if len(derived) > 0 && rsp.Desired.Composite.ConnectionDetails == nil {
		rsp.Desired.Composite.ConnectionDetails = map[string][]byte{}
	}
	maps.Copy(rsp.Desired.Composite.ConnectionDetails, derived)
	return rsp, nil
}

// deriveConnectionDetails renders the input's templates over have and
// returns the details whose keys are all present.
func deriveConnectionDetails(input *structpb.Struct, have map[string][]byte) (map[string][]byte, error) {
	in, err := decodeConnectionTemplates(input)
	if err != nil {
		return nil, err
	}
	data := make(map[string]string, len(have))
	for k, v := range have {
		data[k] = string(v)
	}
	out := map[string][]byte{}
	for _, name := range slices.Sorted(maps.Keys(in.Details)) {
		tmpl, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"uriEscape": uriEscape}).Parse(in.Details[name])
		if err != nil {
			return nil, errors.Wrapf(err, "cannot parse the template of connection detail %q", name)
		}
		if missing := missingKeys(tmpl.Root, data); len(missing) > 0 {
			continue
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, data); err != nil {
			return nil, errors.Wrapf(err, "cannot render connection detail %q", name)
		}
		out[name] = b.Bytes()
	}
	return out, nil
}

// decodeConnectionTemplates decodes and checks the input strictly.
func decodeConnectionTemplates(input *structpb.Struct) (*ConnectionTemplates, error) {
	if input == nil {
		return nil, errors.Errorf("the step has no input: want a %s %s", ConnectionTemplatesAPIVersion, ConnectionTemplatesKind)
	}
	raw, err := protojson.Marshal(input)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the input")
	}
	in := &ConnectionTemplates{}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(in); err != nil {
		return nil, errors.Wrap(err, "cannot decode the input")
	}
	if in.APIVersion != ConnectionTemplatesAPIVersion || in.Kind != ConnectionTemplatesKind {
		return nil, errors.Errorf("the input is a %s %s: want a %s %s", in.APIVersion, in.Kind, ConnectionTemplatesAPIVersion, ConnectionTemplatesKind)
	}
	if len(in.Details) == 0 {
		return nil, errors.New("the input has no details: name at least one connection detail and its template")
	}
	for name := range in.Details {
		if name == "" {
			return nil, errors.New("the input has a detail with an empty name")
		}
	}
	return in, nil
}

// missingKeys returns the keys a template reads (as {{ .key }}) that data
// lacks.
func missingKeys(n parse.Node, data map[string]string) []string {
	var missing []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			if _, ok := data[n.Ident[0]]; !ok {
				missing = append(missing, n.Ident[0])
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return missing
}

// uriEscape percent-encodes every byte of s except RFC 3986's unreserved
// characters, so that the result is safe in any part of a URI: user, password,
// host, path or query.
func uriEscape(s string) string {
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
