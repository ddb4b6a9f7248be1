// Command composition benchmarks the Stratus composition engine.
//
// It starts a fresh local control plane, runs `stratus core` against it as a
// process of its own, and creates many claims (300 by default) whose
// Composition patches three ConfigMaps each. It reports the time from the
// first create until every claim is Ready, the API writes the core makes per
// claim (from the API server's apiserver_request_total) and the core's peak
// resident memory.
//
//	go run ./test/bench/composition [-claims 300] [-timeout 5m] [-json]
//
// docs/performance.md describes the measurements and records the figures.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
	"github.com/stratus-dev/stratus/internal/core"
	"github.com/stratus-dev/stratus/internal/crds"
	"github.com/stratus-dev/stratus/internal/localcp"
	"github.com/stratus-dev/stratus/internal/proc"
	"github.com/stratus-dev/stratus/test/bench/internal/bench"
	"github.com/stratus-dev/stratus/test/harness"
)

// The benchmark's API: claim AppConfig, composite resource XAppConfig.
const (
	group           = "bench.stratus.dev"
	version         = "v1alpha1"
	claimKind       = "AppConfig"
	claimPlural     = "appconfigs"
	xrdName         = "xappconfigs." + group
	compositionName = "appconfig-configmaps"

	// composedPerClaim is how many ConfigMaps the Composition composes.
	composedPerClaim = 3
)

const xrdYAML = `apiVersion: apiextensions.crossplane.io/v1
kind: CompositeResourceDefinition
metadata:
  name: ` + xrdName + `
spec:
  group: ` + group + `
  names: {kind: XAppConfig, plural: xappconfigs}
  claimNames: {kind: ` + claimKind + `, plural: ` + claimPlural + `}
  versions:
  - name: ` + version + `
    served: true
    referenceable: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              parameters:
                type: object
                properties:
                  value: {type: string}
                required: [value]
            required: [parameters]
`

// compositionYAML composes three ConfigMaps in the claim's namespace, each
// patched from the claim. ConfigMaps have no status, so readiness checks are
// off: a ConfigMap is ready once it exists.
const compositionYAML = `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: ` + compositionName + `
spec:
  compositeTypeRef: {apiVersion: ` + group + `/` + version + `, kind: XAppConfig}
  resources:
  - name: app
    base: {apiVersion: v1, kind: ConfigMap, data: {role: app}}
    patches:
    - {fromFieldPath: spec.claimRef.namespace, toFieldPath: metadata.namespace}
    - {fromFieldPath: spec.parameters.value, toFieldPath: data.value}
    readinessChecks: [{type: None}]
  - name: db
    base: {apiVersion: v1, kind: ConfigMap, data: {role: db}}
    patches:
    - {fromFieldPath: spec.claimRef.namespace, toFieldPath: metadata.namespace}
    - {fromFieldPath: spec.parameters.value, toFieldPath: data.value}
    readinessChecks: [{type: None}]
  - name: cache
    base: {apiVersion: v1, kind: ConfigMap, data: {role: cache}}
    patches:
    - {fromFieldPath: spec.claimRef.namespace, toFieldPath: metadata.namespace}
    - {fromFieldPath: spec.parameters.value, toFieldPath: data.value}
    readinessChecks: [{type: None}]
`

// How often the benchmark lists the claims, and how often it says how many
// are Ready.
const (
	pollEvery     = 200 * time.Millisecond
	progressEvery = time.Second
)

// Quiet periods: the API server's write counters must stand still this long
// before the baseline is read, and after all claims are Ready before the
// final count, so that the count holds every write the claims caused.
const (
	quietBefore    = time.Second
	quietAfter     = 3 * time.Second
	quietMaxBefore = 20 * time.Second
	quietMaxAfter  = 60 * time.Second
)

// figures are one set of the three headline measurements.
type figures struct {
	Ready          time.Duration
	WritesPerClaim float64
	PeakRSS        int64
}

// targets are the benchmark issue's acceptance targets; crossplane are
// Crossplane v2.3.4's figures for the same workload on a 2-core machine.
var (
	targets    = figures{Ready: 12 * time.Second, WritesPerClaim: 20, PeakRSS: 120e6}
	crossplane = figures{Ready: 34 * time.Second, WritesPerClaim: 56, PeakRSS: 173e6}
)

type options struct {
	claims     int
	namespaces int
	workers    int
	timeout    time.Duration
	json       bool
	stratus    string
	dir        string
}

