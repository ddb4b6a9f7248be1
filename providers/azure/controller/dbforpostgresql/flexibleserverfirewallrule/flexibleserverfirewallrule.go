// Package flexibleserverfirewallrule manages the firewall rules of Azure
// Database for PostgreSQL flexible servers.
package flexibleserverfirewallrule

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/postgresql/armpostgresqlflexibleservers/v5"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/dbforpostgresql/v1beta1"
	azurev1beta1 "github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// codeServerDropping is Azure's answer to a change of a server being
// deleted, which takes its databases and firewall rules with it.
const codeServerDropping = "ServerGroupDropping"

// An API is the part of the PostgreSQL flexible servers API that manages
// firewall rules; *armpostgresqlflexibleservers.FirewallRulesClient is one.
type API interface {
	Get(ctx context.Context, rg, server, name string, o *armpostgresqlflexibleservers.FirewallRulesClientGetOptions) (armpostgresqlflexibleservers.FirewallRulesClientGetResponse, error)
	BeginCreateOrUpdate(ctx context.Context, rg, server, name string, r armpostgresqlflexibleservers.FirewallRule, o *armpostgresqlflexibleservers.FirewallRulesClientBeginCreateOrUpdateOptions) (*runtime.Poller[armpostgresqlflexibleservers.FirewallRulesClientCreateOrUpdateResponse], error)
	BeginDelete(ctx context.Context, rg, server, name string, o *armpostgresqlflexibleservers.FirewallRulesClientBeginDeleteOptions) (*runtime.Poller[armpostgresqlflexibleservers.FirewallRulesClientDeleteResponse], error)
}

// APIs are the clients a firewall rule is managed with.
type APIs struct {
	API     API
	Servers clients.ServerGetter
}

// NewAPIs returns the clients of conn's subscription.
func NewAPIs(conn *clients.Connection) (APIs, error) {
	api, err := armpostgresqlflexibleservers.NewFirewallRulesClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	servers, err := armpostgresqlflexibleservers.NewServersClient(conn.SubscriptionID, conn.Credential, conn.Options)
	if err != nil {
		return APIs{}, err
	}
	return APIs{API: api, Servers: servers}, nil
}

// Setup adds a controller that reconciles flexible server firewall rules.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPI: NewAPIs, ops: clients.NewOperations(mgr.GetClient())}
	k := provider.Kind{Managed: v1beta1.FlexibleServerFirewallRuleGroupVersionKind, Usage: azurev1beta1.ProviderConfigUsageGroupVersionKind}
	// The rule's name is the external name, the resource's name unless
	// set.
	return provider.SetupManaged(mgr, o, k, &v1beta1.FlexibleServerFirewallRule{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn   clients.ConnectionSource
	newAPI func(*clients.Connection) (APIs, error)
	ops    *clients.Operations
}

// Connect returns a client for the rule's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.FlexibleServerFirewallRule) (managed.TypedExternalClient[*v1beta1.FlexibleServerFirewallRule], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	apis, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create firewall rules client")
	}
	return &external{api: apis.API, servers: apis.Servers, ops: c.ops}, nil
}

type external struct {
	api     API
	servers clients.ServerGetter
	ops     *clients.Operations

	// op is the operation in progress Observe saw, if any.
	op *clients.Operation
}

// A place is where a rule is: its resource group, server and name.
type place struct{ rg, server, name string }

func placeOf(cr *v1beta1.FlexibleServerFirewallRule) (place, error) {
	fp := cr.Spec.ForProvider
	p := place{rg: clients.Deref(fp.ResourceGroupName), server: clients.Deref(fp.ServerName), name: meta.GetExternalName(cr)}
	switch {
	case p.rg == "":
		return p, errors.New("spec.forProvider.resourceGroupName is not set (nor resolved from a reference)")
	case p.server == "":
		return p, errors.New("spec.forProvider.serverName is not set (nor resolved from its reference)")
	}
	return p, nil
}

// resume resumes the operation op describes on the rule at p.
func (e *external) resume(p place) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		switch op.Verb {
		case clients.VerbCreate, clients.VerbUpdate:
			return clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, p.rg, p.server, p.name, armpostgresqlflexibleservers.FirewallRule{}, &armpostgresqlflexibleservers.FirewallRulesClientBeginCreateOrUpdateOptions{ResumeToken: op.Token}))
		case clients.VerbDelete:
			return clients.AsPoller(e.api.BeginDelete(ctx, p.rg, p.server, p.name, &armpostgresqlflexibleservers.FirewallRulesClientBeginDeleteOptions{ResumeToken: op.Token}))
		}
		return nil, errors.Errorf("firewall rules have no %s operation", op.Verb)
	}
}

