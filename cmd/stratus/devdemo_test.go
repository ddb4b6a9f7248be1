package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// claim returns a PostgreSQLInstance demo/db created at created, with the
// given conditions (type, status, reason, message) and status fields.
func claim(created time.Time, status map[string]any, conds ...map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "platform.stratus.dev/v1alpha1",
		"kind":       "PostgreSQLInstance",
		"metadata":   map[string]any{"name": "db", "namespace": "demo"},
		"spec": map[string]any{
			"compositionSelector": map[string]any{"matchLabels": map[string]any{"provider": "gcp"}},
		},
	}}
	u.SetCreationTimestamp(metav1.NewTime(created))
	if status == nil {
		status = map[string]any{}
	}
	cs := make([]any, 0, len(conds))
	for _, c := range conds {
		cs = append(cs, c)
	}
	if len(cs) > 0 {
		status["conditions"] = cs
	}
	u.Object["status"] = status
	return u
}

func cond(typ, status, reason, message string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": message}
}

func TestRowFor(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	now := created.Add(90 * time.Second)
	readyAt := cond("Ready", "True", "Available", "")
	readyAt["lastTransitionTime"] = created.Add(75 * time.Second).Format(time.RFC3339)

	cases := map[string]struct {
		reason string
		claim  *unstructured.Unstructured
		want   claimRow
	}{
		"NotBoundYet": {
			reason: "A claim the core has not seen yet says so; its cloud comes from its selector until the Composition reports one.",
			claim:  claim(created, nil),
			want: claimRow{Name: "demo/db", Kind: "PostgreSQLInstance", Cloud: "gcp", Synced: "-", Ready: "-",
				Reason: "waiting for the core to bind the claim", Elapsed: 90 * time.Second},
		},
		"Creating": {
			reason: "A claim that is not Ready shows the message of its Ready condition.",
			claim: claim(created, map[string]any{"cloud": "aws"},
				cond("Synced", "True", "ReconcileSuccess", ""),
				cond("Ready", "False", "Creating", "Unready resources: instance (DBInstance db-x-1: Creating)")),
			want: claimRow{Name: "demo/db", Kind: "PostgreSQLInstance", Cloud: "aws", Synced: "True", Ready: "False",
				Reason: "Unready resources: instance (DBInstance db-x-1: Creating)", Elapsed: 90 * time.Second},
		},
		"CompositeNotSynced": {
			reason: "A composite resource that cannot be composed makes the claim's SYNCED False, with the reason, even while Ready is True.",
			claim: claim(created, map[string]any{"cloud": "aws"},
				cond("Synced", "True", "ReconcileSuccess", ""),
				cond("CompositeSynced", "False", "PipelineFatalResult", "Cannot compose resources: key \"huge\" not found in map"),
				readyAt),
			want: claimRow{Name: "demo/db", Kind: "PostgreSQLInstance", Cloud: "aws", Synced: "False", Ready: "True",
				Reason: "Cannot compose resources: key \"huge\" not found in map", Elapsed: 75 * time.Second},
		},
		"NotBound": {
			reason: "A claim that cannot be bound shows why; a condition without a message shows its reason.",
			claim:  claim(created, nil, cond("Synced", "False", "BindCompositeResourceError", "")),
			want: claimRow{Name: "demo/db", Kind: "PostgreSQLInstance", Cloud: "gcp", Synced: "False", Ready: "-",
				Reason: "BindCompositeResourceError", Elapsed: 90 * time.Second},
		},
		"Ready": {
			reason: "A Ready claim has no reason, and its elapsed time stops when it became Ready.",
			claim:  claim(created, map[string]any{"cloud": "gcp"}, cond("Synced", "True", "ReconcileSuccess", ""), readyAt),
			want: claimRow{Name: "demo/db", Kind: "PostgreSQLInstance", Cloud: "gcp", Synced: "True", Ready: "True",
				Elapsed: 75 * time.Second},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := rowFor(tc.claim, now)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nrowFor(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestShortReason(t *testing.T) {
	cases := map[string]struct {
		reason string
		row    claimRow
		n      int
		want   string
	}{
		"OneLine": {
			reason: "Whitespace and line breaks become single spaces.",
			row:    claimRow{Reason: "waiting\n  for   it "},
			n:      40,
			want:   "waiting for it",
		},
		"WaitWithoutNames": {
			reason: "A wait leaves out the generated names of composed resources.",
			row:    claimRow{Reason: "Unready resources: instance (DBInstance aws-db-bv9rh-8f611f2b: Creating), subnetA (Subnet aws-db-bv9rh-21f3609d: no Ready condition)"},
			n:      200,
			want:   "Unready resources: instance (DBInstance: Creating), subnetA (Subnet: no Ready condition)",
		},
		"WaitKeepsStart": {
			reason: "A long wait keeps its start and ends in an ellipsis.",
			row:    claimRow{Reason: "Unready resources: instance (DBInstance db-1: Creating), network (VPC db-2: Creating)"},
			n:      40,
			want:   "Unready resources: instance (DBInstance…",
		},
		"FailureKeepsCause": {
			reason: "A long failure keeps its end, from a ': ' on, where the cause is.",
			row:    claimRow{Synced: "False", Reason: "XPostgreSQLInstance aws-db-bv9rh: Cannot compose resources with Composition postgresql-aws: transform 0 (map): key \"huge\" not found in map"},
			n:      50,
			want:   "…transform 0 (map): key \"huge\" not found in map",
		},
		"FailureWithoutSeparator": {
			reason: "A long failure with no ': ' that leaves enough keeps its last characters.",
			row:    claimRow{Synced: "False", Reason: "abcdefghijklmnopqrstuvwxyz"},
			n:      10,
			want:   "…rstuvwxyz",
		},
		"Fits": {
			reason: "A failure that fits is whole.",
			row:    claimRow{Synced: "False", Reason: "a: b"},
			n:      10,
			want:   "a: b",
		},
		"NoRoom": {
			reason: "No room, no reason.",
			row:    claimRow{Reason: "anything"},
			n:      0,
			want:   "",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, shortReason(tc.row, tc.n)); diff != "" {
				t.Errorf("%s\nshortReason(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestClaimTableChanges(t *testing.T) {
	db := claimRow{Name: "demo/aws-db", Kind: "PostgreSQLInstance", Cloud: "aws", Synced: "-", Ready: "-", Reason: "waiting for the core to bind the claim"}
	vm := claimRow{Name: "demo/aws-vm", Kind: "ComputeInstance", Cloud: "aws", Synced: "-", Ready: "-", Reason: "waiting for the core to bind the claim"}
	later := func(r claimRow, d time.Duration) claimRow { r.Elapsed = d; return r }
	ready := func(r claimRow, d time.Duration) claimRow {
		r.Synced, r.Ready, r.Reason, r.Elapsed = "True", "True", "", d
		return r
	}
	cases := map[string]struct {
		reason  string
		updates [][]claimRow
		want    string
	}{
		"FirstUpdate": {
			reason:  "The first update prints the header and every row.",
			updates: [][]claimRow{{db, vm}},
			want: "" +
				"    NAMESPACE/NAME  KIND                CLOUD  SYNCED   READY    ELAPSED  REASON\n" +
				"    demo/aws-db     PostgreSQLInstance  aws    -        -             0s  waiting for the core to bind the claim\n" +
				"    demo/aws-vm     ComputeInstance     aws    -        -             0s  waiting for the core to bind the claim\n",
		},
		"OnlyChanges": {
			reason:  "Later updates print only the rows that read differently; time passing is no change.",
			updates: [][]claimRow{{db, vm}, {later(db, 5*time.Second), later(vm, 5*time.Second)}, {later(db, 9*time.Second), ready(vm, 9*time.Second)}},
			want: "" +
				"    NAMESPACE/NAME  KIND                CLOUD  SYNCED   READY    ELAPSED  REASON\n" +
				"    demo/aws-db     PostgreSQLInstance  aws    -        -             0s  waiting for the core to bind the claim\n" +
				"    demo/aws-vm     ComputeInstance     aws    -        -             0s  waiting for the core to bind the claim\n" +
				"    demo/aws-vm     ComputeInstance     aws    True     True          9s\n",
		},
		"Deleted": {
			reason:  "A claim that is gone is printed as deleted.",
			updates: [][]claimRow{{db, vm}, {db}},
			want: "" +
				"    NAMESPACE/NAME  KIND                CLOUD  SYNCED   READY    ELAPSED  REASON\n" +
				"    demo/aws-db     PostgreSQLInstance  aws    -        -             0s  waiting for the core to bind the claim\n" +
				"    demo/aws-vm     ComputeInstance     aws    -        -             0s  waiting for the core to bind the claim\n" +
				"    demo/aws-vm     ComputeInstance     deleted\n",
		},
		"Nothing": {
			reason:  "No rows, no header.",
			updates: [][]claimRow{{}, {}},
			want:    "",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			tbl := newClaimTable(&b, nil)
			for _, rows := range tc.updates {
				tbl.update(rows)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("%s\nupdate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestClaimTableRedraw(t *testing.T) {
	db := claimRow{Name: "demo/db", Kind: "PostgreSQLInstance", Cloud: "gcp", Synced: "True", Ready: "False", Reason: "Unready resources: instance (DatabaseInstance db-abc12-1234abcd: Creating)", Elapsed: 3 * time.Second}
	header := "    NAMESPACE/NAME  KIND                CLOUD  SYNCED   READY    ELAPSED  REASON\n"
	cases := map[string]struct {
		reason  string
		width   int
		updates [][]claimRow
		detach  bool
		want    string
	}{
		"FirstFrame": {
			reason:  "The first frame is printed where the cursor is; the reason is cut to the terminal's width.",
			width:   100,
			updates: [][]claimRow{{db}},
			want: header +
				"    demo/db         PostgreSQLInstance  gcp    True     False         3s  Unready resources: insta…\n",
		},
		"NextFrame": {
			reason:  "The next frame moves up over the last one and erases it first.",
			width:   200,
			updates: [][]claimRow{{db}, {db}},
			want: header +
				"    demo/db         PostgreSQLInstance  gcp    True     False         3s  Unready resources: instance (DatabaseInstance: Creating)\n" +
				"\x1b[2A\r\x1b[J" + header +
				"    demo/db         PostgreSQLInstance  gcp    True     False         3s  Unready resources: instance (DatabaseInstance: Creating)\n",
		},
		"Detached": {
			reason:  "Once detached, the last frame stays and only changes are printed, without a header.",
			width:   200,
			updates: [][]claimRow{{db}, {db}},
			detach:  true,
			want: header +
				"    demo/db         PostgreSQLInstance  gcp    True     False         3s  Unready resources: instance (DatabaseInstance: Creating)\n",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			tbl := newClaimTable(&b, func() int { return tc.width })
			for i, rows := range tc.updates {
				if i == 1 && tc.detach {
					tbl.detach()
				}
				tbl.update(rows)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("%s\nupdate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDatabaseLines(t *testing.T) {
	cases := map[string]struct {
		reason string
		data   map[string]string
		psql   string
		want   []string
	}{
		"URI": {
			reason: "The psql line quotes the Secret's uri for the shell.",
			data: map[string]string{"host": "127.0.0.5", "port": "5432", "username": "app", "password": "it's", "database": "app",
				"uri": "postgresql://app:it%27s@127.0.0.5:5432/app"},
			psql: "psql",
			want: []string{
				"      demo/db (aws): host 127.0.0.5, port 5432, username app, database app, password it's",
				"        psql 'postgresql://app:it%27s@127.0.0.5:5432/app'",
			},
		},
		"NoURI": {
			reason: "Without a uri, one is made from the other keys.",
			data:   map[string]string{"host": "127.0.0.5", "port": "5432", "username": "app", "password": "p@ss", "database": "app"},
			psql:   debianPsql,
			want: []string{
				"      demo/db (aws): host 127.0.0.5, port 5432, username app, database app, password p@ss",
				"        " + debianPsql + " 'postgresql://app:p%40ss@127.0.0.5:5432/app?sslmode=disable'",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, databaseLines("demo/db (aws)", tc.data, tc.psql)); diff != "" {
				t.Errorf("%s\ndatabaseLines(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPsqlCommand(t *testing.T) {
	found := func(string) (string, error) { return "/usr/bin/psql", nil }
	missing := func(string) (string, error) { return "", errors.New("not found") }
	cases := map[string]struct {
		reason string
		look   func(string) (string, error)
		exists bool
		want   string
	}{
		"OnPath":     {reason: "psql on PATH is run by name.", look: found, exists: true, want: "psql"},
		"Debian":     {reason: "Debian's psql, not on PATH, is run by its full path.", look: missing, exists: true, want: debianPsql},
		"NotAnyware": {reason: "With no psql anywhere, the line still says psql.", look: missing, exists: false, want: "psql"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := psqlCommand(tc.look, func(string) bool { return tc.exists })
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\npsqlCommand(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	cases := map[string]struct {
		in, want string
	}{
		"Plain": {in: "postgresql://a:b@h:1/d", want: "'postgresql://a:b@h:1/d'"},
		"Quote": {in: "it's", want: `'it'\''s'`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, shellQuote(tc.in)); diff != "" {
				t.Errorf("shellQuote(%q): -want, +got:\n%s", tc.in, diff)
			}
		})
	}
}

func TestImply(t *testing.T) {
	cases := map[string]struct {
		reason string
		cmd    devCmd
		want   devCmd
	}{
		"Demo": {
			reason: "--demo runs every provider and installs the platform.",
			cmd:    devCmd{Demo: true},
			want:   devCmd{Demo: true, Platform: true, Providers: []string{"aws", "gcp", "azure"}},
		},
		"DemoWithProviders": {
			reason: "--demo keeps the providers that were named.",
			cmd:    devCmd{Demo: true, Providers: []string{"aws"}},
			want:   devCmd{Demo: true, Platform: true, Providers: []string{"aws"}},
		},
		"NoDemo": {
			reason: "Without --demo nothing is implied.",
			cmd:    devCmd{Platform: false},
			want:   devCmd{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.cmd.imply()
			if diff := cmp.Diff(tc.want, tc.cmd); diff != "" {
				t.Errorf("%s\nimply(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDemoWatch(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	obj := func(kind, name string, ready map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "platform.stratus.dev/v1alpha1",
			"kind":       kind,
			"metadata":   map[string]any{"name": name, "namespace": "demo"},
			"spec":       map[string]any{"writeConnectionSecretToRef": map[string]any{"name": name + "-conn"}},
			"status":     map[string]any{"cloud": "aws", "conditions": []any{cond("Synced", "True", "ReconcileSuccess", ""), ready}},
		}}
		u.SetCreationTimestamp(metav1.NewTime(t0.Add(-30 * time.Second)))
		return u
	}
	ready := cond("Ready", "True", "Available", "")
	ready["lastTransitionTime"] = t0.Add(-10 * time.Second).Format(time.RFC3339)
	creating := cond("Ready", "False", "Creating", "Unready resources: instance (DBInstance aws-db-x7k2p-1a2b3c4d: Creating)")
	secret := func(name string, data map[string]string) *corev1.Secret {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name}, Data: map[string][]byte{}}
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
		return s
	}
	claims := []manifest{
		{Source: "aws.yaml#0", Object: obj("PostgreSQLInstance", "aws-db", nil).Object},
		{Source: "aws.yaml#1", Object: obj("ComputeInstance", "aws-vm", nil).Object},
	}
	header := "    NAMESPACE/NAME  KIND                CLOUD  SYNCED   READY    ELAPSED  REASON\n"

	cases := map[string]struct {
		reason  string
		objects []client.Object
		timeout time.Duration
		want    string
	}{
		"AllReady": {
			reason: "Once every claim is Ready the demo says so, then how to reach the databases and machines from their Secrets.",
			objects: []client.Object{
				obj("PostgreSQLInstance", "aws-db", ready), obj("ComputeInstance", "aws-vm", ready),
				secret("aws-db-conn", map[string]string{"host": "127.0.0.9", "port": "5432", "username": "app", "password": "pw", "database": "app", "uri": "postgresql://app:pw@127.0.0.9:5432/app"}),
				secret("aws-vm-conn", map[string]string{"publicIP": "203.0.113.4", "privateIP": "10.0.0.4"}),
			},
			timeout: time.Hour,
			want: header +
				"    demo/aws-db     PostgreSQLInstance  aws    True     True         20s\n" +
				"    demo/aws-vm     ComputeInstance     aws    True     True         20s\n" +
				"==> All 2 demo claims are Ready after 0s\n" +
				"\n" +
				"    Databases (this is a local demo, so the passwords are printed; never print real ones):\n" +
				"      demo/aws-db (aws): host 127.0.0.9, port 5432, username app, database app, password pw\n" +
				"        psql 'postgresql://app:pw@127.0.0.9:5432/app'\n" +
				"    Machines (emulated by the local cloud: their addresses do not answer):\n" +
				"      demo/aws-vm (aws): public IP 203.0.113.4, private IP 10.0.0.4\n" +
				"\n" +
				"    Try:\n" +
				"      export KUBECONFIG=/dev/kubeconfig\n" +
				"      kubectl get postgresqlinstance,computeinstance -n demo\n" +
				"      kubectl get managed\n" +
				"      kubectl describe postgresqlinstance -n demo aws-db\n" +
				"\n" +
				"==> Watching the demo claims; changes are printed below. Press Ctrl-C to stop.\n",
		},
		"NotReadyInTime": {
			reason:  "When time is up the demo names the claims that are not Ready, why, and the logs to read.",
			objects: []client.Object{obj("PostgreSQLInstance", "aws-db", creating), obj("ComputeInstance", "aws-vm", ready)},
			timeout: 0,
			want: header +
				"    demo/aws-db     PostgreSQLInstance  aws    True     False        30s  Unready resources: instance (DBInstance: Creating)\n" +
				"    demo/aws-vm     ComputeInstance     aws    True     True         20s\n" +
				"==> Not all demo claims are Ready after 0s; Stratus keeps running and the table keeps updating.\n" +
				"    demo/aws-db (PostgreSQLInstance): Unready resources: instance (DBInstance aws-db-x7k2p-1a2b3c4d: Creating)\n" +
				"    Look at the claims and what they compose:\n" +
				"      export KUBECONFIG=/dev/kubeconfig\n" +
				"      kubectl describe postgresqlinstance,computeinstance -n demo\n" +
				"      kubectl get managed\n" +
				"    and the logs: /dev/provider-aws.log, /dev/localcloud.log, /dev/core.log\n",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			d := &demo{
				kube:    fake.NewClientBuilder().WithObjects(tc.objects...).Build(),
				env:     demoEnv{Out: &b, Dir: "/dev", Kubeconfig: "/dev/kubeconfig", Kubectl: "kubectl", CoreLog: "/dev/core.log"},
				claims:  claims,
				timeout: tc.timeout,
				poll:    10 * time.Millisecond,
				psql:    "psql",
				now:     func() time.Time { return t0 },
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			d.watch(ctx)
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("%s\nwatch(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
