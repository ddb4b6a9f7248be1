package localcp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stratus-dev/stratus/internal/proc"
)

// Binary names, as `make tools` writes them into the binary directory.
const (
	EtcdBinary      = "etcd"
	APIServerBinary = "kube-apiserver"
)

// EnvBinDir names the environment variable that overrides where the control
// plane binaries are looked up.
const EnvBinDir = "STRATUS_BIN_DIR"

// KubeconfigContext is the name of the context written to the kubeconfig.
const KubeconfigContext = "stratus-local"

// ErrBinaryMissing is returned (wrapped) when a control plane binary is not
// where it should be.
var ErrBinaryMissing = errors.New("control plane binary not found")

const (
	defaultStartTimeout = 60 * time.Second
)

// Options configure a local control plane.
type Options struct {
	// BinDir holds the etcd and kube-apiserver binaries. Empty means
	// DefaultBinDir.
	BinDir string

	// Dir receives certificates, etcd data, logs and the kubeconfig. It is
	// emptied on Start, and locked (through Dir.lock beside it) until Stop,
	// so two control planes never share it. Empty means a temporary
	// directory that Stop removes.
	Dir string

	// APIServerPort and EtcdPort are the loopback ports to listen on. Zero
	// means a free port chosen at start.
	APIServerPort int
	EtcdPort      int

	// StartTimeout bounds how long Start waits for both servers to become
	// ready. Zero means one minute.
	StartTimeout time.Duration

	// Progress receives one line per step, for people watching a start.
	// Nil discards them.
	Progress io.Writer
}

// A ControlPlane is a running etcd and kube-apiserver.
type ControlPlane struct {
	// Dir holds the control plane's files: logs, certificates, etcd data.
	Dir string

	// KubeconfigPath is a kubeconfig file for kubectl, authenticated as an
	// administrator.
	KubeconfigPath string

	// Config is a client configuration authenticated as an administrator.
	Config *rest.Config

	// APIServerURL is the https URL the API server serves on.
	APIServerURL string

	// EtcdURL is the http URL etcd serves clients on.
	EtcdURL string

	etcd      *proc.Process
	apiserver *proc.Process
	removeDir bool
	lock      *os.File
}

// DefaultBinDir returns the directory that holds the control plane binaries:
// $STRATUS_BIN_DIR when set, otherwise .cache/bin at the root of the Stratus
// source tree that contains the working directory.
func DefaultBinDir() (string, error) {
	if d := os.Getenv(EnvBinDir); d != "" {
		return d, nil
	}
	root, err := SourceRoot()
	if err != nil {
		return "", errors.Wrapf(err, "cannot find the control plane binaries; set %s to the directory holding %s and %s", EnvBinDir, EtcdBinary, APIServerBinary)
	}
	return filepath.Join(root, ".cache", "bin"), nil
}

// SourceRoot returns the root of the Stratus source tree that holds the
// working directory: the nearest directory with cluster/local/go.mod.
func SourceRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", errors.Wrap(err, "cannot get working directory")
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "cluster", "local", "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.Errorf("%s is not inside a Stratus source tree", wd)
		}
	}
}

// binary returns the path of a control plane binary, or an error wrapping
// ErrBinaryMissing that says how to build it.
func binary(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	fi, err := os.Stat(p)
	switch {
	case os.IsNotExist(err):
		return "", errors.Wrapf(ErrBinaryMissing, "%s is not at %s: run 'make tools' to build it", name, p)
	case err != nil:
		return "", errors.Wrapf(err, "cannot inspect %s", p)
	case fi.IsDir() || fi.Mode().Perm()&0o111 == 0:
		return "", errors.Wrapf(ErrBinaryMissing, "%s at %s is not an executable file: run 'make tools' to rebuild it", name, p)
	}
	return p, nil
}

