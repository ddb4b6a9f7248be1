// Package crds installs CustomResourceDefinitions from a directory of YAML
// files and waits until the API server serves them.
package crds

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// FieldOwner is the server-side apply field manager used for installed CRDs.
const FieldOwner = "stratus"

// establishPoll is how often Install checks whether a CRD is served.
const establishPoll = 100 * time.Millisecond

// Load reads every CustomResourceDefinition in the .yaml and .yml files of
// dir, in file name order.
func Load(dir string) ([]*extv1.CustomResourceDefinition, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read CRD directory %s", dir)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)

	var out []*extv1.CustomResourceDefinition
	for _, n := range names {
		path := filepath.Join(dir, n)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read %s", path)
		}
		docs, err := Parse(b)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot parse %s", path)
		}
		out = append(out, docs...)
	}
	return out, nil
}

// Parse decodes the CustomResourceDefinitions in a multi-document YAML
// stream. A document that is not a CRD is an error.
func Parse(b []byte) ([]*extv1.CustomResourceDefinition, error) {
	var out []*extv1.CustomResourceDefinition
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read YAML document %d", i)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		crd := &extv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(doc, crd); err != nil {
			return nil, errors.Wrapf(err, "cannot decode YAML document %d as a CustomResourceDefinition", i)
		}
		if crd.Kind != "CustomResourceDefinition" || crd.Name == "" {
			return nil, errors.Errorf("YAML document %d is a %q named %q, not a named CustomResourceDefinition", i, crd.Kind, crd.Name)
		}
		out = append(out, crd)
	}
}

// Install applies every CRD in dir and waits until each is established, so
// that objects of its kinds can be created as soon as it returns.
func Install(ctx context.Context, c client.Client, dir string) ([]*extv1.CustomResourceDefinition, error) {
	list, err := Load(dir)
	if err != nil {
		return nil, err
	}
	for _, crd := range list {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(crd)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert CustomResourceDefinition %s", crd.Name)
		}
		// Status and bookkeeping are the API server's to set.
		delete(u, "status")
		unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
		ac := client.ApplyConfigurationFromUnstructured(&unstructured.Unstructured{Object: u})
		if err := c.Apply(ctx, ac, client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
			return nil, errors.Wrapf(err, "cannot apply CustomResourceDefinition %s", crd.Name)
		}
	}
	for _, crd := range list {
		if err := waitEstablished(ctx, c, crd.Name); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func waitEstablished(ctx context.Context, c client.Client, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, establishPoll, time.Minute, true, func(ctx context.Context) (bool, error) {
		crd := &extv1.CustomResourceDefinition{}
		if err := c.Get(ctx, types.NamespacedName{Name: name}, crd); err != nil {
			last = err.Error()
			return false, nil //nolint:nilerr // A failed read is retried until the timeout, which reports it.
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == extv1.NamesAccepted && cond.Status == extv1.ConditionFalse {
				return false, errors.Errorf("CustomResourceDefinition %s names were not accepted: %s", name, cond.Message)
			}
			if cond.Type == extv1.Established {
				last = string(cond.Status) + ": " + cond.Message
				if cond.Status == extv1.ConditionTrue {
					return true, nil
				}
			}
		}
		return false, nil
	})
	return errors.Wrapf(err, "CustomResourceDefinition %s was not established (last seen: %s)", name, strings.TrimSpace(last))
}
