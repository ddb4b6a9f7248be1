package gcp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/apiv1/computepb"
	sqladmin "google.golang.org/api/sqladmin/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	computev1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	sqlv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
)

// insertNetwork creates a custom mode network in the local cloud directly,
// as someone other than Stratus would, and waits until it is done.
func (f *fixture) insertNetwork(t *testing.T, name string) {
	t.Helper()
	op, err := f.Networks(t).Insert(context.Background(), &computepb.InsertNetworkRequest{Project: project, NetworkResource: &computepb.Network{
		Name: new(name), AutoCreateSubnetworks: new(false), Description: new("not Stratus's"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestNetworkObserveOnlyImport imports a network that Stratus did not
// create with an observe-only managed resource: it reports the network
// without changing it or the spec, and deleting the resource leaves the
// network.
func TestNetworkObserveOnlyImport(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	name := f.ns + "-legacy"
	f.insertNetwork(t, name)

	n := &computev1beta1.Network{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-imported", Annotations: map[string]string{meta.AnnotationKeyExternalName: name}},
		Spec: computev1beta1.NetworkSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			// Nothing to create, so nothing is required.
			ForProvider: computev1beta1.NetworkParameters{},
		},
	}
	before := f.Calls.Snapshot()
	f.create(t, n)
	f.ready(t, n)
	if at := n.Status.AtProvider; at.ID == "" || !strings.HasSuffix(at.SelfLink, "/networks/"+name) {
		t.Errorf("atProvider = %+v, want the imported network", at)
	}
	if fp := n.Spec.ForProvider; fp.AutoCreateSubnetworks != nil || fp.MTU != nil {
		t.Errorf("spec.forProvider = %+v, want it untouched by an observe-only import", fp)
	}
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an observe-only import made mutating calls: %v", got)
	}

	f.deleteAndWait(t, n)
	if _, err := f.network(t, name); err != nil {
		t.Errorf("network deleted with an observe-only managed resource: %v", err)
	}
}

// TestDatabaseInstanceDeletionPolicyOrphan deletes a managed resource whose
// deletion policy is Orphan: the Cloud SQL instance it created stays, and
// a new managed resource adopts it by name.
func TestDatabaseInstanceDeletionPolicyOrphan(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-orphan")
	db.Spec.ForProvider.RootPasswordSecretRef = nil
	db.Spec.DeletionPolicy = xpv2.DeletionOrphan
	f.create(t, db)
	f.ready(t, db)

	f.deleteAndWait(t, db)
	if _, err := f.sqlInstance(t, db.Name); err != nil {
		t.Fatalf("Cloud SQL instance of a managed resource whose deletion policy is Orphan: %v", err)
	}

	again := f.newDatabaseInstance(f.ns + "-adopt")
	again.Annotations = map[string]string{meta.AnnotationKeyExternalName: db.Name}
	again.Spec.ForProvider.RootPasswordSecretRef = nil
	f.create(t, again)
	f.ready(t, again)
	// The adopted instance gets the new resource's label.
	eventually(t, "adopted instance labeled", func() error {
		got, err := f.sqlInstance(t, db.Name)
		if err != nil {
			return err
		}
		if l := got.Settings.UserLabels["stratus-uid"]; l != string(again.GetUID()) {
			return fmt.Errorf("label stratus-uid is %q", l)
		}
		return nil
	})
	f.deleteAndWait(t, again)
	if _, err := f.sqlInstance(t, db.Name); !isNotFound(err) {
		t.Errorf("Cloud SQL instance %s survived the deletion of the managed resource that adopted it: %v", db.Name, err)
	}
}

// TestInstanceCreateInterrupted simulates a provider that stopped after
// Compute Engine accepted an insert but before the create was recorded:
// the next reconcile adopts the instance (found by its name, the
// resource's), and there is one instance, not two.
func TestInstanceCreateInterrupted(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	ctx := context.Background()
	net := f.newNetwork(f.ns + "-net")
	f.create(t, net)
	sub := f.newSubnetwork(f.ns+"-sub", net.Name, "10.30.0.0/24")
	f.create(t, sub)
	f.ready(t, sub)

	vm := f.newInstance(f.ns+"-vm", net.Name, sub.Name)
	// Nothing reconciles it yet.
	vm.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	f.create(t, vm)
	// The state a crash leaves: the create is pending and Compute Engine
	// has the instance the insert asked for, labeled with the UID.
	op, err := f.Instances(t).Insert(ctx, &computepb.InsertInstanceRequest{Project: project, Zone: zone, InstanceResource: &computepb.Instance{
		Name:              new(vm.Name),
		MachineType:       new("zones/" + zone + "/machineTypes/e2-micro"),
		Labels:            map[string]string{"stratus-uid": string(vm.GetUID())},
		Disks:             []*computepb.AttachedDisk{{Boot: new(true), InitializeParams: &computepb.AttachedDiskInitializeParams{SourceImage: new(image)}}},
		NetworkInterfaces: []*computepb.NetworkInterface{{Subnetwork: new(sub.Status.AtProvider.SelfLink)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	f.updateWithRetry(t, vm, func() {
		meta.SetExternalCreatePending(vm, time.Now())
		vm.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	})
	f.ready(t, vm)
	if got := f.instanceNames(t); len(got) != 1 || got[0] != vm.Name {
		t.Fatalf("instances in the local cloud = %v, want exactly %s", got, vm.Name)
	}
}

// TestDatabaseInstanceCreateFindsItsOwn simulates a create whose name the
// API says is taken although its read said the instance does not exist
// (an API not yet consistent after an insert whose answer was lost): the
// instance carries the resource's UID label, so it is adopted.
func TestDatabaseInstanceCreateFindsItsOwn(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-db")
	db.Spec.ForProvider.RootPasswordSecretRef = nil
	// Nothing reconciles it yet.
	db.Annotations = map[string]string{meta.AnnotationKeyReconciliationPaused: "true"}
	f.create(t, db)
	f.insertSQLInstance(t, db.Name, map[string]string{"stratus-uid": string(db.GetUID())})
	// The first read (Observe) misses the instance; the second (the
	// create's check of whose it is) sees it.
	f.Calls.Hide("/v1/projects/"+project+"/instances/"+db.Name, 1)
	before := f.Calls.Snapshot()
	f.updateWithRetry(t, db, func() { meta.RemoveAnnotations(db, meta.AnnotationKeyReconciliationPaused) })
	f.ready(t, db)
	if got := f.sqlInstanceNames(t); len(got) != 1 {
		t.Errorf("Cloud SQL instances = %v, want one", got)
	}
	if got := f.Calls.MutatingSince(before)["POST /v1/projects/"+project+"/instances"]; got != 1 {
		t.Errorf("inserts = %d, want the one that found the name taken", got)
	}
}

// TestDatabaseInstanceNameTaken creates a DatabaseInstance whose name
// belongs to an instance Stratus did not create and the API does not show
// (Cloud SQL keeps the names of deleted instances for a while): the create
// is refused with a message that says so, the other instance is not
// adopted once it shows, and deleting the managed resource leaves it.
func TestDatabaseInstanceNameTaken(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-db")
	db.Spec.ForProvider.RootPasswordSecretRef = nil
	f.insertSQLInstance(t, db.Name, map[string]string{"owner": "someone-else"})
	f.Calls.Hide("/v1/projects/"+project+"/instances/"+db.Name, 2)
	f.create(t, db)
	f.env.WaitFor(t, db, timeout, func(client.Object) (bool, string) {
		c := db.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "this resource did not create it") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	// Once the instance shows it is still not adopted.
	time.Sleep(2 * pollInterval)
	if err := f.env.Client.Get(context.Background(), client.ObjectKeyFromObject(db), db); err != nil {
		t.Fatal(err)
	}
	if c := db.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || db.GetCondition(xpv2.TypeReady).Status == corev1.ConditionTrue {
		t.Errorf("the managed resource took another's instance: Synced %s %q", c.Status, c.Message)
	}
	got, err := f.sqlInstance(t, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Settings.UserLabels["stratus-uid"]; ok {
		t.Errorf("the other's instance was labeled as Stratus's: %v", got.Settings.UserLabels)
	}
	f.deleteAndWait(t, db)
	if _, err := f.sqlInstance(t, db.Name); err != nil {
		t.Errorf("the other's instance was deleted with the managed resource: %v", err)
	}
}

// insertSQLInstance creates a Cloud SQL instance in the local cloud
// directly, labeled with labels.
func (f *fixture) insertSQLInstance(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	if _, err := f.SQL(t).Instances.Insert(project, &sqladmin.DatabaseInstance{
		Name:            name,
		Region:          region,
		DatabaseVersion: "POSTGRES_15",
		Settings:        &sqladmin.Settings{Tier: "db-f1-micro", UserLabels: labels},
	}).Do(); err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseInstanceInvalid creates an instance the local cloud refuses
// (it runs PostgreSQL only): the resource reports the API's message on
// Synced, never the password, and nothing is created.
func TestDatabaseInstanceInvalid(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-mysql")
	db.Spec.ForProvider.DatabaseVersion = new("MYSQL_8_0")
	db.Spec.ForProvider.AutoGeneratePassword = new(true)
	f.create(t, db)
	f.env.WaitFor(t, db, timeout, func(client.Object) (bool, string) {
		c := db.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "HTTP 400 invalid") || !strings.Contains(c.Message, "MYSQL_8_0") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
	pw := string(f.secretData(t, db.Name+"-password")["password"])
	for _, c := range db.Status.Conditions {
		if pw == "" || strings.Contains(c.Message, pw) {
			t.Errorf("condition %s holds the password (or no password was generated)", c.Type)
		}
	}
	if got := f.sqlInstanceNames(t); len(got) != 0 {
		t.Errorf("Cloud SQL instances = %v, want none", got)
	}
}

// TestOperationFailureSurfaces creates a user whose name PostgreSQL
// refuses (pg_ is reserved): Cloud SQL accepts the call, and its operation
// ends in an error, which the resource reports on Synced.
func TestOperationFailureSurfaces(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	db := f.newDatabaseInstance(f.ns + "-db")
	db.Spec.ForProvider.RootPasswordSecretRef = nil
	f.create(t, db)
	f.ready(t, db)
	user := &sqlv1beta1.User{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-user", Annotations: map[string]string{meta.AnnotationKeyExternalName: "pg_reserved"}},
		Spec: sqlv1beta1.UserSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: sqlv1beta1.UserParameters{
				InstanceRef:          &xpv2.Reference{Name: db.Name},
				AutoGeneratePassword: new(true),
				PasswordSecretRef: &xpv2.SecretKeySelector{
					SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: f.ns + "-user-password"},
					Key:             "password",
				},
			},
		},
	}
	f.create(t, user)
	f.env.WaitFor(t, user, timeout, func(client.Object) (bool, string) {
		c := user.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "CREATE_USER operation failed") || !strings.Contains(c.Message, "ERROR_RDBMS") {
			return false, fmt.Sprintf("Synced is %s: %q", c.Status, c.Message)
		}
		return true, ""
	})
}
