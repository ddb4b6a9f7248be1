package pt

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// Condition types and statuses readiness reads.
const (
	conditionTypeReady = "Ready"
	conditionTrue      = "True"
)

// IsReady returns whether an observed composed resource passes all its
// readiness checks. Without checks it is ready when its Ready condition is
// True. A field a check reads that does not exist yet fails the check; a
// field of the wrong type is an error.
func IsReady(observed map[string]any, checks []v1beta1.ReadinessCheck) (bool, error) {
	if len(checks) == 0 {
		return conditionStatus(observed, conditionTypeReady) == conditionTrue, nil
	}
	for i, c := range checks {
		ok, err := runReadinessCheck(observed, c)
		if err != nil {
			return false, errors.Wrapf(err, "readiness check %d (%s)", i, describeReadinessCheck(c))
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func describeReadinessCheck(c v1beta1.ReadinessCheck) string {
	if c.FieldPath != nil && *c.FieldPath != "" {
		return string(c.Type) + " " + *c.FieldPath
	}
	return string(c.Type)
}

// ValidateReadinessCheck returns an error if a readiness check is incomplete
// or of an unknown type.
func ValidateReadinessCheck(c v1beta1.ReadinessCheck) error {
	switch c.Type {
	case v1beta1.ReadinessCheckTypeNone:
		return nil
	case v1beta1.ReadinessCheckTypeMatchCondition:
		if c.MatchCondition == nil {
			return errors.New("matchCondition is required")
		}
		return nil
	case v1beta1.ReadinessCheckTypeMatchString:
		if c.MatchString == nil {
			return errors.New("matchString is required")
		}
	case v1beta1.ReadinessCheckTypeMatchInteger:
		if c.MatchInteger == nil {
			return errors.New("matchInteger is required")
		}
	case v1beta1.ReadinessCheckTypeNonEmpty, v1beta1.ReadinessCheckTypeMatchTrue, v1beta1.ReadinessCheckTypeMatchFalse:
	case "":
		return errors.New("type is required")
	default:
		return errors.Errorf("unknown readiness check type %q (want MatchString, MatchInteger, NonEmpty, MatchCondition, MatchTrue, MatchFalse or None)", c.Type)
	}
	if c.FieldPath == nil || *c.FieldPath == "" {
		return errors.New("fieldPath is required")
	}
	return validatePath("fieldPath", *c.FieldPath)
}

func runReadinessCheck(o map[string]any, c v1beta1.ReadinessCheck) (bool, error) { //nolint:gocyclo // One flat switch over the check types reads best.
	if err := ValidateReadinessCheck(c); err != nil {
		return false, err
	}
	switch c.Type {
	case v1beta1.ReadinessCheckTypeNone:
		return true, nil
	case v1beta1.ReadinessCheckTypeMatchCondition:
		want := c.MatchCondition.Type
		if want == "" {
			want = conditionTypeReady
		}
		status := string(c.MatchCondition.Status)
		if status == "" {
			status = conditionTrue
		}
		return conditionStatus(o, string(want)) == status, nil
	}

	p := fieldpath.Pave(o)
	path := *c.FieldPath
	v, err := p.GetValue(path)
	if fieldpath.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, errors.Wrapf(err, "cannot read %s", path)
	}
	switch c.Type {
	case v1beta1.ReadinessCheckTypeNonEmpty:
		return true, nil
	case v1beta1.ReadinessCheckTypeMatchString:
		s, ok := v.(string)
		if !ok {
			return false, errors.Errorf("%s must be a string, got %s", path, describe(v))
		}
		return s == *c.MatchString, nil
	case v1beta1.ReadinessCheckTypeMatchInteger:
		n, ok := asNumber(v)
		if !ok || (n.isFloat && n.f != float64(int64(n.f))) {
			return false, errors.Errorf("%s must be an integer, got %s", path, describe(v))
		}
		if n.isFloat {
			return n.f == float64(*c.MatchInteger), nil
		}
		return n.i == *c.MatchInteger, nil
	case v1beta1.ReadinessCheckTypeMatchTrue, v1beta1.ReadinessCheckTypeMatchFalse:
		b, ok := v.(bool)
		if !ok {
			return false, errors.Errorf("%s must be a boolean, got %s", path, describe(v))
		}
		return b == (c.Type == v1beta1.ReadinessCheckTypeMatchTrue), nil
	}
	return false, errors.Errorf("unknown readiness check type %q", c.Type)
}

// conditionStatus returns the status of an object's condition of a type, or
// Unknown when it has none.
func conditionStatus(o map[string]any, conditionType string) string {
	status, _ := o["status"].(map[string]any)
	conditions, _ := status["conditions"].([]any)
	for _, c := range conditions {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != conditionType {
			continue
		}
		if s, ok := m["status"].(string); ok {
			return s
		}
	}
	return "Unknown"
}
