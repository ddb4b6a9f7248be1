package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/test/harness"
)

// The portable platform's API (package/platform).
const (
	platformGroup   = "platform.stratus.dev"
	platformVersion = "v1alpha1"
	// claimTimeout bounds how long a claim may take to become Ready, or
	// to be gone once deleted.
	claimTimeout = 5 * time.Minute
)

// Connection Secret keys of each claim kind, as the XRDs list them.
var (
	databaseKeys = []string{"host", "port", "username", "password", "database", "uri"}
	computeKeys  = []string{"privateIP"}
)

// A platformEnv is a running stratus dev with the three providers and the
// platform installed, shared by the subtests of TestPlatform.
type platformEnv struct {
	root string
	dev  *devProcess
	kube client.Client
	lc   localcloud.Endpoints
}

// TestPlatform proves the portable platform end to end: one stratus dev runs
// the three providers on the local cloud with the platform installed, and
// the same claims are satisfied on AWS, GCP and Azure (a subtest per cloud,
// in parallel), while a claim with an invalid parameter is refused on every
// cloud without creating anything.
func TestPlatform(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	// The providers are built from this tree (make test does not run make
	// build), beside the control plane binaries make tools built.
	dev := startDev(t, root, buildStratus(t, root), "--providers", "aws,gcp,azure", "--platform", "--bin-dir", demoBinDir(t, root))
	cfg, err := clientcmd.BuildConfigFromFlags("", dev.kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	kube, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &platformEnv{root: root, dev: dev, kube: kube, lc: dev.localCloud(t)}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, name := range []string{"provider-aws.log", "provider-gcp.log", "provider-azure.log", "localcloud.log"} {
			b, _ := os.ReadFile(filepath.Join(dev.state, name))
			t.Logf("%s (tail):\n%s", name, tail(string(b), 40))
		}
	})

	t.Run("aws", func(t *testing.T) { t.Parallel(); testPlatformAWS(t, p) })
	t.Run("gcp", func(t *testing.T) { t.Parallel(); testPlatformGCP(t, p) })
	t.Run("azure", func(t *testing.T) { t.Parallel(); testPlatformAzure(t, p) })
	t.Run("invalid", func(t *testing.T) { t.Parallel(); testPlatformInvalid(t, p) })
}

// testPlatformInvalid submits claims of both kinds with size "huge" on every
// cloud: each claim reports the bad parameter on its Synced condition and
// nothing is composed.
func testPlatformInvalid(t *testing.T, p *platformEnv) {
	ns := p.namespace(t)
	var claims []*unstructured.Unstructured
	for _, cloud := range []string{"aws", "gcp", "azure"} {
		claims = append(claims,
			newClaim("PostgreSQLInstance", ns, cloud+"-huge-db", cloud, map[string]any{"size": "huge"}),
			newClaim("ComputeInstance", ns, cloud+"-huge-vm", cloud, map[string]any{"size": "huge"}))
	}
	for _, c := range claims {
		p.create(t, c)
	}
	for _, c := range claims {
		p.waitFor(t, c, time.Minute, func(u *unstructured.Unstructured) (bool, string) {
			s := condition(u, "Synced")
			if s["status"] != "False" {
				return false, fmt.Sprintf("Synced is %v: %v", s["status"], s["message"])
			}
			msg, _ := s["message"].(string)
			if !strings.Contains(msg, "spec.parameters.size") || !strings.Contains(msg, `"huge"`) {
				return false, fmt.Sprintf("Synced message %q should name spec.parameters.size and \"huge\"", msg)
			}
			return true, ""
		})
		sel := c.Object["spec"].(map[string]any)["compositionSelector"]
		t.Logf("%s %s (%v): Synced False: %s", c.GetKind(), c.GetName(), sel, condition(c, "Synced")["message"])
	}
	// The pipeline stopped at the bad parameter, so nothing was applied;
	// the XRs stay that way however often they are composed again.
	time.Sleep(3 * time.Second)
	for _, c := range claims {
		if got := p.composed(t, c); len(got) != 0 {
			t.Errorf("%s %s composed %d resources; want none", c.GetKind(), c.GetName(), len(got))
		}
		if left := p.managedFor(t, c); len(left) != 0 {
			t.Errorf("%s %s has managed resources: %s", c.GetKind(), c.GetName(), strings.Join(left, ", "))
		}
	}
	for _, c := range claims {
		p.deleteClaim(t, c)
	}
}

