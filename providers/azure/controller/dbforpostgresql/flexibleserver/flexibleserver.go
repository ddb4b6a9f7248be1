// Package flexibleserver manages Azure Database for PostgreSQL flexible
// servers.
package flexibleserver

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// AnnotationPasswordHash records a salted, slow hash of the administrator
// password Stratus last set on the server. Azure never returns the
// password, so the hash is how a change of the password Secret is noticed.
// It is never the password itself.
const AnnotationPasswordHash = "dbforpostgresql.azure.stratus.dev/administrator-password-hash" //nolint:gosec // G101: an annotation key, not a credential.

// Port is the port every flexible server listens on.
const Port = "5432"

// States of a server that need handling of their own.
const (
	stateReady        = string(armpostgresqlflexibleservers.ServerStateReady)
	stateUpdating     = string(armpostgresqlflexibleservers.ServerStateUpdating)
	stateProvisioning = string(armpostgresqlflexibleservers.ServerStateProvisioning)
	stateDropping     = string(armpostgresqlflexibleservers.ServerStateDropping)
)

// An API is the part of the PostgreSQL flexible servers API that manages
// servers; *armpostgresqlflexibleservers.ServersClient is one.
type API interface {
	Get(ctx context.Context, rg, name string, o *armpostgresqlflexibleservers.ServersClientGetOptions) (armpostgresqlflexibleservers.ServersClientGetResponse, error)
	BeginCreateOrUpdate(ctx context.Context, rg, name string, s armpostgresqlflexibleservers.Server, o *armpostgresqlflexibleservers.ServersClientBeginCreateOrUpdateOptions) (*runtime.Poller[armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse], error)
	BeginUpdate(ctx context.Context, rg, name string, s armpostgresqlflexibleservers.ServerForPatch, o *armpostgresqlflexibleservers.ServersClientBeginUpdateOptions) (*runtime.Poller[armpostgresqlflexibleservers.ServersClientUpdateResponse], error)
	BeginDelete(ctx context.Context, rg, name string, o *armpostgresqlflexibleservers.ServersClientBeginDeleteOptions) (*runtime.Poller[armpostgresqlflexibleservers.ServersClientDeleteResponse], error)
}

// NewAPI returns the flexible servers client of conn's subscription.
func NewAPI(conn *clients.Connection) (API, error) {
	return armpostgresqlflexibleservers.NewServersClient(conn.SubscriptionID, conn.Credential, conn.Options)
}

// Setup adds a controller that reconciles flexible servers.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		conn:        clients.NewConfigurer(mgr.GetClient()),
		newAPI:      NewAPI,
		ops:         clients.NewOperations(mgr.GetClient()),
		kube:        mgr.GetClient(),
		newPassword: clients.GeneratePassword,
	}
	k := provider.Kind{Managed: v1beta1.FlexibleServerGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The server's name is the external name, the resource's name unless
	// set: a create retried after a crash finds the server by it, and a
	// PUT of the same server changes nothing.
	return provider.SetupManaged(mgr, o, k, &v1beta1.FlexibleServer{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn        clients.ConnectionSource
	newAPI      func(*clients.Connection) (API, error)
	ops         *clients.Operations
	kube        client.Client
	newPassword func() (string, error)
}

// The connector names the password Secrets it may create, so that
// SetupManaged deletes them with the resource.
var _ provider.SecretGenerator[*v1beta1.FlexibleServer] = &connector{}

// GeneratedSecrets returns the Secrets a generated administrator password
// may be stored in, so that the one the server created is deleted with it.
func (c *connector) GeneratedSecrets(cr *v1beta1.FlexibleServer) []xpv2.SecretReference {
	var initRef *xpv2.SecretKeySelector
	if ip := cr.Spec.InitProvider; ip != nil {
		initRef = ip.AdministratorPasswordSecretRef
	}
	return provider.SecretsOf(cr.Spec.ForProvider.AdministratorPasswordSecretRef, initRef)
}

// Connect returns a client for the server's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.FlexibleServer) (managed.TypedExternalClient[*v1beta1.FlexibleServer], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	api, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create flexible servers client")
	}
	return &external{api: api, ops: c.ops, kube: c.kube, newPassword: c.newPassword}, nil
}

