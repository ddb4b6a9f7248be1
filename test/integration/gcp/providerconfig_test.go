package gcp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
)

// TestProviderConfigInUseIsKept checks usage tracking: a ProviderConfig
// that a managed resource uses survives its deletion until the resource is
// gone, and then goes.
func TestProviderConfigInUseIsKept(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	ctx := context.Background()
	n := f.newNetwork(f.ns + "-net")
	f.create(t, n)
	f.ready(t, n)

	pc := &v1beta1.ProviderConfig{}
	f.env.WaitFor(t, &v1beta1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig}}, timeout, func(o client.Object) (bool, string) {
		pc = o.(*v1beta1.ProviderConfig)
		if pc.Status.Users != 1 {
			return false, fmt.Sprintf("status.users is %d, want 1", pc.Status.Users)
		}
		return true, ""
	})
	usage := &v1beta1.ProviderConfigUsage{}
	if err := f.env.Client.Get(ctx, client.ObjectKey{Name: string(n.GetUID())}, usage); err != nil {
		t.Fatalf("no ProviderConfigUsage for the network: %v", err)
	}

	if err := f.env.Client.Delete(ctx, pc); err != nil {
		t.Fatal(err)
	}
	// Give the ProviderConfig controller time to act on the deletion.
	time.Sleep(2 * time.Second)
	if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(pc), pc); err != nil {
		t.Fatalf("the ProviderConfig in use was deleted: %v", err)
	}

	f.deleteAndWait(t, n)
	f.env.WaitForGone(t, usage, timeout)
	f.env.WaitForGone(t, pc, timeout)
}

// serviceAccountKey returns a service account's JSON key, with a fresh RSA
// key, whose token_uri is the local cloud's token endpoint.
func serviceAccountKey(t *testing.T, tokenURI string) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     project,
		"private_key_id": "0123456789abcdef",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(k))})),
		"client_email":   "stratus@" + project + ".iam.gserviceaccount.com",
		"client_id":      "1234567890",
		"token_uri":      tokenURI,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestServiceAccountCredentials points a ProviderConfig whose credentials
// are a service account key in a Secret at a local cloud that refuses
// calls without a token: the provider gets tokens at the key's token_uri
// and manages a network. A ProviderConfig whose Secret holds no key
// reports that on the resource, without quoting the Secret.
func TestServiceAccountCredentials(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	ctx := context.Background()
	lc := startLocalCloud(t, true, nil)
	endpoint := lc.Endpoints().GCP

	key := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "gcp-key"},
		Data: map[string][]byte{
			"key.json": serviceAccountKey(t, endpoint+"/token"),
			"bad.json": []byte(`{"type": "authorized_user", "refresh_token": "secret-refresh-token"}`),
		},
	}
	if err := f.env.Client.Create(ctx, key); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"key.json", "bad.json"} {
		pc := &v1beta1.ProviderConfig{
			ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-" + strings.TrimSuffix(name, ".json")},
			Spec: v1beta1.ProviderConfigSpec{
				ProjectID: project,
				Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: xpv2.CommonCredentialSelectors{
					SecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: key.Name}, Key: name},
				}},
				Endpoints: &v1beta1.Endpoints{SQLAdmin: endpoint, Compute: endpoint},
			},
		}
		if err := f.env.Client.Create(ctx, pc); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.env.Client.Delete(context.Background(), pc) })
	}

	n := f.newNetwork(f.ns + "-net")
	n.Spec.ProviderConfigReference = &xpv2.Reference{Name: f.ns + "-key"}
	f.create(t, n)
	f.ready(t, n)

	bad := f.newNetwork(f.ns + "-bad")
	bad.Spec.ProviderConfigReference = &xpv2.Reference{Name: f.ns + "-bad"}
	f.create(t, bad)
	f.env.WaitFor(t, bad, timeout, func(client.Object) (bool, string) {
		c := bad.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "want a service account key") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		if strings.Contains(c.Message, "secret-refresh-token") {
			return false, "the condition quotes the credentials"
		}
		return true, ""
	})
}
