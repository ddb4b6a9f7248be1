package clients

import (
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/api/googleapi"
)

// reasonOperationInProgress is Cloud SQL's reason for refusing a call while
// the instance runs another operation: it runs one at a time.
const reasonOperationInProgress = "operationInProgress"

// googleError returns the Google API error in err's chain, or nil.
func googleError(err error) *googleapi.Error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge
	}
	return nil
}

// hasReason reports whether a Google API error gives reason.
func hasReason(ge *googleapi.Error, reason string) bool {
	for _, e := range ge.Errors {
		if e.Reason == reason {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err says the resource does not exist.
func IsNotFound(err error) bool {
	ge := googleError(err)
	return ge != nil && ge.Code == http.StatusNotFound
}

// IsAlreadyExists reports whether err says a resource of that name exists.
func IsAlreadyExists(err error) bool {
	ge := googleError(err)
	return ge != nil && ge.Code == http.StatusConflict && !hasReason(ge, reasonOperationInProgress)
}

// IsBusy reports whether err says the resource (a Cloud SQL instance) is
// running another operation; the call may succeed once it is done.
func IsBusy(err error) bool {
	ge := googleError(err)
	return ge != nil && ge.Code == http.StatusConflict && hasReason(ge, reasonOperationInProgress)
}

// IsThrottled reports whether err says the project's request quota is used
// up (HTTP 429).
func IsThrottled(err error) bool {
	ge := googleError(err)
	return ge != nil && ge.Code == http.StatusTooManyRequests
}

// An apiError is an error of a Google API call with the context it
// happened in, reading "context: HTTP code reason: message". It carries no
// request ID or response body, so that a condition made from it stays the
// same from one attempt to the next, and it keeps the original error for
// IsNotFound and its kin.
type apiError struct {
	context string
	text    string
	err     error
}

// Error reads "context: HTTP code reason: message".
func (e *apiError) Error() string { return e.context + ": " + e.text }

// Unwrap returns the call's own error.
func (e *apiError) Unwrap() error { return e.err }

// Wrap returns err with context, or nil if err is nil. A Google API error
// is shown by its HTTP code, reason and message; a throttled call says that
// it will be retried with backoff, as the reconcile that returns it is.
func Wrap(err error, context string) error {
	if err == nil {
		return nil
	}
	ge := googleError(err)
	if ge == nil {
		return &apiError{context: context, text: err.Error(), err: err}
	}
	reason := ""
	if len(ge.Errors) > 0 {
		reason = ge.Errors[0].Reason
	}
	msg := ge.Message
	if msg == "" && len(ge.Errors) > 0 {
		msg = ge.Errors[0].Message
	}
	text := joinNonEmpty(" ", fmt.Sprintf("HTTP %d", ge.Code), reason) + ": " + msg
	if ge.Code == http.StatusTooManyRequests {
		text += " (rate limited: retrying with backoff)"
	}
	return &apiError{context: context, text: text, err: err}
}