type external struct {
	api         API
	ops         *clients.Operations
	kube        client.Client
	newPassword func() (string, error)

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
	// server is the server Observe saw.
	server *armpostgresqlflexibleservers.Server
}

// place returns the resource group and name of cr's server.
func place(cr *v1beta1.FlexibleServer) (string, string, error) {
	rg := clients.Deref(cr.Spec.ForProvider.ResourceGroupName)
	if rg == "" {
		return "", "", errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from its reference)")
	}
	return rg, meta.GetExternalName(cr), nil
}

// resume resumes the operation op describes on server name of group rg.
func (e *external) resume(rg, name string) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate:
			return clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, armpostgresqlflexibleservers.Server{}, &armpostgresqlflexibleservers.ServersClientBeginCreateOrUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbUpdate:
			return clients.AsPoller(e.api.BeginUpdate(ctx, rg, name, armpostgresqlflexibleservers.ServerForPatch{}, &armpostgresqlflexibleservers.ServersClientBeginUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.api.BeginDelete(ctx, rg, name, &armpostgresqlflexibleservers.ServersClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("unknown operation %q", op.Verb)
	}
}

// Observe polls the operation in progress, if any, and finds the server by
// its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.FlexibleServer) (managed.ExternalObservation, error) {
	rg, name, err := place(cr)
	if err != nil || name == "" {
		return managed.ExternalObservation{}, err
	}
	if e.op, err = e.ops.Check(ctx, cr, e.resume(rg, name)); err != nil {
		return managed.ExternalObservation{}, err
	}
	rsp, err := e.api.Get(ctx, rg, name, nil)
	if clients.IsNotFound(err) {
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get flexible server")
	}
	e.server = &rsp.Server
	observed := parameters(e.server)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = observation(e.server)
	setConditions(cr, cr.Status.AtProvider.State, e.op)

	pw, pwUpToDate, err := e.observePassword(ctx, cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	_, changed := changes(cr, e.server)
	return managed.ExternalObservation{
		ResourceExists: true,
		// Nothing is changed while an operation is in progress; the
		// next observation after it compares again.
		ResourceUpToDate:        e.op != nil || (!changed && pwUpToDate),
		ResourceLateInitialized: lateInit,
		ConnectionDetails:       connectionDetails(e.server, pw),
	}, nil
}

// parameters returns the server's configuration in the shape of its spec.
func parameters(s *armpostgresqlflexibleservers.Server) *v1beta1.FlexibleServerParameters {
	p := &v1beta1.FlexibleServerParameters{
		Location: s.Location,
		Tags:     clients.UserTags(clients.FromPtrMap(s.Tags)),
	}
	if s.SKU != nil {
		p.SKUName = s.SKU.Name
		p.SKUTier = (*string)(s.SKU.Tier)
	}
	if sp := s.Properties; sp != nil {
		p.Version = (*string)(sp.Version)
		p.AdministratorLogin = sp.AdministratorLogin
		if sp.Storage != nil {
			p.StorageSizeGB = sp.Storage.StorageSizeGB
		}
		if sp.Backup != nil {
			p.BackupRetentionDays = sp.Backup.BackupRetentionDays
		}
		if sp.HighAvailability != nil {
			p.HighAvailability = (*string)(sp.HighAvailability.Mode)
		}
		if sp.Network != nil {
			p.PublicNetworkAccess = (*string)(sp.Network.PublicNetworkAccess)
		}
	}
	return p
}

// observation returns what Azure reports of s.
func observation(s *armpostgresqlflexibleservers.Server) v1beta1.FlexibleServerObservation {
	o := v1beta1.FlexibleServerObservation{ID: clients.Deref(s.ID)}
	if s.SKU != nil {
		o.SKUName = clients.Deref(s.SKU.Name)
	}
	if sp := s.Properties; sp != nil {
		o.State = string(clients.Deref(sp.State))
		o.FQDN = clients.Deref(sp.FullyQualifiedDomainName)
		o.Version = string(clients.Deref(sp.Version))
		o.MinorVersion = clients.Deref(sp.MinorVersion)
		if sp.Storage != nil {
			o.StorageSizeGB = clients.Deref(sp.Storage.StorageSizeGB)
		}
		if sp.HighAvailability != nil {
			o.HighAvailabilityState = string(clients.Deref(sp.HighAvailability.State))
		}
	}
	return o
}

// setConditions sets the Ready condition from the server's state and the
// operation in progress. A server being updated still serves connections,
// so it stays Available.
func setConditions(cr *v1beta1.FlexibleServer, state string, op *clients.Operation) {
	switch {
	case state == stateDropping || (op != nil && op.Verb == clients.VerbDelete):
		cr.SetConditions(xpv2.Deleting())
	case state == stateProvisioning || (op != nil && op.Verb == clients.VerbCreate):
		cr.SetConditions(xpv2.Creating())
	case state == stateReady || state == stateUpdating:
		cr.SetConditions(xpv2.Available())
	default:
		cr.SetConditions(xpv2.Unavailable().WithMessage("flexible server state is " + state))
	}
}

// changes returns the PATCH that makes s match what cr's spec sets, and
// whether there is anything to change. The PATCH carries only what differs;
// fields the spec leaves unset are left alone.
func changes(cr *v1beta1.FlexibleServer, s *armpostgresqlflexibleservers.Server) (armpostgresqlflexibleservers.ServerForPatch, bool) {
	fp := &cr.Spec.ForProvider
	o := parameters(s)
	patch := armpostgresqlflexibleservers.ServerForPatch{}
	props := armpostgresqlflexibleservers.ServerPropertiesForPatch{}
	if differs(fp.SKUName, o.SKUName) || differs(fp.SKUTier, o.SKUTier) {
		// Azure wants a SKU's name and tier together.
		patch.SKU = &armpostgresqlflexibleservers.SKUForPatch{Name: pick(fp.SKUName, o.SKUName), Tier: (*armpostgresqlflexibleservers.SKUTier)(pick(fp.SKUTier, o.SKUTier))}
	}
	if differs(fp.Version, o.Version) {
		props.Version = (*armpostgresqlflexibleservers.PostgresMajorVersion)(fp.Version)
	}
	if differs(fp.StorageSizeGB, o.StorageSizeGB) {
		props.Storage = &armpostgresqlflexibleservers.Storage{StorageSizeGB: fp.StorageSizeGB}
	}
	if differs(fp.BackupRetentionDays, o.BackupRetentionDays) {
		props.Backup = &armpostgresqlflexibleservers.BackupForPatch{BackupRetentionDays: fp.BackupRetentionDays}
	}
	if differs(fp.HighAvailability, o.HighAvailability) {
		props.HighAvailability = &armpostgresqlflexibleservers.HighAvailabilityForPatch{Mode: (*armpostgresqlflexibleservers.HighAvailabilityMode)(fp.HighAvailability)}
	}
	if differs(fp.PublicNetworkAccess, o.PublicNetworkAccess) {
		props.Network = &armpostgresqlflexibleservers.Network{PublicNetworkAccess: (*armpostgresqlflexibleservers.ServerPublicNetworkAccessState)(fp.PublicNetworkAccess)}
	}
	if props != (armpostgresqlflexibleservers.ServerPropertiesForPatch{}) {
		patch.Properties = &props
	}
	observedTags := clients.FromPtrMap(s.Tags)
	if !clients.TagsUpToDate(cr, fp.Tags, observedTags) {
		patch.Tags = clients.ToPtrMap(clients.ManagedTags(cr, fp.Tags, observedTags))
	}
	return patch, patch.SKU != nil || patch.Properties != nil || patch.Tags != nil
}

// differs reports whether a desired value is set and differs from the
// observed one. Azure compares names case-insensitively.
func differs[T comparable](desired, observed *T) bool {
	if desired == nil {
		return false
	}
	if observed == nil {
		return true
	}
	if d, ok := any(*desired).(string); ok {
		return !strings.EqualFold(d, any(*observed).(string))
	}
	return *desired != *observed
}

// pick returns desired if set, else observed.
func pick[T any](desired, observed *T) *T {
	if desired != nil {
		return desired
	}
	return observed
}

// passwordRef returns the selector of the Secret that holds the
// administrator password: spec.forProvider's, else spec.initProvider's.
func passwordRef(cr *v1beta1.FlexibleServer) *xpv2.SecretKeySelector {
	if ref := cr.Spec.ForProvider.AdministratorPasswordSecretRef; ref != nil {
		return ref
	}
	if ip := cr.Spec.InitProvider; ip != nil {
		return ip.AdministratorPasswordSecretRef
	}
	return nil
}

// passwordApplied reports whether pw is the password last set on cr's
// server.
func passwordApplied(cr *v1beta1.FlexibleServer, pw string) bool {
	h, ok := cr.GetAnnotations()[AnnotationPasswordHash]
	return ok && h == clients.PasswordHash(cr.GetUID(), pw)
}

// observePassword returns the administrator password when the server is
// known to have it (so that it can be published), and whether the password
// is up to date: a password Secret in spec.forProvider whose password the
// server does not have yet, or that autoGeneratePassword has yet to fill,
// needs an update.
func (e *external) observePassword(ctx context.Context, cr *v1beta1.FlexibleServer) (string, bool, error) {
	ref := passwordRef(cr)
	if ref == nil {
		return "", true, nil
	}
	pw, err := clients.ReadPassword(ctx, e.kube, *ref)
	if err != nil {
		return "", false, err
	}
	applied := pw != "" && passwordApplied(cr, pw)
	if !applied {
		// Publish no password that may not work.
		pw = ""
	}
	if cr.Spec.ForProvider.AdministratorPasswordSecretRef == nil {
		// A password in initProvider is not kept in sync.
		return pw, true, nil
	}
	return pw, applied, nil
}

// connectionDetails returns what a client needs to connect to s, once it
// has a domain name.
func connectionDetails(s *armpostgresqlflexibleservers.Server, pw string) managed.ConnectionDetails {
	if s.Properties == nil || clients.Deref(s.Properties.FullyQualifiedDomainName) == "" {
		return nil
	}
	cd := managed.ConnectionDetails{
		xpv2.CredentialsSecretEndpointKey: []byte(*s.Properties.FullyQualifiedDomainName),
		xpv2.CredentialsSecretPortKey:     []byte(Port),
		xpv2.CredentialsSecretUserKey:     []byte(clients.Deref(s.Properties.AdministratorLogin)),
	}
	if pw != "" {
		cd[xpv2.CredentialsSecretPasswordKey] = []byte(pw)
	}
	return cd
}

// Create starts creating the server, with the administrator password from
// its Secret (generating one first when asked). It records the operation,
// and the hash of the password to commit once the operation succeeds.
func (e *external) Create(ctx context.Context, cr *v1beta1.FlexibleServer) (managed.ExternalCreation, error) {
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create flexible server")
	}
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	switch {
	case p.Location == nil:
		return managed.ExternalCreation{}, errors.New("cannot create flexible server: spec.forProvider.location is required")
	case p.AdministratorLogin == nil:
		return managed.ExternalCreation{}, errors.New("cannot create flexible server: spec.forProvider.administratorLogin is required")
	case p.AdministratorPasswordSecretRef == nil:
		return managed.ExternalCreation{}, errors.New("cannot create flexible server: spec.forProvider.administratorPasswordSecretRef is required")
	}
	pw, err := clients.EnsurePassword(ctx, e.kube, provider.ControllerReference(cr, v1beta1.FlexibleServerGroupVersionKind), *p.AdministratorPasswordSecretRef, clients.Deref(p.AutoGeneratePassword), e.newPassword)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create flexible server")
	}
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, rg, name, server(cr, &p, pw), nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Redacted(clients.Wrap(err, "cannot create flexible server"), pw)
	}
	// The reconciler saves the record with the external name.
	err = e.ops.Start(ctx, cr, clients.VerbCreate, poller, map[string]string{AnnotationPasswordHash: clients.PasswordHash(cr.GetUID(), pw)})
	return managed.ExternalCreation{}, clients.Redacted(clients.Wrap(err, "cannot create flexible server"), pw)
}

