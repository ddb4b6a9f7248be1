package instance

import (
	"context"
	"encoding/base64"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

const (
	uid    = "3f0c2d9e-7a51-4c1b-9b7e-2f4f1c0a8d11"
	id     = "i-0123456789abcdef0"
	region = "us-east-1"
)

var (
	errBoom     = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "boom"}
	errNotFound = &smithy.GenericAPIError{Code: "InvalidInstanceID.NotFound", Message: "no such instance"}
	launched    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

// A fakeAPI stubs the EC2 API. Describe calls must be stubbed; every
// mutating call is recorded (its input, in order) and succeeds unless
// stubbed.
type fakeAPI struct {
	calls []any

	describeInstances func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error)
	describeImages    func(*ec2.DescribeImagesInput) (*ec2.DescribeImagesOutput, error)
	runInstances      func(*ec2.RunInstancesInput) (*ec2.RunInstancesOutput, error)
	modify            func(*ec2.ModifyInstanceAttributeInput) (*ec2.ModifyInstanceAttributeOutput, error)
	stop              func(*ec2.StopInstancesInput) (*ec2.StopInstancesOutput, error)
	start             func(*ec2.StartInstancesInput) (*ec2.StartInstancesOutput, error)
	createTags        func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error)
	terminate         func(*ec2.TerminateInstancesInput) (*ec2.TerminateInstancesOutput, error)
}

var errUnexpected = errors.New("unexpected call")

func (f *fakeAPI) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	if f.describeInstances == nil {
		return nil, errUnexpected
	}
	return f.describeInstances(in)
}

func (f *fakeAPI) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	if f.describeImages == nil {
		return nil, errUnexpected
	}
	return f.describeImages(in)
}

// call records in and returns what fn returns, or a zero output.
func call[I, O any](f *fakeAPI, in *I, fn func(*I) (*O, error)) (*O, error) {
	f.calls = append(f.calls, in)
	if fn == nil {
		return new(O), nil
	}
	return fn(in)
}

func (f *fakeAPI) RunInstances(_ context.Context, in *ec2.RunInstancesInput, _ ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error) {
	return call(f, in, f.runInstances)
}

func (f *fakeAPI) ModifyInstanceAttribute(_ context.Context, in *ec2.ModifyInstanceAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyInstanceAttributeOutput, error) {
	return call(f, in, f.modify)
}

func (f *fakeAPI) StopInstances(_ context.Context, in *ec2.StopInstancesInput, _ ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error) {
	return call(f, in, f.stop)
}

func (f *fakeAPI) StartInstances(_ context.Context, in *ec2.StartInstancesInput, _ ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error) {
	return call(f, in, f.start)
}

func (f *fakeAPI) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	return call(f, in, f.createTags)
}

func (f *fakeAPI) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	return call[ec2.DeleteTagsInput, ec2.DeleteTagsOutput](f, in, nil)
}

func (f *fakeAPI) TerminateInstances(_ context.Context, in *ec2.TerminateInstancesInput, _ ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error) {
	return call(f, in, f.terminate)
}

// describe answers a lookup by ID with byID (or errNotFound when nil) and a
// lookup by tag with byTag, checking that the tag lookup ignores
// terminated instances.
func describe(byID, byTag *ec2types.Instance) func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
	return func(in *ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
		found := byTag
		if len(in.InstanceIds) > 0 {
			if in.InstanceIds[0] != id || byID == nil {
				return nil, errNotFound
			}
			found = byID
		} else {
			want := []ec2types.Filter{
				{Name: aws.String("tag:stratus.dev/uid"), Values: []string{uid}},
				{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
			}
			if diff := cmp.Diff(want, in.Filters, cmpopts.IgnoreUnexported(ec2types.Filter{})); diff != "" {
				return nil, errors.Errorf("unexpected filters: -want, +got:\n%s", diff)
			}
		}
		out := &ec2.DescribeInstancesOutput{}
		if found != nil {
			out.Reservations = []ec2types.Reservation{{Instances: []ec2types.Instance{*found}}}
		}
		return out, nil
	}
}

