package vpc

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
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

const (
	name   = "network"
	uid    = "6d1f3c44-0b0e-4a53-9f43-7c1f0f2a9e10"
	id     = "vpc-0123456789abcdef0"
	region = "us-east-1"
)

var (
	errBoom     = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "boom"}
	errNotFound = &smithy.GenericAPIError{Code: "InvalidVpcID.NotFound", Message: "no such VPC"}
	errInUse    = &smithy.GenericAPIError{Code: "DependencyViolation", Message: "has dependencies"}
	errCalled   = errors.New("unexpected call")
)

// A fakeAPI stubs the EC2 API. Describe calls must be stubbed; mutating
// calls are recorded, inputs in order, and succeed unless stubbed.
type fakeAPI struct {
	calls []any

	describeVpcs  func(*ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error)
	describeAttr  func(*ec2.DescribeVpcAttributeInput) (*ec2.DescribeVpcAttributeOutput, error)
	createVpc     func(*ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error)
	modifyVpcAttr func(*ec2.ModifyVpcAttributeInput) (*ec2.ModifyVpcAttributeOutput, error)
	createTags    func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error)
	deleteTags    func(*ec2.DeleteTagsInput) (*ec2.DeleteTagsOutput, error)
	deleteVpc     func(*ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error)
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

func (f *fakeAPI) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	if f.describeVpcs == nil {
		return nil, errCalled
	}
	return f.describeVpcs(in)
}

func (f *fakeAPI) DescribeVpcAttribute(_ context.Context, in *ec2.DescribeVpcAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error) {
	if f.describeAttr == nil {
		return nil, errCalled
	}
	return f.describeAttr(in)
}

func (f *fakeAPI) CreateVpc(_ context.Context, in *ec2.CreateVpcInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error) {
	return record(f, in, f.createVpc)
}

func (f *fakeAPI) ModifyVpcAttribute(_ context.Context, in *ec2.ModifyVpcAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error) {
	return record(f, in, f.modifyVpcAttr)
}

func (f *fakeAPI) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	return record(f, in, f.createTags)
}

func (f *fakeAPI) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	return record(f, in, f.deleteTags)
}

func (f *fakeAPI) DeleteVpc(_ context.Context, in *ec2.DeleteVpcInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error) {
	return record(f, in, f.deleteVpc)
}

// describe answers a lookup by ID with byID (NotFound when nil) and a
// lookup by UID tag with byTag (no VPCs when nil).
func describe(byID, byTag *ec2types.Vpc) func(*ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
	return func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
		found := byTag
		if len(in.VpcIds) > 0 {
			if in.VpcIds[0] != id || byID == nil {
				return nil, errNotFound
			}
			found = byID
		} else if diff := cmp.Diff(clients.UIDFilter(newVPC()), in.Filters, cmpOpts...); diff != "" {
			return nil, errors.Errorf("unexpected filters: -want, +got:\n%s", diff)
		}
		out := &ec2.DescribeVpcsOutput{}
		if found != nil {
			out.Vpcs = []ec2types.Vpc{*found}
		}
		return out, nil
	}
}

// attributes answers DNS attribute lookups with support and hostnames.
func attributes(support, hostnames bool) func(*ec2.DescribeVpcAttributeInput) (*ec2.DescribeVpcAttributeOutput, error) {
	return func(in *ec2.DescribeVpcAttributeInput) (*ec2.DescribeVpcAttributeOutput, error) {
		out := &ec2.DescribeVpcAttributeOutput{VpcId: in.VpcId}
		switch in.Attribute { //nolint:exhaustive // The controller asks for these two only.
		case ec2types.VpcAttributeNameEnableDnsSupport:
			out.EnableDnsSupport = &ec2types.AttributeBooleanValue{Value: aws.Bool(support)}
		case ec2types.VpcAttributeNameEnableDnsHostnames:
			out.EnableDnsHostnames = &ec2types.AttributeBooleanValue{Value: aws.Bool(hostnames)}
		default:
			return nil, errors.Errorf("unexpected attribute %s", in.Attribute)
		}
		return out, nil
	}
}

// stratusTags are the tags Stratus puts on the VPC of newVPC.
func stratusTags(user map[string]string) []ec2types.Tag {
	m := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(m, user)
	return clients.EC2Tags(m)
}

// vpc returns an available VPC as AWS describes it, in sync with newVPC.
func vpc(mods ...func(*ec2types.Vpc)) *ec2types.Vpc {
	v := &ec2types.Vpc{
		VpcId:           aws.String(id),
		State:           ec2types.VpcStateAvailable,
		CidrBlock:       aws.String("10.0.0.0/16"),
		InstanceTenancy: ec2types.TenancyDefault,
		IsDefault:       aws.Bool(false),
		OwnerId:         aws.String("123456789012"),
		DhcpOptionsId:   aws.String("dopt-1"),
		Tags:            stratusTags(map[string]string{"team": "platform"}),
	}
	for _, m := range mods {
		m(v)
	}
	return v
}

