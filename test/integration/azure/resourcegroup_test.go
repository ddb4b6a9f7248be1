package azure

import (
	"context"
	"fmt"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
)

// newResourceGroup returns a resource group managed resource in location.
func (f *fixture) newResourceGroup(name string) *v1beta1.ResourceGroup {
	return &v1beta1.ResourceGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1beta1.ResourceGroupSpec{
			ClusterManagedResourceSpec: f.spec(),
			ForProvider:                v1beta1.ResourceGroupParameters{Location: new(location)},
		},
	}
}

// readyResourceGroup creates a resource group and waits until it is Ready.
func (f *fixture) readyResourceGroup(t *testing.T, name string) *v1beta1.ResourceGroup {
	t.Helper()
	rg := f.newResourceGroup(name)
	f.create(t, rg)
	f.ready(t, rg)
	return rg
}

// resourceGroupExists reports whether the local cloud has resource group
// name.
func (f *fixture) resourceGroupExists(t *testing.T, name string) bool {
	t.Helper()
	rsp, err := f.ResourceGroups(t).CheckExistence(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rsp.Success
}

func TestResourceGroupLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.newResourceGroup(f.name("rg"))
	rg.Spec.ForProvider.Tags = map[string]string{"team": "platform"}
	f.create(t, rg)
	f.ready(t, rg)

	name := meta.GetExternalName(rg)
	if name != rg.Name {
		t.Fatalf("external name = %q, want the resource's name %q", name, rg.Name)
	}
	at := rg.Status.AtProvider
	if at.ID != "/subscriptions/"+subscription+"/resourceGroups/"+name || at.ProvisioningState != "Succeeded" || at.Location != location {
		t.Errorf("atProvider = %+v, want the group's ID, Succeeded, %s", at, location)
	}
	got, err := f.ResourceGroups(t).Get(ctx, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"team": "platform", tagName: rg.Name, tagUID: string(rg.GetUID())}
	if tags := fromPtrMap(got.Tags); fmt.Sprint(tags) != fmt.Sprint(want) {
		t.Errorf("tags in the cloud = %v, want %v", tags, want)
	}

	// An update reaches the cloud as a PATCH of the tags.
	patches := f.Calls.Count("PATCH", "/resourcegroups/"+name)
	f.update(t, rg, func() { rg.Spec.ForProvider.Tags = map[string]string{"team": "data"} })
	eventually(t, "tags updated in the cloud", func() error {
		got, err := f.ResourceGroups(t).Get(ctx, name, nil)
		if err != nil {
			return err
		}
		if v := fromPtrMap(got.Tags)["team"]; v != "data" {
			return fmt.Errorf("tag team is %q", v)
		}
		return nil
	})
	if n := f.Calls.Count("PATCH", "/resourcegroups/"+name) - patches; n != 1 {
		t.Errorf("%d PATCHes of the group for one change of its tags, want 1", n)
	}

	f.deleteAndWait(t, rg)
	if f.resourceGroupExists(t, name) {
		t.Errorf("resource group %s is still in the cloud", name)
	}
}

// TestResourceGroupDeletionPolicyOrphan deletes a managed resource whose
// deletion policy is Orphan: the group stays, and can be adopted again.
func TestResourceGroupDeletionPolicyOrphan(t *testing.T) {
	f := setUp(t)
	rg := f.newResourceGroup(f.name("orphan"))
	rg.Spec.DeletionPolicy = xpv2.DeletionOrphan
	f.create(t, rg)
	f.ready(t, rg)

	f.deleteAndWait(t, rg)
	if !f.resourceGroupExists(t, rg.Name) {
		t.Fatalf("resource group %s was deleted with a managed resource whose deletion policy is Orphan", rg.Name)
	}
	again := f.newResourceGroup(rg.Name)
	f.create(t, again)
	f.ready(t, again)
	f.deleteAndWait(t, again)
	if f.resourceGroupExists(t, rg.Name) {
		t.Errorf("resource group %s survived the deletion of the managed resource that adopted it", rg.Name)
	}
}

// TestResourceGroupObserveOnlyImport imports a group Stratus did not create
// with an observe-only managed resource: it reports the group without
// changing it, and deleting the resource leaves the group.
func TestResourceGroupObserveOnlyImport(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	name := f.name("legacy")
	if _, err := f.ResourceGroups(t).CreateOrUpdate(ctx, name, armresources.ResourceGroup{
		Location: new("West Europe"),
		Tags:     toPtrMap(map[string]string{"owner": "another-team"}),
	}, nil); err != nil {
		t.Fatal(err)
	}
	rg := &v1beta1.ResourceGroup{
		ObjectMeta: metav1.ObjectMeta{Name: f.name("imported"), Annotations: map[string]string{meta.AnnotationKeyExternalName: name}},
		Spec: v1beta1.ResourceGroupSpec{ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
			ProviderConfigReference: f.ref(),
			ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
		}},
	}
	before := f.Calls.Snapshot()
	f.create(t, rg)
	f.ready(t, rg)
	if at := rg.Status.AtProvider; at.Location != "westeurope" || at.ProvisioningState != "Succeeded" {
		t.Errorf("atProvider = %+v, want the imported group in westeurope", at)
	}
	if rg.Spec.ForProvider.Location != nil || rg.Spec.ForProvider.Tags != nil {
		t.Errorf("spec.forProvider = %+v, want it untouched by an observe-only import", rg.Spec.ForProvider)
	}
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an observe-only import made mutating calls: %v", got)
	}
	f.deleteAndWait(t, rg)
	if !f.resourceGroupExists(t, name) {
		t.Errorf("resource group %s was deleted with an observe-only managed resource", name)
	}
}
