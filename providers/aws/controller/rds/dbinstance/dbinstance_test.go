package dbinstance

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

const (
	name      = "orders-db"
	uid       = "2d5e7f10-9a3b-4c6d-8e1f-0a2b3c4d5e6f"
	arn       = "arn:aws:rds:us-east-1:123456789012:db:" + name
	address   = name + ".abcdefghijkl.us-east-1.rds.amazonaws.com"
	region    = "us-east-1"
	namespace = "team-a"
	secret    = name + "-password"
	password  = "correct-Horse-battery-9"
	generated = "GeneratedPassword0123456789abcde"
)

var (
	errBoom     = &smithy.GenericAPIError{Code: "AccessDenied", Message: "boom"}
	errNotFound = &rdstypes.DBInstanceNotFoundFault{Message: aws.String("DBInstance " + name + " not found.")}
	errCalled   = errors.New("unexpected call")

	cmpOpts = []cmp.Option{cmpopts.IgnoreUnexported(
		rds.CreateDBInstanceInput{}, rds.ModifyDBInstanceInput{}, rds.DeleteDBInstanceInput{},
		rds.AddTagsToResourceInput{}, rds.RemoveTagsFromResourceInput{}, rdstypes.Tag{},
	)}
)

// A fakeAPI stubs the RDS API. DescribeDBInstances must be stubbed;
// mutating calls are recorded, inputs in order, and succeed unless stubbed.
type fakeAPI struct {
	calls []any

	describe   func(*rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error)
	create     func(*rds.CreateDBInstanceInput) (*rds.CreateDBInstanceOutput, error)
	modify     func(*rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error)
	deleteFn   func(*rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error)
	addTags    func(*rds.AddTagsToResourceInput) (*rds.AddTagsToResourceOutput, error)
	removeTags func(*rds.RemoveTagsFromResourceInput) (*rds.RemoveTagsFromResourceOutput, error)
}

// record records the mutating call in and returns what fn returns, or an
// empty output when fn is nil.
func record[I, O any](f *fakeAPI, in *I, fn func(*I) (*O, error)) (*O, error) {
	f.calls = append(f.calls, in)
	if fn == nil {
		return new(O), nil
	}
	return fn(in)
}

func (f *fakeAPI) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	if f.describe == nil {
		return nil, errCalled
	}
	return f.describe(in)
}

func (f *fakeAPI) CreateDBInstance(_ context.Context, in *rds.CreateDBInstanceInput, _ ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error) {
	return record(f, in, f.create)
}

func (f *fakeAPI) ModifyDBInstance(_ context.Context, in *rds.ModifyDBInstanceInput, _ ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error) {
	return record(f, in, f.modify)
}

func (f *fakeAPI) DeleteDBInstance(_ context.Context, in *rds.DeleteDBInstanceInput, _ ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error) {
	return record(f, in, f.deleteFn)
}

func (f *fakeAPI) AddTagsToResource(_ context.Context, in *rds.AddTagsToResourceInput, _ ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error) {
	return record(f, in, f.addTags)
}

func (f *fakeAPI) RemoveTagsFromResource(_ context.Context, in *rds.RemoveTagsFromResourceInput, _ ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error) {
	return record(f, in, f.removeTags)
}

// found answers a describe of the instance with db, or NotFound when db is
// nil.
func found(db *rdstypes.DBInstance) *fakeAPI {
	return &fakeAPI{describe: func(in *rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error) {
		if db == nil || aws.ToString(in.DBInstanceIdentifier) != name {
			return nil, errNotFound
		}
		return &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{*db}}, nil
	}}
}

// A fakeKube stubs the API server: it holds at most the password Secret and
// records the objects written.
type fakeKube struct {
	test.MockClient

	secret *corev1.Secret
	writes []string
}

// newKube returns an API server whose password Secret holds data, or that
// has no password Secret when data is nil.
func newKube(data map[string]string) *fakeKube {
	k := &fakeKube{}
	if data != nil {
		k.secret = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: secret, ResourceVersion: "1"},
			Data:       map[string][]byte{},
		}
		for key, v := range data {
			k.secret.Data[key] = []byte(v)
		}
	}
	k.MockGet = func(_ context.Context, key client.ObjectKey, obj client.Object) error {
		s, ok := obj.(*corev1.Secret)
		if !ok || k.secret == nil || key != (client.ObjectKey{Namespace: namespace, Name: secret}) {
			return kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
		}
		k.secret.DeepCopyInto(s)
		return nil
	}
	k.MockCreate = func(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
		k.writes = append(k.writes, "create "+describeWrite(obj))
		return nil
	}
	k.MockUpdate = func(_ context.Context, obj client.Object, _ ...client.UpdateOption) error {
		k.writes = append(k.writes, "update "+describeWrite(obj))
		return nil
	}
	k.MockPatch = func(_ context.Context, obj client.Object, _ client.Patch, _ ...client.PatchOption) error {
		k.writes = append(k.writes, "patch "+describeWrite(obj))
		obj.SetResourceVersion("2")
		return nil
	}
	return k
}

