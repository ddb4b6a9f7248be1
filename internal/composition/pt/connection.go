package pt

import (
	"encoding/json"
	"strconv"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"

	"github.com/stratus-dev/stratus/apis/fn/pt/v1beta1"
)

// ExtractConnectionDetails returns the connection details an observed
// composed resource contributes to its composite resource. observed is the
// composed resource and details its own connection details. A connection
// secret key or field that does not exist yet is left out, not an error: it
// may appear later.
func ExtractConnectionDetails(observed map[string]any, details map[string][]byte, cfgs []v1beta1.ConnectionDetail) (map[string][]byte, error) {
	out := map[string][]byte{}
	for i, cfg := range cfgs {
		name, v, ok, err := extractConnectionDetail(observed, details, cfg)
		if err != nil {
			return nil, errors.Wrapf(err, "connection detail %d (%s)", i, describeConnectionDetail(cfg))
		}
		if ok {
			out[name] = v
		}
	}
	return out, nil
}

// connectionDetailType returns the type of a connection detail, inferred from
// its fields when not set, as Crossplane's classic Compositions allow.
func connectionDetailType(cfg v1beta1.ConnectionDetail) v1beta1.ConnectionDetailType {
	switch {
	case cfg.Type != "":
		return cfg.Type
	case cfg.Value != nil:
		return v1beta1.ConnectionDetailTypeFromValue
	case cfg.FromConnectionSecretKey != nil:
		return v1beta1.ConnectionDetailTypeFromConnectionSecretKey
	case cfg.FromFieldPath != nil:
		return v1beta1.ConnectionDetailTypeFromFieldPath
	}
	return ""
}

func describeConnectionDetail(cfg v1beta1.ConnectionDetail) string {
	t := string(connectionDetailType(cfg))
	switch {
	case cfg.Name == "" && t == "":
		return "no type"
	case cfg.Name == "":
		return t
	case t == "":
		return strconv.Quote(cfg.Name)
	}
	return t + " " + strconv.Quote(cfg.Name)
}

func extractConnectionDetail(observed map[string]any, details map[string][]byte, cfg v1beta1.ConnectionDetail) (string, []byte, bool, error) {
	switch connectionDetailType(cfg) {
	case v1beta1.ConnectionDetailTypeFromValue:
		if cfg.Name == "" {
			return "", nil, false, errors.New("name is required")
		}
		if cfg.Value == nil {
			return "", nil, false, errors.New("value is required")
		}
		return cfg.Name, []byte(*cfg.Value), true, nil
	case v1beta1.ConnectionDetailTypeFromConnectionSecretKey:
		if cfg.FromConnectionSecretKey == nil || *cfg.FromConnectionSecretKey == "" {
			return "", nil, false, errors.New("fromConnectionSecretKey is required")
		}
		name := cfg.Name
		if name == "" {
			name = *cfg.FromConnectionSecretKey
		}
		v, ok := details[*cfg.FromConnectionSecretKey]
		return name, v, ok, nil
	case v1beta1.ConnectionDetailTypeFromFieldPath:
		v, ok, err := extractFromFieldPath(observed, cfg)
		return cfg.Name, v, ok, err
	case "":
		return "", nil, false, errors.New("type is required (one of FromConnectionSecretKey, FromFieldPath, FromValue)")
	}
	return "", nil, false, errors.Errorf("unknown connection detail type %q (want FromConnectionSecretKey, FromFieldPath or FromValue)", cfg.Type)
}

// extractFromFieldPath reads a FromFieldPath connection detail: a string as
// it is, any other value as JSON.
func extractFromFieldPath(observed map[string]any, cfg v1beta1.ConnectionDetail) ([]byte, bool, error) {
	if cfg.Name == "" {
		return nil, false, errors.New("name is required")
	}
	if cfg.FromFieldPath == nil || *cfg.FromFieldPath == "" {
		return nil, false, errors.New("fromFieldPath is required")
	}
	if err := validatePath("fromFieldPath", *cfg.FromFieldPath); err != nil {
		return nil, false, err
	}
	v, err := fieldpath.Pave(observed).GetValue(*cfg.FromFieldPath)
	if err != nil {
		// Missing or not yet the right shape; it may be later.
		return nil, false, nil //nolint:nilerr // A field that is not there yet is no error; see above.
	}
	if s, ok := v.(string); ok {
		return []byte(s), true, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false, errors.Wrapf(err, "cannot encode %s as JSON", *cfg.FromFieldPath)
	}
	return b, true, nil
}
