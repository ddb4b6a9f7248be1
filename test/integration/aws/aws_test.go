// Package aws tests the AWS provider's controllers on the local control plane
// against a real moto server.
package aws

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/controller"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// Region every test uses.
const region = "us-east-1"

// timeout bounds each wait for a resource to converge.
const timeout = 60 * time.Second

// A fixture is one test's moto server, provider and ProviderConfig.
type fixture struct {
	env  *harness.Env
	moto *harness.Moto
	ns   string

	// ProviderConfig is the name of the test's ProviderConfig.
	ProviderConfig string

	// Calls counts the AWS API calls the provider makes, by action.
	Calls *callCounter

	// Writes counts the provider's writes to the API server.
	Writes *harness.WriteCounter
}

// setUp resets moto, starts the AWS provider's controllers and creates a
// ProviderConfig pointing at moto. The provider stops when the test ends.
func setUp(t *testing.T) *fixture {
	t.Helper()
	env := harness.Get(t)
	f := &fixture{env: env, moto: harness.MotoFor(t), ns: env.Namespace(t), Writes: &harness.WriteCounter{}}
	f.ProviderConfig = f.ns
	f.Calls = newCallCounter(t, f.moto.Endpoint)

	ctx := context.Background()
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "aws-creds"},
		StringData: map[string]string{"credentials": "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"},
	}
	if err := env.Client.Create(ctx, creds); err != nil {
		t.Fatal(err)
	}
	pc := &v1beta1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: f.ProviderConfig},
		Spec: v1beta1.ProviderConfigSpec{
			Credentials: v1beta1.ProviderCredentials{
				Source: xpv2.CredentialsSourceSecret,
				CommonCredentialSelectors: xpv2.CommonCredentialSelectors{SecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: creds.Name}, Key: "credentials",
				}},
			},
			Region: region,
			// The provider reaches moto through a proxy that counts
			// its calls.
			Endpoint: &v1beta1.Endpoint{URL: f.Calls.URL},
		},
	}
	if err := env.Client.Create(ctx, pc); err != nil {
		t.Fatal(err)
	}
	startProvider(t, env, f.Writes.Wrap(env.Config))
	t.Cleanup(func() {
		// Usages go with their resources, so the ProviderConfig's
		// finalizer is gone once the test's resources are.
		_ = env.Client.Delete(context.Background(), pc)
	})
	return f
}

// startProvider runs the AWS provider's controllers in-process, reaching the
// API server with cfg, until the test ends.
func startProvider(t *testing.T, env *harness.Env, cfg *rest.Config) {
	t.Helper()
	mgr, co, err := provider.NewManager(cfg, env.Scheme, provider.Options{
		Name:                   "provider-aws",
		MetricsBindAddress:     "0",
		HealthProbeBindAddress: "0",
		PollInterval:           2 * time.Second,
		MaxReconcileRate:       50,
		// moto is consistent at once: a resource it does not list
		// after a create is gone, not late.
		CreationGracePeriod: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := controller.Setup(mgr, co); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("provider stopped with an error: %v", err)
		}
	})
}

// ref returns a reference to the test's ProviderConfig.
func (f *fixture) ref() *xpv2.Reference { return &xpv2.Reference{Name: f.ProviderConfig} }

// awsConfig returns an SDK configuration that reaches moto directly, to
// check what the provider did.
func (f *fixture) awsConfig() aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(f.moto.Endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	}
}

// EC2 returns an EC2 client of moto.
func (f *fixture) EC2() *ec2.Client { return ec2.NewFromConfig(f.awsConfig()) }

// RDS returns an RDS client of moto.
func (f *fixture) RDS() *rds.Client { return rds.NewFromConfig(f.awsConfig()) }

// create creates obj and deletes it (waiting until it is gone) when the test
// ends, unless the test deleted it already.
func (f *fixture) create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := f.env.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("cannot create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() {
		if err := f.env.Client.Delete(context.Background(), obj); client.IgnoreNotFound(err) != nil {
			t.Errorf("cannot delete %s: %v", obj.GetName(), err)
			return
		}
		f.env.WaitForGone(t, obj, timeout)
	})
}

// ready waits until obj is Ready and Synced.
func (f *fixture) ready(t *testing.T, obj client.Object) {
	t.Helper()
	f.env.WaitFor(t, obj, timeout, harness.HasCondition("Synced", "True"))
	f.env.WaitFor(t, obj, timeout, harness.HasCondition("Ready", "True"))
}

// deleteAndWait deletes obj and waits until it is gone.
func (f *fixture) deleteAndWait(t *testing.T, obj client.Object) {
	t.Helper()
	if err := f.env.Client.Delete(context.Background(), obj); err != nil {
		t.Fatalf("cannot delete %s: %v", obj.GetName(), err)
	}
	f.env.WaitForGone(t, obj, timeout)
}

// eventually polls fn until it returns nil or the timeout passes.
func eventually(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = fn(); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, fmt.Errorf("gave up after %s: %w", timeout, err))
}
