// Package databaseinstance manages Cloud SQL instances.
package databaseinstance

import (
	"context"
	"strings"

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
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/password"
)

// States of a Cloud SQL instance that need handling of their own.
const (
	StateRunnable      = "RUNNABLE"
	StatePendingCreate = "PENDING_CREATE"
	StatePendingDelete = "PENDING_DELETE"
)

// Connection detail keys a DatabaseInstance publishes besides endpoint,
// port, username and password.
const (
	ConnectionName         = "connectionName"
	ConnectionPublicIP     = "publicIP"
	ConnectionPrivateIP    = "privateIP"
	ConnectionServerCACert = "serverCACertificateCert"
)

// kind names instances in messages.
const kind = "Cloud SQL instance"

// An API is the part of the Cloud SQL Admin API that manages instances
// (and sets the administrator's password).
type API interface {
	clients.OperationGetter
	GetInstance(ctx context.Context, name string) (*sqladmin.DatabaseInstance, error)
	InsertInstance(ctx context.Context, in *sqladmin.DatabaseInstance) (*clients.Operation, error)
	PatchInstance(ctx context.Context, name string, in *sqladmin.DatabaseInstance) (*clients.Operation, error)
	DeleteInstance(ctx context.Context, name string) (*clients.Operation, error)
	UpdateUser(ctx context.Context, instance, name, host string, u *sqladmin.User) (*clients.Operation, error)
}

// Setup adds a controller that reconciles Cloud SQL instances, with API
// clients from src.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions, src clients.Source) error {
	c := &connector{source: src, kube: mgr.GetClient()}
	k := provider.Kind{Managed: v1beta1.DatabaseInstanceGroupVersionKind, Usage: gcpv1beta1.ProviderConfigUsageGroupVersionKind}
	// The instance name is the external name, the resource's name unless
	// set: a create retried after a crash finds the instance by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.DatabaseInstance{}, c, managed.WithPollIntervalHook(clients.PollIntervalHook))
}

type connector struct {
	source clients.Source
	kube   client.Client
}

// The connector names the password Secrets it may create, so that
// SetupManaged deletes them with the resource.
var _ provider.SecretGenerator[*v1beta1.DatabaseInstance] = &connector{}

// GeneratedSecrets returns the Secrets a generated administrator password
// may be stored in, so that the one the instance created is deleted with
// it.
func (c *connector) GeneratedSecrets(cr *v1beta1.DatabaseInstance) []xpv2.SecretReference {
	var initRef *xpv2.SecretKeySelector
	if ip := cr.Spec.InitProvider; ip != nil {
		initRef = ip.RootPasswordSecretRef
	}
	return provider.SecretsOf(cr.Spec.ForProvider.RootPasswordSecretRef, initRef)
}

// Connect returns a client for the project of the instance's
// ProviderConfig.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.DatabaseInstance) (managed.TypedExternalClient[*v1beta1.DatabaseInstance], error) {
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