// server returns the server p describes, with password pw.
func server(cr *v1beta1.FlexibleServer, p *v1beta1.FlexibleServerParameters, pw string) armpostgresqlflexibleservers.Server {
	s := armpostgresqlflexibleservers.Server{
		Location: p.Location,
		Tags:     clients.ToPtrMap(clients.DesiredTags(cr, p.Tags)),
		Properties: &armpostgresqlflexibleservers.ServerProperties{
			AdministratorLogin:         p.AdministratorLogin,
			AdministratorLoginPassword: new(pw),
			CreateMode:                 new(armpostgresqlflexibleservers.CreateModeDefault),
			Version:                    (*armpostgresqlflexibleservers.PostgresMajorVersion)(p.Version),
		},
	}
	if p.SKUName != nil || p.SKUTier != nil {
		s.SKU = &armpostgresqlflexibleservers.SKU{Name: p.SKUName, Tier: (*armpostgresqlflexibleservers.SKUTier)(p.SKUTier)}
	}
	sp := s.Properties
	if p.StorageSizeGB != nil {
		sp.Storage = &armpostgresqlflexibleservers.Storage{StorageSizeGB: p.StorageSizeGB}
	}
	if p.BackupRetentionDays != nil {
		sp.Backup = &armpostgresqlflexibleservers.Backup{BackupRetentionDays: p.BackupRetentionDays}
	}
	if p.HighAvailability != nil {
		sp.HighAvailability = &armpostgresqlflexibleservers.HighAvailability{Mode: (*armpostgresqlflexibleservers.HighAvailabilityMode)(p.HighAvailability)}
	}
	if p.PublicNetworkAccess != nil {
		sp.Network = &armpostgresqlflexibleservers.Network{PublicNetworkAccess: (*armpostgresqlflexibleservers.ServerPublicNetworkAccessState)(p.PublicNetworkAccess)}
	}
	return s
}

