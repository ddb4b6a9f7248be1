package subnet

import (
	"context"
	"maps"
	"reflect"
	"testing"

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
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

const (
	name   = "private-a"
	uid    = "0b7f4a2e-5c1d-4e8f-a9b3-6d2c1e0f9a87"
	id     = "subnet-0123456789abcdef0"
	vpcID  = "vpc-0123456789abcdef0"
	arn    = "arn:aws:ec2:us-east-1:123456789012:subnet/" + id
	region = "us-east-1"
)

var (
	errBoom     = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "boom"}
	errNotFound = &smithy.GenericAPIError{Code: "InvalidSubnetID.NotFound", Message: "no such subnet"}
	errInUse    = &smithy.GenericAPIError{Code: "DependencyViolation", Message: "has dependencies"}
	errCalled   = errors.New("unexpected call")
)

// A fakeAPI stubs the EC2 API. DescribeSubnets must be stubbed; mutating
// calls are recorded, inputs in order, and succeed unless stubbed.
type fakeAPI struct {
	calls []any

	describe   func(*ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error)
	create     func(*ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error)
	modify     func(*ec2.ModifySubnetAttributeInput) (*ec2.ModifySubnetAttributeOutput, error)
	createTags func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error)
	deleteTags func(*ec2.DeleteTagsInput) (*ec2.DeleteTagsOutput, error)
	deleteFn   func(*ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error)
}

// record records the mutating call in and returns what fn returns, or an
// empty output when fn is nil.
func record[I, O any](f *fakeAPI, in *I, fn func(*I) (*O, error)) (*O, error) {
	f.calls = append(f.calls, in)
	if fn == nil {
		return new(O), nil
	}
	return fn(in)
}

func (f *fakeAPI) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	if f.describe == nil {
		return nil, errCalled
	}
	return f.describe(in)
}

func (f *fakeAPI) CreateSubnet(_ context.Context, in *ec2.CreateSubnetInput, _ ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error) {
	return record(f, in, f.create)
}

func (f *fakeAPI) ModifySubnetAttribute(_ context.Context, in *ec2.ModifySubnetAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifySubnetAttributeOutput, error) {
	return record(f, in, f.modify)
}

func (f *fakeAPI) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	return record(f, in, f.createTags)
}

func (f *fakeAPI) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	return record(f, in, f.deleteTags)
}

func (f *fakeAPI) DeleteSubnet(_ context.Context, in *ec2.DeleteSubnetInput, _ ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error) {
	return record(f, in, f.deleteFn)
}

// describe answers a lookup by ID with byID (NotFound when nil) and a
// lookup by UID tag with byTag (no subnets when nil).
func describe(byID, byTag *ec2types.Subnet) func(*ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
	return func(in *ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
		found := byTag
		if len(in.SubnetIds) > 0 {
			if in.SubnetIds[0] != id || byID == nil {
				return nil, errNotFound
			}
			found = byID
		} else if diff := cmp.Diff(clients.UIDFilter(newSubnet()), in.Filters, cmpOpts...); diff != "" {
			return nil, errors.Errorf("unexpected filters: -want, +got:\n%s", diff)
		}
		out := &ec2.DescribeSubnetsOutput{}
		if found != nil {
			out.Subnets = []ec2types.Subnet{*found}
		}
		return out, nil
	}
}

// stratusTags are the user tags plus the tags Stratus puts on the subnet
// of newSubnet.
func stratusTags(user map[string]string) []ec2types.Tag {
	m := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(m, user)
	return clients.EC2Tags(m)
}

