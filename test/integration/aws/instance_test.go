package aws

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	ec2v1beta1 "github.com/stratus-dev/stratus/providers/aws/apis/ec2/v1beta1"
	"github.com/stratus-dev/stratus/test/harness"
)

// image returns the ID of an Ubuntu AMI from moto's preloaded set.
func (f *fixture) image(t *testing.T) string {
	t.Helper()
	out, err := f.EC2().DescribeImages(context.Background(), &ec2.DescribeImagesInput{
		Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"ubuntu/images/hvm-ssd/*"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Images) == 0 {
		t.Fatal("moto has no preloaded Ubuntu AMI")
	}
	return aws.ToString(out.Images[0].ImageId)
}

// instance returns the instance id from moto.
func (f *fixture) instance(ctx context.Context, id string) (*ec2types.Instance, error) {
	out, err := f.EC2().DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		return nil, fmt.Errorf("no single instance with ID %s", id)
	}
	return &out.Reservations[0].Instances[0], nil
}

// liveInstancesTagged returns the IDs of the instances in moto tagged with
// the resource's UID that are not terminated or terminating.
func (f *fixture) liveInstancesTagged(t *testing.T, uid types.UID) []string {
	t.Helper()
	out, err := f.EC2().DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:stratus.dev/uid"), Values: []string{string(uid)}},
		{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			ids = append(ids, aws.ToString(in.InstanceId))
		}
	}
	return ids
}

// wantTerminated checks that moto reports instance id terminated.
func (f *fixture) wantTerminated(t *testing.T, id string) {
	t.Helper()
	in, err := f.instance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if in.State.Name != ec2types.InstanceStateNameTerminated {
		t.Errorf("instance %s is %s in moto after its managed resource was deleted, want terminated", id, in.State.Name)
	}
}

