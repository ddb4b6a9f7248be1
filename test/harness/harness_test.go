package harness

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	awsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	gcpv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
)

func TestMain(m *testing.M) { Main(m) }

func TestCRDsInstalled(t *testing.T) {
	env := Get(t)
	// Every Stratus CRD in cluster/crds (files are <group>_<plural>.yaml),
	// the provider ProviderConfigs among them.
	files, err := filepath.Glob(filepath.Join(env.Root, "cluster", "crds", "*stratus.dev_*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		group, plural, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".yaml"), "_")
		want = append(want, plural+"."+group)
	}
	if !slices.Contains(want, "providerconfigs.aws.stratus.dev") {
		t.Fatalf("cluster/crds lacks the AWS ProviderConfig: %v", want)
	}
	l := &extv1.CustomResourceDefinitionList{}
	if err := env.Client.List(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, crd := range l.Items {
		if !strings.HasSuffix(crd.Spec.Group, "stratus.dev") {
			continue
		}
		got = append(got, crd.Name)
		if ok, why := HasCondition(string(extv1.Established), "True")(&crd); !ok {
			t.Errorf("CRD %s is not established: %s", crd.Name, why)
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("installed Stratus CRDs: -want, +got:\n%s", diff)
	}
}

func TestProviderConfigRoundTrip(t *testing.T) {
	env := Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)

	pc := &awsv1beta1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "roundtrip-" + ns},
		Spec: awsv1beta1.ProviderConfigSpec{
			Credentials: awsv1beta1.ProviderCredentials{
				Source: xpv2.CredentialsSourceSecret,
				CommonCredentialSelectors: xpv2.CommonCredentialSelectors{SecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Name: "aws-creds", Namespace: ns},
					Key:             "credentials",
				}},
			},
			Region:   "us-east-1",
			Endpoint: &awsv1beta1.Endpoint{URL: "http://127.0.0.1:4566"},
		},
	}
	want := pc.Spec.DeepCopy()
	if err := env.Client.Create(ctx, pc); err != nil {
		t.Fatalf("Create(...): %v", err)
	}
	t.Cleanup(func() { _ = env.Client.Delete(ctx, pc) })

	got := &awsv1beta1.ProviderConfig{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(pc), got); err != nil {
		t.Fatalf("Get(...): %v", err)
	}
	if diff := cmp.Diff(*want, got.Spec); diff != "" {
		t.Errorf("spec read back: -want, +got:\n%s", diff)
	}

	// Status is a subresource: conditions and user counts set through the
	// generated method set survive a round trip through it.
	got.SetConditions(xpv2.Available())
	got.SetUsers(2)
	if err := env.Client.Status().Update(ctx, got); err != nil {
		t.Fatalf("Status().Update(...): %v", err)
	}
	env.WaitFor(t, got, 10*time.Second, HasCondition("Ready", "True"))
	if diff := cmp.Diff(int64(2), got.GetUsers()); diff != "" {
		t.Errorf("users read back: -want, +got:\n%s", diff)
	}

	if err := env.Client.Delete(ctx, got); err != nil {
		t.Fatalf("Delete(...): %v", err)
	}
	env.WaitForGone(t, got, 10*time.Second)
}

func TestProviderConfigValidation(t *testing.T) {
	env := Get(t)
	secret := xpv2.CommonCredentialSelectors{SecretRef: &xpv2.SecretKeySelector{
		SecretReference: xpv2.SecretReference{Name: "creds", Namespace: "default"}, Key: "key",
	}}
	cases := map[string]struct {
		reason  string
		obj     client.Object
		invalid bool
	}{
		"AWSValid": {
			reason: "A ProviderConfig with credentials and an http endpoint is accepted.",
			obj: &awsv1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "aws-valid"},
				Spec: awsv1beta1.ProviderConfigSpec{
					Credentials: awsv1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret},
					Endpoint:    &awsv1beta1.Endpoint{URL: "http://127.0.0.1:5000"},
				},
			},
		},
		"AWSEndpointNotHTTP": {
			reason: "An endpoint must be an http or https URL.",
			obj: &awsv1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "aws-ftp"},
				Spec: awsv1beta1.ProviderConfigSpec{
					Credentials: awsv1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret},
					Endpoint:    &awsv1beta1.Endpoint{URL: "ftp://127.0.0.1"},
				},
			},
			invalid: true,
		},
		"AWSUnknownSource": {
			reason: "Only the credential sources the provider supports are accepted.",
			obj: &awsv1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "aws-source"},
				Spec:       awsv1beta1.ProviderConfigSpec{Credentials: awsv1beta1.ProviderCredentials{Source: "Vault"}},
			},
			invalid: true,
		},
		"AWSBadRegion": {
			reason: "A region must look like an AWS region.",
			obj: &awsv1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "aws-region"},
				Spec: awsv1beta1.ProviderConfigSpec{
					Credentials: awsv1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret},
					Region:      "Mars North",
				},
			},
			invalid: true,
		},
		"GCPMissingProject": {
			reason: "A GCP ProviderConfig must name its project.",
			obj: &gcpv1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "gcp-noproject"},
				Spec:       gcpv1beta1.ProviderConfigSpec{Credentials: gcpv1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret}},
			},
			invalid: true,
		},
		"GCPValid": {
			reason: "A GCP ProviderConfig with a project and endpoints is accepted.",
			obj: &gcpv1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "gcp-valid"},
				Spec: gcpv1beta1.ProviderConfigSpec{
					ProjectID:   "stratus-dev",
					Credentials: gcpv1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret},
					Endpoints:   &gcpv1beta1.Endpoints{SQLAdmin: "http://127.0.0.1:9000/", Compute: "http://127.0.0.1:9000/compute/v1/"},
				},
			},
		},
		"AzureMissingTenant": {
			reason: "An Azure ProviderConfig must name its tenant.",
			obj: &azurev1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "azure-notenant"},
				Spec: azurev1beta1.ProviderConfigSpec{
					SubscriptionID: "00000000-0000-0000-0000-000000000000",
					Credentials:    azurev1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret},
				},
			},
			invalid: true,
		},
		"AzureValid": {
			reason: "An Azure ProviderConfig with subscription, tenant and endpoint is accepted.",
			obj: &azurev1beta1.ProviderConfig{
				ObjectMeta: metav1.ObjectMeta{Name: "azure-valid"},
				Spec: azurev1beta1.ProviderConfigSpec{
					SubscriptionID: "00000000-0000-0000-0000-000000000000",
					TenantID:       "11111111-1111-1111-1111-111111111111",
					Credentials:    azurev1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: secret},
					Endpoint:       &azurev1beta1.Endpoint{ResourceManager: "http://127.0.0.1:9001"},
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			err := env.Client.Create(ctx, tc.obj)
			if err == nil {
				t.Cleanup(func() { _ = env.Client.Delete(ctx, tc.obj) })
			}
			if diff := cmp.Diff(tc.invalid, kerrors.IsInvalid(err)); diff != "" {
				t.Errorf("%s\nCreate(...): -want invalid, +got invalid (error: %v):\n%s", tc.reason, err, diff)
			}
			if !tc.invalid && err != nil {
				t.Errorf("%s\nCreate(...): unexpected error: %v", tc.reason, err)
			}
		})
	}
}

