package clients

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// AnnotationNameConflict records that a create found its name taken by a
// cloud resource this managed resource did not create. Until the
// annotation is removed (or the other resource goes), the managed
// resource does not adopt a resource of that name unless it carries
// LabelUID with the managed resource's UID, and deleting the managed
// resource leaves the other resource alone.
const AnnotationNameConflict = "gcp.stratus.dev/name-conflict"

// MarkConflict records on mg (in memory: the managed reconciler saves the
// annotations of a failed create) that its name is taken, and returns the
// error that says so.
func MarkConflict(mg resource.Object, kind string) error {
	meta.AddAnnotations(mg, map[string]string{AnnotationNameConflict: "true"})
	return conflictError(mg, kind)
}

// ClearConflict removes the conflict record from mg, in memory.
func ClearConflict(mg resource.Object) {
	meta.RemoveAnnotations(mg, AnnotationNameConflict)
}

// Foreign reports whether the cloud resource of mg's name is another's:
// mg's create found the name taken, and the resource does not carry mg's
// UID label. labels are the resource's labels (nil for kinds without
// labels).
func Foreign(mg resource.Object, labels map[string]string) bool {
	if _, conflict := mg.GetAnnotations()[AnnotationNameConflict]; !conflict {
		return false
	}
	return labels[LabelUID] != string(mg.GetUID())
}

// ObserveForeign is what Observe returns for a managed resource whose
// name belongs to another's cloud resource (see Foreign): an error that
// says so, or, once the managed resource is being deleted, that it has no
// resource, so that it goes and the other's stays.
func ObserveForeign(mg resource.Managed, kind string) (managed.ExternalObservation, error) {
	if meta.WasDeleted(mg) {
		return managed.ExternalObservation{}, nil
	}
	return managed.ExternalObservation{}, conflictError(mg, kind)
}

func conflictError(mg resource.Object, kind string) error {
	return errors.Errorf("%s %q exists and this resource did not create it: delete it, choose another name (annotation %s), or remove the annotation %s to adopt it",
		kind, meta.GetExternalName(mg), meta.AnnotationKeyExternalName, AnnotationNameConflict)
}
