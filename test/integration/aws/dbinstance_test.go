package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	rdsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/controller/rds/dbinstance"
	"github.com/stratus-dev/stratus/test/harness"
)

// newDBInstance returns a PostgreSQL DB instance managed resource whose
// master password is in the key password of the Secret <name>-password and
// whose connection details go to the Secret <name>-conn, both in the
// test's namespace.
func (f *fixture) newDBInstance(name string) *rdsv1beta1.DBInstance {
	return &rdsv1beta1.DBInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: rdsv1beta1.DBInstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: name + "-conn"},
			},
			ForProvider: rdsv1beta1.DBInstanceParameters{
				Engine:           aws.String("postgres"),
				DBInstanceClass:  aws.String("db.t3.micro"),
				AllocatedStorage: aws.Int32(20),
				MasterUsername:   aws.String("stratus"),
				MasterUserPasswordSecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: name + "-password"},
					Key:             "password",
				},
				SkipFinalSnapshot: aws.Bool(true),
				ApplyImmediately:  aws.Bool(true),
			},
		},
	}
}

// dbInstance returns the DB instance id from moto.
func (f *fixture) dbInstance(ctx context.Context, id string) (*rdstypes.DBInstance, error) {
	out, err := f.RDS().DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		return nil, err
	}
	if len(out.DBInstances) != 1 {
		return nil, fmt.Errorf("%d DB instances with identifier %s, want 1", len(out.DBInstances), id)
	}
	return &out.DBInstances[0], nil
}

// dbInstanceIDs returns the identifiers of every DB instance in moto.
func (f *fixture) dbInstanceIDs(t *testing.T) []string {
	t.Helper()
	out, err := f.RDS().DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(out.DBInstances))
	for _, db := range out.DBInstances {
		ids = append(ids, aws.ToString(db.DBInstanceIdentifier))
	}
	return ids
}

// wantNoDBInstance fails the test unless moto has no DB instance id.
func (f *fixture) wantNoDBInstance(t *testing.T, id string) {
	t.Helper()
	_, err := f.dbInstance(context.Background(), id)
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) {
		t.Errorf("DB instance %s: got error %v, want it not found in moto", id, err)
	}
}

// secretData returns the data of the Secret name in the test's namespace.
func (f *fixture) secretData(t *testing.T, name string) map[string][]byte {
	t.Helper()
	s := &corev1.Secret{}
	if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
		t.Fatalf("cannot get Secret %s: %v", name, err)
	}
	return s.Data
}

// wantNoSecret fails the test if the Secret name is in the test's namespace.
// The provider deletes the Secrets a managed resource controls before it
// removes the resource's finalizer, so they are gone once it is.
func (f *fixture) wantNoSecret(t *testing.T, name string) {
	t.Helper()
	err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, &corev1.Secret{})
	if !kerrors.IsNotFound(err) {
		t.Errorf("Secret %s: got error %v, want it deleted with its managed resource", name, err)
	}
}

// wantControlledBy fails the test unless obj controls the Secret name in
// the test's namespace, so that a garbage collector would delete it too.
func (f *fixture) wantControlledBy(t *testing.T, name string, obj client.Object) {
	t.Helper()
	s := &corev1.Secret{}
	if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, s); err != nil {
		t.Fatalf("cannot get Secret %s: %v", name, err)
	}
	if !metav1.IsControlledBy(s, obj) {
		t.Errorf("Secret %s has controller %+v, want %s", name, metav1.GetControllerOf(s), obj.GetName())
	}
}

// wantConnectionDetails waits until the connection Secret of db holds its
// endpoint, the username newDBInstance sets, and password.
func (f *fixture) wantConnectionDetails(t *testing.T, db *rdsv1beta1.DBInstance, password string) {
	t.Helper()
	ref := db.Spec.WriteConnectionSecretToReference
	eventually(t, "connection details published", func() error {
		s := &corev1.Secret{}
		if err := f.env.Client.Get(context.Background(), client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, s); err != nil {
			return err
		}
		want := map[string]string{
			"endpoint": db.Status.AtProvider.Address,
			"address":  db.Status.AtProvider.Address,
			"port":     "5432",
			"username": "stratus",
			"password": password,
		}
		for k, v := range want {
			if got := string(s.Data[k]); got != v || v == "" {
				// Never print a password, even in a test.
				if k == "password" {
					return fmt.Errorf("connection Secret key password is not the master password")
				}
				return fmt.Errorf("connection Secret key %s = %q, want %q", k, got, v)
			}
		}
		return nil
	})
}