// Start starts etcd and kube-apiserver and returns once the API server is
// ready. On error nothing is left running.
func Start(ctx context.Context, o Options) (cp *ControlPlane, err error) { //nolint:gocyclo // A linear sequence of steps, each with its own error.
	if o.BinDir == "" {
		if o.BinDir, err = DefaultBinDir(); err != nil {
			return nil, err
		}
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = defaultStartTimeout
	}
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}

	etcdBin, err := binary(o.BinDir, EtcdBinary)
	if err != nil {
		return nil, err
	}
	apiBin, err := binary(o.BinDir, APIServerBinary)
	if err != nil {
		return nil, err
	}

	apiPort, err := pickPort("kube-apiserver", o.APIServerPort)
	if err != nil {
		return nil, err
	}
	etcdPort, err := pickPort("etcd client", o.EtcdPort)
	if err != nil {
		return nil, err
	}
	peerPort, err := proc.FreePort()
	if err != nil {
		return nil, err
	}

	cp = &ControlPlane{Dir: o.Dir}
	if cp.Dir == "" {
		if cp.Dir, err = os.MkdirTemp("", "stratus-localcp-"); err != nil {
			return nil, errors.Wrap(err, "cannot create control plane directory")
		}
		cp.removeDir = true
	} else {
		if cp.lock, err = lockDir(cp.Dir); err != nil {
			return nil, err
		}
		if err := os.RemoveAll(cp.Dir); err != nil {
			_ = unlockDir(cp.lock)
			return nil, errors.Wrapf(err, "cannot clear control plane directory %s", cp.Dir)
		}
		// Searchable by others: the local cloud keeps its state inside, and
		// its PostgreSQL servers run as the postgres user when Stratus runs
		// as root. Files holding secrets are private on their own.
		if err := os.MkdirAll(cp.Dir, 0o755); err != nil { //nolint:gosec // G301: see above.
			_ = unlockDir(cp.lock)
			return nil, errors.Wrapf(err, "cannot create control plane directory %s", cp.Dir)
		}
	}
	defer func() {
		if err != nil {
			_ = cp.Stop()
			cp = nil
		}
	}()

	s, err := writeSecrets(cp.Dir)
	if err != nil {
		return cp, errors.Wrap(err, "cannot write control plane certificates")
	}

	ctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()

	cp.EtcdURL = "http://" + loopback + ":" + strconv.Itoa(etcdPort)
	peerURL := "http://" + loopback + ":" + strconv.Itoa(peerPort)
	fmt.Fprintf(progress, "starting etcd on %s\n", cp.EtcdURL)
	cp.etcd, err = proc.Start(EtcdBinary, etcdBin, []string{
		"--name=stratus",
		"--data-dir=" + filepath.Join(cp.Dir, "etcd"),
		"--listen-client-urls=" + cp.EtcdURL,
		"--advertise-client-urls=" + cp.EtcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=stratus=" + peerURL,
		// A throwaway local store: durability across power loss buys nothing.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}, filepath.Join(cp.Dir, "etcd.log"))
	if err != nil {
		return cp, err
	}
	if err := cp.etcd.WaitHTTP(ctx, http.DefaultClient, cp.EtcdURL+"/health", ""); err != nil {
		return cp, err
	}

	cp.APIServerURL = "https://" + loopback + ":" + strconv.Itoa(apiPort)
	fmt.Fprintf(progress, "starting kube-apiserver on %s\n", cp.APIServerURL)
	cp.apiserver, err = proc.Start(APIServerBinary, apiBin, []string{
		"--etcd-servers=" + cp.EtcdURL,
		"--bind-address=" + loopback,
		"--advertise-address=" + loopback,
		"--secure-port=" + strconv.Itoa(apiPort),
		"--tls-cert-file=" + s.certPath,
		"--tls-private-key-file=" + s.keyPath,
		"--token-auth-file=" + s.tokPath,
		"--authorization-mode=RBAC",
		"--service-account-issuer=" + cp.APIServerURL,
		"--service-account-key-file=" + s.saPath,
		"--service-account-signing-key-file=" + s.saPath,
		// Cluster IPs are only allocated, never routed: no Service is
		// reachable through them on a laptop.
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		// Nothing runs pods here, so there is no token controller to mint
		// the tokens the ServiceAccount admission plugin waits for.
		"--disable-admission-plugins=ServiceAccount",
		"--profiling=false",
	}, filepath.Join(cp.Dir, "kube-apiserver.log"))
	if err != nil {
		return cp, err
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.caPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	if err := cp.apiserver.WaitHTTP(ctx, hc, cp.APIServerURL+"/readyz", "Bearer "+s.token); err != nil {
		return cp, err
	}

	cp.Config = &rest.Config{
		Host:            cp.APIServerURL,
		BearerToken:     s.token,
		TLSClientConfig: rest.TLSClientConfig{CAData: s.caPEM},
		// The defaults (5 QPS, burst 10) throttle tests and controllers
		// talking to a private, otherwise idle API server.
		QPS:   200,
		Burst: 400,
	}
	cp.KubeconfigPath = filepath.Join(cp.Dir, "kubeconfig")
	if err := writeKubeconfig(cp.KubeconfigPath, cp.APIServerURL, s); err != nil {
		return cp, err
	}
	fmt.Fprintf(progress, "control plane ready; kubeconfig at %s\n", cp.KubeconfigPath)
	return cp, nil
}

// writeKubeconfig writes a kubeconfig that reaches the API server as the
// admin user.
func writeKubeconfig(path, server string, s *secrets) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[KubeconfigContext] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: s.caPEM}
	cfg.AuthInfos[KubeconfigContext] = &clientcmdapi.AuthInfo{Token: s.token}
	cfg.Contexts[KubeconfigContext] = &clientcmdapi.Context{Cluster: KubeconfigContext, AuthInfo: KubeconfigContext}
	cfg.CurrentContext = KubeconfigContext
	return errors.Wrap(clientcmd.WriteToFile(*cfg, path), "cannot write kubeconfig")
}

// Stop stops the API server, then etcd, and removes the control plane's
// directory if Start created it. It is safe to call more than once.
func (c *ControlPlane) Stop() error {
	if c == nil {
		return nil
	}
	var errs []error
	if err := c.apiserver.Stop(); err != nil {
		errs = append(errs, err)
	}
	if err := c.etcd.Stop(); err != nil {
		errs = append(errs, err)
	}
	if c.removeDir {
		if err := os.RemoveAll(c.Dir); err != nil {
			errs = append(errs, errors.Wrap(err, "cannot remove control plane directory"))
		}
	}
	if err := unlockDir(c.lock); err != nil {
		errs = append(errs, err)
	}
	c.lock = nil
	return errors.Join(errs...)
}