// TestInstanceLifecycle launches an instance in the default VPC, checks what
// it reports and publishes, changes its tags and its type, and deletes it.
func TestInstanceLifecycle(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	userData := "#!/bin/sh\necho hello > /tmp/hello\n"
	inst := &ec2v1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-web"},
		Spec: ec2v1beta1.InstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference:          f.ref(),
				WriteConnectionSecretToReference: &xpv2.SecretReference{Namespace: f.ns, Name: "web-conn"},
			},
			ForProvider: ec2v1beta1.InstanceParameters{
				ImageID:      aws.String(f.image(t)),
				InstanceType: aws.String("t3.micro"),
				UserData:     aws.String(userData),
				RootVolume:   &ec2v1beta1.RootVolume{SizeGB: aws.Int32(12), VolumeType: aws.String("gp3"), DeleteOnTermination: aws.Bool(true)},
				Tags:         map[string]string{"team": "platform"},
			},
		},
	}
	f.create(t, inst)
	f.ready(t, inst)

	id := meta.GetExternalName(inst)
	at := inst.Status.AtProvider
	if id == "" || at.InstanceID != id {
		t.Fatalf("external name %q, atProvider.instanceId %q: want the same instance ID", id, at.InstanceID)
	}
	if at.State != "running" || at.InstanceType != "t3.micro" || at.PrivateIP == "" || at.PrivateDNS == "" || at.AvailabilityZone == "" || at.LaunchTime == nil {
		t.Errorf("atProvider = %+v, want a running t3.micro with a private IP and DNS name, a zone and a launch time", at)
	}
	// Late initialization records what AWS chose.
	fp := inst.Spec.ForProvider
	if aws.ToString(fp.Region) != region || aws.ToString(fp.SubnetID) == "" {
		t.Errorf("spec.forProvider not late-initialized: region %v, subnetId %v", fp.Region, fp.SubnetID)
	}

	// The instance's addresses are published.
	conn := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "web-conn"}}
	f.env.WaitFor(t, conn, timeout, func(client.Object) (bool, string) {
		return len(conn.Data["privateIP"]) > 0, "it has no privateIP yet"
	})
	if got := string(conn.Data["privateIP"]); got != at.PrivateIP {
		t.Errorf("connection secret privateIP = %q, want %q", got, at.PrivateIP)
	}
	if got := string(conn.Data["publicIP"]); got != at.PublicIP {
		t.Errorf("connection secret publicIP = %q, want atProvider.publicIp %q", got, at.PublicIP)
	}

	// moto has what the spec asked for at launch.
	attr, err := f.EC2().DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: ec2types.InstanceAttributeNameUserData})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := base64.StdEncoding.DecodeString(aws.ToString(attr.UserData.Value)); string(got) != userData {
		t.Errorf("user data in moto = %q, want %q", got, userData)
	}
	vols, err := f.EC2().DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{id}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vols.Volumes) != 1 {
		t.Fatalf("%d volumes attached in moto, want the root volume only", len(vols.Volumes))
	}
	if v := vols.Volumes[0]; aws.ToInt32(v.Size) != 12 || v.VolumeType != ec2types.VolumeTypeGp3 || motoTags(v.Tags)["stratus.dev/uid"] != string(inst.GetUID()) {
		t.Errorf("root volume: size %d, type %s, tags %v; want 12 GiB gp3 tagged with the resource's UID", aws.ToInt32(v.Size), v.VolumeType, motoTags(v.Tags))
	}

	// Once in sync, polls make no change in AWS.
	before := f.Calls.Snapshot()
	time.Sleep(5 * time.Second) // Over two poll intervals.
	if got := f.Calls.MutatingSince(before); len(got) != 0 {
		t.Errorf("an up-to-date instance made mutating calls: %v", got)
	}

	// A tag update reaches AWS, with no other change.
	before = f.Calls.Snapshot()
	f.updateWithRetry(t, inst, func() { inst.Spec.ForProvider.Tags = map[string]string{"team": "data"} })
	eventually(t, "instance tags updated in moto", func() error {
		got, err := f.instance(ctx, id)
		if err != nil {
			return err
		}
		if tags := motoTags(got.Tags); tags["team"] != "data" {
			return fmt.Errorf("tags %v, want team=data", tags)
		}
		return nil
	})
	if got := f.Calls.MutatingSince(before); got["StopInstances"] != 0 || got["ModifyInstanceAttribute"] != 0 {
		t.Errorf("a tag update made calls %v, want only tag calls", got)
	}

	// A type change stops the instance, changes its type and starts it.
	before = f.Calls.Snapshot()
	f.updateWithRetry(t, inst, func() { inst.Spec.ForProvider.InstanceType = aws.String("t3.small") })
	eventually(t, "instance type changed in moto and the instance running again", func() error {
		got, err := f.instance(ctx, id)
		if err != nil {
			return err
		}
		if got.InstanceType != "t3.small" || got.State.Name != ec2types.InstanceStateNameRunning {
			return fmt.Errorf("instance is a %s, %s; want a running t3.small", got.InstanceType, got.State.Name)
		}
		if _, ok := motoTags(got.Tags)["stratus.dev/restart"]; ok {
			return fmt.Errorf("the restart mark is still on the instance")
		}
		return nil
	})
	calls := f.Calls.MutatingSince(before)
	if calls["StopInstances"] != 1 || calls["ModifyInstanceAttribute"] != 1 || calls["StartInstances"] != 1 {
		t.Errorf("a type change made calls %v, want one StopInstances, ModifyInstanceAttribute and StartInstances each", calls)
	}
	f.env.WaitFor(t, inst, timeout, func(client.Object) (bool, string) {
		return inst.Status.AtProvider.InstanceType == "t3.small" && inst.GetCondition(xpv2.TypeReady).Status == corev1.ConditionTrue,
			"it is not a Ready t3.small yet"
	})

	f.deleteAndWait(t, inst)
	f.wantTerminated(t, id)
}

