package gcp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
)

// TestRequireAuth shows that with RequireAuth a client needs a token from
// the local cloud's token endpoint (or a service account's self-signed JWT).
func TestRequireAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	_, srv := serve(t, env, Options{RequireAuth: true})

	_, err := sqlClient(t, srv.URL).Instances.List(testProject).Do()
	wantErr(t, "a call without a token", err, apiErr{Code: http.StatusUnauthorized, Reason: "required"})
	var ge *googleapi.Error
	if !errorsAs(err, &ge) || !strings.Contains(ge.Body, `"status":"UNAUTHENTICATED"`) {
		t.Errorf("401 body should carry status UNAUTHENTICATED: %v", err)
	}
	forged := option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.local.eyJzdWIiOiJ4In0.forged"}))
	_, err = sqlClient(t, srv.URL, forged).Instances.List(testProject).Do()
	wantErr(t, "a call with a forged token", err, apiErr{Code: http.StatusUnauthorized, Reason: "authError"})

	// An OAuth 2.0 client gets a token from /token.
	cc := clientcredentials.Config{ClientID: "stratus", ClientSecret: "secret", TokenURL: srv.URL + "/token"}
	ts := cc.TokenSource(ctx)
	tok, err := ts.Token()
	if err != nil {
		t.Fatalf("token from /token: %v", err)
	}
	if tok.TokenType != "Bearer" || time.Until(tok.Expiry) < 50*time.Minute {
		t.Errorf("token: type %q, expires in %s", tok.TokenType, time.Until(tok.Expiry))
	}
	if _, err := sqlClient(t, srv.URL, option.WithTokenSource(ts)).Instances.List(testProject).Do(); err != nil {
		t.Errorf("Cloud SQL call with a token from /token: %v", err)
	}
	nc, err := compute.NewNetworksRESTClient(ctx, option.WithEndpoint(srv.URL), option.WithTokenSource(ts))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Get(ctx, &computepb.GetNetworkRequest{Project: testProject, Network: "none"}); errOf(err).Code != http.StatusNotFound {
		t.Errorf("Compute Engine call with a token from /token: want 404 for a missing network, got %v", err)
	}

	// A service account key whose token_uri is the local cloud: Google's
	// auth library signs a JWT and trades it at /token (or sends it as is).
	key := serviceAccountKey(t, srv.URL+"/token")
	sa := option.WithAuthCredentialsJSON(option.ServiceAccount, key)
	if _, err := sqlClient(t, srv.URL, sa).Instances.List(testProject).Do(); err != nil {
		t.Errorf("Cloud SQL call with a service account key: %v", err)
	}
}

func errorsAs(err error, target **googleapi.Error) bool { return errors.As(err, target) }

// serviceAccountKey returns a service account key file with a fresh RSA
// key, as the IAM API hands out, whose token_uri is tokenURI.
func serviceAccountKey(t *testing.T, tokenURI string) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     testProject,
		"private_key_id": "0123456789abcdef",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "stratus@" + testProject + ".iam.gserviceaccount.com",
		"client_id":      "123456789",
		"token_uri":      tokenURI,
	})
	return b
}

func jwtOf(t *testing.T, header, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + ".c2ln"
}