// describeWrite names a written object and what matters of it to the
// tests: a Secret's password key, a resource's recorded password hash.
func describeWrite(obj client.Object) string {
	switch o := obj.(type) {
	case *corev1.Secret:
		d := "Secret " + o.Namespace + "/" + o.Name + " password=" + string(o.Data["password"])
		if c := metav1.GetControllerOf(o); c != nil {
			d += " controller=" + c.Kind + "/" + string(c.UID)
		}
		return d
	case *v1beta1.DBInstance:
		return "DBInstance " + o.Name + " hash=" + o.GetAnnotations()[AnnotationPasswordHash]
	default:
		return "unexpected object"
	}
}

// stratusTags are the user tags plus the tags Stratus puts on the instance
// of newInstance.
func stratusTags(user map[string]string) map[string]string {
	m := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(m, user)
	return m
}

// instance returns an available DB instance as AWS describes it, in sync
// with newInstance.
func instance(mods ...func(*rdstypes.DBInstance)) *rdstypes.DBInstance {
	db := &rdstypes.DBInstance{
		DBInstanceIdentifier:  aws.String(name),
		DBInstanceArn:         aws.String(arn),
		DbiResourceId:         aws.String("db-ABCDEFGHIJKLMNOP"),
		DBInstanceStatus:      aws.String("available"),
		Engine:                aws.String("postgres"),
		EngineVersion:         aws.String("16.3"),
		DBInstanceClass:       aws.String("db.t3.micro"),
		AllocatedStorage:      aws.Int32(20),
		StorageType:           aws.String("gp3"),
		DBName:                aws.String("orders"),
		MasterUsername:        aws.String("app"),
		Endpoint:              &rdstypes.Endpoint{Address: aws.String(address), Port: aws.Int32(5432)},
		PubliclyAccessible:    aws.Bool(false),
		MultiAZ:               aws.Bool(false),
		BackupRetentionPeriod: aws.Int32(7),
		DeletionProtection:    aws.Bool(false),
		AvailabilityZone:      aws.String("us-east-1a"),
		DBSubnetGroup:         &rdstypes.DBSubnetGroup{DBSubnetGroupName: aws.String("db-subnets")},
		VpcSecurityGroups: []rdstypes.VpcSecurityGroupMembership{
			{VpcSecurityGroupId: aws.String("sg-2"), Status: aws.String("active")},
			{VpcSecurityGroupId: aws.String("sg-1"), Status: aws.String("active")},
		},
		TagList: clients.RDSTags(stratusTags(map[string]string{"team": "platform"})),
	}
	for _, m := range mods {
		m(db)
	}
	return db
}

// newInstance returns a DBInstance resource in sync with instance, with its
// external name set as the default initializer sets it and the hash of
// password recorded.
func newInstance(mods ...func(*v1beta1.DBInstance)) *v1beta1.DBInstance {
	cr := &v1beta1.DBInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), ResourceVersion: "1"},
		Spec: v1beta1.DBInstanceSpec{ForProvider: v1beta1.DBInstanceParameters{
			Region:           aws.String(region),
			Engine:           aws.String("postgres"),
			EngineVersion:    aws.String("16.3"),
			DBInstanceClass:  aws.String("db.t3.micro"),
			AllocatedStorage: aws.Int32(20),
			StorageType:      aws.String("gp3"),
			DBName:           aws.String("orders"),
			MasterUsername:   aws.String("app"),
			MasterUserPasswordSecretRef: &xpv2.SecretKeySelector{
				SecretReference: xpv2.SecretReference{Namespace: namespace, Name: secret},
				Key:             "password",
			},
			Port:                  aws.Int32(5432),
			PubliclyAccessible:    aws.Bool(false),
			MultiAZ:               aws.Bool(false),
			BackupRetentionPeriod: aws.Int32(7),
			DeletionProtection:    aws.Bool(false),
			SkipFinalSnapshot:     aws.Bool(true),
			ApplyImmediately:      aws.Bool(true),
			DBSubnetGroupName:     aws.String("db-subnets"),
			VPCSecurityGroupIDs:   []string{"sg-1", "sg-2"},
			Tags:                  map[string]string{"team": "platform"},
		}},
	}
	meta.SetExternalName(cr, name)
	meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: passwordHash(cr, password)})
	for _, m := range mods {
		m(cr)
	}
	return cr
}

