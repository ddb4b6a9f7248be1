package clients

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"
)

// TestThrottlingIsRetried checks that a client built from a Config retries
// AWS throttling with backoff before the error reaches a reconcile.
func TestThrottlingIsRetried(t *testing.T) {
	cases := map[string]struct {
		reason    string
		throttles int32
		wantCalls int32
		wantErr   bool
	}{
		"RecoversAfterThrottling": {
			reason:    "Two throttled responses are retried and the third attempt succeeds.",
			throttles: 2,
			wantCalls: 3,
		},
		"GivesUpAfterThreeAttempts": {
			reason:    "Throttling that does not stop surfaces as an error after three attempts, for the reconcile to back off.",
			throttles: 100,
			wantCalls: 3,
			wantErr:   true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if calls.Add(1) <= tc.throttles {
					w.WriteHeader(http.StatusServiceUnavailable)
					_, _ = w.Write([]byte(`<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>`))
					return
				}
				_, _ = w.Write([]byte(`<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>`))
			}))
			defer srv.Close()
			cfg := aws.Config{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials:  aws.NewCredentialsCache(staticCredentials{AccessKeyID: "a", SecretAccessKey: "b"}),
				HTTPClient:   httpClient,
			}
			_, err := ec2.NewFromConfig(cfg).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
			if diff := cmp.Diff(tc.wantErr, err != nil); diff != "" {
				t.Errorf("%s\nDescribeVpcs(...) error %v: -want, +got:\n%s", tc.reason, err, diff)
			}
			if tc.wantErr && !IsCode(err, "RequestLimitExceeded") {
				t.Errorf("%s\nthe error should keep AWS's code: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.wantCalls, calls.Load()); diff != "" {
				t.Errorf("%s\ncalls: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