// TestTokenEndpoint checks the grants the token endpoint takes and refuses.
func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	svc, srv := serve(t, env, Options{RequireAuth: true})
	exp := time.Now().Add(time.Hour).Unix()
	good := jwtOf(t, `{"alg":"RS256","typ":"JWT"}`, `{"iss":"sa@p.iam.gserviceaccount.com","aud":"x","exp":`+jsonNumber(exp)+`}`)
	cases := map[string]struct {
		form     url.Values
		wantCode int
		wantErr  string
	}{
		"JWTBearer":          {form: url.Values{"grant_type": {grantJWTBearer}, "assertion": {good}}, wantCode: http.StatusOK},
		"ClientCredentials":  {form: url.Values{"grant_type": {grantClientCredentials}, "client_id": {"c"}}, wantCode: http.StatusOK},
		"RefreshToken":       {form: url.Values{"grant_type": {grantRefreshToken}, "refresh_token": {"r"}}, wantCode: http.StatusOK},
		"NoGrant":            {form: url.Values{}, wantCode: http.StatusBadRequest, wantErr: "invalid_request"},
		"UnknownGrant":       {form: url.Values{"grant_type": {"password"}}, wantCode: http.StatusBadRequest, wantErr: "unsupported_grant_type"},
		"MalformedAssertion": {form: url.Values{"grant_type": {grantJWTBearer}, "assertion": {"not-a-jwt"}}, wantCode: http.StatusBadRequest, wantErr: "invalid_grant"},
		"NoClientID":         {form: url.Values{"grant_type": {grantClientCredentials}}, wantCode: http.StatusUnauthorized, wantErr: "invalid_client"},
		"NoRefreshToken":     {form: url.Values{"grant_type": {grantRefreshToken}}, wantCode: http.StatusBadRequest, wantErr: "invalid_request"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resp, err := http.PostForm(srv.URL+"/token", tc.form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var body struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				Error       string `json:"error"`
			}
			_ = json.Unmarshal(b, &body)
			if resp.StatusCode != tc.wantCode || body.Error != tc.wantErr {
				t.Fatalf("POST /token: want %d %q, got %d %s", tc.wantCode, tc.wantErr, resp.StatusCode, b)
			}
			if tc.wantCode != http.StatusOK {
				return
			}
			if body.TokenType != "Bearer" || body.ExpiresIn != 3600 {
				t.Errorf("token response: %s", b)
			}
			if err := svc.tokens.verify(body.AccessToken); err != nil {
				t.Errorf("issued token does not verify: %v", err)
			}
		})
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestTokens checks token signing and the bearer checks, without a server.
func TestTokens(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ti := tokenIssuer{key: []byte("key-one"), now: func() time.Time { return now }}
	other := tokenIssuer{key: []byte("key-two"), now: ti.now}
	later := tokenIssuer{key: ti.key, now: func() time.Time { return now.Add(2 * time.Hour) }}
	tok := ti.issue("sa@p.iam.gserviceaccount.com")
	exp := now.Add(time.Hour).Unix()
	cases := map[string]struct {
		reason string
		check  func() error
		want   bool
	}{
		"SameKey":  {reason: "A token verifies with the key that signed it, as after a restart.", check: func() error { err := tokenIssuer{key: []byte("key-one"), now: ti.now}.verify(tok); return err }, want: true},
		"OtherKey": {reason: "Another key's signature does not verify.", check: func() error { err := other.verify(tok); return err }},
		"Expired":  {reason: "An hour later the token has expired.", check: func() error { err := later.verify(tok); return err }},
		"Tampered": {reason: "Changing the claims breaks the signature.", check: func() error {
			err := ti.verify(tok[:len(tokenPrefix)+2] + "x" + tok[len(tokenPrefix)+3:])
			return err
		}},
		"NotOurs": {reason: "A token from elsewhere is refused.", check: func() error { err := ti.verify("ya29.a0AfH6"); return err }},
		"SelfSignedJWT": {reason: "A service account JWT is accepted.", check: func() error {
			_, err := parseJWT(jwtOf(t, `{"alg":"RS256"}`, `{"iss":"sa@p.iam.gserviceaccount.com","exp":`+jsonNumber(exp)+`}`), now)
			return err
		}, want: true},
		"JWTNotAnEmail": {reason: "A JWT whose issuer is not an email is refused.", check: func() error { _, err := parseJWT(jwtOf(t, `{"alg":"RS256"}`, `{"iss":"someone"}`), now); return err }},
		"JWTUnsigned":   {reason: "An unsigned JWT is refused.", check: func() error { _, err := parseJWT(jwtOf(t, `{"alg":"none"}`, `{"iss":"sa@p"}`), now); return err }},
		"JWTExpired": {reason: "An expired JWT is refused.", check: func() error {
			_, err := parseJWT(jwtOf(t, `{"alg":"RS256"}`, `{"iss":"sa@p","exp":1}`), now)
			return err
		}},
		"JWTTwoSegments":   {reason: "A JWT needs three segments.", check: func() error { _, err := parseJWT("a.b", now); return err }},
		"JWTBadEncoding":   {reason: "Segments must be base64url.", check: func() error { _, err := parseJWT("!!.??.sig", now); return err }},
		"JWTClaimsNotJSON": {reason: "Claims must be JSON.", check: func() error { _, err := parseJWT(jwtOf(t, `{"alg":"RS256"}`, `nope`), now); return err }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := tc.check() == nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ncheck(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
