package v1beta1

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

func TestTransformJSON(t *testing.T) {
	type want struct {
		t   Transform
		err bool
	}
	cases := map[string]struct {
		reason string
		json   string
		want   want
	}{
		"Map": {
			reason: "A map transform is written as a plain object of its pairs.",
			json:   `{"type":"map","map":{"eu":"eu-west-1","big":{"cpu":4}}}`,
			want: want{t: Transform{Type: TransformTypeMap, Map: &MapTransform{Pairs: map[string]extv1.JSON{
				"eu":  {Raw: []byte(`"eu-west-1"`)},
				"big": {Raw: []byte(`{"cpu":4}`)},
			}}}},
		},
		"MapNotObject": {
			reason: "A map transform must be an object.",
			json:   `{"type":"map","map":["a"]}`,
			want:   want{err: true},
		},
		"String": {
			reason: "A string transform's format is written fmt.",
			json:   `{"type":"string","string":{"type":"Format","fmt":"db-%s"}}`,
			want:   want{t: Transform{Type: TransformTypeString, String: &StringTransform{Type: StringTransformTypeFormat, Format: new("db-%s")}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Transform{}
			err := json.Unmarshal([]byte(tc.json), &got)
			if diff := cmp.Diff(tc.want.err, err != nil); diff != "" {
				t.Fatalf("%s\njson.Unmarshal(...): -want error, +got error:\n%s\n%v", tc.reason, diff, err)
			}
			if tc.want.err {
				return
			}
			if diff := cmp.Diff(tc.want.t, got); diff != "" {
				t.Errorf("%s\njson.Unmarshal(...): -want, +got:\n%s", tc.reason, diff)
			}
			// What is read is written back the same way.
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("json.Marshal(...): %v", err)
			}
			again := Transform{}
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatalf("json.Unmarshal(json.Marshal(...)): %v", err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("%s\njson round trip: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
