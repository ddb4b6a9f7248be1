package databaseinstance

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	sqladmin "google.golang.org/api/sqladmin/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
	"github.com/stratus-dev/stratus/providers/gcp/internal/clients"
	"github.com/stratus-dev/stratus/providers/gcp/internal/gcptest"
	"github.com/stratus-dev/stratus/providers/gcp/internal/password"
)

const (
	name       = "orders-db"
	uid        = "2d5e7f10-9a3b-4c6d-8e1f-0a2b3c4d5e6f"
	namespace  = "team-a"
	secret     = name + "-password"
	pw         = "correct-Horse-battery-9"
	generated  = "GeneratedPassword0123456789abcde"
	dbPath     = "/v1/projects/" + gcptest.Project + "/instances"
	opPath     = "/v1/projects/" + gcptest.Project + "/operations/op-1"
	connName   = gcptest.Project + ":us-central1:" + name
	selfLink   = "https://sqladmin.googleapis.com/sql/v1beta4/projects/" + gcptest.Project + "/instances/" + name
	annotation = "crossplane.io/external-name=" + name
)

// cloudSQL returns the instance as Cloud SQL reports it, RUNNABLE and in
// sync with newInstance.
func cloudSQL(mods ...func(*sqladmin.DatabaseInstance)) *sqladmin.DatabaseInstance {
	autoResize := true
	db := &sqladmin.DatabaseInstance{
		Name:                       name,
		Region:                     "us-central1",
		DatabaseVersion:            "POSTGRES_15",
		State:                      StateRunnable,
		ConnectionName:             connName,
		SelfLink:                   selfLink,
		ServiceAccountEmailAddress: "p1-abc@gcp-sa-cloud-sql.iam.gserviceaccount.com",
		GceZone:                    "us-central1-a",
		IpAddresses:                []*sqladmin.IpMapping{{Type: "PRIMARY", IpAddress: "127.0.1.2"}},
		ServerCaCert:               &sqladmin.SslCert{Cert: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"},
		Settings: &sqladmin.Settings{
			Tier:              "db-f1-micro",
			Edition:           "ENTERPRISE",
			AvailabilityType:  "ZONAL",
			DataDiskSizeGb:    10,
			DataDiskType:      "PD_SSD",
			StorageAutoResize: &autoResize,
			SettingsVersion:   3,
			IpConfiguration:   &sqladmin.IpConfiguration{Ipv4Enabled: true, SslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED"},
			BackupConfiguration: &sqladmin.BackupConfiguration{
				StartTime:                   "00:00",
				TransactionLogRetentionDays: 7,
				BackupRetentionSettings:     &sqladmin.BackupRetentionSettings{RetainedBackups: 7, RetentionUnit: "COUNT"},
			},
			MaintenanceWindow: &sqladmin.MaintenanceWindow{},
			UserLabels:        map[string]string{"team": "platform", clients.LabelUID: uid},
		},
	}
	for _, m := range mods {
		m(db)
	}
	return db
}

// newInstance returns a DatabaseInstance resource in sync with cloudSQL,
// with the hash of pw recorded.
func newInstance(mods ...func(*v1beta1.DatabaseInstance)) *v1beta1.DatabaseInstance {
	cr := &v1beta1.DatabaseInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.DatabaseInstanceSpec{ForProvider: v1beta1.DatabaseInstanceParameters{
			Region:          new("us-central1"),
			DatabaseVersion: new("POSTGRES_15"),
			Settings: &v1beta1.Settings{
				Tier:       new("db-f1-micro"),
				UserLabels: map[string]string{"team": "platform"},
			},
			RootPasswordSecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: namespace, Name: secret}, Key: "password"},
		}},
	}
	meta.SetExternalName(cr, name)
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: password.Hash(types.UID(uid), pw)})
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for cloudSQL.
func observed(cr *v1beta1.DatabaseInstance) {
	cr.Status.AtProvider = v1beta1.DatabaseInstanceObservation{
		State:                      StateRunnable,
		DatabaseVersion:            "POSTGRES_15",
		ConnectionName:             connName,
		IPAddresses:                []v1beta1.IPAddress{{Type: "PRIMARY", IPAddress: "127.0.1.2"}},
		PublicIP:                   "127.0.1.2",
		SelfLink:                   selfLink,
		ServiceAccountEmailAddress: "p1-abc@gcp-sa-cloud-sql.iam.gserviceaccount.com",
		GCEZone:                    "us-central1-a",
		SettingsVersion:            3,
	}
	cr.SetConditions(xpv2.Available())
}

