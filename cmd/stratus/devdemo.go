package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	// demoReadyTimeout is how long the demo waits for every claim to be
	// Ready before it says which are not and where to look.
	demoReadyTimeout = 10 * time.Minute

	// demoPoll is how often the demo reads its claims.
	demoPoll = time.Second

	// demoSecretWait bounds how long the demo waits, once every claim is
	// Ready, for their connection Secrets to be written.
	demoSecretWait = 30 * time.Second

	// reasonWidth is how much of a claim's reason a line shows when stdout
	// is not a terminal.
	reasonWidth = 120

	// debianPsql is where Debian's postgresql-client-15 puts psql, which is
	// not on PATH unless postgresql-client-common's wrapper is installed.
	debianPsql = "/usr/lib/postgresql/15/bin/psql"
)

// A demoEnv is what the demo needs to know about the stratus dev it runs in.
type demoEnv struct {
	// Out receives the table and the summary.
	Out io.Writer
	// Terminal, when set, is the width of the terminal Out is, and the table
	// is redrawn in place; otherwise a line is printed per change.
	Terminal func() int
	// Dir is the dev directory, where the logs are.
	Dir        string
	Kubeconfig string
	Kubectl    string
	// CoreLog says where the core's log goes.
	CoreLog string
}

// A demo applies the demo claims and shows them converge.
type demo struct {
	kube    client.Client
	env     demoEnv
	claims  []manifest
	timeout time.Duration
	poll    time.Duration
	// psql is how the summary runs psql.
	psql string
	now  func() time.Time
}

// runDemo creates the namespaces of the demo claims in fsys, applies the
// claims, and shows a table of them until all are Ready; then it prints how
// to use them and keeps printing their changes until ctx ends. It returns an
// error only when the claims cannot be applied.
func runDemo(ctx context.Context, kube client.Client, fsys fs.FS, env demoEnv) error {
	ms, err := loadManifests(fsys)
	if err != nil {
		return errors.Wrap(err, "cannot load the demo claims")
	}
	d := &demo{kube: kube, env: env, timeout: demoReadyTimeout, poll: demoPoll,
		psql: psqlCommand(exec.LookPath, fileExists), now: time.Now}
	for _, m := range ms {
		if isClaim(m) {
			d.claims = append(d.claims, m)
		}
	}
	if len(d.claims) == 0 {
		return errors.Errorf("no claims of %s among the demo's manifests", platformGroup)
	}
	if err := d.apply(ctx, ms); err != nil {
		return err
	}
	d.watch(ctx)
	return nil
}

// platformGroup is the API group of the portable platform's claims.
const platformGroup = "platform.stratus.dev"

func isClaim(m manifest) bool {
	av, _ := m.Object["apiVersion"].(string)
	gv, err := schema.ParseGroupVersion(av)
	return err == nil && gv.Group == platformGroup
}

func (d *demo) sayf(format string, args ...any) {
	fmt.Fprintf(d.env.Out, format+"\n", args...)
}

// apply creates the namespaces the manifests name, then the manifests.
func (d *demo) apply(ctx context.Context, ms []manifest) error {
	var nss []string
	for _, m := range ms {
		if ns, _, _ := unstructured.NestedString(m.Object, "metadata", "namespace"); ns != "" && !slices.Contains(nss, ns) {
			nss = append(nss, ns)
		}
	}
	d.sayf("==> Creating the demo: %s in namespace %s", plural(len(d.claims), "claim", "claims"), strings.Join(nss, ", "))
	for _, ns := range nss {
		if err := apply(ctx, d.kube, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}); err != nil {
			return err
		}
	}
	for _, m := range ms {
		if err := apply(ctx, d.kube, m.Object); err != nil {
			return errors.Wrapf(err, "cannot apply the demo claim from %s", m.Source)
		}
	}
	return nil
}

