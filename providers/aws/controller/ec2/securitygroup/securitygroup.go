// Package securitygroup manages Amazon EC2 security groups and their rules.
package securitygroup

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	awsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

// An API is the part of the EC2 API that manages security groups.
type API interface {
	clients.EC2TagAPI
	ruleAPI

	CreateSecurityGroup(ctx context.Context, in *ec2.CreateSecurityGroupInput, o ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, o ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, o ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
}

// A ruleAPI authorizes and revokes the rules of security groups.
type ruleAPI interface {
	AuthorizeSecurityGroupIngress(ctx context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, o ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	AuthorizeSecurityGroupEgress(ctx context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, o ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error)
	RevokeSecurityGroupIngress(ctx context.Context, in *ec2.RevokeSecurityGroupIngressInput, o ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error)
	RevokeSecurityGroupEgress(ctx context.Context, in *ec2.RevokeSecurityGroupEgressInput, o ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error)
	UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput, o ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error)
	UpdateSecurityGroupRuleDescriptionsEgress(ctx context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsEgressInput, o ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput, error)
}

// Setup adds a controller that reconciles security groups.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		config: clients.NewConfigurer(mgr.GetClient()),
		newAPI: func(cfg aws.Config) API { return ec2.NewFromConfig(cfg) },
	}
	k := provider.Kind{Managed: v1beta1.SecurityGroupGroupVersionKind, Usage: awsv1beta1.ProviderConfigUsageGroupVersionKind}
	// AWS chooses group IDs, so the external name starts empty rather
	// than as the resource's name.
	return provider.SetupManaged(mgr, o, k, &v1beta1.SecurityGroup{}, c, managed.WithInitializers())
}

type connector struct {
	config clients.ConfigSource
	newAPI func(aws.Config) API
}

// Connect returns a client for the security group's region.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.SecurityGroup) (managed.TypedExternalClient[*v1beta1.SecurityGroup], error) {
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

// Observe finds the security group by its ID or, before the ID is
// recorded, by the resource's UID tag.
func (e *external) Observe(ctx context.Context, cr *v1beta1.SecurityGroup) (managed.ExternalObservation, error) {
	sg, err := e.find(ctx, cr)
	if err != nil || sg == nil {
		return managed.ExternalObservation{}, err
	}
	adopted := false
	if meta.GetExternalName(cr) == "" {
		// Created by an earlier reconcile that stopped before recording
		// the ID.
		meta.SetExternalName(cr, aws.ToString(sg.GroupId))
		adopted = true
	}
	// Rules are not late-initialized: unset rules stay unmanaged.
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, &v1beta1.SecurityGroupParameters{
		Region:      aws.String(e.region),
		GroupName:   sg.GroupName,
		Description: sg.Description,
		VPCID:       sg.VpcId,
		Tags:        clients.UserTags(clients.EC2TagMap(sg.Tags)),
	}, cr.Spec.InitProvider)

	cr.Status.AtProvider = v1beta1.SecurityGroupObservation{
		GroupID: aws.ToString(sg.GroupId),
		ARN:     aws.ToString(sg.SecurityGroupArn),
		OwnerID: aws.ToString(sg.OwnerId),
		VPCID:   aws.ToString(sg.VpcId),
	}
	// A security group is usable as soon as it exists.
	cr.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        diff(cr, sg).empty(),
		ResourceLateInitialized: lateInit || adopted,
	}, nil
}

// find returns the security group of cr, or nil when it does not exist.
func (e *external) find(ctx context.Context, cr *v1beta1.SecurityGroup) (*ec2types.SecurityGroup, error) {
	in := &ec2.DescribeSecurityGroupsInput{}
	if id := meta.GetExternalName(cr); id != "" {
		in.GroupIds = []string{id}
	} else {
		in.Filters = clients.UIDFilter(cr)
	}
	out, err := e.api.DescribeSecurityGroups(ctx, in)
	if clients.IsCode(err, "InvalidGroup.NotFound") {
		return nil, nil
	}
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe security group")
	}
	if len(out.SecurityGroups) == 0 {
		return nil, nil
	}
	return &out.SecurityGroups[0], nil
}

// A groupDiff is what turns a security group into its spec.
type groupDiff struct {
	ingress, egress ruleDiff
	setTags         map[string]string
	removeTags      []string
}

