// Package password generates, stores and fingerprints the passwords of the
// Cloud SQL administrators and users the GCP provider manages. Google's
// APIs never return a password, so a salted, slow hash of the password
// last set, kept in an annotation, is how a change of the password Secret
// is noticed.
package password

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// length of generated passwords: 32 of 62 characters, about 190 bits, well
// within what PostgreSQL and MySQL accept.
const length = 32

// alphabet of generated passwords: letters and digits need no quoting in a
// connection string or shell.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// iterations of the hash: about a millisecond per check, which makes a
// search for a weak password from its recorded hash slow.
const iterations = 4096

// Generate returns a random password of 32 letters and digits, each drawn
// uniformly.
func Generate() (string, error) {
	b := make([]byte, length)
	n := big.NewInt(int64(len(alphabet)))
	for i := range b {
		c, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", errors.Wrap(err, "cannot generate password")
		}
		b[i] = alphabet[c.Int64()]
	}
	return string(b), nil
}

// Hash returns the fingerprint of pw recorded for the resource whose UID is
// uid: PBKDF2-SHA256 salted with the UID, never the password itself.
func Hash(uid types.UID, pw string) string {
	salt := []byte("stratus.dev/gcp/" + string(uid))
	k, err := pbkdf2.Key(sha256.New, pw, salt, iterations, sha256.Size)
	if err != nil {
		// pbkdf2 refuses only what a FIPS 140-only mode forbids; a keyed
		// hash is as stable and never fails.
		m := hmac.New(sha256.New, salt)
		m.Write([]byte(pw))
		return "hmac-sha256:" + base64.RawStdEncoding.EncodeToString(m.Sum(nil))
	}
	return "pbkdf2-sha256:" + base64.RawStdEncoding.EncodeToString(k)
}

// Applied reports whether hash, as recorded, is the fingerprint of pw for
// the resource whose UID is uid.
func Applied(uid types.UID, hash, pw string) bool {
	return hash != "" && pw != "" && hash == Hash(uid, pw)
}

// Read returns the password sel selects, or "" when the Secret or its key
// does not exist or is empty.
func Read(ctx context.Context, kube client.Reader, sel xpv2.SecretKeySelector) (string, error) {
	s := &corev1.Secret{}
	err := kube.Get(ctx, types.NamespacedName{Namespace: sel.Namespace, Name: sel.Name}, s)
	if kerrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", errors.Wrapf(err, "cannot get password Secret %s/%s", sel.Namespace, sel.Name)
	}
	return string(s.Data[sel.Key]), nil
}

// Ensure returns the password sel selects. When the Secret or its key is
// missing it generates one with gen and stores it there (creating the
// Secret if needed) if generate is true, and fails otherwise. The write is
// conditional on what was read, so two reconciles never store different
// passwords. A Secret it creates is controlled by owner (the managed
// resource), which deletes it with the resource; a Secret that existed
// keeps its owners.
func Ensure(ctx context.Context, kube client.Client, owner metav1.OwnerReference, sel xpv2.SecretKeySelector, generate bool, gen func() (string, error)) (string, error) {
	s := &corev1.Secret{}
	err := kube.Get(ctx, types.NamespacedName{Namespace: sel.Namespace, Name: sel.Name}, s)
	missing := kerrors.IsNotFound(err)
	if err != nil && !missing {
		return "", errors.Wrapf(err, "cannot get password Secret %s/%s", sel.Namespace, sel.Name)
	}
	if pw := string(s.Data[sel.Key]); pw != "" {
		return pw, nil
	}
	if !generate {
		if missing {
			return "", errors.Errorf("password Secret %s/%s does not exist (set autoGeneratePassword to generate one)", sel.Namespace, sel.Name)
		}
		return "", errors.Errorf("password Secret %s/%s has no key %q (set autoGeneratePassword to generate one)", sel.Namespace, sel.Name, sel.Key)
	}
	pw, err := gen()
	if err != nil {
		return "", err
	}
	if missing {
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: sel.Namespace, Name: sel.Name, OwnerReferences: []metav1.OwnerReference{owner}},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{sel.Key: []byte(pw)},
		}
		if err := kube.Create(ctx, s); err != nil {
			return "", errors.Wrapf(err, "cannot create password Secret %s/%s", sel.Namespace, sel.Name)
		}
		return pw, nil
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	s.Data[sel.Key] = []byte(pw)
	// The update carries the resourceVersion read above: if another
	// writer got there first it fails, rather than replace a password that
	// may be in use already.
	if err := kube.Update(ctx, s); err != nil {
		return "", errors.Wrapf(err, "cannot store password in Secret %s/%s", sel.Namespace, sel.Name)
	}
	return pw, nil
}

// Redact returns err with every occurrence of secret replaced, so that a
// password an API echoes never reaches a condition, an event or a log.
func Redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[redacted]"))
}

// Settle returns what SettleOperation needs to finish a password change
// once its operation is done: the hash recorded under pendingKey when the
// change started becomes the applied one, under hashKey, if the operation
// succeeded, and is dropped if it failed.
func Settle(mg client.Object, hashKey, pendingKey string) func(failed bool) (map[string]string, []string) {
	return func(failed bool) (map[string]string, []string) {
		pending, ok := mg.GetAnnotations()[pendingKey]
		if !ok {
			return nil, nil
		}
		if failed {
			return nil, []string{pendingKey}
		}
		return map[string]string{hashKey: pending}, []string{pendingKey}
	}
}
