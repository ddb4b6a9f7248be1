package composite

import (
	"context"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	v1 "github.com/stratus-dev/stratus/apis/apiextensions/v1"
)

// errNoRevision says a Composition has no revision yet; the revision
// controller makes one soon after every change.
var errNoRevision = errors.New("the Composition has no CompositionRevision yet")

// selectComposition decides which Composition composes xr and records it in
// spec.compositionRef. It reports whether it changed xr.
func selectComposition(ctx context.Context, c client.Reader, xrd *v1.CompositeResourceDefinition, xr *composite.Unstructured) (bool, error) {
	if ref := xrd.Spec.EnforcedCompositionRef; ref != nil {
		cur := xr.GetCompositionReference()
		if cur != nil && cur.Name == ref.Name {
			return false, nil
		}
		xr.SetCompositionReference(&corev1.ObjectReference{Name: ref.Name})
		return true, nil
	}
	if ref := xr.GetCompositionReference(); ref != nil && ref.Name != "" {
		return false, nil
	}

	apiVersion, kind := xr.GetObjectKind().GroupVersionKind().ToAPIVersionAndKind()
	compatible, err := compatibleCompositions(ctx, c, apiVersion, kind)
	if err != nil {
		return false, err
	}

	if sel := xr.GetCompositionSelector(); sel != nil {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			return false, errors.Wrap(err, "invalid spec.compositionSelector")
		}
		for _, comp := range compatible {
			if s.Matches(labels.Set(comp.Labels)) {
				xr.SetCompositionReference(&corev1.ObjectReference{Name: comp.Name})
				return true, nil
			}
		}
		return false, errors.Errorf("no Composition for %s %s matches spec.compositionSelector %s", apiVersion, kind, s.String())
	}
	if ref := xrd.Spec.DefaultCompositionRef; ref != nil {
		xr.SetCompositionReference(&corev1.ObjectReference{Name: ref.Name})
		return true, nil
	}
	switch len(compatible) {
	case 0:
		return false, errors.Errorf("no Composition composes %s %s: create one with spec.compositeTypeRef set to it", apiVersion, kind)
	case 1:
		xr.SetCompositionReference(&corev1.ObjectReference{Name: compatible[0].Name})
		return true, nil
	}
	names := make([]string, len(compatible))
	for i, comp := range compatible {
		names[i] = comp.Name
	}
	return false, errors.Errorf("%d Compositions compose %s %s (%s): choose one with spec.compositionRef or spec.compositionSelector, or set the XRD's defaultCompositionRef", len(compatible), apiVersion, kind, strings.Join(names, ", "))
}

// compatibleCompositions lists the Compositions of a composite resource
// kind, by name.
func compatibleCompositions(ctx context.Context, c client.Reader, apiVersion, kind string) ([]v1.Composition, error) {
	l := &v1.CompositionList{}
	if err := c.List(ctx, l); err != nil {
		return nil, errors.Wrap(err, "cannot list Compositions")
	}
	var out []v1.Composition
	for _, comp := range l.Items {
		if comp.Spec.CompositeTypeRef.APIVersion == apiVersion && comp.Spec.CompositeTypeRef.Kind == kind {
			out = append(out, comp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// newestAdmitted returns the newest of revs that the XR's revision selector
// (or else the XRD's default one) admits, nil when none is, and the selector.
func newestAdmitted(xrd *v1.CompositeResourceDefinition, xr *composite.Unstructured, revs []v1.CompositionRevision) (*v1.CompositionRevision, labels.Selector, error) {
	sel := xr.GetCompositionRevisionSelector()
	if sel == nil {
		sel = xrd.Spec.DefaultCompositionRevisionSelector
	}
	admits := labels.Everything()
	if sel != nil {
		var err error
		if admits, err = metav1.LabelSelectorAsSelector(sel); err != nil {
			return nil, nil, errors.Wrap(err, "invalid compositionRevisionSelector")
		}
	}
	var newest *v1.CompositionRevision
	for i := range revs {
		if admits.Matches(labels.Set(revs[i].Labels)) && (newest == nil || revs[i].Spec.Revision > newest.Spec.Revision) {
			newest = &revs[i]
		}
	}
	return newest, admits, nil
}

// selectRevision returns the CompositionRevision that composes xr: the
// newest under the Automatic update policy, the pinned one under Manual
// (pinning the newest when none is). It reports whether it changed xr.
func selectRevision(ctx context.Context, c client.Reader, xrd *v1.CompositeResourceDefinition, xr *composite.Unstructured) (*v1.CompositionRevision, bool, error) {
	compName := xr.GetCompositionReference().Name
	l := &v1.CompositionRevisionList{}
	if err := c.List(ctx, l, client.MatchingLabels{v1.LabelCompositionName: compName}); err != nil {
		return nil, false, errors.Wrap(err, "cannot list CompositionRevisions")
	}
	if len(l.Items) == 0 {
		comp := &v1.Composition{}
		if err := c.Get(ctx, client.ObjectKey{Name: compName}, comp); err != nil {
			return nil, false, errors.Wrapf(err, "cannot get Composition %q named by spec.compositionRef", compName)
		}
		return nil, false, errNoRevision
	}
	newest, admits, err := newestAdmitted(xrd, xr, l.Items)
	if err != nil {
		return nil, false, err
	}
	if newest == nil {
		return nil, false, errors.Errorf("no CompositionRevision of Composition %q matches the revision selector %s", compName, admits.String())
	}

	policy := xpv2.UpdateAutomatic
	if p := xr.GetCompositionUpdatePolicy(); p != nil {
		policy = *p
	} else if p := xrd.Spec.DefaultCompositionUpdatePolicy; p != nil {
		policy = *p
	}
	cur := xr.GetCompositionRevisionReference()
	if policy == xpv2.UpdateManual && cur != nil && cur.Name != "" {
		for i := range l.Items {
			if l.Items[i].Name == cur.Name {
				return &l.Items[i], false, nil
			}
		}
		return nil, false, errors.Errorf("CompositionRevision %q named by spec.compositionRevisionRef does not exist for Composition %q", cur.Name, compName)
	}
	if cur != nil && cur.Name == newest.Name {
		return newest, false, nil
	}
	xr.SetCompositionRevisionReference(&corev1.LocalObjectReference{Name: newest.Name})
	return newest, true, nil
}
