package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"slices"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Where the GCP Compositions put what they compose
// (package/platform/compositions/*-gcp.yaml).
const (
	platformGCPRegion = "us-central1"
	platformGCPZone   = "us-central1-a"
)

// platformGCPClients are Google's SDK clients pointed at the local cloud.
type platformGCPClients struct {
	sql     *sqladmin.Service
	vms     *compute.InstancesClient
	subnets *compute.SubnetworksClient
}

// testPlatformGCP proves the GCP Compositions of the portable platform
// (package/platform/compositions/{postgresql,compute}-gcp.yaml) on the local
// cloud: a PostgreSQLInstance becomes a Cloud SQL instance with the
// database and user "app" that its connection Secret reaches, its
// parameters reach Cloud SQL and so does a storage change; two
// ComputeInstances (with and without a public address) become Compute
// Engine instances in networks of their own; once the claims are deleted
// GCP holds nothing of them.
//
// The claims run at the same time, since the database takes longest; the
// check that GCP is empty comes after all of them are gone. No other
// subtest of TestPlatform creates anything on GCP.
func testPlatformGCP(t *testing.T, p *platformEnv) {
	ns := p.namespace(t)
	gc := newPlatformGCPClients(t, p.lc.GCP)

	db := newClaim("PostgreSQLInstance", ns, "gcp-db", "gcp", map[string]any{
		"size": "medium", "version": "16", "storageGB": 20, "highAvailability": true,
	})
	vm := newClaim("ComputeInstance", ns, "gcp-vm", "gcp", map[string]any{
		"size": "small", "image": "debian-12",
		"network": map[string]any{"cidr": "10.30.0.0/24", "publicIP": true},
	})
	private := newClaim("ComputeInstance", ns, "gcp-vm-private", "gcp", map[string]any{
		"size": "large", "image": "ubuntu-22.04",
		"network": map[string]any{"cidr": "10.31.0.0/26", "publicIP": false},
	})
	for _, c := range []*unstructured.Unstructured{db, vm, private} {
		p.create(t, c)
	}

	platformGCPCheckMachine(t, p, gc, vm, platformGCPMachine{
		MachineType: "e2-small", Image: "projects/debian-cloud/global/images/family/debian-12",
		CIDR: "10.30.0.0/24", Public: true,
	})
	platformGCPCheckMachine(t, p, gc, private, platformGCPMachine{
		MachineType: "e2-standard-2", Image: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts",
		CIDR: "10.31.0.0/26",
	})
	p.deleteClaim(t, vm)
	p.deleteClaim(t, private)

	p.waitReady(t, db)
	p.checkPostgres(t, p.secret(t, ns, "gcp-db-conn"))
	name := platformGCPCheckDatabase(t, p, gc, db)

	// Storage grows in Cloud SQL when the claim asks for more.
	p.setParam(t, db, 30, "storageGB")
	platformGCPEventually(t, 2*time.Minute, func() (bool, string) {
		i, err := gc.sql.Instances.Get(gcpProject, name).Do()
		if err != nil {
			return false, err.Error()
		}
		return i.Settings.DataDiskSizeGb == 30, fmt.Sprintf("Cloud SQL instance %s has %d GB, want 30", name, i.Settings.DataDiskSizeGb)
	})

	p.deleteClaim(t, db)
	if _, err := gc.sql.Instances.Get(gcpProject, name).Do(); !platformGCPNotFound(err) {
		t.Errorf("Cloud SQL instance %s after its claim is gone: got error %v, want 404", name, err)
	}
	checkGCPEmpty(t, p.lc.GCP)
}

