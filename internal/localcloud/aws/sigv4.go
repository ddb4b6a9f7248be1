package aws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sigV4Algorithm is the only signing algorithm the SDKs use for RDS and EC2.
const sigV4Algorithm = "AWS4-HMAC-SHA256"

// amzDateFormat is the layout of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// maxClockSkew is how far a request's signing time may be from the server's
// clock, as AWS allows.
const maxClockSkew = 15 * time.Minute

// A scope is the credential scope of a signature: who signed, for which day,
// region and service.
type scope struct {
	AccessKey string
	Date      string
	Region    string
	Service   string
}

// String returns the scope as it appears in the string to sign.
func (s scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// An authorization is a parsed SigV4 Authorization header.
type authorization struct {
	Scope         scope
	SignedHeaders []string
	Signature     string
}

// An signatureError says why a request's signature is not accepted; kind picks
// the error code each API answers with.
type signatureError struct {
	kind    authKind
	message string
}

func (p *signatureError) Error() string { return p.message }

// authKind is the class of an authentication failure.
type authKind int

const (
	// authMissing: no Authorization header at all.
	authMissing authKind = iota
	// authMalformed: an Authorization header that cannot be parsed.
	authMalformed
	// authUnknownKey: an access key the local cloud does not know.
	authUnknownKey
	// authBadSignature: the signature does not match the request.
	authBadSignature
	// authExpired: the request was signed too long ago (or in the future).
	authExpired
)

// parseAuthorization reads a SigV4 Authorization header such as
// "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/rds/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=abcd".
func parseAuthorization(h string) (authorization, error) {
	if strings.TrimSpace(h) == "" {
		return authorization{}, &signatureError{kind: authMissing, message: "Request is missing Authentication Token"}
	}
	algo, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || algo != sigV4Algorithm {
		return authorization{}, &signatureError{kind: authMalformed, message: "Unsupported authorization type; sign requests with " + sigV4Algorithm}
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authorization{}, &signatureError{kind: authMalformed, message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters"}
		}
		fields[k] = v
	}
	cred, signed, sig := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if cred == "" || signed == "" || sig == "" {
		return authorization{}, &signatureError{kind: authMalformed, message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters"}
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || parts[2] == "" || parts[3] == "" {
		return authorization{}, &signatureError{kind: authMalformed, message: "Credential should be scoped to a valid region and service: ACCESS_KEY/DATE/REGION/SERVICE/aws4_request"}
	}
	return authorization{
		Scope:         scope{AccessKey: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]},
		SignedHeaders: strings.Split(signed, ";"),
		Signature:     sig,
	}, nil
}

// A verifier checks SigV4 signatures against known access keys.
type verifier struct {
	// secrets maps access key IDs to secret keys.
	secrets map[string]string
	now     func() time.Time
}

// verify checks that r, whose body is body, carries a valid signature and
// returns its credential scope. Only the headers the client signed count,
// so headers added on the way (Accept-Encoding, proxies' headers) are
// tolerated.
func (v verifier) verify(r *http.Request, body []byte) (scope, error) {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return scope{}, err
	}
	secret, ok := v.secrets[a.Scope.AccessKey]
	if !ok {
		return a.Scope, &signatureError{kind: authUnknownKey, message: "The security token included in the request is invalid."}
	}
	date := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateFormat, date)
	if err != nil {
		return a.Scope, &signatureError{kind: authMalformed, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
	}
	if d := v.now().Sub(t); d > maxClockSkew || d < -maxClockSkew {
		return a.Scope, &signatureError{kind: authExpired, message: "Signature expired: " + date + " is now earlier or later than the server's time by more than 15 minutes."}
	}
	if a.Scope.Date != t.Format("20060102") {
		return a.Scope, &signatureError{kind: authBadSignature, message: "Credential should be scoped to a valid date: " + a.Scope.Date + " is not the date of X-Amz-Date " + date + "."}
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return a.Scope, &signatureError{kind: authMalformed, message: "The host header must be signed."}
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	bodyHash := sha256Hex(body)
	switch payload {
	case "":
		payload = bodyHash
	case "UNSIGNED-PAYLOAD":
	default:
		if payload != bodyHash {
			return a.Scope, &signatureError{kind: authBadSignature, message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}
	canonical := canonicalRequest(r, a.SignedHeaders, payload)
	want := signature(secret, a.Scope, date, canonical)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.Signature))) {
		return a.Scope, &signatureError{kind: authBadSignature, message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return a.Scope, nil
}

// canonicalRequest builds the SigV4 canonical request of r over the headers
// the client signed.
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.Query()))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalHeaderValue returns the value of header h (lower case) as signed:
// values trimmed, inner runs of spaces collapsed, repeated headers joined
// by commas. Go's server moves Host and Content-Length out of the header
// map, so they are read from the request.
func canonicalHeaderValue(r *http.Request, h string) string {
	var values []string
	switch h {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values(h)
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		values = r.Header.Values(h)
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// canonicalURI escapes the path as the SDKs do for every service but S3:
// the already escaped path is escaped once more.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	var b strings.Builder
	for i := range len(p) {
		c := p[i]
		if unreserved(c) || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// canonicalQuery sorts the query by key and value and escapes both per
// RFC 3986.
func canonicalQuery(q url.Values) string {
	type kv struct{ k, v string }
	var all []kv
	for k, vs := range q {
		for _, v := range vs {
			all = append(all, kv{escape(k), escape(v)})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].k != all[j].k {
			return all[i].k < all[j].k
		}
		return all[i].v < all[j].v
	})
	parts := make([]string, len(all))
	for i, p := range all {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func unreserved(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~'
}

// escape percent-encodes every byte but the unreserved ones.
func escape(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// signature computes the hex SigV4 signature of a canonical request.
func signature(secret string, s scope, amzDate, canonical string) string {
	toSign := sigV4Algorithm + "\n" + amzDate + "\n" + s.String() + "\n" + sha256Hex([]byte(canonical))
	k := hmacSHA256([]byte("AWS4"+secret), s.Date)
	k = hmacSHA256(k, s.Region)
	k = hmacSHA256(k, s.Service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	_, _ = h.Write([]byte(data))
	return h.Sum(nil)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
