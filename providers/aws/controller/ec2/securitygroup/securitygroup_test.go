package securitygroup

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
	name   = "web"
	uid    = "c4a8e1f2-9d3b-4f6a-8e2c-1b7d5a0f3e96"
	id     = "sg-0123456789abcdef0"
	vpcID  = "vpc-0123456789abcdef0"
	owner  = "123456789012"
	arn    = "arn:aws:ec2:us-east-1:123456789012:security-group/" + id
	region = "us-east-1"
)

var (
	errBoom     = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "boom"}
	errNotFound = &smithy.GenericAPIError{Code: "InvalidGroup.NotFound", Message: "no such group"}
	errInUse    = &smithy.GenericAPIError{Code: "DependencyViolation", Message: "resource sg-0123456789abcdef0 has a dependent object"}
	errCalled   = errors.New("unexpected call")
)

// A fakeAPI stubs the EC2 API. DescribeSecurityGroups must be stubbed;
// mutating calls are recorded, inputs in order, and succeed unless stubbed.
type fakeAPI struct {
	calls []any

	describe         func(*ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error)
	create           func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error)
	authorizeIngress func(*ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	revokeEgress     func(*ec2.RevokeSecurityGroupEgressInput) (*ec2.RevokeSecurityGroupEgressOutput, error)
	describeIngress  func(*ec2.UpdateSecurityGroupRuleDescriptionsIngressInput) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error)
	deleteFn         func(*ec2.DeleteSecurityGroupInput) (*ec2.DeleteSecurityGroupOutput, error)
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

func (f *fakeAPI) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	if f.describe == nil {
		return nil, errCalled
	}
	return f.describe(in)
}

func (f *fakeAPI) CreateSecurityGroup(_ context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	return record(f, in, f.create)
}

func (f *fakeAPI) AuthorizeSecurityGroupIngress(_ context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
	return record(f, in, f.authorizeIngress)
}

func (f *fakeAPI) AuthorizeSecurityGroupEgress(_ context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error) {
	return record[ec2.AuthorizeSecurityGroupEgressInput, ec2.AuthorizeSecurityGroupEgressOutput](f, in, nil)
}

func (f *fakeAPI) RevokeSecurityGroupIngress(_ context.Context, in *ec2.RevokeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error) {
	return record[ec2.RevokeSecurityGroupIngressInput, ec2.RevokeSecurityGroupIngressOutput](f, in, nil)
}

func (f *fakeAPI) RevokeSecurityGroupEgress(_ context.Context, in *ec2.RevokeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
	return record(f, in, f.revokeEgress)
}

func (f *fakeAPI) UpdateSecurityGroupRuleDescriptionsIngress(_ context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput, _ ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
	return record(f, in, f.describeIngress)
}

func (f *fakeAPI) UpdateSecurityGroupRuleDescriptionsEgress(_ context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsEgressInput, _ ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput, error) {
	return record[ec2.UpdateSecurityGroupRuleDescriptionsEgressInput, ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput](f, in, nil)
}

func (f *fakeAPI) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	return record[ec2.CreateTagsInput, ec2.CreateTagsOutput](f, in, nil)
}

func (f *fakeAPI) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	return record[ec2.DeleteTagsInput, ec2.DeleteTagsOutput](f, in, nil)
}

func (f *fakeAPI) DeleteSecurityGroup(_ context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	return record(f, in, f.deleteFn)
}

// describe answers a lookup by ID with byID (NotFound when nil) and a
// lookup by UID tag with byTag (no groups when nil).
func describe(byID, byTag *ec2types.SecurityGroup) func(*ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) {
	return func(in *ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) {
		found := byTag
		if len(in.GroupIds) > 0 {
			if in.GroupIds[0] != id || byID == nil {
				return nil, errNotFound
			}
			found = byID
		} else if diff := cmp.Diff(clients.UIDFilter(newGroup()), in.Filters, cmpOpts...); diff != "" {
			return nil, errors.Errorf("unexpected filters: -want, +got:\n%s", diff)
		}
		out := &ec2.DescribeSecurityGroupsOutput{}
		if found != nil {
			out.SecurityGroups = []ec2types.SecurityGroup{*found}
		}
		return out, nil
	}
}

