package gcp

import (
	"context"
	"fmt"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	computev1beta1 "github.com/stratus-dev/stratus/providers/gcp/apis/compute/v1beta1"
)

// newNetwork returns a custom mode Network managed resource.
func (f *fixture) newNetwork(name string) *computev1beta1.Network {
	return &computev1beta1.Network{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: computev1beta1.NetworkSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider:                computev1beta1.NetworkParameters{AutoCreateSubnetworks: new(false)},
		},
	}
}

// network returns the network name from the local cloud.
func (f *fixture) network(t *testing.T, name string) (*computepb.Network, error) {
	t.Helper()
	return f.Networks(t).Get(context.Background(), &computepb.GetNetworkRequest{Project: project, Network: name})
}

// wantNoNetwork fails the test unless the local cloud has no network name.
func (f *fixture) wantNoNetwork(t *testing.T, name string) {
	t.Helper()
	if _, err := f.network(t, name); !isNotFound(err) {
		t.Errorf("network %s: got error %v, want it not found in the local cloud", name, err)
	}
}

// TestNetworkLifecycle creates a network, checks what Compute Engine
// chose, updates it, checks that an up-to-date network costs no mutating
// call, and deletes it.
func TestNetworkLifecycle(t *testing.T) {
	t.Parallel()
	f := setUp(t)
	n := f.newNetwork(f.ns + "-net")
	n.Spec.ForProvider.Description = new("the test's network")
	f.create(t, n)
	f.ready(t, n)

	if got := meta.GetExternalName(n); got != n.Name {
		t.Fatalf("external name = %q, want the resource's name %q", got, n.Name)
	}
	at := n.Status.AtProvider
	if at.ID == "" || at.SelfLink == "" || at.State != "READY" {
		t.Errorf("atProvider = %+v, want an ID, a self link and READY", at)
	}
	// Late initialization records what Compute Engine chose.
	if fp := n.Spec.ForProvider; fp.MTU == nil || *fp.MTU != 1460 || fp.RoutingMode == nil || *fp.RoutingMode != "REGIONAL" {
		t.Errorf("spec.forProvider not late-initialized: mtu %v, routingMode %v", fp.MTU, fp.RoutingMode)
	}

	f.updateWithRetry(t, n, func() {
		n.Spec.ForProvider.RoutingMode = new("GLOBAL")
		n.Spec.ForProvider.MTU = new(int64(1500))
	})
	eventually(t, "routing mode and MTU patched in the local cloud", func() error {
		got, err := f.network(t, n.Name)
		if err != nil {
			return err
		}
		if got.GetRoutingConfig().GetRoutingMode() != "GLOBAL" || got.GetMtu() != 1500 {
			return fmt.Errorf("routing mode %s, MTU %d", got.GetRoutingConfig().GetRoutingMode(), got.GetMtu())
		}
		return nil
	})
	f.ready(t, n)

	f.deleteAndWait(t, n)
	f.wantNoNetwork(t, n.Name)
}
