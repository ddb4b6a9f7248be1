package clients

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

// passwordLength is the length of generated passwords: 32 characters of 62
// give about 190 bits, within Azure's limits (8 to 128 for PostgreSQL, 6 to
// 72 for Linux machines).
const passwordLength = 32

// passwordChars are the characters of generated passwords: letters and
// digits need no quoting in any client or connection string.
const passwordChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// hashIterations makes a brute-force search of a weak, user-chosen password
// from its recorded hash slow, at about a millisecond per observe.
const hashIterations = 4096

// GeneratePassword returns a random password of passwordLength letters and
// digits, each drawn uniformly, with at least one upper-case letter, one
// lower-case letter and one digit, as Azure's complexity rules want.
func GeneratePassword() (string, error) {
	n := big.NewInt(int64(len(passwordChars)))
	for {
		b := make([]byte, passwordLength)
		for i := range b {
			c, err := rand.Int(rand.Reader, n)
			if err != nil {
				return "", errors.Wrap(err, "cannot generate password")
			}
			b[i] = passwordChars[c.Int64()]
		}
		pw := string(b)
		if strings.ContainsAny(pw, passwordChars[:26]) && strings.ContainsAny(pw, passwordChars[26:52]) && strings.ContainsAny(pw, passwordChars[52:]) {
			return pw, nil
		}
	}
}

// PasswordHash returns a salted, slow hash of pw for the resource uid, to
// record which password was set on a resource whose API never returns it.
// It is never the password itself.
func PasswordHash(uid types.UID, pw string) string {
	salt := []byte("stratus.dev/azure/" + string(uid))
	k, err := pbkdf2.Key(sha256.New, pw, salt, hashIterations, sha256.Size)
	if err != nil {
		// pbkdf2 refuses only parameters a FIPS 140-only mode forbids;
		// rather than crash, fall back to a keyed hash, which never fails
		// and is just as stable.
		m := hmac.New(sha256.New, salt)
		m.Write([]byte(pw))
		return "hmac-sha256:" + base64.RawStdEncoding.EncodeToString(m.Sum(nil))
	}
	return "pbkdf2-sha256:" + base64.RawStdEncoding.EncodeToString(k)
}

// ReadPassword returns the password sel selects, or "" when the Secret or
// its key does not exist (or is empty).
func ReadPassword(ctx context.Context, kube client.Reader, sel xpv2.SecretKeySelector) (string, error) {
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

// EnsurePassword returns the password sel selects. When the Secret or key
// does not exist it generates a password with newPassword and writes it
// there, creating the Secret if needed, if generate is true; otherwise it
// fails. Writes are conditional on what was read, so two reconciles never
// store different passwords. A Secret it creates is controlled by owner
// (the managed resource), which deletes it with the resource; a Secret
// that existed keeps its owners.
func EnsurePassword(ctx context.Context, kube client.Client, owner metav1.OwnerReference, sel xpv2.SecretKeySelector, generate bool, newPassword func() (string, error)) (string, error) {
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
	pw, err := newPassword()
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
	// writer got there first, it fails rather than replace a password
	// that may already be in use.
	if err := kube.Update(ctx, s); err != nil {
		return "", errors.Wrapf(err, "cannot write password to Secret %s/%s", sel.Namespace, sel.Name)
	}
	return pw, nil
}