// subnet returns an available subnet as AWS describes it, in sync with
// newSubnet.
func subnet(mods ...func(*ec2types.Subnet)) *ec2types.Subnet {
	s := &ec2types.Subnet{
		SubnetId:                aws.String(id),
		SubnetArn:               aws.String(arn),
		VpcId:                   aws.String(vpcID),
		State:                   ec2types.SubnetStateAvailable,
		CidrBlock:               aws.String("10.0.1.0/24"),
		AvailabilityZone:        aws.String("us-east-1a"),
		AvailableIpAddressCount: aws.Int32(251),
		MapPublicIpOnLaunch:     aws.Bool(false),
		Tags:                    stratusTags(map[string]string{"tier": "private"}),
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

// newSubnet returns a subnet resource, late-initialized and with its ID
// recorded, in sync with subnet.
func newSubnet(mods ...func(*v1beta1.Subnet)) *v1beta1.Subnet {
	cr := &v1beta1.Subnet{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), Annotations: map[string]string{meta.AnnotationKeyExternalName: id}},
		Spec: v1beta1.SubnetSpec{ForProvider: v1beta1.SubnetParameters{
			Region:              aws.String(region),
			VPCID:               aws.String(vpcID),
			VPCIDRef:            &xpv2.Reference{Name: "network"},
			CIDRBlock:           aws.String("10.0.1.0/24"),
			AvailabilityZone:    aws.String("us-east-1a"),
			MapPublicIPOnLaunch: aws.Bool(false),
			Tags:                map[string]string{"tier": "private"},
		}},
	}
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func withoutExternalName(cr *v1beta1.Subnet) { meta.SetExternalName(cr, "") }

// available is the status of an available subnet.
func available(cr *v1beta1.Subnet) {
	cr.Status.AtProvider = v1beta1.SubnetObservation{
		SubnetID: id, ARN: arn, State: "available", AvailableIPAddressCount: 251, AvailabilityZone: "us-east-1a", VPCID: vpcID,
	}
	cr.SetConditions(xpv2.Available())
}

// cmpOpts compare SDK values, which carry unexported fields, and tag
// lists, whose order a map decides.
var cmpOpts = []cmp.Option{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmpopts.SortSlices(func(a, b ec2types.Tag) bool { return aws.ToString(a.Key) < aws.ToString(b.Key) }),
	cmpopts.EquateEmpty(),
	test.EquateErrors(),
	test.EquateConditions(),
	cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime"),
}

// A fakeConfigurer returns cfg or err.
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
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := &fakeAPI{}
			c := &connector{config: tc.config, newAPI: func(aws.Config) API { return api }}
			got, err := c.Connect(context.Background(), newSubnet())
			if diff := cmp.Diff(tc.want, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s\nConnect(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.config.region != region {
				t.Errorf("%s\nConnect(...): asked for region %q, want %q", tc.reason, tc.config.region, region)
			}
			if e, ok := got.(*external); err == nil && (!ok || e.api != api || e.region != region) {
				t.Errorf("%s\nConnect(...): got %#v, want a client of the API for region %s", tc.reason, got, region)
			}
		})
	}
}