// TestDBInstanceLifecycle creates a DB instance with a generated password,
// checks its connection details, updates it, checks that an up-to-date
// instance costs no mutating call, and deletes it.
func TestDBInstanceLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	db := f.newDBInstance(f.ns + "-db")
	db.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
	db.Spec.ForProvider.Tags = map[string]string{"team": "platform"}
	f.create(t, db)
	f.ready(t, db)

	id := meta.GetExternalName(db)
	if id != db.Name {
		t.Fatalf("external name = %q, want the resource's name %q", id, db.Name)
	}
	at := db.Status.AtProvider
	if at.Status != "available" || at.Address == "" || at.Port != 5432 || at.ARN == "" || at.ResourceID == "" || at.EngineVersionActual == "" || at.AllocatedStorage != 20 {
		t.Errorf("atProvider = %+v, want an available instance with endpoint, ARN, resource ID, engine version and 20 GiB", at)
	}
	// Late initialization records what AWS chose.
	if aws.ToString(db.Spec.ForProvider.EngineVersion) != at.EngineVersionActual || aws.ToString(db.Spec.ForProvider.Region) != region {
		t.Errorf("spec.forProvider not late-initialized: engineVersion %v, region %v", db.Spec.ForProvider.EngineVersion, db.Spec.ForProvider.Region)
	}

	// The generated password is in the password Secret and in the
	// connection details, and nowhere in the resource.
	pw := string(f.secretData(t, db.Name+"-password")["password"])
	if len(pw) != 32 {
		t.Fatalf("generated password has %d characters, want 32", len(pw))
	}
	f.wantConnectionDetails(t, db, pw)
	f.wantControlledBy(t, db.Name+"-password", db)
	f.wantControlledBy(t, db.Name+"-conn", db)
	if h := db.GetAnnotations()[dbinstance.AnnotationPasswordHash]; h == "" || strings.Contains(h, pw) {
		t.Errorf("annotation %s is empty or holds the password", dbinstance.AnnotationPasswordHash)
	}

	// An instance in sync with its spec costs only reads: the password is
	// neither set again nor written again, nor are the connection details.
	time.Sleep(3 * time.Second)
	calls, writes := f.Calls.Snapshot(), f.Writes.Snapshot()
	time.Sleep(5 * time.Second)
	if got := f.Calls.Snapshot(); got["DescribeDBInstances"] <= calls["DescribeDBInstances"] {
		t.Fatal("no DescribeDBInstances in 5 s with a 2 s poll: the instance was not reconciled, so the check proves nothing")
	}
	if got := f.Calls.MutatingSince(calls); len(got) != 0 {
		t.Errorf("mutating AWS calls while nothing changed: %v", got)
	}
	if got := f.Writes.Since(writes); len(got) != 0 {
		t.Errorf("API server writes while nothing changed: %v", got)
	}

	// An update reaches AWS.
	f.updateWithRetry(t, db, func() {
		db.Spec.ForProvider.AllocatedStorage = aws.Int32(30)
		db.Spec.ForProvider.Tags["team"] = "data"
	})
	eventually(t, "allocated storage and tags updated in moto", func() error {
		got, err := f.dbInstance(ctx, id)
		if err != nil {
			return err
		}
		if s := aws.ToInt32(got.AllocatedStorage); s != 30 {
			return fmt.Errorf("allocated storage is %d GiB", s)
		}
		for _, tag := range got.TagList {
			if aws.ToString(tag.Key) == "team" && aws.ToString(tag.Value) == "data" {
				return nil
			}
		}
		return fmt.Errorf("tags are %v", got.TagList)
	})
	// The password did not change, so it was not sent again.
	if got := string(f.secretData(t, db.Name+"-password")["password"]); got != pw {
		t.Error("the generated password changed")
	}

	f.deleteAndWait(t, db)
	f.wantNoDBInstance(t, id)
	// The local control plane has no garbage collector: the provider
	// deletes the Secrets the instance controls.
	f.wantNoSecret(t, db.Name+"-conn")
	f.wantNoSecret(t, db.Name+"-password")
}

