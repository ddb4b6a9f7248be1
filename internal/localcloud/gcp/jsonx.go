package gcp

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// readBody returns a request's body, or the error Google answers when it is
// too large.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, errBadRequest("Cannot read the request body: %v", err)
	}
	return b, nil
}

// decodeObject reads a JSON object into a generic map, keeping numbers as
// they were written.
func decodeObject(b []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("unexpected data after the JSON object")
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// decodeStrict reads JSON into v, refusing fields v does not have, as
// Google's APIs refuse unknown names.
func decodeStrict(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// payloadError is Google's answer to a body it cannot decode.
func payloadError(err error) *apiError {
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return errBadRequest("Invalid JSON payload received. Unknown name %s: Cannot find field.", f)
	}
	return errBadRequest("Invalid JSON payload received. %s", msg)
}

// toObject encodes v as JSON and reads it back as a generic map.
func toObject(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode")
	}
	return decodeObject(b)
}

// fromObject decodes a generic map into v, strictly.
func fromObject(m map[string]any, v any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return errors.Wrap(err, "cannot encode")
	}
	return decodeStrict(b, v)
}

// mergeObjects returns base with patch laid over it, the way Google's PATCH
// methods apply a body: objects merge field by field, anything else in
// patch (values, arrays) replaces what base had, and a null in patch
// removes the field. Neither argument is modified.
func mergeObjects(base, patch map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(patch))
	maps.Copy(out, base)
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		pm, pok := v.(map[string]any)
		bm, bok := out[k].(map[string]any)
		if pok && bok {
			out[k] = mergeObjects(bm, pm)
			continue
		}
		out[k] = v
	}
	return out
}