// Observe finds the instance by its name. While an operation the provider
// started runs (a create, a patch, a password change, a delete) the
// instance is reported as it is and left alone.
func (e *external) Observe(ctx context.Context, cr *v1beta1.DatabaseInstance) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	running, err := clients.SettleOperation(ctx, e.kube, e.api, cr, settlePassword(cr))
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	db, err := e.api.GetInstance(ctx, name)
	if clients.IsNotFound(err) {
		if running != nil && running.Type == "CREATE" && !meta.WasDeleted(cr) {
			cr.Status.AtProvider.State = StatePendingCreate
			cr.SetConditions(xpv2.Creating())
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get Cloud SQL instance")
	}
	if clients.Foreign(cr, labelsOf(db)) {
		return clients.ObserveForeign(cr, kind)
	}
	lateInit := clients.LateInitialize(cr, &cr.Spec.ForProvider, parameters(db), cr.Spec.InitProvider)
	cr.Status.AtProvider = observation(db)
	setReady(cr, db.State)

	pw, pwUpToDate, err := e.observePassword(ctx, cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	_, changed := e.patch(cr, db)
	return managed.ExternalObservation{
		ResourceExists: true,
		// Nothing changes while an operation runs: Cloud SQL runs one
		// at a time per instance.
		ResourceUpToDate:        running != nil || (!changed && pwUpToDate),
		ResourceLateInitialized: lateInit,
		ConnectionDetails:       ConnectionDetails(db, pw),
	}, nil
}

// labelsOf returns the user labels of an instance.
func labelsOf(db *sqladmin.DatabaseInstance) map[string]string {
	if db.Settings == nil {
		return nil
	}
	return db.Settings.UserLabels
}

// observation returns what Cloud SQL reports of the instance.
func observation(db *sqladmin.DatabaseInstance) v1beta1.DatabaseInstanceObservation {
	o := v1beta1.DatabaseInstanceObservation{
		State:                      db.State,
		DatabaseVersion:            db.DatabaseVersion,
		ConnectionName:             db.ConnectionName,
		SelfLink:                   db.SelfLink,
		ServiceAccountEmailAddress: db.ServiceAccountEmailAddress,
		GCEZone:                    db.GceZone,
	}
	if db.Settings != nil {
		o.SettingsVersion = db.Settings.SettingsVersion
	}
	for _, ip := range db.IpAddresses {
		if ip == nil {
			continue
		}
		o.IPAddresses = append(o.IPAddresses, v1beta1.IPAddress{Type: ip.Type, IPAddress: ip.IpAddress})
		switch ip.Type {
		case "PRIMARY":
			o.PublicIP = ip.IpAddress
		case "PRIVATE":
			o.PrivateIP = ip.IpAddress
		}
	}
	return o
}

// setReady sets the Ready condition from the instance's state. An instance
// being patched stays RUNNABLE and serves connections, so it stays
// Available.
func setReady(cr *v1beta1.DatabaseInstance, state string) {
	switch state {
	case StateRunnable:
		cr.SetConditions(xpv2.Available())
	case StatePendingCreate:
		cr.SetConditions(xpv2.Creating())
	case StatePendingDelete:
		cr.SetConditions(xpv2.Deleting())
	default:
		cr.SetConditions(xpv2.Unavailable().WithMessage("Cloud SQL instance state is " + state))
	}
}

// engineDefaults returns the built-in administrator and the port of a
// database version's engine.
func engineDefaults(version string) (user, host, port string) {
	switch {
	case strings.HasPrefix(version, "MYSQL_"):
		return "root", "%", "3306"
	case strings.HasPrefix(version, "SQLSERVER_"):
		return "sqlserver", "", "1433"
	default:
		return "postgres", "", "5432"
	}
}

// ConnectionDetails returns what a client needs to connect to the
// instance: its public address (else its private one), the engine's port
// (Cloud SQL reports none), the administrator and, once the instance is
// known to have it, the administrator's password.
func ConnectionDetails(db *sqladmin.DatabaseInstance, pw string) managed.ConnectionDetails {
	o := observation(db)
	user, _, port := engineDefaults(db.DatabaseVersion)
	cd := managed.ConnectionDetails{
		xpv2.CredentialsSecretUserKey: []byte(user),
		xpv2.CredentialsSecretPortKey: []byte(port),
	}
	add := func(k, v string) {
		if v != "" {
			cd[k] = []byte(v)
		}
	}
	endpoint := o.PublicIP
	if endpoint == "" {
		endpoint = o.PrivateIP
	}
	add(xpv2.CredentialsSecretEndpointKey, endpoint)
	add(xpv2.CredentialsSecretPasswordKey, pw)
	add(ConnectionName, db.ConnectionName)
	add(ConnectionPublicIP, o.PublicIP)
	add(ConnectionPrivateIP, o.PrivateIP)
	if db.ServerCaCert != nil {
		add(ConnectionServerCACert, db.ServerCaCert.Cert)
	}
	return cd
}

// patch returns the patch that makes the instance match the spec, and
// whether there is anything to patch.
func (e *external) patch(cr *v1beta1.DatabaseInstance, db *sqladmin.DatabaseInstance) (*sqladmin.DatabaseInstance, bool) {
	fp := &cr.Spec.ForProvider
	out := &sqladmin.DatabaseInstance{}
	settings, changed := settingsPatch(cr, fp.Settings, db.Settings)
	if changed {
		out.Settings = settings
	}
	if v := fp.DatabaseVersion; v != nil && *v != db.DatabaseVersion {
		// A newer major version of the same engine: an in-place upgrade.
		out.DatabaseVersion, changed = *v, true
	}
	return out, changed
}

// Create inserts the instance, named by the external name and labeled
// with the resource's UID, with the administrator's password from its
// Secret (generated first when asked).
func (e *external) Create(ctx context.Context, cr *v1beta1.DatabaseInstance) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	clients.FillNil(&p, cr.Spec.InitProvider, nil)
	pw := ""
	if ref := p.RootPasswordSecretRef; ref != nil {
		var err error
		if pw, err = password.Ensure(ctx, e.kube, provider.ControllerReference(cr, v1beta1.DatabaseInstanceGroupVersionKind), *ref, p.AutoGeneratePassword != nil && *p.AutoGeneratePassword, e.newPassword); err != nil {
			return managed.ExternalCreation{}, err
		}
	}
	in := &sqladmin.DatabaseInstance{
		Name:            meta.GetExternalName(cr),
		Region:          deref(p.Region),
		DatabaseVersion: deref(p.DatabaseVersion),
		RootPassword:    pw,
		Settings:        createSettings(cr, p.Settings),
	}
	op, err := e.api.InsertInstance(ctx, in)
	if clients.IsAlreadyExists(err) {
		return e.adopt(ctx, cr)
	}
	if err != nil {
		return managed.ExternalCreation{}, password.Redact(clients.Wrap(err, "cannot create Cloud SQL instance"), pw)
	}
	if err := op.Err(); err != nil {
		return managed.ExternalCreation{}, password.Redact(err, pw)
	}
	clients.ClearConflict(cr)
	clients.SetPendingOperation(cr, op)
	if pw != "" {
		// The reconciler saves the annotation with the create's.
		meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: password.Hash(cr.GetUID(), pw)})
	}
	return managed.ExternalCreation{}, nil
}

