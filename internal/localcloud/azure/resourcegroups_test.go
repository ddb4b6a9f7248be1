package azure

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/google/go-cmp/cmp"
)

func TestResourceGroups(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	c := h.groups(t)

	created, err := c.CreateOrUpdate(ctx, "app-rg", armresources.ResourceGroup{Location: new("West Europe"), Tags: map[string]*string{"team": new("db")}}, nil)
	if err != nil {
		t.Fatalf("CreateOrUpdate: %v", err)
	}
	want := armresources.ResourceGroup{
		ID:         new("/subscriptions/" + testSub + "/resourceGroups/app-rg"),
		Name:       new("app-rg"),
		Type:       new("Microsoft.Resources/resourceGroups"),
		Location:   new("westeurope"),
		Tags:       map[string]*string{"team": new("db")},
		Properties: &armresources.ResourceGroupProperties{ProvisioningState: new("Succeeded")},
	}
	if diff := cmp.Diff(want, created.ResourceGroup); diff != "" {
		t.Errorf("CreateOrUpdate(...): -want, +got:\n%s", diff)
	}

	// Creating it again is idempotent; another location conflicts.
	if _, err := c.CreateOrUpdate(ctx, "app-rg", armresources.ResourceGroup{Location: new("westeurope"), Tags: map[string]*string{"team": new("db")}}, nil); err != nil {
		t.Errorf("CreateOrUpdate again: %v", err)
	}
	_, err = c.CreateOrUpdate(ctx, "app-rg", armresources.ResourceGroup{Location: new("eastus")}, nil)
	wantCode(t, "CreateOrUpdate in another location", err, code{http.StatusConflict, "InvalidResourceGroupLocation"})
	_, err = c.CreateOrUpdate(ctx, "no-location", armresources.ResourceGroup{}, nil)
	wantCode(t, "CreateOrUpdate without a location", err, code{http.StatusBadRequest, "LocationRequired"})

	// Names are case-insensitive.
	got, err := c.Get(ctx, "APP-RG", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(want, got.ResourceGroup); diff != "" {
		t.Errorf("Get(...): -want, +got:\n%s", diff)
	}
	_, err = c.Get(ctx, "missing", nil)
	wantCode(t, "Get a missing group", err, code{http.StatusNotFound, "ResourceGroupNotFound"})

	for name, want := range map[string]bool{"app-rg": true, "missing": false} {
		ex, err := c.CheckExistence(ctx, name, nil)
		if err != nil {
			t.Fatalf("CheckExistence(%s): %v", name, err)
		}
		if diff := cmp.Diff(want, ex.Success); diff != "" {
			t.Errorf("CheckExistence(%s): -want, +got:\n%s", name, diff)
		}
	}

	upd, err := c.Update(ctx, "app-rg", armresources.ResourceGroupPatchable{Tags: map[string]*string{"team": new("platform")}}, nil)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if diff := cmp.Diff(map[string]*string{"team": new("platform")}, upd.Tags); diff != "" {
		t.Errorf("Update(...).Tags: -want, +got:\n%s", diff)
	}

	h.createGroup(t, "other-rg")
	var names []string
	for pager := c.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("NextPage: %v", err)
		}
		for _, g := range page.Value {
			names = append(names, *g.Name)
		}
	}
	if diff := cmp.Diff([]string{"app-rg", "other-rg"}, names); diff != "" {
		t.Errorf("NewListPager(...): -want, +got:\n%s", diff)
	}

	// Deleting is a long-running operation; the group shows Deleting until
	// it is gone.
	p, err := c.BeginDelete(ctx, "app-rg", nil)
	if err != nil {
		t.Fatalf("BeginDelete: %v", err)
	}
	if p.Done() {
		t.Errorf("BeginDelete: the poller is done at once, want in progress")
	}
	got, err = c.Get(ctx, "app-rg", nil)
	if err != nil {
		t.Fatalf("Get while deleting: %v", err)
	}
	if diff := cmp.Diff("Deleting", *got.Properties.ProvisioningState); diff != "" {
		t.Errorf("Get while deleting: -want, +got:\n%s", diff)
	}
	_, err = c.CreateOrUpdate(ctx, "app-rg", armresources.ResourceGroup{Location: new("westeurope")}, nil)
	wantCode(t, "CreateOrUpdate while deleting", err, code{http.StatusConflict, "ResourceGroupBeingDeleted"})
	for !p.Done() {
		resp, err := p.Poll(ctx)
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		_ = resp.Body.Close()
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := p.Result(ctx); err != nil {
		t.Errorf("Result: %v", err)
	}
	_, err = c.Get(ctx, "app-rg", nil)
	wantCode(t, "Get a deleted group", err, code{http.StatusNotFound, "ResourceGroupNotFound"})
	_, err = c.BeginDelete(ctx, "app-rg", nil)
	wantCode(t, "BeginDelete a deleted group", err, code{http.StatusNotFound, "ResourceGroupNotFound"})
}

