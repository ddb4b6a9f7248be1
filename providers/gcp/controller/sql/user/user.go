// Package user manages the built-in users of Cloud SQL instances.
package user

import (
	"context"

	sqladmin "google.golang.org/api/sqladmin/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	gcpv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/controller/sql/databaseinstance"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/password"
)

// Annotations that record the user's password. Cloud SQL never returns a
// password, so the fingerprint (never the password) of the one Stratus
// last set is how a change of the password Secret is noticed.
const (
	// AnnotationPasswordHash is the fingerprint of the password the user
	// has.
	AnnotationPasswordHash = "sql.gcp.stratus.dev/password-hash" //nolint:gosec // An annotation key, not a credential.
	// AnnotationPendingPasswordHash is the fingerprint of a password
	// being set, until the operation that sets it is done.
	AnnotationPendingPasswordHash = "sql.gcp.stratus.dev/pending-password-hash" //nolint:gosec // As above.
)

// kind names users in messages.
const kind = "Cloud SQL user"

// An API is the part of the Cloud SQL Admin API that manages users.
type API interface {
	clients.OperationGetter
	GetInstance(ctx context.Context, name string) (*sqladmin.DatabaseInstance, error)
	GetUser(ctx context.Context, instance, name, host string) (*sqladmin.User, error)
	InsertUser(ctx context.Context, instance string, u *sqladmin.User) (*clients.Operation, error)
	UpdateUser(ctx context.Context, instance, name, host string, u *sqladmin.User) (*clients.Operation, error)
	DeleteUser(ctx context.Context, instance, name, host string) (*clients.Operation, error)
}

// Setup adds a controller that reconciles Cloud SQL users, with API
// clients from src.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions, src clients.Source) error {
	c := &connector{source: src, kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.UserGroupVersionKind, Usage: gcpv1beta1.ProviderConfigUsageGroupVersionKind}
	// The user name is the external name, the resource's name unless set.
	return provider.SetupManaged(mgr, o, k, &v1beta1.User{}, c, managed.WithPollIntervalHook(clients.PollIntervalHook))
}

type connector struct {
	source clients.Source
	kube   client.Client
}

// The connector names the password Secrets it may create, so that
// SetupManaged deletes them with the resource.
var _ provider.SecretGenerator[*v1beta1.User] = &connector{}

// GeneratedSecrets returns the Secrets a generated password may be stored
// in, so that the one the user created is deleted with it.
func (c *connector) GeneratedSecrets(cr *v1beta1.User) []xpv2.SecretReference {
	var initRef *xpv2.SecretKeySelector
	if ip := cr.Spec.InitProvider; ip != nil {
		initRef = ip.PasswordSecretRef
	}
	return provider.SecretsOf(cr.Spec.ForProvider.PasswordSecretRef, initRef)
}

// Connect returns a client for the project of the user's ProviderConfig.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.User) (managed.TypedExternalClient[*v1beta1.User], error) {
	api, err := c.source.SQL(ctx, cr)
	if err != nil {
		return nil, err
	}
	return &external{api: api, kube: c.kube, newPassword: password.Generate}, nil
}

type external struct {
	api         API
	kube        client.Client
	newPassword func() (string, error)
}

// instance returns the name of the user's instance, which the schema
// requires (directly or by reference).
func instance(cr *v1beta1.User) string {
	if i := cr.Spec.ForProvider.Instance; i != nil {
		return *i
	}
	return ""
}

// host returns the user's host (MySQL), or "".
func host(cr *v1beta1.User) string {
	if h := cr.Spec.ForProvider.Host; h != nil {
		return *h
	}
	return ""
}