// watch shows the claims converge, then keeps reporting their changes until
// ctx ends.
func (d *demo) watch(ctx context.Context) {
	t := newClaimTable(d.env.Out, d.env.Terminal)
	start := d.now()
	ready, warned := false, false
	for {
		rows, objs := d.rows(ctx)
		t.update(rows)
		switch {
		case !ready && d.allReady(objs):
			ready = true
			t.detach()
			d.sayf("==> All %s are Ready after %s", plural(len(d.claims), "demo claim", "demo claims"), duration(d.now().Sub(start)))
			d.summary(ctx, objs)
		case !ready && !warned && d.now().Sub(start) >= d.timeout:
			warned = true
			t.breakFrame()
			d.notReady(rows)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(d.poll):
		}
	}
}

// rows reads every claim of the demo's kinds in the demo's namespaces, the
// demo's own and any a person added. A failed read leaves the claims of that
// kind out until the next poll.
func (d *demo) rows(ctx context.Context) ([]claimRow, map[string]*unstructured.Unstructured) {
	type list struct {
		gvk schema.GroupVersionKind
		ns  string
	}
	var lists []list
	for _, m := range d.claims {
		u := &unstructured.Unstructured{Object: m.Object}
		l := list{gvk: u.GroupVersionKind(), ns: u.GetNamespace()}
		if !slices.Contains(lists, l) {
			lists = append(lists, l)
		}
	}
	objs := map[string]*unstructured.Unstructured{}
	now := d.now()
	var rows []claimRow
	for _, l := range lists {
		ul := &unstructured.UnstructuredList{}
		ul.SetGroupVersionKind(l.gvk.GroupVersion().WithKind(l.gvk.Kind + "List"))
		if err := d.kube.List(ctx, ul, client.InNamespace(l.ns)); err != nil {
			continue
		}
		for i := range ul.Items {
			u := &ul.Items[i]
			objs[claimKey(u.GetKind(), u.GetNamespace(), u.GetName())] = u
			rows = append(rows, rowFor(u, now))
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Name != rows[j].Name {
			return rows[i].Name < rows[j].Name
		}
		return rows[i].Kind < rows[j].Kind
	})
	return rows, objs
}

func claimKey(kind, ns, name string) string { return kind + " " + ns + "/" + name }

// allReady reports whether every demo claim exists and is Ready.
func (d *demo) allReady(objs map[string]*unstructured.Unstructured) bool {
	for _, m := range d.claims {
		u := &unstructured.Unstructured{Object: m.Object}
		o, ok := objs[claimKey(u.GetKind(), u.GetNamespace(), u.GetName())]
		if !ok || conditionsOf(o)["Ready"].Status != "True" {
			return false
		}
	}
	return true
}

// notReady says which demo claims are not Ready and where to look.
func (d *demo) notReady(rows []claimRow) {
	d.sayf("==> Not all demo claims are Ready after %s; Stratus keeps running and the table keeps updating.", duration(d.timeout))
	logs := []string{}
	for _, r := range rows {
		if r.Ready == "True" {
			continue
		}
		d.sayf("    %s (%s): %s", r.Name, r.Kind, r.Reason)
		if l := filepath.Join(d.env.Dir, "provider-"+r.Cloud+".log"); slices.Contains(knownProviders, r.Cloud) && !slices.Contains(logs, l) {
			logs = append(logs, l)
		}
	}
	logs = append(logs, filepath.Join(d.env.Dir, "localcloud.log"), d.env.CoreLog)
	d.sayf("    Look at the claims and what they compose:")
	d.sayf("      export KUBECONFIG=%s", d.env.Kubeconfig)
	d.sayf("      %s describe %s -n %s", d.env.Kubectl, d.kinds(), claimNamespace(d.claims[0]))
	d.sayf("      %s get managed", d.env.Kubectl)
	d.sayf("    and the logs: %s", strings.Join(logs, ", "))
}