// newVPC returns a VPC resource, late-initialized and with its ID
// recorded, in sync with vpc.
func newVPC(mods ...func(*v1beta1.VPC)) *v1beta1.VPC {
	cr := &v1beta1.VPC{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), Annotations: map[string]string{meta.AnnotationKeyExternalName: id}},
		Spec: v1beta1.VPCSpec{ForProvider: v1beta1.VPCParameters{
			Region:             aws.String(region),
			CIDRBlock:          aws.String("10.0.0.0/16"),
			InstanceTenancy:    aws.String("default"),
			EnableDNSSupport:   aws.Bool(true),
			EnableDNSHostnames: aws.Bool(false),
			Tags:               map[string]string{"team": "platform"},
		}},
	}
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func withoutExternalName(cr *v1beta1.VPC) { meta.SetExternalName(cr, "") }

// available is the status of an available VPC.
func available(cr *v1beta1.VPC) {
	cr.Status.AtProvider = v1beta1.VPCObservation{
		VPCID: id, State: "available", CIDRBlock: "10.0.0.0/16", OwnerID: "123456789012", DHCPOptionsID: "dopt-1",
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

func TestObserve(t *testing.T) {
	type want struct {
		o     managed.ExternalObservation
		cr    *v1beta1.VPC
		err   error
		calls []any
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.VPC
		want   want
	}{
		"NotFoundByID": {
			reason: "A VPC whose recorded ID AWS does not know does not exist.",
			api:    &fakeAPI{describeVpcs: describe(nil, nil)},
			cr:     newVPC(),
			want:   want{cr: newVPC()},
		},
		"NotFoundByTag": {
			reason: "Before its ID is recorded, a VPC that no VPC is tagged with the resource's UID for does not exist.",
			api:    &fakeAPI{describeVpcs: describe(nil, nil)},
			cr:     newVPC(withoutExternalName),
			want:   want{cr: newVPC(withoutExternalName)},
		},
		"DescribeError": {
			reason: "An error describing the VPC is returned with context.",
			api:    &fakeAPI{describeVpcs: func(*ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) { return nil, errBoom }},
			cr:     newVPC(),
			want:   want{cr: newVPC(), err: clients.Wrap(errBoom, "cannot describe VPC")},
		},
		"DescribeAttributeError": {
			reason: "An error describing a DNS attribute is returned with context.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(), nil),
				describeAttr: func(*ec2.DescribeVpcAttributeInput) (*ec2.DescribeVpcAttributeOutput, error) { return nil, errBoom },
			},
			cr:   newVPC(),
			want: want{cr: newVPC(), err: clients.Wrap(errBoom, "cannot describe VPC DNS support")},
		},
		"FoundByTag": {
			reason: "A VPC created by a reconcile that stopped before recording its ID is adopted: its ID becomes the external name.",
			api:    &fakeAPI{describeVpcs: describe(nil, vpc()), describeAttr: attributes(true, false)},
			cr:     newVPC(withoutExternalName),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
				cr: newVPC(available),
			},
		},
		"UpToDate": {
			reason: "A VPC that matches its spec is up to date, and nothing is late-initialized.",
			api:    &fakeAPI{describeVpcs: describe(vpc(), nil), describeAttr: attributes(true, false)},
			cr:     newVPC(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newVPC(available),
			},
		},
		"LateInitialize": {
			reason: "Unset fields are filled from what AWS chose, user tags included, except those initProvider sets.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(func(v *ec2types.Vpc) {
					v.Tags = stratusTags(map[string]string{"team": "platform", "aws:cloudformation:stack-name": "s"})
				}), nil),
				describeAttr: attributes(true, false),
			},
			cr: newVPC(func(cr *v1beta1.VPC) {
				cr.Spec.ForProvider = v1beta1.VPCParameters{CIDRBlock: aws.String("10.0.0.0/16")}
				cr.Spec.InitProvider = &v1beta1.VPCParameters{EnableDNSHostnames: aws.Bool(false)}
			}),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
				cr: newVPC(available, func(cr *v1beta1.VPC) {
					cr.Spec.ForProvider.EnableDNSHostnames = nil
					cr.Spec.InitProvider = &v1beta1.VPCParameters{EnableDNSHostnames: aws.Bool(false)}
				}),
			},
		},
		"NoTenancy": {
			reason: "A tenancy AWS does not report is not late-initialized as an empty string, which the schema rejects.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(func(v *ec2types.Vpc) { v.InstanceTenancy = "" }), nil),
				describeAttr: attributes(true, false),
			},
			cr: newVPC(func(cr *v1beta1.VPC) { cr.Spec.ForProvider.InstanceTenancy = nil }),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newVPC(available, func(cr *v1beta1.VPC) { cr.Spec.ForProvider.InstanceTenancy = nil }),
			},
		},
		"ObserveOnly": {
			reason: "An observe-only resource is not late-initialized (the reconciler would persist its spec); with no tags in its spec its tags are left alone.",
			api:    &fakeAPI{describeVpcs: describe(vpc(), nil), describeAttr: attributes(true, false)},
			cr: newVPC(func(cr *v1beta1.VPC) {
				cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
				cr.Spec.ForProvider = v1beta1.VPCParameters{}
			}),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newVPC(available, func(cr *v1beta1.VPC) {
					cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
					cr.Spec.ForProvider = v1beta1.VPCParameters{}
				}),
			},
		},
		"DNSDiffers": {
			reason: "A VPC whose DNS hostnames setting differs from the spec needs an update.",
			api:    &fakeAPI{describeVpcs: describe(vpc(), nil), describeAttr: attributes(true, true)},
			cr:     newVPC(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newVPC(available),
			},
		},
		"TagsDiffer": {
			reason: "A VPC whose tags differ from the spec needs an update.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(func(v *ec2types.Vpc) { v.Tags = stratusTags(map[string]string{"team": "data"}) }), nil),
				describeAttr: attributes(true, false),
			},
			cr: newVPC(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newVPC(available),
			},
		},
		"Pending": {
			reason: "A VPC AWS is still creating is not yet available.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(func(v *ec2types.Vpc) { v.State = ec2types.VpcStatePending }), nil),
				describeAttr: attributes(true, false),
			},
			cr: newVPC(),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newVPC(available, func(cr *v1beta1.VPC) {
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
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nObserve(...): -want mutating calls, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	type want struct {
		cr    *v1beta1.VPC
		err   error
		calls []any
	}
	created := func(*ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error) {
		return &ec2.CreateVpcOutput{Vpc: vpc(func(v *ec2types.Vpc) { v.State = ec2types.VpcStatePending })}, nil
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.VPC
		want   want
	}{
		"Success": {
			reason: "The VPC is created with the spec's fields and tagged with the resource's UID; its ID becomes the external name.",
			api:    &fakeAPI{createVpc: created},
			cr: newVPC(withoutExternalName, func(cr *v1beta1.VPC) {
				cr.Spec.ForProvider = v1beta1.VPCParameters{CIDRBlock: aws.String("10.0.0.0/16"), InstanceTenancy: aws.String("dedicated"), Tags: map[string]string{"team": "platform"}}
			}),
			want: want{
				cr: newVPC(func(cr *v1beta1.VPC) {
					cr.Spec.ForProvider = v1beta1.VPCParameters{CIDRBlock: aws.String("10.0.0.0/16"), InstanceTenancy: aws.String("dedicated"), Tags: map[string]string{"team": "platform"}}
				}),
				calls: []any{&ec2.CreateVpcInput{
					CidrBlock:         aws.String("10.0.0.0/16"),
					InstanceTenancy:   ec2types.TenancyDedicated,
					TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: stratusTags(map[string]string{"team": "platform"})}},
				}},
			},
		},
		"InitProvider": {
			reason: "Fields only initProvider sets are used to create the VPC.",
			api:    &fakeAPI{createVpc: created},
			cr: newVPC(withoutExternalName, func(cr *v1beta1.VPC) {
				cr.Spec.ForProvider = v1beta1.VPCParameters{}
				cr.Spec.InitProvider = &v1beta1.VPCParameters{CIDRBlock: aws.String("10.1.0.0/16")}
			}),
			want: want{
				cr: newVPC(func(cr *v1beta1.VPC) {
					cr.Spec.ForProvider = v1beta1.VPCParameters{}
					cr.Spec.InitProvider = &v1beta1.VPCParameters{CIDRBlock: aws.String("10.1.0.0/16")}
				}),
				calls: []any{&ec2.CreateVpcInput{
					CidrBlock:         aws.String("10.1.0.0/16"),
					TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: stratusTags(nil)}},
				}},
			},
		},
		"Error": {
			reason: "An error creating the VPC is returned with context, and no external name is recorded.",
			api:    &fakeAPI{createVpc: func(*ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error) { return nil, errBoom }},
			cr:     newVPC(withoutExternalName),
			want: want{
				cr:  newVPC(withoutExternalName),
				err: clients.Wrap(errBoom, "cannot create VPC"),
				calls: []any{&ec2.CreateVpcInput{
					CidrBlock:         aws.String("10.0.0.0/16"),
					InstanceTenancy:   ec2types.TenancyDefault,
					TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: stratusTags(map[string]string{"team": "platform"})}},
				}},
			},
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
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.VPC
		want   want
	}{
		"UpToDate": {
			reason: "A VPC that matches its spec gets no mutating call.",
			api:    &fakeAPI{describeVpcs: describe(vpc(), nil), describeAttr: attributes(true, false)},
			cr:     newVPC(),
		},
		"Gone": {
			reason: "A VPC that vanished is left for the next observation.",
			api:    &fakeAPI{describeVpcs: describe(nil, nil)},
			cr:     newVPC(),
		},
		"DNSHostnames": {
			reason: "Only the DNS attribute that differs is modified.",
			api:    &fakeAPI{describeVpcs: describe(vpc(), nil), describeAttr: attributes(true, false)},
			cr:     newVPC(func(cr *v1beta1.VPC) { cr.Spec.ForProvider.EnableDNSHostnames = aws.Bool(true) }),
			want: want{calls: []any{
				&ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}},
			}},
		},
		"DNSSupport": {
			reason: "DNS support and hostnames are modified in separate calls, as AWS requires.",
			api:    &fakeAPI{describeVpcs: describe(vpc(), nil), describeAttr: attributes(false, true)},
			cr:     newVPC(),
			want: want{calls: []any{
				&ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}},
				&ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}},
			}},
		},
		"Tags": {
			reason: "Changed tags are set and removed tags deleted, the Stratus tags kept.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(func(v *ec2types.Vpc) { v.Tags = stratusTags(map[string]string{"team": "data", "old": "x"}) }), nil),
				describeAttr: attributes(true, false),
			},
			cr: newVPC(),
			want: want{calls: []any{
				&ec2.CreateTagsInput{Resources: []string{id}, Tags: clients.EC2Tags(map[string]string{"team": "platform"})},
				&ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("old")}}},
			}},
		},
		"ModifyError": {
			reason: "An error modifying an attribute is returned with context.",
			api: &fakeAPI{
				describeVpcs:  describe(vpc(), nil),
				describeAttr:  attributes(true, true),
				modifyVpcAttr: func(*ec2.ModifyVpcAttributeInput) (*ec2.ModifyVpcAttributeOutput, error) { return nil, errBoom },
			},
			cr: newVPC(),
			want: want{
				err:   clients.Wrap(errBoom, "cannot modify VPC DNS hostnames"),
				calls: []any{&ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}}},
			},
		},
		"TagError": {
			reason: "An error tagging the VPC is returned with context.",
			api: &fakeAPI{
				describeVpcs: describe(vpc(func(v *ec2types.Vpc) { v.Tags = stratusTags(nil) }), nil),
				describeAttr: attributes(true, false),
				createTags:   func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) { return nil, errBoom },
			},
			cr: newVPC(),
			want: want{
				err:   clients.Wrap(errBoom, "cannot tag "+id),
				calls: []any{&ec2.CreateTagsInput{Resources: []string{id}, Tags: clients.EC2Tags(map[string]string{"team": "platform"})}},
			},
		},
		"DescribeError": {
			reason: "An error describing the VPC is returned with context.",
			api:    &fakeAPI{describeVpcs: func(*ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) { return nil, errBoom }},
			cr:     newVPC(),
			want:   want{err: clients.Wrap(errBoom, "cannot describe VPC")},
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
	deleteInput := &ec2.DeleteVpcInput{VpcId: aws.String(id)}
	cases := map[string]struct {
		reason string
		err    error
		want   error
	}{
		"Success": {
			reason: "A deleted VPC is gone.",
		},
		"NotFound": {
			reason: "A VPC that is already gone is deleted.",
			err:    errNotFound,
		},
		"InUse": {
			reason: "A VPC that still holds subnets cannot be deleted yet.",
			err:    errInUse,
			want:   clients.Wrap(errInUse, "cannot delete VPC"),
		},
		"Error": {
			reason: "An error deleting the VPC is returned with context.",
			err:    errBoom,
			want:   clients.Wrap(errBoom, "cannot delete VPC"),
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := &fakeAPI{deleteVpc: func(*ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error) { return &ec2.DeleteVpcOutput{}, tc.err }}
			cr := newVPC()
			_, err := (&external{api: api, region: region}).Delete(context.Background(), cr)
			if diff := cmp.Diff(tc.want, err, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]any{deleteInput}, api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if got := cr.GetCondition(xpv2.TypeReady).Reason; got != xpv2.ReasonDeleting {
				t.Errorf("%s\nDelete(...): Ready reason %q, want %q", tc.reason, got, xpv2.ReasonDeleting)
			}
		})
	}
}
