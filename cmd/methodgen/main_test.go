package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGenerate(t *testing.T) {
	type want struct {
		funcs []string // "func (p *Type) Method(" prefixes in the output, in order
		err   string
		none  bool // no output file
	}
	cases := map[string]struct {
		reason string
		src    string
		stale  bool
		want   want
	}{
		"ProviderConfigSets": {
			reason: "Each marked type gets its method set, types in name order.",
			src: `package v1
// +stratus:methodset=providerconfigusagelist
type UsageList struct{}
// A PC.
// +stratus:methodset=providerconfig
type PC struct{}
`,
			want: want{funcs: []string{
				"func (p *PC) GetCondition(", "func (p *PC) SetConditions(", "func (p *PC) GetUsers(", "func (p *PC) SetUsers(",
				"func (p *UsageList) GetItems(",
			}},
		},
		"ManagedSets": {
			reason: "A managed resource gets the methods of a cluster-scoped managed resource; its list gets GetItems.",
			src: `package v1
// +stratus:methodset=managed
type MR struct{}
// +stratus:methodset=managedlist
type MRList struct{}
`,
			want: want{funcs: []string{
				"func (mg *MR) GetCondition(", "func (mg *MR) SetConditions(",
				"func (mg *MR) GetManagementPolicies(", "func (mg *MR) SetManagementPolicies(",
				"func (mg *MR) GetDeletionPolicy(", "func (mg *MR) SetDeletionPolicy(",
				"func (mg *MR) GetProviderConfigReference(", "func (mg *MR) SetProviderConfigReference(",
				"func (mg *MR) GetWriteConnectionSecretToReference(", "func (mg *MR) SetWriteConnectionSecretToReference(",
				"func (mg *MR) GetLastHandledReconcileAt(", "func (mg *MR) SetLastHandledReconcileAt(",
				"func (l *MRList) GetItems(",
			}},
		},
		"UnknownSet": {
			reason: "A marker naming no known method set is an error, not silently ignored.",
			src:    "package v1\n// +stratus:methodset=bucket\ntype MR struct{}\n",
			want:   want{err: `type MR asks for unknown method set "bucket"`},
		},
		"NoMarkersRemovesStale": {
			reason: "A package with no marked types loses a stale generated file.",
			src:    "package v1\ntype Plain struct{}\n",
			stale:  true,
			want:   want{none: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "types.go"), []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.stale {
				if err := os.WriteFile(filepath.Join(dir, Output), []byte("package v1\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := generate(dir, []byte("// header\n"))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.want.err, gotErr); diff != "" {
				t.Fatalf("%s\ngenerate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			b, rerr := os.ReadFile(filepath.Join(dir, Output))
			if tc.want.none || tc.want.err != "" {
				if rerr == nil && tc.want.none {
					t.Errorf("%s\ngenerate(...): want no %s, found one", tc.reason, Output)
				}
				return
			}
			if rerr != nil {
				t.Fatal(rerr)
			}
			var got []string
			for l := range strings.SplitSeq(string(b), "\n") {
				if strings.HasPrefix(l, "func (") {
					// Keep the receiver and name: up to the "(" after the receiver's ")".
					rc := strings.Index(l, ")")
					got = append(got, l[:rc+strings.Index(l[rc:], "(")+1])
				}
			}
			if diff := cmp.Diff(tc.want.funcs, got); diff != "" {
				t.Errorf("%s\ngenerate(...): -want, +got:\n%s", tc.reason, diff)
			}
			if !strings.HasPrefix(string(b), "// header\n") || !strings.Contains(string(b), "DO NOT EDIT") {
				t.Errorf("%s\ngenerate(...): want the header and a generated-code notice, got:\n%s", tc.reason, b)
			}
		})
	}
}