// summary prints, once every claim is Ready, how to connect to the
// databases, the machines' addresses and what to try with kubectl.
func (d *demo) summary(ctx context.Context, objs map[string]*unstructured.Unstructured) {
	var dbs, vms []string
	for _, m := range d.claims {
		u := &unstructured.Unstructured{Object: m.Object}
		o := objs[claimKey(u.GetKind(), u.GetNamespace(), u.GetName())]
		data, err := d.connection(ctx, o)
		label := fmt.Sprintf("%s/%s (%s)", o.GetNamespace(), o.GetName(), cloudOf(o))
		switch {
		case err != nil:
			dbs = append(dbs, "      "+label+": "+err.Error())
		case data["uri"] != "" || data["host"] != "":
			dbs = append(dbs, databaseLines(label, data, d.psql)...)
		default:
			vms = append(vms, machineLine(label, data))
		}
	}
	if ctx.Err() != nil {
		return // Stopping: the Secrets were not read.
	}
	d.sayf("")
	if len(dbs) > 0 {
		d.sayf("    Databases (this is a local demo, so the passwords are printed; never print real ones):")
		for _, l := range dbs {
			d.sayf("%s", l)
		}
	}
	if len(vms) > 0 {
		d.sayf("    Machines (emulated by the local cloud: their addresses do not answer):")
		for _, l := range vms {
			d.sayf("%s", l)
		}
	}
	first := d.claims[0]
	d.sayf("")
	d.sayf("    Try:")
	d.sayf("      export KUBECONFIG=%s", d.env.Kubeconfig)
	d.sayf("      %s get %s -n %s", d.env.Kubectl, d.kinds(), claimNamespace(first))
	d.sayf("      %s get managed", d.env.Kubectl)
	d.sayf("      %s describe %s -n %s %s", d.env.Kubectl, strings.ToLower(first.kind()), claimNamespace(first), first.name())
	d.sayf("")
	d.sayf("==> Watching the demo claims; changes are printed below. Press Ctrl-C to stop.")
}

// kinds names the kinds of the demo claims for kubectl:
// "postgresqlinstance,computeinstance".
func (d *demo) kinds() string {
	var ks []string
	for _, m := range d.claims {
		if k := strings.ToLower(m.kind()); !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, ",")
}

func claimNamespace(m manifest) string {
	ns, _, _ := unstructured.NestedString(m.Object, "metadata", "namespace")
	return ns
}

// connection waits a little for the connection Secret of the claim o and
// returns its data.
func (d *demo) connection(ctx context.Context, o *unstructured.Unstructured) (map[string]string, error) {
	name, _, _ := unstructured.NestedString(o.Object, "spec", "writeConnectionSecretToRef", "name")
	if name == "" {
		return nil, errors.New("writes no connection Secret")
	}
	ctx, cancel := context.WithTimeout(ctx, demoSecretWait)
	defer cancel()
	for {
		s := &corev1.Secret{}
		if err := d.kube.Get(ctx, types.NamespacedName{Namespace: o.GetNamespace(), Name: name}, s); err == nil && len(s.Data) > 0 {
			data := make(map[string]string, len(s.Data))
			for k, v := range s.Data {
				data[k] = string(v)
			}
			return data, nil
		}
		select {
		case <-ctx.Done():
			return nil, errors.Errorf("its connection Secret %s/%s is missing or empty after %s", o.GetNamespace(), name, demoSecretWait)
		case <-time.After(d.poll):
		}
	}
}

// databaseLines describe one database: its connection details and a psql
// command that connects to it.
func databaseLines(label string, data map[string]string, psql string) []string {
	uri := data["uri"]
	if uri == "" {
		uri = (&url.URL{
			Scheme:   "postgresql",
			User:     url.UserPassword(data["username"], data["password"]),
			Host:     data["host"] + ":" + data["port"],
			Path:     "/" + data["database"],
			RawQuery: "sslmode=disable",
		}).String()
	}
	return []string{
		fmt.Sprintf("      %s: host %s, port %s, username %s, database %s, password %s",
			label, orDash(data["host"]), orDash(data["port"]), orDash(data["username"]), orDash(data["database"]), orDash(data["password"])),
		"        " + psql + " " + shellQuote(uri),
	}
}