// namespace creates a namespace for the calling (sub)test.
func (p *platformEnv) namespace(t *testing.T) string {
	t.Helper()
	name := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: strings.Trim(name, "-")}}
	if err := p.kube.Create(context.Background(), ns); err != nil && !kerrors.IsAlreadyExists(err) {
		t.Fatalf("cannot create namespace %s: %v", ns.Name, err)
	}
	return ns.Name
}

// newClaim returns a claim of the platform's kind ("PostgreSQLInstance" or
// "ComputeInstance") that selects the Composition of cloud and writes its
// connection Secret <name>-conn.
func newClaim(kind, ns, name, cloud string, params map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{
			"parameters":                 jsonValue(params),
			"compositionSelector":        map[string]any{"matchLabels": map[string]any{"provider": cloud}},
			"writeConnectionSecretToRef": map[string]any{"name": name + "-conn"},
		},
	}}
	u.SetAPIVersion(platformGroup + "/" + platformVersion)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// jsonValue returns v with Go ints as int64, as unstructured objects need.
func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonValue(e)
		}
		return out
	case int:
		return int64(v)
	case int32:
		return int64(v)
	default:
		return v
	}
}

// create creates u.
func (p *platformEnv) create(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	if err := p.kube.Create(context.Background(), u); err != nil {
		t.Fatalf("cannot create %s %s: %v", u.GetKind(), u.GetName(), err)
	}
}

// waitFor refreshes u until ok says it is done, or fails the test after
// timeout with the last reason and what the claim is made of.
func (p *platformEnv) waitFor(t *testing.T, u *unstructured.Unstructured, timeout time.Duration, ok func(*unstructured.Unstructured) (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var why string
	for {
		err := p.kube.Get(context.Background(), client.ObjectKeyFromObject(u), u)
		if err == nil {
			var done bool
			if done, why = ok(u); done {
				return
			}
		} else {
			why = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s/%s: not there after %s: %s\n%s", u.GetKind(), u.GetNamespace(), u.GetName(), timeout, why, p.describe(t, u))
		}
		time.Sleep(2 * time.Second)
	}
}

// waitReady waits until the claim u is Ready.
func (p *platformEnv) waitReady(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	start := time.Now()
	p.waitFor(t, u, claimTimeout, func(u *unstructured.Unstructured) (bool, string) {
		r := condition(u, "Ready")
		return r["status"] == "True", fmt.Sprintf("Ready is %v (%v): %v", r["status"], r["reason"], r["message"])
	})
	t.Logf("%s %s/%s is Ready after %s", u.GetKind(), u.GetNamespace(), u.GetName(), time.Since(start).Round(time.Second))
}

// describe says what a claim's conditions, its XR's and its composed
// resources' are, for failure messages.
func (p *platformEnv) describe(t *testing.T, claim *unstructured.Unstructured) string {
	t.Helper()
	var b strings.Builder
	line := func(u *unstructured.Unstructured) {
		fmt.Fprintf(&b, "  %s %s:", u.GetKind(), u.GetName())
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			if m, ok := c.(map[string]any); ok {
				fmt.Fprintf(&b, " [%v=%v %v: %v]", m["type"], m["status"], m["reason"], m["message"])
			}
		}
		b.WriteString("\n")
	}
	line(claim)
	xr := p.xr(claim)
	if xr == nil {
		b.WriteString("  (no composite resource yet)\n")
		return b.String()
	}
	line(xr)
	for _, r := range p.refs(xr) {
		if err := p.kube.Get(context.Background(), client.ObjectKeyFromObject(r), r); err != nil {
			fmt.Fprintf(&b, "  %s %s: %v\n", r.GetKind(), r.GetName(), err)
			continue
		}
		line(r)
	}
	return b.String()
}

// xr returns the composite resource of claim, or nil if it has none (yet).
func (p *platformEnv) xr(claim *unstructured.Unstructured) *unstructured.Unstructured {
	name, _, _ := unstructured.NestedString(claim.Object, "spec", "resourceRef", "name")
	if name == "" {
		return nil
	}
	xr := &unstructured.Unstructured{}
	xr.SetGroupVersionKind(schema.GroupVersionKind{Group: platformGroup, Version: platformVersion, Kind: "X" + claim.GetKind()})
	if err := p.kube.Get(context.Background(), client.ObjectKey{Name: name}, xr); err != nil {
		return nil
	}
	return xr
}

// refs returns (empty) objects for the resource references of xr.
func (p *platformEnv) refs(xr *unstructured.Unstructured) []*unstructured.Unstructured {
	refs, _, _ := unstructured.NestedSlice(xr.Object, "spec", "resourceRefs")
	out := make([]*unstructured.Unstructured, 0, len(refs))
	for _, r := range refs {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(fmt.Sprint(m["apiVersion"]))
		u.SetKind(fmt.Sprint(m["kind"]))
		u.SetName(fmt.Sprint(m["name"]))
		if ns, ok := m["namespace"].(string); ok {
			u.SetNamespace(ns)
		}
		out = append(out, u)
	}
	return out
}

