package azure

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
)

// An apiError is an error the way Azure Resource Manager answers it: an HTTP
// status and a body {"error":{"code","message","target"}}. The code is also
// sent as x-ms-error-code, which azcore reads into ResponseError.ErrorCode.
type apiError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

func conflict(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidParameter(target, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidParameter", Message: fmt.Sprintf(format, args...), Target: target}
}

// resourceNotFound is ARM's answer for a tracked resource that is not there.
func resourceNotFound(typ, name, group string) *apiError {
	return &apiError{
		Status:  http.StatusNotFound,
		Code:    "ResourceNotFound",
		Message: fmt.Sprintf("The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", typ, name, group),
	}
}

// notFound is the network resource provider's answer for a missing child
// resource or referenced resource.
func notFound(id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "NotFound", Message: fmt.Sprintf("Resource %s not found.", id)}
}

func groupNotFound(group string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "ResourceGroupNotFound", Message: fmt.Sprintf("Resource group '%s' could not be found.", group)}
}

func internalError() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "Encountered internal server error. The local cloud logged the details."}
}

// newID returns a random UUID (version 4), the shape of every identifier
// Azure hands out: operation IDs, vmId, resourceGuid, etags.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func etag() string { return `W/"` + newID() + `"` }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("x-ms-error-code", e.Code)
	body := map[string]any{"code": e.Code, "message": e.Message}
	if e.Target != "" {
		body["target"] = e.Target
	}
	writeJSON(w, e.Status, map[string]any{"error": body})
}

// list is the shape of every ARM collection; the local cloud answers a
// collection in one page.
type list[T any] struct {
	Value []T `json:"value"`
}

// maxBody bounds request bodies: ARM refuses requests over 4 MiB.
const maxBody = 4 << 20

// decode reads a JSON request body into v (an SDK model, whose own
// UnmarshalJSON reads the wire format).
func decode(r *http.Request, v any) *apiError {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("InvalidRequestContent", "The request content could not be read: %v", err)
	}
	if len(b) > maxBody {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge", Message: "The request content size exceeds the maximum of 4 MB."}
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: the body is empty.")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
	}
	return nil
}

// clone deep-copies an SDK model through its JSON form.
func clone[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var va, vb any
	if json.Unmarshal(ja, &va) != nil || json.Unmarshal(jb, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(normalizeJSON(va), normalizeJSON(vb))
}

// normalizeJSON drops empty objects, arrays and nulls so that an omitted
// field and an empty one compare equal.
func normalizeJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			n := normalizeJSON(x)
			if n == nil {
				continue
			}
			out[k] = n
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(t) == 0 {
			return nil
		}
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalizeJSON(x)
		}
		return out
	}
	return v
}

// mergePatch applies a JSON merge patch (RFC 7386), the semantics of ARM
// PATCH requests, to doc.
func mergePatch(doc, patch map[string]any) map[string]any {
	if doc == nil {
		doc = map[string]any{}
	}
	for k, pv := range patch {
		if pv == nil {
			delete(doc, k)
			continue
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			doc[k] = pv
			continue
		}
		dm, _ := doc[k].(map[string]any)
		doc[k] = mergePatch(dm, pm)
	}
	return doc
}

// patchModel applies the JSON merge patch in r's body to cur, returning the
// patched copy. cur and the result are SDK models.
func patchModel[T any](r *http.Request, cur T) (T, *apiError) {
	var patch map[string]any
	if e := decode(r, &patch); e != nil {
		return cur, e
	}
	var doc map[string]any
	b, err := json.Marshal(cur)
	if err != nil {
		return cur, internalError()
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return cur, internalError()
	}
	merged, err := json.Marshal(mergePatch(doc, patch))
	if err != nil {
		return cur, internalError()
	}
	var out T
	if err := json.Unmarshal(merged, &out); err != nil {
		return cur, badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
	}
	return out, nil
}

// normalizeLocation writes a location the way ARM returns it: "East US" is
// "eastus".
func normalizeLocation(l string) string {
	return strings.ToLower(strings.ReplaceAll(l, " ", ""))
}

func requireLocation(loc *string) (string, *apiError) {
	if loc == nil || strings.TrimSpace(*loc) == "" {
		return "", badRequest("LocationRequired", "The location property is required for this definition.")
	}
	return normalizeLocation(*loc), nil
}

var resourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validName checks a resource name against the rules most resource types
// share: letters, digits, '_', '.', '-', starting with a letter or digit,
// not ending with '.', at most max characters.
func validName(typ, name string, maxLen int) *apiError {
	if len(name) > maxLen || !resourceName.MatchString(name) || strings.HasSuffix(name, ".") {
		return badRequest("InvalidResourceName", "Resource name %s is invalid. The name can be up to %d characters long, must start with a letter or number, can contain letters, numbers, underscores, periods and hyphens, and cannot end with a period (resource type %s).", name, maxLen, typ)
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// sameID compares resource IDs the way ARM does: case-insensitively.
func sameID(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// key is the table key of a resource ID.
func key(id string) string { return strings.ToLower(strings.TrimSuffix(id, "/")) }
