// Command awsprovider benchmarks the Stratus AWS provider against moto.
//
// It starts a fresh local control plane and a moto server, runs
// provider-aws against them as a process of its own, and creates many
// DBInstances (500 by default). It waits until every one is Ready, keeps them
// for a while so that each is polled again, then deletes them all and waits
// until they are gone. Meanwhile it samples the provider's resident memory
// (VmRSS) every 250 ms. It reports the provider's peak resident memory
// (VmHWM), the time to all Ready and to all gone, the CPU time the provider
// and moto used in each phase, the AWS calls the provider made, and checks
// that moto holds exactly one instance per DBInstance, and none after the
// deletes.
//
//	go run ./test/bench/awsprovider [-instances 500] [-kind dbinstance|vpc] [-json]
//
// docs/providers/aws.md describes the measurements and records the figures.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/crds"
	"github.com/stratus-dev/stratus/internal/localcp"
	"github.com/stratus-dev/stratus/internal/proc"
	"github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	"github.com/stratus-dev/stratus/test/bench/internal/bench"
	"github.com/stratus-dev/stratus/test/harness"
)

// Names of what the benchmark creates besides the managed resources.
const (
	namespace      = "bench"
	providerConfig = "bench"
	credsSecret    = "aws-creds"
	region         = "us-east-1"

	// benchLabel marks the managed resources, so that one request
	// deletes them all.
	benchLabel = "stratus.dev/bench"
)

// credentials are moto's: any key and secret do.
const credentials = "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n" //nolint:gosec // moto's well-known test credentials, not a secret.

// How often the benchmark samples the provider's memory, lists the managed
// resources, and says how far they are.
const (
	sampleEvery   = 250 * time.Millisecond
	pollEvery     = 500 * time.Millisecond
	progressEvery = 5 * time.Second
)

type options struct {
	kind              string
	instances         int
	workers           int
	connectionSecrets bool
	maxReconcileRate  int
	apiQPS            int
	apiBurst          int
	pollInterval      time.Duration
	steady            time.Duration
	timeout           time.Duration
	json              bool
	provider          string
	debug             bool
	dir               string
}

// A report is what one benchmark run measured.
type report struct {
	Kind      string `json:"kind"`
	Instances int    `json:"instances"`
	// ConnectionSecrets is whether each managed resource wrote a
	// connection Secret.
	ConnectionSecrets bool `json:"connectionSecrets"`
	// ProviderArgs are the provider's flags, but the kubeconfig.
	ProviderArgs []string `json:"providerArgs"`
	CPUs         int      `json:"cpus"`
	Platform     string   `json:"platform"`
	// Source is the commit benchmarked, and whether the tree had changes.
	Source string `json:"source"`
	// LoadAverage is the machine's one-minute load average when the run
	// started: above zero, other work competed for the CPUs.
	LoadAverage float64 `json:"loadAverage"`

	// IdleMemory is the provider's memory just before the first create;
	// Memory is its memory at the end, whose PeakRSS (VmHWM) covers the
	// whole run.
	IdleMemory bench.Memory `json:"idleMemory"`
	Memory     bench.Memory `json:"memory"`

	// CreateSeconds is the time from the first create to the last.
	CreateSeconds float64 `json:"createSeconds"`

	// Ready runs from the first create until every managed resource was
	// seen Ready; Steady keeps them all for -steady; Delete runs from the
	// delete request until every managed resource was gone.
	Ready  phase `json:"ready"`
	Steady phase `json:"steady"`
	Delete phase `json:"delete"`

	// InMotoAtReady and InMotoAfterDelete are how many resources of the
	// kind moto held when every managed resource was Ready, and after
	// they were all gone.
	InMotoAtReady     int `json:"inMotoAtReady"`
	InMotoAfterDelete int `json:"inMotoAfterDelete"`
}