// composed returns the resources composed for claim, as they are now.
func (p *platformEnv) composed(t *testing.T, claim *unstructured.Unstructured) []*unstructured.Unstructured {
	t.Helper()
	if err := p.kube.Get(context.Background(), client.ObjectKeyFromObject(claim), claim); err != nil {
		t.Fatalf("cannot get %s %s: %v", claim.GetKind(), claim.GetName(), err)
	}
	xr := p.xr(claim)
	if xr == nil {
		return nil
	}
	var out []*unstructured.Unstructured
	for _, r := range p.refs(xr) {
		if err := p.kube.Get(context.Background(), client.ObjectKeyFromObject(r), r); err != nil {
			t.Fatalf("cannot get composed %s %s: %v", r.GetKind(), r.GetName(), err)
		}
		out = append(out, r)
	}
	return out
}

// managedFor lists the managed resources (every kind in the "managed"
// category) labeled as belonging to claim, as "Kind name".
func (p *platformEnv) managedFor(t *testing.T, claim *unstructured.Unstructured) []string {
	t.Helper()
	crds := &unstructured.UnstructuredList{}
	crds.SetAPIVersion("apiextensions.k8s.io/v1")
	crds.SetKind("CustomResourceDefinitionList")
	if err := p.kube.List(context.Background(), crds); err != nil {
		t.Fatalf("cannot list CRDs: %v", err)
	}
	var out []string
	for _, crd := range crds.Items {
		cats, _, _ := unstructured.NestedStringSlice(crd.Object, "spec", "names", "categories")
		if !slices.Contains(cats, "managed") {
			continue
		}
		group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
		versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
		if len(versions) == 0 {
			continue
		}
		v, _ := versions[0].(map[string]any)
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(schema.GroupVersionKind{Group: group, Version: fmt.Sprint(v["name"]), Kind: kind + "List"})
		if err := p.kube.List(context.Background(), l, client.MatchingLabels{
			"crossplane.io/claim-name": claim.GetName(), "crossplane.io/claim-namespace": claim.GetNamespace(),
		}); err != nil {
			t.Fatalf("cannot list %s: %v", kind, err)
		}
		for _, i := range l.Items {
			out = append(out, kind+" "+i.GetName())
		}
	}
	return out
}

// secret waits until the Secret ns/name holds every key of its claim's kind
// (databaseKeys, or computeKeys for a Secret without a host) and returns its
// data.
func (p *platformEnv) secret(t *testing.T, ns, name string) map[string][]byte {
	t.Helper()
	s := &corev1.Secret{}
	deadline := time.Now().Add(time.Minute)
	for {
		err := p.kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s)
		var why string
		if err == nil {
			want := computeKeys
			if _, ok := s.Data["host"]; ok {
				want = databaseKeys
			}
			var missing []string
			for _, k := range want {
				if len(s.Data[k]) == 0 {
					missing = append(missing, k)
				}
			}
			if len(missing) == 0 {
				return s.Data
			}
			why = "missing keys " + strings.Join(missing, ", ")
		} else {
			why = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("Secret %s/%s: %s", ns, name, why)
		}
		time.Sleep(time.Second)
	}
}

// checkPostgres connects to the database of a PostgreSQLInstance's Secret,
// once with its uri and once with its separate keys, and writes and reads
// a row.
func (p *platformEnv) checkPostgres(t *testing.T, conn map[string][]byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	byURI, err := pgx.ParseConfig(string(conn["uri"]))
	if err != nil {
		t.Fatalf("the Secret's uri does not parse: %v", err)
	}
	byKeys, err := pgx.ParseConfig("")
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.ParseUint(string(conn["port"]), 10, 16)
	if err != nil {
		t.Fatalf("the Secret's port %q: %v", conn["port"], err)
	}
	byKeys.Host, byKeys.Port = string(conn["host"]), uint16(port)
	byKeys.User, byKeys.Password, byKeys.Database = string(conn["username"]), string(conn["password"]), string(conn["database"])
	for i, cfg := range []*pgx.ConnConfig{byURI, byKeys} {
		var c *pgx.Conn
		for {
			if c, err = pgx.ConnectConfig(ctx, cfg); err == nil || ctx.Err() != nil {
				break
			}
			time.Sleep(time.Second)
		}
		if err != nil {
			t.Fatalf("cannot connect with the Secret's %s: %v", []string{"uri", "host, port, username, password and database"}[i], err)
		}
		var db, user string
		if err := c.QueryRow(ctx, "select current_database(), current_user").Scan(&db, &user); err != nil {
			t.Fatalf("cannot query: %v", err)
		}
		if db != string(conn["database"]) || user != string(conn["username"]) {
			t.Errorf("connected to database %q as %q; the Secret says %q as %q", db, user, conn["database"], conn["username"])
		}
		if _, err := c.Exec(ctx, "create table if not exists e2e (n int); insert into e2e values (1)"); err != nil {
			t.Fatalf("cannot write to database %s: %v", db, err)
		}
		var n int
		if err := c.QueryRow(ctx, "select count(*) from e2e").Scan(&n); err != nil || n != i+1 {
			t.Fatalf("read back %d rows (%v); want %d", n, err, i+1)
		}
		_ = c.Close(ctx)
	}
}