// Update starts a PATCH of what differs from the spec, and of the
// administrator password when the Secret holds one the server does not
// have. A server that is not Ready (being created, updated, stopped) is
// left alone: Azure changes only Ready servers, and a later poll retries.
func (e *external) Update(ctx context.Context, cr *v1beta1.FlexibleServer) (managed.ExternalUpdate, error) {
	rg, name, err := place(cr)
	if err != nil || e.server == nil || e.op != nil || cr.Status.AtProvider.State != stateReady {
		return managed.ExternalUpdate{}, err
	}
	patch, changed := changes(cr, e.server)
	var commit map[string]string
	pw := ""
	if ref := cr.Spec.ForProvider.AdministratorPasswordSecretRef; ref != nil {
		if pw, err = clients.EnsurePassword(ctx, e.kube, provider.ControllerReference(cr, v1beta1.FlexibleServerGroupVersionKind), *ref, clients.Deref(cr.Spec.ForProvider.AutoGeneratePassword), e.newPassword); err != nil {
			return managed.ExternalUpdate{}, errors.Wrap(err, "cannot update flexible server")
		}
		if !passwordApplied(cr, pw) {
			if patch.Properties == nil {
				patch.Properties = &armpostgresqlflexibleservers.ServerPropertiesForPatch{}
			}
			patch.Properties.AdministratorLoginPassword, changed = new(pw), true
			commit = map[string]string{AnnotationPasswordHash: clients.PasswordHash(cr.GetUID(), pw)}
		}
	}
	if !changed {
		return managed.ExternalUpdate{}, nil
	}
	poller, err := clients.AsPoller(e.api.BeginUpdate(ctx, rg, name, patch, nil))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Redacted(clients.Wrap(err, "cannot update flexible server"), pw)
	}
	err = e.ops.Record(ctx, cr, clients.VerbUpdate, poller, commit)
	return managed.ExternalUpdate{}, clients.Redacted(clients.Wrap(err, "cannot update flexible server"), pw)
}

// Delete starts deleting the server, unless Observe saw the deletion under
// way.
func (e *external) Delete(ctx context.Context, cr *v1beta1.FlexibleServer) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if (e.op != nil && e.op.Verb == clients.VerbDelete) || cr.Status.AtProvider.State == stateDropping {
		return managed.ExternalDelete{}, nil
	}
	rg, name, err := place(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete flexible server")
	}
	poller, err := clients.AsPoller(e.api.BeginDelete(ctx, rg, name, nil))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete flexible server")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete flexible server")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
