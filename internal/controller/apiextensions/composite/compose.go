package composite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	"github.com/crossplane/crossplane-runtime/v2/pkg/xcrd"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/stratus-dev/stratus/internal/xfn"
)

// Labels and annotations Stratus sets on composed resources, as Crossplane
// does.
const (
	LabelComposite      = "crossplane.io/composite"
	LabelClaimName      = "crossplane.io/claim-name"
	LabelClaimNamespace = "crossplane.io/claim-namespace"

	// AnnotationAppliedHash records a hash of what was last applied, so
	// that an unchanged resource is not applied again.
	AnnotationAppliedHash = "stratus.dev/applied-hash"

	// fieldOwner is the server-side apply field manager of composed resources.
	fieldOwner = "apiextensions.crossplane.io/composed"
)

// An existing composed resource: one that an XR references in its
// resourceRefs and that exists.
type existing struct {
	// ref is the reference as the XR records it.
	ref corev1.ObjectReference

	// name is the resource's composition resource name, or "" when it has
	// none.
	name string

	observed xfn.ObservedResource
}

// observe reads the composed resources an XR references that exist, and
// their connection details, in the order of its resourceRefs. Several may
// carry one composition resource name: the one a pipeline now desires and
// one it desired before as another object (another kind, after a change of
// Composition), until that one is gone.
func observe(ctx context.Context, c client.Client, xr *composite.Unstructured) ([]existing, error) {
	refs := xr.GetResourceReferences()
	out := make([]existing, 0, len(refs))
	for _, ref := range refs {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(ref.APIVersion)
		u.SetKind(ref.Kind)
		err := c.Get(ctx, refKey(xr, ref), u)
		if kerrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, errors.Wrapf(err, "cannot get composed resource %s %s", ref.Kind, ref.Name)
		}
		cd, err := connectionDetails(ctx, c, u)
		if err != nil {
			return nil, err
		}
		out = append(out, existing{ref: ref, name: xcrd.GetCompositionResourceName(u), observed: xfn.ObservedResource{Resource: u, ConnectionDetails: cd}})
	}
	return out, nil
}

// observedFor returns what a pipeline observes of the existing composed
// resources, by composition resource name. When rendered (the resources the
// pipeline desired) is known, a name that is desired is observed only as
// the very object desired: a resource of that name that is another object
// (another kind, namespace or name) is being replaced, and the pipeline
// must compose its successor as a resource that does not exist yet, not
// read it for the successor's readiness, status and connection details.
// Otherwise, of several resources of one name, the first that is not being
// deleted wins.
func observedFor(all []existing, rendered map[string]*unstructured.Unstructured) map[string]xfn.ObservedResource {
	out := map[string]xfn.ObservedResource{}
	for _, e := range all {
		if e.name == "" {
			continue
		}
		if d, ok := rendered[e.name]; ok {
			if sameObject(d, e.observed.Resource) {
				out[e.name] = e.observed
			}
			continue
		}
		if cur, ok := out[e.name]; ok && (cur.Resource.GetDeletionTimestamp() == nil || e.observed.Resource.GetDeletionTimestamp() != nil) {
			continue
		}
		out[e.name] = e.observed
	}
	return out
}

// sameObserved reports whether a and b observe the same objects under the
// same names.
func sameObserved(a, b map[string]xfn.ObservedResource) bool {
	if len(a) != len(b) {
		return false
	}
	for name, o := range a {
		if p, ok := b[name]; !ok || p.Resource != o.Resource {
			return false
		}
	}
	return true
}

// sameObject reports whether a and b are the same object of the API server:
// the same group, kind, namespace and name. The version does not matter: a
// kind served at two versions is one object.
func sameObject(a, b *unstructured.Unstructured) bool {
	return a.GroupVersionKind().GroupKind() == b.GroupVersionKind().GroupKind() &&
		a.GetNamespace() == b.GetNamespace() && a.GetName() == b.GetName()
}

// stale returns the existing composed resources that are none of the
// rendered ones: those whose composition resource name left the desired
// state, and those whose name the pipeline now desires as another object,
// such as a resource of another kind after a change of Composition. They
// are to be deleted, never forgotten.
func stale(all []existing, rendered map[string]*unstructured.Unstructured) []existing {
	var out []existing
	for _, e := range all {
		desired := false
		for _, d := range rendered {
			if sameObject(d, e.observed.Resource) {
				desired = true
				break
			}
		}
		if !desired {
			out = append(out, e)
		}
	}
	return out
}