// machineLine describes one machine by its addresses.
func machineLine(label string, data map[string]string) string {
	return fmt.Sprintf("      %s: public IP %s, private IP %s", label, orDash(data["publicIP"]), orDash(data["privateIP"]))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// psqlCommand is how to run psql here: psql when it is on PATH, otherwise
// Debian's full path when it is there.
func psqlCommand(lookPath func(string) (string, error), exists func(string) bool) string {
	if _, err := lookPath("psql"); err == nil {
		return "psql"
	}
	if exists(debianPsql) {
		return debianPsql
	}
	return "psql"
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// A condition is the part of a Kubernetes condition the demo shows.
type condition struct {
	Status  string
	Reason  string
	Message string
}

// conditionsOf returns the conditions of u by type.
func conditionsOf(u *unstructured.Unstructured) map[string]condition {
	out := map[string]condition{}
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		out[str("type")] = condition{Status: str("status"), Reason: str("reason"), Message: str("message")}
	}
	return out
}

// conditionText is what a person needs from a condition: its message, or
// its reason when it has none.
func conditionText(c condition) string {
	switch {
	case c.Message != "":
		return c.Message
	case c.Reason != "":
		return c.Reason
	default:
		return "status " + c.Status
	}
}

// A claimRow is one line of the demo's table: a claim as a person reads it.
type claimRow struct {
	Name   string // namespace/name
	Kind   string
	Cloud  string
	Synced string
	Ready  string
	// Reason explains why the claim is not Ready, or what failed.
	Reason string
	// Elapsed is how long the claim took to be Ready, or has existed while
	// it is not.
	Elapsed time.Duration
}

// rowFor describes the claim u as of now.
func rowFor(u *unstructured.Unstructured, now time.Time) claimRow {
	conds := conditionsOf(u)
	r := claimRow{
		Name:   u.GetNamespace() + "/" + u.GetName(),
		Kind:   u.GetKind(),
		Cloud:  cloudOf(u),
		Synced: "-",
		Ready:  "-",
	}
	// A claim's Synced is False when it cannot be bound or its composite
	// resource cannot be composed; CompositeSynced carries the latter too
	// (older cores set only that). Either False means the claim is failing.
	if c, ok := conds["Synced"]; ok {
		r.Synced = c.Status
	}
	for _, t := range []string{"Synced", "CompositeSynced"} {
		if c, ok := conds[t]; ok && c.Status == "False" {
			r.Synced, r.Reason = "False", conditionText(c)
			break
		}
	}
	ready, ok := conds["Ready"]
	if ok {
		r.Ready = ready.Status
	}
	switch {
	case r.Reason != "":
	case !ok && u.GetDeletionTimestamp() != nil:
		r.Reason = "deleting"
	case !ok:
		r.Reason = "waiting for the core to bind the claim"
	case ready.Status != "True":
		r.Reason = conditionText(ready)
	}
	r.Elapsed = elapsed(u, r.Ready == "True", now)
	return r
}

// cloudOf is the cloud the claim u runs on, as its Composition reports it,
// or as its selector asks until then.
func cloudOf(u *unstructured.Unstructured) string {
	if c, _, _ := unstructured.NestedString(u.Object, "status", "cloud"); c != "" {
		return c
	}
	if c, _, _ := unstructured.NestedString(u.Object, "spec", "compositionSelector", "matchLabels", "provider"); c != "" {
		return c
	}
	return "-"
}

// elapsed is how long the claim u took to become ready, or has existed.
func elapsed(u *unstructured.Unstructured, ready bool, now time.Time) time.Duration {
	created := u.GetCreationTimestamp().Time
	d := now.Sub(created)
	if ready {
		if at := readySince(u); !at.IsZero() {
			d = at.Sub(created)
		}
	}
	return max(d, 0)
}

// readySince returns when the Ready condition of u last changed.
func readySince(u *unstructured.Unstructured) time.Time {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Ready" {
			continue
		}
		s, _ := m["lastTransitionTime"].(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}
		}
		return t
	}
	return time.Time{}
}