// A phase is what one part of the run measured.
type phase struct {
	Seconds float64 `json:"seconds"`
	// ProviderCPUSeconds and MotoCPUSeconds are the CPU time each
	// process used; MachineBusy is the fraction of all the machine's
	// CPU time that was busy.
	ProviderCPUSeconds float64 `json:"providerCPUSeconds"`
	MotoCPUSeconds     float64 `json:"motoCPUSeconds"`
	MachineBusy        float64 `json:"machineBusy"`
	// MaxSampledRSS and MaxSampledRSSAnon are the largest VmRSS and
	// RssAnon of the provider sampled in the phase; Memory is its memory
	// at the end of the phase.
	MaxSampledRSS     int64        `json:"maxSampledRSSBytes"`
	MaxSampledRSSAnon int64        `json:"maxSampledRSSAnonBytes"`
	Memory            bench.Memory `json:"memoryAtEnd"`
	// Calls are the AWS calls the provider made, by action.
	Calls []callRow `json:"calls"`
}

func main() {
	o := options{}
	flag.StringVar(&o.kind, "kind", "dbinstance", `Managed resource kind to create: "dbinstance" or "vpc".`)
	flag.IntVar(&o.instances, "instances", 500, "Number of managed resources to create.")
	flag.IntVar(&o.workers, "workers", 8, "Number of managed resources created at once.")
	flag.BoolVar(&o.connectionSecrets, "connection-secrets", true, "Have each DBInstance write a connection Secret.")
	flag.IntVar(&o.maxReconcileRate, "max-reconcile-rate", 50, "The provider's --max-reconcile-rate.")
	flag.IntVar(&o.apiQPS, "api-qps", 100, "The provider's --api-qps.")
	flag.IntVar(&o.apiBurst, "api-burst", 200, "The provider's --api-burst.")
	flag.DurationVar(&o.pollInterval, "poll-interval", 30*time.Second, "The provider's --poll-interval.")
	flag.DurationVar(&o.steady, "steady", 40*time.Second, "How long to keep every managed resource once all are Ready, before deleting them; longer than -poll-interval polls each again.")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "How long to wait for every managed resource to become Ready, and to be gone.")
	flag.BoolVar(&o.json, "json", false, "Print the report as JSON instead of text.")
	flag.StringVar(&o.provider, "provider", "", "A provider-aws binary to benchmark; empty builds ./cmd/provider-aws.")
	flag.BoolVar(&o.debug, "debug", false, "Run the provider with --debug, logging every reconcile (keep the log with -dir).")
	flag.StringVar(&o.dir, "dir", "", "Directory that keeps the control plane's data and logs and the provider's and moto's logs after the run; empty means a temporary directory, removed at the end.")
	flag.Parse()
	if _, ok := kinds[o.kind]; !ok || o.instances < 1 || o.workers < 1 || o.maxReconcileRate < 1 || o.steady < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "bench: -kind must be dbinstance or vpc, -instances, -workers and -max-reconcile-rate at least 1, -steady not negative, and no arguments are taken")
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
	} else {
		printReport(os.Stdout, r)
	}
	if r.InMotoAtReady != r.Instances || r.InMotoAfterDelete != 0 {
		fmt.Fprintf(os.Stderr, "bench: moto held %d %s when all were Ready and %d after the deletes; want %d and 0\n",
			r.InMotoAtReady, kinds[r.Kind].Noun, r.InMotoAfterDelete, r.Instances)
		os.Exit(1)
	}
}

// An env is what a run started: the API client, moto, and the provider.
type env struct {
	kube     client.Client
	aws      aws.Config
	calls    *callCounter
	provider *proc.Process
	moto     *proc.Process
	rss      *sampler
}