// observed sets the status Observe reports for instance.
func observed(cr *v1beta1.DBInstance) {
	cr.Status.AtProvider = v1beta1.DBInstanceObservation{
		Status:              "available",
		Address:             address,
		Port:                5432,
		ARN:                 arn,
		ResourceID:          "db-ABCDEFGHIJKLMNOP",
		EngineVersionActual: "16.3",
		DBInstanceClass:     "db.t3.micro",
		AllocatedStorage:    20,
		AvailabilityZone:    "us-east-1a",
		DBSubnetGroupName:   "db-subnets",
		VPCSecurityGroupIDs: []string{"sg-2", "sg-1"},
	}
	cr.SetConditions(xpv2.Available())
}

// details are the connection details of instance; the password only when
// pw is not empty.
func details(pw string) managed.ConnectionDetails {
	cd := managed.ConnectionDetails{
		"endpoint": []byte(address),
		"address":  []byte(address),
		"port":     []byte("5432"),
		"username": []byte("app"),
	}
	if pw != "" {
		cd["password"] = []byte(pw)
	}
	return cd
}

// A fakeConfigurer returns cfg or err.
type fakeConfigurer struct {
	cfg    aws.Config
	err    error
	region string
}

func (f *fakeConfigurer) Config(_ context.Context, _ resource.LegacyManaged, region string) (aws.Config, error) { //nolint:staticcheck // The configurer interface takes LegacyManaged.
	f.region = region
	return f.cfg, f.err
}

