package clients

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"maps"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// selfSigned returns a PEM self-signed CA certificate, for CA bundle
// tests.
func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now(),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// tokenFailure answers every request as Entra ID answers a wrong client
// secret.
type tokenFailure struct{}

func (tokenFailure) Do(req *http.Request) (*http.Response, error) {
	r := response(http.StatusUnauthorized, http.Header{"Content-Type": []string{"application/json"}},
		`{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. Trace ID: 1234 Timestamp: 2026-01-01"}`)
	r.Request = req
	return r, nil
}

// policyTokenOptions asks for a Resource Manager token.
func policyTokenOptions() policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}}
}

func TestParseCredentials(t *testing.T) {
	type want struct {
		creds Credentials
		err   string
	}
	cases := map[string]struct {
		reason string
		data   string
		want   want
	}{
		"Valid":         {reason: "A JSON object with both fields is a credential.", data: `{"clientId": "id", "clientSecret": "s3cret"}`, want: want{creds: Credentials{ClientID: "id", ClientSecret: "s3cret"}}},
		"NotJSON":       {reason: "Data that is not JSON is refused without being quoted.", data: `clientSecret=s3cret`, want: want{err: "credentials are not a JSON object with clientId and clientSecret"}},
		"MissingSecret": {reason: "Both fields are needed.", data: `{"clientId": "id"}`, want: want{err: "credentials need both clientId and clientSecret"}},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c, err := ParseCredentials([]byte(tc.data))
			got := want{creds: c}
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nParseCredentials(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCloud(t *testing.T) {
	cases := map[string]struct {
		reason   string
		endpoint *v1beta1.Endpoint
		want     cloud.Configuration
	}{
		"Public": {reason: "Without an endpoint, Azure's public cloud.", want: cloud.AzurePublic},
		"LocalCloud": {
			reason:   "Overridden endpoints; the public audience, which the local cloud accepts.",
			endpoint: &v1beta1.Endpoint{ResourceManager: "https://127.0.0.1:4568/", ActiveDirectory: "https://127.0.0.1:4568"},
			want: cloud.Configuration{
				ActiveDirectoryAuthorityHost: "https://127.0.0.1:4568/",
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: "https://127.0.0.1:4568", Audience: "https://management.core.windows.net/"},
				},
			},
		},
		"Audience": {
			reason:   "An audience of its own, and the public authority.",
			endpoint: &v1beta1.Endpoint{ResourceManager: "https://arm.example", Audience: "https://arm.example"},
			want: cloud.Configuration{
				ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: "https://arm.example", Audience: "https://arm.example"},
				},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Cloud(tc.endpoint)); diff != "" {
				t.Errorf("%s\nCloud(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// kube returns an API server stub holding objs.
func kube(objs ...client.Object) *test.MockClient {
	return &test.MockClient{
		MockGet: func(_ context.Context, key client.ObjectKey, obj client.Object) error {
			for _, o := range objs {
				if o.GetName() != key.Name || o.GetNamespace() != key.Namespace {
					continue
				}
				switch want := obj.(type) {
				case *v1beta1.ProviderConfig:
					if pc, ok := o.(*v1beta1.ProviderConfig); ok {
						pc.DeepCopyInto(want)
						return nil
					}
				case *corev1.Secret:
					if s, ok := o.(*corev1.Secret); ok {
						s.DeepCopyInto(want)
						return nil
					}
				}
			}
			return kerrors.NewNotFound(schema.GroupResource{}, key.Name)
		},
	}
}

// nopTracker tracks nothing.
type nopTracker struct{ err error }

func (n nopTracker) Track(context.Context, resource.LegacyManaged) error { return n.err } //nolint:staticcheck // The tracker interface takes LegacyManaged.

func TestConnect(t *testing.T) {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"},
		Data:       map[string][]byte{"credentials": []byte(`{"clientId": "id", "clientSecret": "s3cret"}`), "ca.pem": []byte(selfSigned(t)), "bad": []byte("x")},
	}
	pc := func(mods ...func(*v1beta1.ProviderConfig)) *v1beta1.ProviderConfig {
		p := &v1beta1.ProviderConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "default"},
			Spec: v1beta1.ProviderConfigSpec{
				SubscriptionID: "sub",
				TenantID:       "tenant",
				Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: xpv2.CommonCredentialSelectors{
					SecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "creds"}, Key: "credentials"},
				}},
			},
		}
		for _, m := range mods {
			m(p)
		}
		return p
	}
	cases := map[string]struct {
		reason string
		pc     *v1beta1.ProviderConfig
		track  error
		want   string
	}{
		"Connected": {reason: "A ProviderConfig with credentials yields a connection.", pc: pc()},
		"CABundleSecret": {reason: "A CA bundle from a Secret is trusted.", pc: pc(func(p *v1beta1.ProviderConfig) {
			p.Spec.TLS = &v1beta1.TLS{CABundleSecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "creds"}, Key: "ca.pem"}}
		})},
		"BadCABundle": {reason: "A CA bundle without a certificate is refused.", pc: pc(func(p *v1beta1.ProviderConfig) {
			p.Spec.TLS = &v1beta1.TLS{CABundle: "not a certificate"}
		}), want: "the CA bundle holds no PEM certificate"},
		"MissingCAKey": {reason: "A CA bundle Secret without the key is an error.", pc: pc(func(p *v1beta1.ProviderConfig) {
			p.Spec.TLS = &v1beta1.TLS{CABundleSecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "creds"}, Key: "missing"}}
		}), want: `cannot read the CA bundle of ProviderConfig "default": Secret ns/creds has no key "missing"`},
		"BadCredentials": {reason: "Credentials that do not parse are reported without their content.", pc: pc(func(p *v1beta1.ProviderConfig) {
			p.Spec.Credentials.SecretRef.Key = "bad"
		}), want: `cannot parse the credentials of ProviderConfig "default": credentials are not a JSON object with clientId and clientSecret`},
		"NoProviderConfig": {reason: "A missing ProviderConfig is an error.", want: `cannot get ProviderConfig "default"`},
		"TrackError":       {reason: "A usage that cannot be tracked is an error.", pc: pc(), track: errors.New("boom"), want: "cannot track provider config usage: boom"},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			objs := []client.Object{secret}
			if tc.pc != nil {
				objs = append(objs, tc.pc)
			}
			c := &Configurer{kube: kube(objs...), tracker: nopTracker{err: tc.track}, cache: map[string]*Connection{}}
			mg := &fake.LegacyManaged{}
			mg.SetProviderConfigReference(&xpv2.Reference{Name: "default"})
			conn, err := c.Connect(context.Background(), mg)
			if tc.want != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
					t.Fatalf("%s\nConnect(...): error %v, want %q", tc.reason, err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nConnect(...): %v", tc.reason, err)
			}
			if conn.SubscriptionID != "sub" || conn.Credential == nil {
				t.Errorf("%s\nConnect(...): connection %+v", tc.reason, conn)
			}
			again, err := c.Connect(context.Background(), mg)
			if err != nil || again != conn {
				t.Errorf("%s\nConnect(...) again: a new connection (err %v), want the cached one: credentials must outlive a reconcile", tc.reason, err)
			}
		})
	}
}