func (d groupDiff) empty() bool {
	return d.ingress.empty() && d.egress.empty() && len(d.setTags) == 0 && len(d.removeTags) == 0
}

// diff returns what turns sg into cr's spec. The name, description and
// VPC cannot change.
func diff(cr *v1beta1.SecurityGroup, sg *ec2types.SecurityGroup) groupDiff {
	fp := cr.Spec.ForProvider
	set, remove := clients.DiffTags(clients.ManagedTags(cr, fp.Tags, clients.EC2TagMap(sg.Tags)), clients.EC2TagMap(sg.Tags))
	return groupDiff{
		ingress:    diffRules(fp.Ingress, sg.IpPermissions),
		egress:     diffRules(fp.Egress, sg.IpPermissionsEgress),
		setTags:    set,
		removeTags: remove,
	}
}

// Create creates the security group, tagged with the resource's UID so that
// a later reconcile finds it even if its ID is never recorded
// (CreateSecurityGroup takes no client token). The group is named after
// the resource unless spec.forProvider.groupName is set.
func (e *external) Create(ctx context.Context, cr *v1beta1.SecurityGroup) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	name := p.GroupName
	if name == nil {
		name = aws.String(cr.GetName())
	}
	out, err := e.api.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   name,
		Description: p.Description,
		VpcId:       p.VPCID,
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags:         clients.EC2Tags(clients.DesiredTags(cr, p.Tags)),
		}},
	})
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create security group")
	}
	meta.SetExternalName(cr, aws.ToString(out.GroupId))
	// The next reconcile authorizes the spec's rules, and revokes AWS's
	// default egress rule if spec.forProvider.egress lacks it.
	return managed.ExternalCreation{}, nil
}

// Update authorizes the rules the group lacks, revokes those the spec does
// not have, corrects rule descriptions and sets the tags. It authorizes
// before it revokes, so that traffic both old and new rules allow is never
// cut off.
func (e *external) Update(ctx context.Context, cr *v1beta1.SecurityGroup) (managed.ExternalUpdate, error) {
	sg, err := e.find(ctx, cr)
	if err != nil || sg == nil {
		return managed.ExternalUpdate{}, err
	}
	id := sg.GroupId
	d := diff(cr, sg)
	if len(d.ingress.authorize) > 0 {
		if _, err := e.api.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: id, IpPermissions: d.ingress.authorize}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot authorize security group ingress")
		}
	}
	if len(d.egress.authorize) > 0 {
		if _, err := e.api.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: id, IpPermissions: d.egress.authorize}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot authorize security group egress")
		}
	}
	if len(d.ingress.revoke) > 0 {
		if _, err := e.api.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: id, IpPermissions: d.ingress.revoke}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot revoke security group ingress")
		}
	}
	if len(d.egress.revoke) > 0 {
		if _, err := e.api.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: id, IpPermissions: d.egress.revoke}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot revoke security group egress")
		}
	}
	if len(d.ingress.describe) > 0 {
		if _, err := e.api.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: id, IpPermissions: d.ingress.describe}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update security group ingress rule descriptions")
		}
	}
	if len(d.egress.describe) > 0 {
		if _, err := e.api.UpdateSecurityGroupRuleDescriptionsEgress(ctx, &ec2.UpdateSecurityGroupRuleDescriptionsEgressInput{GroupId: id, IpPermissions: d.egress.describe}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot update security group egress rule descriptions")
		}
	}
	return managed.ExternalUpdate{}, clients.UpdateEC2Tags(ctx, e.api, aws.ToString(id), clients.ManagedTags(cr, cr.Spec.ForProvider.Tags, clients.EC2TagMap(sg.Tags)), clients.EC2TagMap(sg.Tags))
}

// Delete deletes the security group. A group that network interfaces or
// other groups' rules still use cannot be deleted; the error says so and
// the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.SecurityGroup) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	_, err := e.api.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(meta.GetExternalName(cr))})
	switch {
	case err == nil, clients.IsCode(err, "InvalidGroup.NotFound"):
		return managed.ExternalDelete{}, nil
	case clients.IsCode(err, "DependencyViolation"):
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete security group: network interfaces or other security groups' rules still use it; the delete is retried until they are gone")
	default:
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete security group")
	}
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
