package gcp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// tokenPrefix starts every access token the local cloud issues; real Google
// access tokens start with ya29. too.
const tokenPrefix = "ya29.local." //nolint:gosec // G101: a token's prefix, not a credential.

// tokenLifetime is how long an issued access token is valid.
const tokenLifetime = time.Hour

const (
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer" //nolint:gosec // G101: an OAuth grant type, not a credential.
	grantClientCredentials = "client_credentials"
	grantRefreshToken      = "refresh_token"
)

// tokenClaims are what an access token carries.
type tokenClaims struct {
	Subject string `json:"sub"`
	Expiry  int64  `json:"exp"`
}

// A tokenIssuer issues and checks stateless access tokens signed with the
// environment's persistent key, so tokens outlive a restart.
type tokenIssuer struct {
	key []byte
	now func() time.Time
}

func (ti tokenIssuer) sign(payload string) string {
	m := hmac.New(sha256.New, ti.key)
	_, _ = m.Write([]byte(tokenPrefix + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issue returns an access token for subject.
func (ti tokenIssuer) issue(subject string) string {
	b, _ := json.Marshal(tokenClaims{Subject: subject, Expiry: ti.now().Add(tokenLifetime).Unix()})
	p := base64.RawURLEncoding.EncodeToString(b)
	return tokenPrefix + p + "." + ti.sign(p)
}

// verify checks that the issuer made an access token and that it has not
// expired.
func (ti tokenIssuer) verify(tok string) error {
	rest, ok := strings.CutPrefix(tok, tokenPrefix)
	if !ok {
		return errors.New("not a local cloud access token")
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(ti.sign(p))) {
		return errors.New("bad token signature")
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return errors.Wrap(err, "cannot decode token")
	}
	var c tokenClaims
	if err := json.Unmarshal(b, &c); err != nil {
		return errors.Wrap(err, "cannot decode token")
	}
	if ti.now().Unix() >= c.Expiry {
		return errors.New("token expired")
	}
	return nil
}

// jwtClaims are the claims of a service account's JWT that matter here.
type jwtClaims struct {
	Issuer  string `json:"iss"`
	Subject string `json:"sub"`
	Expiry  int64  `json:"exp"`
}

// parseJWT decodes a JWT's header and claims without checking its
// signature: the local cloud does not know the service account's public key.
// It insists on a well-formed token whose issuer is an email address and
// that has not expired.
func parseJWT(tok string, now time.Time) (jwtClaims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[2] == "" {
		return jwtClaims{}, errors.New("not a signed JWT (want header.claims.signature)")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return jwtClaims{}, errors.Wrap(err, "cannot decode JWT header")
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(hb, &h); err != nil || h.Alg == "" || strings.EqualFold(h.Alg, "none") {
		return jwtClaims{}, errors.New("JWT header has no signing algorithm")
	}
	cb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return jwtClaims{}, errors.Wrap(err, "cannot decode JWT claims")
	}
	var c jwtClaims
	if err := json.Unmarshal(cb, &c); err != nil {
		return jwtClaims{}, errors.Wrap(err, "cannot decode JWT claims")
	}
	if !strings.Contains(c.Issuer, "@") {
		return jwtClaims{}, errors.Errorf("JWT issuer %q is not a service account email", c.Issuer)
	}
	if c.Expiry != 0 && now.Unix() >= c.Expiry {
		return jwtClaims{}, errors.New("JWT has expired")
	}
	return c, nil
}

// oauthError is the token endpoint's error shape (RFC 6749 section 5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// tokenResponse is the token endpoint's success shape.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// serveToken is Google's OAuth 2.0 token endpoint: service accounts trade a
// signed JWT for an access token; client credentials and refresh tokens are
// accepted too, so any OAuth 2.0 client can get a token.
func (s *Service) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, oauthError{Error: "invalid_request", Description: "The token endpoint takes POST."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: "Cannot parse the form body."})
		return
	}
	var subject string
	switch gt := r.PostForm.Get("grant_type"); gt {
	case grantJWTBearer:
		c, err := parseJWT(r.PostForm.Get("assertion"), s.clock())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_grant", Description: "Invalid JWT: " + err.Error()})
			return
		}
		subject = c.Issuer
		if c.Subject != "" {
			subject = c.Subject
		}
	case grantClientCredentials:
		id, _, ok := r.BasicAuth()
		if !ok {
			id = r.PostForm.Get("client_id")
		}
		if id == "" {
			writeJSON(w, http.StatusUnauthorized, oauthError{Error: "invalid_client", Description: "The OAuth client was not found."})
			return
		}
		subject = id
	case grantRefreshToken:
		if r.PostForm.Get("refresh_token") == "" {
			writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: "Missing required parameter: refresh_token"})
			return
		}
		subject = r.PostForm.Get("client_id")
		if subject == "" {
			subject = "user"
		}
	case "":
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_request", Description: "Missing required parameter: grant_type"})
		return
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "unsupported_grant_type", Description: "Invalid grant_type: " + gt})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: s.tokens.issue(subject),
		TokenType:   "Bearer",
		ExpiresIn:   int(tokenLifetime / time.Second),
	})
}

// authenticate checks the bearer credential of a request when the service
// requires authentication: an access token from serveToken, or a self-signed
// service account JWT (which Google's auth libraries send instead of calling
// the token endpoint when they can).
func (s *Service) authenticate(r *http.Request) *apiError {
	if !s.opts.RequireAuth {
		return nil
	}
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return &apiError{
			Code:    http.StatusUnauthorized,
			Reason:  "required",
			Message: "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
		}
	}
	tok = strings.TrimSpace(tok)
	if err := s.tokens.verify(tok); err == nil {
		return nil
	}
	if _, err := parseJWT(tok, s.clock()); err == nil {
		return nil
	}
	return &apiError{
		Code:    http.StatusUnauthorized,
		Reason:  "authError",
		Message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
	}
}
