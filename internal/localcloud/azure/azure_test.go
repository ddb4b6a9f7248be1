package azure

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
)

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testSub    = "00000000-1111-2222-3333-444444444444"
	testClient = "stratus-test"
	testSecret = "s3cret-value"
	testRegion = "westeurope"
)

// A harness is one Azure service on a TLS test server, with what the
// official clients need to reach it.
type harness struct {
	env  *cloud.Env
	svc  *Service
	srv  *httptest.Server
	cred azcore.TokenCredential
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return startHarness(t, cloudtest.NewEnv(t, "", cloudtest.FastDelays()), "")
}

// startHarness serves a new service over env, on addr when it is set (to
// come back where a stopped service was).
func startHarness(t *testing.T, env *cloud.Env, addr string) *harness {
	t.Helper()
	svc, err := New(env, Options{Clients: map[string]string{testClient: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{env: env, svc: svc}
	if addr == "" {
		h.srv = cloudtest.ServeTLS(t, svc)
	} else {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("cannot listen on %s again: %v", addr, err)
		}
		h.srv = httptest.NewUnstartedServer(svc.Handler())
		_ = h.srv.Listener.Close()
		h.srv.Listener = l
		h.srv.StartTLS()
		t.Cleanup(h.srv.Close)
		cloudtest.Tick(t, svc)
	}
	h.cred = h.credential(t, testClient, testSecret)
	return h
}

// cloudConfig points the SDK's Entra ID and ARM endpoints at the server.
func (h *harness) cloudConfig() azcloud.Configuration {
	return azcloud.Configuration{
		ActiveDirectoryAuthorityHost: h.srv.URL + "/",
		Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{
			azcloud.ResourceManager: {Endpoint: h.srv.URL, Audience: "https://management.azure.com"},
		},
	}
}

func (h *harness) credential(t *testing.T, id, secret string) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(testTenant, id, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: h.cloudConfig(), Transport: h.srv.Client()},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// options are the ARM client options of the tests: the test server's
// transport and quick retries.
func (h *harness) options() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud:     h.cloudConfig(),
		Transport: h.srv.Client(),
		Retry:     policy.RetryOptions{MaxRetries: 2, RetryDelay: 50 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond},
	}}
}

func (h *harness) groups(t *testing.T) *armresources.ResourceGroupsClient {
	t.Helper()
	c, err := armresources.NewResourceGroupsClient(testSub, h.cred, h.options())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (h *harness) createGroup(t *testing.T, name string) {
	t.Helper()
	if _, err := h.groups(t).CreateOrUpdate(context.Background(), name, armresources.ResourceGroup{Location: new(testRegion)}, nil); err != nil {
		t.Fatalf("CreateOrUpdate(%s): %v", name, err)
	}
}

// poll is how often tests poll; the server's Retry-After wins over it.
var poll = &runtime.PollUntilDoneOptions{Frequency: 100 * time.Millisecond}

// done waits for a poller to finish and fails the test if the operation
// failed.
func done[T any](t *testing.T, what string, p *runtime.Poller[T], err error) T {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := p.PollUntilDone(ctx, poll)
	if err != nil {
		t.Fatalf("%s: PollUntilDone: %v", what, err)
	}
	return res
}

// respErr returns the status code and error code of an ARM error.
func respErr(err error) (int, string) {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode, re.ErrorCode
	}
	return 0, ""
}

type code struct {
	Status int
	Code   string
}

func wantCode(t *testing.T, what string, err error, want code) {
	t.Helper()
	status, c := respErr(err)
	if diff := cmp.Diff(want, code{status, c}); diff != "" {
		t.Errorf("%s\nerror %v: -want, +got:\n%s", what, err, diff)
	}
}

