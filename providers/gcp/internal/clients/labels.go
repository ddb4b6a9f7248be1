package clients

import (
	"maps"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// LabelUID is the label Stratus puts on every resource it creates that has
// labels (Cloud SQL and Compute Engine instances): the UID of its managed
// resource. A create that finds the name taken adopts the resource only if
// it carries this label.
const LabelUID = "stratus-uid"

// DesiredLabels returns the labels mg's cloud resource should carry: the
// spec's own and the Stratus label.
func DesiredLabels(mg resource.Object, spec map[string]string) map[string]string {
	l := make(map[string]string, len(spec)+1)
	maps.Copy(l, spec)
	l[LabelUID] = string(mg.GetUID())
	return l
}

// ManagedLabels returns the labels mg's cloud resource should carry, given
// the labels it has. When the spec sets no labels (because initProvider
// sets them, or the resource was adopted and is not late-initialized),
// Stratus manages only its own label and keeps the others; otherwise the
// spec's labels are the whole truth.
func ManagedLabels(mg resource.Object, spec, observed map[string]string) map[string]string {
	if spec == nil {
		spec = UserLabels(observed)
	}
	return DesiredLabels(mg, spec)
}

// UserLabels returns the labels of observed that a user manages: all but
// the Stratus label, or nil when there are none.
func UserLabels(observed map[string]string) map[string]string {
	out := make(map[string]string, len(observed))
	for k, v := range observed {
		if k != LabelUID {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// RemovedLabels returns the keys of observed that desired does not have,
// sorted.
func RemovedLabels(desired, observed map[string]string) []string {
	var out []string
	for k := range observed {
		if _, ok := desired[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// SameMap reports whether two maps hold the same entries; nil and empty
// are the same.
func SameMap(a, b map[string]string) bool {
	return maps.Equal(a, b)
}
