package flexibleserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5/fake"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
	"github.com/stratus-dev/stratus/providers/azure/internal/fakes"
)

const (
	name      = "orders-db"
	rg        = "orders"
	uid       = "5e0c7a1b-3f2d-4a8e-9b6c-1d2e3f4a5b6c"
	id        = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/" + name
	fqdn      = "orders-db.postgres.database.azure.com"
	namespace = "team-a"
	secret    = name + "-password"
	password  = "correct-Horse-battery-9"
	generated = "GeneratedPassword0123456789abcde"
)

// A cloud is what the fake flexible servers API knows: the server (nil when
// there is none), how it answers operations, and the writes it was asked
// for.
type cloud struct {
	server *armpostgresqlflexibleservers.Server
	getErr *azfake.ErrorResponder

	create    azfake.PollerResponder[armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse]
	createErr azfake.ErrorResponder
	update    azfake.PollerResponder[armpostgresqlflexibleservers.ServersClientUpdateResponse]
	delete    azfake.PollerResponder[armpostgresqlflexibleservers.ServersClientDeleteResponse]
	deleteErr azfake.ErrorResponder

	calls []any
}

func (c *cloud) api(t *testing.T) API {
	t.Helper()
	srv := &fake.ServersServer{
		Get: func(_ context.Context, g, n string, _ *armpostgresqlflexibleservers.ServersClientGetOptions) (azfake.Responder[armpostgresqlflexibleservers.ServersClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armpostgresqlflexibleservers.ServersClientGetResponse]
			switch {
			case c.getErr != nil:
				return r, *c.getErr
			case c.server == nil || g != rg || n != name:
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armpostgresqlflexibleservers.ServersClientGetResponse{Server: *c.server}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreateOrUpdate: func(_ context.Context, _, _ string, s armpostgresqlflexibleservers.Server, _ *armpostgresqlflexibleservers.ServersClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, s)
			return c.create, c.createErr
		},
		BeginUpdate: func(_ context.Context, _, _ string, s armpostgresqlflexibleservers.ServerForPatch, _ *armpostgresqlflexibleservers.ServersClientBeginUpdateOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.ServersClientUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, s)
			return c.update, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, string, *armpostgresqlflexibleservers.ServersClientBeginDeleteOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.ServersClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, c.deleteErr
		},
	}
	api, err := NewAPI(fakes.Connection(fake.NewServersServerTransport(srv)))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// flexibleServer returns a Ready server as Azure shows it, in sync with
// newServer.
func flexibleServer(mods ...func(*armpostgresqlflexibleservers.Server)) *armpostgresqlflexibleservers.Server {
	s := &armpostgresqlflexibleservers.Server{
		ID:       new(id),
		Name:     new(name),
		Location: new("eastus"),
		SKU:      &armpostgresqlflexibleservers.SKU{Name: new("Standard_B1ms"), Tier: new(armpostgresqlflexibleservers.SKUTierBurstable)},
		Tags:     clients.ToPtrMap(map[string]string{"team": "platform", clients.TagName: name, clients.TagUID: uid}),
		Properties: &armpostgresqlflexibleservers.ServerProperties{
			State:                    new(armpostgresqlflexibleservers.ServerStateReady),
			FullyQualifiedDomainName: new(fqdn),
			AdministratorLogin:       new("app"),
			Version:                  new(armpostgresqlflexibleservers.PostgresMajorVersionSixteen),
			MinorVersion:             new("16.4"),
			Storage:                  &armpostgresqlflexibleservers.Storage{StorageSizeGB: new(int32(32))},
			Backup:                   &armpostgresqlflexibleservers.Backup{BackupRetentionDays: new(int32(7))},
			HighAvailability:         &armpostgresqlflexibleservers.HighAvailability{Mode: new(armpostgresqlflexibleservers.HighAvailabilityMode("Disabled")), State: new(armpostgresqlflexibleservers.HighAvailabilityStateNotEnabled)},
			Network:                  &armpostgresqlflexibleservers.Network{PublicNetworkAccess: new(armpostgresqlflexibleservers.ServerPublicNetworkAccessStateEnabled)},
		},
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

// newServer returns a FlexibleServer resource in sync with flexibleServer,
// with its external name set and the hash of password recorded.
func newServer(mods ...func(*v1beta1.FlexibleServer)) *v1beta1.FlexibleServer {
	cr := &v1beta1.FlexibleServer{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.FlexibleServerSpec{ForProvider: v1beta1.FlexibleServerParameters{
			ResourceGroupName:   new(rg),
			Location:            new("eastus"),
			Version:             new("16"),
			SKUName:             new("Standard_B1ms"),
			SKUTier:             new("Burstable"),
			StorageSizeGB:       new(int32(32)),
			AdministratorLogin:  new("app"),
			BackupRetentionDays: new(int32(7)),
			HighAvailability:    new("Disabled"),
			PublicNetworkAccess: new("Enabled"),
			AdministratorPasswordSecretRef: &xpv2.SecretKeySelector{
				SecretReference: xpv2.SecretReference{Namespace: namespace, Name: secret},
				Key:             "password",
			},
			Tags: map[string]string{"team": "platform"},
		}},
	}
	meta.SetExternalName(cr, name)
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: clients.PasswordHash(types.UID(uid), password)})
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for flexibleServer.
func observed(cr *v1beta1.FlexibleServer) {
	cr.Status.AtProvider = v1beta1.FlexibleServerObservation{
		ID: id, State: "Ready", FQDN: fqdn, Version: "16", MinorVersion: "16.4",
		SKUName: "Standard_B1ms", StorageSizeGB: 32, HighAvailabilityState: "NotEnabled",
	}
	cr.SetConditions(xpv2.Available())
}

// details are the connection details of flexibleServer; the password only
// when pw is not empty.
func details(pw string) managed.ConnectionDetails {
	cd := managed.ConnectionDetails{"endpoint": []byte(fqdn), "port": []byte("5432"), "username": []byte("app")}
	if pw != "" {
		cd["password"] = []byte(pw)
	}
	return cd
}

// kube returns an API server stub whose password Secret holds pw (none when
// pw is empty), recording the Secrets written.
func kube(pw string, writes *[]string) *fakes.Kube {
	k := fakes.NewKube(func(_ context.Context, key client.ObjectKey, obj client.Object) error {
		s, ok := obj.(*corev1.Secret)
		if !ok || pw == "" || key != (client.ObjectKey{Namespace: namespace, Name: secret}) {
			return kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
		}
		s.SetName(secret)
		s.SetNamespace(namespace)
		s.Data = map[string][]byte{"password": []byte(pw)}
		return nil
	})
	k.MockCreate = func(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
		*writes = append(*writes, "create "+obj.GetName()+" password="+string(obj.(*corev1.Secret).Data["password"]))
		return nil
	}
	k.MockUpdate = func(_ context.Context, obj client.Object, _ ...client.UpdateOption) error {
		*writes = append(*writes, "update "+obj.GetName())
		return nil
	}
	return k
}

func TestObserve(t *testing.T) {
	type want struct {
		o       managed.ExternalObservation
		err     string
		cr      *v1beta1.FlexibleServer
		patches []string
	}
	cases := map[string]struct {
		reason string
		cloud  *cloud
		pw     string
		// creating starts a create (with the cloud's create responder)
		// before Observe.
		creating bool
		cr       *v1beta1.FlexibleServer
		want     want
	}{
		"NoExternalName": {
			reason: "A resource without an external name has no server to find.",
			cloud:  &cloud{},
			cr:     newServer(func(cr *v1beta1.FlexibleServer) { meta.SetExternalName(cr, "") }),
			want:   want{cr: newServer(func(cr *v1beta1.FlexibleServer) { meta.SetExternalName(cr, "") })},
		},
		"NoResourceGroup": {
			reason: "Without a resource group there is no server to find.",
			cloud:  &cloud{},
			cr:     newServer(func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.ResourceGroupName = nil }),
			want: want{
				cr:  newServer(func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.ResourceGroupName = nil }),
				err: "spec.forProvider.resourceGroupName is not set (nor resolved from its reference)",
			},
		},
		"NotFound": {
			reason: "A server Azure answers 404 for does not exist, so it is created.",
			cloud:  &cloud{},
			cr:     newServer(),
			want:   want{cr: newServer()},
		},
		"GetError": {
			reason: "An error reading the server is returned with a stable message.",
			cloud:  &cloud{getErr: new(fakes.Error(http.StatusInternalServerError, "InternalServerError"))},
			cr:     newServer(),
			want:   want{cr: newServer(), err: "cannot get flexible server: InternalServerError"},
		},
		"UpToDate": {
			reason: "A Ready server that matches the spec and has the recorded password is up to date, Available, and publishes its connection details.",
			cloud:  &cloud{server: flexibleServer()},
			pw:     password,
			cr:     newServer(),
			want: want{
				cr: newServer(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"LateInitialized": {
			reason: "Fields the spec leaves unset are filled from Azure (not Stratus's tags), and are then up to date.",
			cloud:  &cloud{server: flexibleServer()},
			pw:     password,
			cr: newServer(func(cr *v1beta1.FlexibleServer) {
				cr.Spec.ForProvider = v1beta1.FlexibleServerParameters{
					ResourceGroupName:              new(rg),
					AdministratorPasswordSecretRef: cr.Spec.ForProvider.AdministratorPasswordSecretRef,
				}
			}),
			want: want{
				cr: newServer(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: details(password)},
			},
		},
		"SpecDiffers": {
			reason: "A server whose storage differs from the spec needs an update.",
			cloud:  &cloud{server: flexibleServer()},
			pw:     password,
			cr:     newServer(func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.StorageSizeGB = new(int32(64)) }),
			want: want{
				cr: newServer(observed, func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.StorageSizeGB = new(int32(64)) }),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details(password)},
			},
		},
		"NewPassword": {
			reason: "A password in the Secret the server does not have needs an update, and is not published before.",
			cloud:  &cloud{server: flexibleServer()},
			pw:     "a-New-password-2",
			cr:     newServer(),
			want: want{
				cr: newServer(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details("")},
			},
		},
		"Stopped": {
			reason: "A stopped server is Unavailable, with its state.",
			cloud: &cloud{server: flexibleServer(func(s *armpostgresqlflexibleservers.Server) {
				s.Properties.State = new(armpostgresqlflexibleservers.ServerStateStopped)
			})},
			pw: password,
			cr: newServer(),
			want: want{
				cr: newServer(observed, func(cr *v1beta1.FlexibleServer) {
					cr.Status.AtProvider.State = "Stopped"
					cr.SetConditions(xpv2.Unavailable().WithMessage("flexible server state is Stopped"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"Creating": {
			reason: "While the create Stratus started is in progress the server is Creating, nothing is changed, and no password is published.",
			cloud: &cloud{
				server: flexibleServer(func(s *armpostgresqlflexibleservers.Server) {
					s.Properties.State = new(armpostgresqlflexibleservers.ServerStateProvisioning)
				}),
				create: fakes.Accepted(1, armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse{}),
			},
			creating: true,
			pw:       password,
			cr:       newServer(func(cr *v1beta1.FlexibleServer) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }),
			want: want{
				cr: newServer(observed, func(cr *v1beta1.FlexibleServer) {
					meta.RemoveAnnotations(cr, AnnotationPasswordHash)
					cr.Status.AtProvider.State = "Provisioning"
					cr.SetConditions(xpv2.Creating())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details("")},
			},
		},
		"Created": {
			reason: "Once the create has succeeded its record goes and the password's hash is committed: the password is published.",
			cloud: &cloud{
				server: flexibleServer(),
				create: fakes.Accepted(0, armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse{}),
			},
			creating: true,
			pw:       password,
			cr:       newServer(func(cr *v1beta1.FlexibleServer) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }),
			want: want{
				cr: newServer(observed, func(cr *v1beta1.FlexibleServer) { cr.SetResourceVersion("2") }),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
				patches: []string{"azure.stratus.dev/operation- dbforpostgresql.azure.stratus.dev/administrator-password-hash=" +
					clients.PasswordHash(types.UID(uid), password)},
			},
		},
		"CreateFailed": {
			reason: "A failed create's error is returned, its record removed and its password not committed.",
			cloud: &cloud{
				server: flexibleServer(),
				create: fakes.Failing[armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse]("OperationPreempted"),
			},
			creating: true,
			pw:       password,
			cr:       newServer(func(cr *v1beta1.FlexibleServer) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }),
			want: want{
				cr: newServer(func(cr *v1beta1.FlexibleServer) {
					meta.RemoveAnnotations(cr, AnnotationPasswordHash)
					cr.SetResourceVersion("2")
				}),
				err:     "the create operation failed: OperationPreempted",
				patches: []string{"azure.stratus.dev/operation-"},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := tc.cloud.api(t)
			if tc.creating {
				commit := map[string]string{AnnotationPasswordHash: clients.PasswordHash(types.UID(uid), password)}
				p, err := clients.AsPoller(api.BeginCreateOrUpdate(context.Background(), rg, name, armpostgresqlflexibleservers.Server{}, nil))
				if err != nil {
					t.Fatal(err)
				}
				if err := clients.NewOperations(nil).Start(context.Background(), tc.cr, clients.VerbCreate, p, commit); err != nil {
					t.Fatal(err)
				}
				if tc.want.o.ResourceExists && tc.want.patches == nil {
					_ = clients.NewOperations(nil).Start(context.Background(), tc.want.cr, clients.VerbCreate, p, commit)
				}
			}
			var writes []string
			k := kube(tc.pw, &writes)
			e := &external{api: api, ops: clients.NewOperations(k), kube: k}
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, errText(err)); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, fakes.EquateOperations()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.patches, k.Patches); diff != "" {
				t.Errorf("%s\nObserve(...): -want patches, +got patches:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	type want struct {
		calls  []any
		writes []string
		op     string
		err    string
	}
	created := func(pw string) armpostgresqlflexibleservers.Server {
		s := *flexibleServer()
		s.ID, s.Name = nil, nil
		s.Properties = &armpostgresqlflexibleservers.ServerProperties{
			AdministratorLogin:         new("app"),
			AdministratorLoginPassword: new(pw),
			CreateMode:                 new(armpostgresqlflexibleservers.CreateModeDefault),
			Version:                    new(armpostgresqlflexibleservers.PostgresMajorVersionSixteen),
			Storage:                    &armpostgresqlflexibleservers.Storage{StorageSizeGB: new(int32(32))},
			Backup:                     &armpostgresqlflexibleservers.Backup{BackupRetentionDays: new(int32(7))},
			HighAvailability:           &armpostgresqlflexibleservers.HighAvailability{Mode: new(armpostgresqlflexibleservers.HighAvailabilityMode("Disabled"))},
			Network:                    &armpostgresqlflexibleservers.Network{PublicNetworkAccess: new(armpostgresqlflexibleservers.ServerPublicNetworkAccessStateEnabled)},
		}
		return s
	}
	cases := map[string]struct {
		reason string
		pw     string
		cloud  *cloud
		cr     *v1beta1.FlexibleServer
		want   want
	}{
		"Created": {
			reason: "The server is created with the spec and the Secret's password, and the operation recorded, not waited for.",
			pw:     password,
			cloud:  &cloud{create: fakes.Accepted(3, armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse{})},
			cr:     newServer(),
			want:   want{calls: []any{created(password)}, op: clients.VerbCreate},
		},
		"GeneratedPassword": {
			reason: "With autoGeneratePassword a missing Secret is created with a generated password first.",
			cloud:  &cloud{create: fakes.Accepted(3, armpostgresqlflexibleservers.ServersClientCreateOrUpdateResponse{})},
			cr:     newServer(func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.AutoGeneratePassword = new(true) }),
			want:   want{calls: []any{created(generated)}, writes: []string{"create " + secret + " password=" + generated}, op: clients.VerbCreate},
		},
		"NoPassword": {
			reason: "Without a password and autoGeneratePassword nothing is created.",
			cloud:  &cloud{},
			cr:     newServer(),
			want:   want{err: "cannot create flexible server: password Secret team-a/orders-db-password does not exist (set autoGeneratePassword to generate one)"},
		},
		"Rejected": {
			reason: "Azure's refusal is returned, with the password redacted should Azure echo it.",
			pw:     password,
			cloud: &cloud{createErr: func() azfake.ErrorResponder {
				var e azfake.ErrorResponder
				e.SetError(errors.New("password " + password + " is too weak"))
				return e
			}()},
			cr:   newServer(),
			want: want{calls: []any{created(password)}, err: "cannot create flexible server: password [redacted] is too weak"},
		},
		"NoLogin": {
			reason: "A server needs an administrator login.",
			cloud:  &cloud{},
			cr:     newServer(func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.AdministratorLogin = nil }),
			want:   want{err: "cannot create flexible server: spec.forProvider.administratorLogin is required"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			var got want
			k := kube(tc.pw, &got.writes)
			e := &external{api: tc.cloud.api(t), ops: clients.NewOperations(k), kube: k, newPassword: func() (string, error) { return generated, nil }}
			_, err := e.Create(context.Background(), tc.cr)
			got.calls = tc.cloud.calls
			if op := clients.GetOperation(tc.cr); op != nil {
				got.op = op.Verb
				if h := op.Commit[AnnotationPasswordHash]; h == "" || strings.Contains(h, password) {
					t.Errorf("%s\nCreate(...): the operation commits hash %q, want the password's hash", tc.reason, h)
				}
			}
			got.err = errText(err)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCreate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	type want struct {
		calls   []any
		patches []string
		err     string
	}
	newHash := clients.PasswordHash(types.UID(uid), "a-New-password-2")
	cases := map[string]struct {
		reason string
		server *armpostgresqlflexibleservers.Server
		op     bool
		pw     string
		cr     *v1beta1.FlexibleServer
		want   want
	}{
		"OnlyWhatChanged": {
			reason: "The PATCH carries the changed storage, SKU and tags, and nothing else.",
			server: flexibleServer(),
			pw:     password,
			cr: newServer(observed, func(cr *v1beta1.FlexibleServer) {
				cr.Spec.ForProvider.StorageSizeGB = new(int32(64))
				cr.Spec.ForProvider.SKUName = new("Standard_B2s")
				cr.Spec.ForProvider.Tags = map[string]string{"team": "data"}
			}),
			want: want{
				calls: []any{armpostgresqlflexibleservers.ServerForPatch{
					SKU:        &armpostgresqlflexibleservers.SKUForPatch{Name: new("Standard_B2s"), Tier: new(armpostgresqlflexibleservers.SKUTierBurstable)},
					Properties: &armpostgresqlflexibleservers.ServerPropertiesForPatch{Storage: &armpostgresqlflexibleservers.Storage{StorageSizeGB: new(int32(64))}},
					Tags:       clients.ToPtrMap(map[string]string{"team": "data", clients.TagName: name, clients.TagUID: uid}),
				}},
				patches: []string{"azure.stratus.dev/operation=update"},
			},
		},
		"NewPassword": {
			reason: "A new password in the Secret is a PATCH of the password alone, whose hash is committed once it succeeds.",
			server: flexibleServer(),
			pw:     "a-New-password-2",
			cr:     newServer(observed),
			want: want{
				calls:   []any{armpostgresqlflexibleservers.ServerForPatch{Properties: &armpostgresqlflexibleservers.ServerPropertiesForPatch{AdministratorLoginPassword: new("a-New-password-2")}}},
				patches: []string{"azure.stratus.dev/operation=update"},
			},
		},
		"NotReady": {
			reason: "A server that is not Ready is left alone; a later poll retries.",
			server: flexibleServer(),
			pw:     password,
			cr: newServer(observed, func(cr *v1beta1.FlexibleServer) {
				cr.Status.AtProvider.State = "Stopped"
				cr.Spec.ForProvider.StorageSizeGB = new(int32(64))
			}),
			want: want{},
		},
		"OperationInProgress": {
			reason: "Nothing is changed while an operation is in progress.",
			server: flexibleServer(),
			op:     true,
			pw:     password,
			cr:     newServer(observed, func(cr *v1beta1.FlexibleServer) { cr.Spec.ForProvider.StorageSizeGB = new(int32(64)) }),
			want:   want{},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{update: fakes.Accepted(3, armpostgresqlflexibleservers.ServersClientUpdateResponse{})}
			var writes []string
			k := kube(tc.pw, &writes)
			e := &external{api: c.api(t), ops: clients.NewOperations(k), kube: k, server: tc.server}
			if tc.op {
				e.op = &clients.Operation{Verb: clients.VerbUpdate, Token: "t"}
			}
			_, err := e.Update(context.Background(), tc.cr)
			got := want{calls: c.calls, patches: k.Patches, err: errText(err)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nUpdate(...): -want, +got:\n%s", tc.reason, diff)
			}
			if n == "NewPassword" {
				if op := clients.GetOperation(tc.cr); op == nil || op.Commit[AnnotationPasswordHash] != newHash {
					t.Errorf("%s\nUpdate(...): operation %+v, want it to commit the new password's hash", tc.reason, op)
				}
			}
		})
	}
}

func TestDelete(t *testing.T) {
	type want struct {
		calls   []any
		patches []string
		err     string
	}
	cases := map[string]struct {
		reason    string
		cr        *v1beta1.FlexibleServer
		op        *clients.Operation
		deleteErr azfake.ErrorResponder
		want      want
	}{
		"Started": {
			reason: "The deletion is started and recorded, not waited for.",
			cr:     newServer(observed),
			want:   want{calls: []any{"delete"}, patches: []string{"azure.stratus.dev/operation=delete"}},
		},
		"Dropping": {
			reason: "A server Azure is dropping is not deleted again.",
			cr:     newServer(observed, func(cr *v1beta1.FlexibleServer) { cr.Status.AtProvider.State = "Dropping" }),
			want:   want{},
		},
		"InProgress": {
			reason: "A deletion Stratus started is not started again.",
			cr:     newServer(observed),
			op:     &clients.Operation{Verb: clients.VerbDelete, Token: "t"},
			want:   want{},
		},
		"Gone": {
			reason:    "A server that is gone is deleted.",
			cr:        newServer(observed),
			deleteErr: func() azfake.ErrorResponder { return fakes.Error(http.StatusNotFound, "ResourceNotFound") }(),
			want:      want{calls: []any{"delete"}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{delete: fakes.Accepted(3, armpostgresqlflexibleservers.ServersClientDeleteResponse{}), deleteErr: tc.deleteErr}
			var writes []string
			k := kube("", &writes)
			e := &external{api: c.api(t), ops: clients.NewOperations(k), kube: k, op: tc.op}
			_, err := e.Delete(context.Background(), tc.cr)
			got := want{calls: c.calls, patches: k.Patches, err: errText(err)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDelete(...): -want, +got:\n%s", tc.reason, diff)
			}
			if c := tc.cr.GetCondition(xpv2.TypeReady); c.Reason != xpv2.ReasonDeleting {
				t.Errorf("%s\nDelete(...): Ready reason %q, want Deleting", tc.reason, c.Reason)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
