package aws

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/stratus-dev/stratus/internal/localcloud/cloud"
	"github.com/stratus-dev/stratus/internal/localcloud/cloud/cloudtest"
)

// testRegion is the region the tests' clients sign for.
const testRegion = "us-east-1"

// A fixture is a served AWS service and SDK clients pointed at it.
type fixture struct {
	env *cloud.Env
	svc *Service
	url string
	rds *rds.Client
	ec2 *ec2.Client
}

// newFixture serves a fresh service (or one over dir) with fast delays.
func newFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	env := cloudtest.NewEnv(t, dir, cloudtest.FastDelays())
	svc, err := New(env, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := cloudtest.Serve(t, svc)
	cfg := sdkConfig(srv.URL, "test", "test")
	return &fixture{env: env, svc: svc, url: srv.URL, rds: rds.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg)}
}

// sdkConfig is a client configuration for the endpoint, with static keys
// and no retries, so that errors show at once.
func sdkConfig(url, key, secret string) awssdk.Config {
	return awssdk.Config{
		Region:       testRegion,
		Credentials:  staticCredentials(key, secret),
		BaseEndpoint: awssdk.String(url),
		Retryer:      func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}
}

// code returns the API error code of err, "" when it is none.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

// ctx returns a context that ends with the test or after a minute.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls fn every 20ms until it says done or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done after %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// staticCredentials provides fixed access keys.
func staticCredentials(key, secret string) awssdk.CredentialsProvider {
	return awssdk.CredentialsProviderFunc(func(context.Context) (awssdk.Credentials, error) {
		return awssdk.Credentials{AccessKeyID: key, SecretAccessKey: secret, Source: "test"}, nil
	})
}
