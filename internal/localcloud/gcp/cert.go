package gcp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // G505: sha1Fingerprint is a field of the API; it identifies, it does not protect.
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"time"

	"google.golang.org/api/sqladmin/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// caValidity is how long a Cloud SQL server CA certificate is valid.
const caValidity = 10 * 365 * 24 * time.Hour

// newServerCA makes the self-signed server CA certificate a Cloud SQL
// instance reports as serverCaCert. Each instance gets its own, as on Cloud
// SQL; the private key is not kept because the emulated servers do not
// serve TLS.
func newServerCA(instance string, now time.Time) (*sqladmin.SslCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errors.Wrap(err, "cannot generate the server CA key")
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, errors.Wrap(err, "cannot generate a serial number")
	}
	dnq := newUUID()
	name := pkix.Name{
		Country:      []string{"US"},
		Organization: []string{"Google, Inc"},
		CommonName:   "Google Cloud SQL Server CA",
		ExtraNames:   []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 46}, Value: dnq}},
	}
	start := now.UTC().Truncate(time.Second)
	tpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             start,
		NotAfter:              start.Add(caValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create the server CA certificate")
	}
	sum := sha1.Sum(der) //nolint:gosec // G401: as above, an identifier the API defines as SHA-1.
	return &sqladmin.SslCert{
		Kind:             "sql#sslCert",
		CertSerialNumber: serial.String(),
		Cert:             string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		CommonName:       "C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA,dnQualifier=" + dnq,
		Sha1Fingerprint:  hex.EncodeToString(sum[:]),
		Instance:         instance,
		CreateTime:       sqlTime(start),
		ExpirationTime:   sqlTime(start.Add(caValidity)),
	}, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// sqlTime formats t as Cloud SQL does: RFC 3339 in UTC with milliseconds.
func sqlTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
