// Package subnet manages the subnets of Amazon VPCs.
package subnet

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

// An API is the part of the EC2 API that manages subnets.
type API interface {
	CreateSubnet(ctx context.Context, in *ec2.CreateSubnetInput, o ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, o ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	ModifySubnetAttribute(ctx context.Context, in *ec2.ModifySubnetAttributeInput, o ...func(*ec2.Options)) (*ec2.ModifySubnetAttributeOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, o ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, o ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
	DeleteSubnet(ctx context.Context, in *ec2.DeleteSubnetInput, o ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error)
}

// Setup adds a controller that reconciles subnets.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		config: clients.NewConfigurer(mgr.GetClient()),
		newAPI: func(cfg aws.Config) API { return ec2.NewFromConfig(cfg) },
	}
	k := provider.Kind{Managed: v1beta1.SubnetGroupVersionKind, Usage: awsv1beta1.ProviderConfigUsageGroupVersionKind}
	// AWS chooses subnet IDs, so the external name starts empty rather
	// than as the resource's name.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Subnet{}, c, managed.WithInitializers())
}

type connector struct {
	config clients.ConfigSource
	newAPI func(aws.Config) API
}

// Connect returns a client for the subnet's region.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Subnet) (managed.TypedExternalClient[*v1beta1.Subnet], error) {
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

// Observe finds the subnet by its ID or, before the ID is recorded, by the
// resource's UID tag.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalObservation, error) {
	sn, err := e.find(ctx, cr)
	if err != nil || sn == nil {
		return managed.ExternalObservation{}, err
	}
	adopted := false
	if meta.GetExternalName(cr) == "" {
		// Created by an earlier reconcile that stopped before recording
		// the ID.
		meta.SetExternalName(cr, aws.ToString(sn.SubnetId))
		adopted = true
	}
	observed := e.parameters(sn)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	cr.Status.AtProvider = v1beta1.SubnetObservation{
		SubnetID:                aws.ToString(sn.SubnetId),
		ARN:                     aws.ToString(sn.SubnetArn),
		State:                   string(sn.State),
		AvailableIPAddressCount: aws.ToInt32(sn.AvailableIpAddressCount),
		AvailabilityZone:        aws.ToString(sn.AvailabilityZone),
		VPCID:                   aws.ToString(sn.VpcId),
	}
	if sn.State == ec2types.SubnetStateAvailable {
		cr.SetConditions(xpv2.Available())
	} else {
		cr.SetConditions(xpv2.Creating())
	}
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        upToDate(cr, observed, clients.EC2TagMap(sn.Tags)),
		ResourceLateInitialized: lateInit || adopted,
	}, nil
}

// find returns the subnet of cr, or nil when it does not exist.
func (e *external) find(ctx context.Context, cr *v1beta1.Subnet) (*ec2types.Subnet, error) {
	in := &ec2.DescribeSubnetsInput{}
	if id := meta.GetExternalName(cr); id != "" {
		in.SubnetIds = []string{id}
	} else {
		in.Filters = clients.UIDFilter(cr)
	}
	out, err := e.api.DescribeSubnets(ctx, in)
	if clients.IsCode(err, "InvalidSubnetID.NotFound") {
		return nil, nil
	}
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe subnet")
	}
	if len(out.Subnets) == 0 {
		return nil, nil
	}
	return &out.Subnets[0], nil
}

// parameters returns the subnet's configuration in the shape of its spec.
// Its tags are the user's only: the Stratus tags are not part of a spec.
func (e *external) parameters(sn *ec2types.Subnet) *v1beta1.SubnetParameters {
	return &v1beta1.SubnetParameters{
		Region:              aws.String(e.region),
		VPCID:               sn.VpcId,
		CIDRBlock:           sn.CidrBlock,
		AvailabilityZone:    sn.AvailabilityZone,
		MapPublicIPOnLaunch: aws.Bool(aws.ToBool(sn.MapPublicIpOnLaunch)),
		Tags:                clients.UserTags(clients.EC2TagMap(sn.Tags)),
	}
}

// upToDate reports whether the subnet matches every field the spec can
// change; the others cannot differ once it is created.
func upToDate(cr *v1beta1.Subnet, observed *v1beta1.SubnetParameters, observedTags map[string]string) bool {
	fp := cr.Spec.ForProvider
	if !clients.BoolMatches(fp.MapPublicIPOnLaunch, observed.MapPublicIPOnLaunch) {
		return false
	}
	set, remove := clients.DiffTags(clients.ManagedTags(cr, fp.Tags, observedTags), observedTags)
	return len(set) == 0 && len(remove) == 0
}

// Create creates the subnet, tagged with the resource's UID so that a later
// reconcile finds it even if its ID is never recorded.
func (e *external) Create(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	out, err := e.api.CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId:            p.VPCID,
		CidrBlock:        p.CIDRBlock,
		AvailabilityZone: p.AvailabilityZone,
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeSubnet,
			Tags:         clients.EC2Tags(clients.DesiredTags(cr, p.Tags)),
		}},
	})
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create subnet")
	}
	meta.SetExternalName(cr, aws.ToString(out.Subnet.SubnetId))
	// CreateSubnet cannot set mapPublicIpOnLaunch; the next reconcile
	// sets it if it differs from AWS's default.
	return managed.ExternalCreation{}, nil
}

// Update sets mapPublicIpOnLaunch and the tags if they differ from the
// spec.
func (e *external) Update(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalUpdate, error) {
	sn, err := e.find(ctx, cr)
	if err != nil || sn == nil {
		return managed.ExternalUpdate{}, err
	}
	fp := cr.Spec.ForProvider
	if !clients.BoolMatches(fp.MapPublicIPOnLaunch, sn.MapPublicIpOnLaunch) {
		if _, err := e.api.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
			SubnetId:            sn.SubnetId,
			MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: fp.MapPublicIPOnLaunch},
		}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot modify subnet attribute mapPublicIpOnLaunch")
		}
	}
	return managed.ExternalUpdate{}, clients.UpdateEC2Tags(ctx, e.api, aws.ToString(sn.SubnetId), clients.ManagedTags(cr, fp.Tags, clients.EC2TagMap(sn.Tags)), clients.EC2TagMap(sn.Tags))
}

// Delete deletes the subnet. A subnet that still holds network interfaces
// (instances, load balancers, databases) cannot be deleted; the error says
// so and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.Subnet) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	_, err := e.api.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(meta.GetExternalName(cr))})
	switch {
	case err == nil, clients.IsCode(err, "InvalidSubnetID.NotFound"):
		return managed.ExternalDelete{}, nil
	case clients.IsCode(err, "DependencyViolation"):
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete subnet: network interfaces (instances, databases, load balancers) still use it; the delete is retried until they are gone")
	default:
		return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete subnet")
	}
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