// Observe finds the user by its instance and name. Cloud SQL shows a user
// only once the operation that creates it is done; until then the
// recorded operation says it is being created.
func (e *external) Observe(ctx context.Context, cr *v1beta1.User) (managed.ExternalObservation, error) {
	name, inst := meta.GetExternalName(cr), instance(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	if inst == "" {
		return managed.ExternalObservation{}, errors.New("spec.forProvider.instance is not set")
	}
	running, err := clients.SettleOperation(ctx, e.kube, e.api, cr, password.Settle(cr, AnnotationPasswordHash, AnnotationPendingPasswordHash))
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	u, err := e.api.GetUser(ctx, inst, name, host(cr))
	if clients.IsNotFound(err) {
		if running != nil && running.Type == "CREATE_USER" && !meta.WasDeleted(cr) {
			cr.SetConditions(xpv2.Creating())
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		return clients.AwaitInstance(ctx, e.api, cr, inst)
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get Cloud SQL user")
	}
	if clients.Foreign(cr, nil) {
		return clients.ObserveForeign(cr, kind)
	}
	lateInit := false
	if u.Host != "" {
		lateInit = clients.LateInitialize(cr, &cr.Spec.ForProvider, &v1beta1.UserParameters{Host: new(u.Host)}, cr.Spec.InitProvider)
	}
	cr.Status.AtProvider = v1beta1.UserObservation{Instance: inst, Type: u.Type, Host: u.Host}
	cr.SetConditions(xpv2.Available())

	pw, pwUpToDate, err := e.observePassword(ctx, cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	cd, err := e.connectionDetails(ctx, cr, name, pw)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        running != nil || pwUpToDate,
		ResourceLateInitialized: lateInit,
		ConnectionDetails:       cd,
	}, nil
}

// connectionDetails returns what a client needs to connect as the user:
// its name, its password once Cloud SQL has it, and the instance's
// endpoint and port.
func (e *external) connectionDetails(ctx context.Context, cr *v1beta1.User, name, pw string) (managed.ConnectionDetails, error) {
	cd := managed.ConnectionDetails{xpv2.CredentialsSecretUserKey: []byte(name)}
	if pw != "" {
		cd[xpv2.CredentialsSecretPasswordKey] = []byte(pw)
	}
	db, err := e.api.GetInstance(ctx, instance(cr))
	if clients.IsNotFound(err) {
		return cd, nil
	}
	if err != nil {
		return nil, clients.Wrap(err, "cannot get Cloud SQL instance")
	}
	for _, k := range []string{xpv2.CredentialsSecretEndpointKey, xpv2.CredentialsSecretPortKey} {
		if v, ok := databaseinstance.ConnectionDetails(db, "")[k]; ok {
			cd[k] = v
		}
	}
	return cd, nil
}

// passwordRef returns the selector of the Secret that holds the user's
// password: spec.forProvider's, else spec.initProvider's.
func passwordRef(cr *v1beta1.User) *xpv2.SecretKeySelector {
	if ref := cr.Spec.ForProvider.PasswordSecretRef; ref != nil {
		return ref
	}
	if ip := cr.Spec.InitProvider; ip != nil {
		return ip.PasswordSecretRef
	}
	return nil
}

// observePassword returns the user's password when Cloud SQL is known to
// have it, and whether it is up to date (see the DatabaseInstance's).
func (e *external) observePassword(ctx context.Context, cr *v1beta1.User) (string, bool, error) {
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
		pw = ""
	}
	if cr.Spec.ForProvider.PasswordSecretRef == nil {
		return pw, true, nil
	}
	return pw, applied, nil
}

// Create inserts the user, named by the external name, with the password
// from its Secret (generated first when asked).
func (e *external) Create(ctx context.Context, cr *v1beta1.User) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	clients.FillNil(&p, cr.Spec.InitProvider, nil)
	if p.PasswordSecretRef == nil {
		return managed.ExternalCreation{}, errors.New("cannot create Cloud SQL user: spec.forProvider.passwordSecretRef is required")
	}
	pw, err := password.Ensure(ctx, e.kube, provider.ControllerReference(cr, v1beta1.UserGroupVersionKind), *p.PasswordSecretRef, p.AutoGeneratePassword != nil && *p.AutoGeneratePassword, e.newPassword)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	name := meta.GetExternalName(cr)
	op, err := e.api.InsertUser(ctx, instance(cr), &sqladmin.User{Name: name, Host: host(cr), Password: pw})
	switch {
	case clients.IsAlreadyExists(err):
		// Users have no labels to tell whose one is; a crashed create
		// is adopted by Observe before it gets here.
		return managed.ExternalCreation{}, clients.MarkConflict(cr, kind)
	case clients.IsBusy(err):
		return managed.ExternalCreation{}, errors.New("cannot create Cloud SQL user yet: the instance runs another operation; the create is retried")
	case err != nil:
		return managed.ExternalCreation{}, password.Redact(clients.Wrap(err, "cannot create Cloud SQL user"), pw)
	}
	if err := op.Err(); err != nil {
		return managed.ExternalCreation{}, password.Redact(err, pw)
	}
	clients.ClearConflict(cr)
	clients.SetPendingOperation(cr, op)
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: password.Hash(cr.GetUID(), pw)})
	return managed.ExternalCreation{}, nil
}

// Update sets the user's password from its Secret when the user does not
// have it yet, and records the change as pending until its operation is
// done.
func (e *external) Update(ctx context.Context, cr *v1beta1.User) (managed.ExternalUpdate, error) {
	fp := cr.Spec.ForProvider
	if fp.PasswordSecretRef == nil {
		return managed.ExternalUpdate{}, nil
	}
	pw, err := password.Ensure(ctx, e.kube, provider.ControllerReference(cr, v1beta1.UserGroupVersionKind), *fp.PasswordSecretRef, fp.AutoGeneratePassword != nil && *fp.AutoGeneratePassword, e.newPassword)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if password.Applied(cr.GetUID(), cr.GetAnnotations()[AnnotationPasswordHash], pw) {
		return managed.ExternalUpdate{}, nil
	}
	name := meta.GetExternalName(cr)
	op, err := e.api.UpdateUser(ctx, instance(cr), name, host(cr), &sqladmin.User{Name: name, Host: host(cr), Password: pw})
	if clients.IsBusy(err) {
		return managed.ExternalUpdate{}, errors.New("cannot set the password yet: the instance runs another operation; the update is retried")
	}
	if err != nil {
		return managed.ExternalUpdate{}, password.Redact(clients.Wrap(err, "cannot set the password of Cloud SQL user"), pw)
	}
	key := AnnotationPendingPasswordHash
	if op.Done {
		key = AnnotationPasswordHash
	}
	return managed.ExternalUpdate{}, password.Redact(clients.RecordOperation(ctx, e.kube, cr, op, map[string]string{key: password.Hash(cr.GetUID(), pw)}), pw)
}

// Delete deletes the user, unless an operation of the provider's still
// runs on it.
func (e *external) Delete(ctx context.Context, cr *v1beta1.User) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if clients.PendingOperation(cr) != "" {
		return managed.ExternalDelete{}, nil
	}
	op, err := e.api.DeleteUser(ctx, instance(cr), meta.GetExternalName(cr), host(cr))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if clients.IsBusy(err) {
		return managed.ExternalDelete{}, errors.New("cannot delete Cloud SQL user yet: the instance runs another operation; the delete is retried")
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete Cloud SQL user")
	}
	return managed.ExternalDelete{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Disconnect does nothing: the clients are shared and kept.
func (e *external) Disconnect(context.Context) error { return nil }
