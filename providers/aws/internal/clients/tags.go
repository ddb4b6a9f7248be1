package clients

import (
	"maps"
	"slices"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// Tags Stratus puts on every AWS resource it creates. TagUID finds a
// resource whose creation was accepted but not recorded (the provider
// stopped in between), so it is adopted instead of created twice.
const (
	TagName = "stratus.dev/name"
	TagUID  = "stratus.dev/uid"
)

// DesiredTags returns the tags mg's cloud resource should carry: the spec's
// own tags and the Stratus tags.
func DesiredTags(mg resource.Object, spec map[string]string) map[string]string {
	t := make(map[string]string, len(spec)+2)
	maps.Copy(t, spec)
	t[TagName] = mg.GetName()
	t[TagUID] = string(mg.GetUID())
	return t
}

// ManagedTags returns the tags mg's cloud resource should carry, given the
// tags it has. When the spec sets no tags (spec.forProvider.tags unset, e.g.
// because spec.initProvider sets them), Stratus manages only its own tags
// and keeps the others; otherwise the spec's tags are the whole truth.
func ManagedTags(mg resource.Object, spec, observed map[string]string) map[string]string {
	if spec == nil {
		spec = UserTags(observed)
	}
	return DesiredTags(mg, spec)
}

// DiffTags returns the tags to set and the keys to remove to turn observed
// into desired. Tags AWS reserves (aws:*) are left alone.
func DiffTags(desired, observed map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range desired {
		if ov, ok := observed[k]; !ok || ov != v {
			set[k] = v
		}
	}
	for k := range observed {
		if _, ok := desired[k]; !ok && !strings.HasPrefix(k, "aws:") {
			remove = append(remove, k)
		}
	}
	slices.Sort(remove)
	return set, remove
}

// UserTags returns the tags of observed that a user manages: all but the
// Stratus tags and AWS's reserved aws:* tags. Late initialization copies
// these into a spec, so that adopting a resource keeps its tags.
func UserTags(observed map[string]string) map[string]string {
	if len(observed) == 0 {
		return nil
	}
	out := make(map[string]string, len(observed))
	for k, v := range observed {
		if k == TagName || k == TagUID || strings.HasPrefix(k, "aws:") {
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