func TestCacheKey(t *testing.T) {
	spec := v1beta1.ProviderConfigSpec{SubscriptionID: "sub", TenantID: "tenant"}
	a := cacheKey(spec, Credentials{ClientID: "id", ClientSecret: "one"}, nil)
	if b := cacheKey(spec, Credentials{ClientID: "id", ClientSecret: "two"}, nil); a == b {
		t.Error("cacheKey(...): a new client secret must make a new connection")
	}
	if strings.Contains(a, "one") {
		t.Error("cacheKey(...): the key holds the secret")
	}
}

// response returns an HTTP response with status, header and body.
func response(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewBufferString(body)), Request: &http.Request{Method: http.MethodGet}}
}

func TestWrap(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   string
	}{
		"Nil": {reason: "No error stays no error."},
		"ResourceManager": {
			reason: "A Resource Manager error reads as its code and message, without the request or IDs.",
			err: &azcore.ResponseError{StatusCode: http.StatusBadRequest, ErrorCode: "InvalidParameterValue", RawResponse: response(http.StatusBadRequest, nil, //nolint:bodyclose // An in-memory body of a test response.
				`{"error": {"code": "InvalidParameterValue", "message": "The storage size 33 GB is not supported."}}`)},
			want: "cannot create: InvalidParameterValue: The storage size 33 GB is not supported.",
		},
		"Throttled": {
			reason: "Throttling says how long Azure asked to wait.",
			err: &azcore.ResponseError{StatusCode: http.StatusTooManyRequests, ErrorCode: "TooManyRequests", RawResponse: response(http.StatusTooManyRequests, //nolint:bodyclose // An in-memory body of a test response.
				http.Header{"Retry-After": []string{"17"}}, `{"error": {"code": "TooManyRequests", "message": "Slow down."}}`)},
			want: "cannot create: TooManyRequests: Slow down. (retry after 17s)",
		},
		"NoBody": {
			reason: "An error without a body reads as its code, or its status.",
			err:    &azcore.ResponseError{StatusCode: http.StatusServiceUnavailable},
			want:   "cannot create: Service Unavailable",
		},
		"Other": {reason: "Other errors keep their text.", err: errors.New("dial tcp: refused"), want: "cannot create: dial tcp: refused"},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			got := ""
			if err := Wrap(tc.err, "cannot create"); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nWrap(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestWrapAuthentication(t *testing.T) {
	cred, err := azidentity.NewClientSecretCredential("tenant", "id", "s3cret", &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: "https://login.example/"},
			Transport: tokenFailure{},
		},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), policyTokenOptions())
	got := Wrap(err, "cannot get resource group").Error()
	if want := "cannot get resource group: cannot authenticate: invalid_client (HTTP 401)"; got != want {
		t.Errorf("Wrap(authentication error) = %q, want %q", got, want)
	}
	if strings.Contains(got, "s3cret") {
		t.Error("Wrap(authentication error) holds the client secret")
	}
}