func TestConnect(t *testing.T) {
	cases := map[string]struct {
		reason string
		config *fakeConfigurer
		want   error
	}{
		"Success": {
			reason: "The client is for the spec's region.",
			config: &fakeConfigurer{cfg: aws.Config{Region: region}},
		},
		"ConfigError": {
			reason: "An error building the AWS configuration is returned.",
			config: &fakeConfigurer{err: errBoom},
			want:   errBoom,
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api, kube := &fakeAPI{}, newKube(nil)
			c := &connector{config: tc.config, newAPI: func(aws.Config) API { return api }, kube: kube}
			got, err := c.Connect(context.Background(), newInstance())
			if diff := cmp.Diff(tc.want, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s\nConnect(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.config.region != region {
				t.Errorf("%s\nConnect(...): asked for region %q, want %q", tc.reason, tc.config.region, region)
			}
			if e, ok := got.(*external); err == nil && (!ok || e.api != api || e.region != region || e.kube != kube || e.newPassword == nil) {
				t.Errorf("%s\nConnect(...): got %#v, want a client of the API for region %s", tc.reason, got, region)
			}
		})
	}
}

func TestObserve(t *testing.T) {
	withStatus := func(s string) func(*rdstypes.DBInstance) {
		return func(db *rdstypes.DBInstance) { db.DBInstanceStatus = aws.String(s) }
	}
	type want struct {
		cr  *v1beta1.DBInstance
		o   managed.ExternalObservation
		err error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		kube   *fakeKube
		cr     *v1beta1.DBInstance
		want   want
	}{
		"NoExternalName": {
			reason: "A resource without an external name has no instance to find.",
			api:    &fakeAPI{},
			cr:     newInstance(func(cr *v1beta1.DBInstance) { meta.SetExternalName(cr, "") }),
			want:   want{cr: newInstance(func(cr *v1beta1.DBInstance) { meta.SetExternalName(cr, "") })},
		},
		"NotFound": {
			reason: "An instance AWS does not know does not exist.",
			api:    found(nil),
			cr:     newInstance(),
			want:   want{cr: newInstance()},
		},
		"DescribeError": {
			reason: "An error describing the instance is returned with context.",
			api:    &fakeAPI{describe: func(*rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error) { return nil, errBoom }},
			cr:     newInstance(),
			want:   want{cr: newInstance(), err: clients.Wrap(errBoom, "cannot describe DB instance")},
		},
		"UpToDate": {
			reason: "An available instance that matches the spec (security groups in any order) and has the recorded password is up to date, Available, and publishes its connection details.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"SecretError": {
			reason: "An error reading the password Secret is returned with context.",
			api:    found(instance()),
			kube: func() *fakeKube {
				k := newKube(nil)
				k.MockGet = test.NewMockGetFn(errors.New("boom"))
				return k
			}(),
			cr: newInstance(),
			want: want{
				cr:  newInstance(observed),
				err: errors.Wrap(errors.New("boom"), "cannot get master password Secret team-a/orders-db-password"),
			},
		},
		"LateInitialized": {
			reason: "Fields the spec leaves unset are filled from AWS, and are then up to date.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": password}),
			cr: newInstance(func(cr *v1beta1.DBInstance) {
				ref := cr.Spec.ForProvider.MasterUserPasswordSecretRef
				cr.Spec.ForProvider = v1beta1.DBInstanceParameters{MasterUserPasswordSecretRef: ref, Tags: map[string]string{"team": "platform"}}
			}),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Spec.ForProvider.SkipFinalSnapshot = nil
					cr.Spec.ForProvider.ApplyImmediately = nil
					cr.Spec.ForProvider.VPCSecurityGroupIDs = []string{"sg-2", "sg-1"}
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: details(password)},
			},
		},
		"ObserveOnly": {
			reason: "An observe-only import is not late-initialized, and without a password Secret publishes no password.",
			api:    found(instance()),
			cr: newInstance(func(cr *v1beta1.DBInstance) {
				cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
				cr.Spec.ForProvider = v1beta1.DBInstanceParameters{}
			}),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
					cr.Spec.ForProvider = v1beta1.DBInstanceParameters{}
				}),
				// Without the Stratus tags it differs, but only an update,
				// which the policy forbids, would add them.
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details("")},
			},
		},
		"FieldDiffers": {
			reason: "An instance whose storage differs from the spec needs an update.",
			api:    found(instance(func(db *rdstypes.DBInstance) { db.AllocatedStorage = aws.Int32(10) })),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) { cr.Status.AtProvider.AllocatedStorage = 10 }),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details(password)},
			},
		},
		"PendingModification": {
			reason: "A modification AWS accepted but has not applied yet is not requested again.",
			api: found(instance(func(db *rdstypes.DBInstance) {
				db.AllocatedStorage = aws.Int32(10)
				db.PendingModifiedValues = &rdstypes.PendingModifiedValues{AllocatedStorage: aws.Int32(20)}
			})),
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Status.AtProvider.AllocatedStorage = 10
					cr.Status.AtProvider.PendingModifiedValues = "allocatedStorage=20"
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"MinorVersionUpgraded": {
			reason: "A spec that names a major version matches any minor version of it.",
			api:    found(instance(func(db *rdstypes.DBInstance) { db.EngineVersion = aws.String("16.4") })),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.EngineVersion = aws.String("16") }),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Spec.ForProvider.EngineVersion = aws.String("16")
					cr.Status.AtProvider.EngineVersionActual = "16.4"
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"TagsDiffer": {
			reason: "An instance whose tags differ from the spec needs an update.",
			api: found(instance(func(db *rdstypes.DBInstance) {
				db.TagList = clients.RDSTags(stratusTags(map[string]string{"team": "data"}))
			})),
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(),
			want: want{
				cr: newInstance(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details(password)},
			},
		},
		"PasswordChanged": {
			reason: "A password Secret whose password the instance does not have needs an update, and the new password is not published yet.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": "a-new-password-2"}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details("")},
			},
		},
		"PasswordToGenerate": {
			reason: "A missing password that autoGeneratePassword would generate needs an update.",
			api:    found(instance()),
			kube:   newKube(nil),
			cr:     newInstance(func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true) }),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true) }),
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: details("")},
			},
		},
		"PasswordInInitProvider": {
			reason: "A password Secret in initProvider is published but not kept in sync.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": password}),
			cr: newInstance(func(cr *v1beta1.DBInstance) {
				cr.Spec.InitProvider = &v1beta1.DBInstanceParameters{MasterUserPasswordSecretRef: cr.Spec.ForProvider.MasterUserPasswordSecretRef}
				cr.Spec.ForProvider.MasterUserPasswordSecretRef = nil
			}),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Spec.InitProvider = &v1beta1.DBInstanceParameters{MasterUserPasswordSecretRef: cr.Spec.ForProvider.MasterUserPasswordSecretRef}
					cr.Spec.ForProvider.MasterUserPasswordSecretRef = nil
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"Creating": {
			reason: "An instance being created is Creating and has no endpoint to publish yet.",
			api:    found(instance(withStatus("creating"), func(db *rdstypes.DBInstance) { db.Endpoint = nil })),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Status.AtProvider.Status = "creating"
					cr.Status.AtProvider.Address, cr.Status.AtProvider.Port = "", 0
					cr.SetConditions(xpv2.Creating())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"BackingUp": {
			reason: "An instance that is backing up still serves, so it stays Available.",
			api:    found(instance(withStatus("backing-up"))),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) { cr.Status.AtProvider.Status = "backing-up" }),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"Stopped": {
			reason: "A stopped instance is Unavailable, and says why.",
			api:    found(instance(withStatus("stopped"))),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Status.AtProvider.Status = "stopped"
					cr.SetConditions(xpv2.Unavailable().WithMessage("DB instance status is stopped"))
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
		"Deleting": {
			reason: "An instance being deleted is Deleting.",
			api:    found(instance(withStatus("deleting"))),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(observed, func(cr *v1beta1.DBInstance) {
					cr.Status.AtProvider.Status = "deleting"
					cr.SetConditions(xpv2.Deleting())
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details(password)},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if tc.kube == nil {
				tc.kube = newKube(nil)
			}
			e := &external{api: tc.api, kube: tc.kube, region: region, newPassword: func() (string, error) { return generated, nil }}
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
			if len(tc.api.calls) != 0 || len(tc.kube.writes) != 0 {
				t.Errorf("%s\nObserve(...) wrote: AWS %v, API server %v", tc.reason, tc.api.calls, tc.kube.writes)
			}
		})
	}
}

