package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
	"github.com/stratus-dev/stratus/internal/composition/pt"
	"github.com/stratus-dev/stratus/internal/localcloud"
	"github.com/stratus-dev/stratus/test/harness"
	"github.com/stratus-dev/stratus/test/lcclient"
)

// azureClients are the Azure SDK clients the platform test checks the local
// cloud with, in the subscription of the default ProviderConfig of
// `stratus dev`.
type azureClients struct {
	groups    *armresources.ResourceGroupsClient
	servers   *armpostgresqlflexibleservers.ServersClient
	databases *armpostgresqlflexibleservers.DatabasesClient
	rules     *armpostgresqlflexibleservers.FirewallRulesClient
	networks  *armnetwork.VirtualNetworksClient
	subnets   *armnetwork.SubnetsClient
	nics      *armnetwork.InterfacesClient
	vms       *armcompute.VirtualMachinesClient
}

// newAzureClients returns clients of the local cloud's Azure.
func newAzureClients(t *testing.T, e localcloud.Endpoints) *azureClients {
	t.Helper()
	cred, opts, err := lcclient.Azure(e)
	if err != nil {
		t.Fatal(err)
	}
	const sub = azureExampleSubscription
	c := &azureClients{}
	var errs [8]error
	c.groups, errs[0] = armresources.NewResourceGroupsClient(sub, cred, opts)
	c.servers, errs[1] = armpostgresqlflexibleservers.NewServersClient(sub, cred, opts)
	c.databases, errs[2] = armpostgresqlflexibleservers.NewDatabasesClient(sub, cred, opts)
	c.rules, errs[3] = armpostgresqlflexibleservers.NewFirewallRulesClient(sub, cred, opts)
	c.networks, errs[4] = armnetwork.NewVirtualNetworksClient(sub, cred, opts)
	c.subnets, errs[5] = armnetwork.NewSubnetsClient(sub, cred, opts)
	c.nics, errs[6] = armnetwork.NewInterfacesClient(sub, cred, opts)
	c.vms, errs[7] = armcompute.NewVirtualMachinesClient(sub, cred, opts)
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatalf("cannot create Azure clients: %v", err)
	}
	return c
}

// azureNotFound reports whether err is Azure's answer for a resource (or
// resource group) that does not exist.
func azureNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// testPlatformAzure is TestPlatform's Azure subtest. It claims a small
// PostgreSQL 16 database of 20 GiB and a small Debian machine on Azure at
// once, and checks that:
//   - the database becomes Ready, its Secret connects, its status names its
//     resources and Azure shows the server the parameters ask for;
//   - asking for 100 GiB grows the server to Azure's 128 GiB step;
//   - the machine becomes Ready with a private address in its network, and
//     Azure shows the machine and network the parameters ask for;
//   - deleting the claims deletes everything they made in Azure.
//
// The claims are made side by side but checked in turn in this goroutine:
// parallel subtests would wait for a slot of go test's -parallel
// (GOMAXPROCS, 2 here) behind the other clouds' subtests.
func testPlatformAzure(t *testing.T, p *platformEnv) {
	az := newAzureClients(t, p.lc)
	ns := p.namespace(t)
	db := newClaim("PostgreSQLInstance", ns, "azure-db", "azure", map[string]any{
		"size": "small", "version": "16", "storageGB": 20, "highAvailability": false, "deletionProtection": false,
	})
	// network.publicIP is left at its default, true: provider-azure cannot
	// make public addresses, so the machine becomes Ready with a private
	// address only (see compute-azure.yaml).
	const cidr = "10.30.0.0/24"
	vm := newClaim("ComputeInstance", ns, "azure-vm", "azure", map[string]any{
		"size": "small", "image": "debian-12", "network": map[string]any{"cidr": cidr},
	})
	p.create(t, db)
	p.create(t, vm)

	server := checkAzureDatabase(t, p, az, db)
	p.setParam(t, db, 100, "storageGB")
	machineGroup := checkAzureMachine(t, p, az, vm, cidr)
	waitAzureStorage(t, az, server, 128)

	p.deleteClaim(t, db)
	if _, err := az.servers.Get(context.Background(), server.group, server.name, nil); !azureNotFound(err) {
		t.Errorf("flexible server %s/%s after deleting the claim: want not found, got %v", server.group, server.name, err)
	}
	p.deleteClaim(t, vm)
	for _, g := range []string{server.group, machineGroup} {
		if _, err := az.groups.Get(context.Background(), g, nil); !azureNotFound(err) {
			t.Errorf("resource group %s after deleting its claim: want not found, got %v", g, err)
		}
	}
	// The other clouds' subtests never touch Azure, and the invalid claims
	// compose nothing, so everything in Azure was these two claims'.
	checkAzureEmpty(t, p.lc)
}