func TestIsNotFoundAndIsCode(t *testing.T) {
	nf := &azcore.ResponseError{StatusCode: http.StatusNotFound, ErrorCode: "ResourceNotFound"}
	if !IsNotFound(Wrap(nf, "cannot get")) || IsNotFound(errors.New("404")) {
		t.Error("IsNotFound(...) must find Azure's 404 through wrapping, and only it")
	}
	if !IsCode(nf, "resourcenotfound") || IsCode(nf, "Conflict") {
		t.Error("IsCode(...) must match codes case-insensitively, and only those given")
	}
}

func TestRedacted(t *testing.T) {
	nf := &azcore.ResponseError{StatusCode: http.StatusBadRequest, ErrorCode: "Bad"}
	err := Redacted(Wrap(errors.New("password Pw-123 is weak"), "cannot create"), "Pw-123")
	if got := err.Error(); got != "cannot create: password [redacted] is weak" {
		t.Errorf("Redacted(...) = %q", got)
	}
	if got := Redacted(nf, ""); !errors.Is(got, nf) {
		t.Error("Redacted(...) with no secret must return the error itself")
	}
	if !IsCode(Redacted(Wrap(nf, "Bad x"), "x"), "Bad") {
		t.Error("Redacted(...) must keep the error it hides a secret of")
	}
}