// eventually polls fn until it says true or the time runs out.
func eventually(t *testing.T, what string, timeout time.Duration, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestName(t *testing.T) {
	svc := &Service{}
	if diff := cmp.Diff("azure", svc.Name()); diff != "" {
		t.Errorf("Name(): -want, +got:\n%s", diff)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()

	// A client with a wrong secret gets no token, as from Entra ID.
	bad, err := armresources.NewResourceGroupsClient(testSub, h.credential(t, testClient, "wrong"), h.options())
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Get(ctx, "rg", nil)
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || afe.RawResponse == nil {
		t.Fatalf("Get with a wrong secret: want AuthenticationFailedError with a response, got %v", err)
	}
	if diff := cmp.Diff(http.StatusUnauthorized, afe.RawResponse.StatusCode); diff != "" {
		t.Errorf("wrong secret: -want status, +got:\n%s", diff)
	}

	// An unknown client is refused too.
	unknown, err := armresources.NewResourceGroupsClient(testSub, h.credential(t, "someone-else", testSecret), h.options())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unknown.Get(ctx, "rg", nil); !errors.As(err, &afe) {
		t.Errorf("Get with an unknown client: want AuthenticationFailedError, got %v", err)
	}

	// A token the local cloud did not sign is refused by ARM.
	forged, err := armresources.NewResourceGroupsClient(testSub, staticToken("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"), h.options())
	if err != nil {
		t.Fatal(err)
	}
	_, err = forged.Get(ctx, "rg", nil)
	wantCode(t, "Get with a forged token", err, code{http.StatusUnauthorized, "InvalidAuthenticationToken"})

	// A request with no token at all (the SDK always sends one).
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+"/subscriptions/"+testSub+"/resourcegroups?api-version=2021-04-01", nil)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if diff := cmp.Diff(code{http.StatusUnauthorized, "AuthenticationFailed"}, code{resp.StatusCode, resp.Header.Get("x-ms-error-code")}); diff != "" {
		t.Errorf("request without a token: -want, +got:\n%s", diff)
	}

	// The right secret works.
	if _, err := h.groups(t).CreateOrUpdate(ctx, "rg", armresources.ResourceGroup{Location: new(testRegion)}, nil); err != nil {
		t.Errorf("CreateOrUpdate with the right secret: %v", err)
	}
}

// staticToken is a credential that hands out one fixed token.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestAnyClientWhenNoneConfigured(t *testing.T) {
	t.Parallel()
	env := cloudtest.NewEnv(t, "", cloudtest.FastDelays())
	svc, err := New(env, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{env: env, svc: svc, srv: cloudtest.ServeTLS(t, svc)}
	h.cred = h.credential(t, "any-client", "any-secret")
	if _, err := h.groups(t).CreateOrUpdate(context.Background(), "rg", armresources.ResourceGroup{Location: new(testRegion)}, nil); err != nil {
		t.Errorf("CreateOrUpdate: %v", err)
	}
}

// TestMalformedRequests sends what the SDK never sends: broken bodies,
// unknown paths and methods. Each gets an answer in the cloud's shape, never
// a server error.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.createGroup(t, "rg")
	tok, err := h.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	rg := "/subscriptions/" + testSub + "/resourceGroups/rg"
	const v = "?api-version=2025-01-01"
	cases := map[string]struct {
		method, path, body string
		want               code
	}{
		"BrokenJSON":          {http.MethodPut, "/subscriptions/" + testSub + "/resourcegroups/x" + v, "{", code{http.StatusBadRequest, "InvalidRequestContent"}},
		"EmptyBody":           {http.MethodPut, "/subscriptions/" + testSub + "/resourcegroups/x" + v, "", code{http.StatusBadRequest, "InvalidRequestContent"}},
		"WrongType":           {http.MethodPut, "/subscriptions/" + testSub + "/resourcegroups/x" + v, `{"location":5}`, code{http.StatusBadRequest, "InvalidRequestContent"}},
		"NoAPIVersion":        {http.MethodGet, rg, "", code{http.StatusBadRequest, "MissingApiVersionParameter"}},
		"UnknownPath":         {http.MethodGet, "/nothing/here" + v, "", code{http.StatusNotFound, "NotFound"}},
		"UnknownNamespace":    {http.MethodGet, rg + "/providers/Microsoft.Storage/storageAccounts/a" + v, "", code{http.StatusBadRequest, "InvalidResourceNamespace"}},
		"MySQL":               {http.MethodPut, rg + "/providers/Microsoft.DBforMySQL/flexibleServers/m" + v, `{"location":"westeurope"}`, code{http.StatusBadRequest, "InvalidResourceNamespace"}},
		"UnknownType":         {http.MethodGet, rg + "/providers/Microsoft.Network/loadBalancers/a" + v, "", code{http.StatusBadRequest, "InvalidResourceType"}},
		"UnknownAction":       {http.MethodPost, rg + "/providers/Microsoft.Compute/virtualMachines/a/capture" + v, "", code{http.StatusBadRequest, "InvalidResourceType"}},
		"MethodNotAllowed":    {http.MethodPost, "/subscriptions/" + testSub + "/resourcegroups" + v, "", code{http.StatusMethodNotAllowed, "MethodNotAllowed"}},
		"PutCollection":       {http.MethodPut, rg + "/providers/Microsoft.Network/virtualNetworks" + v, "{}", code{http.StatusMethodNotAllowed, "MethodNotAllowed"}},
		"NoAddressSpace":      {http.MethodPut, rg + "/providers/Microsoft.Network/virtualNetworks/v" + v, `{"location":"westeurope","properties":{"subnets":[null]}}`, code{http.StatusBadRequest, "InvalidAddressSpace"}},
		"NullIPConfig":        {http.MethodPut, rg + "/providers/Microsoft.Network/networkInterfaces/n" + v, `{"location":"westeurope","properties":{"ipConfigurations":[null]}}`, code{http.StatusBadRequest, "InvalidRequestFormat"}},
		"IPConfigNoSubnet":    {http.MethodPut, rg + "/providers/Microsoft.Network/networkInterfaces/n" + v, `{"location":"westeurope","properties":{"ipConfigurations":[{"name":"a"}]}}`, code{http.StatusBadRequest, "InvalidRequestFormat"}},
		"EmptyVM":             {http.MethodPut, rg + "/providers/Microsoft.Compute/virtualMachines/m" + v, `{"location":"westeurope"}`, code{http.StatusBadRequest, "InvalidParameter"}},
		"LinuxDiskWindowsOS":  {http.MethodPut, rg + "/providers/Microsoft.Compute/virtualMachines/m" + v, `{"location":"westeurope","properties":{"hardwareProfile":{"vmSize":"Standard_B1s"},"storageProfile":{"imageReference":{"publisher":"a","offer":"b","sku":"c"},"osDisk":{"osType":"Linux"}},"osProfile":{"adminUsername":"azureuser","windowsConfiguration":{}}}}`, code{http.StatusBadRequest, "InvalidParameter"}},
		"ServerNoProperties":  {http.MethodPut, rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/srv" + v, `{"location":"westeurope","properties":null}`, code{http.StatusBadRequest, "InvalidParameterValue"}},
		"ServerRestoreMode":   {http.MethodPut, rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/srv" + v, `{"location":"westeurope","properties":{"createMode":"PointInTimeRestore"}}`, code{http.StatusBadRequest, "InvalidParameterValue"}},
		"ServerBadName":       {http.MethodPut, rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/Bad_Name" + v, `{"location":"westeurope"}`, code{http.StatusBadRequest, "InvalidResourceName"}},
		"PatchMissingServer":  {http.MethodPatch, rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/srv" + v, `{"location":null}`, code{http.StatusNotFound, "ResourceNotFound"}},
		"RuleOfMissingServer": {http.MethodPut, rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/srv/firewallRules/r" + v, `{"properties":{"startIpAddress":"1.1.1.1","endIpAddress":"1.1.1.2"}}`, code{http.StatusNotFound, "ResourceNotFound"}},
		"DeleteMissingVNet":   {http.MethodDelete, rg + "/providers/Microsoft.Network/virtualNetworks/none" + v, "", code{http.StatusNoContent, ""}},
		"UnknownOperation":    {http.MethodGet, "/subscriptions/" + testSub + "/providers/Microsoft.Network/locations/westeurope/operationStatuses/nope" + v, "", code{http.StatusNotFound, "NotFound"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, tc.method, h.srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := h.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if diff := cmp.Diff(tc.want, code{resp.StatusCode, resp.Header.Get("x-ms-error-code")}); diff != "" {
				t.Errorf("%s %s: -want, +got:\n%s", tc.method, tc.path, diff)
			}
		})
	}

	// The token endpoint answers in Entra ID's shape.
	tokenCases := map[string]struct {
		form url.Values
		want int
		code string
	}{
		"PasswordGrant": {url.Values{"grant_type": {"password"}, "client_id": {testClient}}, http.StatusBadRequest, "unsupported_grant_type"},
		"NoScope":       {url.Values{"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}}, http.StatusBadRequest, "invalid_scope"},
		"NoClient":      {url.Values{"grant_type": {"client_credentials"}}, http.StatusBadRequest, "invalid_request"},
		"NoSecret":      {url.Values{"grant_type": {"client_credentials"}, "client_id": {testClient}}, http.StatusUnauthorized, "invalid_client"},
	}
	for name, tc := range tokenCases {
		t.Run(name, func(t *testing.T) {
			resp, err := h.srv.Client().PostForm(h.srv.URL+"/"+testTenant+"/oauth2/v2.0/token", tc.form)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			var body struct {
				Error string `json:"error"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if diff := cmp.Diff(code{tc.want, tc.code}, code{resp.StatusCode, body.Error}); diff != "" {
				t.Errorf("token %s: -want, +got:\n%s", name, diff)
			}
		})
	}
}