// A claimTable prints claim rows: redrawn in place on a terminal, or a line
// per changed row otherwise.
type claimTable struct {
	out io.Writer
	// width is the terminal's width; nil when out is not a terminal.
	width   func() int
	inPlace bool

	nameW, kindW int
	header       bool
	last         map[string]claimRow
	drawn        int // lines of the frame drawn in place
}

func newClaimTable(out io.Writer, width func() int) *claimTable {
	return &claimTable{out: out, width: width, inPlace: width != nil, nameW: len("NAMESPACE/NAME"), kindW: len("KIND"), last: map[string]claimRow{}}
}

// update shows rows: a new frame in place, or the rows that changed since
// the last update.
func (t *claimTable) update(rows []claimRow) {
	for _, r := range rows {
		t.nameW = max(t.nameW, utf8.RuneCountInString(r.Name))
		t.kindW = max(t.kindW, utf8.RuneCountInString(r.Kind))
	}
	if t.inPlace {
		t.redraw(rows)
	} else {
		t.changes(rows)
	}
	t.last = make(map[string]claimRow, len(rows))
	for _, r := range rows {
		t.last[r.Kind+" "+r.Name] = r
	}
}

// detach leaves the last frame where it is: later updates print changes
// below it.
func (t *claimTable) detach() {
	t.inPlace = false
	t.drawn = 0
	t.header = true
}

// breakFrame starts the next frame below whatever was printed since the
// last one.
func (t *claimTable) breakFrame() { t.drawn = 0 }

func (t *claimTable) redraw(rows []claimRow) {
	w := t.width()
	var b strings.Builder
	if t.drawn > 0 {
		// Up to the first line of the last frame, and erase it all.
		fmt.Fprintf(&b, "\x1b[%dA\r\x1b[J", t.drawn)
	}
	lines := append([]string{t.headerLine()}, make([]string, 0, len(rows))...)
	for _, r := range rows {
		lines = append(lines, t.line(r, t.reasonWidth()))
	}
	for _, l := range lines {
		b.WriteString(truncate(l, w-1))
		b.WriteString("\n")
	}
	t.drawn = len(lines)
	_, _ = io.WriteString(t.out, b.String())
}

func (t *claimTable) changes(rows []claimRow) {
	var b strings.Builder
	seen := map[string]bool{}
	for _, r := range rows {
		k := r.Kind + " " + r.Name
		seen[k] = true
		if old, ok := t.last[k]; ok && t.sameLine(old, r) {
			continue
		}
		b.WriteString(t.line(r, t.reasonWidth()))
		b.WriteString("\n")
	}
	gone := make([]string, 0)
	for k, r := range t.last {
		if !seen[k] {
			gone = append(gone, fmt.Sprintf("    %-*s  %-*s  deleted\n", t.nameW, r.Name, t.kindW, r.Kind))
		}
	}
	sort.Strings(gone)
	for _, g := range gone {
		b.WriteString(g)
	}
	if b.Len() == 0 {
		return
	}
	if !t.header {
		t.header = true
		_, _ = io.WriteString(t.out, t.headerLine()+"\n")
	}
	_, _ = io.WriteString(t.out, b.String())
}

// sameLine reports whether two rows print the same, elapsed time aside.
func (t *claimTable) sameLine(a, b claimRow) bool {
	a.Elapsed, b.Elapsed = 0, 0
	return t.line(a, reasonWidth) == t.line(b, reasonWidth)
}