// adopt handles a create that found the name taken: the instance is this
// resource's if it carries its UID label (an earlier create whose record
// was lost); otherwise (another's instance, or a name Cloud SQL keeps for
// a while after a delete) the conflict is recorded and reported.
func (e *external) adopt(ctx context.Context, cr *v1beta1.DatabaseInstance) (managed.ExternalCreation, error) {
	db, err := e.api.GetInstance(ctx, meta.GetExternalName(cr))
	if err != nil && !clients.IsNotFound(err) {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot get Cloud SQL instance")
	}
	if db != nil && labelsOf(db)[clients.LabelUID] == string(cr.GetUID()) {
		return managed.ExternalCreation{}, nil
	}
	return managed.ExternalCreation{}, clients.MarkConflict(cr, kind)
}

// Update patches the settings that differ from the spec or, when they
// match, sets the administrator's password if its Secret changed: Cloud
// SQL runs one operation at a time per instance, so each Update starts at
// most one. An instance that is not RUNNABLE is left until it is.
func (e *external) Update(ctx context.Context, cr *v1beta1.DatabaseInstance) (managed.ExternalUpdate, error) {
	db, err := e.api.GetInstance(ctx, meta.GetExternalName(cr))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot get Cloud SQL instance")
	}
	if db.State != StateRunnable {
		return managed.ExternalUpdate{}, nil
	}
	if patch, changed := e.patch(cr, db); changed {
		op, err := e.api.PatchInstance(ctx, db.Name, patch)
		if err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot patch Cloud SQL instance")
		}
		return managed.ExternalUpdate{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
	}
	return managed.ExternalUpdate{}, e.updatePassword(ctx, cr, db)
}

// Delete deletes the instance, unless an operation of the provider's still
// runs on it or Cloud SQL is deleting it already. Cloud SQL refuses to
// delete an instance with deletion protection; the error says so.
func (e *external) Delete(ctx context.Context, cr *v1beta1.DatabaseInstance) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if clients.PendingOperation(cr) != "" || cr.Status.AtProvider.State == StatePendingDelete {
		return managed.ExternalDelete{}, nil
	}
	op, err := e.api.DeleteInstance(ctx, meta.GetExternalName(cr))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if clients.IsBusy(err) {
		return managed.ExternalDelete{}, errors.New("cannot delete Cloud SQL instance yet: it runs another operation; the delete is retried")
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete Cloud SQL instance")
	}
	return managed.ExternalDelete{}, clients.RecordOperation(ctx, e.kube, cr, op, nil)
}

// Disconnect does nothing: the clients are shared and kept.
func (e *external) Disconnect(context.Context) error { return nil }
