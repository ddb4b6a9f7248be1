package databaseinstance

import (
	"context"

	sqladmin "google.golang.org/api/sqladmin/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/password"
)

// Annotations that record the administrator's password. Cloud SQL never
// returns a password, so the fingerprint (never the password) of the one
// Stratus last set is how a change of the password Secret is noticed.
const (
	// AnnotationPasswordHash is the fingerprint of the password the
	// instance has.
	AnnotationPasswordHash = "sql.gcp.stratus.dev/root-password-hash" //nolint:gosec // An annotation key, not a credential.
	// AnnotationPendingPasswordHash is the fingerprint of a password
	// being set, until the operation that sets it is done.
	AnnotationPendingPasswordHash = "sql.gcp.stratus.dev/pending-root-password-hash" //nolint:gosec // As above.
)

// settlePassword makes a password change whose operation succeeded the
// instance's password.
func settlePassword(cr *v1beta1.DatabaseInstance) clients.SettleFn {
	return password.Settle(cr, AnnotationPasswordHash, AnnotationPendingPasswordHash)
}

// passwordRef returns the selector of the Secret that holds the
// administrator's password: spec.forProvider's, else spec.initProvider's.
func passwordRef(cr *v1beta1.DatabaseInstance) *xpv2.SecretKeySelector {
	if ref := cr.Spec.ForProvider.RootPasswordSecretRef; ref != nil {
		return ref
	}
	if ip := cr.Spec.InitProvider; ip != nil {
		return ip.RootPasswordSecretRef
	}
	return nil
}

// observePassword returns the administrator's password when the instance
// is known to have it (so that it can be published), and whether the
// password is up to date: a password Secret in spec.forProvider whose
// password the instance does not have yet needs an update.
func (e *external) observePassword(ctx context.Context, cr *v1beta1.DatabaseInstance) (string, bool, error) {
	ref := passwordRef(cr)
	if ref == nil {
		return "", true, nil
	}
	pw, err := password.Read(ctx, e.kube, *ref)
	if err != nil {
		return "", false, err
	}
	applied := password.Applied(cr.GetUID(), cr.GetAnnotations()[AnnotationPasswordHash], pw)
	if !applied {
		// Publish no password that may not work.
		pw = ""
	}
	if cr.Spec.ForProvider.RootPasswordSecretRef == nil {
		// A password in initProvider is not kept in sync.
		return pw, true, nil
	}
	return pw, applied, nil
}

// updatePassword sets the administrator's password from its Secret
// (generating one first when asked) unless the instance has it already,
// and records the change as pending until its operation is done.
func (e *external) updatePassword(ctx context.Context, cr *v1beta1.DatabaseInstance, db *sqladmin.DatabaseInstance) error {
	fp := cr.Spec.ForProvider
	if fp.RootPasswordSecretRef == nil {
		return nil
	}
	pw, err := password.Ensure(ctx, e.kube, provider.ControllerReference(cr, v1beta1.DatabaseInstanceGroupVersionKind), *fp.RootPasswordSecretRef, fp.AutoGeneratePassword != nil && *fp.AutoGeneratePassword, e.newPassword)
	if err != nil {
		return err
	}
	if password.Applied(cr.GetUID(), cr.GetAnnotations()[AnnotationPasswordHash], pw) {
		return nil
	}
	user, host, _ := engineDefaults(db.DatabaseVersion)
	op, err := e.api.UpdateUser(ctx, db.Name, user, host, &sqladmin.User{Name: user, Host: host, Password: pw})
	if err != nil {
		return password.Redact(clients.Wrap(err, "cannot set the administrator's password"), pw)
	}
	// The hash is pending until the operation is done; an operation done
	// at once has set the password already.
	key := AnnotationPendingPasswordHash
	if op.Done {
		key = AnnotationPasswordHash
	}
	return password.Redact(clients.RecordOperation(ctx, e.kube, cr, op, map[string]string{key: password.Hash(cr.GetUID(), pw)}), pw)
}