// A report is what one benchmark run measured.
type report struct {
	Claims           int    `json:"claims"`
	Namespaces       int    `json:"namespaces"`
	ComposedPerClaim int    `json:"composedPerClaim"`
	CPUs             int    `json:"cpus"`
	Platform         string `json:"platform"`
	// Source is the commit benchmarked, and whether the tree had changes.
	Source string `json:"source"`
	// LoadAverage is the machine's one-minute load average when the run
	// started: above zero, other work competed for the CPUs.
	LoadAverage float64 `json:"loadAverage"`

	// CreateSeconds is the time from the first create to the last.
	CreateSeconds float64 `json:"createSeconds"`
	// ReadySeconds is the time from the first create until every claim
	// was seen Ready.
	ReadySeconds float64 `json:"readySeconds"`

	// Writes is every write the API server served from just before the
	// first create until the write counters settled after all were
	// Ready; BenchmarkWrites are the benchmark's own claim creates among
	// them, CoreWrites the rest.
	Writes          float64 `json:"writes"`
	BenchmarkWrites float64 `json:"benchmarkWrites"`
	CoreWrites      float64 `json:"coreWrites"`
	WritesPerClaim  float64 `json:"writesPerClaim"`
	// WritesPerClaimAtReady counts only the writes until every claim was
	// Ready.
	WritesPerClaimAtReady float64 `json:"writesPerClaimAtReady"`
	// WritesByKind breaks CoreWrites down by verb, resource and code.
	WritesByKind []writeRow `json:"writesByKind"`

	// IdleMemory is the core's memory just before the first create;
	// Memory is its memory at the end, whose PeakRSS covers the whole run.
	IdleMemory bench.Memory `json:"idleMemory"`
	Memory     bench.Memory `json:"memory"`

	// CoreCPUSeconds is the CPU time the core used from the first create
	// until all claims were Ready; MachineBusy is the fraction of all the
	// machine's CPU time that was busy then.
	CoreCPUSeconds float64 `json:"coreCPUSeconds"`
	MachineBusy    float64 `json:"machineBusy"`
}

func main() {
	o := options{}
	flag.IntVar(&o.claims, "claims", 300, "Number of claims to create.")
	flag.IntVar(&o.namespaces, "namespaces", 5, "Number of namespaces the claims are spread over.")
	flag.IntVar(&o.workers, "workers", 8, "Number of claims created at once.")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "How long to wait for every claim to become Ready.")
	flag.BoolVar(&o.json, "json", false, "Print the report as JSON instead of text.")
	flag.StringVar(&o.stratus, "stratus", "", "A stratus binary to benchmark; empty builds ./cmd/stratus.")
	flag.StringVar(&o.dir, "dir", "", "Directory that keeps the control plane's data and logs and the core's log after the run; empty means a temporary directory, removed at the end.")
	flag.Parse()
	if o.claims < 1 || o.namespaces < 1 || o.workers < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "bench: -claims, -namespaces and -workers must be at least 1, and no arguments are taken")
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	r, err := run(ctx, o, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: "+err.Error())
		os.Exit(1)
	}
	if o.json {
		e := json.NewEncoder(os.Stdout)
		e.SetIndent("", "  ")
		_ = e.Encode(r)
		return
	}
	printReport(os.Stdout, r)
}