// describe names an existing composed resource for events: its composition
// resource name, kind and name.
func (e existing) describe() string {
	u := e.observed.Resource
	if e.name == "" {
		return u.GetKind() + " " + u.GetName()
	}
	return fmt.Sprintf("%s (%s %s)", e.name, u.GetKind(), u.GetName())
}

// refKey is the key of a referenced composed resource. Namespaced XRs record
// references without a namespace: their composed resources all live in the
// XR's own namespace.
func refKey(xr *composite.Unstructured, ref corev1.ObjectReference) client.ObjectKey {
	if ref.Namespace == "" {
		return client.ObjectKey{Namespace: xr.GetNamespace(), Name: ref.Name}
	}
	return client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}
}

// connectionDetails reads the Secret a composed resource writes its
// connection details to, if it names one and it exists.
func connectionDetails(ctx context.Context, c client.Reader, u *unstructured.Unstructured) (map[string][]byte, error) {
	name, _, _ := unstructured.NestedString(u.Object, "spec", "writeConnectionSecretToRef", "name")
	if name == "" {
		return nil, nil
	}
	ns, _, _ := unstructured.NestedString(u.Object, "spec", "writeConnectionSecretToRef", "namespace")
	if ns == "" {
		ns = u.GetNamespace()
	}
	s := &corev1.Secret{}
	err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s)
	if kerrors.IsNotFound(err) {
		return nil, nil
	}
	return s.Data, errors.Wrapf(err, "cannot get connection Secret %s/%s of %s %s", ns, name, u.GetKind(), u.GetName())
}

// composedName is the deterministic name of a composed resource: the XR's
// name and a hash of the XR's identity and the composition resource name, so
// that a crash between apply and recording the reference never makes a
// second resource.
func composedName(xr *composite.Unstructured, resName string) string {
	sum := sha256.Sum256([]byte(xr.GetNamespace() + "/" + xr.GetName() + "/" + resName))
	base := xr.GetName()
	if len(base) > 54 {
		base = strings.TrimRight(base[:54], "-.")
	}
	return base + "-" + hex.EncodeToString(sum[:])[:8]
}

// render completes a desired composed resource: its name, namespace,
// labels, annotations and owner reference.
func render(c client.Client, xr *composite.Unstructured, resName string, d *unstructured.Unstructured, observed *unstructured.Unstructured) error {
	if d.GetAPIVersion() == "" || d.GetKind() == "" {
		return errors.Errorf("resource %q has no apiVersion or kind", resName)
	}
	if d.GetName() == "" {
		if observed != nil {
			d.SetName(observed.GetName())
		} else {
			d.SetName(composedName(xr, resName))
		}
	}
	if err := place(c, xr, resName, d); err != nil {
		return err
	}

	l := d.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[LabelComposite] = xr.GetName()
	if cr := xr.GetClaimReference(); cr != nil {
		l[LabelClaimName] = cr.Name
		l[LabelClaimNamespace] = cr.Namespace
	}
	d.SetLabels(l)
	xcrd.SetCompositionResourceName(d, resName)

	gvk := xr.GetObjectKind().GroupVersionKind()
	d.SetOwnerReferences([]metav1.OwnerReference{{
		APIVersion:         gvk.GroupVersion().String(),
		Kind:               gvk.Kind,
		Name:               xr.GetName(),
		UID:                xr.GetUID(),
		Controller:         new(true),
		BlockOwnerDeletion: new(true),
	}})

	a := d.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	delete(a, AnnotationAppliedHash)
	d.SetAnnotations(a)
	h, err := hashObject(d.Object)
	if err != nil {
		return err
	}
	a[AnnotationAppliedHash] = h
	d.SetAnnotations(a)
	return nil
}