// details are the connection details of cloudSQL; the password only when
// p is not empty.
func details(p string) managed.ConnectionDetails {
	cd := managed.ConnectionDetails{
		"endpoint":                []byte("127.0.1.2"),
		"port":                    []byte("5432"),
		"username":                []byte("postgres"),
		"connectionName":          []byte(connName),
		"publicIP":                []byte("127.0.1.2"),
		"serverCACertificateCert": []byte("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"),
	}
	if p != "" {
		cd["password"] = []byte(p)
	}
	return cd
}

// passwordSecret returns the password Secret holding p.
func passwordSecret(p string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: secret}, Data: map[string][]byte{"password": []byte(p)}}
}

// operation returns a Cloud SQL operation of type typ.
func operation(typ, status string) *sqladmin.Operation {
	return &sqladmin.Operation{Name: "op-1", OperationType: typ, Status: status}
}

// wrapped is a Google API error as the controller returns it.
func wrapped(code int, reason, msg, context string) error {
	return clients.Wrap(&googleapi.Error{Code: code, Message: msg, Errors: []googleapi.ErrorItem{{Reason: reason, Message: msg}}}, context)
}

func newExternal(t *testing.T, routes gcptest.Routes, secrets ...*corev1.Secret) (*external, *gcptest.Server, *gcptest.Kube) {
	t.Helper()
	srv := gcptest.NewServer(t, routes)
	api, err := clients.NewSQL(context.Background(), gcptest.Project, srv.SQLOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	kube := gcptest.NewKube(secrets...)
	return &external{api: api, kube: kube, newPassword: func() (string, error) { return generated, nil }}, srv, kube
}

func TestObserve(t *testing.T) {
	get := "GET " + dbPath + "/" + name
	type want struct {
		cr  *v1beta1.DatabaseInstance
		o   managed.ExternalObservation
		err error
	}
	cases := map[string]struct {
		reason  string
		routes  gcptest.Routes
		secrets []*corev1.Secret
		cr      *v1beta1.DatabaseInstance
		want    want
	}{
		"NotFound": {
			reason: "An instance Cloud SQL does not know does not exist.",
			routes: gcptest.Routes{get: gcptest.Error(http.StatusNotFound, "instanceDoesNotExist", "The Cloud SQL instance does not exist.")},
			cr:     newInstance(),
			want:   want{cr: newInstance()},
		},
		"UpToDate": {
			reason:  "A RUNNABLE instance that matches the spec and has the recorded password is up to date and Available, and publishes its connection details, port included.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL())},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(),
			want:    want{cr: newInstance(observed, lateInitialized), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: details(pw)}},
		},
		"PendingCreate": {
			reason:  "An instance being created is Creating.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL(func(db *sqladmin.DatabaseInstance) { db.State, db.IpAddresses = StatePendingCreate, nil }))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(lateInitialized),
			want: want{
				cr: newInstance(lateInitialized, observed, func(cr *v1beta1.DatabaseInstance) {
					cr.Status.AtProvider.State, cr.Status.AtProvider.IPAddresses, cr.Status.AtProvider.PublicIP = StatePendingCreate, nil, ""
					cr.SetConditions(xpv2.Creating())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: func() managed.ConnectionDetails {
					cd := details(pw)
					delete(cd, "endpoint")
					delete(cd, "publicIP")
					return cd
				}()},
			},
		},
		"Maintenance": {
			reason:  "An instance in maintenance is Unavailable, with its state in the message.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL(func(db *sqladmin.DatabaseInstance) { db.State = "MAINTENANCE" }))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(lateInitialized),
			want: want{
				cr: newInstance(lateInitialized, observed, func(cr *v1beta1.DatabaseInstance) {
					cr.Status.AtProvider.State = "MAINTENANCE"
					cr.SetConditions(xpv2.Unavailable().WithMessage("Cloud SQL instance state is MAINTENANCE"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(pw)},
			},
		},
		"LabelsDiffer": {
			reason:  "An instance whose labels differ from the spec needs an update.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL(func(db *sqladmin.DatabaseInstance) { db.Settings.UserLabels["extra"] = "x" }))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(lateInitialized),
			want:    want{cr: newInstance(lateInitialized, observed), o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details(pw)}},
		},
		"LargerDiskSatisfies": {
			reason:  "A disk Cloud SQL grew past the spec's size satisfies it: disks cannot shrink.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL(func(db *sqladmin.DatabaseInstance) { db.Settings.DataDiskSizeGb = 50 }))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(lateInitialized),
			want:    want{cr: newInstance(lateInitialized, observed), o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(pw)}},
		},
		"PasswordChanged": {
			reason:  "A password Secret whose password the instance does not have needs an update, and the new password is not published yet.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL())},
			secrets: []*corev1.Secret{passwordSecret("a-new-Password-2")},
			cr:      newInstance(lateInitialized),
			want:    want{cr: newInstance(lateInitialized, observed), o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details("")}},
		},
		"PasswordChangeDone": {
			reason:  "Once the operation that sets a password is done, its hash becomes the recorded one and the password is published.",
			routes:  gcptest.Routes{"GET " + opPath: gcptest.OK(operation("UPDATE_USER", "DONE")), get: gcptest.OK(cloudSQL())},
			secrets: []*corev1.Secret{passwordSecret("a-new-Password-2")},
			cr: newInstance(lateInitialized, func(cr *v1beta1.DatabaseInstance) {
				meta.AddAnnotations(cr, map[string]string{
					clients.AnnotationOperation:   "operations/op-1",
					AnnotationPendingPasswordHash: password.Hash(types.UID(uid), "a-new-Password-2"),
				})
			}),
			want: want{
				cr: newInstance(lateInitialized, observed, func(cr *v1beta1.DatabaseInstance) {
					meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: password.Hash(types.UID(uid), "a-new-Password-2")})
					cr.SetResourceVersion("1+")
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details("a-new-Password-2")},
			},
		},
		"PasswordChangeFailed": {
			reason: "An operation that failed to set a password surfaces its error and leaves the recorded hash as it was.",
			routes: gcptest.Routes{"GET " + opPath: gcptest.OK(&sqladmin.Operation{Name: "op-1", OperationType: "UPDATE_USER", Status: "DONE", Error: &sqladmin.OperationErrors{Errors: []*sqladmin.OperationError{{Code: "ERROR_RDBMS", Message: "boom"}}}})},
			cr: newInstance(lateInitialized, func(cr *v1beta1.DatabaseInstance) {
				meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: "operations/op-1", AnnotationPendingPasswordHash: "pending"})
			}),
			want: want{
				cr:  newInstance(lateInitialized, func(cr *v1beta1.DatabaseInstance) { cr.SetResourceVersion("1+") }),
				err: errors.New("UPDATE_USER operation failed: ERROR_RDBMS: boom"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, _, _ := newExternal(t, tc.routes, tc.secrets...)
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, test.EquateConditions()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

// lateInitialized sets what Observe late-initializes from cloudSQL.
func lateInitialized(cr *v1beta1.DatabaseInstance) {
	s := cr.Spec.ForProvider.Settings
	s.Edition, s.AvailabilityType, s.DataDiskType = new("ENTERPRISE"), new("ZONAL"), new("PD_SSD")
	s.DataDiskSizeGB, s.DiskAutoresize, s.DeletionProtectionEnabled = new(int64(10)), new(true), new(false)
	s.IPConfiguration = &v1beta1.IPConfiguration{IPv4Enabled: new(true)}
	s.BackupConfiguration = &v1beta1.BackupConfiguration{
		Enabled: new(false), StartTime: new("00:00"), PointInTimeRecoveryEnabled: new(false),
		TransactionLogRetentionDays: new(int64(7)), RetainedBackups: new(int64(7)),
	}
}

func TestCreate(t *testing.T) {
	insert := func(rootPassword string) string {
		body := map[string]any{
			"name": name, "region": "us-central1", "databaseVersion": "POSTGRES_15",
			"settings": map[string]any{"tier": "db-f1-micro", "userLabels": map[string]string{"team": "platform", clients.LabelUID: uid}},
		}
		if rootPassword != "" {
			body["rootPassword"] = rootPassword
		}
		return "POST " + dbPath + " " + gcptest.JSON(body)
	}
	unrecorded := func(cr *v1beta1.DatabaseInstance) { meta.RemoveAnnotations(cr, AnnotationPasswordHash) }
	withOperation := func(cr *v1beta1.DatabaseInstance) {
		meta.AddAnnotations(cr, map[string]string{clients.AnnotationOperation: "operations/op-1"})
	}
	type want struct {
		cr       *v1beta1.DatabaseInstance
		err      error
		requests []string
		writes   []string
	}
	cases := map[string]struct {
		reason  string
		routes  gcptest.Routes
		secrets []*corev1.Secret
		cr      *v1beta1.DatabaseInstance
		want    want
	}{
		"Success": {
			reason:  "The instance is inserted with the spec's settings, the UID label and the password from its Secret; the operation and the password's hash are recorded.",
			routes:  gcptest.Routes{"POST " + dbPath: gcptest.OK(operation("CREATE", "PENDING"))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(unrecorded),
			want:    want{cr: newInstance(withOperation), requests: []string{insert(pw)}},
		},
		"GeneratedPassword": {
			reason: "With autoGeneratePassword a missing password is generated and stored first.",
			routes: gcptest.Routes{"POST " + dbPath: gcptest.OK(operation("CREATE", "PENDING"))},
			cr:     newInstance(unrecorded, func(cr *v1beta1.DatabaseInstance) { cr.Spec.ForProvider.AutoGeneratePassword = new(true) }),
			want: want{
				cr: newInstance(withOperation, func(cr *v1beta1.DatabaseInstance) {
					cr.Spec.ForProvider.AutoGeneratePassword = new(true)
					meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: password.Hash(types.UID(uid), generated)})
				}),
				requests: []string{insert(generated)},
				writes:   []string{"create Secret " + namespace + "/" + secret + " password=" + generated},
			},
		},
		"NoPasswordSecret": {
			reason: "Without autoGeneratePassword a missing Secret is an error, and nothing is created.",
			cr:     newInstance(unrecorded),
			want: want{
				cr:  newInstance(unrecorded),
				err: errors.New("password Secret team-a/orders-db-password does not exist (set autoGeneratePassword to generate one)"),
			},
		},
		"NameTakenByItsOwn": {
			reason:  "An instance of that name labeled with the resource's UID is its own: the create succeeds.",
			routes:  gcptest.Routes{"POST " + dbPath: gcptest.Error(http.StatusConflict, "instanceAlreadyExists", "The Cloud SQL instance already exists."), "GET " + dbPath + "/" + name: gcptest.OK(cloudSQL())},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(unrecorded),
			want:    want{cr: newInstance(unrecorded), requests: []string{insert(pw), "GET " + dbPath + "/" + name}},
		},
		"NameReserved": {
			reason:  "A name Cloud SQL keeps after a delete (taken, but no instance shows) is reported as a conflict.",
			routes:  gcptest.Routes{"POST " + dbPath: gcptest.Error(http.StatusConflict, "instanceAlreadyExists", "The Cloud SQL instance already exists."), "GET " + dbPath + "/" + name: gcptest.Error(http.StatusNotFound, "instanceDoesNotExist", "gone")},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(unrecorded),
			want: want{
				cr: newInstance(unrecorded, func(cr *v1beta1.DatabaseInstance) {
					meta.AddAnnotations(cr, map[string]string{clients.AnnotationNameConflict: "true"})
				}),
				err:      errors.New(`Cloud SQL instance "orders-db" exists and this resource did not create it: delete it, choose another name (annotation crossplane.io/external-name), or remove the annotation gcp.stratus.dev/name-conflict to adopt it`),
				requests: []string{insert(pw), "GET " + dbPath + "/" + name},
			},
		},
		"RefusedWithPasswordEchoed": {
			reason:  "An error that quotes the password has it redacted.",
			routes:  gcptest.Routes{"POST " + dbPath: gcptest.Error(http.StatusBadRequest, "invalid", "password "+pw+" is too weak")},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr:      newInstance(unrecorded),
			want: want{
				cr:       newInstance(unrecorded),
				err:      errors.New("cannot create Cloud SQL instance: HTTP 400 invalid: password [redacted] is too weak"),
				requests: []string{insert(pw)},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, kube := newExternal(t, tc.routes, tc.secrets...)
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr); diff != "" {
				t.Errorf("%s\nCreate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.requests, srv.Requests()); diff != "" {
				t.Errorf("%s\nCreate(...): -want requests, +got requests:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, kube.Writes()); diff != "" {
				t.Errorf("%s\nCreate(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	get := "GET " + dbPath + "/" + name
	patch := "PATCH " + dbPath + "/" + name
	hash := func(p string) string { return password.Hash(types.UID(uid), p) }
	type want struct {
		err       error
		mutations []string
		writes    []string
	}
	cases := map[string]struct {
		reason  string
		routes  gcptest.Routes
		secrets []*corev1.Secret
		cr      *v1beta1.DatabaseInstance
		want    want
	}{
		"PatchSettings": {
			reason:  "Only settings that differ are sent, with the settings version; objects go whole with the spec's changes, false values explicitly, and labels no longer wanted as null.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL(func(db *sqladmin.DatabaseInstance) { db.Settings.UserLabels["old"] = "x" })), patch: gcptest.OK(operation("UPDATE", "PENDING"))},
			secrets: []*corev1.Secret{passwordSecret(pw)},
			cr: newInstance(func(cr *v1beta1.DatabaseInstance) {
				s := cr.Spec.ForProvider.Settings
				s.Tier = new("db-g1-small")
				s.DataDiskSizeGB = new(int64(20))
				s.IPConfiguration = &v1beta1.IPConfiguration{IPv4Enabled: new(false), PrivateNetwork: new("projects/" + gcptest.Project + "/global/networks/orders-net")}
				s.DatabaseFlags = []v1beta1.DatabaseFlag{{Name: "max_connections", Value: "50"}}
				s.MaintenanceWindow = &v1beta1.MaintenanceWindow{Day: 7, Hour: 0}
			}),
			want: want{
				mutations: []string{patch + " " + gcptest.JSON(map[string]any{"settings": map[string]any{
					"settingsVersion":   "3",
					"tier":              "db-g1-small",
					"dataDiskSizeGb":    "20",
					"ipConfiguration":   map[string]any{"ipv4Enabled": false, "privateNetwork": "projects/" + gcptest.Project + "/global/networks/orders-net", "sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED"},
					"databaseFlags":     []any{map[string]any{"name": "max_connections", "value": "50"}},
					"maintenanceWindow": map[string]any{"day": 7, "hour": 0},
					"userLabels":        map[string]any{"team": "platform", clients.LabelUID: uid, "old": nil},
				}})},
				writes: []string{"patch " + name + " " + annotation + ",gcp.stratus.dev/operation=operations/op-1," + AnnotationPasswordHash + "=" + hash(pw)},
			},
		},
		"SetPassword": {
			reason:  "Settings in sync, a changed password is set on the administrator and its hash recorded as pending.",
			routes:  gcptest.Routes{get: gcptest.OK(cloudSQL()), "PUT " + dbPath + "/" + name + "/users": gcptest.OK(operation("UPDATE_USER", "PENDING"))},
			secrets: []*corev1.Secret{passwordSecret("a-new-Password-2")},
			cr:      newInstance(),
			want: want{
				mutations: []string{"PUT " + dbPath + "/" + name + "/users?name=postgres " + gcptest.JSON(map[string]any{"name": "postgres", "password": "a-new-Password-2"})},
				writes:    []string{"patch " + name + " " + annotation + ",gcp.stratus.dev/operation=operations/op-1," + AnnotationPendingPasswordHash + "=" + hash("a-new-Password-2") + "," + AnnotationPasswordHash + "=" + hash(pw)},
			},
		},
		"NotRunnable": {
			reason: "An instance that is not RUNNABLE is left until it is.",
			routes: gcptest.Routes{get: gcptest.OK(cloudSQL(func(db *sqladmin.DatabaseInstance) { db.State = StatePendingCreate }))},
			cr:     newInstance(func(cr *v1beta1.DatabaseInstance) { cr.Spec.ForProvider.Settings.Tier = new("db-g1-small") }),
			want:   want{},
		},
		"Busy": {
			reason: "A patch refused because another operation runs is an error, retried with backoff.",
			routes: gcptest.Routes{get: gcptest.OK(cloudSQL()), patch: gcptest.Error(http.StatusConflict, "operationInProgress", "Operation failed because another operation was already in progress.")},
			cr:     newInstance(func(cr *v1beta1.DatabaseInstance) { cr.Spec.ForProvider.Settings.Tier = new("db-g1-small") }),
			want: want{
				err:       wrapped(http.StatusConflict, "operationInProgress", "Operation failed because another operation was already in progress.", "cannot patch Cloud SQL instance"),
				mutations: []string{patch + " " + gcptest.JSON(map[string]any{"settings": map[string]any{"settingsVersion": "3", "tier": "db-g1-small"}})},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, kube := newExternal(t, tc.routes, tc.secrets...)
			_, err := e.Update(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.mutations, srv.Mutations()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, kube.Writes()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want writes, +got writes:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	del := "DELETE " + dbPath + "/" + name
	type want struct {
		err       error
		mutations []string
	}
	cases := map[string]struct {
		reason string
		routes gcptest.Routes
		cr     *v1beta1.DatabaseInstance
		want   want
	}{
		"Success": {
			reason: "The instance is deleted.",
			routes: gcptest.Routes{del: gcptest.OK(operation("DELETE", "PENDING"))},
			cr:     newInstance(),
			want:   want{mutations: []string{del}},
		},
		"AlreadyDeleting": {
			reason: "An instance Cloud SQL is deleting already needs no second delete.",
			cr:     newInstance(func(cr *v1beta1.DatabaseInstance) { cr.Status.AtProvider.State = StatePendingDelete }),
			want:   want{},
		},
		"Protected": {
			reason: "Deletion protection is reported as Cloud SQL words it.",
			routes: gcptest.Routes{del: gcptest.Error(http.StatusBadRequest, "protectedInstance", "The instance is protected.")},
			cr:     newInstance(),
			want:   want{err: wrapped(http.StatusBadRequest, "protectedInstance", "The instance is protected.", "cannot delete Cloud SQL instance"), mutations: []string{del}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e, srv, _ := newExternal(t, tc.routes)
			_, err := e.Delete(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.mutations, srv.Mutations()); diff != "" {
				t.Errorf("%s\nDelete(...): -want mutations, +got mutations:\n%s", tc.reason, diff)
			}
		})
	}
}
