// Package dbsubnetgroup manages Amazon RDS DB subnet groups.
package dbsubnetgroup

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
	awsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

// An API is the part of the RDS API that manages DB subnet groups.
type API interface {
	CreateDBSubnetGroup(ctx context.Context, in *rds.CreateDBSubnetGroupInput, o ...func(*rds.Options)) (*rds.CreateDBSubnetGroupOutput, error)
	DescribeDBSubnetGroups(ctx context.Context, in *rds.DescribeDBSubnetGroupsInput, o ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error)
	ModifyDBSubnetGroup(ctx context.Context, in *rds.ModifyDBSubnetGroupInput, o ...func(*rds.Options)) (*rds.ModifyDBSubnetGroupOutput, error)
	DeleteDBSubnetGroup(ctx context.Context, in *rds.DeleteDBSubnetGroupInput, o ...func(*rds.Options)) (*rds.DeleteDBSubnetGroupOutput, error)
	ListTagsForResource(ctx context.Context, in *rds.ListTagsForResourceInput, o ...func(*rds.Options)) (*rds.ListTagsForResourceOutput, error)
	AddTagsToResource(ctx context.Context, in *rds.AddTagsToResourceInput, o ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(ctx context.Context, in *rds.RemoveTagsFromResourceInput, o ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
}

// Setup adds a controller that reconciles DB subnet groups.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		config: clients.NewConfigurer(mgr.GetClient()),
		newAPI: func(cfg aws.Config) API { return rds.NewFromConfig(cfg) },
	}
	k := provider.Kind{Managed: v1beta1.DBSubnetGroupGroupVersionKind, Usage: awsv1beta1.ProviderConfigUsageGroupVersionKind}
	// The group's name is its external name, the resource's name unless
	// set: a create retried after a crash finds the group by it.
	return provider.SetupManaged(mgr, o, k, &v1beta1.DBSubnetGroup{}, c)
}

type connector struct {
	config clients.ConfigSource
	newAPI func(aws.Config) API
}

// Connect returns a client for the DB subnet group's region.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.DBSubnetGroup) (managed.TypedExternalClient[*v1beta1.DBSubnetGroup], error) {
	cfg, err := c.config.Config(ctx, cr, aws.ToString(cr.Spec.ForProvider.Region))
	if err != nil {
		return nil, err
	}
	return &external{api: c.newAPI(cfg), region: cfg.Region}, nil
}

type external struct {
	api    API
	region string
}

// Observe finds the DB subnet group by its name.
func (e *external) Observe(ctx context.Context, cr *v1beta1.DBSubnetGroup) (managed.ExternalObservation, error) {
	g, tags, err := e.find(ctx, cr)
	if err != nil || g == nil {
		return managed.ExternalObservation{}, err
	}
	observed := e.parameters(g, tags)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	cr.Status.AtProvider = v1beta1.DBSubnetGroupObservation{
		ARN:       aws.ToString(g.DBSubnetGroupArn),
		VPCID:     aws.ToString(g.VpcId),
		Status:    aws.ToString(g.SubnetGroupStatus),
		SubnetIDs: observed.SubnetIDs,
	}
	cr.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        groupUpToDate(&cr.Spec.ForProvider, observed) && tagsUpToDate(cr, tags),
		ResourceLateInitialized: lateInit,
	}, nil
}

// find returns the DB subnet group of cr and its tags, or nil when it does
// not exist.
func (e *external) find(ctx context.Context, cr *v1beta1.DBSubnetGroup) (*rdstypes.DBSubnetGroup, map[string]string, error) {
	name := meta.GetExternalName(cr)
	if name == "" {
		return nil, nil, nil
	}
	out, err := e.api.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(name)})
	if notFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, clients.Wrap(err, "cannot describe DB subnet group")
	}
	if len(out.DBSubnetGroups) == 0 {
		return nil, nil, nil
	}
	g := &out.DBSubnetGroups[0]
	// DescribeDBSubnetGroups does not return tags.
	t, err := e.api.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBSubnetGroupArn})
	if err != nil {
		return nil, nil, clients.Wrap(err, "cannot list tags of DB subnet group")
	}
	return g, clients.RDSTagMap(t.TagList), nil
}