// run sets up, measures and tears down one benchmark, writing progress to
// out. Whatever it started is stopped when it returns, on success, error or
// cancellation alike.
func run(ctx context.Context, o options, out io.Writer) (r *report, err error) { //nolint:gocyclo // One linear sequence of steps, each with its own error.
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	load, _ := bench.LoadAverage() // Reported only; a machine without procfs reports 0.
	k := kinds[o.kind]

	root, err := harness.Root()
	if err != nil {
		return nil, err
	}
	work := o.dir
	if work == "" {
		if work, err = os.MkdirTemp("", "stratus-bench-aws-"); err != nil {
			return nil, errors.Wrap(err, "cannot create work directory")
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o750); err != nil {
		return nil, errors.Wrapf(err, "cannot create %s", work)
	}

	bin := o.provider
	if bin == "" {
		say("==> Building ./cmd/provider-aws")
		bin = filepath.Join(work, "provider-aws")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/provider-aws")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, errors.Wrapf(err, "cannot build ./cmd/provider-aws:\n%s", b)
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

	e := &env{}
	s, err := harness.Scheme()
	if err != nil {
		return nil, err
	}
	if e.kube, err = client.New(cp.Config, client.Options{Scheme: s}); err != nil {
		return nil, errors.Wrap(err, "cannot create API client")
	}
	if _, err := crds.Install(ctx, e.kube, filepath.Join(root, "cluster", "crds")); err != nil {
		return nil, errors.Wrap(err, "cannot install CRDs")
	}

	say("==> Starting moto")
	moto, err := startMoto(ctx, work)
	if err != nil {
		return nil, err
	}
	e.moto = moto.p
	defer func() {
		if serr := moto.p.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	// The provider reaches moto through a proxy that counts its calls;
	// the benchmark's own checks go to moto directly.
	if e.calls, err = startCallCounter(moto.Endpoint); err != nil {
		return nil, err
	}
	defer e.calls.Close()
	e.aws = awsConfig(moto.Endpoint)

	args := []string{
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--max-reconcile-rate=" + strconv.Itoa(o.maxReconcileRate),
		"--api-qps=" + strconv.Itoa(o.apiQPS),
		"--api-burst=" + strconv.Itoa(o.apiBurst),
		"--poll-interval=" + o.pollInterval.String(),
	}
	if o.debug {
		args = append(args, "--debug")
	}
	say("==> Starting provider-aws %v (%s)", args, bin)
	providerLog := filepath.Join(work, "provider-aws.log")
	if e.provider, err = proc.Start("provider-aws", bin, append([]string{"--kubeconfig=" + cp.KubeconfigPath}, args...), providerLog); err != nil {
		return nil, err
	}
	defer func() {
		say("==> Stopping provider-aws")
		if serr := e.provider.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	// A failure while the provider runs is best explained by its log; an
	// interruption needs no explaining.
	defer func() {
		if err != nil && ctx.Err() == nil {
			state := "last lines"
			if e.provider.Exited() {
				state = "it exited; last lines"
			}
			err = errors.Errorf("%v\nprovider-aws: %s of %s:\n%s", err, state, providerLog, proc.Tail(providerLog, 20))
		}
	}()
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	e.rss = startSampler(sctx, e.provider.Pid())

	say("==> Creating the ProviderConfig; waiting for the provider to take it up")
	if err := setUp(ctx, e.kube, e.calls.URL, k, o); err != nil {
		return nil, err
	}

	r = &report{
		Kind: o.kind, Instances: o.instances, ConnectionSecrets: o.connectionSecrets && o.kind == "dbinstance", ProviderArgs: args,
		CPUs: runtime.NumCPU(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Source: bench.Source(ctx, root, "cmd", "internal", "providers"), LoadAverage: load,
	}
	if r.IdleMemory, err = bench.ReadMemory(e.provider.Pid()); err != nil {
		return nil, err
	}

	say("==> Creating %d %s, %d at a time", o.instances, k.GVK.Kind, o.workers)
	m, err := e.begin()
	if err != nil {
		return nil, err
	}
	created, err := createAll(ctx, e.kube, k, o)
	if err != nil {
		return nil, err
	}
	r.CreateSeconds = created.Seconds()
	say("    created in %.1fs", r.CreateSeconds)
	if err := waitFor(ctx, e, k, o, m.start, allReady(o.instances), say); err != nil {
		return nil, err
	}
	if r.Ready, err = e.end(m); err != nil {
		return nil, err
	}
	say("==> All %d Ready %.1fs after the first create; provider RSS %s, peak %s", o.instances, r.Ready.Seconds, bench.MB(r.Ready.Memory.RSS), bench.MB(r.Ready.Memory.PeakRSS))
	if r.InMotoAtReady, err = k.Count(ctx, e.aws); err != nil {
		return nil, err
	}
	say("    moto holds %d %s", r.InMotoAtReady, k.Noun)

	if o.steady > 0 {
		say("==> Keeping them for %s (poll interval %s)", o.steady, o.pollInterval)
		if m, err = e.begin(); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(o.steady):
		}
		if r.Steady, err = e.end(m); err != nil {
			return nil, err
		}
	}

	say("==> Deleting all %d", o.instances)
	if m, err = e.begin(); err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(k.GVK)
	if err := e.kube.DeleteAllOf(ctx, u, client.MatchingLabels{benchLabel: "awsprovider"}); err != nil {
		return nil, errors.Wrapf(err, "cannot delete every %s", k.GVK.Kind)
	}
	if err := waitFor(ctx, e, k, o, m.start, allGone, say); err != nil {
		return nil, err
	}
	if r.Delete, err = e.end(m); err != nil {
		return nil, err
	}
	say("==> All gone %.1fs after the delete", r.Delete.Seconds)
	if r.InMotoAfterDelete, err = k.Count(ctx, e.aws); err != nil {
		return nil, err
	}
	say("    moto holds %d %s", r.InMotoAfterDelete, k.Noun)
	r.Memory = r.Delete.Memory
	return r, nil
}

// A moto is a running moto server.
type moto struct {
	Endpoint string
	p        *proc.Process
}

// startMoto starts a moto server on a free loopback port, logging to dir.
// Unlike harness.StartMoto it keeps the process, whose CPU time the
// benchmark reads.
func startMoto(ctx context.Context, dir string) (*moto, error) {
	python := os.Getenv(harness.EnvPython)
	if python == "" {
		python = "python3"
	}
	path, err := exec.LookPath(python)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot find %s to run moto (set %s to a Python that has moto installed)", python, harness.EnvPython)
	}
	port, err := proc.FreePort()
	if err != nil {
		return nil, err
	}
	p, err := proc.Start("moto", path, []string{"-m", "moto.server", "-H", "127.0.0.1", "-p", strconv.Itoa(port)}, filepath.Join(dir, "moto.log"))
	if err != nil {
		return nil, err
	}
	m := &moto{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), p: p}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := p.WaitHTTP(wctx, http.DefaultClient, m.Endpoint+"/moto-api/", ""); err != nil {
		_ = p.Stop()
		return nil, errors.Wrap(err, "moto did not start (is moto installed for this Python? pip install 'moto[server]')")
	}
	return m, nil
}

// awsConfig returns an SDK configuration that reaches moto at endpoint.
func awsConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	}
}