func TestObserve(t *testing.T) {
	type want struct {
		o   managed.ExternalObservation
		cr  *v1beta1.Subnet
		err error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.Subnet
		want   want
	}{
		"NotFoundByID": {
			reason: "A subnet whose recorded ID AWS does not know does not exist.",
			api:    &fakeAPI{describe: describe(nil, nil)},
			cr:     newSubnet(),
			want:   want{cr: newSubnet()},
		},
		"NotFoundByTag": {
			reason: "Before its ID is recorded, a subnet that no subnet is tagged with the resource's UID for does not exist.",
			api:    &fakeAPI{describe: describe(nil, nil)},
			cr:     newSubnet(withoutExternalName),
			want:   want{cr: newSubnet(withoutExternalName)},
		},
		"DescribeError": {
			reason: "An error describing the subnet is returned with context.",
			api:    &fakeAPI{describe: func(*ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) { return nil, errBoom }},
			cr:     newSubnet(),
			want:   want{cr: newSubnet(), err: clients.Wrap(errBoom, "cannot describe subnet")},
		},
		"FoundByTag": {
			reason: "A subnet created by a reconcile that stopped before recording its ID is adopted: its ID becomes the external name.",
			api:    &fakeAPI{describe: describe(nil, subnet())},
			cr:     newSubnet(withoutExternalName),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
				cr: newSubnet(available),
			},
		},
		"UpToDate": {
			reason: "A subnet that matches its spec is up to date, and nothing is late-initialized.",
			api:    &fakeAPI{describe: describe(subnet(), nil)},
			cr:     newSubnet(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newSubnet(available),
			},
		},
		"LateInitialize": {
			reason: "Unset fields are filled from what AWS chose, except those initProvider sets; references are left alone.",
			api:    &fakeAPI{describe: describe(subnet(), nil)},
			cr: newSubnet(func(cr *v1beta1.Subnet) {
				cr.Spec.ForProvider = v1beta1.SubnetParameters{VPCID: aws.String(vpcID), VPCIDRef: &xpv2.Reference{Name: "network"}, CIDRBlock: aws.String("10.0.1.0/24")}
				cr.Spec.InitProvider = &v1beta1.SubnetParameters{MapPublicIPOnLaunch: aws.Bool(true)}
			}),
			want: want{
				// The spec has no tags, so tier=private is late-initialized.
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
				cr: newSubnet(available, func(cr *v1beta1.Subnet) {
					cr.Spec.ForProvider.MapPublicIPOnLaunch = nil
					cr.Spec.InitProvider = &v1beta1.SubnetParameters{MapPublicIPOnLaunch: aws.Bool(true)}
				}),
			},
		},
		"ObserveOnly": {
			reason: "An observe-only resource is not late-initialized: the reconciler would persist its spec.",
			api:    &fakeAPI{describe: describe(subnet(), nil)},
			cr: newSubnet(func(cr *v1beta1.Subnet) {
				cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
				cr.Spec.ForProvider = v1beta1.SubnetParameters{Tags: map[string]string{"tier": "private"}}
			}),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newSubnet(available, func(cr *v1beta1.Subnet) {
					cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
					cr.Spec.ForProvider = v1beta1.SubnetParameters{Tags: map[string]string{"tier": "private"}}
				}),
			},
		},
		"MapPublicIPDiffers": {
			reason: "A subnet whose mapPublicIpOnLaunch differs from the spec needs an update.",
			api:    &fakeAPI{describe: describe(subnet(func(s *ec2types.Subnet) { s.MapPublicIpOnLaunch = aws.Bool(true) }), nil)},
			cr:     newSubnet(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newSubnet(available),
			},
		},
		"TagsDiffer": {
			reason: "A subnet whose tags differ from the spec needs an update.",
			api:    &fakeAPI{describe: describe(subnet(func(s *ec2types.Subnet) { s.Tags = stratusTags(map[string]string{"tier": "public"}) }), nil)},
			cr:     newSubnet(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newSubnet(available),
			},
		},
		"Pending": {
			reason: "A subnet AWS is still creating is not yet available.",
			api:    &fakeAPI{describe: describe(subnet(func(s *ec2types.Subnet) { s.State = ec2types.SubnetStatePending }), nil)},
			cr:     newSubnet(),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newSubnet(available, func(cr *v1beta1.Subnet) {
					cr.Status.AtProvider.State = "pending"
					cr.SetConditions(xpv2.Creating())
				}),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, cmpOpts...); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, cmpOpts...); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if len(tc.api.calls) != 0 {
				t.Errorf("%s\nObserve(...): made mutating calls %v", tc.reason, tc.api.calls)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	type want struct {
		cr    *v1beta1.Subnet
		err   error
		calls []any
	}
	created := func(*ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error) {
		return &ec2.CreateSubnetOutput{Subnet: subnet(func(s *ec2types.Subnet) { s.State = ec2types.SubnetStatePending })}, nil
	}
	input := func(mods ...func(*ec2.CreateSubnetInput)) *ec2.CreateSubnetInput {
		in := &ec2.CreateSubnetInput{
			VpcId:             aws.String(vpcID),
			CidrBlock:         aws.String("10.0.1.0/24"),
			AvailabilityZone:  aws.String("us-east-1a"),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSubnet, Tags: stratusTags(map[string]string{"tier": "private"})}},
		}
		for _, m := range mods {
			m(in)
		}
		return in
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.Subnet
		want   want
	}{
		"Success": {
			reason: "The subnet is created with the spec's fields and tagged with the resource's UID; its ID becomes the external name.",
			api:    &fakeAPI{create: created},
			cr:     newSubnet(withoutExternalName),
			want:   want{cr: newSubnet(), calls: []any{input()}},
		},
		"InitProvider": {
			reason: "Fields only initProvider sets are used to create the subnet.",
			api:    &fakeAPI{create: created},
			cr: newSubnet(withoutExternalName, func(cr *v1beta1.Subnet) {
				cr.Spec.ForProvider.AvailabilityZone = nil
				cr.Spec.InitProvider = &v1beta1.SubnetParameters{AvailabilityZone: aws.String("us-east-1c")}
			}),
			want: want{
				cr: newSubnet(func(cr *v1beta1.Subnet) {
					cr.Spec.ForProvider.AvailabilityZone = nil
					cr.Spec.InitProvider = &v1beta1.SubnetParameters{AvailabilityZone: aws.String("us-east-1c")}
				}),
				calls: []any{input(func(in *ec2.CreateSubnetInput) { in.AvailabilityZone = aws.String("us-east-1c") })},
			},
		},
		"Error": {
			reason: "An error creating the subnet is returned with context, and no external name is recorded.",
			api:    &fakeAPI{create: func(*ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error) { return nil, errBoom }},
			cr:     newSubnet(withoutExternalName),
			want:   want{cr: newSubnet(withoutExternalName), err: clients.Wrap(errBoom, "cannot create subnet"), calls: []any{input()}},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, cmpOpts...); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, cmpOpts...); diff != "" {
				t.Errorf("%s\nCreate(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nCreate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	type want struct {
		err   error
		calls []any
	}
	mapPublicIP := &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.Subnet
		want   want
	}{
		"UpToDate": {
			reason: "A subnet that matches its spec gets no mutating call.",
			api:    &fakeAPI{describe: describe(subnet(), nil)},
			cr:     newSubnet(),
		},
		"Gone": {
			reason: "A subnet that vanished is left for the next observation.",
			api:    &fakeAPI{describe: describe(nil, nil)},
			cr:     newSubnet(),
		},
		"MapPublicIP": {
			reason: "Only mapPublicIpOnLaunch, which differs, is modified.",
			api:    &fakeAPI{describe: describe(subnet(), nil)},
			cr:     newSubnet(func(cr *v1beta1.Subnet) { cr.Spec.ForProvider.MapPublicIPOnLaunch = aws.Bool(true) }),
			want:   want{calls: []any{mapPublicIP}},
		},
		"Tags": {
			reason: "Changed tags are set and removed tags deleted, the Stratus tags kept.",
			api:    &fakeAPI{describe: describe(subnet(func(s *ec2types.Subnet) { s.Tags = stratusTags(map[string]string{"tier": "public", "old": "x"}) }), nil)},
			cr:     newSubnet(),
			want: want{calls: []any{
				&ec2.CreateTagsInput{Resources: []string{id}, Tags: clients.EC2Tags(map[string]string{"tier": "private"})},
				&ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("old")}}},
			}},
		},
		"DescribeError": {
			reason: "An error describing the subnet is returned with context.",
			api:    &fakeAPI{describe: func(*ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) { return nil, errBoom }},
			cr:     newSubnet(),
			want:   want{err: clients.Wrap(errBoom, "cannot describe subnet")},
		},
		"ModifyError": {
			reason: "An error modifying the subnet is returned with context.",
			api: &fakeAPI{
				describe: describe(subnet(), nil),
				modify:   func(*ec2.ModifySubnetAttributeInput) (*ec2.ModifySubnetAttributeOutput, error) { return nil, errBoom },
			},
			cr:   newSubnet(func(cr *v1beta1.Subnet) { cr.Spec.ForProvider.MapPublicIPOnLaunch = aws.Bool(true) }),
			want: want{err: clients.Wrap(errBoom, "cannot modify subnet attribute mapPublicIpOnLaunch"), calls: []any{mapPublicIP}},
		},
		"TagError": {
			reason: "An error tagging the subnet is returned with context.",
			api: &fakeAPI{
				describe:   describe(subnet(func(s *ec2types.Subnet) { s.Tags = stratusTags(nil) }), nil),
				createTags: func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) { return nil, errBoom },
			},
			cr: newSubnet(),
			want: want{
				err:   clients.Wrap(errBoom, "cannot tag "+id),
				calls: []any{&ec2.CreateTagsInput{Resources: []string{id}, Tags: clients.EC2Tags(map[string]string{"tier": "private"})}},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			_, err := e.Update(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, cmpOpts...); diff != "" {
				t.Errorf("%s\nUpdate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nUpdate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		want   error
	}{
		"Success": {
			reason: "A deleted subnet is gone.",
		},
		"NotFound": {
			reason: "A subnet that is already gone is deleted.",
			err:    errNotFound,
		},
		"InUse": {
			reason: "A subnet that network interfaces still use cannot be deleted yet, and the error says why.",
			err:    errInUse,
			want:   clients.Wrap(errInUse, "cannot delete subnet: network interfaces (instances, databases, load balancers) still use it; the delete is retried until they are gone"),
		},
		"Error": {
			reason: "An error deleting the subnet is returned with context.",
			err:    errBoom,
			want:   clients.Wrap(errBoom, "cannot delete subnet"),
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := &fakeAPI{deleteFn: func(*ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error) {
				return &ec2.DeleteSubnetOutput{}, tc.err
			}}
			cr := newSubnet()
			_, err := (&external{api: api, region: region}).Delete(context.Background(), cr)
			if diff := cmp.Diff(tc.want, err, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]any{&ec2.DeleteSubnetInput{SubnetId: aws.String(id)}}, api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if got := cr.GetCondition(xpv2.TypeReady).Reason; got != xpv2.ReasonDeleting {
				t.Errorf("%s\nDelete(...): Ready reason %q, want %q", tc.reason, got, xpv2.ReasonDeleting)
			}
		})
	}
}
