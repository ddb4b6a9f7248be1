package clients

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// IsNotFound reports whether err is Azure's answer that a resource (or its
// resource group, or its parent) does not exist.
func IsNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// IsCode reports whether err is an Azure error with one of codes.
func IsCode(err error, codes ...string) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	for _, c := range codes {
		if strings.EqualFold(re.ErrorCode, c) {
			return true
		}
	}
	return false
}

// An apiError is an Azure error with a stable message. The SDK's own text
// carries the request URL and the whole response (on Azure, with request
// IDs and timestamps), which would rewrite a resource's Synced condition on
// every failed reconcile.
type apiError struct {
	context string
	err     error
	text    string
}

func (e *apiError) Error() string { return e.context + ": " + e.text }
func (e *apiError) Unwrap() error { return e.err }

// Wrap adds context to err. Resource Manager errors read "context: Code:
// message" (with the wait Azure asked for when it throttled);
// authentication errors "context: cannot authenticate: error (HTTP
// status)"; other errors "context: err".
func Wrap(err error, context string) error {
	if err == nil {
		return nil
	}
	return &apiError{context: context, err: err, text: describe(err)}
}

// describe returns a stable description of err.
func describe(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		code, msg := re.ErrorCode, ""
		if re.RawResponse != nil {
			c, m := errorBody(re.RawResponse)
			if code == "" {
				code = c
			}
			msg = m
		}
		if code == "" {
			code = http.StatusText(re.StatusCode)
		}
		text := code
		if msg != "" {
			text += ": " + msg
		}
		if re.StatusCode == http.StatusTooManyRequests && re.RawResponse != nil {
			if ra := re.RawResponse.Header.Get("Retry-After"); ra != "" {
				text += " (retry after " + ra + "s)"
			}
		}
		return text
	}
	var ae *azidentity.AuthenticationFailedError
	if errors.As(err, &ae) {
		// Entra ID's description carries trace IDs and timestamps; its
		// error code is stable.
		text := "cannot authenticate"
		if ae.RawResponse != nil {
			code, _ := tokenErrorBody(ae.RawResponse)
			if code != "" {
				text += ": " + code
			}
			text += " (HTTP " + strconv.Itoa(ae.RawResponse.StatusCode) + ")"
		}
		return text
	}
	return err.Error()
}

// errorBody returns the code and message of a Resource Manager error body,
// {"error": {"code": ..., "message": ...}}.
func errorBody(resp *http.Response) (string, string) {
	b, err := runtime.Payload(resp)
	if err != nil || len(b) == 0 {
		return "", ""
	}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil {
		return "", ""
	}
	return body.Error.Code, body.Error.Message
}

// tokenErrorBody returns the error code and description of an OAuth 2 error
// body.
func tokenErrorBody(resp *http.Response) (string, string) {
	b, err := runtime.Payload(resp)
	if err != nil || len(b) == 0 {
		return "", ""
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(b, &body) != nil {
		return "", ""
	}
	return body.Error, body.Description
}

// Redacted returns err with every occurrence of secret replaced, so that a
// secret an API echoes never reaches a condition, event or log.
func Redacted(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redactedError{err: err, text: strings.ReplaceAll(err.Error(), secret, "[redacted]")}
}

// A redactedError reads as its text but still unwraps to the error it
// hides a secret of, so that callers can classify it.
type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }
