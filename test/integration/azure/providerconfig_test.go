package azure

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud/fault"
	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// TestProviderConfigInUseIsKept checks usage tracking: a ProviderConfig
// that a managed resource uses survives its deletion until the resource is
// gone, and then goes.
func TestProviderConfigInUseIsKept(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))

	pc := &v1beta1.ProviderConfig{}
	f.env.WaitFor(t, &v1beta1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig}}, timeout, func(o client.Object) (bool, string) {
		pc = o.(*v1beta1.ProviderConfig)
		if pc.Status.Users != 1 {
			return false, fmt.Sprintf("status.users is %d, want 1", pc.Status.Users)
		}
		return true, ""
	})
	usage := &v1beta1.ProviderConfigUsage{}
	if err := f.env.Client.Get(ctx, client.ObjectKey{Name: string(rg.GetUID())}, usage); err != nil {
		t.Fatalf("no ProviderConfigUsage for the resource group: %v", err)
	}

	if err := f.env.Client.Delete(ctx, pc); err != nil {
		t.Fatal(err)
	}
	// Give the ProviderConfig controller time to act on the deletion.
	time.Sleep(2 * time.Second)
	if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(pc), pc); err != nil {
		t.Fatalf("the ProviderConfig in use was deleted: %v", err)
	}

	f.deleteAndWait(t, rg)
	f.env.WaitForGone(t, usage, timeout)
	f.env.WaitForGone(t, pc, timeout)
}

// TestProviderConfigCredentials checks how the provider authenticates: with
// a client secret the local cloud does not accept, resources report the
// authentication error (not the secret); once the Secret holds the right
// one, they become Ready. The CA bundle comes from a Secret here.
func TestProviderConfigCredentials(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	const wrong = "wrong-Secret-0"
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "other-creds"},
		StringData: map[string]string{"credentials": fmt.Sprintf(`{"clientId": %q, "clientSecret": %q}`, clientID, wrong)},
	}
	ca := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "ca"}, StringData: map[string]string{"ca.pem": f.Calls.CA}}
	for _, s := range []*corev1.Secret{creds, ca} {
		if err := f.env.Client.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// The provider adds its finalizer to the ProviderConfig concurrently, so
	// the update retries on conflict.
	pc := &v1beta1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig}}
	f.update(t, pc, func() {
		pc.Spec.Credentials.SecretRef.Name = creds.Name
		pc.Spec.TLS = &v1beta1.TLS{CABundleSecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: ca.Name}, Key: "ca.pem"}}
	})

	rg := f.newResourceGroup(f.name("rg"))
	f.create(t, rg)
	f.env.WaitFor(t, rg, timeout, func(client.Object) (bool, string) {
		c := rg.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "cannot authenticate: invalid_client") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	for _, c := range rg.Status.Conditions {
		if strings.Contains(c.Message, wrong) {
			t.Errorf("condition %s holds the client secret", c.Type)
		}
	}
	f.update(t, creds, func() {
		creds.Data["credentials"] = fmt.Appendf(nil, `{"clientId": %q, "clientSecret": %q}`, clientID, clientSecret)
	})
	f.ready(t, rg)
}

// TestThrottling makes the local cloud refuse every Resource Manager call
// with 429 and Retry-After: the resource reports the throttling and backs
// off; once the throttling stops, it converges.
func TestThrottling(t *testing.T) {
	f := setUp(t)
	if err := f.lc.Env().Faults.Set("arm", fault.Config{Throttle: 1}); err != nil {
		t.Fatal(err)
	}
	rg := f.newResourceGroup(f.name("rg"))
	f.create(t, rg)
	f.env.WaitFor(t, rg, timeout, func(client.Object) (bool, string) {
		c := rg.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "TooManyRequests") || !strings.Contains(c.Message, "retry after") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	// Backing off, the provider makes few calls: the SDK retries a
	// throttled call twice within a reconcile, and reconciles back off
	// exponentially.
	before := f.Calls.Count("GET", "/resourcegroups/"+rg.Name)
	time.Sleep(5 * time.Second)
	if n := f.Calls.Count("GET", "/resourcegroups/"+rg.Name) - before; n > 12 {
		t.Errorf("%d reads of a throttled resource group in 5 s: the provider does not back off", n)
	}
	f.lc.Env().Faults.Reset()
	f.ready(t, rg)
}