// created is the CreateDBInstance input for newInstance with password pw.
func created(pw string) *rds.CreateDBInstanceInput {
	return &rds.CreateDBInstanceInput{
		DBInstanceIdentifier:  aws.String(name),
		Engine:                aws.String("postgres"),
		EngineVersion:         aws.String("16.3"),
		DBInstanceClass:       aws.String("db.t3.micro"),
		AllocatedStorage:      aws.Int32(20),
		StorageType:           aws.String("gp3"),
		DBName:                aws.String("orders"),
		MasterUsername:        aws.String("app"),
		MasterUserPassword:    aws.String(pw),
		Port:                  aws.Int32(5432),
		PubliclyAccessible:    aws.Bool(false),
		MultiAZ:               aws.Bool(false),
		BackupRetentionPeriod: aws.Int32(7),
		DeletionProtection:    aws.Bool(false),
		DBSubnetGroupName:     aws.String("db-subnets"),
		VpcSecurityGroupIds:   []string{"sg-1", "sg-2"},
		Tags:                  clients.RDSTags(stratusTags(map[string]string{"team": "platform"})),
	}
}

func TestCreate(t *testing.T) {
	unrecorded := func(cr *v1beta1.DBInstance) {
		meta.RemoveAnnotations(cr, AnnotationPasswordHash)
	}
	autoGenerate := func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true) }
	type want struct {
		cr     *v1beta1.DBInstance
		calls  []any
		writes []string
		err    error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		kube   *fakeKube
		cr     *v1beta1.DBInstance
		want   want
	}{
		"Success": {
			reason: "The instance is created with the external name, the spec's fields, the password from its Secret and the Stratus tags; the password's hash is recorded.",
			api:    &fakeAPI{},
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(unrecorded),
			want: want{
				cr:    newInstance(),
				calls: []any{created(password)},
			},
		},
		"InitProvider": {
			reason: "Fields set only in initProvider are used to create the instance.",
			api:    &fakeAPI{},
			kube:   newKube(map[string]string{"password": password}),
			cr: newInstance(unrecorded, func(cr *v1beta1.DBInstance) {
				cr.Spec.InitProvider = &v1beta1.DBInstanceParameters{AllocatedStorage: aws.Int32(100)}
				cr.Spec.ForProvider.AllocatedStorage = nil
			}),
			want: want{
				cr: newInstance(func(cr *v1beta1.DBInstance) {
					cr.Spec.InitProvider = &v1beta1.DBInstanceParameters{AllocatedStorage: aws.Int32(100)}
					cr.Spec.ForProvider.AllocatedStorage = nil
				}),
				calls: []any{func() *rds.CreateDBInstanceInput {
					in := created(password)
					in.AllocatedStorage = aws.Int32(100)
					return in
				}()},
			},
		},
		"GenerateIntoNewSecret": {
			reason: "With autoGeneratePassword and no Secret, a password is generated, written to a new Secret the instance controls, and used.",
			api:    &fakeAPI{},
			kube:   newKube(nil),
			cr:     newInstance(unrecorded, autoGenerate),
			want: want{
				cr: newInstance(autoGenerate, func(cr *v1beta1.DBInstance) {
					meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: passwordHash(cr, generated)})
				}),
				calls:  []any{created(generated)},
				writes: []string{"create Secret team-a/orders-db-password password=" + generated + " controller=DBInstance/" + uid},
			},
		},
		"GenerateIntoExistingSecret": {
			reason: "With autoGeneratePassword and a Secret without the key, a password is generated and added to the Secret, which gets no controller.",
			api:    &fakeAPI{},
			kube:   newKube(map[string]string{"other": "kept"}),
			cr:     newInstance(unrecorded, autoGenerate),
			want: want{
				cr: newInstance(autoGenerate, func(cr *v1beta1.DBInstance) {
					meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: passwordHash(cr, generated)})
				}),
				calls:  []any{created(generated)},
				writes: []string{"update Secret team-a/orders-db-password password=" + generated},
			},
		},
		"KeepExistingPassword": {
			reason: "With autoGeneratePassword and a password in the Secret, that password is used.",
			api:    &fakeAPI{},
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(unrecorded, autoGenerate),
			want: want{
				cr:    newInstance(autoGenerate),
				calls: []any{created(password)},
			},
		},
		"NoSecret": {
			reason: "Without autoGeneratePassword a missing Secret is an error, and nothing is created.",
			api:    &fakeAPI{},
			kube:   newKube(nil),
			cr:     newInstance(unrecorded),
			want: want{
				cr:  newInstance(unrecorded),
				err: errors.New("master password Secret team-a/orders-db-password does not exist (set autoGeneratePassword to generate one)"),
			},
		},
		"NoKey": {
			reason: "Without autoGeneratePassword a Secret without the key is an error, and nothing is created.",
			api:    &fakeAPI{},
			kube:   newKube(map[string]string{"other": "x"}),
			cr:     newInstance(unrecorded),
			want: want{
				cr:  newInstance(unrecorded),
				err: errors.New(`master password Secret team-a/orders-db-password has no key "password" (set autoGeneratePassword to generate one)`),
			},
		},
		"NoSecretRef": {
			reason: "A spec without a password Secret cannot create an instance.",
			api:    &fakeAPI{},
			kube:   newKube(nil),
			cr:     newInstance(unrecorded, func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.MasterUserPasswordSecretRef = nil }),
			want: want{
				cr:  newInstance(unrecorded, func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.MasterUserPasswordSecretRef = nil }),
				err: errors.New("cannot create DB instance: spec.forProvider.masterUserPasswordSecretRef is required"),
			},
		},
		"Error": {
			reason: "An error creating the instance is returned with context, and no password hash is recorded.",
			api: &fakeAPI{create: func(*rds.CreateDBInstanceInput) (*rds.CreateDBInstanceOutput, error) {
				return nil, &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "Invalid DB instance class"}
			}},
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(unrecorded),
			want: want{
				cr:    newInstance(unrecorded),
				calls: []any{created(password)},
				err:   clients.Wrap(&smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "Invalid DB instance class"}, "cannot create DB instance"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, kube: tc.kube, region: region, newPassword: func() (string, error) { return generated, nil }}
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nCreate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, tc.kube.writes); diff != "" {
				t.Errorf("%s\nCreate(...): -want API server writes, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr); diff != "" {
				t.Errorf("%s\nCreate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	modified := func(mod func(*rds.ModifyDBInstanceInput)) *rds.ModifyDBInstanceInput {
		in := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(name), ApplyImmediately: aws.Bool(true)}
		mod(in)
		return in
	}
	type want struct {
		cr     *v1beta1.DBInstance
		calls  []any
		writes []string
		err    error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		kube   *fakeKube
		cr     *v1beta1.DBInstance
		want   want
	}{
		"UpToDate": {
			reason: "An instance in sync with the spec gets no mutating call.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want:   want{cr: newInstance()},
		},
		"NotFound": {
			reason: "An instance that vanished is left for the next observe.",
			api:    found(nil),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(),
			want:   want{cr: newInstance()},
		},
		"ChangedFields": {
			reason: "Exactly the fields that differ are modified, with applyImmediately from the spec.",
			api: found(instance(func(db *rdstypes.DBInstance) {
				db.AllocatedStorage = aws.Int32(10)
				db.DBInstanceClass = aws.String("db.t3.small")
				db.MultiAZ = aws.Bool(true)
				db.VpcSecurityGroups = db.VpcSecurityGroups[:1]
				db.DBSubnetGroup.DBSubnetGroupName = aws.String("DB-Subnets")
			})),
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(),
			want: want{
				cr: newInstance(),
				calls: []any{modified(func(in *rds.ModifyDBInstanceInput) {
					in.AllocatedStorage = aws.Int32(20)
					in.DBInstanceClass = aws.String("db.t3.micro")
					in.MultiAZ = aws.Bool(false)
					in.VpcSecurityGroupIds = []string{"sg-1", "sg-2"}
				})},
			},
		},
		"EngineVersion": {
			reason: "A new engine version is requested with permission for a major upgrade.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": password}),
			cr:     newInstance(func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.EngineVersion = aws.String("17.2") }),
			want: want{
				cr: newInstance(func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.EngineVersion = aws.String("17.2") }),
				calls: []any{modified(func(in *rds.ModifyDBInstanceInput) {
					in.EngineVersion = aws.String("17.2")
					in.AllowMajorVersionUpgrade = aws.Bool(true)
				})},
			},
		},
		"NotAvailable": {
			reason: "An instance that is not available gets its tags but no modification until it is.",
			api: found(instance(func(db *rdstypes.DBInstance) {
				db.DBInstanceStatus = aws.String("backing-up")
				db.AllocatedStorage = aws.Int32(10)
				db.TagList = nil
			})),
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(),
			want: want{
				cr: newInstance(),
				calls: []any{&rds.AddTagsToResourceInput{
					ResourceName: aws.String(arn),
					Tags:         clients.RDSTags(stratusTags(map[string]string{"team": "platform"})),
				}},
			},
		},
		"Tags": {
			reason: "Changed tags are set and removed tags are removed, by ARN.",
			api: found(instance(func(db *rdstypes.DBInstance) {
				db.TagList = clients.RDSTags(stratusTags(map[string]string{"team": "data", "old": "yes"}))
			})),
			kube: newKube(map[string]string{"password": password}),
			cr:   newInstance(),
			want: want{
				cr: newInstance(),
				calls: []any{
					&rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: clients.RDSTags(map[string]string{"team": "platform"})},
					&rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"old"}},
				},
			},
		},
		"Password": {
			reason: "A new password in the Secret is set on the instance and its hash recorded.",
			api:    found(instance()),
			kube:   newKube(map[string]string{"password": "a-new-password-2"}),
			cr:     newInstance(),
			want: want{
				cr: newInstance(func(cr *v1beta1.DBInstance) {
					meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: passwordHash(cr, "a-new-password-2")})
					cr.SetResourceVersion("2")
				}),
				calls: []any{modified(func(in *rds.ModifyDBInstanceInput) {
					in.MasterUserPassword = aws.String("a-new-password-2")
				})},
				writes: []string{"patch DBInstance orders-db hash=" + passwordHash(newInstance(), "a-new-password-2")},
			},
		},
		"GeneratePassword": {
			reason: "With autoGeneratePassword and the Secret gone, a new password is generated, stored and set.",
			api:    found(instance()),
			kube:   newKube(nil),
			cr:     newInstance(func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true) }),
			want: want{
				cr: newInstance(func(cr *v1beta1.DBInstance) {
					cr.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
					meta.AddAnnotations(cr, map[string]string{AnnotationPasswordHash: passwordHash(cr, generated)})
					cr.SetResourceVersion("2")
				}),
				calls: []any{modified(func(in *rds.ModifyDBInstanceInput) { in.MasterUserPassword = aws.String(generated) })},
				writes: []string{
					"create Secret team-a/orders-db-password password=" + generated + " controller=DBInstance/" + uid,
					"patch DBInstance orders-db hash=" + passwordHash(newInstance(), generated),
				},
			},
		},
		"PasswordError": {
			reason: "A password Secret that cannot be read stops the update before any modification.",
			api:    found(instance(func(db *rdstypes.DBInstance) { db.AllocatedStorage = aws.Int32(10) })),
			kube:   newKube(nil),
			cr:     newInstance(),
			want: want{
				cr:  newInstance(),
				err: errors.New("master password Secret team-a/orders-db-password does not exist (set autoGeneratePassword to generate one)"),
			},
		},
		"ModifyError": {
			reason: "An error modifying the instance is returned with context, and no password hash is recorded.",
			api: func() *fakeAPI {
				f := found(instance())
				f.modify = func(*rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) { return nil, errBoom }
				return f
			}(),
			kube: newKube(map[string]string{"password": "a-new-password-2"}),
			cr:   newInstance(),
			want: want{
				cr:    newInstance(),
				calls: []any{modified(func(in *rds.ModifyDBInstanceInput) { in.MasterUserPassword = aws.String("a-new-password-2") })},
				err:   clients.Wrap(errBoom, "cannot modify DB instance"),
			},
		},
		"RecordError": {
			reason: "An error recording the new password's hash is returned; the next update sets the password again.",
			api:    found(instance()),
			kube: func() *fakeKube {
				k := newKube(map[string]string{"password": "a-new-password-2"})
				k.MockPatch = test.NewMockPatchFn(errors.New("boom"))
				return k
			}(),
			cr: newInstance(),
			want: want{
				cr:    newInstance(),
				calls: []any{modified(func(in *rds.ModifyDBInstanceInput) { in.MasterUserPassword = aws.String("a-new-password-2") })},
				err:   errors.Wrap(errors.New("boom"), "cannot record the hash of the master password"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, kube: tc.kube, region: region, newPassword: func() (string, error) { return generated, nil }}
			_, err := e.Update(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nUpdate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.writes, tc.kube.writes); diff != "" {
				t.Errorf("%s\nUpdate(...): -want API server writes, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr); diff != "" {
				t.Errorf("%s\nUpdate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	deleted := &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(name), SkipFinalSnapshot: aws.Bool(true)}
	type want struct {
		calls []any
		err   error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.DBInstance
		want   want
	}{
		"SkipFinalSnapshot": {
			reason: "With skipFinalSnapshot the instance is deleted without a snapshot, and the snapshot name is not sent.",
			api:    &fakeAPI{},
			cr:     newInstance(func(cr *v1beta1.DBInstance) { cr.Spec.ForProvider.FinalDBSnapshotIdentifier = aws.String("ignored") }),
			want:   want{calls: []any{deleted}},
		},
		"FinalSnapshot": {
			reason: "Without skipFinalSnapshot the instance is deleted with a final snapshot of the given name.",
			api:    &fakeAPI{},
			cr: newInstance(func(cr *v1beta1.DBInstance) {
				cr.Spec.ForProvider.SkipFinalSnapshot = nil
				cr.Spec.ForProvider.FinalDBSnapshotIdentifier = aws.String("orders-final")
			}),
			want: want{calls: []any{&rds.DeleteDBInstanceInput{
				DBInstanceIdentifier:      aws.String(name),
				SkipFinalSnapshot:         aws.Bool(false),
				FinalDBSnapshotIdentifier: aws.String("orders-final"),
			}}},
		},
		"AlreadyDeleting": {
			reason: "An instance Observe saw being deleted is not deleted again.",
			api:    &fakeAPI{},
			cr:     newInstance(func(cr *v1beta1.DBInstance) { cr.Status.AtProvider.Status = "deleting" }),
		},
		"NotFound": {
			reason: "An instance that is gone already is deleted.",
			api: &fakeAPI{deleteFn: func(*rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error) {
				return nil, errNotFound
			}},
			cr:   newInstance(),
			want: want{calls: []any{deleted}},
		},
		"BeingDeleted": {
			reason: "An instance whose deletion started since Observe is deleted.",
			api: &fakeAPI{deleteFn: func(*rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error) {
				return nil, &rdstypes.InvalidDBInstanceStateFault{Message: aws.String("Instance orders-db is already being deleted.")}
			}},
			cr:   newInstance(),
			want: want{calls: []any{deleted}},
		},
		"Error": {
			reason: "An error deleting the instance, e.g. deletion protection, is returned with context.",
			api: &fakeAPI{deleteFn: func(*rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error) {
				return nil, &smithy.GenericAPIError{Code: "InvalidParameterCombination", Message: "Cannot delete protected DB Instance"}
			}},
			cr: newInstance(),
			want: want{
				calls: []any{deleted},
				err:   clients.Wrap(&smithy.GenericAPIError{Code: "InvalidParameterCombination", Message: "Cannot delete protected DB Instance"}, "cannot delete DB instance"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, kube: newKube(nil), region: region}
			_, err := e.Delete(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(xpv2.Deleting(), tc.cr.GetCondition(xpv2.TypeReady), test.EquateConditions()); diff != "" {
				t.Errorf("%s\nDelete(...): -want Ready, +got Ready:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestVersionMatches(t *testing.T) {
	cases := map[string]struct {
		desired, observed string
		want              bool
	}{
		"Same":               {desired: "16.3", observed: "16.3", want: true},
		"Major":              {desired: "16", observed: "16.4", want: true},
		"MajorMinor":         {desired: "8.0", observed: "8.0.36", want: true},
		"LaterMinor":         {desired: "16.3", observed: "16.4", want: true},
		"LaterPatch":         {desired: "8.0.35", observed: "8.0.36", want: true},
		"EarlierMinor":       {desired: "16.4", observed: "16.3", want: false},
		"OtherMajor":         {desired: "17", observed: "16.4", want: false},
		"OtherSeries":        {desired: "8.0.35", observed: "8.4.3", want: false},
		"NotAPrefix":         {desired: "1", observed: "16.4", want: false},
		"NotNumeric":         {desired: "8.0.mysql_aurora.3.04.0", observed: "8.0.mysql_aurora.3.05.2", want: false},
		"DifferentLengths":   {desired: "16.3", observed: "16.3.1", want: true},
		"ShorterObservation": {desired: "8.0.35", observed: "8.0", want: false},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if got := versionMatches(tc.desired, tc.observed); got != tc.want {
				t.Errorf("versionMatches(%q, %q) = %t, want %t", tc.desired, tc.observed, got, tc.want)
			}
		})
	}
}
