package clients

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

// IsCode reports whether err is an AWS API error with one of codes.
func IsCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	return slices.Contains(codes, ae.ErrorCode())
}

// An apiError is an AWS error with a stable message: the SDK's own text
// carries a request ID that changes on every call, which would rewrite a
// resource's Synced condition on every failed reconcile.
type apiError struct {
	context string
	err     error
	text    string
}

func (e *apiError) Error() string { return e.context + ": " + e.text }
func (e *apiError) Unwrap() error { return e.err }

// Wrap adds context to err. AWS API errors read "context: Code: message";
// other errors read "context: err".
func Wrap(err error, context string) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &apiError{context: context, err: err, text: ae.ErrorCode() + ": " + ae.ErrorMessage()}
	}
	return &apiError{context: context, err: err, text: err.Error()}
}
