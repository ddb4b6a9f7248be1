package clients

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
)

// An rdsTagAPI records the RDS tag calls it gets and fails them with err.
type rdsTagAPI struct {
	calls []any
	err   error
}

func (a *rdsTagAPI) AddTagsToResource(_ context.Context, in *rds.AddTagsToResourceInput, _ ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error) {
	a.calls = append(a.calls, in)
	return &rds.AddTagsToResourceOutput{}, a.err
}

func (a *rdsTagAPI) RemoveTagsFromResource(_ context.Context, in *rds.RemoveTagsFromResourceInput, _ ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error) {
	a.calls = append(a.calls, in)
	return &rds.RemoveTagsFromResourceOutput{}, a.err
}

func TestUpdateRDSTags(t *testing.T) {
	const arn = "arn:aws:rds:us-east-1:123456789012:db:orders"
	errBoom := &smithy.GenericAPIError{Code: "AccessDenied", Message: "boom"}
	type want struct {
		calls []any
		err   error
	}
	cases := map[string]struct {
		reason            string
		desired, observed map[string]string
		err               error
		want              want
	}{
		"InSync": {
			reason:   "Matching tags cost no call; AWS's own tags are left alone.",
			desired:  map[string]string{"a": "1"},
			observed: map[string]string{"a": "1", "aws:cloudformation:stack-name": "x"},
		},
		"SetAndRemove": {
			reason:   "Changed and new tags are set in one call, stale ones removed in another.",
			desired:  map[string]string{"a": "2", "b": "1"},
			observed: map[string]string{"a": "1", "c": "1", "d": "1"},
			want: want{calls: []any{
				&rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: []rdstypes.Tag{
					{Key: aws.String("a"), Value: aws.String("2")},
					{Key: aws.String("b"), Value: aws.String("1")},
				}},
				&rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"c", "d"}},
			}},
		},
		"Error": {
			reason:   "An error tagging is returned with context.",
			desired:  map[string]string{"a": "1"},
			observed: map[string]string{},
			err:      errBoom,
			want: want{
				calls: []any{&rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: []rdstypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}},
				err:   Wrap(errBoom, "cannot tag "+arn),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := &rdsTagAPI{err: tc.err}
			err := UpdateRDSTags(context.Background(), api, arn, tc.desired, tc.observed)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nUpdateRDSTags(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			opts := cmpopts.IgnoreUnexported(rds.AddTagsToResourceInput{}, rds.RemoveTagsFromResourceInput{}, rdstypes.Tag{})
			if diff := cmp.Diff(tc.want.calls, api.calls, opts); diff != "" {
				t.Errorf("%s\nUpdateRDSTags(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSameIDs(t *testing.T) {
	cases := map[string]struct {
		desired, observed []string
		want              bool
	}{
		"Same":       {desired: []string{"a", "b"}, observed: []string{"a", "b"}, want: true},
		"OtherOrder": {desired: []string{"a", "b"}, observed: []string{"b", "a"}, want: true},
		"Duplicates": {desired: []string{"a", "a", "b"}, observed: []string{"b", "a"}, want: true},
		"Missing":    {desired: []string{"a", "b"}, observed: []string{"a"}, want: false},
		"Extra":      {desired: []string{"a"}, observed: []string{"a", "b"}, want: false},
		"BothEmpty":  {want: true},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if got := SameIDs(tc.desired, tc.observed); got != tc.want {
				t.Errorf("SameIDs(%v, %v) = %t, want %t", tc.desired, tc.observed, got, tc.want)
			}
		})
	}
}
