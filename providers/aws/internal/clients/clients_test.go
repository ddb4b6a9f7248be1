package clients

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
)

func TestParseCredentials(t *testing.T) {
	type want struct {
		creds aws.Credentials
		err   string
	}
	cases := map[string]struct {
		reason string
		data   string
		want   want
	}{
		"Default": {
			reason: "The [default] profile's keys are read; other profiles, comments and spacing are ignored.",
			data:   "# comment\n[other]\naws_access_key_id = X\n\n[default]\n aws_access_key_id=AKID \naws_secret_access_key = SECRET\naws_session_token = TOKEN\n",
			want:   want{creds: aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Source: "StratusProviderConfig"}},
		},
		"NoDefault": {
			reason: "Credentials without a [default] profile are refused with a message that says what is wanted.",
			data:   "[prod]\naws_access_key_id = A\naws_secret_access_key = B\n",
			want:   want{err: "want a [default] profile with aws_access_key_id and aws_secret_access_key"},
		},
		"MalformedLineNotQuoted": {
			reason: "A malformed line is reported without quoting it, since it may hold a secret.",
			data:   "[default]\nsupersecretvalue\n",
			want:   want{err: "a line of the [default] profile is not key = value"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			creds, err := ParseCredentials([]byte(tc.data))
			got := want{creds: creds}
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nParseCredentials(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	apiErr := &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "Invalid DB instance class: db.nope"}
	cases := map[string]struct {
		reason string
		err    error
		want   string
		isCode bool
	}{
		"APIError": {
			reason: "An AWS API error reads context: code: message, with no request ID, and keeps its code.",
			err:    errors.Wrap(apiErr, "operation error RDS: CreateDBInstance, https response error StatusCode: 400, RequestID: 1234"),
			want:   "cannot create RDS instance: InvalidParameterValue: Invalid DB instance class: db.nope",
			isCode: true,
		},
		"OtherError": {
			reason: "Any other error reads context: error.",
			err:    errors.New("connection refused"),
			want:   "cannot create RDS instance: connection refused",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Wrap(tc.err, "cannot create RDS instance")
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("%s\nWrap(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.isCode, IsCode(err, "Throttling", "InvalidParameterValue")); diff != "" {
				t.Errorf("%s\nIsCode(Wrap(...)): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if Wrap(nil, "context") != nil {
		t.Error("Wrap(nil) should be nil")
	}
}

func TestDiffTags(t *testing.T) {
	type want struct {
		set    map[string]string
		remove []string
	}
	cases := map[string]struct {
		reason            string
		desired, observed map[string]string
		want              want
	}{
		"InSync": {
			reason:   "Equal tags need no call.",
			desired:  map[string]string{"a": "1"},
			observed: map[string]string{"a": "1", "aws:cloudformation:stack": "x"},
			want:     want{set: map[string]string{}},
		},
		"Changes": {
			reason:   "Changed and new tags are set, tags no longer wanted removed; aws:* tags are never touched.",
			desired:  map[string]string{"a": "2", "b": "1"},
			observed: map[string]string{"a": "1", "c": "1", "z": "9", "aws:x": "y"},
			want:     want{set: map[string]string{"a": "2", "b": "1"}, remove: []string{"c", "z"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			set, remove := DiffTags(tc.desired, tc.observed)
			if diff := cmp.Diff(tc.want, want{set: set, remove: remove}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDiffTags(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUserAndDesiredTags(t *testing.T) {
	mg := &fake.LegacyManaged{}
	mg.SetName("db")
	mg.SetUID(types.UID("uid-1"))
	desired := DesiredTags(mg, map[string]string{"team": "a"})
	if diff := cmp.Diff(map[string]string{"team": "a", TagName: "db", TagUID: "uid-1"}, desired); diff != "" {
		t.Errorf("DesiredTags(...): -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"team": "a"}, UserTags(map[string]string{"team": "a", TagName: "db", TagUID: "uid-1", "aws:x": "y"})); diff != "" {
		t.Errorf("UserTags(...): -want, +got:\n%s", diff)
	}
	observed := map[string]string{"team": "b", "owner": "init", TagUID: "uid-1"}
	if diff := cmp.Diff(map[string]string{"team": "b", "owner": "init", TagName: "db", TagUID: "uid-1"}, ManagedTags(mg, nil, observed)); diff != "" {
		t.Errorf("ManagedTags(nil spec) should keep the tags the resource has: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"team": "a", TagName: "db", TagUID: "uid-1"}, ManagedTags(mg, map[string]string{"team": "a"}, observed)); diff != "" {
		t.Errorf("ManagedTags(spec) should be the spec's tags: -want, +got:\n%s", diff)
	}
	if got := UserTags(map[string]string{TagUID: "uid-1"}); got != nil {
		t.Errorf("UserTags of only Stratus tags: want nil, got %v", got)
	}
}

func TestConfig(t *testing.T) {
	secret := "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n"
	pc := func(region string, endpoint *v1beta1.Endpoint) test.MockGetFn {
		return func(_ context.Context, key client.ObjectKey, obj client.Object) error {
			switch o := obj.(type) {
			case *v1beta1.ProviderConfig:
				o.Spec = v1beta1.ProviderConfigSpec{
					Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: xpv2.CommonCredentialSelectors{
						SecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: "creds"}, Key: "credentials"},
					}},
					Region:   region,
					Endpoint: endpoint,
				}
			case *corev1.Secret:
				o.Data = map[string][]byte{"credentials": []byte(secret)}
			default:
				return errors.Errorf("unexpected get of %T %s", obj, key)
			}
			return nil
		}
	}
	type want struct {
		region, endpoint, key string
		err                   string
	}
	cases := map[string]struct {
		reason string
		get    test.MockGetFn
		region string
		want   want
	}{
		"ProviderConfigDefaults": {
			reason: "The ProviderConfig's region and endpoint apply when the resource names no region.",
			get:    pc("eu-west-1", &v1beta1.Endpoint{URL: "http://127.0.0.1:5000"}),
			want:   want{region: "eu-west-1", endpoint: "http://127.0.0.1:5000", key: "AKID"},
		},
		"ResourceRegion": {
			reason: "A resource's own region wins over the ProviderConfig's.",
			get:    pc("eu-west-1", nil),
			region: "us-east-1",
			want:   want{region: "us-east-1", key: "AKID"},
		},
		"NoRegion": {
			reason: "With no region anywhere the error says where to set one.",
			get:    pc("", nil),
			want:   want{err: `no region: set spec.forProvider.region, or spec.region of ProviderConfig "default"`},
		},
		"NoProviderConfig": {
			reason: "A missing ProviderConfig is named in the error.",
			get:    test.NewMockGetFn(errors.New("not found")),
			want:   want{err: `cannot get ProviderConfig "default": not found`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &Configurer{
				kube:    &test.MockClient{MockGet: tc.get},
				tracker: resource.LegacyTrackerFn(func(context.Context, resource.LegacyManaged) error { return nil }), //nolint:staticcheck // Cluster-scoped managed resources are LegacyManaged.
			}
			mg := &fake.LegacyManaged{}
			mg.SetProviderConfigReference(&xpv2.Reference{Name: "default"})
			cfg, err := c.Config(context.Background(), mg, tc.region)
			got := want{}
			if err != nil {
				got.err = err.Error()
			} else {
				got.region = cfg.Region
				got.endpoint = aws.ToString(cfg.BaseEndpoint)
				creds, cerr := cfg.Credentials.Retrieve(context.Background())
				if cerr != nil {
					t.Fatal(cerr)
				}
				got.key = creds.AccessKeyID
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nConfig(...): -want, +got:\n%s", tc.reason, diff)
			}
			if strings.Contains(got.err, "SECRET") {
				t.Errorf("an error quotes the secret key: %s", got.err)
			}
		})
	}
}
