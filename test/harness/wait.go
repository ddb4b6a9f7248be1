package harness

import (
	"context"
	"fmt"
	"testing"
	"time"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// waitPoll is how often Wait reads the object again.
const waitPoll = 100 * time.Millisecond

// getTimeout bounds one read of the object being waited for.
const getTimeout = 10 * time.Second

// A Check reports whether an object is as a test wants it and, when it is
// not, what is missing, in words a failure message can show.
type Check func(obj client.Object) (ok bool, why string)

// Wait reads obj (by its name and namespace) until check passes or ctx ends.
// On timeout the error says what check last said and shows the object as it
// was last seen, so that a failing test explains itself.
func Wait(ctx context.Context, c client.Client, obj client.Object, check Check) error {
	key := client.ObjectKeyFromObject(obj)
	why := "not read yet"
	seen := false
	t := time.NewTicker(waitPoll)
	defer t.Stop()
	for {
		err := get(ctx, c, key, obj)
		switch {
		case kerrors.IsNotFound(err):
			why, seen = "it does not exist", false
		case err != nil:
			why = "cannot read it: " + err.Error()
		case err == nil:
			seen = true
			var ok bool
			if ok, why = check(obj); ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			msg := fmt.Sprintf("gave up waiting for %s: %s", describe(c.Scheme(), obj, key), why)
			if seen {
				msg += "\nlast seen:\n" + dump(c.Scheme(), obj)
			}
			return errors.New(msg)
		case <-t.C:
		}
	}
}

// WaitGone reads obj until it no longer exists or ctx ends.
func WaitGone(ctx context.Context, c client.Client, obj client.Object) error {
	key := client.ObjectKeyFromObject(obj)
	t := time.NewTicker(waitPoll)
	defer t.Stop()
	for {
		err := get(ctx, c, key, obj)
		if kerrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			msg := fmt.Sprintf("gave up waiting for %s to be deleted", describe(c.Scheme(), obj, key))
			if err == nil {
				msg += "\nlast seen:\n" + dump(c.Scheme(), obj)
			}
			return errors.New(msg)
		case <-t.C:
		}
	}
}

// get reads obj with a deadline of its own, so that a read that starts just
// before the wait's deadline does not fail for that reason and hide what the
// last successful read said.
func get(ctx context.Context, c client.Client, key client.ObjectKey, obj client.Object) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), getTimeout)
	defer cancel()
	return c.Get(ctx, key, obj)
}

// WaitFor waits up to timeout for check to pass on obj, failing the test
// with the object's last state when it does not.
func (e *Env) WaitFor(t testing.TB, obj client.Object, timeout time.Duration, check Check) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := Wait(ctx, e.Client, obj, check); err != nil {
		t.Fatal(err)
	}
}

// WaitForGone waits up to timeout for obj to be deleted, failing the test
// with the object's last state when it is not.
func (e *Env) WaitForGone(t testing.TB, obj client.Object, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := WaitGone(ctx, e.Client, obj); err != nil {
		t.Fatal(err)
	}
}

// HasCondition passes when the object's status has a condition of type ct
// with the given status (for example "Ready", "True").
func HasCondition(ct, status string) Check {
	return func(obj client.Object) (bool, string) {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return false, "cannot read its status: " + err.Error()
		}
		conds, _, _ := unstructured.NestedSlice(u, "status", "conditions")
		for _, c := range conds {
			m, ok := c.(map[string]any)
			if !ok || m["type"] != ct {
				continue
			}
			if m["status"] == status {
				return true, ""
			}
			return false, fmt.Sprintf("condition %s is %v, want %s (reason %v: %v)", ct, m["status"], status, m["reason"], m["message"])
		}
		return false, fmt.Sprintf("it has no %s condition yet", ct)
	}
}

func describe(s *runtime.Scheme, obj client.Object, key client.ObjectKey) string {
	kind := fmt.Sprintf("%T", obj)
	if gvk, err := apiutil.GVKForObject(obj, s); err == nil {
		kind = gvk.Kind
	}
	if key.Namespace == "" {
		return fmt.Sprintf("%s %s", kind, key.Name)
	}
	return fmt.Sprintf("%s %s/%s", kind, key.Namespace, key.Name)
}

// dump renders obj as YAML without its managed fields, which are noise in a
// failure message.
func dump(s *runtime.Scheme, obj client.Object) string {
	o, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return "(cannot copy object)"
	}
	o.SetManagedFields(nil)
	if gvk, err := apiutil.GVKForObject(o, s); err == nil {
		o.GetObjectKind().SetGroupVersionKind(gvk)
	}
	b, err := yaml.Marshal(o)
	if err != nil {
		return "(cannot render object: " + err.Error() + ")"
	}
	return string(b)
}
