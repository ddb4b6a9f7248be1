package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// secretKube is a fake API server client that holds Secrets and records the
// deletes it gets, with their preconditions.
type secretKube struct {
	test.MockClient

	secrets map[client.ObjectKey]*corev1.Secret
	deletes []string
}

func newSecretKube(getErr, deleteErr error, secrets ...*corev1.Secret) *secretKube {
	k := &secretKube{secrets: map[client.ObjectKey]*corev1.Secret{}}
	for _, s := range secrets {
		k.secrets[client.ObjectKeyFromObject(s)] = s
	}
	k.MockGet = func(_ context.Context, key client.ObjectKey, obj client.Object) error {
		if getErr != nil {
			return getErr
		}
		s, ok := k.secrets[key]
		if !ok {
			return kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
		}
		s.DeepCopyInto(obj.(*corev1.Secret))
		return nil
	}
	k.MockDelete = func(_ context.Context, obj client.Object, opts ...client.DeleteOption) error {
		o := &client.DeleteOptions{}
		o.ApplyOptions(opts)
		d := obj.GetNamespace() + "/" + obj.GetName()
		if p := o.Preconditions; p != nil && p.UID != nil && p.ResourceVersion != nil {
			d += " if uid=" + string(*p.UID) + " rv=" + *p.ResourceVersion
		}
		k.deletes = append(k.deletes, d)
		return deleteErr
	}
	return k
}

// secret returns Secret ns/name, at resourceVersion 1, with owners.
func secret(ns, name string, owners ...metav1.OwnerReference) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(name + "-uid"), ResourceVersion: "1", OwnerReferences: owners}}
}

// controlledBy returns a controller reference to the object with uid.
func controlledBy(uid string) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "db.stratus.dev/v1beta1", Kind: "Database", Name: "db", UID: types.UID(uid), Controller: new(true)}
}

// legacy returns a cluster-scoped managed resource with UID uid that writes
// its connection Secret to ns/conn.
func legacy(uid string) *fake.LegacyManaged {
	mg := &fake.LegacyManaged{ObjectMeta: metav1.ObjectMeta{Name: "db", UID: types.UID(uid)}}
	mg.SetWriteConnectionSecretToReference(&xpv2.SecretReference{Namespace: "ns", Name: "conn"})
	return mg
}