// TestDBInstanceSecretPassword creates a DB instance with a password from a
// Secret the user wrote, then changes the password in the Secret.
func TestDBInstanceSecretPassword(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	db := f.newDBInstance(f.ns + "-db")
	pwSecret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: db.Name + "-password"},
		StringData: map[string]string{"password": "first-Password-1"},
	}
	if err := f.env.Client.Create(ctx, pwSecret); err != nil {
		t.Fatal(err)
	}
	f.create(t, db)
	f.ready(t, db)
	f.wantConnectionDetails(t, db, "first-Password-1")
	hash := db.GetAnnotations()[dbinstance.AnnotationPasswordHash]

	// A new password in the Secret is set on the instance and published.
	before := f.Calls.Snapshot()
	pwSecret.StringData = map[string]string{"password": "second-Password-2"}
	if err := f.env.Client.Update(ctx, pwSecret); err != nil {
		t.Fatal(err)
	}
	f.env.WaitFor(t, db, timeout, func(client.Object) (bool, string) {
		if h := db.GetAnnotations()[dbinstance.AnnotationPasswordHash]; h == hash {
			return false, "the recorded password hash did not change"
		}
		return true, ""
	})
	f.wantConnectionDetails(t, db, "second-Password-2")
	if got := f.Calls.MutatingSince(before); got["ModifyDBInstance"] != 1 {
		t.Errorf("mutating calls for the password change = %v, want one ModifyDBInstance", got)
	}

	// Deleting the instance deletes its connection Secret, but never the
	// password Secret the user wrote.
	f.deleteAndWait(t, db)
	f.wantNoSecret(t, db.Name+"-conn")
	if got := string(f.secretData(t, db.Name+"-password")["password"]); got != "second-Password-2" {
		t.Error("the user's password Secret changed when its DB instance was deleted")
	}
}

// TestDBInstanceDeletionPolicyOrphan deletes a managed resource whose
// deletion policy is Orphan: the DB instance it created stays.
func TestDBInstanceDeletionPolicyOrphan(t *testing.T) {
	f := setUp(t)
	db := f.newDBInstance(f.ns + "-orphan")
	db.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
	db.Spec.DeletionPolicy = xpv2.DeletionOrphan
	f.create(t, db)
	f.ready(t, db)

	f.deleteAndWait(t, db)
	if _, err := f.dbInstance(context.Background(), db.Name); err != nil {
		t.Errorf("DB instance of a managed resource whose deletion policy is Orphan: %v", err)
	}
}

// TestDBInstanceObserveOnlyImport imports a DB instance that Stratus did not
// create with an observe-only managed resource: it reports the instance
// without changing it, and deleting the resource leaves the instance.
func TestDBInstanceObserveOnlyImport(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	id := f.ns + "-legacy"
	if _, err := f.RDS().CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id),
		Engine:               aws.String("mysql"),
		DBInstanceClass:      aws.String("db.t3.small"),
		AllocatedStorage:     aws.Int32(50),
		MasterUsername:       aws.String("admin"),
		MasterUserPassword:   aws.String("not-ours-123"),
		Tags:                 []rdstypes.Tag{{Key: aws.String("owner"), Value: aws.String("another-team")}},
	}); err != nil {
		t.Fatal(err)
	}

	db := &rdsv1beta1.DBInstance{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-imported", Annotations: map[string]string{meta.AnnotationKeyExternalName: id}},
		Spec: rdsv1beta1.DBInstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			// Nothing to create, so nothing is required.
			ForProvider: rdsv1beta1.DBInstanceParameters{},
		},
	}
	before := f.Calls.Snapshot()
	f.create(t, db)
	f.ready(t, db)
	at := db.Status.AtProvider
	if at.Status != "available" || at.Address == "" || at.Port != 3306 || at.DBInstanceClass != "db.t3.small" || at.AllocatedStorage != 50 || at.EngineVersionActual == "" || at.ARN == "" {
		t.Errorf("atProvider = %+v, want the imported MySQL instance", at)
	}
	if db.Spec.ForProvider.Engine != nil || db.Spec.ForProvider.Tags != nil {
		t.Errorf("spec.forProvider = %+v, want it untouched by an observe-only import", db.Spec.ForProvider)
	}
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an observe-only import made mutating calls: %v", got)
	}

	f.deleteAndWait(t, db)
	if _, err := f.dbInstance(ctx, id); err != nil {
		t.Errorf("DB instance deleted with an observe-only managed resource: %v", err)
	}
}