// An azureServerName locates a flexible server.
type azureServerName struct{ group, name string }

// checkAzureDatabase waits until the PostgreSQLInstance claim is Ready,
// connects with its Secret, and checks its status and the server, database
// and firewall rule Azure shows for it. It returns the server.
func checkAzureDatabase(t *testing.T, p *platformEnv, az *azureClients, claim *unstructured.Unstructured) azureServerName {
	t.Helper()
	ctx := context.Background()
	p.waitReady(t, claim)
	conn := p.secret(t, claim.GetNamespace(), claim.GetName()+"-conn")
	p.checkPostgres(t, conn)

	group, server := claimStatus(claim, "resources", "resourceGroup"), claimStatus(claim, "resources", "instance")
	if group == "" || server == "" {
		t.Fatalf("status.resources names no resource group or server: %v", claim.Object["status"])
	}
	wantStatus := map[string]string{
		"cloud": "azure", "endpoint": string(conn["host"]) + ":" + string(conn["port"]),
		"database": "app", "firewallRule": "allow-azure-services",
	}
	gotStatus := map[string]string{
		"cloud": claimStatus(claim, "cloud"), "endpoint": claimStatus(claim, "endpoint"),
		"database": claimStatus(claim, "resources", "database"), "firewallRule": claimStatus(claim, "resources", "firewallRule"),
	}
	if diff := cmp.Diff(wantStatus, gotStatus); diff != "" {
		t.Errorf("%s status: -want, +got:\n%s", claim.GetName(), diff)
	}

	// The claim's parameters as postgresql-azure maps them; 20 GiB is
	// rounded up to Azure's 32 GiB step.
	s, err := az.servers.Get(ctx, group, server, nil)
	if err != nil {
		t.Fatalf("cannot get flexible server %s/%s: %v", group, server, err)
	}
	want := azureServer{SKU: "Standard_B1ms", Tier: "Burstable", Version: "16", StorageGB: 32, HA: "Disabled", FQDN: string(conn["host"])}
	if diff := cmp.Diff(want, azureServerOf(s.Server)); diff != "" {
		t.Errorf("flexible server %s in Azure: -want, +got:\n%s", server, diff)
	}
	if _, err := az.databases.Get(ctx, group, server, "app", nil); err != nil {
		t.Errorf("cannot get database app of %s: %v", server, err)
	}
	r, err := az.rules.Get(ctx, group, server, "allow-azure-services", nil)
	if err != nil {
		t.Errorf("cannot get firewall rule allow-azure-services of %s: %v", server, err)
	} else if p := deref(r.Properties); deref(p.StartIPAddress) != "0.0.0.0" || deref(p.EndIPAddress) != "0.0.0.0" {
		t.Errorf("firewall rule allow-azure-services: want 0.0.0.0-0.0.0.0, got %s-%s", deref(p.StartIPAddress), deref(p.EndIPAddress))
	}
	return azureServerName{group: group, name: server}
}

