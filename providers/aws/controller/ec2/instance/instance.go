// Package instance manages Amazon EC2 instances.
package instance

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/internal/provider"
	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	awsv1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

// Connection detail keys an instance publishes.
const (
	ConnectionPublicIP  = "publicIP"
	ConnectionPrivateIP = "privateIP"
)

// tagRestart marks an instance that Stratus stopped to change its type and
// must start again. The mark lives on the instance, not in the resource's
// status, so that a provider that stops between the type change and the
// start still starts the instance, while an instance someone else stopped
// stays stopped.
const (
	tagRestart    = "stratus.dev/restart"
	restartReason = "instance-type-change"
)

// An API is the part of the EC2 API that manages instances.
type API interface {
	RunInstances(ctx context.Context, in *ec2.RunInstancesInput, o ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error)
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, o ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, o ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	ModifyInstanceAttribute(ctx context.Context, in *ec2.ModifyInstanceAttributeInput, o ...func(*ec2.Options)) (*ec2.ModifyInstanceAttributeOutput, error)
	StopInstances(ctx context.Context, in *ec2.StopInstancesInput, o ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error)
	StartInstances(ctx context.Context, in *ec2.StartInstancesInput, o ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, o ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, o ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
	TerminateInstances(ctx context.Context, in *ec2.TerminateInstancesInput, o ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error)
}

// Setup adds a controller that reconciles EC2 instances.
func Setup(mgr ctrl.Manager, o provider.ControllerOptions) error {
	c := &connector{
		config: clients.NewConfigurer(mgr.GetClient()),
		newAPI: func(cfg aws.Config) API { return ec2.NewFromConfig(cfg) },
	}
	k := provider.Kind{Managed: v1beta1.InstanceGroupVersionKind, Usage: awsv1beta1.ProviderConfigUsageGroupVersionKind}
	// AWS chooses instance IDs, so the external name starts empty rather
	// than as the resource's name.
	return provider.SetupManaged(mgr, o, k, &v1beta1.Instance{}, c, managed.WithInitializers())
}

type connector struct {
	config clients.ConfigSource
	newAPI func(aws.Config) API
}

// Connect returns a client for the instance's region.
func (c *connector) Connect(ctx context.Context, cr *v1beta1.Instance) (managed.TypedExternalClient[*v1beta1.Instance], error) {
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

// Observe finds the instance by its ID or, before the ID is recorded or
// once the recorded instance is terminated, by the resource's UID tag.
func (e *external) Observe(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalObservation, error) {
	in, err := e.find(ctx, cr)
	if err != nil || in == nil {
		return managed.ExternalObservation{}, err
	}
	adopted := false
	if id := aws.ToString(in.InstanceId); meta.GetExternalName(cr) != id {
		// Created by an earlier reconcile that stopped before recording
		// the ID.
		meta.SetExternalName(cr, id)
		adopted = true
	}
	observed := e.parameters(cr, in)
	lateInit := provider.LateInitialize(cr, &cr.Spec.ForProvider, observed, cr.Spec.InitProvider)

	cr.Status.AtProvider = observation(in)
	switch stateOf(in) {
	case ec2types.InstanceStateNameRunning:
		cr.SetConditions(xpv2.Available())
	case ec2types.InstanceStateNameStopping, ec2types.InstanceStateNameStopped:
		cr.SetConditions(xpv2.Unavailable())
	case ec2types.InstanceStateNameShuttingDown:
		cr.SetConditions(xpv2.Deleting())
	default:
		cr.SetConditions(xpv2.Creating())
	}
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        upToDate(cr, in),
		ResourceLateInitialized: lateInit || adopted,
		ConnectionDetails:       connectionDetails(in),
	}, nil
}

// find returns the instance of cr, or nil when it does not exist. A
// terminated instance does not exist: AWS lists terminated instances for a
// while, but they cannot be changed or started again.
func (e *external) find(ctx context.Context, cr *v1beta1.Instance) (*ec2types.Instance, error) {
	if id := meta.GetExternalName(cr); id != "" {
		out, err := e.api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil && !clients.IsCode(err, "InvalidInstanceID.NotFound") {
			return nil, clients.Wrap(err, "cannot describe instance")
		}
		if in := first(out); in != nil && stateOf(in) != ec2types.InstanceStateNameTerminated {
			return in, nil
		}
	}
	// Before its ID is recorded an instance is found by its UID tag; so is
	// one created after the recorded one was terminated. Terminated and
	// terminating instances are ignored: they are the ones being replaced.
	out, err := e.api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + clients.TagUID), Values: []string{string(cr.GetUID())}},
		{Name: aws.String("instance-state-name"), Values: []string{
			string(ec2types.InstanceStateNamePending), string(ec2types.InstanceStateNameRunning),
			string(ec2types.InstanceStateNameStopping), string(ec2types.InstanceStateNameStopped),
		}},
	}})
	if err != nil {
		return nil, clients.Wrap(err, "cannot describe instances by tag")
	}
	return first(out), nil
}

