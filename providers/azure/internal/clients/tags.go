package clients

import (
	"maps"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// Tags Stratus puts on every Azure resource it creates or adopts. Azure tag
// names cannot hold '/', so these are not the stratus.dev/ label keys.
const (
	TagName = "stratus.dev_name"
	TagUID  = "stratus.dev_uid"
)

// DesiredTags returns the tags mg's Azure resource should carry: the spec's
// own tags and the Stratus tags.
func DesiredTags(mg resource.Object, spec map[string]string) map[string]string {
	t := make(map[string]string, len(spec)+2)
	maps.Copy(t, spec)
	t[TagName] = mg.GetName()
	t[TagUID] = string(mg.GetUID())
	return t
}

// ManagedTags returns the tags mg's Azure resource should carry, given the
// tags it has. When the spec sets no tags (spec.forProvider.tags unset, e.g.
// because spec.initProvider sets them), Stratus manages only its own tags
// and keeps the others; otherwise the spec's tags are the whole truth.
func ManagedTags(mg resource.Object, spec, observed map[string]string) map[string]string {
	if spec == nil {
		spec = UserTags(observed)
	}
	return DesiredTags(mg, spec)
}

// TagsUpToDate reports whether observed are the tags mg's resource should
// carry.
func TagsUpToDate(mg resource.Object, spec, observed map[string]string) bool {
	return maps.Equal(ManagedTags(mg, spec, observed), observed)
}

// UserTags returns the tags of observed that a user manages: all but the
// Stratus tags. Late initialization copies these into a spec, so that
// adopting a resource keeps its tags.
func UserTags(observed map[string]string) map[string]string {
	if len(observed) == 0 {
		return nil
	}
	out := make(map[string]string, len(observed))
	for k, v := range observed {
		if k == TagName || k == TagUID {
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ToPtrMap turns tags into the SDK's shape.
func ToPtrMap(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = new(v)
	}
	return out
}

// FromPtrMap turns the SDK's tags into a map; nil values become empty.
func FromPtrMap(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = *v
		} else {
			out[k] = ""
		}
	}
	return out
}
