package aws

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	type want struct {
		auth authorization
		kind authKind
		ok   bool
	}
	cases := map[string]struct {
		reason string
		header string
		want   want
	}{
		"Valid": {
			reason: "A header the SDK writes is read whole.",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/rds/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd",
			want: want{ok: true, auth: authorization{
				Scope:         scope{AccessKey: "AKID", Date: "20240102", Region: "us-east-1", Service: "rds"},
				SignedHeaders: []string{"host", "x-amz-date"},
				Signature:     "abcd",
			}},
		},
		"Missing": {
			reason: "No header is a missing token.",
			header: "",
			want:   want{kind: authMissing},
		},
		"OtherAlgorithm": {
			reason: "Only SigV4 is accepted.",
			header: "AWS AKID:signature",
			want:   want{kind: authMalformed},
		},
		"NoSignature": {
			reason: "All three parts are required.",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/rds/aws4_request, SignedHeaders=host",
			want:   want{kind: authMalformed},
		},
		"ShortScope": {
			reason: "The credential scope has five parts.",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20240102/rds/aws4_request, SignedHeaders=host, Signature=abcd",
			want:   want{kind: authMalformed},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := parseAuthorization(tc.header)
			got := want{auth: a, ok: err == nil}
			var p *signatureError
			if errors.As(err, &p) {
				got.kind = p.kind
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nparseAuthorization(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	v := verifier{secrets: map[string]string{"AKID": "secret"}, now: func() time.Time { return now }}
	const body = "Action=DescribeDBInstances&Version=2014-10-31"

	type args struct {
		url    string
		key    string
		secret string
		signAt time.Time
		// before runs before signing, after once signed.
		before func(r *http.Request)
		after  func(r *http.Request)
		// sendBody is the body that arrives, when not the signed one.
		sendBody *string
	}
	type want struct {
		ok   bool
		kind authKind
		sc   scope
	}
	str := func(s string) *string { return &s }
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Valid": {
			reason: "A request the SDK signs verifies.",
			args:   args{},
			want:   want{ok: true, sc: scope{AccessKey: "AKID", Date: "20240102", Region: "us-east-1", Service: "rds"}},
		},
		"QueryAndPath": {
			reason: "Query strings and escaped paths are canonicalised as the SDK does.",
			args:   args{url: "http://127.0.0.1:4566/some%20path/x?b=2&a=1&a=0&c=a+b%2Fc"},
			want:   want{ok: true, sc: scope{AccessKey: "AKID", Date: "20240102", Region: "us-east-1", Service: "rds"}},
		},
		"HeadersAddedLater": {
			reason: "Headers added after signing are not part of the signature.",
			args: args{after: func(r *http.Request) {
				r.Header.Set("Accept-Encoding", "gzip")
				r.Header.Set("X-Forwarded-For", "10.0.0.1")
			}},
			want: want{ok: true, sc: scope{AccessKey: "AKID", Date: "20240102", Region: "us-east-1", Service: "rds"}},
		},
		"SignedHeaderWithSpaces": {
			reason: "Signed header values are trimmed and their spaces collapsed.",
			args:   args{before: func(r *http.Request) { r.Header.Set("X-Custom", "  a   b  ") }},
			want:   want{ok: true, sc: scope{AccessKey: "AKID", Date: "20240102", Region: "us-east-1", Service: "rds"}},
		},
		"TamperedBody": {
			reason: "A body other than the signed one is refused.",
			args:   args{sendBody: str(body + "&DBInstanceIdentifier=x")},
			want:   want{kind: authBadSignature},
		},
		"TamperedHeader": {
			reason: "A signed header changed after signing is refused.",
			args: args{
				before: func(r *http.Request) { r.Header.Set("X-Custom", "a") },
				after:  func(r *http.Request) { r.Header.Set("X-Custom", "b") },
			},
			want: want{kind: authBadSignature},
		},
		"WrongSecret": {
			reason: "A signature made with another secret is refused.",
			args:   args{secret: "other"},
			want:   want{kind: authBadSignature},
		},
		"UnknownKey": {
			reason: "An access key the local cloud does not know is refused.",
			args:   args{key: "NOPE"},
			want:   want{kind: authUnknownKey},
		},
		"Expired": {
			reason: "A request signed more than 15 minutes ago is refused.",
			args:   args{signAt: now.Add(-20 * time.Minute)},
			want:   want{kind: authExpired},
		},
		"Unsigned": {
			reason: "A request without Authorization is refused.",
			args:   args{after: func(r *http.Request) { r.Header.Del("Authorization") }},
			want:   want{kind: authMissing},
		},
		"ContentHashMismatch": {
			reason: "An X-Amz-Content-Sha256 that is not the body's hash is refused.",
			args:   args{before: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64)) }},
			want:   want{kind: authBadSignature},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := tc.args
			if a.url == "" {
				a.url = "http://127.0.0.1:4566/"
			}
			if a.key == "" {
				a.key = "AKID"
			}
			if a.secret == "" {
				a.secret = "secret"
			}
			if a.signAt.IsZero() {
				a.signAt = now
			}
			r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, a.url, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if a.before != nil {
				a.before(r)
			}
			sum := sha256.Sum256([]byte(body))
			creds := awssdk.Credentials{AccessKeyID: a.key, SecretAccessKey: a.secret}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "rds", "us-east-1", a.signAt); err != nil {
				t.Fatal(err)
			}
			if a.after != nil {
				a.after(r)
			}
			got := body
			if a.sendBody != nil {
				got = *a.sendBody
			}
			r.Body = io.NopCloser(bytes.NewReader([]byte(got)))
			sc, err := v.verify(r, []byte(got))
			res := want{ok: err == nil}
			var p *signatureError
			if errors.As(err, &p) {
				res.kind = p.kind
			}
			if res.ok {
				res.sc = sc
			}
			if diff := cmp.Diff(tc.want, res, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nverify(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
