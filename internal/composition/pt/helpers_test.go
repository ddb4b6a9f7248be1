package pt

import (
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// js returns raw JSON as an extv1.JSON.
func js(raw string) extv1.JSON { return extv1.JSON{Raw: []byte(raw)} }

// errString returns an error's message, or "" for no error. Tests compare
// messages because the message is what a user reads.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