// TestInstanceReferences launches an instance in a Subnet and with a
// SecurityGroup that it references, then changes its security groups.
func TestInstanceReferences(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	vpc := f.readyVPC(t, f.ns+"-vpc", "10.70.0.0/16", nil)
	sn := &ec2v1beta1.Subnet{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-subnet"},
		Spec: ec2v1beta1.SubnetSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.SubnetParameters{
				VPCIDRef:  &xpv2.Reference{Name: vpc.Name},
				CIDRBlock: aws.String("10.70.1.0/24"),
			},
		},
	}
	f.create(t, sn)
	group := func(name string) *ec2v1beta1.SecurityGroup {
		sg := &ec2v1beta1.SecurityGroup{
			ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-" + name, Labels: map[string]string{"app": f.ns + "-" + name}},
			Spec: ec2v1beta1.SecurityGroupSpec{
				ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
				ForProvider: ec2v1beta1.SecurityGroupParameters{
					Description: aws.String(name),
					VPCIDRef:    &xpv2.Reference{Name: vpc.Name},
				},
			},
		}
		f.create(t, sg)
		return sg
	}
	web, ssh := group("web"), group("ssh")

	inst := &ec2v1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-web"},
		Spec: ec2v1beta1.InstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider: ec2v1beta1.InstanceParameters{
				ImageID:                 aws.String(f.image(t)),
				InstanceType:            aws.String("t3.micro"),
				SubnetIDRef:             &xpv2.Reference{Name: sn.Name},
				SecurityGroupIDSelector: &xpv2.Selector{MatchLabels: map[string]string{"app": web.Name}},
			},
		},
	}
	f.create(t, inst)
	f.ready(t, inst)
	f.ready(t, sn)
	f.ready(t, web)
	f.ready(t, ssh)

	id := meta.GetExternalName(inst)
	subnetID, webID, sshID := meta.GetExternalName(sn), meta.GetExternalName(web), meta.GetExternalName(ssh)
	fp := inst.Spec.ForProvider
	if got := aws.ToString(fp.SubnetID); got != subnetID {
		t.Errorf("spec.forProvider.subnetId = %q, want the referenced subnet's ID %q", got, subnetID)
	}
	if diff := slices.Compare(fp.SecurityGroupIDs, []string{webID}); diff != 0 || len(fp.SecurityGroupIDRefs) != 1 || fp.SecurityGroupIDRefs[0].Name != web.Name {
		t.Errorf("spec.forProvider.securityGroupIds %v, refs %v: want the selected group %s (%s)", fp.SecurityGroupIDs, fp.SecurityGroupIDRefs, web.Name, webID)
	}
	got, err := f.instance(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.SubnetId) != subnetID || aws.ToString(got.VpcId) != meta.GetExternalName(vpc) {
		t.Errorf("instance in moto is in subnet %s of VPC %s, want subnet %s of VPC %s", aws.ToString(got.SubnetId), aws.ToString(got.VpcId), subnetID, meta.GetExternalName(vpc))
	}

	// Referencing another set of groups changes the instance's groups.
	f.updateWithRetry(t, inst, func() {
		inst.Spec.ForProvider.SecurityGroupIDs = nil
		inst.Spec.ForProvider.SecurityGroupIDSelector = nil
		inst.Spec.ForProvider.SecurityGroupIDRefs = []xpv2.Reference{{Name: web.Name}, {Name: ssh.Name}}
	})
	want := []string{webID, sshID}
	slices.Sort(want)
	eventually(t, "instance security groups changed in moto", func() error {
		got, err := f.instance(ctx, id)
		if err != nil {
			return err
		}
		var ids []string
		for _, g := range got.SecurityGroups {
			ids = append(ids, aws.ToString(g.GroupId))
		}
		slices.Sort(ids)
		if !slices.Equal(ids, want) {
			return fmt.Errorf("security groups %v, want %v", ids, want)
		}
		return nil
	})

	f.deleteAndWait(t, inst)
	f.wantTerminated(t, id)
}

// TestInstanceCreateInterrupted simulates a provider that stopped after AWS
// accepted RunInstances but before the instance ID was recorded: the next
// reconcile must adopt the instance by its UID tag, not launch a second
// one. moto ignores client tokens, so only the tag lookup prevents the
// duplicate here.
func TestInstanceCreateInterrupted(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	image := f.image(t)
	inst := &ec2v1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-web"},
		Spec: ec2v1beta1.InstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				// Nothing reconciles it yet.
				ManagementPolicies: xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			ForProvider: ec2v1beta1.InstanceParameters{ImageID: aws.String(image), InstanceType: aws.String("t3.micro")},
		},
	}
	f.create(t, inst)
	// The state a crash leaves: the create is pending, AWS has an instance
	// tagged with the resource's UID, and no external name is recorded. A
	// terminated instance with the same tag (an earlier life of the
	// resource) must not be adopted.
	run := func() string {
		out, err := f.EC2().RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(image), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			ClientToken: aws.String(string(inst.GetUID())),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{
				{Key: aws.String("stratus.dev/uid"), Value: aws.String(string(inst.GetUID()))},
			}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	old := run()
	if _, err := f.EC2().TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{old}}); err != nil {
		t.Fatal(err)
	}
	created := run()

	f.updateWithRetry(t, inst, func() {
		meta.SetExternalCreatePending(inst, inst.CreationTimestamp.Time)
		inst.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	})
	f.ready(t, inst)
	if got := f.liveInstancesTagged(t, inst.GetUID()); len(got) != 1 {
		t.Fatalf("%d live instances in moto for the resource (%v), want exactly 1", len(got), got)
	}
	if got := meta.GetExternalName(inst); got != created {
		t.Fatalf("external name %q, want the adopted instance %s", got, created)
	}
	// The adopted instance gets the resource's tags.
	eventually(t, "adopted instance tagged", func() error {
		got, err := f.instance(ctx, created)
		if err != nil {
			return err
		}
		if tags := motoTags(got.Tags); tags["stratus.dev/name"] != inst.Name {
			return fmt.Errorf("tags %v, want stratus.dev/name=%s", tags, inst.Name)
		}
		return nil
	})
	f.env.WaitFor(t, inst, timeout, harness.HasCondition("Ready", "True"))
}