// waitAzureStorage waits until Azure shows gb GiB of storage for server.
func waitAzureStorage(t *testing.T, az *azureClients, server azureServerName, gb int32) {
	t.Helper()
	start := time.Now()
	for {
		s, err := az.servers.Get(context.Background(), server.group, server.name, nil)
		if err != nil {
			t.Fatalf("cannot get flexible server %s/%s: %v", server.group, server.name, err)
		}
		got := azureServerOf(s.Server).StorageGB
		if got == gb {
			t.Logf("flexible server %s has %d GiB after %s", server.name, gb, time.Since(start).Round(time.Second))
			return
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("flexible server %s still has %d GiB after %s; want %d", server.name, got, time.Since(start).Round(time.Second), gb)
		}
		time.Sleep(2 * time.Second)
	}
}

// An azureServer is what the test compares of a flexible server.
type azureServer struct {
	SKU, Tier, Version string
	StorageGB          int32
	HA, FQDN           string
}

// azureServerOf returns what the test compares of s.
func azureServerOf(s armpostgresqlflexibleservers.Server) azureServer {
	var out azureServer
	if s.SKU != nil {
		out.SKU, out.Tier = deref(s.SKU.Name), string(deref(s.SKU.Tier))
	}
	if p := s.Properties; p != nil {
		out.Version, out.FQDN = string(deref(p.Version)), deref(p.FullyQualifiedDomainName)
		if p.Storage != nil {
			out.StorageGB = deref(p.Storage.StorageSizeGB)
		}
		if p.HighAvailability != nil {
			out.HA = string(deref(p.HighAvailability.Mode))
		}
	}
	return out
}

// checkAzureMachine waits until the ComputeInstance claim on network cidr
// is Ready, and checks its addresses, its Secret, its status and the
// machine and network Azure shows for it. It returns the machine's resource
// group.
func checkAzureMachine(t *testing.T, p *platformEnv, az *azureClients, claim *unstructured.Unstructured, cidr string) string {
	t.Helper()
	ctx := context.Background()
	p.waitReady(t, claim)
	conn := p.secret(t, claim.GetNamespace(), claim.GetName()+"-conn")

	ip := claimStatus(claim, "privateIP")
	if a, err := netip.ParseAddr(ip); err != nil || !netip.MustParsePrefix(cidr).Contains(a) {
		t.Errorf("status.privateIP %q is not an address in %s", ip, cidr)
	}
	if got := string(conn["privateIP"]); got != ip {
		t.Errorf("Secret privateIP %q, status.privateIP %q: want the same", got, ip)
	}
	if pub, ok := conn["publicIP"]; ok || claimStatus(claim, "publicIP") != "" {
		t.Errorf("a public address on Azure (Secret %q, status %q): compute-azure cannot make one, update this test and its documentation",
			pub, claimStatus(claim, "publicIP"))
	}
	if got := claimStatus(claim, "cloud"); got != "azure" {
		t.Errorf("status.cloud: want azure, got %q", got)
	}

	res := map[string]string{}
	for _, role := range []string{"resourceGroup", "network", "subnet", "nic", "instance"} {
		if res[role] = claimStatus(claim, "resources", role); res[role] == "" {
			t.Fatalf("status.resources.%s is not set: %v", role, claim.Object["status"])
		}
	}
	group := res["resourceGroup"]
	vm, err := az.vms.Get(ctx, group, res["instance"], nil)
	if err != nil {
		t.Fatalf("cannot get virtual machine %s/%s: %v", group, res["instance"], err)
	}
	vnet, err := az.networks.Get(ctx, group, res["network"], nil)
	if err != nil {
		t.Fatalf("cannot get virtual network %s/%s: %v", group, res["network"], err)
	}
	subnet, err := az.subnets.Get(ctx, group, res["network"], res["subnet"], nil)
	if err != nil {
		t.Fatalf("cannot get subnet %s of %s/%s: %v", res["subnet"], group, res["network"], err)
	}
	nic, err := az.nics.Get(ctx, group, res["nic"], nil)
	if err != nil {
		t.Fatalf("cannot get network interface %s/%s: %v", group, res["nic"], err)
	}
	want := azureMachine{
		Size: "Standard_B1s", Image: "Debian/debian-12/12-gen2/latest",
		NetworkRanges: []string{cidr}, SubnetRange: cidr, PrivateIP: ip, NIC: deref(nic.ID),
	}
	if diff := cmp.Diff(want, azureMachineOf(vm.VirtualMachine, vnet.VirtualNetwork, subnet.Subnet, nic.Interface)); diff != "" {
		t.Errorf("virtual machine %s in Azure: -want, +got:\n%s", res["instance"], diff)
	}
	return group
}

