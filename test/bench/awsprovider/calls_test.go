package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCallsSince(t *testing.T) {
	cases := map[string]struct {
		reason string
		before map[string]int
		now    map[string]int
		want   []callRow
	}{
		"Empty": {
			reason: "No calls since make no rows.",
			before: map[string]int{"DescribeDBInstances": 3},
			now:    map[string]int{"DescribeDBInstances": 3},
			want:   []callRow{},
		},
		"MostFrequentFirst": {
			reason: "Rows hold the increase of each action, most frequent first and by name among equals.",
			before: map[string]int{"DescribeDBInstances": 3},
			now: map[string]int{
				"DescribeDBInstances":            8,
				"CreateDBInstance":               2,
				"DescribeDBInstances (HTTP 404)": 2,
				"DeleteDBInstance":               1,
			},
			want: []callRow{
				{Action: "DescribeDBInstances", Count: 5},
				{Action: "CreateDBInstance", Count: 2},
				{Action: "DescribeDBInstances (HTTP 404)", Count: 2},
				{Action: "DeleteDBInstance", Count: 1},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := callsSince(tc.before, tc.now)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ncallsSince(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
