package dbinstance

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
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
)

// AnnotationPasswordHash records a salted, slow hash of the master password
// Stratus last set on the DB instance. AWS never returns the password, so
// the hash is how a change of the password Secret is noticed. It is never
// the password itself.
const AnnotationPasswordHash = "rds.aws.stratus.dev/master-password-hash" //nolint:gosec // An annotation key, not a credential.

// passwordLength is the length of generated passwords: 32 characters of 62
// give about 190 bits, within every engine's limit (MySQL and MariaDB
// allow 41).
const passwordLength = 32

// passwordChars are the characters of generated passwords. RDS forbids /,
// @, " and spaces; letters and digits need no quoting in any client.
const passwordChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// hashIterations makes a brute-force search of a weak, user-chosen password
// from its recorded hash slow, at about a millisecond per observe.
const hashIterations = 4096

// generatePassword returns a random password of passwordLength letters and
// digits, each drawn uniformly.
func generatePassword() (string, error) {
	b := make([]byte, passwordLength)
	n := big.NewInt(int64(len(passwordChars)))
	for i := range b {
		c, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", errors.Wrap(err, "cannot generate password")
		}
		b[i] = passwordChars[c.Int64()]
	}
	return string(b), nil
}

// passwordHash returns the hash of pw that AnnotationPasswordHash records
// for cr, salted with cr's UID.
func passwordHash(cr *v1beta1.DBInstance, pw string) string {
	salt := []byte("stratus.dev/rds/" + string(cr.GetUID()))
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

// passwordApplied reports whether pw is the password last set on cr's
// instance.
func passwordApplied(cr *v1beta1.DBInstance, pw string) bool {
	h, ok := cr.GetAnnotations()[AnnotationPasswordHash]
	return ok && h == passwordHash(cr, pw)
}

// readPassword returns the password sel selects, or "" when the Secret or
// its key does not exist (or is empty).
func readPassword(ctx context.Context, kube client.Reader, sel xpv2.SecretKeySelector) (string, error) {
	s := &corev1.Secret{}
	err := kube.Get(ctx, types.NamespacedName{Namespace: sel.Namespace, Name: sel.Name}, s)
	if kerrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", errors.Wrapf(err, "cannot get master password Secret %s/%s", sel.Namespace, sel.Name)
	}
	return string(s.Data[sel.Key]), nil
}

// ensurePassword returns the password sel selects. When the Secret or key
// does not exist it generates a password and writes it there, creating the
// Secret if needed, if generate is true; otherwise it fails. Writes are
// conditional on what was read, so two reconciles never store different
// passwords. A Secret it creates is controlled by owner (the DB instance),
// which deletes it with the instance; a Secret that existed keeps its
// owners.
func ensurePassword(ctx context.Context, kube client.Client, owner metav1.OwnerReference, sel xpv2.SecretKeySelector, generate bool, newPassword func() (string, error)) (string, error) {
	s := &corev1.Secret{}
	err := kube.Get(ctx, types.NamespacedName{Namespace: sel.Namespace, Name: sel.Name}, s)
	missing := kerrors.IsNotFound(err)
	if err != nil && !missing {
		return "", errors.Wrapf(err, "cannot get master password Secret %s/%s", sel.Namespace, sel.Name)
	}
	if pw := string(s.Data[sel.Key]); pw != "" {
		return pw, nil
	}
	if !generate {
		if missing {
			return "", errors.Errorf("master password Secret %s/%s does not exist (set autoGeneratePassword to generate one)", sel.Namespace, sel.Name)
		}
		return "", errors.Errorf("master password Secret %s/%s has no key %q (set autoGeneratePassword to generate one)", sel.Namespace, sel.Name, sel.Key)
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
			return "", errors.Wrapf(err, "cannot create master password Secret %s/%s", sel.Namespace, sel.Name)
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
		return "", errors.Wrapf(err, "cannot write master password to Secret %s/%s", sel.Namespace, sel.Name)
	}
	return pw, nil
}

// recordPasswordHash records hash on cr in the API server. It patches a copy
// so that cr keeps the status this reconcile observed, and takes on the new
// resourceVersion so that the reconcile's status update still applies.
func recordPasswordHash(ctx context.Context, kube client.Client, cr *v1beta1.DBInstance, hash string) error {
	orig := cr.DeepCopy()
	p := cr.DeepCopy()
	meta.AddAnnotations(p, map[string]string{AnnotationPasswordHash: hash})
	if err := kube.Patch(ctx, p, client.MergeFrom(orig)); err != nil {
		return errors.Wrap(err, "cannot record the hash of the master password")
	}
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: hash})
	cr.SetResourceVersion(p.GetResourceVersion())
	return nil
}

// redacted returns err with every occurrence of secret replaced, so that a
// password an API echoes never reaches a condition, event or log.
func redacted(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[redacted]"))
}