func tags(m map[string]string) []ec2types.Tag { return clients.EC2Tags(m) }

// instance returns a running instance as AWS describes it, in sync with
// the resource newInstance returns.
func instance(mods ...func(*ec2types.Instance)) *ec2types.Instance {
	in := &ec2types.Instance{
		InstanceId:       aws.String(id),
		State:            &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning},
		InstanceType:     ec2types.InstanceTypeT3Micro,
		ImageId:          aws.String("ami-1"),
		SubnetId:         aws.String("subnet-1"),
		SecurityGroups:   []ec2types.GroupIdentifier{{GroupId: aws.String("sg-1")}},
		PrivateIpAddress: aws.String("10.0.0.5"),
		PublicIpAddress:  aws.String("54.0.0.5"),
		PrivateDnsName:   aws.String("ip-10-0-0-5.ec2.internal"),
		PublicDnsName:    aws.String("ec2-54-0-0-5.compute-1.amazonaws.com"),
		LaunchTime:       aws.Time(launched),
		Placement:        &ec2types.Placement{AvailabilityZone: aws.String("us-east-1a")},
		Tags:             tags(map[string]string{"team": "platform", clients.TagName: "web", clients.TagUID: uid}),
	}
	for _, m := range mods {
		m(in)
	}
	return in
}

func withState(s ec2types.InstanceStateName) func(*ec2types.Instance) {
	return func(in *ec2types.Instance) { in.State = &ec2types.InstanceState{Name: s} }
}

func withType(t ec2types.InstanceType) func(*ec2types.Instance) {
	return func(in *ec2types.Instance) { in.InstanceType = t }
}

func withRestartMark() func(*ec2types.Instance) {
	return func(in *ec2types.Instance) {
		in.Tags = append(in.Tags, ec2types.Tag{Key: aws.String(tagRestart), Value: aws.String("instance-type-change")})
	}
}

// newInstance returns a resource with external name id, its spec fully
// initialized.
func newInstance(mods ...func(*v1beta1.Instance)) *v1beta1.Instance {
	cr := &v1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: "web", UID: types.UID(uid)},
		Spec: v1beta1.InstanceSpec{ForProvider: v1beta1.InstanceParameters{
			Region:           aws.String(region),
			ImageID:          aws.String("ami-1"),
			InstanceType:     aws.String("t3.micro"),
			SubnetID:         aws.String("subnet-1"),
			SecurityGroupIDs: []string{"sg-1"},
			Tags:             map[string]string{"team": "platform"},
		}},
	}
	meta.SetExternalName(cr, id)
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func withExternalName(n string) func(*v1beta1.Instance) {
	return func(cr *v1beta1.Instance) { meta.SetExternalName(cr, n) }
}

func withConditions(c ...xpv2.Condition) func(*v1beta1.Instance) {
	return func(cr *v1beta1.Instance) { cr.SetConditions(c...) }
}

func withAtProvider(in *ec2types.Instance) func(*v1beta1.Instance) {
	return func(cr *v1beta1.Instance) { cr.Status.AtProvider = observation(in) }
}

func withParams(fn func(*v1beta1.InstanceParameters)) func(*v1beta1.Instance) {
	return func(cr *v1beta1.Instance) { fn(&cr.Spec.ForProvider) }
}

var connection = managed.ConnectionDetails{ConnectionPublicIP: []byte("54.0.0.5"), ConnectionPrivateIP: []byte("10.0.0.5")}

// equateErrors compares errors by their text, which is what a resource's
// Synced condition shows.
var equateErrors = cmp.Comparer(func(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
})

var cmpOpts = []cmp.Option{
	equateErrors,
	cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime"),
	// SDK inputs carry unexported markers; tags come from maps.
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmpopts.SortSlices(func(a, b ec2types.Tag) bool { return aws.ToString(a.Key) < aws.ToString(b.Key) }),
}