// stateOf returns the state of an instance.
func stateOf(in *ec2types.Instance) ec2types.InstanceStateName {
	if in.State == nil {
		return ""
	}
	return in.State.Name
}

// first returns the first instance of a DescribeInstances answer, or nil.
func first(out *ec2.DescribeInstancesOutput) *ec2types.Instance {
	if out == nil {
		return nil
	}
	for _, r := range out.Reservations {
		if len(r.Instances) > 0 {
			return &r.Instances[0]
		}
	}
	return nil
}

// parameters returns the instance's configuration in the shape of its spec,
// for late initialization. Fields that references set are left out, so that
// a reference added later still resolves; userData and rootVolume are left
// out because AWS reads them only at launch.
func (e *external) parameters(cr *v1beta1.Instance, in *ec2types.Instance) *v1beta1.InstanceParameters {
	p := &v1beta1.InstanceParameters{
		Region:       aws.String(e.region),
		ImageID:      in.ImageId,
		InstanceType: aws.String(string(in.InstanceType)),
		KeyName:      in.KeyName,
		Tags:         clients.UserTags(userTags(in)),
	}
	fp := cr.Spec.ForProvider
	if fp.SubnetIDRef == nil && fp.SubnetIDSelector == nil {
		p.SubnetID = in.SubnetId
	}
	if groups := groupIDs(in); len(groups) > 0 && fp.SecurityGroupIDRefs == nil && fp.SecurityGroupIDSelector == nil {
		p.SecurityGroupIDs = groups
	}
	return p
}

// observation returns what AWS reports about the instance.
func observation(in *ec2types.Instance) v1beta1.InstanceObservation {
	o := v1beta1.InstanceObservation{
		InstanceID:   aws.ToString(in.InstanceId),
		State:        string(stateOf(in)),
		InstanceType: string(in.InstanceType),
		PrivateIP:    aws.ToString(in.PrivateIpAddress),
		PublicIP:     aws.ToString(in.PublicIpAddress),
		PrivateDNS:   aws.ToString(in.PrivateDnsName),
		PublicDNS:    aws.ToString(in.PublicDnsName),
	}
	if in.LaunchTime != nil {
		t := metav1.NewTime(*in.LaunchTime)
		o.LaunchTime = &t
	}
	if in.Placement != nil {
		o.AvailabilityZone = aws.ToString(in.Placement.AvailabilityZone)
	}
	return o
}

// connectionDetails returns the instance's addresses, omitting any it does
// not have.
func connectionDetails(in *ec2types.Instance) managed.ConnectionDetails {
	cd := managed.ConnectionDetails{}
	if ip := aws.ToString(in.PublicIpAddress); ip != "" {
		cd[ConnectionPublicIP] = []byte(ip)
	}
	if ip := aws.ToString(in.PrivateIpAddress); ip != "" {
		cd[ConnectionPrivateIP] = []byte(ip)
	}
	return cd
}

// upToDate reports whether the instance matches every field the spec
// manages and no type change is under way.
func upToDate(cr *v1beta1.Instance, in *ec2types.Instance) bool {
	if stateOf(in) == ec2types.InstanceStateNameShuttingDown {
		// Nothing can change an instance that is terminating.
		return true
	}
	fp := cr.Spec.ForProvider
	if hasRestartMark(in) || needsResize(fp, in) || needsGroups(fp, in) {
		return false
	}
	observed := userTags(in)
	set, remove := clients.DiffTags(clients.ManagedTags(cr, fp.Tags, observed), observed)
	return len(set) == 0 && len(remove) == 0
}

