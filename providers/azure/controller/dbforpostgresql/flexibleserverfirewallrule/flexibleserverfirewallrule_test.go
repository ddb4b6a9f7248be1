package flexibleserverfirewallrule

import (
	"context"
	"net/http"
	"testing"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5/fake"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
	"github.com/stratus-dev/stratus/providers/azure/internal/fakes"
)

const (
	name   = "office"
	rg     = "shop"
	server = "shop-db"
	id     = "/subscriptions/" + fakes.Subscription + "/resourceGroups/" + rg + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/" + server + "/firewallRules/" + name
)

// A cloud is what the fake API knows: the rule (nil when there is none),
// the state of its server, and the writes it was asked for.
type cloud struct {
	rule        *armpostgresqlflexibleservers.FirewallRule
	serverState armpostgresqlflexibleservers.ServerState
	put         azfake.PollerResponder[armpostgresqlflexibleservers.FirewallRulesClientCreateOrUpdateResponse]
	delete      azfake.PollerResponder[armpostgresqlflexibleservers.FirewallRulesClientDeleteResponse]

	calls []any
}

func (c *cloud) apis(t *testing.T) APIs {
	t.Helper()
	rules := fake.FirewallRulesServer{
		Get: func(_ context.Context, _, _, _ string, _ *armpostgresqlflexibleservers.FirewallRulesClientGetOptions) (azfake.Responder[armpostgresqlflexibleservers.FirewallRulesClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armpostgresqlflexibleservers.FirewallRulesClientGetResponse]
			if c.rule == nil {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armpostgresqlflexibleservers.FirewallRulesClientGetResponse{FirewallRule: *c.rule}, nil)
			return r, azfake.ErrorResponder{}
		},
		BeginCreateOrUpdate: func(_ context.Context, _, _, _ string, fr armpostgresqlflexibleservers.FirewallRule, _ *armpostgresqlflexibleservers.FirewallRulesClientBeginCreateOrUpdateOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.FirewallRulesClientCreateOrUpdateResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, fr)
			return c.put, azfake.ErrorResponder{}
		},
		BeginDelete: func(context.Context, string, string, string, *armpostgresqlflexibleservers.FirewallRulesClientBeginDeleteOptions) (azfake.PollerResponder[armpostgresqlflexibleservers.FirewallRulesClientDeleteResponse], azfake.ErrorResponder) {
			c.calls = append(c.calls, "delete")
			return c.delete, azfake.ErrorResponder{}
		},
	}
	servers := fake.ServersServer{
		Get: func(context.Context, string, string, *armpostgresqlflexibleservers.ServersClientGetOptions) (azfake.Responder[armpostgresqlflexibleservers.ServersClientGetResponse], azfake.ErrorResponder) {
			var r azfake.Responder[armpostgresqlflexibleservers.ServersClientGetResponse]
			if c.serverState == "" {
				return r, fakes.Error(http.StatusNotFound, "ResourceNotFound")
			}
			r.SetResponse(http.StatusOK, armpostgresqlflexibleservers.ServersClientGetResponse{Server: armpostgresqlflexibleservers.Server{
				Properties: &armpostgresqlflexibleservers.ServerProperties{State: &c.serverState},
			}}, nil)
			return r, azfake.ErrorResponder{}
		},
	}
	apis, err := NewAPIs(fakes.Connection(fake.NewServerFactoryTransport(&fake.ServerFactory{FirewallRulesServer: rules, ServersServer: servers})))
	if err != nil {
		t.Fatal(err)
	}
	return apis
}

func firewallRule(end string) *armpostgresqlflexibleservers.FirewallRule {
	return &armpostgresqlflexibleservers.FirewallRule{
		ID: new(id), Name: new(name),
		Properties: &armpostgresqlflexibleservers.FirewallRuleProperties{StartIPAddress: new("203.0.113.0"), EndIPAddress: new(end)},
	}
}

