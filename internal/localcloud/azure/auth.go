package azure

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// tokenLifetime is how long an access token is valid; Entra ID issues
// client-credential tokens for about an hour.
const tokenLifetime = time.Hour

// claims are what an access token says. The local cloud signs tokens as
// HS256 JSON Web Tokens with the environment's signing key, so tokens issued
// before a restart stay valid after it.
type claims struct {
	Audience  string `json:"aud"`
	Issuer    string `json:"iss"`
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf"`
	Expires   int64  `json:"exp"`
	AppID     string `json:"appid"`
	Tenant    string `json:"tid"`
	Subject   string `json:"sub"`
	IDType    string `json:"idtyp"`
}

var b64 = base64.RawURLEncoding

// signToken returns c as a signed JSON Web Token.
func signToken(key []byte, c claims) (string, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return "", errors.Wrap(err, "cannot encode token claims")
	}
	unsigned := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b64.EncodeToString(body)
	return unsigned + "." + b64.EncodeToString(mac(key, unsigned)), nil
}

func mac(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	_, _ = h.Write([]byte(s))
	return h.Sum(nil)
}

// Token verification failures; ARM tells an expired token from any other bad
// one.
var (
	errTokenMalformed = errors.New("the access token is malformed")
	errTokenSignature = errors.New("the access token signature is invalid")
	errTokenExpired   = errors.New("the access token has expired")
	errTokenNotYet    = errors.New("the access token is not valid yet")
)

// verifyToken checks the signature and validity period of token at now.
func verifyToken(key []byte, token string, now time.Time) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errTokenMalformed
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return claims{}, errTokenMalformed
	}
	if subtle.ConstantTimeCompare(sig, mac(key, parts[0]+"."+parts[1])) != 1 {
		return claims{}, errTokenSignature
	}
	body, err := b64.DecodeString(parts[1])
	if err != nil {
		return claims{}, errTokenMalformed
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil {
		return claims{}, errTokenMalformed
	}
	switch {
	case now.Unix() >= c.Expires:
		return c, errTokenExpired
	case now.Unix() < c.NotBefore:
		return c, errTokenNotYet
	}
	return c, nil
}

// tenantName is what Entra ID accepts as a tenant in a path: a GUID, a domain
// name, or one of the aliases (common, organizations).
var tenantName = regexp.MustCompile(`^[A-Za-z0-9.-]{1,256}$`)

// serveIdentity answers the Entra ID endpoints MSAL uses for the client
// credentials flow: tenant discovery and the token endpoint. It reports
// whether the path was one of them.
func (s *Service) serveIdentity(w http.ResponseWriter, r *http.Request) bool {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) < 2 || !tenantName.MatchString(segs[0]) || strings.EqualFold(segs[0], "subscriptions") || strings.EqualFold(segs[0], "providers") {
		return false
	}
	tenant, rest := segs[0], strings.ToLower(strings.Join(segs[1:], "/"))
	switch rest {
	case "v2.0/.well-known/openid-configuration", ".well-known/openid-configuration":
		if r.Method != http.MethodGet {
			aadError(w, http.StatusMethodNotAllowed, "invalid_request", 90056, "The request method is not supported for this endpoint.")
			return true
		}
		s.openIDConfiguration(w, r, tenant)
		return true
	case "oauth2/v2.0/token", "oauth2/token":
		if r.Method != http.MethodPost {
			aadError(w, http.StatusMethodNotAllowed, "invalid_request", 90056, "The token endpoint only accepts POST requests.")
			return true
		}
		s.token(w, r, tenant)
		return true
	}
	return false
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Service) openIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	base := baseURL(r) + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"HS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "localcloud",
	})
}