// TestDBInstanceCreateInterrupted simulates a provider that stopped after
// AWS accepted a create but before the create was recorded: the next
// reconcile must adopt the instance (found by its identifier, the
// resource's name), not create a second one.
func TestDBInstanceCreateInterrupted(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	db := f.newDBInstance(f.ns + "-db")
	db.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
	// Nothing reconciles it yet.
	db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	f.create(t, db)
	// The state a crash leaves: the create is pending and AWS has the
	// instance.
	if _, err := f.RDS().CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(db.Name),
		Engine:               aws.String("postgres"),
		DBInstanceClass:      aws.String("db.t3.micro"),
		AllocatedStorage:     aws.Int32(20),
		MasterUsername:       aws.String("stratus"),
		MasterUserPassword:   aws.String("lost-in-the-crash-1"),
	}); err != nil {
		t.Fatal(err)
	}
	f.updateWithRetry(t, db, func() {
		meta.SetExternalCreatePending(db, time.Now())
		db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	})
	f.ready(t, db)
	if got := f.dbInstanceIDs(t); len(got) != 1 || got[0] != db.Name {
		t.Fatalf("DB instances in moto = %v, want exactly %s", got, db.Name)
	}
	// The adopted instance gets a password Stratus knows, and its tags.
	pw := string(f.secretData(t, db.Name+"-password")["password"])
	f.wantConnectionDetails(t, db, pw)
	eventually(t, "adopted instance tagged", func() error {
		got, err := f.dbInstance(ctx, db.Name)
		if err != nil {
			return err
		}
		for _, tag := range got.TagList {
			if aws.ToString(tag.Key) == "stratus.dev/uid" && aws.ToString(tag.Value) == string(db.GetUID()) {
				return nil
			}
		}
		return fmt.Errorf("tags are %v", got.TagList)
	})
}