// run sets up, measures and tears down one benchmark, writing progress to
// out. Whatever it started is stopped when it returns, on success, error or
// cancellation alike.
func run(ctx context.Context, o options, out io.Writer) (r *report, err error) { //nolint:gocyclo // One linear sequence of steps, each with its own error.
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	load, _ := bench.LoadAverage() // Reported only; a machine without procfs reports 0.

	root, err := harness.Root()
	if err != nil {
		return nil, err
	}
	work := o.dir
	if work == "" {
		if work, err = os.MkdirTemp("", "stratus-bench-"); err != nil {
			return nil, errors.Wrap(err, "cannot create work directory")
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o750); err != nil {
		return nil, errors.Wrapf(err, "cannot create %s", work)
	}

	bin := o.stratus
	if bin == "" {
		say("==> Building ./cmd/stratus")
		bin = filepath.Join(work, "stratus")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/stratus")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, errors.Wrapf(err, "cannot build ./cmd/stratus:\n%s", b)
		}
	}

	binDir, err := localcp.DefaultBinDir()
	if err != nil {
		return nil, err
	}
	say("==> Starting a local control plane")
	co := localcp.Options{BinDir: binDir, Progress: bench.Indent{W: out}}
	if o.dir != "" {
		co.Dir = filepath.Join(work, "controlplane")
	}
	cp, err := localcp.Start(ctx, co)
	if err != nil {
		return nil, errors.Wrap(err, "cannot start the local control plane")
	}
	defer func() {
		say("==> Stopping the local control plane")
		if serr := cp.Stop(); serr != nil && err == nil {
			err = errors.Wrap(serr, "cannot stop the local control plane")
		}
	}()

	s, err := core.Scheme()
	if err != nil {
		return nil, err
	}
	kube, err := client.New(cp.Config, client.Options{Scheme: s})
	if err != nil {
		return nil, errors.Wrap(err, "cannot create API client")
	}
	if _, err := crds.Install(ctx, kube, filepath.Join(root, "cluster", "crds")); err != nil {
		return nil, errors.Wrap(err, "cannot install CRDs")
	}

	say("==> Starting stratus core (%s)", bin)
	coreLog := filepath.Join(work, "core.log")
	stratus, err := proc.Start("stratus core", bin, []string{
		"core",
		"--kubeconfig=" + cp.KubeconfigPath,
		"--function-insecure",
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
	}, coreLog)
	if err != nil {
		return nil, err
	}
	defer func() {
		say("==> Stopping stratus core")
		if serr := stratus.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	// A failure while the core runs is best explained by its log; an
	// interruption needs no explaining.
	defer func() {
		if err != nil && ctx.Err() == nil {
			state := "last lines"
			if stratus.Exited() {
				state = "it exited; last lines"
			}
			err = errors.Errorf("%v\nstratus core: %s of %s:\n%s", err, state, coreLog, proc.Tail(coreLog, 20))
		}
	}()

	say("==> Applying the XRD and Composition; waiting for the core to offer the claim")
	if err := setUp(ctx, kube, o.namespaces); err != nil {
		return nil, err
	}

	counter, err := newWriteCounter(cp.Config)
	if err != nil {
		return nil, err
	}
	before, err := waitQuiet(ctx, counter, quietBefore, quietMaxBefore)
	if err != nil {
		return nil, err
	}
	r = &report{Claims: o.claims, Namespaces: o.namespaces, ComposedPerClaim: composedPerClaim, CPUs: runtime.NumCPU(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Source: bench.Source(ctx, root, "apis", "cmd", "internal"), LoadAverage: load}
	if r.IdleMemory, err = bench.ReadMemory(stratus.Pid()); err != nil {
		return nil, err
	}
	cpuBefore, err := bench.ReadCPU(stratus.Pid())
	if err != nil {
		return nil, err
	}

	say("==> Creating %d claims in %d namespaces, %d at a time", o.claims, o.namespaces, o.workers)
	start := time.Now()
	created, err := createClaims(ctx, kube, o)
	if err != nil {
		return nil, err
	}
	r.CreateSeconds = created.Seconds()
	say("    created in %.1fs", r.CreateSeconds)

	ready, err := waitReady(ctx, kube, o, start, say)
	if err != nil {
		return nil, err
	}
	r.ReadySeconds = ready.Seconds()
	cpuReady, err := bench.ReadCPU(stratus.Pid())
	if err != nil {
		return nil, err
	}
	r.CoreCPUSeconds = cpuReady.Process - cpuBefore.Process
	if d := cpuReady.Total - cpuBefore.Total; d > 0 {
		r.MachineBusy = (cpuReady.Busy - cpuBefore.Busy) / d
	}
	atReady, err := counter.Read(ctx)
	if err != nil {
		return nil, err
	}
	say("==> All %d claims Ready %.1fs after the first create; waiting for API writes to stop", o.claims, r.ReadySeconds)
	after, err := waitQuiet(ctx, counter, quietAfter, quietMaxAfter)
	if err != nil {
		return nil, err
	}
	if r.Memory, err = bench.ReadMemory(stratus.Pid()); err != nil {
		return nil, err
	}

	r.BenchmarkWrites = float64(o.claims)
	writes := after.since(before)
	r.Writes = writes.total()
	coreWrites := withoutClaimCreates(writes, o.claims)
	r.CoreWrites = coreWrites.total()
	r.WritesPerClaim = r.CoreWrites / float64(o.claims)
	r.WritesPerClaimAtReady = withoutClaimCreates(atReady.since(before), o.claims).total() / float64(o.claims)
	r.WritesByKind = coreWrites.rows(o.claims)
	return r, nil
}

// withoutClaimCreates returns w less the benchmark's own n claim creates.
func withoutClaimCreates(w writeCounts, n int) writeCounts {
	k := writeKey{Verb: "POST", Group: group, Resource: claimPlural, Code: "201"}
	out := maps.Clone(w)
	if out[k] -= float64(n); out[k] == 0 {
		delete(out, k)
	}
	return out
}

// setUp applies the XRD and Composition, waits until the core offers the
// claim and the Composition has a revision, and creates the claims'
// namespaces.
func setUp(ctx context.Context, kube client.Client, namespaces int) error {
	for _, doc := range []string{xrdYAML, compositionYAML} {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			return errors.Wrap(err, "cannot decode fixture")
		}
		if err := kube.Create(ctx, u); err != nil {
			return errors.Wrapf(err, "cannot create %s %s", u.GetKind(), u.GetName())
		}
	}

	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	xrd := &v1.CompositeResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: xrdName}}
	for _, ct := range []string{"Established", "Offered"} {
		if err := harness.Wait(wctx, kube, xrd, harness.HasCondition(ct, "True")); err != nil {
			return err
		}
	}
	revs := &v1.CompositionRevisionList{}
	for len(revs.Items) == 0 {
		if err := kube.List(wctx, revs, client.MatchingLabels{v1.LabelCompositionName: compositionName}); err != nil {
			return errors.Wrap(err, "cannot list CompositionRevisions")
		}
		if len(revs.Items) > 0 {
			break
		}
		select {
		case <-wctx.Done():
			return errors.Errorf("Composition %s has no CompositionRevision", compositionName)
		case <-time.After(pollEvery):
		}
	}

	for i := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace(i)}}
		if err := kube.Create(ctx, ns); err != nil {
			return errors.Wrapf(err, "cannot create namespace %s", ns.Name)
		}
	}

	// The API server holds the first create of a newly served kind for
	// about two seconds, once. A dry-run create takes that wait (and the
	// client's discovery of the kind) out of the timed part.
	if err := kube.Create(wctx, newClaim(0, namespaces), client.DryRunAll); err != nil {
		return errors.Wrap(err, "cannot create a claim in dry-run mode")
	}
	return nil
}

