package dbsubnetgroup

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
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

	"github.com/stratus-dev/stratus/providers/aws/apis/rds/v1beta1"
	"github.com/stratus-dev/stratus/providers/aws/internal/clients"
)

const (
	name   = "databases"
	uid    = "6f1c9a0e-3b2d-4c5e-8f7a-1d2e3f4a5b6c"
	arn    = "arn:aws:rds:us-east-1:123456789012:subgrp:" + name
	vpcID  = "vpc-0123456789abcdef0"
	region = "us-east-1"
)

var (
	errBoom     = &smithy.GenericAPIError{Code: "AccessDenied", Message: "boom"}
	errNotFound = &rdstypes.DBSubnetGroupNotFoundFault{Message: aws.String("Subnet Group " + name + " not found.")}
	errCalled   = errors.New("unexpected call")

	cmpOpts = []cmp.Option{cmpopts.IgnoreUnexported(
		rds.CreateDBSubnetGroupInput{}, rds.ModifyDBSubnetGroupInput{}, rds.DeleteDBSubnetGroupInput{},
		rds.AddTagsToResourceInput{}, rds.RemoveTagsFromResourceInput{}, rdstypes.Tag{},
	)}
)

// A fakeAPI stubs the RDS API. Describe and list calls must be stubbed;
// mutating calls are recorded, inputs in order, and succeed unless stubbed.
type fakeAPI struct {
	calls []any

	describe   func(*rds.DescribeDBSubnetGroupsInput) (*rds.DescribeDBSubnetGroupsOutput, error)
	listTags   func(*rds.ListTagsForResourceInput) (*rds.ListTagsForResourceOutput, error)
	create     func(*rds.CreateDBSubnetGroupInput) (*rds.CreateDBSubnetGroupOutput, error)
	modify     func(*rds.ModifyDBSubnetGroupInput) (*rds.ModifyDBSubnetGroupOutput, error)
	deleteFn   func(*rds.DeleteDBSubnetGroupInput) (*rds.DeleteDBSubnetGroupOutput, error)
	addTags    func(*rds.AddTagsToResourceInput) (*rds.AddTagsToResourceOutput, error)
	removeTags func(*rds.RemoveTagsFromResourceInput) (*rds.RemoveTagsFromResourceOutput, error)
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

func (f *fakeAPI) DescribeDBSubnetGroups(_ context.Context, in *rds.DescribeDBSubnetGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error) {
	if f.describe == nil {
		return nil, errCalled
	}
	return f.describe(in)
}

func (f *fakeAPI) ListTagsForResource(_ context.Context, in *rds.ListTagsForResourceInput, _ ...func(*rds.Options)) (*rds.ListTagsForResourceOutput, error) {
	if f.listTags == nil {
		return nil, errCalled
	}
	return f.listTags(in)
}

func (f *fakeAPI) CreateDBSubnetGroup(_ context.Context, in *rds.CreateDBSubnetGroupInput, _ ...func(*rds.Options)) (*rds.CreateDBSubnetGroupOutput, error) {
	return record(f, in, f.create)
}

func (f *fakeAPI) ModifyDBSubnetGroup(_ context.Context, in *rds.ModifyDBSubnetGroupInput, _ ...func(*rds.Options)) (*rds.ModifyDBSubnetGroupOutput, error) {
	return record(f, in, f.modify)
}

func (f *fakeAPI) DeleteDBSubnetGroup(_ context.Context, in *rds.DeleteDBSubnetGroupInput, _ ...func(*rds.Options)) (*rds.DeleteDBSubnetGroupOutput, error) {
	return record(f, in, f.deleteFn)
}

func (f *fakeAPI) AddTagsToResource(_ context.Context, in *rds.AddTagsToResourceInput, _ ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error) {
	return record(f, in, f.addTags)
}

func (f *fakeAPI) RemoveTagsFromResource(_ context.Context, in *rds.RemoveTagsFromResourceInput, _ ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error) {
	return record(f, in, f.removeTags)
}

// found answers a describe of the group name with g (NotFound when nil) and
// a tag listing of its ARN with tags.
func found(g *rdstypes.DBSubnetGroup, tags map[string]string) *fakeAPI {
	return &fakeAPI{
		describe: func(in *rds.DescribeDBSubnetGroupsInput) (*rds.DescribeDBSubnetGroupsOutput, error) {
			if g == nil || aws.ToString(in.DBSubnetGroupName) != name {
				return nil, errNotFound
			}
			return &rds.DescribeDBSubnetGroupsOutput{DBSubnetGroups: []rdstypes.DBSubnetGroup{*g}}, nil
		},
		listTags: func(in *rds.ListTagsForResourceInput) (*rds.ListTagsForResourceOutput, error) {
			if aws.ToString(in.ResourceName) != arn {
				return nil, errors.Errorf("tags of %s listed, want %s", aws.ToString(in.ResourceName), arn)
			}
			return &rds.ListTagsForResourceOutput{TagList: clients.RDSTags(tags)}, nil
		},
	}
}

// stratusTags are the user tags plus the tags Stratus puts on the group of
// newGroup.
func stratusTags(user map[string]string) map[string]string {
	m := map[string]string{clients.TagName: name, clients.TagUID: uid}
	maps.Copy(m, user)
	return m
}

// group returns a DB subnet group as AWS describes it, in sync with
// newGroup.
func group(mods ...func(*rdstypes.DBSubnetGroup)) *rdstypes.DBSubnetGroup {
	g := &rdstypes.DBSubnetGroup{
		DBSubnetGroupName:        aws.String(name),
		DBSubnetGroupArn:         aws.String(arn),
		DBSubnetGroupDescription: aws.String("databases"),
		VpcId:                    aws.String(vpcID),
		SubnetGroupStatus:        aws.String("Complete"),
		Subnets: []rdstypes.Subnet{
			{SubnetIdentifier: aws.String("subnet-b")},
			{SubnetIdentifier: aws.String("subnet-a")},
		},
	}
	for _, m := range mods {
		m(g)
	}
	return g
}

// newGroup returns a DBSubnetGroup resource, in sync with group, with its
// external name set as the default initializer sets it.
func newGroup(mods ...func(*v1beta1.DBSubnetGroup)) *v1beta1.DBSubnetGroup {
	cr := &v1beta1.DBSubnetGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid)},
		Spec: v1beta1.DBSubnetGroupSpec{ForProvider: v1beta1.DBSubnetGroupParameters{
			Region:      aws.String(region),
			Description: aws.String("databases"),
			SubnetIDs:   []string{"subnet-a", "subnet-b"},
			Tags:        map[string]string{"team": "platform"},
		}},
	}
	meta.SetExternalName(cr, name)
	for _, m := range mods {
		m(cr)
	}
	return cr
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
	observed := func(cr *v1beta1.DBSubnetGroup) {
		cr.Status.AtProvider = v1beta1.DBSubnetGroupObservation{ARN: arn, VPCID: vpcID, Status: "Complete", SubnetIDs: []string{"subnet-b", "subnet-a"}}
		cr.SetConditions(xpv2.Available())
	}
	type want struct {
		cr  *v1beta1.DBSubnetGroup
		o   managed.ExternalObservation
		err error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.DBSubnetGroup
		want   want
	}{
		"NoExternalName": {
			reason: "A resource without an external name has no group to find.",
			api:    &fakeAPI{},
			cr:     newGroup(func(cr *v1beta1.DBSubnetGroup) { meta.SetExternalName(cr, "") }),
			want:   want{cr: newGroup(func(cr *v1beta1.DBSubnetGroup) { meta.SetExternalName(cr, "") })},
		},
		"NotFound": {
			reason: "A group AWS does not know does not exist.",
			api:    found(nil, nil),
			cr:     newGroup(),
			want:   want{cr: newGroup()},
		},
		"DescribeError": {
			reason: "An error describing the group is returned with context.",
			api:    &fakeAPI{describe: func(*rds.DescribeDBSubnetGroupsInput) (*rds.DescribeDBSubnetGroupsOutput, error) { return nil, errBoom }},
			cr:     newGroup(),
			want:   want{cr: newGroup(), err: clients.Wrap(errBoom, "cannot describe DB subnet group")},
		},
		"ListTagsError": {
			reason: "An error listing the group's tags is returned with context.",
			api: &fakeAPI{
				describe: found(group(), nil).describe,
				listTags: func(*rds.ListTagsForResourceInput) (*rds.ListTagsForResourceOutput, error) { return nil, errBoom },
			},
			cr:   newGroup(),
			want: want{cr: newGroup(), err: clients.Wrap(errBoom, "cannot list tags of DB subnet group")},
		},
		"UpToDate": {
			reason: "A group that matches the spec, subnets in any order, is up to date.",
			api:    found(group(), stratusTags(map[string]string{"team": "platform"})),
			cr:     newGroup(),
			want: want{
				cr: newGroup(observed),
				o:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			},
		},
		"LateInitialized": {
			reason: "Fields the spec leaves unset are filled from AWS, and are then up to date.",
			api:    found(group(), stratusTags(map[string]string{"team": "platform"})),
			cr: newGroup(func(cr *v1beta1.DBSubnetGroup) {
				cr.Spec.ForProvider = v1beta1.DBSubnetGroupParameters{Description: aws.String("databases")}
			}),
			want: want{
				cr: newGroup(observed, func(cr *v1beta1.DBSubnetGroup) {
					cr.Spec.ForProvider.SubnetIDs = []string{"subnet-b", "subnet-a"}
				}),
				o: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ResourceLateInitialized: true},
			},
		},
		"DescriptionDiffers": {
			reason: "A group whose description differs from the spec needs an update.",
			api:    found(group(func(g *rdstypes.DBSubnetGroup) { g.DBSubnetGroupDescription = aws.String("old") }), stratusTags(map[string]string{"team": "platform"})),
			cr:     newGroup(),
			want: want{
				cr: newGroup(observed),
				o:  managed.ExternalObservation{ResourceExists: true},
			},
		},
		"SubnetsDiffer": {
			reason: "A group whose subnets differ from the spec needs an update.",
			api: found(group(func(g *rdstypes.DBSubnetGroup) { g.Subnets = g.Subnets[:1] }),
				stratusTags(map[string]string{"team": "platform"})),
			cr: newGroup(),
			want: want{
				cr: newGroup(func(cr *v1beta1.DBSubnetGroup) {
					cr.Status.AtProvider = v1beta1.DBSubnetGroupObservation{ARN: arn, VPCID: vpcID, Status: "Complete", SubnetIDs: []string{"subnet-b"}}
					cr.SetConditions(xpv2.Available())
				}),
				o: managed.ExternalObservation{ResourceExists: true},
			},
		},
		"TagsDiffer": {
			reason: "A group whose tags differ from the spec needs an update.",
			api:    found(group(), stratusTags(map[string]string{"team": "data"})),
			cr:     newGroup(),
			want: want{
				cr: newGroup(observed),
				o:  managed.ExternalObservation{ResourceExists: true},
			},
		},
		"ObserveOnly": {
			reason: "An observe-only resource is not late-initialized.",
			api:    found(group(), map[string]string{"owner": "someone"}),
			cr: newGroup(func(cr *v1beta1.DBSubnetGroup) {
				cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
				cr.Spec.ForProvider = v1beta1.DBSubnetGroupParameters{}
			}),
			want: want{
				cr: newGroup(observed, func(cr *v1beta1.DBSubnetGroup) {
					cr.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
					cr.Spec.ForProvider = v1beta1.DBSubnetGroupParameters{}
				}),
				o: managed.ExternalObservation{ResourceExists: true},
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			o, err := e.Observe(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nObserve(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.o, o); diff != "" {
				t.Errorf("%s\nObserve(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.cr, tc.cr, test.EquateConditions()); diff != "" {
				t.Errorf("%s\nObserve(...): -want resource, +got resource:\n%s", tc.reason, diff)
			}
			if len(tc.api.calls) != 0 {
				t.Errorf("%s\nObserve(...) made mutating calls: %v", tc.reason, tc.api.calls)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	type want struct {
		calls []any
		err   error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.DBSubnetGroup
		want   want
	}{
		"Success": {
			reason: "The group is created with the external name, the spec's fields and the Stratus tags.",
			api:    &fakeAPI{},
			cr:     newGroup(),
			want: want{calls: []any{&rds.CreateDBSubnetGroupInput{
				DBSubnetGroupName:        aws.String(name),
				DBSubnetGroupDescription: aws.String("databases"),
				SubnetIds:                []string{"subnet-a", "subnet-b"},
				Tags:                     clients.RDSTags(stratusTags(map[string]string{"team": "platform"})),
			}}},
		},
		"InitProvider": {
			reason: "Fields set only in initProvider are used to create the group.",
			api:    &fakeAPI{},
			cr: newGroup(func(cr *v1beta1.DBSubnetGroup) {
				cr.Spec.ForProvider = v1beta1.DBSubnetGroupParameters{SubnetIDs: []string{"subnet-a"}}
				cr.Spec.InitProvider = &v1beta1.DBSubnetGroupParameters{Description: aws.String("first")}
			}),
			want: want{calls: []any{&rds.CreateDBSubnetGroupInput{
				DBSubnetGroupName:        aws.String(name),
				DBSubnetGroupDescription: aws.String("first"),
				SubnetIds:                []string{"subnet-a"},
				Tags:                     clients.RDSTags(stratusTags(nil)),
			}}},
		},
		"Error": {
			reason: "An error creating the group is returned with context.",
			api: &fakeAPI{create: func(*rds.CreateDBSubnetGroupInput) (*rds.CreateDBSubnetGroupOutput, error) {
				return nil, &smithy.GenericAPIError{Code: "InvalidSubnet", Message: "subnets are in different VPCs"}
			}},
			cr: newGroup(),
			want: want{
				calls: []any{&rds.CreateDBSubnetGroupInput{
					DBSubnetGroupName:        aws.String(name),
					DBSubnetGroupDescription: aws.String("databases"),
					SubnetIds:                []string{"subnet-a", "subnet-b"},
					Tags:                     clients.RDSTags(stratusTags(map[string]string{"team": "platform"})),
				}},
				err: clients.Wrap(&smithy.GenericAPIError{Code: "InvalidSubnet", Message: "subnets are in different VPCs"}, "cannot create DB subnet group"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			_, err := e.Create(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nCreate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nCreate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	inSync := stratusTags(map[string]string{"team": "platform"})
	type want struct {
		calls []any
		err   error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		cr     *v1beta1.DBSubnetGroup
		want   want
	}{
		"UpToDate": {
			reason: "A group in sync with the spec gets no mutating call.",
			api:    found(group(), inSync),
			cr:     newGroup(),
		},
		"NotFound": {
			reason: "A group that vanished is left for the next observe.",
			api:    found(nil, nil),
			cr:     newGroup(),
		},
		"Description": {
			reason: "A changed description is sent with the group's (unchanged) subnets, which the call requires.",
			api:    found(group(func(g *rdstypes.DBSubnetGroup) { g.DBSubnetGroupDescription = aws.String("old") }), inSync),
			cr:     newGroup(),
			want: want{calls: []any{&rds.ModifyDBSubnetGroupInput{
				DBSubnetGroupName:        aws.String(name),
				DBSubnetGroupDescription: aws.String("databases"),
				SubnetIds:                []string{"subnet-a", "subnet-b"},
			}}},
		},
		"Subnets": {
			reason: "Changed subnets are sent without the unchanged description.",
			api:    found(group(), inSync),
			cr: newGroup(func(cr *v1beta1.DBSubnetGroup) {
				cr.Spec.ForProvider.SubnetIDs = []string{"subnet-a", "subnet-b", "subnet-c"}
			}),
			want: want{calls: []any{&rds.ModifyDBSubnetGroupInput{
				DBSubnetGroupName: aws.String(name),
				SubnetIds:         []string{"subnet-a", "subnet-b", "subnet-c"},
			}}},
		},
		"SubnetsUnset": {
			reason: "A spec without subnets keeps the group's subnets when the description changes.",
			api:    found(group(), inSync),
			cr: newGroup(func(cr *v1beta1.DBSubnetGroup) {
				cr.Spec.ForProvider.SubnetIDs = nil
				cr.Spec.ForProvider.Description = aws.String("new")
			}),
			want: want{calls: []any{&rds.ModifyDBSubnetGroupInput{
				DBSubnetGroupName:        aws.String(name),
				DBSubnetGroupDescription: aws.String("new"),
				SubnetIds:                []string{"subnet-b", "subnet-a"},
			}}},
		},
		"Tags": {
			reason: "Changed tags are set and removed tags are removed, by ARN.",
			api:    found(group(), stratusTags(map[string]string{"team": "data", "old": "yes"})),
			cr:     newGroup(),
			want: want{calls: []any{
				&rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: clients.RDSTags(map[string]string{"team": "platform"})},
				&rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"old"}},
			}},
		},
		"ModifyError": {
			reason: "An error modifying the group is returned with context.",
			api: func() *fakeAPI {
				f := found(group(func(g *rdstypes.DBSubnetGroup) { g.DBSubnetGroupDescription = aws.String("old") }), inSync)
				f.modify = func(*rds.ModifyDBSubnetGroupInput) (*rds.ModifyDBSubnetGroupOutput, error) { return nil, errBoom }
				return f
			}(),
			cr: newGroup(),
			want: want{
				calls: []any{&rds.ModifyDBSubnetGroupInput{
					DBSubnetGroupName:        aws.String(name),
					DBSubnetGroupDescription: aws.String("databases"),
					SubnetIds:                []string{"subnet-a", "subnet-b"},
				}},
				err: clients.Wrap(errBoom, "cannot modify DB subnet group"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			_, err := e.Update(context.Background(), tc.cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nUpdate(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nUpdate(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	deleted := &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: aws.String(name)}
	type want struct {
		calls []any
		err   error
	}
	cases := map[string]struct {
		reason string
		api    *fakeAPI
		want   want
	}{
		"Success": {
			reason: "The group is deleted by name.",
			api:    &fakeAPI{},
			want:   want{calls: []any{deleted}},
		},
		"NotFound": {
			reason: "A group that is gone already is deleted.",
			api: &fakeAPI{deleteFn: func(*rds.DeleteDBSubnetGroupInput) (*rds.DeleteDBSubnetGroupOutput, error) {
				return nil, errNotFound
			}},
			want: want{calls: []any{deleted}},
		},
		"InUse": {
			reason: "A group a DB instance uses cannot be deleted yet; the error says so.",
			api: &fakeAPI{deleteFn: func(*rds.DeleteDBSubnetGroupInput) (*rds.DeleteDBSubnetGroupOutput, error) {
				return nil, &rdstypes.InvalidDBSubnetGroupStateFault{Message: aws.String("in use")}
			}},
			want: want{
				calls: []any{deleted},
				err:   clients.Wrap(&rdstypes.InvalidDBSubnetGroupStateFault{Message: aws.String("in use")}, "cannot delete DB subnet group"),
			},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			e := &external{api: tc.api, region: region}
			cr := newGroup()
			_, err := e.Delete(context.Background(), cr)
			if diff := cmp.Diff(tc.want.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s\nDelete(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.calls, tc.api.calls, cmpOpts...); diff != "" {
				t.Errorf("%s\nDelete(...): -want calls, +got calls:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(xpv2.Deleting(), cr.GetCondition(xpv2.TypeReady), test.EquateConditions()); diff != "" {
				t.Errorf("%s\nDelete(...): -want Ready, +got Ready:\n%s", tc.reason, diff)
			}
		})
	}
}
