// Package vpc manages Amazon VPCs.
package vpc

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

// An API is the part of the EC2 API that manages VPCs.
type API interface {
	CreateVpc(ctx context.Context, in *ec2.CreateVpcInput, o ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error)
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, o ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeVpcAttribute(ctx context.Context, in *ec2.DescribeVpcAttributeInput, o ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error)
	ModifyVpcAttribute(ctx context.Context, in *ec2.ModifyVpcAttributeInput, o ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, o ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, o ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
	DeleteVpc(ctx context.Context, in *ec2.DeleteVpcInput, o ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error)
}

// Setup adds a controller that reconciles VPCs.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		config: clients.NewConfigurer(mgr.GetClient()),
		newAPI: func(cfg aws.Config) API { return ec2.NewFromConfig(cfg) },
	}
	k := provider.Kind{Managed: v1beta1.VPCGroupVersionKind, Usage: awsv1beta1.ProviderConfigUsageGroupVersionKind}
	// AWS chooses VPC IDs, so the external name starts empty rather than
	// as the resource's name.
	return provider.SetupManaged(mgr, o, k, &v1beta1.VPC{}, c, managed.WithInitializers())
}

type connector struct {
	config clients.ConfigSource
	newAPI func(aws.Config) API
}

// Connect returns a client for the VPC's region.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.VPC) (managed.TypedExternalClient[*v1beta1.VPC], error) {
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

// Observe finds the VPC by its ID or, before the ID is recorded, by the
// resource's UID tag.
func (e *external) Observe(ctx context.Context, cr *v1beta1.VPC) (managed.ExternalObservation, error) {
	vpc, err := e.find(ctx, cr)
	if err != nil || vpc == nil {
		return managed.ExternalObservation{}, err
	}
	adopted := false
	if meta.GetExternalName(cr) == "" {
		// Created by an earlier reconcile that stopped before recording
		// the ID.
		meta.SetExternalName(cr, aws.ToString(vpc.VpcId))
		adopted = true
	}
	observed, err := e.parameters(ctx, vpc)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	cr.Status.AtProvider = v1beta1.VPCObservation{
		VPCID:         aws.ToString(vpc.VpcId),
		State:         string(vpc.State),
		CIDRBlock:     aws.ToString(vpc.CidrBlock),
		IsDefault:     aws.ToBool(vpc.IsDefault),
		OwnerID:       aws.ToString(vpc.OwnerId),
		DHCPOptionsID: aws.ToString(vpc.DhcpOptionsId),
	}
	if vpc.State == ec2types.VpcStateAvailable {
		cr.SetConditions(xpv2.Available())
	} else {
		cr.SetConditions(xpv2.Creating())
	}
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        upToDate(cr, observed, clients.EC2TagMap(vpc.Tags)),
		ResourceLateInitialized: lateInit || adopted,
	}, nil
}

// find returns the VPC of cr, or nil when it does not exist.
func (e *external) find(ctx context.Context, cr *v1beta1.VPC) (*ec2types.Vpc, error) {
	in := &ec2.DescribeVpcsInput{}
	if id := meta.GetExternalName(cr); id != "" {
		in.VpcIds = []string{id}
	} else {
		in.Filters = clients.UIDFilter(cr)
	}
	out, err := e.api.DescribeVpcs(ctx, in)
	if clients.IsCode(err, "InvalidVpcID.NotFound") {
		return nil, nil
	}
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe VPC")
	}
	if len(out.Vpcs) == 0 {
		return nil, nil
	}
	return &out.Vpcs[0], nil
}