func TestTags(t *testing.T) {
	mg := &fake.LegacyManaged{ObjectMeta: metav1.ObjectMeta{Name: "db", UID: types.UID("uid-1")}}
	stratus := map[string]string{TagName: "db", TagUID: "uid-1"}
	with := func(m map[string]string) map[string]string {
		out := maps.Clone(stratus)
		maps.Copy(out, m)
		return out
	}
	cases := map[string]struct {
		reason   string
		spec     map[string]string
		observed map[string]string
		want     map[string]string
		upToDate bool
	}{
		"SpecIsTheTruth": {
			reason:   "With spec tags, other tags go.",
			spec:     map[string]string{"team": "a"},
			observed: with(map[string]string{"team": "b", "other": "x"}),
			want:     with(map[string]string{"team": "a"}),
		},
		"NoSpecKeepsOthers": {
			reason:   "Without spec tags, tags set elsewhere stay and Stratus's are added.",
			observed: map[string]string{"other": "x"},
			want:     with(map[string]string{"other": "x"}),
		},
		"UpToDate": {
			reason:   "Tags as they should be are up to date.",
			spec:     map[string]string{"team": "a"},
			observed: with(map[string]string{"team": "a"}),
			want:     with(map[string]string{"team": "a"}),
			upToDate: true,
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ManagedTags(mg, tc.spec, tc.observed)); diff != "" {
				t.Errorf("%s\nManagedTags(...): -want, +got:\n%s", tc.reason, diff)
			}
			if got := TagsUpToDate(mg, tc.spec, tc.observed); got != tc.upToDate {
				t.Errorf("%s\nTagsUpToDate(...) = %v, want %v", tc.reason, got, tc.upToDate)
			}
		})
	}
	if got := UserTags(stratus); got != nil {
		t.Errorf("UserTags(only Stratus's) = %v, want nil", got)
	}
	if diff := cmp.Diff(map[string]string{"a": "b", "nil": ""}, FromPtrMap(map[string]*string{"a": new("b"), "nil": nil})); diff != "" {
		t.Errorf("FromPtrMap(...): -want, +got:\n%s", diff)
	}
}

func TestValues(t *testing.T) {
	if !SameSet([]string{"/A/b", "/c"}, []string{"/c", "/a/B", "/c"}) || SameSet([]string{"a"}, []string{"a", "b"}) {
		t.Error("SameSet(...) must compare sets, in any order and case")
	}
	if !SameLocation("West Europe", "westeurope") || SameLocation("eastus", "eastus2") {
		t.Error("SameLocation(...) must compare Azure's normalized forms")
	}
	if diff := cmp.Diff([]string{"a", "b"}, Strings([]*string{new("a"), nil, new("b")})); diff != "" {
		t.Errorf("Strings(...): -want, +got:\n%s", diff)
	}
	if Deref[int32](nil) != 0 || Deref(new("x")) != "x" {
		t.Error("Deref(...) must return the value, or the zero value")
	}
}

