// Package xfn_test runs composition function pipelines against a real
// function server (examples/functions/add-labels, built with function-sdk-go)
// and the local control plane.
package xfn_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpextv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/stratus-dev/stratus/internal/xfn"
	"github.com/stratus-dev/stratus/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// makeResources is the name of an in-process function that desires a
// ConfigMap and a Deployment, for the functions after it to work on.
const makeResources = "make-resources"

func TestPipelineOverGRPC(t *testing.T) {
	env := harness.Get(t)
	ns := env.Namespace(t)
	bin := harness.BuildExampleFunction(t, "add-labels")
	pki := newPKI(t)

	clientTLS, err := xfn.LoadTLSConfig(pki.client)
	if err != nil {
		t.Fatal(err)
	}
	noClientCert := clientTLS.Clone()
	noClientCert.Certificates = nil

	cases := map[string]struct {
		reason     string
		serverArgs []string
		opts       []xfn.GRPCRunnerOption
		wantErr    string
	}{
		"Insecure": {
			reason:     "A function served with --insecure is called in plaintext.",
			serverArgs: []string{"--insecure"},
			opts:       []xfn.GRPCRunnerOption{xfn.WithInsecure()},
		},
		"MTLS": {
			reason:     "A function served with mTLS is called with the client certificate LoadTLSConfig loads.",
			serverArgs: []string{"--tls-certs-dir", pki.server},
			opts:       []xfn.GRPCRunnerOption{xfn.WithTLSConfig(clientTLS)},
		},
		"MTLSWithoutClientCertificate": {
			reason:     "A function served with mTLS refuses a client without a certificate.",
			serverArgs: []string{"--tls-certs-dir", pki.server},
			opts:       []xfn.GRPCRunnerOption{xfn.WithTLSConfig(noClientCert)},
			wantErr:    "cannot reach function",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fn := "add-labels-" + strings.ToLower(name)
			endpoint := harness.StartFunction(t, bin, tc.serverArgs...)
			env.InstallFunction(t, fn, endpoint)

			runner := xfn.NewGRPCRunner(env.Client, tc.opts...)
			t.Cleanup(func() {
				if err := runner.Close(); err != nil {
					t.Errorf("Close(): %v", err)
				}
			})
			router := xfn.NewRouter(env.Client, runner, xfn.WithBuiltin(makeResources, xfn.FunctionRunnerFn(desireResources(ns))))

			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			got, err := xfn.NewPipeline(router, env.Client).Run(ctx, pipeline(ns, fn))
			if tc.wantErr != "" {
				want := fmt.Sprintf("cannot run pipeline step %q (function %q): ", "label", fn)
				if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s\nRun(...): want an error starting %q and containing %q, got %v", tc.reason, want, tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nRun(...): %v", tc.reason, err)
			}

			want := &xfn.PipelineResult{
				Resources: map[string]xfn.DesiredResource{
					"config": {Resource: configMap(ns, map[string]any{"app": "demo", "team": "platform"}), Ready: fnv1.Ready_READY_TRUE},
					"app":    {Resource: deployment(ns, map[string]any{"team": "platform"})},
				},
				Results: []xfn.StepResult{{Step: "label", Result: &fnv1.Result{
					Severity: fnv1.Severity_SEVERITY_NORMAL,
					Message:  "added labels team to 2 composed resources",
					Reason:   new("LabelsAdded"),
					Target:   fnv1.Target_TARGET_COMPOSITE.Enum(),
				}}},
				TTL: time.Minute,
			}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nRun(...): -want, +got:\n%s", tc.reason, diff)
			}

			// What the function returned applies as it is: numbers are
			// integers again (replicas: 3), labels are strings.
			for name, r := range got.Resources {
				if err := env.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(r.Resource), client.FieldOwner("stratus-xfn-test"), client.ForceOwnership); err != nil {
					t.Errorf("%s\nApply(%s): %v", tc.reason, name, err)
				}
			}
		})
	}
}