// place sets or checks the namespace of a composed resource: namespaced
// composite resources compose only in their own namespace; cluster-scoped
// ones must say where a namespaced resource goes.
func place(c client.Client, xr *composite.Unstructured, resName string, d *unstructured.Unstructured) error {
	namespaced, err := c.IsObjectNamespaced(d)
	if err != nil {
		return errors.Wrapf(err, "cannot tell whether %s %s is namespaced (is its CRD installed?)", d.GetAPIVersion(), d.GetKind())
	}
	switch {
	case !namespaced && xr.GetNamespace() != "":
		return errors.Errorf("resource %q is a cluster-scoped %s: a namespaced composite resource composes only namespaced resources", resName, d.GetKind())
	case !namespaced:
		d.SetNamespace("")
	case d.GetNamespace() == "" && xr.GetNamespace() != "":
		d.SetNamespace(xr.GetNamespace())
	case d.GetNamespace() == "":
		return errors.Errorf("resource %q is a namespaced %s but names no namespace: set metadata.namespace in its template or patch it", resName, d.GetKind())
	case xr.GetNamespace() != "" && d.GetNamespace() != xr.GetNamespace():
		return errors.Errorf("resource %q must be in the composite resource's namespace %s, not %s", resName, xr.GetNamespace(), d.GetNamespace())
	}
	return nil
}

func hashObject(o map[string]any) (string, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return "", errors.Wrap(err, "cannot hash desired resource")
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16], nil
}

// upToDate reports whether observed already holds everything desired says,
// as last applied: the applied hash matches and every desired field has the
// desired value. Applying it again would change nothing.
func upToDate(desired, observed *unstructured.Unstructured) bool {
	if observed == nil || observed.GetAnnotations()[AnnotationAppliedHash] != desired.GetAnnotations()[AnnotationAppliedHash] {
		return false
	}
	return subset(desired.Object, observed.Object)
}

// subset reports whether every field of want has the same value in got.
func subset(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !subset(v, g[k]) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !subset(w[i], g[i]) {
				return false
			}
		}
		return true
	case int64:
		return numEqual(float64(w), got)
	case float64:
		return numEqual(w, got)
	default:
		return reflect.DeepEqual(want, got)
	}
}

func numEqual(w float64, got any) bool {
	switch g := got.(type) {
	case int64:
		return float64(g) == w
	case float64:
		return g == w
	}
	return false
}

// apply server-side applies d unless observed shows it is up to date.
func apply(ctx context.Context, c client.Client, d, observed *unstructured.Unstructured) (bool, error) {
	if upToDate(d, observed) {
		return false, nil
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(d), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return false, errors.Wrapf(err, "cannot apply %s %s", d.GetKind(), d.GetName())
	}
	return true, nil
}

// references returns the resource references of the desired resources,
// sorted for a stable spec.resourceRefs. A namespaced XR's references carry
// no namespace, as its schema has none: they are all in its namespace.
func references(xr *composite.Unstructured, desired map[string]*unstructured.Unstructured) []corev1.ObjectReference {
	refs := make([]corev1.ObjectReference, 0, len(desired))
	for _, d := range desired {
		ref := corev1.ObjectReference{APIVersion: d.GetAPIVersion(), Kind: d.GetKind(), Namespace: d.GetNamespace(), Name: d.GetName()}
		if xr.GetNamespace() != "" {
			ref.Namespace = ""
		}
		refs = append(refs, ref)
	}
	sortRefs(refs)
	return refs
}

// sortRefs sorts resource references by apiVersion, kind, namespace and
// name.
func sortRefs(refs []corev1.ObjectReference) {
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if a.APIVersion != b.APIVersion {
			return a.APIVersion < b.APIVersion
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}

// unready describes the desired resources that are not ready, for the XR's
// Ready condition: the resource name, its kind and name, and its own reason.
func unready(desired map[string]xfn.DesiredResource, rendered map[string]*unstructured.Unstructured, observed map[string]xfn.ObservedResource) []string {
	out := make([]string, 0, len(desired))
	for name, d := range desired {
		if d.Ready == fnv1.Ready_READY_TRUE {
			continue
		}
		r := rendered[name]
		o, ok := observed[name]
		why := "not created yet"
		if ok {
			why = readyReason(o.Resource)
		}
		out = append(out, fmt.Sprintf("%s (%s %s: %s)", name, r.GetKind(), r.GetName(), why))
	}
	sort.Strings(out)
	return out
}

func readyReason(u *unstructured.Unstructured) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Ready" {
			continue
		}
		s := fmt.Sprintf("Ready=%v", m["status"])
		if r, _ := m["reason"].(string); r != "" {
			s = r
		}
		if msg, _ := m["message"].(string); msg != "" {
			s += ": " + msg
		}
		return s
	}
	return "no Ready condition"
}