// stratusTags are the user tags plus the tags Stratus puts on the group of
// newGroup.
func stratusTags(user map[string]string) []ec2types.Tag {
	m := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(m, user)
	return clients.EC2Tags(m)
}

var (
	https     = perm("tcp", 443, 443, "0.0.0.0/0", "https")
	allEgress = perm("-1", noPorts, noPorts, "0.0.0.0/0", "")
)

// group returns a security group as AWS describes it, in sync with
// newGroup: one ingress rule and AWS's default egress rule.
func group(mods ...func(*ec2types.SecurityGroup)) *ec2types.SecurityGroup {
	g := &ec2types.SecurityGroup{
		GroupId:             aws.String(id),
		GroupName:           aws.String(name),
		Description:         aws.String("web servers"),
		VpcId:               aws.String(vpcID),
		OwnerId:             aws.String(owner),
		SecurityGroupArn:    aws.String(arn),
		IpPermissions:       []ec2types.IpPermission{https},
		IpPermissionsEgress: []ec2types.IpPermission{allEgress},
		Tags:                stratusTags(map[string]string{"team": "web"}),
	}
	for _, m := range mods {
		m(g)
	}
	return g
}

// newGroup returns a security group resource, late-initialized and with
// its ID recorded, in sync with group. Its egress is unmanaged.
func newGroup(mods ...func(*v1beta1.SecurityGroup)) *v1beta1.SecurityGroup {
	cr := &v1beta1.SecurityGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), Annotations: map[string]string{meta.AnnotationKeyExternalName: id}},
		Spec: v1beta1.SecurityGroupSpec{ForProvider: v1beta1.SecurityGroupParameters{
			Region:        aws.String(region),
			GroupName:     aws.String(name),
			Description:   aws.String("web servers"),
			VPCID:         aws.String(vpcID),
			VPCIDSelector: &xpv2.Selector{MatchLabels: map[string]string{"network": "main"}},
			Ingress:       []v1beta1.SecurityGroupRule{rule("tcp", aws.Int32(443), aws.Int32(443), aws.String("https"), "0.0.0.0/0")},
			Tags:          map[string]string{"team": "web"},
		}},
	}
	for _, m := range mods {
		m(cr)
	}
	return cr
}

func withoutExternalName(cr *v1beta1.SecurityGroup) { meta.SetExternalName(cr, "") }

// available is the status of an existing group.
func available(cr *v1beta1.SecurityGroup) {
	cr.Status.AtProvider = v1beta1.SecurityGroupObservation{GroupID: id, ARN: arn, OwnerID: owner, VPCID: vpcID}
	cr.SetConditions(xpv2.Available())
}