// needsResize reports whether the spec asks for another instance type.
func needsResize(fp v1beta1.InstanceParameters, in *ec2types.Instance) bool {
	return fp.InstanceType != nil && *fp.InstanceType != string(in.InstanceType)
}

// needsGroups reports whether the spec asks for other security groups.
func needsGroups(fp v1beta1.InstanceParameters, in *ec2types.Instance) bool {
	if fp.SecurityGroupIDs == nil {
		return false
	}
	want := slices.Sorted(slices.Values(fp.SecurityGroupIDs))
	return !slices.Equal(slices.Compact(want), groupIDs(in))
}

// groupIDs returns the sorted IDs of the instance's security groups.
func groupIDs(in *ec2types.Instance) []string {
	ids := make([]string, 0, len(in.SecurityGroups))
	for _, g := range in.SecurityGroups {
		ids = append(ids, aws.ToString(g.GroupId))
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// hasRestartMark reports whether Stratus stopped the instance to change its
// type and has yet to clear the mark.
func hasRestartMark(in *ec2types.Instance) bool {
	_, ok := clients.EC2TagMap(in.Tags)[tagRestart]
	return ok
}

// userTags returns the instance's tags without the restart mark, which is
// Stratus's bookkeeping rather than part of the spec.
func userTags(in *ec2types.Instance) map[string]string {
	t := clients.EC2TagMap(in.Tags)
	delete(t, tagRestart)
	return t
}

// Create launches the instance. Its client token and its UID tag (on the
// instance and its volumes) let a later reconcile find it even if its ID
// is never recorded.
func (e *external) Create(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	provider.FillNil(&p, cr.Spec.InitProvider, nil)
	tags := clients.EC2Tags(clients.DesiredTags(cr, p.Tags))
	in := &ec2.RunInstancesInput{
		ImageId:          p.ImageID,
		InstanceType:     ec2types.InstanceType(aws.ToString(p.InstanceType)),
		MinCount:         aws.Int32(1),
		MaxCount:         aws.Int32(1),
		ClientToken:      aws.String(clientToken(cr)),
		SubnetId:         p.SubnetID,
		SecurityGroupIds: p.SecurityGroupIDs,
		KeyName:          p.KeyName,
		TagSpecifications: []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: tags},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: tags},
		},
	}
	if p.UserData != nil {
		in.UserData = aws.String(base64.StdEncoding.EncodeToString([]byte(*p.UserData)))
	}
	if p.RootVolume != nil {
		bdm, err := e.rootVolume(ctx, aws.ToString(p.ImageID), p.RootVolume)
		if err != nil {
			return managed.ExternalCreation{}, err
		}
		in.BlockDeviceMappings = []ec2types.BlockDeviceMapping{bdm}
	}
	out, err := e.api.RunInstances(ctx, in)
	if err != nil {
		return managed.ExternalCreation{}, clients.Wrap(err, "cannot run instance")
	}
	if len(out.Instances) == 0 {
		return managed.ExternalCreation{}, errors.New("cannot run instance: AWS returned no instance")
	}
	meta.SetExternalName(cr, aws.ToString(out.Instances[0].InstanceId))
	return managed.ExternalCreation{}, nil
}

// clientToken makes RunInstances idempotent: AWS answers a repeated token
// with the instance the first call launched. The token of a first launch is
// the resource's UID; relaunching after the recorded instance was
// terminated adds that instance's ID, because AWS would answer the plain
// UID with the terminated instance.
func clientToken(cr *v1beta1.Instance) string {
	if id := meta.GetExternalName(cr); id != "" {
		return string(cr.GetUID()) + "-" + id
	}
	return string(cr.GetUID())
}

