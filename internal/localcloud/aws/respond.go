package aws

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// Namespaces of the two APIs' XML documents.
const (
	rdsNamespace = "http://rds.amazonaws.com/doc/2014-10-31/"
	ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

// API versions the SDKs send as the Version parameter.
const (
	rdsVersion = "2014-10-31"
	ec2Version = "2016-11-15"
)

// An apiError is an error answered to the client in the API's own shape.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// newError returns an API error.
func newError(status int, code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Status: status, Code: code, Message: msg}
}

// clientError returns an API error with status 400, the status of nearly
// every error of both APIs.
func clientError(code, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, code, format, args...)
}

// invalidValue returns the InvalidParameterValue error both APIs use for
// a parameter value they refuse.
func invalidValue(format string, args ...any) *apiError {
	return clientError("InvalidParameterValue", format, args...)
}

// invalidCombination returns the InvalidParameterCombination error both
// APIs use for parameters that do not go together.
func invalidCombination(format string, args ...any) *apiError {
	return clientError("InvalidParameterCombination", format, args...)
}

// missing returns the error of a required parameter left out; RDS and
// EC2 name the code differently.
func missing(api, name string) *apiError {
	if api == apiEC2 {
		return clientError("MissingParameter", "The request must contain the parameter %s", name)
	}
	return clientError("MissingParameter", "The parameter %s must be provided and must not be blank.", name)
}

// requestID returns a fresh request ID in AWS's UUID form.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// writeXML writes an XML document with status.
func writeXML(w http.ResponseWriter, status int, reqID string, doc []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(doc)))
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(doc)
}

// rdsMetadata is the ResponseMetadata element of every RDS answer.
type rdsMetadata struct {
	RequestID string `xml:"RequestId"`
}

// writeRDS answers action with result as its <ActionResult>; a nil result
// writes no result element, as RDS does for actions with no output.
func writeRDS(w http.ResponseWriter, action, reqID string, result any) error {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: rdsNamespace}}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return err
		}
	}
	if err := enc.EncodeElement(rdsMetadata{RequestID: reqID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, reqID, buf.Bytes())
	return nil
}

// rdsErrorDoc is RDS's (the Query protocol's) error document.
type rdsErrorDoc struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// writeRDSError answers e in RDS's error shape.
func writeRDSError(w http.ResponseWriter, reqID string, e *apiError) {
	t := "Sender"
	if e.Status >= 500 {
		t = "Receiver"
	}
	doc, _ := xml.Marshal(rdsErrorDoc{Xmlns: rdsNamespace, Type: t, Code: e.Code, Message: e.Message, RequestID: reqID})
	writeXML(w, e.Status, reqID, doc)
}

// An ec2Body is the content of an EC2 answer. Every body embeds ec2Meta,
// which puts the request ID first, as EC2 does.
type ec2Body interface {
	setRequestID(id string)
}

// ec2Meta is the part every EC2 answer starts with.
type ec2Meta struct {
	RequestID string `xml:"requestId"`
}

func (m *ec2Meta) setRequestID(id string) { m.RequestID = id }

// ec2Return is the body of EC2 actions that answer only whether they
// succeeded.
type ec2Return struct {
	ec2Meta

	Return bool `xml:"return"`
}

// writeEC2 answers action with body as the <ActionResponse> element.
func writeEC2(w http.ResponseWriter, action, reqID string, body ec2Body) error {
	body.setRequestID(reqID)
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ec2Namespace}}}
	if err := enc.EncodeElement(body, start); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	writeXML(w, http.StatusOK, reqID, buf.Bytes())
	return nil
}

// ec2ErrorDoc is EC2's error document.
type ec2ErrorDoc struct {
	XMLName   xml.Name `xml:"Response"`
	Code      string   `xml:"Errors>Error>Code"`
	Message   string   `xml:"Errors>Error>Message"`
	RequestID string   `xml:"RequestID"`
}

// writeEC2Error answers e in EC2's error shape.
func writeEC2Error(w http.ResponseWriter, reqID string, e *apiError) {
	doc, _ := xml.Marshal(ec2ErrorDoc{Code: e.Code, Message: e.Message, RequestID: reqID})
	writeXML(w, e.Status, reqID, doc)
}

// rdsResponder answers injected faults as RDS does.
type rdsResponder struct{}

// Throttle answers as RDS does when a client exceeds its request rate.
func (rdsResponder) Throttle(w http.ResponseWriter, _ *http.Request) {
	writeRDSError(w, requestID(), clientError("Throttling", "Rate exceeded"))
}

// ServerError answers as RDS does when it fails internally.
func (rdsResponder) ServerError(w http.ResponseWriter, _ *http.Request) {
	writeRDSError(w, requestID(), newError(http.StatusInternalServerError, "InternalFailure", "An internal error has occurred. Try again later."))
}

// ec2Responder answers injected faults as EC2 does.
type ec2Responder struct{}

// Throttle answers as EC2 does when a client exceeds its request rate.
func (ec2Responder) Throttle(w http.ResponseWriter, _ *http.Request) {
	writeEC2Error(w, requestID(), newError(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."))
}

// ServerError answers as EC2 does when it fails internally.
func (ec2Responder) ServerError(w http.ResponseWriter, _ *http.Request) {
	writeEC2Error(w, requestID(), newError(http.StatusInternalServerError, "InternalError", "An internal error has occurred. Try again later."))
}