// setUp creates the namespace of the Secrets, the credentials Secret and a
// ProviderConfig whose endpoint is url, waits until the provider has taken
// the ProviderConfig up (its finalizer), and takes the API server's slow
// first create of the managed kind out of the timed part.
func setUp(ctx context.Context, kube client.Client, url string, k kind, o options) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	creds := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: credsSecret},
		StringData: map[string]string{"credentials": credentials},
	}
	pc := &v1beta1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: providerConfig},
		Spec: v1beta1.ProviderConfigSpec{
			Credentials: v1beta1.ProviderCredentials{
				Source: xpv2.CredentialsSourceSecret,
				CommonCredentialSelectors: xpv2.CommonCredentialSelectors{SecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: namespace, Name: credsSecret}, Key: "credentials",
				}},
			},
			Region:   region,
			Endpoint: &v1beta1.Endpoint{URL: url},
		},
	}
	for _, obj := range []client.Object{ns, creds, pc} {
		if err := kube.Create(ctx, obj); err != nil {
			return errors.Wrapf(err, "cannot create %T %s", obj, obj.GetName())
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := harness.Wait(wctx, kube, pc, func(obj client.Object) (bool, string) {
		return len(obj.GetFinalizers()) > 0, "the provider has not added its finalizer"
	}); err != nil {
		return err
	}
	// The API server holds the first create of a newly served kind for
	// about two seconds, once. A dry-run create takes that wait (and the
	// client's discovery of the kind) out of the timed part.
	if err := kube.Create(wctx, newManaged(k, o, 0), client.DryRunAll); err != nil {
		return errors.Wrapf(err, "cannot create a %s in dry-run mode", k.GVK.Kind)
	}
	return nil
}

// newManaged returns managed resource number i.
func newManaged(k kind, o options, i int) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetGroupVersionKind(k.GVK)
	u.SetName(fmt.Sprintf("bench-%04d", i))
	u.SetLabels(map[string]string{benchLabel: "awsprovider"})
	spec := k.Spec(o, u.GetName(), namespace)
	spec["providerConfigRef"] = map[string]any{"name": providerConfig}
	u.Object["spec"] = spec
	return u
}