// parameters returns the DB subnet group's configuration in the shape of
// its spec.
func (e *external) parameters(g *rdstypes.DBSubnetGroup, tags map[string]string) *v1beta1.DBSubnetGroupParameters {
	p := &v1beta1.DBSubnetGroupParameters{
		Region:      aws.String(e.region),
		Description: g.DBSubnetGroupDescription,
		Tags:        clients.UserTags(tags),
	}
	for _, s := range g.Subnets {
		p.SubnetIDs = append(p.SubnetIDs, aws.ToString(s.SubnetIdentifier))
	}
	return p
}

// groupUpToDate reports whether the group's description and subnets match
// the spec; unset fields match anything.
func groupUpToDate(fp *v1beta1.DBSubnetGroupParameters, observed *v1beta1.DBSubnetGroupParameters) bool {
	if fp.Description != nil && aws.ToString(fp.Description) != aws.ToString(observed.Description) {
		return false
	}
	return fp.SubnetIDs == nil || clients.SameIDs(fp.SubnetIDs, observed.SubnetIDs)
}

// tagsUpToDate reports whether the group carries exactly the desired tags.
func tagsUpToDate(cr *v1beta1.DBSubnetGroup, observed map[string]string) bool {
	set, remove := clients.DiffTags(clients.ManagedTags(cr, cr.Spec.ForProvider.Tags, observed), observed)
	return len(set) == 0 && len(remove) == 0
}

// Create creates the DB subnet group, named by the external name.
func (e *external) Create(ctx context.Context, cr *v1beta1.DBSubnetGroup) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	_, err := e.api.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{
		DBSubnetGroupName:        aws.String(meta.GetExternalName(cr)),
		DBSubnetGroupDescription: p.Description,
		SubnetIds:                p.SubnetIDs,
		Tags:                     clients.RDSTags(clients.DesiredTags(cr, p.Tags)),
	})
	return managed.ExternalCreation{}, clients.Wrap(err, "cannot create DB subnet group")
}

// Update sets the description, subnets and tags that differ from the spec.
func (e *external) Update(ctx context.Context, cr *v1beta1.DBSubnetGroup) (managed.ExternalUpdate, error) {
	g, tags, err := e.find(ctx, cr)
	if err != nil || g == nil {
		return managed.ExternalUpdate{}, err
	}
	fp := cr.Spec.ForProvider
	observed := e.parameters(g, tags)
	if !groupUpToDate(&fp, observed) {
		// ModifyDBSubnetGroup always takes the full list of subnets.
		in := &rds.ModifyDBSubnetGroupInput{DBSubnetGroupName: g.DBSubnetGroupName, SubnetIds: observed.SubnetIDs}
		if fp.SubnetIDs != nil {
			in.SubnetIds = fp.SubnetIDs
		}
		if fp.Description != nil && aws.ToString(fp.Description) != aws.ToString(observed.Description) {
			in.DBSubnetGroupDescription = fp.Description
		}
		if _, err := e.api.ModifyDBSubnetGroup(ctx, in); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot modify DB subnet group")
		}
	}
	return managed.ExternalUpdate{}, clients.UpdateRDSTags(ctx, e.api, aws.ToString(g.DBSubnetGroupArn), clients.ManagedTags(cr, fp.Tags, tags), tags)
}

// Delete deletes the DB subnet group. AWS refuses while a DB instance uses
// it; the error says so and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.DBSubnetGroup) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	_, err := e.api.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String(meta.GetExternalName(cr))})
	if notFound(err) {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete DB subnet group")
}

// notFound reports whether err says the DB subnet group does not exist.
func notFound(err error) bool {
	var nf *rdstypes.DBSubnetGroupNotFoundFault
	return errors.As(err, &nf)
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
