package claim

import (
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/claim"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

var (
	claimGVK = schema.GroupVersionKind{Group: "example.org", Version: "v1alpha1", Kind: "Database"}
	xrGVK    = schema.GroupVersionKind{Group: "example.org", Version: "v1alpha1", Kind: "XDatabase"}
)

// newClaim returns claim team-a/db with the given spec.
func newClaim(spec map[string]any) *claim.Unstructured {
	cm := claim.New(claim.WithGroupVersionKind(claimGVK))
	cm.SetNamespace("team-a")
	cm.SetName("db")
	if spec != nil {
		cm.Object["spec"] = spec
	}
	return cm
}

func newXR(obj map[string]any) *composite.Unstructured {
	xr := composite.New(composite.WithGroupVersionKind(xrGVK), composite.WithSchema(composite.SchemaLegacy))
	maps.Copy(xr.Object, obj)
	return xr
}

func TestConfigure(t *testing.T) {
	claimRef := map[string]any{"apiVersion": "example.org/v1alpha1", "kind": "Database", "namespace": "team-a", "name": "db"}
	resourceRef := map[string]any{"apiVersion": "example.org/v1alpha1", "kind": "XDatabase", "name": "db-x7k2p"}

	type args struct {
		claim *claim.Unstructured
		xr    *composite.Unstructured
	}
	type want struct {
		xr map[string]any
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NewXR": {
			reason: "A new XR is named by the claim's resourceRef and gets the claim's spec, less the claim's own fields, a claimRef, the claim labels and a connection Secret in the claim's namespace.",
			args: args{
				claim: newClaim(map[string]any{
					"parameters":                 map[string]any{"size": "small"},
					"compositionRef":             map[string]any{"name": "aws"},
					"compositeDeletePolicy":      "Foreground",
					"resourceRef":                resourceRef,
					"writeConnectionSecretToRef": map[string]any{"name": "db-conn"},
				}),
				xr: newXR(nil),
			},
			want: want{xr: map[string]any{
				"apiVersion": "example.org/v1alpha1",
				"kind":       "XDatabase",
				"metadata": map[string]any{
					"name":   "db-x7k2p",
					"labels": map[string]any{labelClaimName: "db", labelClaimNamespace: "team-a"},
				},
				"spec": map[string]any{
					"parameters":                 map[string]any{"size": "small"},
					"compositionRef":             map[string]any{"name": "aws"},
					"claimRef":                   claimRef,
					"writeConnectionSecretToRef": map[string]any{"namespace": "team-a", "name": "db-conn"},
				},
			}},
		},
		"ExistingXR": {
			reason: "An existing XR keeps its own spec fields and labels; the claim's fields overwrite the XR's.",
			args: args{
				claim: newClaim(map[string]any{
					"parameters":  map[string]any{"size": "large"},
					"resourceRef": resourceRef,
				}),
				xr: newXR(map[string]any{
					"metadata": map[string]any{
						"name":   "db-x7k2p",
						"labels": map[string]any{"team": "a"},
					},
					"spec": map[string]any{
						"parameters":             map[string]any{"size": "small"},
						"compositionRef":         map[string]any{"name": "aws"},
						"compositionRevisionRef": map[string]any{"name": "aws-abc1234"},
						"resourceRefs":           []any{map[string]any{"apiVersion": "v1", "kind": "Secret", "name": "s"}},
					},
				}),
			},
			want: want{xr: map[string]any{
				"apiVersion": "example.org/v1alpha1",
				"kind":       "XDatabase",
				"metadata": map[string]any{
					"name":   "db-x7k2p",
					"labels": map[string]any{"team": "a", labelClaimName: "db", labelClaimNamespace: "team-a"},
				},
				"spec": map[string]any{
					"parameters":             map[string]any{"size": "large"},
					"compositionRef":         map[string]any{"name": "aws"},
					"compositionRevisionRef": map[string]any{"name": "aws-abc1234"},
					"resourceRefs":           []any{map[string]any{"apiVersion": "v1", "kind": "Secret", "name": "s"}},
					"claimRef":               claimRef,
				},
			}},
		},
		"SecretNamespaceFromClaim": {
			reason: "The connection Secret is always in the claim's namespace, whatever namespace the claim's spec names.",
			args: args{
				claim: newClaim(map[string]any{
					"resourceRef":                resourceRef,
					"writeConnectionSecretToRef": map[string]any{"name": "db-conn", "namespace": "elsewhere"},
				}),
				xr: newXR(nil),
			},
			want: want{xr: map[string]any{
				"apiVersion": "example.org/v1alpha1",
				"kind":       "XDatabase",
				"metadata": map[string]any{
					"name":   "db-x7k2p",
					"labels": map[string]any{labelClaimName: "db", labelClaimNamespace: "team-a"},
				},
				"spec": map[string]any{
					"claimRef":                   claimRef,
					"writeConnectionSecretToRef": map[string]any{"namespace": "team-a", "name": "db-conn"},
				},
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := NewReconciler(nil, claimGVK, xrGVK)
			r.configure(tc.args.claim, tc.args.xr)
			if diff := cmp.Diff(tc.want.xr, tc.args.xr.Object); diff != "" {
				t.Errorf("%s\nconfigure(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// conditions returns the conditions of a claim, which has no getter for
// them all.
func conditions(t *testing.T, cm *claim.Unstructured) []xpv2.Condition {
	t.Helper()
	cs := xpv2.ConditionedStatus{}
	if err := fieldpath.Pave(cm.Object).GetValueInto("status", &cs); err != nil && !fieldpath.IsNotFound(err) {
		t.Fatalf("GetValueInto(status): %v", err)
	}
	return cs.Conditions
}

// propagateArgs are what propagateStatus is given.
type propagateArgs struct {
	xr    *composite.Unstructured
	claim *claim.Unstructured
}

// propagateWant is the claim after propagateStatus: its status fields, less
// conditions, and its conditions.
type propagateWant struct {
	status     map[string]any
	conditions []xpv2.Condition
}

func runPropagateStatus(t *testing.T, cases map[string]struct {
	reason string
	args   propagateArgs
	want   propagateWant
},
) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			propagateStatus(tc.args.xr, tc.args.claim)
			status, _ := tc.args.claim.Object["status"].(map[string]any)
			got := map[string]any{}
			for k, v := range status {
				if k != "conditions" {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tc.want.status, got); diff != "" {
				t.Errorf("%s\npropagateStatus(...): -want status, +got status:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.conditions, conditions(t, tc.args.claim),
				cmpopts.EquateEmpty(),
				cmpopts.SortSlices(func(a, b xpv2.Condition) bool { return a.Type < b.Type }),
				cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime"),
			); diff != "" {
				t.Errorf("%s\npropagateStatus(...): -want conditions, +got conditions:\n%s", tc.reason, diff)
			}
		})
	}
}

// propagateFixtures are the conditions and resources propagateStatus cases
// are built from.
type propagateFixtures struct {
	ready, xrSynced, xrFailing, claimSynced, dbReady, internal xpv2.Condition
	compositeFailing, compositeOK                              xpv2.Condition
	xrWith                                                     func(status map[string]any, conds ...xpv2.Condition) *composite.Unstructured
	claimWith                                                  func(status map[string]any, conds ...xpv2.Condition) *claim.Unstructured
}

func fixtures() propagateFixtures {
	at := metav1.NewTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	f := propagateFixtures{
		ready:       xpv2.Available(),
		xrSynced:    xpv2.ReconcileSuccess(),
		xrFailing:   xpv2.Condition{Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: "ComposeResourcesError", Message: "Cannot apply composed resource db: boom", LastTransitionTime: at},
		claimSynced: xpv2.ReconcileError(errors.New("cannot bind")),
		dbReady:     xpv2.Condition{Type: "DatabaseReady", Status: corev1.ConditionTrue, Reason: "Up", LastTransitionTime: at},
		internal:    xpv2.Condition{Type: "Internal", Status: corev1.ConditionFalse, Reason: "Down", LastTransitionTime: at},
		compositeFailing: xpv2.Condition{
			Type: TypeCompositeSynced, Status: corev1.ConditionFalse, Reason: "ComposeResourcesError",
			Message: "XDatabase db-x7k2p: Cannot apply composed resource db: boom", LastTransitionTime: at,
		},
		compositeOK: xpv2.Condition{Type: TypeCompositeSynced, Status: corev1.ConditionTrue, Reason: xpv2.ReasonReconcileSuccess},
	}
	f.ready.LastTransitionTime = at
	f.xrSynced.LastTransitionTime = at
	f.claimSynced.LastTransitionTime = at
	f.xrWith = func(status map[string]any, conds ...xpv2.Condition) *composite.Unstructured {
		xr := newXR(map[string]any{"metadata": map[string]any{"name": "db-x7k2p"}})
		if status != nil {
			xr.Object["status"] = status
		}
		if len(conds) > 0 {
			xr.SetConditions(conds...)
		}
		return xr
	}
	f.claimWith = func(status map[string]any, conds ...xpv2.Condition) *claim.Unstructured {
		cm := newClaim(nil)
		if status != nil {
			cm.Object["status"] = status
		}
		if len(conds) > 0 {
			cm.SetConditions(conds...)
		}
		return cm
	}
	return f
}

func TestPropagateStatus(t *testing.T) {
	f := fixtures()
	withClaimTypes := func(xr *composite.Unstructured, ct ...xpv2.ConditionType) *composite.Unstructured {
		if err := xr.SetClaimConditionTypes(ct...); err != nil {
			t.Fatalf("SetClaimConditionTypes(...): %v", err)
		}
		return xr
	}

	cases := map[string]struct {
		reason string
		args   propagateArgs
		want   propagateWant
	}{
		"FieldsReadyAndFailure": {
			reason: "The XR's own status fields, its Ready condition and its failure to sync (as CompositeSynced, naming the XR) reach the claim; " +
				"its machinery and the claim's own Synced condition do not change.",
			args: propagateArgs{
				xr: f.xrWith(map[string]any{
					"address":             "db.example.org",
					"port":                int64(5432),
					"claimConditionTypes": []any{},
					"connectionDetails":   map[string]any{"lastPublishedTime": "2024-01-01T00:00:00Z"},
					"observedGeneration":  int64(4),
					"crossplane":          map[string]any{"x": "y"},
				}, f.ready, f.xrFailing),
				claim: f.claimWith(map[string]any{"kept": "yes", "address": "old"}, f.claimSynced),
			},
			want: propagateWant{
				status:     map[string]any{"kept": "yes", "address": "db.example.org", "port": int64(5432)},
				conditions: []xpv2.Condition{f.claimSynced, f.ready, f.compositeFailing},
			},
		},
		"NeverFailed": {
			reason: "A claim whose XR never failed to sync shows no CompositeSynced condition.",
			args: propagateArgs{
				xr:    f.xrWith(nil, f.ready, f.xrSynced),
				claim: f.claimWith(nil),
			},
			want: propagateWant{
				status:     map[string]any{},
				conditions: []xpv2.Condition{f.ready},
			},
		},
		"CompositeRecovers": {
			reason: "A claim that showed its XR failing shows it synced once it is.",
			args: propagateArgs{
				xr:    f.xrWith(nil, f.ready, f.xrSynced),
				claim: f.claimWith(nil, f.compositeFailing),
			},
			want: propagateWant{
				status:     map[string]any{},
				conditions: []xpv2.Condition{f.ready, f.compositeOK},
			},
		},
		"NoXRStatus": {
			reason: "An XR without status makes the claim wait for it to report readiness.",
			args: propagateArgs{
				xr:    f.xrWith(nil),
				claim: f.claimWith(nil, f.compositeFailing),
			},
			want: propagateWant{
				status:     map[string]any{},
				conditions: []xpv2.Condition{xpv2.Creating().WithMessage("Waiting for the composite resource to report readiness."), f.compositeOK},
			},
		},
		"ClaimConditionTypes": {
			reason: "Conditions the XR's functions aimed at the claim are copied; others are not.",
			args: propagateArgs{
				xr:    withClaimTypes(f.xrWith(nil, f.ready, f.xrFailing, f.dbReady, f.internal), "DatabaseReady"),
				claim: f.claimWith(nil),
			},
			want: propagateWant{
				status:     map[string]any{},
				conditions: []xpv2.Condition{f.ready, f.dbReady, f.compositeFailing},
			},
		},
		"ClaimConditionTypeMissing": {
			reason: "A claim condition type the XR does not have (yet) is not copied: a condition without a transition time is invalid.",
			args: propagateArgs{
				xr:    withClaimTypes(f.xrWith(nil, f.ready, f.xrFailing), "DatabaseReady"),
				claim: f.claimWith(nil),
			},
			want: propagateWant{
				status:     map[string]any{},
				conditions: []xpv2.Condition{f.ready, f.compositeFailing},
			},
		},
	}
	runPropagateStatus(t, cases)
}

func TestPropagateStatusReadyMissing(t *testing.T) {
	f := fixtures()
	cases := map[string]struct {
		reason string
		args   propagateArgs
		want   propagateWant
	}{
		"XRStatusWithoutReady": {
			reason: "An XR that has status but no Ready condition yet makes the claim wait for it to report readiness.",
			args: propagateArgs{
				xr:    f.xrWith(map[string]any{"address": "db.example.org"}, f.xrFailing),
				claim: f.claimWith(nil),
			},
			want: propagateWant{
				status:     map[string]any{"address": "db.example.org"},
				conditions: []xpv2.Condition{xpv2.Creating().WithMessage("Waiting for the composite resource to report readiness."), f.compositeFailing},
			},
		},
	}
	runPropagateStatus(t, cases)
}

func TestSyncedFrom(t *testing.T) {
	f := fixtures()
	cases := map[string]struct {
		reason string
		xr     *composite.Unstructured
		want   xpv2.Condition
	}{
		"XRFailing": {
			reason: "An XR that cannot be composed makes the claim Synced False with its reason and message, naming the XR.",
			xr:     f.xrWith(nil, f.xrFailing),
			want: xpv2.Condition{Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: "ComposeResourcesError",
				Message: "XDatabase db-x7k2p: Cannot apply composed resource db: boom", LastTransitionTime: f.xrFailing.LastTransitionTime},
		},
		"XRSynced": {
			reason: "An XR that composes fine leaves the claim Synced True.",
			xr:     f.xrWith(nil, f.xrSynced),
			want:   xpv2.ReconcileSuccess(),
		},
		"XRNew": {
			reason: "An XR with no conditions yet leaves the claim Synced True: binding worked.",
			xr:     f.xrWith(nil),
			want:   xpv2.ReconcileSuccess(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := syncedFrom(tc.xr)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime")); diff != "" {
				t.Errorf("\n%s\nsyncedFrom(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