func TestNamespace(t *testing.T) {
	env := Get(t)
	ctx := context.Background()
	ns := env.Namespace(t)
	if !strings.HasPrefix(ns, "testnamespace-") {
		t.Errorf("Namespace(t): want a name derived from the test name, got %q", ns)
	}
	got := &corev1.Namespace{}
	if err := env.Client.Get(ctx, client.ObjectKey{Name: ns}, got); err != nil {
		t.Fatalf("Get(namespace): %v", err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "probe"}, Data: map[string]string{"k": "v"}}
	if err := env.Client.Create(ctx, cm); err != nil {
		t.Fatalf("Create(configmap in test namespace): %v", err)
	}
}

func TestWaitExplainsTimeout(t *testing.T) {
	env := Get(t)
	ctx := context.Background()

	pc := &gcpv1beta1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "wait-explains"},
		Spec: gcpv1beta1.ProviderConfigSpec{
			ProjectID:   "explain-me",
			Credentials: gcpv1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceNone},
		},
	}
	if err := env.Client.Create(ctx, pc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Client.Delete(ctx, pc) })
	pc.SetConditions(xpv2.Unavailable().WithMessage("no credentials"))
	if err := env.Client.Status().Update(ctx, pc); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		reason string
		obj    client.Object
		check  Check
		want   []string
	}{
		"WrongStatus": {
			reason: "A condition with the wrong status is quoted with its reason and message, and the object is shown.",
			obj:    &gcpv1beta1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "wait-explains"}},
			check:  HasCondition("Ready", "True"),
			want: []string{
				"gave up waiting for ProviderConfig wait-explains: condition Ready is False, want True (reason Unavailable: no credentials)",
				"last seen:",
				"projectID: explain-me",
			},
		},
		"NoCondition": {
			reason: "A missing condition is named.",
			obj:    &gcpv1beta1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "wait-explains"}},
			check:  HasCondition("Synced", "True"),
			want:   []string{"it has no Synced condition yet"},
		},
		"Missing": {
			reason: "An object that does not exist is reported as such.",
			obj:    &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "never-created"}},
			check:  func(client.Object) (bool, string) { return true, "" },
			want:   []string{"gave up waiting for ConfigMap default/never-created: it does not exist"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			err := Wait(ctx, env.Client, tc.obj, tc.check)
			if err == nil {
				t.Fatalf("%s\nWait(...): want a timeout error, got none", tc.reason)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s\nWait(...): error should contain %q, got:\n%s", tc.reason, w, err)
				}
			}
		})
	}
}

func TestMotoResetsBetweenTests(t *testing.T) {
	m := MotoFor(t)
	before := countVPCs(t, m)
	if err := ec2Call(m, url.Values{"Action": {"CreateVpc"}, "CidrBlock": {"10.42.0.0/16"}}); err != nil {
		t.Fatal(err)
	}
	if got := countVPCs(t, m); got != before+1 {
		t.Fatalf("after CreateVpc: want %d VPCs, got %d", before+1, got)
	}
	// A later test calling MotoFor starts from moto's initial state.
	m = MotoFor(t)
	if got := countVPCs(t, m); got != before {
		t.Errorf("after reset: want %d VPCs (moto's defaults), got %d", before, got)
	}
}

// ec2Call makes an EC2 Query API call. moto reads the service and region
// from the Authorization header and, by default, does not check signatures.
func ec2Call(m *Moto, v url.Values) error {
	_, err := ec2Body(m, v)
	return err
}

func ec2Body(m *Moto, v url.Values) (string, error) {
	v.Set("Version", "2016-11-15")
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, m.Endpoint+"/", strings.NewReader(v.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", &httpError{code: resp.StatusCode, body: string(b)}
	}
	return string(b), nil
}

type httpError struct {
	code int
	body string
}

func (e *httpError) Error() string { return http.StatusText(e.code) + ": " + e.body }

func countVPCs(t *testing.T, m *Moto) int {
	t.Helper()
	body, err := ec2Body(m, url.Values{"Action": {"DescribeVpcs"}})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(body, "<vpcId>")
}