// Observe polls the operation in progress, if any, and finds the rule by
// its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.FlexibleServerFirewallRule) (managed.ExternalObservation, error) {
	p, err := placeOf(cr)
	if err != nil || p.name == "" {
		return managed.ExternalObservation{}, err
	}
	if e.op, err = e.ops.Check(ctx, cr, e.resume(p)); err != nil {
		return managed.ExternalObservation{}, err
	}
	rsp, err := e.api.Get(ctx, p.rg, p.server, p.name, nil)
	if clients.IsNotFound(err) {
		return e.absent(ctx, cr, p)
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get firewall rule")
	}
	observed := &v1beta1.FlexibleServerFirewallRuleParameters{}
	if rp := rsp.Properties; rp != nil {
		observed.StartIPAddress, observed.EndIPAddress = rp.StartIPAddress, rp.EndIPAddress
	}
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)
	cr.Status.AtProvider = v1beta1.FlexibleServerFirewallRuleObservation{ID: clients.Deref(rsp.ID)}
	// Azure reports no state: a database or rule it shows exists.
	clients.SetConditions(cr, clients.StateSucceeded, e.op)
	fp := cr.Spec.ForProvider
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        e.op != nil || (matches(fp.StartIPAddress, observed.StartIPAddress) && matches(fp.EndIPAddress, observed.EndIPAddress)),
		ResourceLateInitialized: lateInit,
	}, nil
}

// matches reports whether an observed value satisfies a desired one: equal,
// or not desired.
func matches(desired, observed *string) bool {
	return desired == nil || clients.Deref(observed) == *desired
}

// absent observes a firewall rule Azure does not have. While its server exists but
// cannot take it yet (being provisioned, say), the firewall rule waits, Creating,
// instead of failing to create with an error that would back the resource
// off for ever longer; it is observed again at the next poll.
func (e *external) absent(ctx context.Context, cr resource.Managed, p place) (managed.ExternalObservation, error) {
	if meta.WasDeleted(cr) {
		return managed.ExternalObservation{}, nil
	}
	state, err := clients.ServerNotReady(ctx, e.servers, p.rg, p.server)
	if err != nil || state == "" {
		return managed.ExternalObservation{}, err
	}
	cr.SetConditions(xpv2.Creating().WithMessage("waiting for flexible server " + p.server + ", which is " + state))
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

// Create starts creating the rule and records the operation.
func (e *external) Create(ctx context.Context, cr *v1beta1.FlexibleServerFirewallRule) (managed.ExternalCreation, error) {
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, "cannot create firewall rule")
	}
	fp := cr.Spec.ForProvider
	provider.FillNil(&fp, cr.Spec.InitProvider, nil)
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, p.rg, p.server, p.name, rule(fp.StartIPAddress, fp.EndIPAddress), nil))
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create firewall rule")
	}
	// The reconciler saves the record with the external name.
	return managed.ExternalCreation{}, clients.Wrap(e.ops.Start(ctx, cr, clients.VerbCreate, poller, nil), "cannot create firewall rule")
}

func rule(start, end *string) armpostgresqlflexibleservers.FirewallRule {
	return armpostgresqlflexibleservers.FirewallRule{Properties: &armpostgresqlflexibleservers.FirewallRuleProperties{StartIPAddress: start, EndIPAddress: end}}
}

// Update starts replacing the rule's range (a rule is its two addresses, so
// the PUT carries just them) and records the operation.
func (e *external) Update(ctx context.Context, cr *v1beta1.FlexibleServerFirewallRule) (managed.ExternalUpdate, error) {
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalUpdate{}, errors.Wrap(err, "cannot update firewall rule")
	}
	fp := cr.Spec.ForProvider
	poller, err := clients.AsPoller(e.api.BeginCreateOrUpdate(ctx, p.rg, p.server, p.name, rule(fp.StartIPAddress, fp.EndIPAddress), nil))
	if err != nil {
		return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update firewall rule")
	}
	return managed.ExternalUpdate{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbUpdate, poller, nil), "cannot update firewall rule")
}

// Delete starts deleting the rule, unless Observe saw that under way.
func (e *external) Delete(ctx context.Context, cr *v1beta1.FlexibleServerFirewallRule) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if e.op != nil && e.op.Verb == clients.VerbDelete {
		return managed.ExternalDelete{}, nil
	}
	p, err := placeOf(cr)
	if err != nil {
		return managed.ExternalDelete{}, errors.Wrap(err, "cannot delete firewall rule")
	}
	poller, err := clients.AsPoller(e.api.BeginDelete(ctx, p.rg, p.server, p.name, nil))
	if clients.IsNotFound(err) || clients.IsCode(err, codeServerDropping) {
		// Gone, or going with its server.
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete firewall rule")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, poller, nil), "cannot delete firewall rule")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