func newRule(mods ...func(*v1beta1.FlexibleServerFirewallRule)) *v1beta1.FlexibleServerFirewallRule {
	cr := &v1beta1.FlexibleServerFirewallRule{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid"), ResourceVersion: "1"},
		Spec: v1beta1.FlexibleServerFirewallRuleSpec{ForProvider: v1beta1.FlexibleServerFirewallRuleParameters{
			ResourceGroupName: new(rg), ServerName: new(server), StartIPAddress: new("203.0.113.0"), EndIPAddress: new("203.0.113.255"),
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func observed(cr *v1beta1.FlexibleServerFirewallRule) {
	cr.Status.AtProvider = v1beta1.FlexibleServerFirewallRuleObservation{ID: id}
	cr.SetConditions(xpv2.Available())
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason string
		cloud  *cloud
		cr     *v1beta1.FlexibleServerFirewallRule
		wantCR *v1beta1.FlexibleServerFirewallRule
		want   managed.ExternalObservation
	}{
		"NotFound": {
			reason: "A rule Azure does not have, on a Ready server, is created.",
			cloud:  &cloud{serverState: armpostgresqlflexibleservers.ServerStateReady},
			cr:     newRule(),
			wantCR: newRule(),
		},
		"WaitingForServer": {
			reason: "A rule whose server is being updated waits, Creating.",
			cloud:  &cloud{serverState: armpostgresqlflexibleservers.ServerStateUpdating},
			cr:     newRule(),
			wantCR: newRule(func(cr *v1beta1.FlexibleServerFirewallRule) {
				cr.SetConditions(xpv2.Creating().WithMessage("waiting for flexible server " + server + ", which is Updating"))
			}),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"UpToDate": {
			reason: "A rule with the spec's range is up to date.",
			cloud:  &cloud{rule: firewallRule("203.0.113.255")},
			cr:     newRule(),
			wantCR: newRule(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
		},
		"RangeDiffers": {
			reason: "A rule whose range differs needs an update.",
			cloud:  &cloud{rule: firewallRule("203.0.113.127")},
			cr:     newRule(),
			wantCR: newRule(observed),
			want:   managed.ExternalObservation{ResourceExists: true},
		},
		"LateInitialized": {
			reason: "An adopted rule's range fills an empty spec.",
			cloud:  &cloud{rule: firewallRule("203.0.113.255")},
			cr: newRule(func(cr *v1beta1.FlexibleServerFirewallRule) {
				cr.Spec.ForProvider.StartIPAddress, cr.Spec.ForProvider.EndIPAddress = nil, nil
			}),
			wantCR: newRule(observed),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			apis := tc.cloud.apis(t)
			e := &external{api: apis.API, servers: apis.Servers, ops: clients.NewOperations(fakes.NewKube(nil))}
			o, err := e.Observe(context.Background(), tc.cr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantCR, tc.cr); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreateUpdateDelete(t *testing.T) {
	type want struct {
		calls   []any
		patches []string
		op      string
	}
	want1 := armpostgresqlflexibleservers.FirewallRule{Properties: &armpostgresqlflexibleservers.FirewallRuleProperties{StartIPAddress: new("203.0.113.0"), EndIPAddress: new("203.0.113.255")}}
	cases := map[string]struct {
		reason string
		call   func(e *external, cr *v1beta1.FlexibleServerFirewallRule) error
		want   want
	}{
		"Create": {
			reason: "A create sends the range and records the operation in memory (the reconciler saves it).",
			call: func(e *external, cr *v1beta1.FlexibleServerFirewallRule) error {
				_, err := e.Create(context.Background(), cr)
				return err
			},
			want: want{calls: []any{want1}, op: clients.VerbCreate},
		},
		"Update": {
			reason: "An update sends the rule's range, the whole of it, and records the operation in the API server.",
			call: func(e *external, cr *v1beta1.FlexibleServerFirewallRule) error {
				_, err := e.Update(context.Background(), cr)
				return err
			},
			want: want{calls: []any{want1}, patches: []string{"azure.stratus.dev/operation=update"}, op: clients.VerbUpdate},
		},
		"Delete": {
			reason: "A delete is started and recorded.",
			call: func(e *external, cr *v1beta1.FlexibleServerFirewallRule) error {
				_, err := e.Delete(context.Background(), cr)
				return err
			},
			want: want{calls: []any{"delete"}, patches: []string{"azure.stratus.dev/operation=delete"}, op: clients.VerbDelete},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			c := &cloud{
				put:    fakes.Accepted(2, armpostgresqlflexibleservers.FirewallRulesClientCreateOrUpdateResponse{}),
				delete: fakes.Accepted(2, armpostgresqlflexibleservers.FirewallRulesClientDeleteResponse{}),
			}
			apis := c.apis(t)
			k := fakes.NewKube(nil)
			e := &external{api: apis.API, servers: apis.Servers, ops: clients.NewOperations(k)}
			cr := newRule()
			if err := tc.call(e, cr); err != nil {
				t.Fatal(err)
			}
			got := want{calls: c.calls, patches: k.Patches}
			if op := clients.GetOperation(cr); op != nil {
				got.op = op.Verb
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