// cmpOpts compare SDK values and the diff types, which carry unexported
// fields, and tag lists, whose order a map decides.
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
			got, err := c.Connect(context.Background(), newGroup())
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
		cr  *v1beta1.SecurityGroup
		err error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.SecurityGroup
		want   want
	}{
		"NotFoundByID": {
			reason: "A group whose recorded ID AWS does not know does not exist.",
			api:    &fakeAPI{describe: describe(nil, nil)},
			cr:     newGroup(),
			want:   want{cr: newGroup()},
		},
		"NotFoundByTag": {
			reason: "Before its ID is recorded, a group that no group is tagged with the resource's UID for does not exist.",
			api:    &fakeAPI{describe: describe(nil, nil)},
			cr:     newGroup(withoutExternalName),
			want:   want{cr: newGroup(withoutExternalName)},
		},
		"DescribeError": {
			reason: "An error describing the group is returned with context.",
			api:    &fakeAPI{describe: func(*ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) { return nil, errBoom }},
			cr:     newGroup(),
			want:   want{cr: newGroup(), err: clients.Wrap(errBoom, "cannot describe security group")},
		},
		"FoundByTag": {
			reason: "A group created by a reconcile that stopped before recording its ID is adopted: its ID becomes the external name.",
			api:    &fakeAPI{describe: describe(nil, group())},
			cr:     newGroup(withoutExternalName),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
				cr: newGroup(available),
			},
		},
		"UpToDate": {
			reason: "A group whose rules and tags match its spec is up to date; unmanaged egress is ignored.",
			api:    &fakeAPI{describe: describe(group(), nil)},
			cr:     newGroup(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newGroup(available),
			},
		},
		"LateInitialize": {
			reason: "Name, description, VPC, region and tags are late-initialized; rules are not, so they stay unmanaged.",
			api:    &fakeAPI{describe: describe(group(), nil)},
			cr: newGroup(func(cr *v1beta1.SecurityGroup) {
				cr.Spec.ForProvider = v1beta1.SecurityGroupParameters{}
				cr.Spec.InitProvider = &v1beta1.SecurityGroupParameters{Description: aws.String("web servers")}
			}),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
				cr: newGroup(available, func(cr *v1beta1.SecurityGroup) {
					cr.Spec.ForProvider.Description = nil
					cr.Spec.ForProvider.VPCIDSelector = nil
					cr.Spec.ForProvider.Ingress = nil
					cr.Spec.InitProvider = &v1beta1.SecurityGroupParameters{Description: aws.String("web servers")}
				}),
			},
		},
		"ObserveOnly": {
			reason: "An observe-only resource is not late-initialized: the reconciler would persist its spec.",
			api:    &fakeAPI{describe: describe(group(), nil)},
			cr: newGroup(func(cr *v1beta1.SecurityGroup) {
				cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
				cr.Spec.ForProvider = v1beta1.SecurityGroupParameters{Tags: map[string]string{"team": "web"}}
			}),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
				cr: newGroup(available, func(cr *v1beta1.SecurityGroup) {
					cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
					cr.Spec.ForProvider = v1beta1.SecurityGroupParameters{Tags: map[string]string{"team": "web"}}
				}),
			},
		},
		"IngressDiffers": {
			reason: "A group missing an ingress rule needs an update.",
			api:    &fakeAPI{describe: describe(group(func(g *ec2types.SecurityGroup) { g.IpPermissions = nil }), nil)},
			cr:     newGroup(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newGroup(available),
			},
		},
		"EgressManaged": {
			reason: "Managed egress that lacks AWS's default rule makes the default rule a difference.",
			api:    &fakeAPI{describe: describe(group(), nil)},
			cr:     newGroup(func(cr *v1beta1.SecurityGroup) { cr.Spec.ForProvider.Egress = []v1beta1.SecurityGroupRule{} }),
			want: want{
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newGroup(available, func(cr *v1beta1.SecurityGroup) {
					cr.Spec.ForProvider.Egress = []v1beta1.SecurityGroupRule{}
				}),
			},
		},
		"TagsDiffer": {
			reason: "A group whose tags differ from the spec needs an update.",
			api:    &fakeAPI{describe: describe(group(func(g *ec2types.SecurityGroup) { g.Tags = stratusTags(nil) }), nil)},
			cr:     newGroup(),
			want: want{
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false},
				cr: newGroup(available),
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
		cr    *v1beta1.SecurityGroup
		err   error
		calls []any
	}
	created := func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) {
		return &ec2.CreateSecurityGroupOutput{GroupId: aws.String(id), SecurityGroupArn: aws.String(arn)}, nil
	}
	input := func(mods ...func(*ec2.CreateSecurityGroupInput)) *ec2.CreateSecurityGroupInput {
		in := &ec2.CreateSecurityGroupInput{
			GroupName:         aws.String(name),
			Description:       aws.String("web servers"),
			VpcId:             aws.String(vpcID),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: stratusTags(map[string]string{"team": "web"})}},
		}
		for _, m := range mods {
			m(in)
		}
		return in
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.SecurityGroup
		want   want
	}{
		"Success": {
			reason: "The group is created with the spec's fields and tagged with the resource's UID; its ID becomes the external name. Rules wait for the next reconcile.",
			api:    &fakeAPI{create: created},
			cr:     newGroup(withoutExternalName, func(cr *v1beta1.SecurityGroup) { cr.Spec.ForProvider.GroupName = aws.String("frontend") }),
			want: want{
				cr:    newGroup(func(cr *v1beta1.SecurityGroup) { cr.Spec.ForProvider.GroupName = aws.String("frontend") }),
				calls: []any{input(func(in *ec2.CreateSecurityGroupInput) { in.GroupName = aws.String("frontend") })},
			},
		},
		"DefaultName": {
			reason: "A group without a groupName is named after the resource.",
			api:    &fakeAPI{create: created},
			cr:     newGroup(withoutExternalName, func(cr *v1beta1.SecurityGroup) { cr.Spec.ForProvider.GroupName = nil }),
			want: want{
				cr:    newGroup(func(cr *v1beta1.SecurityGroup) { cr.Spec.ForProvider.GroupName = nil }),
				calls: []any{input()},
			},
		},
		"InitProvider": {
			reason: "Fields only initProvider sets are used to create the group.",
			api:    &fakeAPI{create: created},
			cr: newGroup(withoutExternalName, func(cr *v1beta1.SecurityGroup) {
				cr.Spec.ForProvider.Description = nil
				cr.Spec.InitProvider = &v1beta1.SecurityGroupParameters{Description: aws.String("from init")}
			}),
			want: want{
				cr: newGroup(func(cr *v1beta1.SecurityGroup) {
					cr.Spec.ForProvider.Description = nil
					cr.Spec.InitProvider = &v1beta1.SecurityGroupParameters{Description: aws.String("from init")}
				}),
				calls: []any{input(func(in *ec2.CreateSecurityGroupInput) { in.Description = aws.String("from init") })},
			},
		},
		"Error": {
			reason: "An error creating the group is returned with context, and no external name is recorded.",
			api:    &fakeAPI{create: func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) { return nil, errBoom }},
			cr:     newGroup(withoutExternalName),
			want:   want{cr: newGroup(withoutExternalName), err: clients.Wrap(errBoom, "cannot create security group"), calls: []any{input()}},
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
	ssh := perm("tcp", 22, 22, "10.0.0.0/8", "")
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.SecurityGroup
		want   want
	}{
		"UpToDate": {
			reason: "A group that matches its spec gets no mutating call.",
			api:    &fakeAPI{describe: describe(group(), nil)},
			cr:     newGroup(),
		},
		"Gone": {
			reason: "A group that vanished is left for the next observation.",
			api:    &fakeAPI{describe: describe(nil, nil)},
			cr:     newGroup(),
		},
		"DescribeError": {
			reason: "An error describing the group is returned with context.",
			api:    &fakeAPI{describe: func(*ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) { return nil, errBoom }},
			cr:     newGroup(),
			want:   want{err: clients.Wrap(errBoom, "cannot describe security group")},
		},
		"Rules": {
			reason: "Missing rules are authorized before extra ones are revoked, descriptions are corrected, and nothing else is called.",
			api: &fakeAPI{describe: describe(group(func(g *ec2types.SecurityGroup) {
				g.IpPermissions = []ec2types.IpPermission{perm("tcp", 443, 443, "0.0.0.0/0", "old"), perm("tcp", 80, 80, "0.0.0.0/0", "")}
			}), nil)},
			cr: newGroup(func(cr *v1beta1.SecurityGroup) {
				cr.Spec.ForProvider.Ingress = append(cr.Spec.ForProvider.Ingress, rule("tcp", aws.Int32(22), aws.Int32(22), nil, "10.0.0.0/8"))
				cr.Spec.ForProvider.Egress = []v1beta1.SecurityGroupRule{rule("tcp", aws.Int32(443), aws.Int32(443), nil, "0.0.0.0/0")}
			}),
			want: want{calls: []any{
				&ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{ssh}},
				&ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{perm("tcp", 443, 443, "0.0.0.0/0", "")}},
				&ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{perm("tcp", 80, 80, "0.0.0.0/0", "")}},
				&ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{allEgress}},
				&ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{https}},
			}},
		},
		"Tags": {
			reason: "Only tags that differ are set or removed.",
			api: &fakeAPI{describe: describe(group(func(g *ec2types.SecurityGroup) {
				g.Tags = stratusTags(map[string]string{"team": "api", "old": "x"})
			}), nil)},
			cr: newGroup(),
			want: want{calls: []any{
				&ec2.CreateTagsInput{Resources: []string{id}, Tags: clients.EC2Tags(map[string]string{"team": "web"})},
				&ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("old")}}},
			}},
		},
		"AuthorizeError": {
			reason: "An error authorizing rules is returned with context, and nothing further is changed.",
			api: &fakeAPI{
				describe: describe(group(func(g *ec2types.SecurityGroup) { g.IpPermissions = []ec2types.IpPermission{ssh} }), nil),
				authorizeIngress: func(*ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
					return nil, errBoom
				},
			},
			cr: newGroup(),
			want: want{
				err:   clients.Wrap(errBoom, "cannot authorize security group ingress"),
				calls: []any{&ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{https}}},
			},
		},
		"RevokeError": {
			reason: "An error revoking rules is returned with context.",
			api: &fakeAPI{
				describe: describe(group(), nil),
				revokeEgress: func(*ec2.RevokeSecurityGroupEgressInput) (*ec2.RevokeSecurityGroupEgressOutput, error) {
					return nil, errBoom
				},
			},
			cr: newGroup(func(cr *v1beta1.SecurityGroup) { cr.Spec.ForProvider.Egress = []v1beta1.SecurityGroupRule{} }),
			want: want{
				err:   clients.Wrap(errBoom, "cannot revoke security group egress"),
				calls: []any{&ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{allEgress}}},
			},
		},
		"DescriptionError": {
			reason: "An error correcting rule descriptions is returned with context.",
			api: &fakeAPI{
				describe: describe(group(func(g *ec2types.SecurityGroup) {
					g.IpPermissions = []ec2types.IpPermission{perm("tcp", 443, 443, "0.0.0.0/0", "")}
				}), nil),
				describeIngress: func(*ec2.UpdateSecurityGroupRuleDescriptionsIngressInput) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
					return nil, errBoom
				},
			},
			cr: newGroup(),
			want: want{
				err:   clients.Wrap(errBoom, "cannot update security group ingress rule descriptions"),
				calls: []any{&ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(id), IpPermissions: []ec2types.IpPermission{https}}},
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
			reason: "A deleted group is gone.",
		},
		"NotFound": {
			reason: "A group that is already gone is deleted.",
			err:    errNotFound,
		},
		"InUse": {
			reason: "A group that something still uses cannot be deleted yet, and the error says why.",
			err:    errInUse,
			want:   clients.Wrap(errInUse, "cannot delete security group: network interfaces or other security groups' rules still use it; the delete is retried until they are gone"),
		},
		"Error": {
			reason: "An error deleting the group is returned with context.",
			err:    errBoom,
			want:   clients.Wrap(errBoom, "cannot delete security group"),
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			api := &fakeAPI{deleteFn: func(*ec2.DeleteSecurityGroupInput) (*ec2.DeleteSecurityGroupOutput, error) {
				return &ec2.DeleteSecurityGroupOutput{}, tc.err
			}}
			cr := newGroup()
			_, err := (&external{api: api, region: region}).Delete(context.Background(), cr)
			if diff := cmp.Diff(tc.want, err, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]any{&ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)}}, api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if got := cr.GetCondition(xpv2.TypeReady).Reason; got != xpv2.ReasonDeleting {
				t.Errorf("%s\nDelete(...): Ready reason %q, want %q", tc.reason, got, xpv2.ReasonDeleting)
			}
		})
	}
}
