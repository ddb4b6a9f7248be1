package azure

import (
	"context"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/localcloud/pg/pgtest"
	dbv1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
)

// TestFlexibleServerDatabaseAndFirewallRule creates a database (naming its
// server by reference, which also gives its resource group) and a firewall
// rule (finding its server by label) on a server, connects to the database
// with the server's connection Secret, changes the rule, and deletes both.
func TestFlexibleServerDatabaseAndFirewallRule(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	rg := f.readyResourceGroup(t, f.name("rg"))
	s := f.newServer(f.name("db"), rg.Name)
	s.Labels = map[string]string{"example.stratus.dev/server": f.ns}
	s.Spec.ForProvider.AutoGeneratePassword = new(true)
	f.create(t, s)

	db := &dbv1beta1.FlexibleServerDatabase{
		ObjectMeta: metav1.ObjectMeta{Name: f.name("orders")},
		Spec: dbv1beta1.FlexibleServerDatabaseSpec{
			ClusterManagedResourceSpec: f.spec(),
			ForProvider: dbv1beta1.FlexibleServerDatabaseParameters{
				ServerNameRef: &xpv2.Reference{Name: s.Name},
				Charset:       new("UTF8"),
			},
		},
	}
	rule := &dbv1beta1.FlexibleServerFirewallRule{
		ObjectMeta: metav1.ObjectMeta{Name: f.name("office")},
		Spec: dbv1beta1.FlexibleServerFirewallRuleSpec{
			ClusterManagedResourceSpec: f.spec(),
			ForProvider: dbv1beta1.FlexibleServerFirewallRuleParameters{
				ResourceGroupNameRef: &xpv2.Reference{Name: rg.Name},
				ServerNameSelector:   &xpv2.Selector{MatchLabels: map[string]string{"example.stratus.dev/server": f.ns}},
				StartIPAddress:       new("203.0.113.0"),
				EndIPAddress:         new("203.0.113.127"),
			},
		},
	}
	f.create(t, db)
	f.create(t, rule)
	f.ready(t, s)
	f.ready(t, db)
	f.ready(t, rule)

	if fp := db.Spec.ForProvider; deref(fp.ServerName) != s.Name || deref(fp.ResourceGroupName) != rg.Name || deref(fp.Collation) == "" {
		t.Errorf("database spec.forProvider = %+v, want server %s, its resource group %s and the collation Azure chose", fp, s.Name, rg.Name)
	}
	if fp := rule.Spec.ForProvider; deref(fp.ServerName) != s.Name || deref(fp.ResourceGroupName) != rg.Name {
		t.Errorf("rule spec.forProvider = %+v, want server %s in %s", fp, s.Name, rg.Name)
	}
	if db.Status.AtProvider.ID == "" || db.Status.AtProvider.Charset != "UTF8" || rule.Status.AtProvider.ID == "" {
		t.Errorf("atProvider: database %+v, rule %+v", db.Status.AtProvider, rule.Status.AtProvider)
	}
	// The database is a real one on the server.
	pw := string(f.secretData(t, s.Name+"-password")["password"])
	f.connect(t, s, pw, meta.GetExternalName(db))

	// A new range reaches the cloud.
	f.update(t, rule, func() { rule.Spec.ForProvider.EndIPAddress = new("203.0.113.255") })
	eventually(t, "firewall rule updated in the cloud", func() error {
		got, err := f.FirewallRules(t).Get(ctx, rg.Name, s.Name, rule.Name, nil)
		if err != nil {
			return err
		}
		if v := deref(got.Properties.EndIPAddress); v != "203.0.113.255" {
			return fmt.Errorf("end address is %s", v)
		}
		return nil
	})

	f.deleteAndWait(t, db)
	f.deleteAndWait(t, rule)
	if _, err := f.Databases(t).Get(ctx, rg.Name, s.Name, db.Name, nil); !isNotFound(err) {
		t.Errorf("database %s: got error %v, want it gone from the cloud", db.Name, err)
	}
	if _, err := pgtest.Query(ctx, s.Status.AtProvider.FQDN, 5432, admin, pw, db.Name, "SELECT 1"); err == nil {
		t.Errorf("database %s still accepts connections", db.Name)
	}
	if _, err := f.FirewallRules(t).Get(ctx, rg.Name, s.Name, rule.Name, nil); !isNotFound(err) {
		t.Errorf("firewall rule %s: got error %v, want it gone from the cloud", rule.Name, err)
	}
}
