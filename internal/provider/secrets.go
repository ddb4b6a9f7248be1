package provider

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// A SecretGenerator is an external connector whose clients may create
// Secrets for the managed resources they manage, such as a Secret that
// holds a generated password. A connector passed to SetupManaged that is
// one has the Secrets it names deleted with the resource, if the resource
// controls them.
type SecretGenerator[T resource.Managed] interface {
	// GeneratedSecrets returns the Secrets the connector's clients may have
	// created for mg. A Secret mg does not control is never deleted, so
	// naming one the user made is safe.
	GeneratedSecrets(mg T) []xpv2.SecretReference
}

// ControllerReference returns a reference to mg, of kind gvk, for a Secret
// the provider creates for mg: a garbage collector deletes the Secret with
// mg, and where there is none (the Stratus local control plane) the
// managed reconciler does, when it removes mg's finalizer.
func ControllerReference(mg metav1.Object, gvk schema.GroupVersionKind) metav1.OwnerReference {
	return meta.AsController(meta.TypedReferenceTo(mg, gvk))
}

// SecretsOf returns references to the Secrets sels select, skipping nil
// and duplicate ones.
func SecretsOf(sels ...*xpv2.SecretKeySelector) []xpv2.SecretReference {
	var refs []xpv2.SecretReference
	for _, s := range sels {
		if s != nil {
			refs = appendSecret(refs, s.SecretReference)
		}
	}
	return refs
}

// appendSecret appends ref to refs unless it is nameless or already there.
func appendSecret(refs []xpv2.SecretReference, ref xpv2.SecretReference) []xpv2.SecretReference {
	if ref.Name == "" || slices.Contains(refs, ref) {
		return refs
	}
	return append(refs, ref)
}

// DeleteControlledSecret deletes the Secret ref names if owner controls it,
// that is if the Secret's controller reference has owner's UID. A Secret
// that does not exist, has no controller or has another is left alone: a
// Secret the user made is never deleted. The delete is conditional on the
// Secret read, so a Secret replaced in between is not deleted either.
func DeleteControlledSecret(ctx context.Context, c client.Client, owner metav1.Object, ref xpv2.SecretReference) error {
	if owner.GetUID() == "" {
		// Nothing is controlled by an object the API server never stored.
		return nil
	}
	s := &corev1.Secret{}
	err := c.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}, s)
	if kerrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return errors.Wrapf(err, "cannot get Secret %s/%s", ref.Namespace, ref.Name)
	}
	if !metav1.IsControlledBy(s, owner) {
		return nil
	}
	err = c.Delete(ctx, s, client.Preconditions{UID: &s.UID, ResourceVersion: &s.ResourceVersion})
	return errors.Wrapf(resource.IgnoreNotFound(err), "cannot delete Secret %s/%s", ref.Namespace, ref.Name)
}

// A secretFinalizer deletes the Secrets a managed resource controls, its
// connection Secret and those its provider generated for it, just before it
// removes the resource's finalizer. The managed reconciler removes the
// finalizer only once the external resource is gone (or is to be
// orphaned), right after it unpublishes the connection details.
//
// crossplane-runtime's connection publisher unpublishes nothing: it relies
// on a garbage collector to delete the Secret it controls, and the Stratus
// local control plane has none. Its managed reconciler takes no other
// publisher, so the Secrets are deleted here, the last step of a deletion.
type secretFinalizer[T resource.Managed] struct {
	resource.Finalizer

	client client.Client
	// generated returns the Secrets the provider may have generated for a
	// resource; nil for kinds that generate none.
	generated func(T) []xpv2.SecretReference
}

// RemoveFinalizer deletes the Secrets obj controls, then removes its
// finalizer.
func (f *secretFinalizer[T]) RemoveFinalizer(ctx context.Context, obj resource.Object) error {
	for _, ref := range f.secrets(obj) {
		if err := DeleteControlledSecret(ctx, f.client, obj, ref); err != nil {
			return err
		}
	}
	return f.Finalizer.RemoveFinalizer(ctx, obj)
}

// secrets returns the Secrets obj may control: its connection Secret and
// the ones its provider may have generated.
func (f *secretFinalizer[T]) secrets(obj resource.Object) []xpv2.SecretReference {
	var refs []xpv2.SecretReference
	switch o := obj.(type) {
	case resource.LocalConnectionSecretOwner:
		if r := o.GetWriteConnectionSecretToReference(); r != nil {
			refs = appendSecret(refs, xpv2.SecretReference{Name: r.Name, Namespace: o.GetNamespace()})
		}
	case resource.ConnectionSecretOwner:
		if r := o.GetWriteConnectionSecretToReference(); r != nil {
			refs = appendSecret(refs, *r)
		}
	}
	if mg, ok := obj.(T); ok && f.generated != nil {
		for _, r := range f.generated(mg) {
			refs = appendSecret(refs, r)
		}
	}
	return refs
}

// generatedSecrets returns the GeneratedSecrets method of conn, or nil when
// conn generates no Secrets.
func generatedSecrets[T resource.Managed](conn any) func(T) []xpv2.SecretReference {
	if g, ok := conn.(SecretGenerator[T]); ok {
		return g.GeneratedSecrets
	}
	return nil
}