// TestInstanceTerminatedOutside terminates a managed instance behind
// Stratus's back: a terminated instance is gone, so Stratus launches a new
// one in its place.
func TestInstanceTerminatedOutside(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	inst := &ec2v1beta1.Instance{
		ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-web"},
		Spec: ec2v1beta1.InstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{ProviderConfigReference: f.ref()},
			ForProvider:                ec2v1beta1.InstanceParameters{ImageID: aws.String(f.image(t)), InstanceType: aws.String("t3.micro")},
		},
	}
	f.create(t, inst)
	f.ready(t, inst)
	old := meta.GetExternalName(inst)

	if _, err := f.EC2().TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{old}}); err != nil {
		t.Fatal(err)
	}
	f.env.WaitFor(t, inst, timeout, func(client.Object) (bool, string) {
		n := meta.GetExternalName(inst)
		return n != "" && n != old && inst.GetCondition(xpv2.TypeReady).Status == corev1.ConditionTrue,
			"it is not a Ready replacement of instance " + old + " yet"
	})
	if got := f.liveInstancesTagged(t, inst.GetUID()); len(got) != 1 || got[0] != meta.GetExternalName(inst) {
		t.Fatalf("live instances in moto for the resource: %v, want only its new instance %s", got, meta.GetExternalName(inst))
	}
	id := meta.GetExternalName(inst)
	f.deleteAndWait(t, inst)
	f.wantTerminated(t, id)
}

// TestInstanceValidation checks the API server's rules for instances: what
// a launch needs, and which fields are fixed at launch.
func TestInstanceValidation(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	spec := func(p ec2v1beta1.InstanceParameters) ec2v1beta1.InstanceSpec {
		return ec2v1beta1.InstanceSpec{
			ClusterManagedResourceSpec: xpv2.ClusterManagedResourceSpec{
				ProviderConfigReference: f.ref(),
				// Nothing reconciles it: only the API server's rules apply.
				ManagementPolicies: xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
			},
			ForProvider: p,
		}
	}
	noImage := &ec2v1beta1.Instance{ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-noimage"}, Spec: spec(ec2v1beta1.InstanceParameters{InstanceType: aws.String("t3.micro")})}
	noImage.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
	if err := f.env.Client.Create(ctx, noImage); err == nil || !strings.Contains(err.Error(), "imageId is required") {
		t.Errorf("creating an instance without imageId: got error %v, want imageId is required", err)
	}

	inst := &ec2v1beta1.Instance{ObjectMeta: metav1.ObjectMeta{Name: f.ns + "-web"}, Spec: spec(ec2v1beta1.InstanceParameters{
		ImageID:      aws.String("ami-1"),
		InstanceType: aws.String("t3.micro"),
		UserData:     aws.String("#!/bin/sh\n"),
		RootVolume:   &ec2v1beta1.RootVolume{SizeGB: aws.Int32(10)},
	})}
	f.create(t, inst)
	// update applies mutate to the stored instance, again on a conflict
	// with the provider's status writes, and returns the API server's
	// answer.
	update := func(mutate func(p *ec2v1beta1.InstanceParameters)) error {
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			changed := &ec2v1beta1.Instance{}
			if err := f.env.Client.Get(ctx, client.ObjectKeyFromObject(inst), changed); err != nil {
				return err
			}
			mutate(&changed.Spec.ForProvider)
			return f.env.Client.Update(ctx, changed)
		})
	}
	for field, mutate := range map[string]func(p *ec2v1beta1.InstanceParameters){
		"imageId":    func(p *ec2v1beta1.InstanceParameters) { p.ImageID = aws.String("ami-2") },
		"userData":   func(p *ec2v1beta1.InstanceParameters) { p.UserData = aws.String("#!/bin/bash\n") },
		"rootVolume": func(p *ec2v1beta1.InstanceParameters) { p.RootVolume.SizeGB = aws.Int32(20) },
	} {
		if err := update(mutate); err == nil || !strings.Contains(err.Error(), field+" cannot be changed") {
			t.Errorf("changing %s: got error %v, want %s cannot be changed", field, err, field)
		}
	}
	if err := update(func(p *ec2v1beta1.InstanceParameters) { p.InstanceType = aws.String("t3.small") }); err != nil {
		t.Errorf("changing instanceType: %v, want it allowed", err)
	}
}
