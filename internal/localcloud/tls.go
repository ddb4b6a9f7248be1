package localcloud

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	caCertFile      = "ca.pem"
	servingCertFile = "serving.pem"
	servingKeyFile  = "serving-key.pem"
	certLifetime    = 10 * 365 * 24 * time.Hour
)

// certs are the local cloud's TLS material: a CA that clients trust and the
// serving certificate it signed for the loopback addresses.
type certs struct {
	caFile  string
	serving tls.Certificate
}

// ensureTLS loads the CA and serving certificate from dir, making them the
// first time. They persist so that a client that trusts the CA keeps
// trusting a restarted local cloud.
func ensureTLS(dir string) (certs, error) {
	caPath := filepath.Join(dir, caCertFile)
	certPath, keyPath := filepath.Join(dir, servingCertFile), filepath.Join(dir, servingKeyFile)
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		if _, err := os.Stat(caPath); err == nil {
			return certs{caFile: caPath, serving: c}, nil
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return certs{}, errors.Wrapf(err, "cannot create %s", dir)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certs{}, errors.Wrap(err, "cannot generate the local cloud CA key")
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Stratus local cloud CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return certs{}, errors.Wrap(err, "cannot create the local cloud CA")
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return certs{}, errors.Wrap(err, "cannot parse the local cloud CA")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certs{}, errors.Wrap(err, "cannot generate the serving key")
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return certs{}, errors.Wrap(err, "cannot create the serving certificate")
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return certs{}, errors.Wrap(err, "cannot encode the serving key")
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	for _, f := range []struct {
		path string
		b    []byte
		mode os.FileMode
	}{{keyPath, keyPEM, 0o600}, {certPath, certPEM, 0o644}, {caPath, caPEM, 0o644}} {
		if err := writeFileAtomic(f.path, f.b, f.mode); err != nil {
			return certs{}, errors.Wrapf(err, "cannot write %s", f.path)
		}
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	return certs{caFile: caPath, serving: c}, errors.Wrap(err, "cannot load the serving certificate")
}

// CAPool returns a certificate pool holding the CA in the PEM file at path,
// for clients of the Azure endpoint.
func CAPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read the local cloud CA %s", path)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, errors.Errorf("%s holds no PEM certificate", path)
	}
	return p, nil
}