// createAll creates o.instances managed resources, o.workers at once. It
// returns the time from the first create to the last.
func createAll(ctx context.Context, kube client.Client, k kind, o options) (time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.workers {
		wg.Go(func() {
			for i := range next {
				u := newManaged(k, o, i)
				if err := kube.Create(ctx, u); err != nil {
					cancel(errors.Wrapf(err, "cannot create %s %s", k.GVK.Kind, u.GetName()))
					return
				}
			}
		})
	}
feed:
	for i := range o.instances {
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

// A goal says whether the managed resources listed are as the benchmark
// waits for them to be, how far they are, and, when they are not, why the
// first one that holds things up is not.
type goal func(items []unstructured.Unstructured) (done bool, progress, why string)

// allReady is reached when n managed resources exist and all are Ready.
func allReady(n int) goal {
	check := harness.HasCondition("Ready", "True")
	return func(items []unstructured.Unstructured) (bool, string, string) {
		ready, why := 0, ""
		for i := range items {
			ok, w := check(&items[i])
			if ok {
				ready++
				continue
			}
			if why == "" {
				why = items[i].GetName() + ": " + w
			}
		}
		return ready == n, fmt.Sprintf("%d/%d Ready", ready, n), why
	}
}

// allGone is reached when no managed resource is left.
func allGone(items []unstructured.Unstructured) (bool, string, string) {
	why := ""
	if len(items) > 0 {
		why = items[0].GetName() + " is still there"
	}
	return len(items) == 0, fmt.Sprintf("%d left", len(items)), why
}

// waitFor lists the managed resources every pollEvery until g is reached,
// saying how far they are every progressEvery.
func waitFor(ctx context.Context, e *env, k kind, o options, start time.Time, g goal, say func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	lastSaid := time.Now()
	progress := "not listed yet"
	var why string
	for {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(k.GVK.GroupVersion().WithKind(k.GVK.Kind + "List"))
		if err := e.kube.List(ctx, l, client.MatchingLabels{benchLabel: "awsprovider"}); err != nil {
			why = "cannot list them: " + err.Error()
		} else {
			var done bool
			if done, progress, why = g(l.Items); done {
				return nil
			}
		}
		if e.provider.Exited() {
			return errors.New("provider-aws exited")
		}
		if time.Since(lastSaid) >= progressEvery {
			say("    %s (%.0fs; provider RSS %s)", progress, time.Since(start).Seconds(), bench.MB(e.rss.Last()))
			lastSaid = time.Now()
		}
		select {
		case <-ctx.Done():
			state := "interrupted"
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				state = "gave up after -timeout " + o.timeout.String()
			}
			return errors.Errorf("%s: %s after %s; %s", state, progress, time.Since(start).Round(time.Millisecond), why)
		case <-t.C:
		}
	}
}

// A mark is where a phase started.
type mark struct {
	start    time.Time
	provider bench.CPUTimes
	moto     bench.CPUTimes
	calls    map[string]int
}

// begin starts a phase.
func (e *env) begin() (mark, error) {
	p, err := bench.ReadCPU(e.provider.Pid())
	if err != nil {
		return mark{}, err
	}
	m, err := bench.ReadCPU(e.moto.Pid())
	if err != nil {
		return mark{}, err
	}
	e.rss.Reset()
	return mark{start: time.Now(), provider: p, moto: m, calls: e.calls.Snapshot()}, nil
}

// end ends the phase that started at m.
func (e *env) end(m mark) (phase, error) {
	ph := phase{Seconds: time.Since(m.start).Seconds()}
	p, err := bench.ReadCPU(e.provider.Pid())
	if err != nil {
		return phase{}, err
	}
	mo, err := bench.ReadCPU(e.moto.Pid())
	if err != nil {
		return phase{}, err
	}
	ph.ProviderCPUSeconds = p.Process - m.provider.Process
	ph.MotoCPUSeconds = mo.Process - m.moto.Process
	if d := p.Total - m.provider.Total; d > 0 {
		ph.MachineBusy = (p.Busy - m.provider.Busy) / d
	}
	if ph.Memory, err = bench.ReadMemory(e.provider.Pid()); err != nil {
		return phase{}, err
	}
	peak := e.rss.Reset()
	ph.MaxSampledRSS = max(peak.RSS, ph.Memory.RSS)
	ph.MaxSampledRSSAnon = max(peak.RSSAnon, ph.Memory.RSSAnon)
	ph.Calls = callsSince(m.calls, e.calls.Snapshot())
	return ph, nil
}

// A sampler reads a process's resident memory every sampleEvery and keeps
// the largest readings of VmRSS and RssAnon.
type sampler struct {
	mu   sync.Mutex
	max  bench.Memory // RSS and RSSAnon since the last Reset
	last int64
}

// startSampler samples process pid until ctx ends or the process is gone.
func startSampler(ctx context.Context, pid int) *sampler {
	s := &sampler{}
	go func() {
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			m, err := bench.ReadMemory(pid)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.last = m.RSS
			s.max.RSS, s.max.RSSAnon = max(s.max.RSS, m.RSS), max(s.max.RSSAnon, m.RSSAnon)
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Last returns the latest reading.
func (s *sampler) Last() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Reset returns the largest readings since the last Reset and starts over.
func (s *sampler) Reset() bench.Memory {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.max
	s.max = bench.Memory{}
	return m
}

// printReport writes r as text.
func printReport(w io.Writer, r *report) {
	k := kinds[r.Kind]
	fmt.Fprintf(w, "\nStratus AWS provider benchmark: %d %s against moto (%d CPUs, %s)\n", r.Instances, k.GVK.Kind, r.CPUs, r.Platform)
	fmt.Fprintf(w, "provider-aws %v; connection Secrets: %t\n", r.ProviderArgs, r.ConnectionSecrets)
	fmt.Fprintf(w, "Source: %s. Load average at the start: %.2f.\n\n", r.Source, r.LoadAverage)

	fmt.Fprintf(w, "Provider peak RSS (VmHWM) over the whole run: %s\n\n", bench.MB(r.Memory.PeakRSS))
	phases := []struct {
		name string
		ph   phase
	}{{"first create to all Ready", r.Ready}, {"all kept", r.Steady}, {"delete to all gone", r.Delete}}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\ttime\tprovider CPU\tmoto CPU\tmachine busy\tAWS calls\t")
	for _, p := range phases {
		fmt.Fprintf(tw, "%s\t%.1f s\t%.1f s\t%.1f s\t%.0f%%\t%d\t\n", p.name, p.ph.Seconds, p.ph.ProviderCPUSeconds, p.ph.MotoCPUSeconds, 100*p.ph.MachineBusy, total(p.ph.Calls))
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\nProvider memory (anon: heap, stacks and runtime; file: pages of the binary):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tmax sampled RSS\tmax sampled anon\tRSS at end\tanon at end\tfile at end\tVmHWM at end\t")
	fmt.Fprintf(tw, "idle before the first create\t\t\t%s\t%s\t%s\t%s\t\n", bench.MB(r.IdleMemory.RSS), bench.MB(r.IdleMemory.RSSAnon), bench.MB(r.IdleMemory.RSSFile), bench.MB(r.IdleMemory.PeakRSS))
	for _, p := range phases {
		m := p.ph.Memory
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.name, bench.MB(p.ph.MaxSampledRSS), bench.MB(p.ph.MaxSampledRSSAnon),
			bench.MB(m.RSS), bench.MB(m.RSSAnon), bench.MB(m.RSSFile), bench.MB(m.PeakRSS))
	}
	_ = tw.Flush()

	fmt.Fprintf(w, "\n%d created in %.1f s (first create to last).\n", r.Instances, r.CreateSeconds)
	fmt.Fprintf(w, "moto held %d %s when all were Ready (want %d) and %d after the deletes (want 0).\n", r.InMotoAtReady, k.Noun, r.Instances, r.InMotoAfterDelete)

	fmt.Fprintf(w, "\nAWS calls per %s, by phase:\n", k.GVK.Kind)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tper resource\tcount\t  action")
	for _, p := range []struct {
		name string
		ph   phase
	}{{"ready", r.Ready}, {"kept", r.Steady}, {"delete", r.Delete}} {
		for _, c := range p.ph.Calls {
			fmt.Fprintf(tw, "%s\t%.2f\t%d\t  %s\n", p.name, float64(c.Count)/float64(r.Instances), c.Count, c.Action)
		}
	}
	_ = tw.Flush()
}

// total sums the calls of a phase.
func total(rows []callRow) int {
	n := 0
	for _, r := range rows {
		n += r.Count
	}
	return n
}
