package localcp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// certValidity is how long generated certificates are valid. A local control
// plane lives for one session, but a long-running `stratus dev` should not
// see its certificates expire under it.
const certValidity = 365 * 24 * time.Hour

// secrets are the files the API server needs to serve TLS, sign service
// account tokens and authenticate the admin user.
type secrets struct {
	caPEM    []byte // the CA that signed the serving certificate
	certPath string // serving certificate
	keyPath  string // serving key
	saPath   string // service account signing key (its public half verifies)
	token    string // admin bearer token
	tokPath  string // token auth file
}

// writeSecrets generates a CA, a serving certificate for the loopback address,
// a service-account signing key and an admin token, and writes them into dir.
func writeSecrets(dir string) (*secrets, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errors.Wrap(err, "cannot generate CA key")
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "stratus-local-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create CA certificate")
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, errors.Wrap(err, "cannot parse CA certificate")
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errors.Wrap(err, "cannot generate serving key")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create serving certificate")
	}

	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errors.Wrap(err, "cannot generate service account key")
	}

	tok := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return nil, errors.Wrap(err, "cannot generate admin token")
	}

	s := &secrets{
		caPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPath: filepath.Join(dir, "apiserver.crt"),
		keyPath:  filepath.Join(dir, "apiserver.key"),
		saPath:   filepath.Join(dir, "service-account.key"),
		token:    hex.EncodeToString(tok),
		tokPath:  filepath.Join(dir, "tokens.csv"),
	}
	keyPEM, err := ecKeyPEM(key)
	if err != nil {
		return nil, err
	}
	saPEM, err := ecKeyPEM(saKey)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		filepath.Join(dir, "ca.crt"): s.caPEM,
		s.certPath:                   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		s.keyPath:                    keyPEM,
		s.saPath:                     saPEM,
		// token,user,uid,"group1,group2": the admin is in system:masters,
		// which RBAC lets do anything.
		s.tokPath: []byte(s.token + `,stratus-admin,stratus-admin,"system:masters"` + "\n"),
	}
	for path, b := range files {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, errors.Wrapf(err, "cannot write %s", filepath.Base(path))
		}
	}
	return s, nil
}

func ecKeyPEM(k *ecdsa.PrivateKey) ([]byte, error) {
	b, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode private key")
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: b}), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		// crypto/rand does not fail on Linux; a fixed serial would still
		// give a valid certificate.
		return big.NewInt(1)
	}
	return n
}