// reasonWidth is how much of a reason fits on a line: the rest of the
// terminal's width, or reasonWidth.
func (t *claimTable) reasonWidth() int {
	if t.width == nil {
		return reasonWidth
	}
	return max(t.width()-t.fixedWidth()-1, 20)
}

// Columns after NAMESPACE/NAME and KIND.
const (
	cloudW   = 5
	statusW  = 7
	elapsedW = 7
)

// fixedWidth is the width of a line up to its reason.
func (t *claimTable) fixedWidth() int {
	return len("    ") + t.nameW + 2 + t.kindW + 2 + cloudW + 2 + statusW + 2 + statusW + 2 + elapsedW + 2
}

func (t *claimTable) headerLine() string {
	return strings.TrimRight(fmt.Sprintf("    %-*s  %-*s  %-*s  %-*s  %-*s  %*s  %s",
		t.nameW, "NAMESPACE/NAME", t.kindW, "KIND", cloudW, "CLOUD", statusW, "SYNCED", statusW, "READY", elapsedW, "ELAPSED", "REASON"), " ")
}

func (t *claimTable) line(r claimRow, reasonW int) string {
	return strings.TrimRight(fmt.Sprintf("    %-*s  %-*s  %-*s  %-*s  %-*s  %*s  %s",
		t.nameW, r.Name, t.kindW, r.Kind, cloudW, r.Cloud, statusW, r.Synced, statusW, r.Ready, elapsedW, duration(r.Elapsed), shortReason(r, reasonW)), " ")
}

// unreadyName matches the generated name of a composed resource in a
// claim's Ready message: "instance (DBInstance aws-db-x7k2p-1a2b3c4d:
// Creating)". The name says nothing the claim's name does not.
var unreadyName = regexp.MustCompile(`\((\w+) [a-z0-9][a-z0-9.-]*: `)

// shortReason puts the reason of r on one line of at most n characters. A
// failure keeps its end, where the cause is; a wait keeps its start, without
// the generated names of the resources it waits for.
func shortReason(r claimRow, n int) string {
	s := strings.Join(strings.Fields(r.Reason), " ")
	if n <= 0 {
		return ""
	}
	if r.Synced == "False" {
		return keepTail(s, n)
	}
	return truncate(unreadyName.ReplaceAllString(s, "($1: "), n)
}

// keepTail cuts s to its last n characters, starting after one of its ": "
// when one leaves enough, behind an ellipsis.
func keepTail(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	for i := 0; i+2 <= len(s); i++ {
		if s[i:i+2] == ": " && utf8.RuneCountInString(s[i+2:]) <= n-1 {
			return "…" + s[i+2:]
		}
	}
	r := []rune(s)
	return "…" + string(r[len(r)-(n-1):])
}

// truncate cuts s to n characters, the last an ellipsis when it was cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// duration formats d to the second: 45s, 1m23s.
func duration(d time.Duration) string {
	return d.Round(time.Second).String()
}

// terminalWidth returns the width of the terminal f is, or nil when it is
// not one.
func terminalWidth(f *os.File) func() int {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	return func() int {
		w, _, err := term.GetSize(fd)
		if err != nil || w < 40 {
			return 80
		}
		return w
	}
}

// redirectStderr sends this process's standard error (the core's log, and
// client-go's) to the file at path, so that it does not break the table
// redrawn on the terminal, and returns a function that restores it.
func redirectStderr(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot create %s", path)
	}
	saved, err := unix.Dup(unix.Stderr)
	if err != nil {
		_ = f.Close()
		return nil, errors.Wrap(err, "cannot duplicate standard error")
	}
	if err := unix.Dup2(int(f.Fd()), unix.Stderr); err != nil {
		_ = f.Close()
		_ = unix.Close(saved)
		return nil, errors.Wrap(err, "cannot redirect standard error")
	}
	return func() {
		_ = unix.Dup2(saved, unix.Stderr)
		_ = unix.Close(saved)
		_ = f.Close()
	}, nil
}