func TestPipelineUnknownFunction(t *testing.T) {
	env := harness.Get(t)
	router := xfn.NewRouter(env.Client, xfn.NewGRPCRunner(env.Client, xfn.WithInsecure()))
	req := xfn.PipelineRequest{
		Composite: &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.org/v1", "kind": "XApp", "metadata": map[string]any{"name": "x"}}},
		Steps:     []xpextv1.PipelineStep{{Step: "mystery", FunctionRef: xpextv1.FunctionReference{Name: "function-nobody-installed"}}},
	}
	_, err := xfn.NewPipeline(router, env.Client).Run(context.Background(), req)
	want := `cannot run pipeline step "mystery" (function "function-nobody-installed"): unknown function "function-nobody-installed": no Function named "function-nobody-installed" is installed and it is not built in`
	if err == nil || err.Error() != want {
		t.Errorf("A step naming a function that is neither installed nor built in fails clearly.\nRun(...): want error %q, got %v", want, err)
	}
}

// pipeline makes a ConfigMap and a Deployment in-process, labels them with
// the function fn over gRPC, and marks the ready ones with the auto-ready
// built-in. The observed ConfigMap is Ready.
func pipeline(ns, fn string) xfn.PipelineRequest {
	observed := configMap(ns, map[string]any{"app": "demo"})
	observed.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}
	return xfn.PipelineRequest{
		Composite: &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.org/v1",
			"kind":       "XApp",
			"metadata":   map[string]any{"name": "demo"},
		}},
		Observed: map[string]xfn.ObservedResource{"config": {Resource: observed}},
		Steps: []xpextv1.PipelineStep{
			{Step: "make", FunctionRef: xpextv1.FunctionReference{Name: makeResources}},
			{Step: "label", FunctionRef: xpextv1.FunctionReference{Name: fn}, Input: &runtime.RawExtension{
				Raw: []byte(`{"apiVersion":"add-labels.fn.stratus.dev/v1alpha1","kind":"Input","labels":{"team":"platform"}}`),
			}},
			{Step: "ready", FunctionRef: xpextv1.FunctionReference{Name: xfn.FunctionAutoReady}},
		},
	}
}

// desireResources returns an in-process function that adds a ConfigMap and a
// Deployment in namespace ns to the desired state.
func desireResources(ns string) func(context.Context, string, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	return func(_ context.Context, _ string, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
		cm, err := xfn.AsStruct(configMap(ns, map[string]any{"app": "demo"}))
		if err != nil {
			return nil, err
		}
		d, err := xfn.AsStruct(deployment(ns, nil))
		if err != nil {
			return nil, err
		}
		desired := req.GetDesired()
		desired.Resources = map[string]*fnv1.Resource{"config": {Resource: cm}, "app": {Resource: d}}
		return &fnv1.RunFunctionResponse{Desired: desired, Context: req.GetContext()}, nil
	}
}

func configMap(ns string, labels map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata":   map[string]any{"namespace": ns, "name": "demo", "labels": labels},
		"data":       map[string]any{"greeting": "hello"},
	}}
}

func deployment(ns string, labels map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"namespace": ns, "name": "demo"}
	if labels != nil {
		meta["labels"] = labels
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   meta,
		"spec": map[string]any{
			"replicas": int64(3),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "demo"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "demo"}},
				"spec": map[string]any{"containers": []any{map[string]any{
					"name":  "demo",
					"image": "nginx:1.27",
					"ports": []any{map[string]any{"containerPort": int64(80)}},
				}}},
			},
		},
	}}
}

// A pki is a CA and the certificates it signed, laid out as function servers
// and their clients read them: ca.crt, tls.crt and tls.key in one directory
// each.
type pki struct {
	server string
	client string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "stratus-xfn-test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}

	p := pki{server: filepath.Join(dir, "server"), client: filepath.Join(dir, "client")}
	for i, leaf := range []struct {
		dir   string
		name  string
		usage x509.ExtKeyUsage
	}{
		{dir: p.server, name: "add-labels", usage: x509.ExtKeyUsageServerAuth},
		{dir: p.client, name: "stratus", usage: x509.ExtKeyUsageClientAuth},
	} {
		key := newKey(t)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i) + 2),
			Subject:      pkix.Name{CommonName: leaf.name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{leaf.usage},
			DNSNames:     []string{leaf.name, "localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(leaf.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for file, block := range map[string]*pem.Block{
			xfn.CACertFile:     {Type: "CERTIFICATE", Bytes: caDER},
			xfn.ClientCertFile: {Type: "CERTIFICATE", Bytes: der},
			xfn.ClientKeyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
		} {
			if err := os.WriteFile(filepath.Join(leaf.dir, file), pem.EncodeToMemory(block), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
