// Package resourcegroup manages Azure resource groups.
package resourcegroup

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/azure/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/azure/internal/clients"
)

// An API is the part of the Resource Manager API that manages resource
// groups; *armresources.ResourceGroupsClient is one.
type API interface {
	Get(ctx context.Context, name string, o *armresources.ResourceGroupsClientGetOptions) (armresources.ResourceGroupsClientGetResponse, error)
	CreateOrUpdate(ctx context.Context, name string, rg armresources.ResourceGroup, o *armresources.ResourceGroupsClientCreateOrUpdateOptions) (armresources.ResourceGroupsClientCreateOrUpdateResponse, error)
	Update(ctx context.Context, name string, rg armresources.ResourceGroupPatchable, o *armresources.ResourceGroupsClientUpdateOptions) (armresources.ResourceGroupsClientUpdateResponse, error)
	BeginDelete(ctx context.Context, name string, o *armresources.ResourceGroupsClientBeginDeleteOptions) (*runtime.Poller[armresources.ResourceGroupsClientDeleteResponse], error)
}

// NewAPI returns the resource groups client of conn's subscription.
func NewAPI(conn *clients.Connection) (API, error) {
	return armresources.NewResourceGroupsClient(conn.SubscriptionID, conn.Credential, conn.Options)
}

// Setup adds a controller that reconciles resource groups.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{conn: clients.NewConfigurer(mgr.GetClient()), newAPI: NewAPI, ops: clients.NewOperations(mgr.GetClient())}
	k := provider.Kind{Managed: v1beta1.ResourceGroupGroupVersionKind, Usage: v1beta1.ProviderConfigUsageGroupVersionKind}
	// The group's name is the external name, the resource's name unless
	// set: a create retried after a crash finds the group by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.ResourceGroup{}, c, managed.WithPollIntervalHook(clients.PollInterval))
}

type connector struct {
	conn   clients.ConnectionSource
	newAPI func(*clients.Connection) (API, error)
	ops    *clients.Operations
}

// Connect returns a client for the resource group's subscription.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.ResourceGroup) (managed.TypedExternalClient[*v1beta1.ResourceGroup], error) {
	conn, err := c.conn.Connect(ctx, cr)
	if err != nil {
		return nil, err
	}
	api, err := c.newAPI(conn)
	if err != nil {
		return nil, errors.Wrap(err, "cannot create resource groups client")
	}
	return &external{api: api, ops: c.ops}, nil
}

type external struct {
	api API
	ops *clients.Operations

	// op is the operation in progress that Observe saw, if any.
	op *clients.Operation
	// state is the provisioning state Observe saw.
	state string
	// tags are the tags Observe saw.
	tags map[string]string
}

// resume resumes the deletion recorded on a resource group; deleting is the
// only operation on resource groups that takes long.
func (e *external) resume(name string) clients.ResumeFn {
	return func(ctx context.Context, op clients.Operation) (clients.Poller, error) {
		if op.Verb != clients.VerbDelete {
			return nil, errors.Errorf("resource groups have no %s operation", op.Verb)
		}
		return clients.AsPoller(e.api.BeginDelete(ctx, name, &armresources.ResourceGroupsClientBeginDeleteOptions{ResumeToken: op.Token}))
	}
}

// Observe polls the operation in progress, if any, and finds the resource
// group by its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.ResourceGroup) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if name == "" {
		return managed.ExternalObservation{}, nil
	}
	op, err := e.ops.Check(ctx, cr, e.resume(name))
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	e.op = op
	rsp, err := e.api.Get(ctx, name, nil)
	if clients.IsNotFound(err) {
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, clients.Wrap(err, "cannot get resource group")
	}
	rg := rsp.ResourceGroup
	e.tags = clients.FromPtrMap(rg.Tags)
	observed := &v1beta1.ResourceGroupParameters{Location: rg.Location, Tags: clients.UserTags(e.tags)}
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	cr.Status.AtProvider = v1beta1.ResourceGroupObservation{ID: clients.Deref(rg.ID), Location: clients.Deref(rg.Location)}
	if rg.Properties != nil {
		cr.Status.AtProvider.ProvisioningState = clients.Deref(rg.Properties.ProvisioningState)
	}
	e.state = cr.Status.AtProvider.ProvisioningState
	clients.SetConditions(cr, e.state, op)
	return managed.ExternalObservation{
		ResourceExists: true,
		// A group being deleted has nothing left to update.
		ResourceUpToDate:        op != nil || e.state == clients.StateDeleting || clients.TagsUpToDate(cr, cr.Spec.ForProvider.Tags, e.tags),
		ResourceLateInitialized: lateInit,
	}, nil
}

// Create creates the resource group. Resource Manager creates groups at
// once; a repeated create of the same group changes nothing.
func (e *external) Create(ctx context.Context, cr *v1beta1.ResourceGroup) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	if p.Location == nil {
		return managed.ExternalCreation{}, errors.New("cannot create resource group: spec.forProvider.location is required")
	}
	_, err := e.api.CreateOrUpdate(ctx, meta.GetExternalName(cr), armresources.ResourceGroup{
		Location: p.Location,
		Tags:     clients.ToPtrMap(clients.DesiredTags(cr, p.Tags)),
	}, nil)
	return managed.ExternalCreation{}, clients.Wrap(err, "cannot create resource group")
}

// Update sets the resource group's tags, the only thing about a group that
// can change, with a PATCH that carries the tags alone.
func (e *external) Update(ctx context.Context, cr *v1beta1.ResourceGroup) (managed.ExternalUpdate, error) {
	_, err := e.api.Update(ctx, meta.GetExternalName(cr), armresources.ResourceGroupPatchable{
		Tags: clients.ToPtrMap(clients.ManagedTags(cr, cr.Spec.ForProvider.Tags, e.tags)),
	}, nil)
	return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update resource group tags")
}

// Delete starts deleting the resource group, with every resource in it,
// unless Observe saw the deletion under way.
func (e *external) Delete(ctx context.Context, cr *v1beta1.ResourceGroup) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	if e.op != nil || e.state == clients.StateDeleting {
		return managed.ExternalDelete{}, nil
	}
	p, err := clients.AsPoller(e.api.BeginDelete(ctx, meta.GetExternalName(cr), nil))
	if clients.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	if err != nil {
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete resource group")
	}
	return managed.ExternalDelete{}, errors.Wrap(e.ops.Record(ctx, cr, clients.VerbDelete, p, nil), "cannot delete resource group")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