// An azureMachine is what the test compares of a virtual machine and its
// network.
type azureMachine struct {
	Size, Image   string
	NetworkRanges []string
	SubnetRange   string
	PrivateIP     string
	NIC           string
}

// azureMachineOf returns what the test compares of a machine and its
// network.
func azureMachineOf(vm armcompute.VirtualMachine, vnet armnetwork.VirtualNetwork, subnet armnetwork.Subnet, nic armnetwork.Interface) azureMachine {
	var out azureMachine
	if p := vm.Properties; p != nil {
		if p.HardwareProfile != nil {
			out.Size = string(deref(p.HardwareProfile.VMSize))
		}
		if p.StorageProfile != nil && p.StorageProfile.ImageReference != nil {
			i := p.StorageProfile.ImageReference
			out.Image = fmt.Sprintf("%s/%s/%s/%s", deref(i.Publisher), deref(i.Offer), deref(i.SKU), deref(i.Version))
		}
		if p.NetworkProfile != nil && len(p.NetworkProfile.NetworkInterfaces) > 0 {
			out.NIC = deref(p.NetworkProfile.NetworkInterfaces[0].ID)
		}
	}
	if p := vnet.Properties; p != nil && p.AddressSpace != nil {
		for _, r := range p.AddressSpace.AddressPrefixes {
			out.NetworkRanges = append(out.NetworkRanges, deref(r))
		}
	}
	if p := subnet.Properties; p != nil {
		out.SubnetRange = deref(p.AddressPrefix)
		if out.SubnetRange == "" && len(p.AddressPrefixes) > 0 {
			out.SubnetRange = deref(p.AddressPrefixes[0])
		}
	}
	if p := nic.Properties; p != nil && len(p.IPConfigurations) > 0 && p.IPConfigurations[0].Properties != nil {
		out.PrivateIP = deref(p.IPConfigurations[0].Properties.PrivateIPAddress)
	}
	return out
}

