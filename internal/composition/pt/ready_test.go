package pt

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

func TestIsReady(t *testing.T) {
	type args struct {
		observed map[string]any
		checks   []v1beta1.ReadinessCheck
	}
	type want struct {
		ready bool
		err   string
	}
	withReady := func(status string) map[string]any {
		return map[string]any{
			"status": map[string]any{
				"phase":     "Running",
				"replicas":  int64(3),
				"available": true,
				"paused":    false,
				"conditions": []any{
					map[string]any{"type": "Synced", "status": "True"},
					map[string]any{"type": "Ready", "status": status},
				},
			},
		}
	}
	check := func(t v1beta1.ReadinessCheckType, path string) v1beta1.ReadinessCheck {
		return v1beta1.ReadinessCheck{Type: t, FieldPath: &path}
	}
	matchString := func(path, s string) v1beta1.ReadinessCheck {
		c := check(v1beta1.ReadinessCheckTypeMatchString, path)
		c.MatchString = &s
		return c
	}
	matchInteger := func(path string, i int64) v1beta1.ReadinessCheck {
		c := check(v1beta1.ReadinessCheckTypeMatchInteger, path)
		c.MatchInteger = &i
		return c
	}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"DefaultReady": {
			reason: "Without checks a resource whose Ready condition is True is ready.",
			args:   args{observed: withReady("True")},
			want:   want{ready: true},
		},
		"DefaultNotReady": {
			reason: "Without checks a resource whose Ready condition is not True is not ready.",
			args:   args{observed: withReady("False")},
			want:   want{ready: false},
		},
		"DefaultNoConditions": {
			reason: "Without checks a resource without conditions is not ready.",
			args:   args{observed: map[string]any{}},
			want:   want{ready: false},
		},
		"None": {
			reason: "A None check always passes.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeNone}}},
			want:   want{ready: true},
		},
		"NonEmpty": {
			reason: "A NonEmpty check passes when the field exists.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeNonEmpty, "status.phase")}},
			want:   want{ready: true},
		},
		"NonEmptyMissing": {
			reason: "A NonEmpty check fails when the field does not exist.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeNonEmpty, "status.atProvider.id")}},
			want:   want{ready: false},
		},
		"MatchString": {
			reason: "A MatchString check passes when the field equals the string.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{matchString("status.phase", "Running")}},
			want:   want{ready: true},
		},
		"MatchStringDiffers": {
			reason: "A MatchString check fails when the field differs.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{matchString("status.phase", "Pending")}},
			want:   want{ready: false},
		},
		"MatchStringWrongType": {
			reason: "A MatchString check of a field that is not a string is an error.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{matchString("status.replicas", "3")}},
			want:   want{err: "readiness check 0 (MatchString status.replicas): status.replicas must be a string, got integer 3"},
		},
		"MatchInteger": {
			reason: "A MatchInteger check passes when the field equals the integer.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{matchInteger("status.replicas", 3)}},
			want:   want{ready: true},
		},
		"MatchIntegerDiffers": {
			reason: "A MatchInteger check fails when the field differs.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{matchInteger("status.replicas", 4)}},
			want:   want{ready: false},
		},
		"MatchIntegerWrongType": {
			reason: "A MatchInteger check of a field that is not an integer is an error.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{matchInteger("status.phase", 4)}},
			want:   want{err: `readiness check 0 (MatchInteger status.phase): status.phase must be an integer, got string "Running"`},
		},
		"MatchTrue": {
			reason: "A MatchTrue check passes when the field is true.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchTrue, "status.available")}},
			want:   want{ready: true},
		},
		"MatchTrueFalse": {
			reason: "A MatchTrue check fails when the field is false.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchTrue, "status.paused")}},
			want:   want{ready: false},
		},
		"MatchFalse": {
			reason: "A MatchFalse check passes when the field is false.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchFalse, "status.paused")}},
			want:   want{ready: true},
		},
		"MatchFalseMissing": {
			reason: "A MatchFalse check fails when the field does not exist.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchFalse, "status.nope")}},
			want:   want{ready: false},
		},
		"MatchTrueWrongType": {
			reason: "A MatchTrue check of a field that is not a boolean is an error.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchTrue, "status.phase")}},
			want:   want{err: `readiness check 0 (MatchTrue status.phase): status.phase must be a boolean, got string "Running"`},
		},
		"MatchCondition": {
			reason: "A MatchCondition check passes when the condition has the status.",
			args: args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{{
				Type: v1beta1.ReadinessCheckTypeMatchCondition, MatchCondition: &v1beta1.MatchConditionReadinessCheck{Type: "Synced", Status: "True"},
			}}},
			want: want{ready: true},
		},
		"MatchConditionDefaults": {
			reason: "A MatchCondition check defaults to Ready True.",
			args: args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{{
				Type: v1beta1.ReadinessCheckTypeMatchCondition, MatchCondition: &v1beta1.MatchConditionReadinessCheck{},
			}}},
			want: want{ready: false},
		},
		"MatchConditionMissing": {
			reason: "A MatchCondition check without matchCondition is an error.",
			args:   args{observed: withReady("False"), checks: []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeMatchCondition}}},
			want:   want{err: "readiness check 0 (MatchCondition): matchCondition is required"},
		},
		"AllMustPass": {
			reason: "Every check must pass.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{matchString("status.phase", "Running"), matchInteger("status.replicas", 2)}},
			want:   want{ready: false},
		},
		"NoFieldPath": {
			reason: "A check that reads a field needs fieldPath.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{{Type: v1beta1.ReadinessCheckTypeNonEmpty}}},
			want:   want{err: "readiness check 0 (NonEmpty): fieldPath is required"},
		},
		"NoMatchString": {
			reason: "A MatchString check needs matchString.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchString, "status.phase")}},
			want:   want{err: "readiness check 0 (MatchString status.phase): matchString is required"},
		},
		"NoMatchInteger": {
			reason: "A MatchInteger check needs matchInteger.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{check(v1beta1.ReadinessCheckTypeMatchInteger, "status.replicas")}},
			want:   want{err: "readiness check 0 (MatchInteger status.replicas): matchInteger is required"},
		},
		"UnknownType": {
			reason: "An unknown check type is an error.",
			args:   args{observed: withReady("True"), checks: []v1beta1.ReadinessCheck{{Type: "MatchRegexp"}}},
			want:   want{err: `readiness check 0 (MatchRegexp): unknown readiness check type "MatchRegexp" (want MatchString, MatchInteger, NonEmpty, MatchCondition, MatchTrue, MatchFalse or None)`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := IsReady(tc.args.observed, tc.args.checks)
			if diff := cmp.Diff(tc.want.err, errString(err)); diff != "" {
				t.Errorf("%s\nIsReady(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.ready, got); diff != "" {
				t.Errorf("%s\nIsReady(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
