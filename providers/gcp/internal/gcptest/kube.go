package gcptest

import (
	"context"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
)

// A Kube is a fake API server client: it holds Secrets, and records the
// writes it gets: patches of managed resources (by the annotations they
// leave), and creates and updates of Secrets (by the key and value they
// store, which tests choose not to be real secrets).
type Kube struct {
	test.MockClient

	secrets map[client.ObjectKey]*corev1.Secret
	writes  []string
}

// NewKube returns a fake API server client that holds secrets.
func NewKube(secrets ...*corev1.Secret) *Kube {
	k := &Kube{secrets: map[client.ObjectKey]*corev1.Secret{}}
	for _, s := range secrets {
		k.secrets[client.ObjectKeyFromObject(s)] = s.DeepCopy()
	}
	k.MockGet = func(_ context.Context, key client.ObjectKey, obj client.Object) error {
		s, ok := obj.(*corev1.Secret)
		stored, found := k.secrets[key]
		if !ok || !found {
			return kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
		}
		stored.DeepCopyInto(s)
		return nil
	}
	k.MockCreate = func(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
		k.writes = append(k.writes, "create "+describe(obj))
		if s, ok := obj.(*corev1.Secret); ok {
			k.secrets[client.ObjectKeyFromObject(s)] = s.DeepCopy()
		}
		return nil
	}
	k.MockUpdate = func(_ context.Context, obj client.Object, _ ...client.UpdateOption) error {
		k.writes = append(k.writes, "update "+describe(obj))
		if s, ok := obj.(*corev1.Secret); ok {
			k.secrets[client.ObjectKeyFromObject(s)] = s.DeepCopy()
		}
		return nil
	}
	k.MockPatch = func(_ context.Context, obj client.Object, _ client.Patch, _ ...client.PatchOption) error {
		k.writes = append(k.writes, "patch "+describe(obj))
		obj.SetResourceVersion(obj.GetResourceVersion() + "+")
		return nil
	}
	return k
}

// Writes returns the writes the client got, in order: "create Secret
// ns/name key=value", "update …", or "patch name a=b,c=d" with the
// annotations the patched object has.
func (k *Kube) Writes() []string { return k.writes }

// describe names a written object and what matters of it to the tests.
func describe(obj client.Object) string {
	if s, ok := obj.(*corev1.Secret); ok {
		kv := make([]string, 0, len(s.Data))
		for _, key := range slices.Sorted(maps.Keys(s.Data)) {
			kv = append(kv, key+"="+string(s.Data[key]))
		}
		return "Secret " + s.Namespace + "/" + s.Name + " " + strings.Join(kv, ",")
	}
	a := obj.GetAnnotations()
	kv := make([]string, 0, len(a))
	for _, key := range slices.Sorted(maps.Keys(a)) {
		kv = append(kv, key+"="+a[key])
	}
	return obj.GetName() + " " + strings.Join(kv, ",")
}