// deref returns what p points to, or T's zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestAzurePlatformCompositions renders the Azure Compositions of the
// platform with the built-in patch and transform for parameters a claim may
// have, and checks the Azure fields they set: the mapping tables in the
// Compositions' comments, and that a parameter they cannot map fails the
// render. It needs no control plane or cloud.
func TestAzurePlatformCompositions(t *testing.T) {
	root, err := harness.Root()
	if err != nil {
		t.Fatal(err)
	}
	pg := loadAzureComposition(t, root, "postgresql-azure.yaml")
	vm := loadAzureComposition(t, root, "compute-azure.yaml")

	type args struct {
		in     pt.Input
		params map[string]any
	}
	type want struct {
		fields map[string]any
		err    bool
	}
	dbParams := func(size, version string, storage int, ha, protect bool) map[string]any {
		return map[string]any{"size": size, "version": version, "storageGB": int64(storage), "highAvailability": ha, "deletionProtection": protect}
	}
	vmParams := func(size, image, cidr string) map[string]any {
		return map[string]any{"size": size, "image": image, "network": map[string]any{"cidr": cidr, "publicIP": true}}
	}
	ubuntu := map[string]any{"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}
	debian := map[string]any{"publisher": "Debian", "offer": "debian-12", "sku": "12-gen2", "version": "latest"}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"SmallDatabase": {
			reason: "A small server is Burstable B1ms; 10 GiB rounds up to 32; deleting the claim deletes the resource group, which takes the server.",
			args:   args{in: pg, params: dbParams("small", "14", 10, false, false)},
			want: want{fields: map[string]any{
				"instance:spec.forProvider.skuName": "Standard_B1ms", "instance:spec.forProvider.skuTier": "Burstable",
				"instance:spec.forProvider.version": "14", "instance:spec.forProvider.storageSizeGb": int64(32),
				"instance:spec.forProvider.highAvailability": "Disabled",
				"resourceGroup:spec.deletionPolicy":          "Delete", "instance:spec.deletionPolicy": "Orphan",
				"instance:spec.forProvider.administratorPasswordSecretRef.name": "uid-1-pg-admin",
				"adminPassword:metadata.name":                                   "uid-1-pg-admin",
				"instance:spec.writeConnectionSecretToRef.name":                 "uid-1-pg-server",
				"database:metadata.annotations[crossplane.io/external-name]":    "app",
			}},
		},
		"MediumDatabaseWithHA": {
			reason: "A medium server is GeneralPurpose D2ds_v5, zone-redundant; 100 GiB rounds up to 128.",
			args:   args{in: pg, params: dbParams("medium", "15", 100, true, false)},
			want: want{fields: map[string]any{
				"instance:spec.forProvider.skuName": "Standard_D2ds_v5", "instance:spec.forProvider.skuTier": "GeneralPurpose",
				"instance:spec.forProvider.version": "15", "instance:spec.forProvider.storageSizeGb": int64(128),
				"instance:spec.forProvider.highAvailability": "ZoneRedundant",
			}},
		},
		"LargeProtectedDatabase": {
			reason: "deletionProtection orphans the resource group too, so that deleting the claim leaves everything in Azure.",
			args:   args{in: pg, params: dbParams("large", "16", 16384, false, true)},
			want: want{fields: map[string]any{
				"instance:spec.forProvider.skuName": "Standard_D4ds_v5", "instance:spec.forProvider.version": "16",
				"instance:spec.forProvider.storageSizeGb": int64(16384),
				"resourceGroup:spec.deletionPolicy":       "Orphan", "instance:spec.deletionPolicy": "Orphan",
				"database:spec.deletionPolicy": "Orphan", "firewallRule:spec.deletionPolicy": "Orphan",
			}},
		},
		"UnknownDatabaseSize": {
			reason: "A size the Composition does not know fails the render, so nothing is created.",
			args:   args{in: pg, params: dbParams("huge", "16", 20, false, false)},
			want:   want{err: true},
		},
		"SmallUbuntuMachine": {
			reason: "A small machine is B1s; the network and its subnet take network.cidr; deleting the claim deletes the resource group, which takes the rest.",
			args:   args{in: vm, params: vmParams("small", "ubuntu-22.04", "10.20.0.0/24")},
			want: want{fields: map[string]any{
				"instance:spec.forProvider.size": "Standard_B1s", "instance:spec.forProvider.sourceImageReference": ubuntu,
				"network:spec.forProvider.addressSpace": []any{"10.20.0.0/24"}, "subnet:spec.forProvider.addressPrefixes": []any{"10.20.0.0/24"},
				"resourceGroup:spec.deletionPolicy": nil, "network:spec.deletionPolicy": "Orphan", "subnet:spec.deletionPolicy": "Orphan",
				"nic:spec.deletionPolicy": "Orphan", "instance:spec.deletionPolicy": "Orphan",
			}},
		},
		"MediumDebianMachine": {
			reason: "Medium is B2s; debian-12 is Debian's image.",
			args:   args{in: vm, params: vmParams("medium", "debian-12", "10.1.0.0/16")},
			want: want{fields: map[string]any{
				"instance:spec.forProvider.size": "Standard_B2s", "instance:spec.forProvider.sourceImageReference": debian,
				"network:spec.forProvider.addressSpace": []any{"10.1.0.0/16"},
			}},
		},
		"LargeMachine": {
			reason: "Large is D4s_v5.",
			args:   args{in: vm, params: vmParams("large", "debian-12", "10.1.0.0/16")},
			want:   want{fields: map[string]any{"instance:spec.forProvider.size": "Standard_D4s_v5"}},
		},
		"UnknownMachineSize": {
			reason: "A size the Composition does not know fails the render.",
			args:   args{in: vm, params: vmParams("huge", "debian-12", "10.1.0.0/16")},
			want:   want{err: true},
		},
		"UnknownImage": {
			reason: "An image the Composition does not know fails the render.",
			args:   args{in: vm, params: vmParams("small", "windows-2022", "10.1.0.0/16")},
			want:   want{err: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := renderAzure(tc.args.in, tc.args.params, tc.want.fields)
			if (err != nil) != tc.want.err {
				t.Fatalf("\n%s\nRender(...): want error %t, got %v", tc.reason, tc.want.err, err)
			}
			if diff := cmp.Diff(tc.want.fields, got); diff != "" {
				t.Errorf("\n%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}

	// A storageGB the XRD allows becomes the smallest Azure step that holds
	// it. Tried: every size up to 130, every size within 2 of a step and
	// every 97th. All 16375 sizes pass too, but take seconds of CPU.
	var storage *v1beta1.ComposedPatch
	for _, r := range pg.Resources {
		for i, p := range r.Patches {
			if r.Name == "instance" && p.ToFieldPath != nil && *p.ToFieldPath == "spec.forProvider.storageSizeGb" {
				storage = &r.Patches[i]
			}
		}
	}
	if storage == nil {
		t.Fatal("postgresql-azure has no patch to spec.forProvider.storageSizeGb of instance")
	}
	for gb := int64(10); gb <= 16384; gb++ {
		want := int64(32)
		for want < gb {
			want *= 2
		}
		if gb > 130 && gb%97 != 0 && want-gb > 2 && gb-want/2 > 2 {
			continue
		}
		xr := map[string]any{"spec": map[string]any{"parameters": map[string]any{"storageGB": gb}}}
		server := map[string]any{}
		if err := pt.ApplyPatch(*storage, xr, server); err != nil {
			t.Fatalf("storageGB %d: %v", gb, err)
		}
		if got, err := fieldpath.Pave(server).GetValue("spec.forProvider.storageSizeGb"); err != nil || got != want {
			t.Fatalf("storageGB %d: want storageSizeGb %d, got %v (%v)", gb, want, got, err)
		}
	}
}

// loadAzureComposition returns the patch-and-transform input of a platform
// Composition: its first pipeline step's, or its resources in Resources
// mode.
func loadAzureComposition(t *testing.T, root, file string) pt.Input {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "package", "platform", "compositions", file))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Spec struct {
			Resources []v1beta1.ComposedTemplate `json:"resources"`
			PatchSets []v1beta1.PatchSet         `json:"patchSets"`
			Pipeline  []struct {
				Step  string            `json:"step"`
				Input v1beta1.Resources `json:"input"`
			} `json:"pipeline"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("cannot decode %s: %v", file, err)
	}
	if len(c.Spec.Pipeline) > 0 {
		return pt.Input{Resources: c.Spec.Pipeline[0].Input.Resources, PatchSets: c.Spec.Pipeline[0].Input.PatchSets}
	}
	return pt.Input{Resources: c.Spec.Resources, PatchSets: c.Spec.PatchSets}
}

// renderAzure renders in for an XR with params and returns the rendered
// value of every field of fields, keyed "<template>:<field path>" (nil for a
// field that was not rendered).
func renderAzure(in pt.Input, params, fields map[string]any) (map[string]any, error) {
	in.ObservedComposite = map[string]any{
		"apiVersion": "platform.stratus.dev/v1alpha1", "kind": "XPlatform",
		"metadata": map[string]any{"name": "xr-1", "uid": "uid-1"},
		"spec":     map[string]any{"parameters": params},
	}
	out, err := pt.Render(in)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]map[string]any, len(out.Resources))
	for _, r := range out.Resources {
		byName[r.Name] = r.Resource
	}
	got := make(map[string]any, len(fields))
	for key := range fields {
		name, path, _ := strings.Cut(key, ":")
		r, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("no resource %q rendered", name)
		}
		v, err := fieldpath.Pave(r).GetValue(path)
		if err != nil && !fieldpath.IsNotFound(err) {
			return nil, err
		}
		got[key] = v
	}
	return got, nil
}
