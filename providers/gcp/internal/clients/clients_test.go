package clients

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
)

// key is a service account key as far as the provider checks one; the
// private key is never parsed before a token is needed.
const key = `{"type":"service_account","client_email":"sa@p.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n","token_uri":"http://127.0.0.1:4567/token"}`

// kube returns an API server client that holds a ProviderConfig of spec
// and the Secret team-a/gcp with data.
func kube(spec v1beta1.ProviderConfigSpec, data map[string]string) *test.MockClient {
	return &test.MockClient{MockGet: func(_ context.Context, k client.ObjectKey, obj client.Object) error {
		switch o := obj.(type) {
		case *v1beta1.ProviderConfig:
			if k.Name != "default" {
				return errors.New("not found")
			}
			o.Spec = spec
		case *corev1.Secret:
			o.Data = map[string][]byte{}
			for k, v := range data {
				o.Data[k] = []byte(v)
			}
		default:
			return errors.Errorf("unexpected get of %T", obj)
		}
		return nil
	}}
}

// secretSpec is a ProviderConfig whose credentials are in key key.json of
// the Secret team-a/gcp.
func secretSpec(endpoints *v1beta1.Endpoints) v1beta1.ProviderConfigSpec {
	return v1beta1.ProviderConfigSpec{
		ProjectID: "my-project",
		Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceSecret, CommonCredentialSelectors: xpv2.CommonCredentialSelectors{
			SecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "team-a", Name: "gcp"}, Key: "key.json"},
		}},
		Endpoints: endpoints,
	}
}

func managedResource() *fake.LegacyManaged {
	mg := &fake.LegacyManaged{}
	mg.SetProviderConfigReference(&xpv2.Reference{Name: "default"})
	return mg
}