// rootVolume returns the block device mapping of the image's root device,
// whose name depends on the image.
func (e *external) rootVolume(ctx context.Context, image string, v *v1beta1.RootVolume) (ec2types.BlockDeviceMapping, error) {
	out, err := e.api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{image}})
	if err != nil {
		return ec2types.BlockDeviceMapping{}, clients.Wrap(err, "cannot describe image "+image)
	}
	if len(out.Images) == 0 || aws.ToString(out.Images[0].RootDeviceName) == "" {
		return ec2types.BlockDeviceMapping{}, errors.Errorf("cannot configure the root volume: image %s has no root device", image)
	}
	ebs := &ec2types.EbsBlockDevice{VolumeSize: v.SizeGB, DeleteOnTermination: v.DeleteOnTermination}
	if v.VolumeType != nil {
		ebs.VolumeType = ec2types.VolumeType(*v.VolumeType)
	}
	return ec2types.BlockDeviceMapping{DeviceName: out.Images[0].RootDeviceName, Ebs: ebs}, nil
}

// Update changes the tags and security groups that differ from the spec,
// and moves an instance type change one step on.
func (e *external) Update(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalUpdate, error) {
	in, err := e.find(ctx, cr)
	if err != nil || in == nil {
		return managed.ExternalUpdate{}, err
	}
	fp := cr.Spec.ForProvider
	// The restart mark is not a user tag: with no tags in the spec it must
	// not be kept as one, or it would never be removed.
	desired := clients.ManagedTags(cr, fp.Tags, userTags(in))
	if keepRestartMark(fp, in) {
		desired[tagRestart] = restartReason
	}
	if err := clients.UpdateEC2Tags(ctx, e.api, aws.ToString(in.InstanceId), desired, clients.EC2TagMap(in.Tags)); err != nil {
		return managed.ExternalUpdate{}, err
	}
	if needsGroups(fp, in) {
		if _, err := e.api.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: in.InstanceId, Groups: fp.SecurityGroupIDs}); err != nil {
			return managed.ExternalUpdate{}, clients.Wrap(err, "cannot modify instance security groups")
		}
	}
	return managed.ExternalUpdate{}, e.changeType(ctx, fp, in)
}

// keepRestartMark reports whether the instance should carry the restart
// mark: from just before Stratus stops it to change its type until Stratus
// has started it again.
func keepRestartMark(fp v1beta1.InstanceParameters, in *ec2types.Instance) bool {
	switch stateOf(in) {
	case ec2types.InstanceStateNameRunning:
		return needsResize(fp, in)
	case ec2types.InstanceStateNameStopping, ec2types.InstanceStateNameStopped:
		return hasRestartMark(in)
	default:
		return false
	}
}

// changeType moves an instance type change one step on. The type of an
// instance can change only while it is stopped, so a change takes three
// reconciles, none of which waits: stop the running instance (Update has
// marked it for restart); once it is stopped, change its type and start
// it; once it runs, Update removes the mark. A pending or stopping
// instance is left to settle.
func (e *external) changeType(ctx context.Context, fp v1beta1.InstanceParameters, in *ec2types.Instance) error {
	id := aws.ToString(in.InstanceId)
	switch stateOf(in) {
	case ec2types.InstanceStateNameRunning:
		if needsResize(fp, in) {
			_, err := e.api.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
			return clients.Wrap(err, "cannot stop instance to change its type")
		}
	case ec2types.InstanceStateNameStopped:
		if needsResize(fp, in) {
			if _, err := e.api.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: in.InstanceId, InstanceType: &ec2types.AttributeValue{Value: fp.InstanceType}}); err != nil {
				return clients.Wrap(err, "cannot modify instance type")
			}
		}
		// Start only an instance Stratus stopped; one stopped by
		// someone else gets its new type and stays stopped.
		if hasRestartMark(in) {
			_, err := e.api.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
			return clients.Wrap(err, "cannot start instance")
		}
	default:
	}
	return nil
}

// Delete terminates the instance. Terminating is idempotent, and an
// instance that is gone already needs nothing.
func (e *external) Delete(ctx context.Context, cr *v1beta1.Instance) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	_, err := e.api.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{meta.GetExternalName(cr)}})
	if clients.IsCode(err, "InvalidInstanceID.NotFound") {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, clients.Wrap(err, "cannot terminate instance")
}

// Disconnect does nothing: the SDK client holds no connection of its own.
func (e *external) Disconnect(context.Context) error { return nil }