// A fakeConfigurer records the region it is asked for and returns cfg or
// err.
type fakeConfigurer struct {
	cfg    aws.Config
	err    error
	region string
}

func (f *fakeConfigurer) Config(_ context.Context, _ resource.LegacyManaged, region string) (aws.Config, error) { //nolint:staticcheck // The configurer interface takes LegacyManaged.
	f.region = region
	return f.cfg, f.err
}

func TestConnect(t *testing.T) {
	cases := map[string]struct {
		reason string
		config *fakeConfigurer
		want   error
	}{
		"Success": {
			reason: "The client is for the spec's region.",
			config: &fakeConfigurer{cfg: aws.Config{Region: region}},
		},
		"ConfigError": {
			reason: "An error building the AWS configuration is returned.",
			config: &fakeConfigurer{err: errBoom},
			want:   errBoom,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			api := &fakeAPI{}
			c := &connector{config: tc.config, newAPI: func(aws.Config) API { return api }}
			got, err := c.Connect(context.Background(), newInstance())
			if diff := cmp.Diff(tc.want, err, cmpOpts...); diff != "" {
				t.Fatalf("%s\nc.Connect(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.config.region != region {
				t.Errorf("%s\nc.Connect(...): asked for region %q, want %q", tc.reason, tc.config.region, region)
			}
			if e, ok := got.(*external); err == nil && (!ok || e.api != api || e.region != region) {
				t.Errorf("%s\nc.Connect(...): got %#v, want a client of the API for region %s", tc.reason, got, region)
			}
		})
	}
}

