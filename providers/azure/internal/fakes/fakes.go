// Package fakes helps the Azure controllers' unit tests: connections whose
// SDK clients reach the SDK's own fake servers, and an API server stub that
// records what the controllers write.
package fakes

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"

	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// Subscription is the subscription of fake connections.
const Subscription = "00000000-0000-0000-0000-00000000000a"

// Connection returns a connection whose clients send their requests to t,
// one of the SDK's fake server transports, with a fake credential and no
// retries.
func Connection(t policy.Transporter) *clients.Connection {
	return &clients.Connection{
		SubscriptionID: Subscription,
		Credential:     &azfake.TokenCredential{},
		Options: &arm.ClientOptions{ClientOptions: policy.ClientOptions{
			Transport: t,
			Retry:     policy.RetryOptions{MaxRetries: -1},
		}},
	}
}

// A ConnectionSource returns Conn or Err.
type ConnectionSource struct {
	Conn *clients.Connection
	Err  error
}

// Connect returns Conn or Err.
func (c *ConnectionSource) Connect(context.Context, resource.LegacyManaged) (*clients.Connection, error) { //nolint:staticcheck // The connection source interface takes LegacyManaged.
	return c.Conn, c.Err
}

// A Kube stubs the API server. It records the annotations each patch
// writes, one string per patch: "key=value" (the verb, for an operation
// record) or "key-" for a removal, sorted and joined by spaces. Patched
// objects get resourceVersion "2".
type Kube struct {
	test.MockClient

	mu      sync.Mutex
	Patches []string
}

// NewKube returns an API server stub whose reads find nothing unless get
// is set.
func NewKube(get test.MockGetFn) *Kube {
	k := &Kube{}
	if get == nil {
		get = test.NewMockGetFn(nil)
	}
	k.MockGet = get
	k.MockPatch = func(_ context.Context, obj client.Object, p client.Patch, _ ...client.PatchOption) error {
		data, err := p.Data(obj)
		if err != nil {
			return err
		}
		var body struct {
			Metadata struct {
				Annotations map[string]*string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return err
		}
		var s []string
		for key, v := range body.Metadata.Annotations {
			switch {
			case v == nil:
				s = append(s, key+"-")
			case key == clients.AnnotationOperation:
				// The resume token is the SDK's business: show the verb.
				op := &clients.Operation{}
				_ = json.Unmarshal([]byte(*v), op)
				s = append(s, key+"="+op.Verb)
			default:
				s = append(s, key+"="+*v)
			}
		}
		sort.Strings(s)
		k.mu.Lock()
		k.Patches = append(k.Patches, strings.Join(s, " "))
		k.mu.Unlock()
		obj.SetResourceVersion("2")
		return nil
	}
	return k
}

// Accepted returns a poller responder for an operation that Azure accepts
// (202) and that stays in progress for polls more polls, then succeeds with
// result.
func Accepted[T any](polls int, result T) azfake.PollerResponder[T] {
	return InProgress(http.StatusAccepted, polls, result)
}

// Created returns a poller responder for a create or update that Azure
// answers 201 (as network and compute PUTs are) and that stays in progress
// for polls more polls, then succeeds with result.
func Created[T any](polls int, result T) azfake.PollerResponder[T] {
	return InProgress(http.StatusCreated, polls, result)
}

// InProgress returns a poller responder for an operation Azure answers with
// status (200 for a machine's PATCH, say) and that stays in progress for
// polls more polls, then succeeds with result.
func InProgress[T any](status, polls int, result T) azfake.PollerResponder[T] {
	var r azfake.PollerResponder[T]
	r.AddNonTerminalResponse(status, nil)
	for range polls {
		r.AddNonTerminalResponse(http.StatusAccepted, nil)
	}
	r.SetTerminalResponse(http.StatusOK, result, nil)
	return r
}

// Failing returns a poller responder for an operation that Azure accepts
// and that fails on the first poll with an error of code.
func Failing[T any](code string) azfake.PollerResponder[T] {
	var r azfake.PollerResponder[T]
	r.AddNonTerminalResponse(http.StatusAccepted, nil)
	r.SetTerminalError(http.StatusConflict, code)
	return r
}

// Done returns a poller responder for an operation that ended at once with
// result, as a PUT that changes nothing does.
func Done[T any](result T) azfake.PollerResponder[T] {
	var r azfake.PollerResponder[T]
	r.SetTerminalResponse(http.StatusOK, result, nil)
	return r
}

// Error returns an error responder that answers with an Azure error.
func Error(status int, code string) azfake.ErrorResponder {
	var e azfake.ErrorResponder
	e.SetResponseError(status, code)
	return e
}

// Started records on obj, in memory, the operation p that verb began (p and
// err are what an SDK Begin method returns, through clients.AsPoller), as
// a reconcile that started it would have.
func Started(t testing.TB, obj client.Object, verb string, p clients.Poller, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("cannot begin the %s operation: %v", verb, err)
	}
	if err := clients.NewOperations(nil).Start(context.Background(), obj, verb, p, nil); err != nil {
		t.Fatalf("cannot record the %s operation: %v", verb, err)
	}
	if clients.GetOperation(obj) == nil {
		t.Fatalf("the %s operation ended at once; the test wants one in progress", verb)
	}
}

// EquateOperations compares resources' operation records by verb: the
// resume tokens are the SDK's business.
func EquateOperations() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		return strings.HasSuffix(p.String(), "ObjectMeta.Annotations")
	}, cmp.Comparer(func(a, b map[string]string) bool {
		return cmp.Equal(verbs(a), verbs(b))
	}))
}

// verbs returns annotations a with an operation record replaced by its
// verb.
func verbs(a map[string]string) map[string]string {
	out := make(map[string]string, len(a))
	maps.Copy(out, a)
	if op := clients.GetOperation(&metav1.ObjectMeta{Annotations: a}); op != nil {
		out[clients.AnnotationOperation] = op.Verb
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