// newPlatformGCPClients returns SDK clients for the local cloud's GCP
// endpoint, closed when the test ends.
func newPlatformGCPClients(t *testing.T, endpoint string) *platformGCPClients {
	t.Helper()
	ctx := context.Background()
	sql, err := sqladmin.NewService(ctx, option.WithEndpoint(endpoint+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatalf("cannot create Cloud SQL Admin client: %v", err)
	}
	opts := []option.ClientOption{option.WithEndpoint(endpoint), option.WithoutAuthentication()}
	vms, err := compute.NewInstancesRESTClient(ctx, opts...)
	if err != nil {
		t.Fatalf("cannot create Compute Engine instances client: %v", err)
	}
	subnets, err := compute.NewSubnetworksRESTClient(ctx, opts...)
	if err != nil {
		t.Fatalf("cannot create Compute Engine subnetworks client: %v", err)
	}
	t.Cleanup(func() {
		_ = vms.Close()
		_ = subnets.Close()
	})
	return &platformGCPClients{sql: sql, vms: vms, subnets: subnets}
}

// platformGCPDatabase is what the test compares of a Cloud SQL instance.
type platformGCPDatabase struct {
	Version            string
	Tier               string
	Availability       string
	DiskGB             int64
	DeletionProtection bool
	Host               string
	Databases          []string
	Users              []string
}

// platformGCPCheckDatabase checks the Ready PostgreSQLInstance claim db
// (size medium, version 16, 20 GB, highly available) against its Secret and
// Cloud SQL, and returns the Cloud SQL instance's name.
func platformGCPCheckDatabase(t *testing.T, p *platformEnv, gc *platformGCPClients, db *unstructured.Unstructured) string {
	t.Helper()
	conn := p.secret(t, db.GetNamespace(), db.GetName()+"-conn")
	status := map[string]string{
		"cloud":              claimStatus(db, "cloud"),
		"endpoint":           claimStatus(db, "endpoint"),
		"resources.database": claimStatus(db, "resources", "database"),
		"resources.user":     claimStatus(db, "resources", "user"),
	}
	wantStatus := map[string]string{
		"cloud":              "gcp",
		"endpoint":           net.JoinHostPort(string(conn["host"]), string(conn["port"])),
		"resources.database": "app",
		"resources.user":     string(conn["username"]),
	}
	if diff := cmp.Diff(wantStatus, status); diff != "" {
		t.Errorf("PostgreSQLInstance %s status: -want, +got:\n%s", db.GetName(), diff)
	}
	if got := string(conn["database"]); got != "app" {
		t.Errorf("PostgreSQLInstance %s Secret: database %q, want \"app\"", db.GetName(), got)
	}
	name := claimStatus(db, "resources", "instance")
	if name == "" {
		t.Fatalf("PostgreSQLInstance %s has no status.resources.instance", db.GetName())
	}

	i, err := gc.sql.Instances.Get(gcpProject, name).Do()
	if err != nil {
		t.Fatalf("cannot get Cloud SQL instance %s: %v", name, err)
	}
	got := platformGCPDatabase{
		Version:            i.DatabaseVersion,
		Tier:               i.Settings.Tier,
		Availability:       i.Settings.AvailabilityType,
		DiskGB:             i.Settings.DataDiskSizeGb,
		DeletionProtection: i.Settings.DeletionProtectionEnabled,
	}
	for _, a := range i.IpAddresses {
		if a.Type == "PRIMARY" {
			got.Host = a.IpAddress
		}
	}
	dbs, err := gc.sql.Databases.List(gcpProject, name).Do()
	if err != nil {
		t.Fatalf("cannot list the databases of Cloud SQL instance %s: %v", name, err)
	}
	for _, d := range dbs.Items {
		got.Databases = append(got.Databases, d.Name)
	}
	users, err := gc.sql.Users.List(gcpProject, name).Do()
	if err != nil {
		t.Fatalf("cannot list the users of Cloud SQL instance %s: %v", name, err)
	}
	for _, u := range users.Items {
		got.Users = append(got.Users, u.Name)
	}
	slices.Sort(got.Databases)
	slices.Sort(got.Users)
	want := platformGCPDatabase{
		Version:      "POSTGRES_16",
		Tier:         "db-custom-2-7680",
		Availability: "REGIONAL",
		DiskGB:       20,
		Host:         string(conn["host"]),
		Databases:    []string{"app", "postgres"},
		Users:        []string{"app", "postgres"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Cloud SQL instance %s: -want, +got:\n%s", name, diff)
	}
	return name
}

// platformGCPMachine is what the test compares of a ComputeInstance's
// Compute Engine instance.
type platformGCPMachine struct {
	MachineType string
	Image       string
	CIDR        string
	Public      bool
	Status      string
	Network     string
	Subnetwork  string
}

// platformGCPCheckMachine waits until the ComputeInstance claim vm is Ready
// and checks it, its Secret, its composed Instance and Compute Engine
// against want.
func platformGCPCheckMachine(t *testing.T, p *platformEnv, gc *platformGCPClients, vm *unstructured.Unstructured, want platformGCPMachine) {
	t.Helper()
	p.waitReady(t, vm)
	conn := p.secret(t, vm.GetNamespace(), vm.GetName()+"-conn")
	_, cidr, err := net.ParseCIDR(want.CIDR)
	if err != nil {
		t.Fatal(err)
	}
	privateIP, publicIP := claimStatus(vm, "privateIP"), claimStatus(vm, "publicIP")
	if ip := net.ParseIP(privateIP); ip == nil || !cidr.Contains(ip) {
		t.Errorf("ComputeInstance %s: status.privateIP %q is not in %s", vm.GetName(), privateIP, cidr)
	}
	if got := string(conn["privateIP"]); got != privateIP {
		t.Errorf("ComputeInstance %s: Secret privateIP %q, status.privateIP %q", vm.GetName(), got, privateIP)
	}
	if got := string(conn["publicIP"]); got != publicIP {
		t.Errorf("ComputeInstance %s: Secret publicIP %q, status.publicIP %q", vm.GetName(), got, publicIP)
	}
	if (publicIP != "") != want.Public {
		t.Errorf("ComputeInstance %s: status.publicIP %q; want a public address: %t", vm.GetName(), publicIP, want.Public)
	}
	if got := claimStatus(vm, "cloud"); got != "gcp" {
		t.Errorf("ComputeInstance %s: status.cloud %q, want gcp", vm.GetName(), got)
	}
	name := claimStatus(vm, "resources", "instance")
	if name == "" {
		t.Fatalf("ComputeInstance %s has no status.resources.instance", vm.GetName())
	}
	want.Status = "RUNNING"
	want.Network = claimStatus(vm, "resources", "network")
	want.Subnetwork = claimStatus(vm, "resources", "subnet")

	// Compute Engine does not report the image a disk was made from, so
	// the composed Instance says which one was asked for.
	got := platformGCPMachine{Public: publicIP != ""}
	for _, r := range p.composed(t, vm) {
		if r.GetKind() == "Instance" {
			got.Image, _, _ = unstructured.NestedString(r.Object, "spec", "forProvider", "bootDisk", "image")
		}
	}

	ctx := context.Background()
	i, err := gc.vms.Get(ctx, &computepb.GetInstanceRequest{Project: gcpProject, Zone: platformGCPZone, Instance: name})
	if err != nil {
		t.Fatalf("cannot get Compute Engine instance %s: %v", name, err)
	}
	got.MachineType, got.Status = path.Base(i.GetMachineType()), i.GetStatus()
	if n := i.GetNetworkInterfaces(); len(n) == 1 {
		got.Network, got.Subnetwork = path.Base(n[0].GetNetwork()), path.Base(n[0].GetSubnetwork())
		if n[0].GetNetworkIP() != privateIP {
			t.Errorf("Compute Engine instance %s: networkIP %q, status.privateIP %q", name, n[0].GetNetworkIP(), privateIP)
		}
		var natIP string
		if ac := n[0].GetAccessConfigs(); len(ac) == 1 {
			natIP = ac[0].GetNatIP()
		}
		if natIP != publicIP {
			t.Errorf("Compute Engine instance %s: natIP %q, status.publicIP %q", name, natIP, publicIP)
		}
	} else {
		t.Errorf("Compute Engine instance %s has %d network interfaces, want 1", name, len(n))
	}
	s, err := gc.subnets.Get(ctx, &computepb.GetSubnetworkRequest{Project: gcpProject, Region: platformGCPRegion, Subnetwork: want.Subnetwork})
	if err != nil {
		t.Fatalf("cannot get Compute Engine subnetwork %s: %v", want.Subnetwork, err)
	}
	got.CIDR = s.GetIpCidrRange()
	if n := path.Base(s.GetNetwork()); n != want.Network {
		t.Errorf("Compute Engine subnetwork %s is in network %q, want %q", want.Subnetwork, n, want.Network)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ComputeInstance %s on Compute Engine: -want, +got:\n%s", vm.GetName(), diff)
	}
}

// platformGCPEventually calls ok every second until it reports done, and
// fails the test with its last reason after timeout.
func platformGCPEventually(t *testing.T, timeout time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, why := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not done after %s: %s", timeout, why)
		}
		time.Sleep(time.Second)
	}
}

// platformGCPNotFound reports whether err is a Google API 404.
func platformGCPNotFound(err error) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == http.StatusNotFound
}
