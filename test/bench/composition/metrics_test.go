package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseWrites(t *testing.T) {
	type want struct {
		counts writeCounts
		err    bool
	}
	cases := map[string]struct {
		reason string
		text   string
		want   want
	}{
		"WritesOnly": {
			reason: "Only write verbs of apiserver_request_total are kept; reads and other metrics are not.",
			text: `# HELP apiserver_request_total [STABLE] Counter of apiserver requests.
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"} 12
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="APPLY",version="v1"} 900
apiserver_request_total{code="200",component="apiserver",dry_run="",group="bench.stratus.dev",resource="appconfigs",scope="resource",subresource="status",verb="PUT",version="v1alpha1"} 600
apiserver_request_total_other{code="201",verb="POST"} 5
`,
			want: want{counts: writeCounts{
				{Verb: "APPLY", Resource: "configmaps", Code: "201"}:                                                  900,
				{Verb: "PUT", Group: "bench.stratus.dev", Resource: "appconfigs", Subresource: "status", Code: "200"}: 600,
			}},
		},
		"SumsDroppedLabels": {
			reason: "Series that differ only in labels a writeKey does not keep are summed.",
			text: `apiserver_request_total{code="201",resource="events",scope="namespace",verb="POST",version="v1"} 3
apiserver_request_total{code="201",resource="events",scope="resource",verb="POST",version="v1"} 4
`,
			want: want{counts: writeCounts{{Verb: "POST", Resource: "events", Code: "201"}: 7}},
		},
		"EscapedValue": {
			reason: "Escaped quotes and commas inside label values do not end the value.",
			text:   `apiserver_request_total{code="409",resource="a\"b,c}",verb="PUT"} 2 1700000000000` + "\n",
			want:   want{counts: writeCounts{{Verb: "PUT", Resource: `a"b,c}`, Code: "409"}: 2}},
		},
		"Malformed": {
			reason: "A line that cannot be parsed is an error, not a silent zero.",
			text:   `apiserver_request_total{code="201",verb="POST` + "\n",
			want:   want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseWrites(strings.NewReader(tc.text))
			if (err != nil) != tc.want.err {
				t.Fatalf("%s\nparseWrites(...): want error %t, got %v", tc.reason, tc.want.err, err)
			}
			if diff := cmp.Diff(tc.want.counts, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nparseWrites(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSince(t *testing.T) {
	a := writeKey{Verb: "POST", Resource: "events", Code: "201"}
	b := writeKey{Verb: "PUT", Resource: "leases", Code: "200"}
	c := writeKey{Verb: "APPLY", Resource: "configmaps", Code: "201"}
	before := writeCounts{a: 10, b: 4}
	after := writeCounts{a: 25, b: 4, c: 9}
	want := writeCounts{a: 15, c: 9}
	if diff := cmp.Diff(want, after.since(before)); diff != "" {
		t.Errorf("since(...): -want, +got:\n%s", diff)
	}
}
