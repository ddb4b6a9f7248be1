package gcp

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	computev1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
	sqlv1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/sql/v1beta1"
)

// TestSchema checks the rules the API server enforces before the provider
// sees a resource: what a create needs, and what cannot change.
func TestSchema(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	ctx := context.Background()
	cases := map[string]struct {
		obj  func() client.Object
		want string
	}{
		"NoDatabaseVersion": {
			obj: func() client.Object {
				db := f.newDatabaseInstance(f.ns + "-noversion")
				db.Spec.ForProvider.DatabaseVersion = nil
				return db
			},
			want: "spec.forProvider.databaseVersion is required to create a database instance",
		},
		"NoTier": {
			obj: func() client.Object {
				db := f.newDatabaseInstance(f.ns + "-notier")
				db.Spec.ForProvider.Settings = nil
				return db
			},
			want: "spec.forProvider.settings.tier is required to create a database instance",
		},
		"UnknownEngine": {
			obj: func() client.Object {
				db := f.newDatabaseInstance(f.ns + "-oracle")
				db.Spec.ForProvider.DatabaseVersion = new("ORACLE_19")
				return db
			},
			want: "spec.forProvider.databaseVersion",
		},
		"AutoGenerateWithoutSecret": {
			obj: func() client.Object {
				db := f.newDatabaseInstance(f.ns + "-autogen")
				db.Spec.ForProvider.RootPasswordSecretRef = nil
				db.Spec.ForProvider.AutoGeneratePassword = new(true)
				return db
			},
			want: "autoGeneratePassword requires rootPasswordSecretRef",
		},
		"UserWithoutInstance": {
			obj: func() client.Object {
				return &sqlv1beta1.User{
					ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-user"},
					Spec: sqlv1beta1.UserSpec{ForProvider: sqlv1beta1.UserParameters{
						PasswordSecretRef: &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: f.ns, Name: "pw"}, Key: "pw"},
					}},
				}
			},
			want: "spec.forProvider.instance, instanceRef or instanceSelector is required",
		},
		"SubnetworkWithoutRegion": {
			obj: func() client.Object {
				s := f.newSubnetwork(f.ns+"-sub", "net", "10.0.0.0/24")
				s.Spec.ForProvider.Region = nil
				return s
			},
			want: "spec.forProvider.region is required",
		},
		"InstanceWithoutBootDisk": {
			obj: func() client.Object {
				vm := f.newInstance(f.ns+"-vm", "net", "sub")
				vm.Spec.ForProvider.BootDisk = nil
				return vm
			},
			want: "spec.forProvider.bootDisk is required to create an instance",
		},
		"NetworkWithoutMode": {
			obj: func() client.Object {
				n := f.newNetwork(f.ns + "-net")
				n.Spec.ForProvider.AutoCreateSubnetworks = nil
				return n
			},
			want: "spec.forProvider.autoCreateSubnetworks is required to create a network",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obj := tc.obj()
			err := f.env.Client.Create(ctx, obj)
			if err == nil {
				_ = f.env.Client.Delete(ctx, obj)
				t.Fatalf("the API server accepted the resource, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}

	// Immutable fields stay as created; an observe-only import needs none
	// of what a create needs.
	n := f.newNetwork(f.ns + "-immutable")
	n.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	f.create(t, n)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(n), n); err != nil {
			return err
		}
		n.Spec.ForProvider.AutoCreateSubnetworks = new(true)
		return f.env.Client.Update(ctx, n)
	})
	if err == nil || !strings.Contains(err.Error(), "autoCreateSubnetworks cannot be changed") {
		t.Errorf("changing autoCreateSubnetworks: got %v, want it refused", err)
	}
	imported := &computev1beta1.Network{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-observe"},
		Spec: computev1beta1.NetworkSpec{ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
			ProviderConfigReference: f.ref(),
			ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
		}},
	}
	f.create(t, imported)
}