func TestSecretFinalizer(t *testing.T) {
	errBoom := errors.New("boom")
	mine := controlledBy("uid-1")
	type args struct {
		mg        resource.Managed
		secrets   []*corev1.Secret
		generated func(resource.Managed) []xpv2.SecretReference
		getErr    error
		deleteErr error
	}
	type want struct {
		deletes []string
		removed bool
		err     error
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"DeletesControlledConnectionSecret": {
			reason: "The connection Secret the resource controls is deleted, conditional on the Secret read, then the finalizer removed.",
			args:   args{mg: legacy("uid-1"), secrets: []*corev1.Secret{secret("ns", "conn", mine)}},
			want:   want{deletes: []string{"ns/conn if uid=conn-uid rv=1"}, removed: true},
		},
		"DeletesLocalConnectionSecret": {
			reason: "A namespaced resource's connection Secret is in the resource's namespace.",
			args: args{
				mg: func() resource.Managed {
					mg := &fake.ModernManaged{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "db", UID: "uid-1"}}
					mg.SetWriteConnectionSecretToReference(&xpv2.LocalSecretReference{Name: "conn"})
					return mg
				}(),
				secrets: []*corev1.Secret{secret("team", "conn", mine)},
			},
			want: want{deletes: []string{"team/conn if uid=conn-uid rv=1"}, removed: true},
		},
		"KeepsSecretOfAnotherController": {
			reason: "A Secret another object controls is left alone.",
			args:   args{mg: legacy("uid-1"), secrets: []*corev1.Secret{secret("ns", "conn", controlledBy("uid-2"))}},
			want:   want{removed: true},
		},
		"KeepsSecretItOnlyOwns": {
			reason: "A Secret the resource owns but does not control is left alone.",
			args: args{mg: legacy("uid-1"), secrets: []*corev1.Secret{secret("ns", "conn", func() metav1.OwnerReference {
				r := controlledBy("uid-1")
				r.Controller = nil
				return r
			}())}},
			want: want{removed: true},
		},
		"KeepsUnownedSecret": {
			reason: "A Secret without owners, such as one the user made, is left alone.",
			args:   args{mg: legacy("uid-1"), secrets: []*corev1.Secret{secret("ns", "conn")}},
			want:   want{removed: true},
		},
		"SecretGone": {
			reason: "A connection Secret that does not exist is no obstacle.",
			args:   args{mg: legacy("uid-1")},
			want:   want{removed: true},
		},
		"NoConnectionSecret": {
			reason: "A resource that writes no connection Secret has nothing deleted.",
			args:   args{mg: &fake.LegacyManaged{ObjectMeta: metav1.ObjectMeta{Name: "db", UID: "uid-1"}}},
			want:   want{removed: true},
		},
		"DeletedMeanwhile": {
			reason: "A Secret deleted between read and delete is no obstacle.",
			args: args{
				mg:        legacy("uid-1"),
				secrets:   []*corev1.Secret{secret("ns", "conn", mine)},
				deleteErr: kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, "conn"),
			},
			want: want{deletes: []string{"ns/conn if uid=conn-uid rv=1"}, removed: true},
		},
		"CannotGetSecret": {
			reason: "When a Secret cannot be read the finalizer stays, so that the next reconcile tries again.",
			args:   args{mg: legacy("uid-1"), getErr: errBoom},
			want:   want{err: errors.Wrap(errBoom, "cannot get Secret ns/conn")},
		},
		"CannotDeleteSecret": {
			reason: "When a Secret cannot be deleted the finalizer stays, so that the next reconcile tries again.",
			args:   args{mg: legacy("uid-1"), secrets: []*corev1.Secret{secret("ns", "conn", mine)}, deleteErr: errBoom},
			want:   want{deletes: []string{"ns/conn if uid=conn-uid rv=1"}, err: errors.Wrap(errBoom, "cannot delete Secret ns/conn")},
		},
		"DeletesGeneratedSecrets": {
			reason: "Of the Secrets the provider may have generated, the ones the resource controls are deleted; the user's stay.",
			args: args{
				mg: legacy("uid-1"),
				secrets: []*corev1.Secret{
					secret("ns", "conn", mine),
					secret("ns", "generated", mine),
					secret("ns", "users", controlledBy("uid-2")),
					secret("ns", "plain"),
				},
				generated: func(resource.Managed) []xpv2.SecretReference {
					return []xpv2.SecretReference{{Namespace: "ns", Name: "generated"}, {Namespace: "ns", Name: "users"}, {Namespace: "ns", Name: "plain"}, {Namespace: "ns", Name: "conn"}}
				},
			},
			want: want{deletes: []string{"ns/conn if uid=conn-uid rv=1", "ns/generated if uid=generated-uid rv=1"}, removed: true},
		},
		"NoUID": {
			reason: "An object without a UID controls nothing, so nothing is deleted.",
			args:   args{mg: legacy(""), secrets: []*corev1.Secret{secret("ns", "conn", controlledBy(""))}},
			want:   want{removed: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kube := newSecretKube(tc.args.getErr, tc.args.deleteErr, tc.args.secrets...)
			got := want{}
			f := &secretFinalizer[resource.Managed]{
				Finalizer: finalizerFn(func(context.Context, resource.Object) error { got.removed = true; return nil }),
				client:    kube,
				generated: tc.args.generated,
			}
			got.err = f.RemoveFinalizer(context.Background(), tc.args.mg)
			got.deletes = kube.deletes
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), test.EquateErrors()); diff != "" {
				t.Errorf("%s\nRemoveFinalizer(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// generator is a connector that names a Secret it may have generated.
type generator struct{}

func (generator) GeneratedSecrets(mg *fake.LegacyManaged) []xpv2.SecretReference {
	return []xpv2.SecretReference{{Namespace: "ns", Name: mg.GetName() + "-password"}}
}

func TestGeneratedSecrets(t *testing.T) {
	cases := map[string]struct {
		reason string
		conn   any
		want   []xpv2.SecretReference
	}{
		"Generator": {
			reason: "A connector that is a SecretGenerator names the Secrets it may have generated.",
			conn:   generator{},
			want:   []xpv2.SecretReference{{Namespace: "ns", Name: "db-password"}},
		},
		"NotAGenerator": {
			reason: "Any other connector generates no Secrets.",
			conn:   struct{}{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []xpv2.SecretReference
			if fn := generatedSecrets[*fake.LegacyManaged](tc.conn); fn != nil {
				got = fn(legacy("uid-1"))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ngeneratedSecrets(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSecretsOf(t *testing.T) {
	sel := func(name string) *xpv2.SecretKeySelector {
		return &xpv2.SecretKeySelector{SecretReference: xpv2.SecretReference{Namespace: "ns", Name: name}, Key: "password"}
	}
	cases := map[string]struct {
		reason string
		sels   []*xpv2.SecretKeySelector
		want   []xpv2.SecretReference
	}{
		"SkipsNilAndDuplicates": {
			reason: "Nil selectors are skipped, and a Secret two selectors select is named once.",
			sels:   []*xpv2.SecretKeySelector{sel("a"), nil, sel("b"), sel("a")},
			want:   []xpv2.SecretReference{{Namespace: "ns", Name: "a"}, {Namespace: "ns", Name: "b"}},
		},
		"None": {
			reason: "No selectors select no Secrets.",
			sels:   []*xpv2.SecretKeySelector{nil},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, SecretsOf(tc.sels...)); diff != "" {
				t.Errorf("%s\nSecretsOf(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestControllerReference(t *testing.T) {
	mg := legacy("uid-1")
	gvk := schema.GroupVersionKind{Group: "rds.aws.stratus.dev", Version: "v1beta1", Kind: "DBInstance"}
	want := metav1.OwnerReference{APIVersion: "rds.aws.stratus.dev/v1beta1", Kind: "DBInstance", Name: "db", UID: "uid-1", Controller: new(true), BlockOwnerDeletion: new(true)}
	if diff := cmp.Diff(want, ControllerReference(mg, gvk)); diff != "" {
		t.Errorf("ControllerReference(...): -want, +got:\n%s", diff)
	}
}