// parameters returns the VPC's configuration in the shape of its spec.
func (e *external) parameters(ctx context.Context, vpc *ec2types.Vpc) (*v1beta1.VPCParameters, error) {
	p := &v1beta1.VPCParameters{
		Region:    aws.String(e.region),
		CIDRBlock: vpc.CidrBlock,
		Tags:      clients.UserTags(clients.EC2TagMap(vpc.Tags)),
	}
	if vpc.InstanceTenancy != "" {
		// An empty tenancy would late-initialize a value the schema
		// rejects, failing every later write of the resource.
		p.InstanceTenancy = aws.String(string(vpc.InstanceTenancy))
	}
	dns, err := e.api.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: vpc.VpcId, Attribute: ec2types.VpcAttributeNameEnableDnsSupport})
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe VPC DNS support")
	}
	if dns.EnableDnsSupport != nil {
		p.EnableDNSSupport = dns.EnableDnsSupport.Value
	}
	hosts, err := e.api.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: vpc.VpcId, Attribute: ec2types.VpcAttributeNameEnableDnsHostnames})
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe VPC DNS hostnames")
	}
	if hosts.EnableDnsHostnames != nil {
		p.EnableDNSHostnames = hosts.EnableDnsHostnames.Value
	}
	return p, nil
}

// upToDate reports whether the VPC matches every field the spec manages.
func upToDate(cr *v1beta1.VPC, observed *v1beta1.VPCParameters, observedTags map[string]string) bool {
	fp := cr.Spec.ForProvider
	if !clients.BoolMatches(fp.EnableDNSSupport, observed.EnableDNSSupport) || !clients.BoolMatches(fp.EnableDNSHostnames, observed.EnableDNSHostnames) {
		return false
	}
	set, remove := clients.DiffTags(clients.ManagedTags(cr, fp.Tags, observedTags), observedTags)
	return len(set) == 0 && len(remove) == 0
}

// Create creates the VPC, tagged with the resource's UID so that a later
// reconcile finds it even if its ID is never recorded.
func (e *external) Create(ctx context.Context, cr *v1beta1.VPC) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	in := &ec2.CreateVpcInput{
		CidrBlock: p.CIDRBlock,
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeVpc,
			Tags:         clients.EC2Tags(clients.DesiredTags(cr, p.Tags)),
		}},
	}
	if p.InstanceTenancy != nil {
		in.InstanceTenancy = ec2types.Tenancy(*p.InstanceTenancy)
	}
	out, err := e.api.CreateVpc(ctx, in)
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot create VPC")
	}
	meta.SetExternalName(cr, aws.ToString(out.Vpc.VpcId))
	// DNS attributes take one call each; the next reconcile sets any that
	// differ from AWS's defaults.
	return managed.ExternalCreation{}, nil
}

// Update sets the DNS attributes and tags that differ from the spec.
func (e *external) Update(ctx context.Context, cr *v1beta1.VPC) (managed.ExternalUpdate, error) {
	id := aws.String(meta.GetExternalName(cr))
	vpc, err := e.find(ctx, cr)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if vpc == nil {
		return managed.ExternalUpdate{}, nil
	}
	observed, err := e.parameters(ctx, vpc)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	fp := cr.Spec.ForProvider
	if !clients.BoolMatches(fp.EnableDNSSupport, observed.EnableDNSSupport) {
		if _, err := e.api.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: id, EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: fp.EnableDNSSupport}}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot modify VPC DNS support")
		}
	}
	if !clients.BoolMatches(fp.EnableDNSHostnames, observed.EnableDNSHostnames) {
		if _, err := e.api.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: id, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: fp.EnableDNSHostnames}}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot modify VPC DNS hostnames")
		}
	}
	return managed.ExternalUpdate{}, clients.UpdateEC2Tags(ctx, e.api, *id, clients.ManagedTags(cr, fp.Tags, clients.EC2TagMap(vpc.Tags)), clients.EC2TagMap(vpc.Tags))
}

// Delete deletes the VPC. A VPC that still holds subnets or security groups
// cannot be deleted; the error says so and the delete is retried.
func (e *external) Delete(ctx context.Context, cr *v1beta1.VPC) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	_, err := e.api.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(meta.GetExternalName(cr))})
	if clients.IsCode(err, "InvalidVpcID.NotFound") {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, clients.Wrap(err, "cannot delete VPC")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