// setParam sets spec.parameters.<path> of the claim u to value.
func (p *platformEnv) setParam(t *testing.T, u *unstructured.Unstructured, value any, path ...string) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := p.kube.Get(context.Background(), client.ObjectKeyFromObject(u), u); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(u.Object, jsonValue(value), append([]string{"spec", "parameters"}, path...)...); err != nil {
			return err
		}
		return p.kube.Update(context.Background(), u)
	})
	if err != nil {
		t.Fatalf("cannot set spec.parameters.%s of %s %s: %v", strings.Join(path, "."), u.GetKind(), u.GetName(), err)
	}
}

// deleteClaim deletes the claim u and waits until it, its XR and every
// resource composed for it are gone.
func (p *platformEnv) deleteClaim(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	if err := p.kube.Get(ctx, client.ObjectKeyFromObject(u), u); err != nil {
		t.Fatalf("cannot get %s %s: %v", u.GetKind(), u.GetName(), err)
	}
	gone := []*unstructured.Unstructured{u.DeepCopy()}
	var uid string
	if xr := p.xr(u); xr != nil {
		uid = string(xr.GetUID())
		gone = append(gone, xr)
		gone = append(gone, p.refs(xr)...)
	}
	if err := p.kube.Delete(ctx, u); err != nil && !kerrors.IsNotFound(err) {
		t.Fatalf("cannot delete %s %s: %v", u.GetKind(), u.GetName(), err)
	}
	start := time.Now()
	deadline := start.Add(claimTimeout)
	for {
		var left []string
		for _, o := range gone {
			c := o.DeepCopy()
			err := p.kube.Get(ctx, client.ObjectKeyFromObject(o), c)
			switch {
			case kerrors.IsNotFound(err):
			case err != nil:
				left = append(left, fmt.Sprintf("%s %s (%v)", o.GetKind(), o.GetName(), err))
			default:
				r := condition(c, "Ready")
				left = append(left, fmt.Sprintf("%s %s (Ready %v %v: %v)", o.GetKind(), o.GetName(), r["status"], r["reason"], r["message"]))
			}
		}
		if uid != "" {
			// The Compositions name the Secrets they keep in stratus-system
			// (passwords, managed resources' connection details) after
			// the XR's UID; none may outlive the claim.
			secrets := &corev1.SecretList{}
			if err := p.kube.List(ctx, secrets, client.InNamespace("stratus-system")); err != nil {
				t.Fatalf("cannot list Secrets: %v", err)
			}
			for _, sec := range secrets.Items {
				if strings.HasPrefix(sec.Name, uid) {
					left = append(left, "Secret stratus-system/"+sec.Name)
				}
			}
		}
		if len(left) == 0 {
			t.Logf("%s %s/%s, its composite resource and everything composed for it (%d resources) are gone after %s", u.GetKind(), u.GetNamespace(), u.GetName(), max(len(gone)-2, 0), time.Since(start).Round(time.Second))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s/%s deleted %s ago, but these remain:\n  %s", u.GetKind(), u.GetNamespace(), u.GetName(), claimTimeout, strings.Join(left, "\n  "))
		}
		time.Sleep(2 * time.Second)
	}
}

// condition returns the condition of type ct of u, or an empty map.
func condition(u *unstructured.Unstructured, ct string) map[string]any {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == ct {
			return m
		}
	}
	return map[string]any{}
}

// claimStatus returns status.<path> of the claim u as a string.
func claimStatus(u *unstructured.Unstructured, path ...string) string {
	v, _, _ := unstructured.NestedFieldNoCopy(u.Object, append([]string{"status"}, path...)...)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
