package clients

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/google/go-cmp/cmp"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
)

// A fakePoller is an operation in a given state.
type fakePoller struct {
	pollErr error
	done    bool
	// doneAfterPoll makes the operation end at the next poll.
	doneAfterPoll bool
	err           error
	polled        int
}

func (p *fakePoller) Poll(context.Context) (*http.Response, error) {
	p.polled++
	if p.doneAfterPoll {
		p.done = true
	}
	return nil, p.pollErr
}
func (p *fakePoller) Done() bool                   { return p.done }
func (p *fakePoller) ResumeToken() (string, error) { return "token", nil }
func (p *fakePoller) Err(context.Context) error    { return p.err }

// patches returns an API server stub that records the merge patches it is
// sent, and answers with err.
func patches(got *[]string, err error) *test.MockClient {
	return &test.MockClient{MockPatch: func(_ context.Context, obj client.Object, p client.Patch, _ ...client.PatchOption) error {
		b, _ := p.Data(obj)
		*got = append(*got, string(b))
		obj.SetResourceVersion("2")
		return err
	}}
}

func TestStart(t *testing.T) {
	type want struct {
		op          *Operation
		annotations map[string]string
		err         string
	}
	cases := map[string]struct {
		reason string
		p      *fakePoller
		want   want
	}{
		"InProgress": {
			reason: "An operation in progress is recorded with what it commits.",
			p:      &fakePoller{},
			want:   want{op: &Operation{Verb: VerbUpdate, Token: "token", Commit: map[string]string{"hash": "h"}}},
		},
		"DoneAtOnce": {
			reason: "An operation that ended at once is not recorded; its commit applies now.",
			p:      &fakePoller{done: true},
			want:   want{annotations: map[string]string{"hash": "h"}},
		},
		"FailedAtOnce": {
			reason: "An operation that failed at once returns its error and commits nothing.",
			p:      &fakePoller{done: true, err: errors.New("boom")},
			want:   want{err: "boom"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			mg := &fake.LegacyManaged{}
			err := NewOperations(nil).Start(context.Background(), mg, VerbUpdate, tc.p, map[string]string{"hash": "h"})
			got := want{op: GetOperation(mg)}
			if got.op == nil {
				got.annotations = mg.GetAnnotations()
			}
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nStart(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	var got []string
	mg := &fake.LegacyManaged{}
	if err := NewOperations(patches(&got, nil)).Record(context.Background(), mg, VerbDelete, &fakePoller{}, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"metadata":{"annotations":{"azure.stratus.dev/operation":"{\"verb\":\"delete\",\"token\":\"token\"}"}}}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Record(...): -want patches, +got patches:\n%s", diff)
	}
	if mg.GetResourceVersion() != "2" {
		t.Error("Record(...): the resource did not take on the patched resourceVersion")
	}
}

func TestCheck(t *testing.T) {
	notFound := &azcore.ResponseError{StatusCode: http.StatusNotFound, ErrorCode: "NotFound"}
	throttled := &azcore.ResponseError{StatusCode: http.StatusTooManyRequests, ErrorCode: "TooManyRequests"}
	preempted := &azcore.ResponseError{StatusCode: http.StatusConflict, ErrorCode: "OperationPreempted"}
	removed := `{"metadata":{"annotations":{"azure.stratus.dev/operation":null}}}`
	type want struct {
		inProgress bool
		err        string
		patches    []string
		hash       string
	}
	cases := map[string]struct {
		reason   string
		none     bool
		p        *fakePoller
		resume   error
		patchErr error
		want     want
	}{
		"None": {
			reason: "Without a record there is nothing to poll.",
			none:   true,
			want:   want{},
		},
		"InProgress": {
			reason: "An operation still in progress stays recorded.",
			p:      &fakePoller{},
			want:   want{inProgress: true},
		},
		"Succeeded": {
			reason: "A succeeded operation's record goes and its commit is written, in one patch.",
			p:      &fakePoller{doneAfterPoll: true},
			want: want{
				patches: []string{`{"metadata":{"annotations":{"azure.stratus.dev/operation":null,"hash":"h"}}}`},
				hash:    "h",
			},
		},
		"Failed": {
			reason: "A failed operation's record goes without its commit, and its error is returned.",
			p:      &fakePoller{doneAfterPoll: true, err: preempted},
			want:   want{err: "the update operation failed: OperationPreempted", patches: []string{removed}},
		},
		"FailedPoll": {
			reason: "A poll that Azure answers with the operation's error (a Location poll) is the operation failing.",
			p:      &fakePoller{pollErr: preempted},
			want:   want{err: "the update operation failed: OperationPreempted", patches: []string{removed}},
		},
		"Forgotten": {
			reason: "An operation Azure no longer knows is forgotten; the resource is observed afresh.",
			p:      &fakePoller{pollErr: notFound},
			want:   want{patches: []string{removed}},
		},
		"Throttled": {
			reason: "A throttled poll keeps the record, to poll again.",
			p:      &fakePoller{pollErr: throttled},
			want:   want{err: "cannot poll the update operation: TooManyRequests"},
		},
		"Unreadable": {
			reason: "A record the SDK cannot resume is forgotten.",
			resume: errors.New("bad token"),
			want:   want{patches: []string{removed}},
		},
		"ResultUnreadable": {
			reason: "An operation whose result cannot be read (the connection failed) stays recorded.",
			p:      &fakePoller{doneAfterPoll: true, err: errors.New("connection reset")},
			want:   want{err: "cannot read the result of the update operation: connection reset"},
		},
		"ResourceGone": {
			reason:   "A resource deleted meanwhile has no record to update: that is no error.",
			p:        &fakePoller{doneAfterPoll: true},
			patchErr: errors.Join(errors.New("gone"), notFoundStatus()),
			want: want{
				patches: []string{`{"metadata":{"annotations":{"azure.stratus.dev/operation":null,"hash":"h"}}}`},
				hash:    "h",
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			mg := &fake.LegacyManaged{}
			if !tc.none {
				setOperation(mg, &Operation{Verb: VerbUpdate, Token: "token", Commit: map[string]string{"hash": "h"}})
			}
			var got want
			ops := NewOperations(patches(&got.patches, tc.patchErr))
			op, err := ops.Check(context.Background(), mg, func(_ context.Context, op Operation) (Poller, error) {
				if op.Token != "token" || op.Verb != VerbUpdate {
					t.Errorf("resume(%+v): want the recorded operation", op)
				}
				return tc.p, tc.resume
			})
			got.inProgress = op != nil
			got.hash = mg.GetAnnotations()["hash"]
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCheck(...): -want, +got:\n%s", tc.reason, diff)
			}
			// The record stays exactly when nothing was patched.
			if kept := GetOperation(mg) != nil; kept != (!tc.none && len(got.patches) == 0) {
				t.Errorf("%s\nCheck(...): record kept %v, patches %v", tc.reason, kept, got.patches)
			}
		})
	}
}

func TestGetOperation(t *testing.T) {
	mg := &fake.LegacyManaged{}
	mg.SetAnnotations(map[string]string{AnnotationOperation: "not json"})
	if GetOperation(mg) != nil {
		t.Error("GetOperation(garbage) must be no operation")
	}
	b, _ := json.Marshal(Operation{Verb: VerbCreate})
	mg.SetAnnotations(map[string]string{AnnotationOperation: string(b)})
	if GetOperation(mg) != nil {
		t.Error("GetOperation(no token) must be no operation")
	}
}

// notFoundStatus is the API server's answer about an object that is gone.
func notFoundStatus() error {
	return kerrors.NewNotFound(schema.GroupResource{Resource: "resourcegroups"}, "rg")
}
