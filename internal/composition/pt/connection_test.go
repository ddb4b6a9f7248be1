package pt

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

func TestExtractConnectionDetails(t *testing.T) {
	type args struct {
		observed map[string]any
		details  map[string][]byte
		cfgs     []v1beta1.ConnectionDetail
	}
	type want struct {
		out map[string][]byte
		err string
	}
	observed := map[string]any{
		"status": map[string]any{
			"atProvider": map[string]any{"endpoint": "db.example.org", "port": int64(5432), "tags": map[string]any{"a": "b"}},
		},
	}
	details := map[string][]byte{"password": []byte("s3cret"), "username": []byte("admin")}

	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"None": {
			reason: "Without connection details none are extracted.",
			args:   args{observed: observed, details: details},
			want:   want{out: map[string][]byte{}},
		},
		"FromConnectionSecretKey": {
			reason: "FromConnectionSecretKey copies a key of the resource's connection details, under a new name.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Name: "pw", Type: v1beta1.ConnectionDetailTypeFromConnectionSecretKey, FromConnectionSecretKey: new("password")},
			}},
			want: want{out: map[string][]byte{"pw": []byte("s3cret")}},
		},
		"FromConnectionSecretKeyDefaultName": {
			reason: "FromConnectionSecretKey without a name keeps the key's name.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Type: v1beta1.ConnectionDetailTypeFromConnectionSecretKey, FromConnectionSecretKey: new("username")},
			}},
			want: want{out: map[string][]byte{"username": []byte("admin")}},
		},
		"FromConnectionSecretKeyMissing": {
			reason: "A key the resource does not have yet is left out, not an error.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Name: "ca", Type: v1beta1.ConnectionDetailTypeFromConnectionSecretKey, FromConnectionSecretKey: new("ca.crt")},
			}},
			want: want{out: map[string][]byte{}},
		},
		"FromFieldPath": {
			reason: "FromFieldPath reads a field of the observed resource; strings as they are, other values as JSON.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Name: "endpoint", Type: v1beta1.ConnectionDetailTypeFromFieldPath, FromFieldPath: new("status.atProvider.endpoint")},
				{Name: "port", Type: v1beta1.ConnectionDetailTypeFromFieldPath, FromFieldPath: new("status.atProvider.port")},
				{Name: "tags", Type: v1beta1.ConnectionDetailTypeFromFieldPath, FromFieldPath: new("status.atProvider.tags")},
			}},
			want: want{out: map[string][]byte{"endpoint": []byte("db.example.org"), "port": []byte("5432"), "tags": []byte(`{"a":"b"}`)}},
		},
		"FromFieldPathMissing": {
			reason: "A field that does not exist yet is left out, not an error.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Name: "arn", Type: v1beta1.ConnectionDetailTypeFromFieldPath, FromFieldPath: new("status.atProvider.arn")},
			}},
			want: want{out: map[string][]byte{}},
		},
		"FromValue": {
			reason: "FromValue sets a fixed value.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Name: "engine", Type: v1beta1.ConnectionDetailTypeFromValue, Value: new("postgres")},
			}},
			want: want{out: map[string][]byte{"engine": []byte("postgres")}},
		},
		"InferredTypes": {
			reason: "Without a type, the type follows from the field that is set.",
			args: args{observed: observed, details: details, cfgs: []v1beta1.ConnectionDetail{
				{Name: "engine", Value: new("postgres")},
				{Name: "pw", FromConnectionSecretKey: new("password")},
				{Name: "endpoint", FromFieldPath: new("status.atProvider.endpoint")},
			}},
			want: want{out: map[string][]byte{"engine": []byte("postgres"), "pw": []byte("s3cret"), "endpoint": []byte("db.example.org")}},
		},
		"FromValueNoName": {
			reason: "FromValue without a name is an error.",
			args:   args{observed: observed, cfgs: []v1beta1.ConnectionDetail{{Type: v1beta1.ConnectionDetailTypeFromValue, Value: new("x")}}},
			want:   want{err: "connection detail 0 (FromValue): name is required"},
		},
		"FromValueNoValue": {
			reason: "FromValue without a value is an error.",
			args:   args{observed: observed, cfgs: []v1beta1.ConnectionDetail{{Name: "a", Type: v1beta1.ConnectionDetailTypeFromValue}}},
			want:   want{err: "connection detail 0 (FromValue \"a\"): value is required"},
		},
		"FromFieldPathNoPath": {
			reason: "FromFieldPath without fromFieldPath is an error.",
			args:   args{observed: observed, cfgs: []v1beta1.ConnectionDetail{{Name: "a", Type: v1beta1.ConnectionDetailTypeFromFieldPath}}},
			want:   want{err: "connection detail 0 (FromFieldPath \"a\"): fromFieldPath is required"},
		},
		"FromConnectionSecretKeyNoKey": {
			reason: "FromConnectionSecretKey without fromConnectionSecretKey is an error.",
			args:   args{observed: observed, cfgs: []v1beta1.ConnectionDetail{{Name: "a", Type: v1beta1.ConnectionDetailTypeFromConnectionSecretKey}}},
			want:   want{err: "connection detail 0 (FromConnectionSecretKey \"a\"): fromConnectionSecretKey is required"},
		},
		"NoType": {
			reason: "A connection detail without a type or a source is an error.",
			args:   args{observed: observed, cfgs: []v1beta1.ConnectionDetail{{Name: "a"}}},
			want:   want{err: "connection detail 0 (\"a\"): type is required (one of FromConnectionSecretKey, FromFieldPath, FromValue)"},
		},
		"UnknownType": {
			reason: "An unknown type is an error.",
			args:   args{observed: observed, cfgs: []v1beta1.ConnectionDetail{{Name: "a", Type: "FromSecret"}}},
			want:   want{err: `connection detail 0 (FromSecret "a"): unknown connection detail type "FromSecret" (want FromConnectionSecretKey, FromFieldPath or FromValue)`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ExtractConnectionDetails(tc.args.observed, tc.args.details, tc.args.cfgs)
			if diff := cmp.Diff(tc.want.err, errString(err)); diff != "" {
				t.Errorf("%s\nExtractConnectionDetails(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.out, got); diff != "" {
				t.Errorf("%s\nExtractConnectionDetails(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
