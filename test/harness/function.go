package harness

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xppkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"

	pkgv1 "github.com/stratus-dev/stratus/apis/pkg/v1"
	"github.com/stratus-dev/stratus/internal/proc"
)

// BuildExampleFunction builds the example function examples/functions/<name>
// into a temporary directory and returns the binary's path.
func BuildExampleFunction(t testing.TB, name string) string {
	t.Helper()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(root, "examples", "functions", name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build the example function: %v\n%s", err, out)
	}
	return bin
}

// StartFunction runs a function binary on a free loopback port until the
// test ends, and returns its endpoint once it accepts connections.
func StartFunction(t testing.TB, bin string, args ...string) string {
	t.Helper()
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	endpoint := fmt.Sprintf("127.0.0.1:%d", port)
	args = append([]string{"--address", endpoint, "--metrics-address", "", "--debug"}, args...)
	p, err := proc.Start(filepath.Base(bin), bin, args, filepath.Join(t.TempDir(), "function.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("cannot stop the function: %v", err)
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		if p.Exited() {
			t.Fatal(p.ExitError())
		}
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(context.Background(), "tcp", endpoint)
		if err == nil {
			_ = c.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("the function did not listen on %s within 30s: %v; last lines of its log:\n%s", endpoint, err, proc.Tail(p.LogPath(), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// InstallFunction creates a Function named name whose status says it serves
// at endpoint, as the package manager would once the function runs.
func (e *Env) InstallFunction(t testing.TB, name, endpoint string) {
	c := e.Client
	t.Helper()
	ctx := context.Background()
	fn := &pkgv1.Function{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       xppkgv1.FunctionSpec{PackageSpec: xppkgv1.PackageSpec{Package: "xpkg.stratus.dev/examples/" + name + ":v0.1.0"}},
	}
	if err := c.Create(ctx, fn); err != nil {
		t.Fatalf("cannot create Function %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := c.Delete(context.Background(), fn); err != nil {
			t.Errorf("cannot delete Function %s: %v", name, err)
		}
	})
	// Status is a subresource: create ignores it.
	fn.Status.Endpoint = endpoint
	if err := c.Status().Update(ctx, fn); err != nil {
		t.Fatalf("cannot set the endpoint of Function %s: %v", name, err)
	}
}