func TestGeneratePassword(t *testing.T) {
	for range 50 {
		pw, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != passwordLength || !strings.ContainsAny(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(pw, "abcdefghijklmnopqrstuvwxyz") || !strings.ContainsAny(pw, "0123456789") {
			t.Fatalf("GeneratePassword() = a password of %d characters that lacks a class Azure wants", len(pw))
		}
	}
	a := PasswordHash("uid", "a")
	if a == PasswordHash("uid", "b") || a != PasswordHash("uid", "a") || a == PasswordHash("other", "a") {
		t.Error("PasswordHash(...) must be stable, and differ by password and by resource")
	}
}

func TestEnsurePassword(t *testing.T) {
	sel := xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "pw"}, Key: "password"}
	owner := metav1.OwnerReference{APIVersion: "dbforpostgresql.azure.stratus.dev/v1beta1", Kind: "FlexibleServer", Name: "db", UID: "uid-1", Controller: new(true)}
	type want struct {
		pw     string
		writes []string
		// owners are the owner references of each written Secret.
		owners [][]metav1.OwnerReference
		err    string
	}
	cases := map[string]struct {
		reason   string
		secret   *corev1.Secret
		generate bool
		want     want
	}{
		"Exists": {
			reason: "A password in the Secret is used as it is.",
			secret: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pw"}, Data: map[string][]byte{"password": []byte("mine")}},
			want:   want{pw: "mine"},
		},
		"GenerateSecret": {
			reason:   "A missing Secret is created with a generated password, controlled by the owner so that it is deleted with it.",
			generate: true,
			want:     want{pw: "generated", writes: []string{"create ns/pw"}, owners: [][]metav1.OwnerReference{{owner}}},
		},
		"GenerateKey": {
			reason:   "A Secret without the key gets a generated password, conditional on what was read; the user's Secret keeps its owners.",
			secret:   &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pw"}},
			generate: true,
			want:     want{pw: "generated", writes: []string{"update ns/pw"}, owners: [][]metav1.OwnerReference{nil}},
		},
		"Missing": {
			reason: "Without generation a missing Secret is an error that says what to do.",
			want:   want{err: "password Secret ns/pw does not exist (set autoGeneratePassword to generate one)"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			got := want{}
			objs := []client.Object{}
			if tc.secret != nil {
				objs = append(objs, tc.secret)
			}
			k := kube(objs...)
			k.MockCreate = func(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
				got.writes = append(got.writes, "create "+obj.GetNamespace()+"/"+obj.GetName())
				got.owners = append(got.owners, obj.GetOwnerReferences())
				return nil
			}
			k.MockUpdate = func(_ context.Context, obj client.Object, _ ...client.UpdateOption) error {
				got.writes = append(got.writes, "update "+obj.GetNamespace()+"/"+obj.GetName())
				got.owners = append(got.owners, obj.GetOwnerReferences())
				return nil
			}
			pw, err := EnsurePassword(context.Background(), k, owner, sel, tc.generate, func() (string, error) { return "generated", nil })
			got.pw = pw
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nEnsurePassword(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetConditions(t *testing.T) {
	cases := map[string]struct {
		state string
		op    *Operation
		want  xpv2.Condition
	}{
		"Succeeded":      {state: StateSucceeded, want: xpv2.Available()},
		"Updating":       {state: StateUpdating, want: xpv2.Available()},
		"CreateInFlight": {state: StateUpdating, op: &Operation{Verb: VerbCreate}, want: xpv2.Creating()},
		"Deleting":       {state: StateDeleting, want: xpv2.Deleting()},
		"DeleteInFlight": {state: StateSucceeded, op: &Operation{Verb: VerbDelete}, want: xpv2.Deleting()},
		"Failed":         {state: StateFailed, want: xpv2.Unavailable().WithMessage("provisioning state is Failed")},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			mg := &fake.LegacyManaged{}
			SetConditions(mg, tc.state, tc.op)
			if diff := cmp.Diff(tc.want, mg.GetCondition(xpv2.TypeReady), cmpConditions()); diff != "" {
				t.Errorf("SetConditions(%q, ...): -want, +got:\n%s", tc.state, diff)
			}
		})
	}
}

// cmpConditions compares conditions without their transition times.
func cmpConditions() cmp.Option {
	return cmp.Comparer(func(a, b xpv2.Condition) bool { return a.Equal(b) })
}

func TestPollInterval(t *testing.T) {
	mg := &fake.LegacyManaged{}
	if got := PollInterval(mg, time.Minute); got != time.Minute {
		t.Errorf("PollInterval(at rest) = %s, want the poll interval", got)
	}
	setOperation(mg, &Operation{Verb: VerbCreate, Token: "t"})
	if got := PollInterval(mg, time.Minute); got != busyPollInterval {
		t.Errorf("PollInterval(operation in progress) = %s, want %s", got, busyPollInterval)
	}
	if got := PollInterval(mg, time.Second); got != time.Second {
		t.Errorf("PollInterval(operation in progress, short poll) = %s, want the poll interval", got)
	}
}