// aadError answers the way Entra ID does: an OAuth error with an AADSTS
// code in the description.
func aadError(w http.ResponseWriter, status int, code string, aadsts int, msg string) {
	now := time.Now().UTC()
	trace := newID()
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", aadsts, msg, trace, trace, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":       []int{aadsts},
		"timestamp":         now.Format("2006-01-02 15:04:05Z"),
		"trace_id":          trace,
		"correlation_id":    trace,
		"error_uri":         fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", aadsts),
	})
}

// An aadFailure is an error of the token endpoint.
type aadFailure struct {
	status int
	code   string
	aadsts int
	msg    string
}

// token issues an access token for the client credentials grant.
func (s *Service) token(w http.ResponseWriter, r *http.Request, tenant string) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		aadError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain form-encoded parameters.")
		return
	}
	id, f := s.client(r, tenant)
	if f != nil {
		aadError(w, f.status, f.code, f.aadsts, f.msg)
		return
	}
	scope := r.PostForm.Get("scope")
	if scope == "" {
		scope = r.PostForm.Get("resource")
	}
	aud := ""
	if f := strings.Fields(scope); len(f) > 0 {
		aud = strings.TrimSuffix(f[0], "/.default")
	}
	if aud == "" {
		aadError(w, http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
		return
	}
	now := s.env.Now()
	tok, err := signToken(s.env.SigningKey, claims{
		Audience:  aud,
		Issuer:    baseURL(r) + "/" + tenant + "/v2.0",
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix() - 300,
		Expires:   now.Add(tokenLifetime).Unix(),
		AppID:     id,
		Tenant:    tenant,
		Subject:   id,
		IDType:    "app",
	})
	if err != nil {
		aadError(w, http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again.")
		return
	}
	secs := int(tokenLifetime.Seconds()) - 1
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   tok,
	})
}

// client checks the grant and the client's credentials in a token request
// and returns the client ID.
func (s *Service) client(r *http.Request, tenant string) (string, *aadFailure) {
	grant := r.PostForm.Get("grant_type")
	if grant == "" {
		return "", &aadFailure{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."}
	}
	if grant != "client_credentials" {
		return "", &aadFailure{http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'. The local cloud issues tokens for the client_credentials grant only.", grant)}
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	if id == "" {
		return "", &aadFailure{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."}
	}
	if secret == "" && r.PostForm.Get("client_assertion") == "" {
		return "", &aadFailure{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	if len(s.clients) == 0 {
		return id, nil
	}
	want, known := s.clients[id]
	if !known {
		return "", &aadFailure{http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", id, tenant)}
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		return "", &aadFailure{http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", id)}
	}
	return id, nil
}

// authenticate lets ARM requests with a valid bearer token through and
// answers the others as ARM does.
func (s *Service) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+baseURL(r)+`/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`)
			writeError(w, &apiError{Status: http.StatusUnauthorized, Code: "AuthenticationFailed", Message: "Authentication failed. The 'Authorization' header is missing."})
			return
		}
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+baseURL(r)+`/", error="invalid_token", error_description="The authentication scheme of Basic is not supported."`)
			writeError(w, &apiError{Status: http.StatusUnauthorized, Code: "AuthenticationFailed", Message: "Authentication failed. The 'Authorization' header is not a bearer token."})
			return
		}
		_, err := verifyToken(s.env.SigningKey, strings.TrimSpace(tok), s.env.Now())
		switch {
		case errors.Is(err, errTokenExpired):
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+baseURL(r)+`/", error="invalid_token", error_description="The access token expiry UTC time is earlier than current UTC time."`)
			writeError(w, &apiError{Status: http.StatusUnauthorized, Code: "ExpiredAuthenticationToken", Message: "The access token expiry UTC time is earlier than current UTC time."})
			return
		case err != nil:
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+baseURL(r)+`/", error="invalid_token", error_description="The access token is invalid."`)
			writeError(w, &apiError{Status: http.StatusUnauthorized, Code: "InvalidAuthenticationToken", Message: "The access token is invalid."})
			return
		}
		next.ServeHTTP(w, r)
	})
}