// newClaim returns claim number i of a run spread over namespaces
// namespaces.
func newClaim(i, namespaces int) *unstructured.Unstructured {
	cm := &unstructured.Unstructured{}
	cm.SetGroupVersionKind(claimGVK())
	cm.SetNamespace(namespace(i % namespaces))
	cm.SetName(fmt.Sprintf("claim-%04d", i))
	_ = unstructured.SetNestedField(cm.Object, fmt.Sprintf("value-%04d", i), "spec", "parameters", "value")
	return cm
}

func namespace(i int) string { return fmt.Sprintf("bench-%d", i) }

func claimGVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: version, Kind: claimKind}
}

// createClaims creates o.claims claims, spread over o.namespaces namespaces,
// with o.workers creates in flight at once. It returns the time from the
// first create to the last.
func createClaims(ctx context.Context, kube client.Client, o options) (time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.workers {
		wg.Go(func() {
			for i := range next {
				cm := newClaim(i, o.namespaces)
				if err := kube.Create(ctx, cm); err != nil {
					cancel(errors.Wrapf(err, "cannot create claim %s/%s", cm.GetNamespace(), cm.GetName()))
					return
				}
			}
		})
	}
feed:
	for i := range o.claims {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// waitReady lists the claims every pollEvery until all o.claims are Ready,
// saying how many are every progressEvery, and returns the time since start.
func waitReady(ctx context.Context, kube client.Client, o options, start time.Time, say func(string, ...any)) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	lastSaid := time.Now()
	ready := 0
	var why string
	for {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(claimGVK().GroupVersion().WithKind(claimKind + "List"))
		if err := kube.List(ctx, l); err != nil {
			why = "cannot list claims: " + err.Error()
		} else {
			ready, why = countReady(l.Items)
			if ready == o.claims {
				return time.Since(start), nil
			}
		}
		if time.Since(lastSaid) >= progressEvery {
			say("    %d/%d Ready (%.0fs)", ready, o.claims, time.Since(start).Seconds())
			lastSaid = time.Now()
		}
		select {
		case <-ctx.Done():
			state := "interrupted"
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				state = "gave up after -timeout " + o.timeout.String()
			}
			return 0, errors.Errorf("%s: %d/%d claims Ready after %s; %s", state, ready, o.claims, time.Since(start).Round(time.Millisecond), why)
		case <-t.C:
		}
	}
}