func TestConfig(t *testing.T) {
	type want struct {
		cfg     Config
		err     string
		tracked bool
	}
	cases := map[string]struct {
		reason string
		kube   *test.MockClient
		want   want
	}{
		"ServiceAccountKey": {
			reason: "A Secret that holds a service account key gives the project, the key and the endpoints.",
			kube:   kube(secretSpec(&v1beta1.Endpoints{SQLAdmin: "http://127.0.0.1:4567", Compute: "http://127.0.0.1:4567"}), map[string]string{"key.json": key}),
			want: want{
				cfg:     Config{Project: "my-project", Source: xpv2.CredentialsSourceSecret, Credentials: []byte(key), SQLAdmin: "http://127.0.0.1:4567", Compute: "http://127.0.0.1:4567"},
				tracked: true,
			},
		},
		"NotAKey": {
			reason: "A Secret that does not hold a service account key is refused without quoting it.",
			kube:   kube(secretSpec(nil), map[string]string{"key.json": `{"type":"authorized_user","refresh_token":"very-secret"}`}),
			want:   want{err: `cannot use the credentials of ProviderConfig "default": want a service account key: JSON with type service_account, client_email and private_key`, tracked: true},
		},
		"NotJSON": {
			reason: "Credentials that are not JSON are refused without quoting them.",
			kube:   kube(secretSpec(nil), map[string]string{"key.json": "very-secret"}),
			want:   want{err: `cannot use the credentials of ProviderConfig "default": the credentials are not JSON: want a service account key`, tracked: true},
		},
		"None": {
			reason: "Source None reads no credentials.",
			kube:   kube(v1beta1.ProviderConfigSpec{ProjectID: "p", Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceNone}}, nil),
			want:   want{cfg: Config{Project: "p", Source: xpv2.CredentialsSourceNone}, tracked: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tracked := false
			c := &Configurer{kube: tc.kube, tracker: resource.LegacyTrackerFn(func(context.Context, resource.LegacyManaged) error { tracked = true; return nil })} //nolint:staticcheck // Cluster-scoped managed resources are LegacyManaged.
			cfg, err := c.Config(context.Background(), managedResource())
			got := want{cfg: cfg, tracked: tracked}
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nConfig(...): -want, +got:\n%s", tc.reason, diff)
			}
			if strings.Contains(got.err, "secret") {
				t.Errorf("%s\nConfig(...): the error quotes the credentials: %s", tc.reason, got.err)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	cases := map[string]struct {
		reason string
		cfg    Config
		want   string
	}{
		"NoneNeedsEndpoints": {
			reason: "No authentication is for local endpoints: Google's APIs need credentials.",
			cfg:    Config{Project: "p", Source: xpv2.CredentialsSourceNone},
			want:   "credentials source None needs spec.endpoints: Google's APIs need credentials",
		},
		"NoneWithEndpoint": {
			reason: "No authentication with a local endpoint is fine.",
			cfg:    Config{Project: "p", Source: xpv2.CredentialsSourceNone, SQLAdmin: "http://127.0.0.1:4567"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tc.cfg.Options(APISQLAdmin)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nOptions(...): -want error, +got error:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	sql := map[string]string{
		"http://127.0.0.1:4567":            "http://127.0.0.1:4567/",
		"http://127.0.0.1:4567/":           "http://127.0.0.1:4567/",
		"http://127.0.0.1:4567/v1/":        "http://127.0.0.1:4567/",
		"https://sqladmin.googleapis.com/": "https://sqladmin.googleapis.com/",
	}
	for in, want := range sql {
		if got := sqlEndpoint(in); got != want {
			t.Errorf("sqlEndpoint(%q) = %q, want %q: the client appends v1/projects/...", in, got, want)
		}
	}
	compute := map[string]string{
		"http://127.0.0.1:4567":             "http://127.0.0.1:4567",
		"http://127.0.0.1:4567/":            "http://127.0.0.1:4567",
		"http://127.0.0.1:4567/compute/v1/": "http://127.0.0.1:4567",
	}
	for in, want := range compute {
		if got := computeEndpoint(in); got != want {
			t.Errorf("computeEndpoint(%q) = %q, want %q: the clients append /compute/v1/projects/...", in, got, want)
		}
	}
}

func TestConfigurerSharesClients(t *testing.T) {
	spec := v1beta1.ProviderConfigSpec{ProjectID: "p", Credentials: v1beta1.ProviderCredentials{Source: xpv2.CredentialsSourceNone}, Endpoints: &v1beta1.Endpoints{SQLAdmin: "http://127.0.0.1:1", Compute: "http://127.0.0.1:1"}}
	c := NewConfigurer(kube(spec, nil))
	c.tracker = resource.LegacyTrackerFn(func(context.Context, resource.LegacyManaged) error { return nil }) //nolint:staticcheck // Cluster-scoped managed resources are LegacyManaged.
	ctx := context.Background()
	a, err := c.SQL(ctx, managedResource())
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.SQL(ctx, managedResource())
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("SQL(...) made a second client for the same ProviderConfig; want it shared")
	}
	x, err := c.Compute(ctx, managedResource())
	if err != nil {
		t.Fatal(err)
	}
	y, err := c.Compute(ctx, managedResource())
	if err != nil {
		t.Fatal(err)
	}
	if x != y || x.Project() != "p" {
		t.Error("Compute(...) made a second client for the same ProviderConfig; want it shared")
	}
}

func TestErrors(t *testing.T) {
	ge := func(code int, reason, msg string) error {
		return errors.Wrap(&googleapi.Error{Code: code, Message: msg, Errors: []googleapi.ErrorItem{{Reason: reason, Message: msg}}}, "call failed")
	}
	type want struct {
		text                              string
		notFound, exists, busy, throttled bool
	}
	cases := map[string]struct {
		reason string
		err    error
		want   want
	}{
		"NotFound": {
			reason: "404 says the resource does not exist.",
			err:    ge(http.StatusNotFound, "notFound", "The resource was not found"),
			want:   want{text: "cannot get x: HTTP 404 notFound: The resource was not found", notFound: true},
		},
		"AlreadyExists": {
			reason: "409 says the name is taken.",
			err:    ge(http.StatusConflict, "alreadyExists", "The resource already exists"),
			want:   want{text: "cannot get x: HTTP 409 alreadyExists: The resource already exists", exists: true},
		},
		"Busy": {
			reason: "409 operationInProgress says the instance is busy, not that the name is taken.",
			err:    ge(http.StatusConflict, "operationInProgress", "Another operation is in progress."),
			want:   want{text: "cannot get x: HTTP 409 operationInProgress: Another operation is in progress.", busy: true},
		},
		"Throttled": {
			reason: "429 says the quota is used up; the text says that the call is retried with backoff.",
			err:    ge(http.StatusTooManyRequests, "rateLimitExceeded", "Quota exceeded."),
			want:   want{text: "cannot get x: HTTP 429 rateLimitExceeded: Quota exceeded. (rate limited: retrying with backoff)", throttled: true},
		},
		"Other": {
			reason: "Any other error reads context: error.",
			err:    errors.New("connection refused"),
			want:   want{text: "cannot get x: connection refused"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := Wrap(tc.err, "cannot get x")
			got := want{text: w.Error(), notFound: IsNotFound(w), exists: IsAlreadyExists(w), busy: IsBusy(w), throttled: IsThrottled(w)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nWrap(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if Wrap(nil, "x") != nil {
		t.Error("Wrap(nil, ...) should be nil")
	}
}

type inner struct {
	A *string
	B *int64
}

type outer struct {
	Name  *string
	Inner *inner
	Tags  map[string]string
	Items []string
}

func TestFillNil(t *testing.T) {
	s := func(v string) *string { return &v }
	i := func(v int64) *int64 { return &v }
	cases := map[string]struct {
		reason         string
		dst, src, skip *outer
		want           outer
		changed        bool
	}{
		"Nested": {
			reason:  "Nil fields are filled, also within a struct both sides have.",
			dst:     &outer{Inner: &inner{A: s("mine")}},
			src:     &outer{Name: s("n"), Inner: &inner{A: s("theirs"), B: i(2)}, Tags: map[string]string{"a": "b"}},
			want:    outer{Name: s("n"), Inner: &inner{A: s("mine"), B: i(2)}, Tags: map[string]string{"a": "b"}},
			changed: true,
		},
		"WholeStruct": {
			reason:  "A nested struct the destination lacks is taken whole.",
			dst:     &outer{},
			src:     &outer{Inner: &inner{A: s("a")}},
			want:    outer{Inner: &inner{A: s("a")}},
			changed: true,
		},
		"Skip": {
			reason: "Fields the skip struct sets stay unset, also within nested structs.",
			dst:    &outer{Inner: &inner{}},
			src:    &outer{Name: s("n"), Inner: &inner{A: s("a"), B: i(2)}},
			skip:   &outer{Name: s("init"), Inner: &inner{B: i(1)}},
			want:   outer{Inner: &inner{A: s("a")}}, changed: true,
		},
		"Nothing": {
			reason: "A nil source fills nothing.",
			dst:    &outer{},
			want:   outer{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			changed := FillNil(tc.dst, tc.src, tc.skip)
			if diff := cmp.Diff(tc.want, *tc.dst); diff != "" {
				t.Errorf("%s\nFillNil(...): -want, +got:\n%s", tc.reason, diff)
			}
			if changed != tc.changed {
				t.Errorf("%s\nFillNil(...) = %t, want %t", tc.reason, changed, tc.changed)
			}
		})
	}
}

func TestSettleOperation(t *testing.T) {
	opsPath := "/compute/v1/projects/" + gcptest.Project + "/global/operations/op-1"
	op := func(status computepb.Operation_Status, errs ...*computepb.Errors) gcptest.Response {
		o := &computepb.Operation{Name: new("op-1"), OperationType: new("insert"), Status: status.Enum()}
		if len(errs) > 0 {
			o.Error = &computepb.Error{Errors: errs}
		}
		return gcptest.OK(o)
	}
	type want struct {
		running bool
		err     error
		writes  []string
	}
	cases := map[string]struct {
		reason string
		ref    string
		routes gcptest.Routes
		settle SettleFn
		want   want
	}{
		"Running": {
			reason: "A running operation is returned, and the record stays.",
			routes: gcptest.Routes{"GET " + opsPath: op(computepb.Operation_RUNNING)},
			want:   want{running: true},
		},
		"Done": {
			reason: "A finished operation's record goes, with the changes settle asks for.",
			routes: gcptest.Routes{"GET " + opsPath: op(computepb.Operation_DONE)},
			settle: func(failed bool) (map[string]string, []string) {
				return map[string]string{"done": "true"}, []string{"pending"}
			},
			want: want{writes: []string{"patch r done=true"}},
		},
		"Failed": {
			reason: "A failed operation's record goes, and its error is returned.",
			routes: gcptest.Routes{"GET " + opsPath: op(computepb.Operation_DONE, &computepb.Errors{Code: new("QUOTA_EXCEEDED"), Message: new("no")})},
			want:   want{err: errors.New("insert operation failed: QUOTA_EXCEEDED: no"), writes: []string{"patch r "}},
		},
		"NotAnOperation": {
			reason: "A record that names no Compute Engine operation is forgotten.",
			ref:    "operations/a-cloud-sql-one",
			want:   want{writes: []string{"patch r "}},
		},
		"Forgotten": {
			reason: "An operation the API no longer knows counts as done.",
			routes: gcptest.Routes{"GET " + opsPath: gcptest.Error(http.StatusNotFound, "notFound", "gone")},
			want:   want{writes: []string{"patch r "}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := gcptest.NewServer(t, tc.routes)
			api, err := NewCompute(context.Background(), gcptest.Project, srv.ComputeOptions()...)
			if err != nil {
				t.Fatal(err)
			}
			kube := gcptest.NewKube()
			mg := &fake.LegacyManaged{}
			mg.SetName("r")
			ref := tc.ref
			if ref == "" {
				ref = "global/operations/op-1"
			}
			meta.AddAnnotations(mg, map[string]string{AnnotationOperation: ref, "pending": "x"})
			running, err := SettleOperation(context.Background(), kube, api, mg, tc.settle)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nSettleOperation(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if (running != nil) != tc.want.running {
				t.Errorf("%s\nSettleOperation(...): running %v, want %t", tc.reason, running, tc.want.running)
			}
			writes := kube.Writes()
			// The pending annotation stays unless settle removes it.
			for i := range writes {
				writes[i] = strings.ReplaceAll(writes[i], "pending=x", "")
			}
			if diff := cmp.Diff(tc.want.writes, writes); diff != "" {
				t.Errorf("%s\nSettleOperation(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestGetOperationRefs(t *testing.T) {
	srv := gcptest.NewServer(t, gcptest.Routes{
		"GET /compute/v1/projects/" + gcptest.Project + "/zones/z1/operations/a":   gcptest.OK(&computepb.Operation{Name: new("a"), Status: computepb.Operation_DONE.Enum()}),
		"GET /compute/v1/projects/" + gcptest.Project + "/regions/r1/operations/b": gcptest.OK(&computepb.Operation{Name: new("b"), Status: computepb.Operation_RUNNING.Enum()}),
		"GET /compute/v1/projects/" + gcptest.Project + "/global/operations/c":     gcptest.OK(&computepb.Operation{Name: new("c"), Status: computepb.Operation_PENDING.Enum()}),
	})
	api, err := NewCompute(context.Background(), gcptest.Project, srv.ComputeOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	for ref, done := range map[string]bool{"zones/z1/operations/a": true, "regions/r1/operations/b": false, "global/operations/c": false} {
		op, err := api.GetOperation(context.Background(), ref)
		if err != nil {
			t.Errorf("GetOperation(%q): %v", ref, err)
			continue
		}
		if op.Ref != ref || op.Done != done {
			t.Errorf("GetOperation(%q) = %+v, want the operation named the same, done %t", ref, op, done)
		}
	}
	if _, err := api.GetOperation(context.Background(), "operations/x"); err == nil {
		t.Error("GetOperation of a Cloud SQL operation: want an error")
	}
}

func TestPollIntervalHook(t *testing.T) {
	mg := &fake.LegacyManaged{}
	if got := PollIntervalHook(mg, time.Minute); got != time.Minute {
		t.Errorf("without an operation: %s, want the poll interval", got)
	}
	meta.AddAnnotations(mg, map[string]string{AnnotationOperation: "global/operations/x"})
	if got := PollIntervalHook(mg, time.Minute); got != 5*time.Second {
		t.Errorf("with an operation: %s, want 5s", got)
	}
	if got := PollIntervalHook(mg, time.Second); got != time.Second {
		t.Errorf("with an operation and a shorter interval: %s, want the interval", got)
	}
}

func TestLabels(t *testing.T) {
	mg := &fake.LegacyManaged{}
	mg.SetUID("uid-1")
	if diff := cmp.Diff(map[string]string{"team": "a", LabelUID: "uid-1"}, ManagedLabels(mg, map[string]string{"team": "a"}, map[string]string{"other": "x"})); diff != "" {
		t.Errorf("ManagedLabels with spec labels: the spec's are the truth: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"other": "x", LabelUID: "uid-1"}, ManagedLabels(mg, nil, map[string]string{"other": "x"})); diff != "" {
		t.Errorf("ManagedLabels without spec labels: others are kept: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "c"}, RemovedLabels(map[string]string{"b": "1"}, map[string]string{"c": "1", "a": "1", "b": "2"})); diff != "" {
		t.Errorf("RemovedLabels: -want, +got:\n%s", diff)
	}
	if got := UserLabels(map[string]string{LabelUID: "x"}); got != nil {
		t.Errorf("UserLabels of only the Stratus label = %v, want nil", got)
	}
}