// TestGroupDeletionCascades deletes a resource group with resources in it:
// they are all deleted with it, the PostgreSQL server included.
func TestGroupDeletionCascades(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.createGroup(t, "doomed")
	n, p := h.net(t), h.pg(t)

	sp, err := p.servers.BeginCreateOrUpdate(ctx, "doomed", "doomed-db", newServer("doomed_admin", "Doomed-Passw0rd"), nil)
	done(t, "servers.BeginCreateOrUpdate", sp, err)
	vp, err := n.vnets.BeginCreateOrUpdate(ctx, "doomed", "vnet", vnet("10.40.0.0/16", map[string]string{"a": "10.40.1.0/24"}), nil)
	v := done(t, "vnets.BeginCreateOrUpdate", vp, err)
	pp, err := n.pips.BeginCreateOrUpdate(ctx, "doomed", "ip", armnetwork.PublicIPAddress{Location: new(testRegion)}, nil)
	pip := done(t, "pips.BeginCreateOrUpdate", pp, err)
	np, err := n.nics.BeginCreateOrUpdate(ctx, "doomed", "nic", nic(*v.Properties.Subnets[0].ID, *pip.ID, ""), nil)
	vmNIC := done(t, "nics.BeginCreateOrUpdate", np, err)
	mp, err := n.vms.BeginCreateOrUpdate(ctx, "doomed", "vm", vm(*vmNIC.ID), nil)
	done(t, "vms.BeginCreateOrUpdate", mp, err)
	if diff := cmp.Diff(1, len(h.env.PG.Servers())); diff != "" {
		t.Fatalf("PG.Servers() before: -want count, +got:\n%s", diff)
	}

	dp, err := h.groups(t).BeginDelete(ctx, "doomed", nil)
	if err != nil {
		t.Fatalf("BeginDelete: %v", err)
	}
	sv, err := p.servers.Get(ctx, "doomed", "doomed-db", nil)
	if err != nil {
		t.Fatalf("servers.Get while deleting: %v", err)
	}
	machine, err := n.vms.Get(ctx, "doomed", "vm", nil)
	if err != nil {
		t.Fatalf("vms.Get while deleting: %v", err)
	}
	if diff := cmp.Diff([]string{"Dropping", "Deleting"}, []string{string(*sv.Properties.State), *machine.Properties.ProvisioningState}); diff != "" {
		t.Errorf("states while the group is deleted: -want, +got:\n%s", diff)
	}
	_, err = n.vnets.BeginCreateOrUpdate(ctx, "doomed", "late", vnet("10.50.0.0/16", nil), nil)
	wantCode(t, "vnets.BeginCreateOrUpdate in a group being deleted", err, code{http.StatusConflict, "ResourceGroupBeingDeleted"})
	done(t, "BeginDelete", dp, nil)

	_, err = n.vms.Get(ctx, "doomed", "vm", nil)
	wantCode(t, "vms.Get after the group is gone", err, code{http.StatusNotFound, "ResourceGroupNotFound"})
	if diff := cmp.Diff(0, len(h.env.PG.Servers())); diff != "" {
		t.Errorf("PG.Servers() after: -want count, +got:\n%s", diff)
	}
	rows := len(h.svc.servers.IDs()) + len(h.svc.databases.IDs()) + len(h.svc.vnets.IDs()) + len(h.svc.subnets.IDs()) +
		len(h.svc.nics.IDs()) + len(h.svc.pips.IDs()) + len(h.svc.vms.IDs()) + len(h.svc.groups.IDs())
	if rows != 0 {
		t.Errorf("rows left after deleting the group: %d", rows)
	}
}