// countReady returns how many claims have Ready=True and, when some have
// not, what the first of them says.
func countReady(claims []unstructured.Unstructured) (int, string) {
	n, why := 0, ""
	check := harness.HasCondition("Ready", "True")
	for i := range claims {
		ok, w := check(&claims[i])
		if ok {
			n++
			continue
		}
		if why == "" {
			why = fmt.Sprintf("claim %s/%s: %s", claims[i].GetNamespace(), claims[i].GetName(), w)
		}
	}
	return n, why
}

// waitQuiet reads the API server's write counters until they stand still
// for quiet, and returns them; after limit it returns them as they are.
func waitQuiet(ctx context.Context, c *writeCounter, quiet, limit time.Duration) (writeCounts, error) {
	deadline := time.Now().Add(limit)
	last, err := c.Read(ctx)
	if err != nil {
		return nil, err
	}
	since := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(quiet / 4):
		}
		now, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		if now.total() != last.total() {
			last, since = now, time.Now()
		}
		if time.Since(since) >= quiet || time.Now().After(deadline) {
			return last, nil
		}
	}
}

// printReport writes r as text.
func printReport(w io.Writer, r *report) {
	fmt.Fprintf(w, "\nStratus composition benchmark: %d claims, %d ConfigMaps each, in %d namespaces (%d CPUs, %s)\n\n",
		r.Claims, r.ComposedPerClaim, r.Namespaces, r.CPUs, r.Platform)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tStratus\ttarget\tCrossplane v2.3.4\t")
	fmt.Fprintf(tw, "Time from first create to all Ready\t%.1f s\t< %.0f s\t%.0f s\t%s\n",
		r.ReadySeconds, targets.Ready.Seconds(), crossplane.Ready.Seconds(), verdict(r.ReadySeconds < targets.Ready.Seconds()))
	fmt.Fprintf(tw, "API writes per claim by the core\t%.1f\t≤ %.0f\t%.0f\t%s\n",
		r.WritesPerClaim, targets.WritesPerClaim, crossplane.WritesPerClaim, verdict(r.WritesPerClaim <= targets.WritesPerClaim))
	fmt.Fprintf(tw, "Core peak RSS (VmHWM)\t%s\t< %s\t%s\t%s\n",
		bench.MB(r.Memory.PeakRSS), bench.MB(targets.PeakRSS), bench.MB(crossplane.PeakRSS), verdict(r.Memory.PeakRSS < targets.PeakRSS))
	_ = tw.Flush()

	fmt.Fprintf(w, "\nSource: %s. Load average at the start: %.2f.\n", r.Source, r.LoadAverage)
	fmt.Fprintf(w, "Claims created in %.1f s (first create to last).\n", r.CreateSeconds)
	fmt.Fprintf(w, "From the first create to all Ready the core used %.1f CPU-seconds (%.0f%% of one CPU) and the machine's CPUs were %.0f%% busy.\n",
		r.CoreCPUSeconds, 100*r.CoreCPUSeconds/r.ReadySeconds, 100*r.MachineBusy)
	fmt.Fprintf(w, "Core RSS: %s idle before the first create, %s at the end, %s at peak.\n", bench.MB(r.IdleMemory.RSS), bench.MB(r.Memory.RSS), bench.MB(r.Memory.PeakRSS))
	fmt.Fprintf(w, "API writes: %.0f in all, less %.0f claim creates by the benchmark: %.0f (%.1f per claim; %.1f per claim when the last claim became Ready).\n",
		r.Writes, r.BenchmarkWrites, r.CoreWrites, r.WritesPerClaim, r.WritesPerClaimAtReady)

	fmt.Fprintln(w, "\nThose writes by verb, resource and response code:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "count\tper claim\tcode\t  request")
	for _, row := range r.WritesByKind {
		fmt.Fprintf(tw, "%.0f\t%.2f\t%s\t  %s\n", row.Count, row.PerClaim, row.Code, row.what())
	}
	_ = tw.Flush()
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}