// TestDBInstanceInvalid creates a DB instance whose identifier AWS rejects
// (Kubernetes allows two hyphens in a row, RDS does not): the resource
// reports AWS's message, and never the password.
func TestDBInstanceInvalid(t *testing.T) {
	f := setUp(t)
	db := f.newDBInstance(f.ns + "--db")
	db.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
	f.create(t, db)
	f.env.WaitFor(t, db, timeout, func(client.Object) (bool, string) {
		c := db.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "InvalidParameterValue") || !strings.Contains(c.Message, "DBInstanceIdentifier is not a valid identifier") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	if c := db.GetCondition(xpv2.TypeReady); c.Status == corev1.ConditionTrue {
		t.Errorf("Ready = True for a DB instance AWS rejected")
	}
	pw := string(f.secretData(t, db.Name+"-password")["password"])
	for _, c := range db.Status.Conditions {
		if pw == "" || strings.Contains(c.Message, pw) {
			t.Errorf("condition %s holds the master password (or no password was generated)", c.Type)
		}
	}
	if got := f.dbInstanceIDs(t); len(got) != 0 {
		t.Errorf("DB instances in moto = %v, want none", got)
	}
}

// TestDBInstanceReferences creates a DB instance in a DB subnet group of
// two subnets, with a security group, all referenced by name: VPC ←
// Subnets ← DBSubnetGroup ← DBInstance → SecurityGroup → VPC.
func TestDBInstanceReferences(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := f.readyVPC(t, f.ns+"-vpc", "10.40.0.0/16", nil)
	var subnetRefs []xpv2.Reference
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sn := &ec2v1beta1.Subnet{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-subnet-%d", f.ns, i)},
			Spec: ec2v1beta1.SubnetSpec{
				ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
				ForProvider: ec2v1beta1.SubnetParameters{
					VPCIDRef:         &xpv2.Reference{Name: vpc.Name},
					CIDRBlock:        aws.String(fmt.Sprintf("10.40.%d.0/24", i)),
					AvailabilityZone: aws.String(az),
				},
			},
		}
		f.create(t, sn)
		subnetRefs = append(subnetRefs, xpv2.Reference{Name: sn.Name})
	}
	sg := &ec2v1beta1.SecurityGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-sg"},
		Spec: ec2v1beta1.SecurityGroupSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.SecurityGroupParameters{
				VPCIDRef:    &xpv2.Reference{Name: vpc.Name},
				GroupName:   aws.String(f.ns + "-sg"),
				Description: aws.String("databases"),
			},
		},
	}
	f.create(t, sg)
	group := &rdsv1beta1.DBSubnetGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-subnets"},
		Spec: rdsv1beta1.DBSubnetGroupSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: rdsv1beta1.DBSubnetGroupParameters{
				Description:  aws.String("databases"),
				SubnetIDRefs: subnetRefs,
			},
		},
	}
	f.create(t, group)
	db := f.newDBInstance(f.ns + "-db")
	db.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
	db.Spec.ForProvider.DBSubnetGroupNameRef = &xpv2.Reference{Name: group.Name}
	db.Spec.ForProvider.VPCSecurityGroupIDRefs = []xpv2.Reference{{Name: sg.Name}}
	f.create(t, db)

	f.ready(t, group)
	if got := group.Status.AtProvider; got.VPCID != meta.GetExternalName(vpc) || len(got.SubnetIDs) != 2 {
		t.Errorf("DB subnet group atProvider = %+v, want two subnets of VPC %s", got, meta.GetExternalName(vpc))
	}
	f.ready(t, db)
	f.env.WaitFor(t, sg, timeout, harness.HasCondition("Ready", "True"))
	got, err := f.dbInstance(ctx, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.DBSubnetGroup == nil || aws.ToString(got.DBSubnetGroup.DBSubnetGroupName) != group.Name {
		t.Errorf("DB instance's subnet group in moto = %+v, want %s", got.DBSubnetGroup, group.Name)
	}
	sgID := meta.GetExternalName(sg)
	if len(got.VpcSecurityGroups) != 1 || aws.ToString(got.VpcSecurityGroups[0].VpcSecurityGroupId) != sgID {
		t.Errorf("DB instance's security groups in moto = %+v, want %s", got.VpcSecurityGroups, sgID)
	}
	if fp := db.Spec.ForProvider; aws.ToString(fp.DBSubnetGroupName) != group.Name || len(fp.VPCSecurityGroupIDs) != 1 || fp.VPCSecurityGroupIDs[0] != sgID {
		t.Errorf("resolved spec.forProvider: dbSubnetGroupName %v, vpcSecurityGroupIds %v; want %s and [%s]", fp.DBSubnetGroupName, fp.VPCSecurityGroupIDs, group.Name, sgID)
	}
}

// TestDBInstanceSchema checks the rules the API server enforces before the
// provider sees a DB instance.
func TestDBInstanceSchema(t *testing.T) {
	f := setUp(t)
	cases := map[string]struct {
		mutate func(*rdsv1beta1.DBInstance)
		want   string
	}{
		"AutoGenerateWithoutSecret": {
			mutate: func(db *rdsv1beta1.DBInstance) {
				db.Spec.ForProvider.AutoGeneratePassword = aws.Bool(true)
				db.Spec.ForProvider.MasterUserPasswordSecretRef = nil
			},
			want: "autoGeneratePassword requires masterUserPasswordSecretRef",
		},
		"NoEngine": {
			mutate: func(db *rdsv1beta1.DBInstance) { db.Spec.ForProvider.Engine = nil },
			want:   "spec.forProvider.engine is required to create a DB instance",
		},
		"UnknownEngine": {
			mutate: func(db *rdsv1beta1.DBInstance) { db.Spec.ForProvider.Engine = aws.String("oracle-ee") },
			want:   "Unsupported value",
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			db := f.newDBInstance(f.ns + "-" + strings.ToLower(n))
			tc.mutate(db)
			err := f.env.Client.Create(context.Background(), db)
			if err == nil {
				_ = f.env.Client.Delete(context.Background(), db)
				t.Fatalf("the API server accepted the DB instance, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	// An observe-only import needs none of the fields a create needs.
	db := f.newDBInstance(f.ns + "-observe")
	db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	db.Spec.ForProvider = rdsv1beta1.DBInstanceParameters{}
	f.create(t, db)
	f.deleteAndWait(t, db)
}