func TestObserve(t *testing.T) {
	stopped := instance(withState(ec2types.InstanceStateNameStopped))
	type want struct {
		o   managed.ExternalObservation
		cr  *v1beta1.Instance
		err error
	}
	cases := map[string]struct {
		reason string
		cr     *v1beta1.Instance
		api    *fakeAPI
		want   want
	}{
		"NotCreated": {
			reason: "With no external name and no instance tagged with the resource's UID, the instance does not exist.",
			cr:     newInstance(withExternalName("")),
			api:    &fakeAPI{describeInstances: describe(nil, nil)},
			want:   want{cr: newInstance(withExternalName(""))},
		},
		"NotFoundByID": {
			reason: "An instance ID AWS does not know, and no tagged instance, means the instance does not exist.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(nil, nil)},
			want:   want{cr: newInstance()},
		},
		"Terminated": {
			reason: "A terminated instance, still listed by AWS, does not exist.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameTerminated)), nil)},
			want:   want{cr: newInstance()},
		},
		"ReplacedAfterTermination": {
			reason: "When the recorded instance is terminated, a live instance with the resource's UID tag (launched in its place) is adopted.",
			cr:     newInstance(withExternalName("i-old")),
			api:    &fakeAPI{describeInstances: describe(nil, instance())},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance()), withConditions(xpv2.Available())),
			},
		},
		"FoundByTag": {
			reason: "An instance created by a reconcile that stopped before recording its ID is found by its UID tag, and its ID recorded.",
			cr:     newInstance(withExternalName("")),
			api:    &fakeAPI{describeInstances: describe(nil, instance())},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance()), withConditions(xpv2.Available())),
			},
		},
		"DescribeError": {
			reason: "Errors describing the instance are returned with context.",
			cr:     newInstance(),
			api: &fakeAPI{describeInstances: func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
				return nil, errBoom
			}},
			want: want{cr: newInstance(), err: clients.Wrap(errBoom, "cannot describe instance")},
		},
		"UpToDate": {
			reason: "A running instance that matches the spec is available and up to date, and publishes its addresses.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance()), withConditions(xpv2.Available())),
			},
		},
		"LateInitialize": {
			reason: "Unset fields are filled from AWS, except those initProvider sets and those references set.",
			cr: newInstance(func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider = v1beta1.InstanceParameters{SecurityGroupIDRefs: []xpv2.Reference{{Name: "web"}}}
				cr.Spec.InitProvider = &v1beta1.InstanceParameters{InstanceType: aws.String("t3.micro")}
			}),
			api: &fakeAPI{describeInstances: describe(instance(), nil)},
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance()), withConditions(xpv2.Available()), func(cr *v1beta1.Instance) {
					cr.Spec.ForProvider = v1beta1.InstanceParameters{
						Region:              aws.String(region),
						ImageID:             aws.String("ami-1"),
						SubnetID:            aws.String("subnet-1"),
						SecurityGroupIDRefs: []xpv2.Reference{{Name: "web"}},
						Tags:                map[string]string{"team": "platform"},
					}
					cr.Spec.InitProvider = &v1beta1.InstanceParameters{InstanceType: aws.String("t3.micro")}
				}),
			},
		},
		"TagsDiffer": {
			reason: "A tag that differs from the spec needs an update.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.Tags = map[string]string{"team": "data"} })),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance()), withConditions(xpv2.Available()),
					withParams(func(p *v1beta1.InstanceParameters) { p.Tags = map[string]string{"team": "data"} })),
			},
		},
		"GroupsDiffer": {
			reason: "Security groups that differ from the spec need an update.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.SecurityGroupIDs = []string{"sg-2", "sg-1"} })),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance()), withConditions(xpv2.Available()),
					withParams(func(p *v1beta1.InstanceParameters) { p.SecurityGroupIDs = []string{"sg-2", "sg-1"} })),
			},
		},
		"TypeDiffers": {
			reason: "An instance type that differs from the spec needs an update.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(withType(ec2types.InstanceTypeT3Small)), nil)},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance(withType(ec2types.InstanceTypeT3Small))), withConditions(xpv2.Available())),
			},
		},
		"StoppedForTypeChange": {
			reason: "An instance Stratus stopped to change its type is unavailable and needs an update (to start it), even once its type matches.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopped), withRestartMark()), nil)},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(stopped), withConditions(xpv2.Unavailable())),
			},
		},
		"Stopped": {
			reason: "An instance stopped by someone else is unavailable, but up to date: the spec does not say it runs.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(stopped, nil)},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(stopped), withConditions(xpv2.Unavailable())),
			},
		},
		"Pending": {
			reason: "A pending instance is being created.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNamePending)), nil)},
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance(withState(ec2types.InstanceStateNamePending))), withConditions(xpv2.Creating())),
			},
		},
		"ShuttingDown": {
			reason: "A terminating instance is being deleted, and nothing can update it.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.InstanceType = aws.String("t3.large") })),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameShuttingDown)), nil)},
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connection},
				cr: newInstance(withAtProvider(instance(withState(ec2types.InstanceStateNameShuttingDown))), withConditions(xpv2.Deleting()),
					withParams(func(p *v1beta1.InstanceParameters) { p.InstanceType = aws.String("t3.large") })),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			got, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Observe(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, got, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Observe(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Observe(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if len(tc.api.calls) != 0 {
				t.Errorf("%s\ne.Observe(...): made mutating calls %v", tc.reason, tc.api.calls)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	instanceTags := tags(map[string]string{"team": "platform", clients.TagName: "web", clients.TagUID: uid})
	image := func(in *ec2.DescribeImagesInput) (*ec2.DescribeImagesOutput, error) {
		if diff := cmp.Diff([]string{"ami-1"}, in.ImageIds); diff != "" {
			return nil, errors.Errorf("unexpected image IDs: -want, +got:\n%s", diff)
		}
		return &ec2.DescribeImagesOutput{Images: []ec2types.Image{{ImageId: aws.String("ami-1"), RootDeviceName: aws.String("/dev/xvda")}}}, nil
	}
	run := func(*ec2.RunInstancesInput) (*ec2.RunInstancesOutput, error) {
		return &ec2.RunInstancesOutput{Instances: []ec2types.Instance{*instance(withState(ec2types.InstanceStateNamePending))}}, nil
	}
	baseInput := func(token string) *ec2.RunInstancesInput {
		return &ec2.RunInstancesInput{
			ImageId:          aws.String("ami-1"),
			InstanceType:     ec2types.InstanceTypeT3Micro,
			MinCount:         aws.Int32(1),
			MaxCount:         aws.Int32(1),
			ClientToken:      aws.String(token),
			SubnetId:         aws.String("subnet-1"),
			SecurityGroupIds: []string{"sg-1"},
			TagSpecifications: []ec2types.TagSpecification{
				{ResourceType: ec2types.ResourceTypeInstance, Tags: instanceTags},
				{ResourceType: ec2types.ResourceTypeVolume, Tags: instanceTags},
			},
		}
	}
	type want struct {
		calls        []any
		externalName string
		err          error
	}
	cases := map[string]struct {
		reason string
		cr     *v1beta1.Instance
		api    *fakeAPI
		want   want
	}{
		"Launch": {
			reason: "A first launch uses the resource's UID as client token, tags the instance and its volumes, and records the instance ID.",
			cr:     newInstance(withExternalName("")),
			api:    &fakeAPI{runInstances: run},
			want:   want{calls: []any{baseInput(uid)}, externalName: id},
		},
		"InitProviderAndLaunchOnlyFields": {
			reason: "initProvider fills the launch; userData is sent in base64; the root volume maps the image's root device.",
			cr: newInstance(withExternalName(""), func(cr *v1beta1.Instance) {
				cr.Spec.ForProvider.InstanceType = nil
				cr.Spec.ForProvider.UserData = aws.String("#!/bin/sh\necho hi\n")
				cr.Spec.ForProvider.KeyName = aws.String("ops")
				cr.Spec.ForProvider.RootVolume = &v1beta1.RootVolume{SizeGB: aws.Int32(20), VolumeType: aws.String("gp3"), DeleteOnTermination: aws.Bool(true)}
				cr.Spec.InitProvider = &v1beta1.InstanceParameters{InstanceType: aws.String("t3.micro")}
			}),
			api: &fakeAPI{describeImages: image, runInstances: run},
			want: want{
				calls: []any{func() *ec2.RunInstancesInput {
					in := baseInput(uid)
					in.KeyName = aws.String("ops")
					in.UserData = aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n")))
					in.BlockDeviceMappings = []ec2types.BlockDeviceMapping{{
						DeviceName: aws.String("/dev/xvda"),
						Ebs:        &ec2types.EbsBlockDevice{VolumeSize: aws.Int32(20), VolumeType: ec2types.VolumeTypeGp3, DeleteOnTermination: aws.Bool(true)},
					}}
					return in
				}()},
				externalName: id,
			},
		},
		"Relaunch": {
			reason: "Relaunching after the recorded instance was terminated adds its ID to the client token, which AWS would otherwise answer with the terminated instance.",
			cr:     newInstance(withExternalName("i-old")),
			api:    &fakeAPI{runInstances: run},
			want:   want{calls: []any{baseInput(uid + "-i-old")}, externalName: id},
		},
		"DescribeImageError": {
			reason: "A root volume needs the image's root device name; errors finding it are returned with context.",
			cr: newInstance(withExternalName(""), withParams(func(p *v1beta1.InstanceParameters) {
				p.RootVolume = &v1beta1.RootVolume{SizeGB: aws.Int32(20)}
			})),
			api:  &fakeAPI{describeImages: func(*ec2.DescribeImagesInput) (*ec2.DescribeImagesOutput, error) { return nil, errBoom }},
			want: want{err: clients.Wrap(errBoom, "cannot describe image ami-1")},
		},
		"RunError": {
			reason: "Errors launching the instance are returned with context, and no external name is recorded.",
			cr:     newInstance(withExternalName("")),
			api:    &fakeAPI{runInstances: func(*ec2.RunInstancesInput) (*ec2.RunInstancesOutput, error) { return nil, errBoom }},
			want:   want{calls: []any{baseInput(uid)}, err: clients.Wrap(errBoom, "cannot run instance")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Create(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Create(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.externalName, meta.GetExternalName(tc.cr)); diff != "" && tc.want.err == nil {
				t.Errorf("%s\ne.Create(...): -want external name, +got external name:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	mark := func(k string) *ec2.CreateTagsInput {
		return &ec2.CreateTagsInput{Resources: []string{id}, Tags: tags(map[string]string{k: "instance-type-change"})}
	}
	modifyType := func(typ string) *ec2.ModifyInstanceAttributeInput {
		return &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &ec2types.AttributeValue{Value: aws.String(typ)}}
	}
	stopInput := &ec2.StopInstancesInput{InstanceIds: []string{id}}
	startInput := &ec2.StartInstancesInput{InstanceIds: []string{id}}
	large := withParams(func(p *v1beta1.InstanceParameters) { p.InstanceType = aws.String("t3.large") })

	type want struct {
		calls []any
		err   error
	}
	cases := map[string]struct {
		reason string
		cr     *v1beta1.Instance
		api    *fakeAPI
		want   want
	}{
		"UpToDate": {
			reason: "An instance in sync with the spec gets no mutating call.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want:   want{},
		},
		"Gone": {
			reason: "An instance that vanished since Observe gets no call.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(nil, nil)},
			want:   want{},
		},
		"Tags": {
			reason: "Only the tags that changed are set, and only removed ones deleted.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.Tags = map[string]string{"env": "prod"} })),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want: want{calls: []any{
				&ec2.CreateTagsInput{Resources: []string{id}, Tags: tags(map[string]string{"env": "prod"})},
				&ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("team")}}},
			}},
		},
		"SecurityGroups": {
			reason: "Changed security groups are set in one call.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.SecurityGroupIDs = []string{"sg-1", "sg-2"} })),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want: want{calls: []any{
				&ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), Groups: []string{"sg-1", "sg-2"}},
			}},
		},
		"ResizeRunning": {
			reason: "A type change first marks the running instance for restart and stops it; it does not wait.",
			cr:     newInstance(large),
			api:    &fakeAPI{describeInstances: describe(instance(), nil)},
			want:   want{calls: []any{mark(tagRestart), stopInput}},
		},
		"ResizeStopping": {
			reason: "While the instance stops, nothing is called.",
			cr:     newInstance(large),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopping), withRestartMark()), nil)},
			want:   want{},
		},
		"ResizePending": {
			reason: "A pending instance cannot be stopped; the type change waits until it runs.",
			cr:     newInstance(large),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNamePending)), nil)},
			want:   want{},
		},
		"ResizeStopped": {
			reason: "Once the instance Stratus stopped is stopped, its type changes and it starts; the mark stays until it runs.",
			cr:     newInstance(large),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopped), withRestartMark()), nil)},
			want:   want{calls: []any{modifyType("t3.large"), startInput}},
		},
		"ResizeStoppedBySomeoneElse": {
			reason: "An instance someone else stopped gets its new type but stays stopped.",
			cr:     newInstance(large),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopped)), nil)},
			want:   want{calls: []any{modifyType("t3.large")}},
		},
		"RestartAfterInterruptedResize": {
			reason: "An instance Stratus stopped whose type already matches (the provider stopped after changing it) is started.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopped), withRestartMark()), nil)},
			want:   want{calls: []any{startInput}},
		},
		"ResizeDone": {
			reason: "Once the instance runs again, the restart mark is removed.",
			cr:     newInstance(),
			api:    &fakeAPI{describeInstances: describe(instance(withRestartMark()), nil)},
			want:   want{calls: []any{&ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String(tagRestart)}}}}},
		},
		"ResizeDoneNoSpecTags": {
			reason: "With no tags in the spec (Stratus keeps the tags the instance has), the restart mark is still removed: it is not a user tag.",
			cr:     newInstance(func(cr *v1beta1.Instance) { cr.Spec.ForProvider.Tags = nil }),
			api:    &fakeAPI{describeInstances: describe(instance(withRestartMark()), nil)},
			want:   want{calls: []any{&ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String(tagRestart)}}}}},
		},
		"StopError": {
			reason: "Errors stopping the instance are returned with context.",
			cr:     newInstance(large),
			api: &fakeAPI{
				describeInstances: describe(instance(), nil),
				stop:              func(*ec2.StopInstancesInput) (*ec2.StopInstancesOutput, error) { return nil, errBoom },
			},
			want: want{calls: []any{mark(tagRestart), stopInput}, err: clients.Wrap(errBoom, "cannot stop instance to change its type")},
		},
		"ModifyTypeError": {
			reason: "Errors changing the type are returned with context, and the instance is not started with its old type.",
			cr:     newInstance(large),
			api: &fakeAPI{
				describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopped), withRestartMark()), nil),
				modify: func(*ec2.ModifyInstanceAttributeInput) (*ec2.ModifyInstanceAttributeOutput, error) {
					return nil, errBoom
				},
			},
			want: want{calls: []any{modifyType("t3.large")}, err: clients.Wrap(errBoom, "cannot modify instance type")},
		},
		"SecurityGroupsError": {
			reason: "Errors changing security groups are returned with context.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.SecurityGroupIDs = []string{"sg-2"} })),
			api: &fakeAPI{
				describeInstances: describe(instance(), nil),
				modify: func(*ec2.ModifyInstanceAttributeInput) (*ec2.ModifyInstanceAttributeOutput, error) {
					return nil, errBoom
				},
			},
			want: want{
				calls: []any{&ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), Groups: []string{"sg-2"}}},
				err:   clients.Wrap(errBoom, "cannot modify instance security groups"),
			},
		},
		"StartError": {
			reason: "Errors starting the instance are returned with context; the mark stays so the start is retried.",
			cr:     newInstance(),
			api: &fakeAPI{
				describeInstances: describe(instance(withState(ec2types.InstanceStateNameStopped), withRestartMark()), nil),
				start:             func(*ec2.StartInstancesInput) (*ec2.StartInstancesOutput, error) { return nil, errBoom },
			},
			want: want{calls: []any{startInput}, err: clients.Wrap(errBoom, "cannot start instance")},
		},
		"TagError": {
			reason: "Errors tagging the instance are returned with context.",
			cr:     newInstance(withParams(func(p *v1beta1.InstanceParameters) { p.Tags = map[string]string{"team": "data"} })),
			api: &fakeAPI{
				describeInstances: describe(instance(), nil),
				createTags:        func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) { return nil, errBoom },
			},
			want: want{
				calls: []any{&ec2.CreateTagsInput{Resources: []string{id}, Tags: tags(map[string]string{"team": "data"})}},
				err:   clients.Wrap(errBoom, "cannot tag "+id),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			_, err := e.Update(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Update(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Update(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	terminate := &ec2.TerminateInstancesInput{InstanceIds: []string{id}}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		want   error
	}{
		"Terminate": {
			reason: "The instance is terminated.",
			api:    &fakeAPI{},
		},
		"NotFound": {
			reason: "An instance AWS does not know is deleted already.",
			api:    &fakeAPI{terminate: func(*ec2.TerminateInstancesInput) (*ec2.TerminateInstancesOutput, error) { return nil, errNotFound }},
		},
		"Error": {
			reason: "Other errors are returned with context.",
			api:    &fakeAPI{terminate: func(*ec2.TerminateInstancesInput) (*ec2.TerminateInstancesOutput, error) { return nil, errBoom }},
			want:   clients.Wrap(errBoom, "cannot terminate instance"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			cr := newInstance()
			_, err := e.Delete(context.Background(), cr)
			if diff := cmp.Diff(tc.want, err, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Delete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]any{terminate}, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Delete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(xpv2.Deleting(), cr.GetCondition(xpv2.TypeReady), cmpOpts...); diff != "" {
				t.Errorf("%s\ne.Delete(...): -want Ready condition, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
