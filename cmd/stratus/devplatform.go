package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// xrdReadyTimeout bounds how long an XRD may take to be established and
// offered once applied.
const xrdReadyTimeout = time.Minute

// xrdPoll is how often installPlatform checks an XRD's conditions.
const xrdPoll = 250 * time.Millisecond

const (
	kindXRD         = "CompositeResourceDefinition"
	kindComposition = "Composition"
)

// xrdGVK is the kind of the XRDs installPlatform waits for.
var xrdGVK = schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v1", Kind: kindXRD}

// A manifest is one YAML document of an embedded directory.
type manifest struct {
	// Source is the file and document index, for error messages.
	Source string
	Object map[string]any
}

func (m manifest) kind() string {
	k, _ := m.Object["kind"].(string)
	return k
}

func (m manifest) name() string {
	n, _, _ := unstructured.NestedString(m.Object, "metadata", "name")
	return n
}

// loadManifests reads every YAML document of the .yaml and .yml files in
// fsys, in path order. A document without apiVersion, kind or name is an
// error that names its file.
func loadManifests(fsys fs.FS) ([]manifest, error) {
	var out []manifest
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := path.Ext(p); d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return errors.Wrapf(err, "cannot read %s", p)
		}
		ms, err := parseManifests(p, b)
		if err != nil {
			return err
		}
		out = append(out, ms...)
		return nil
	})
	return out, errors.Wrap(err, "cannot load manifests")
}

// parseManifests decodes the documents of one multi-document YAML file.
func parseManifests(file string, b []byte) ([]manifest, error) {
	var out []manifest
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read YAML document %d of %s", i, file)
		}
		obj := map[string]any{}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, errors.Wrapf(err, "cannot decode YAML document %d of %s", i, file)
		}
		if len(obj) == 0 {
			continue // Only comments.
		}
		m := manifest{Source: file + "#" + strconv.Itoa(i), Object: obj}
		if av, _ := obj["apiVersion"].(string); av == "" || m.kind() == "" || m.name() == "" {
			return nil, errors.Errorf("YAML document %d of %s needs apiVersion, kind and metadata.name", i, file)
		}
		out = append(out, m)
	}
}

// A platformPlan is the platform's manifests in the order they are applied:
// the XRDs, which must be offered before anything uses their kinds, then the
// Compositions, then anything else.
type platformPlan struct {
	XRDs         []manifest
	Compositions []manifest
	Others       []manifest
}

func planPlatform(ms []manifest) platformPlan {
	var p platformPlan
	for _, m := range ms {
		switch m.kind() {
		case kindXRD:
			p.XRDs = append(p.XRDs, m)
		case kindComposition:
			p.Compositions = append(p.Compositions, m)
		default:
			p.Others = append(p.Others, m)
		}
	}
	return p
}

// summary is how the install announces the plan: "2 XRDs, 6 Compositions".
func (p platformPlan) summary() string {
	s := plural(len(p.XRDs), "XRD", "XRDs") + ", " + plural(len(p.Compositions), "Composition", "Compositions")
	if len(p.Others) > 0 {
		s += ", " + plural(len(p.Others), "other object", "other objects")
	}
	return s
}

// installPlatform applies the platform in fsys with server-side apply: its
// XRDs, then, once every XRD is established and offered by the core, its
// Compositions and anything else.
func installPlatform(ctx context.Context, kube client.Client, fsys fs.FS, say func(string, ...any)) error {
	ms, err := loadManifests(fsys)
	if err != nil {
		return errors.Wrap(err, "cannot load the platform")
	}
	p := planPlatform(ms)
	say("==> Installing the platform (%s)", p.summary())
	for _, m := range p.XRDs {
		if err := apply(ctx, kube, m.Object); err != nil {
			return err
		}
	}
	for _, m := range p.XRDs {
		offers, err := waitXRD(ctx, kube, m, xrdReadyTimeout)
		if err != nil {
			return err
		}
		say("    %s established%s", m.name(), offers)
	}
	rest := append(append([]manifest{}, p.Compositions...), p.Others...)
	names := make([]string, 0, len(rest))
	for _, m := range rest {
		if err := apply(ctx, kube, m.Object); err != nil {
			return err
		}
		names = append(names, m.name())
	}
	if len(p.Compositions) > 0 {
		say("    %s applied: %s", plural(len(p.Compositions), "Composition", "Compositions"), strings.Join(names[:len(p.Compositions)], ", "))
	}
	return nil
}

// waitXRD waits until the XRD of m is Established and, when it has claim
// names, Offered. It returns how to describe what it offers.
func waitXRD(ctx context.Context, kube client.Client, m manifest, timeout time.Duration) (string, error) {
	claim, _, _ := unstructured.NestedString(m.Object, "spec", "claimNames", "kind")
	want := []string{"Established"}
	if claim != "" {
		want = append(want, "Offered")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var missing, why string
	for {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(xrdGVK)
		err := kube.Get(ctx, types.NamespacedName{Name: m.name()}, u)
		if err == nil {
			missing, why = xrdNotReady(u, want)
			if missing == "" {
				if claim != "" {
					return ", offers " + claim, nil
				}
				return "", nil
			}
		} else {
			missing, why = want[0], err.Error()
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return "", ctx.Err()
			}
			return "", errors.Errorf("XRD %s is not %s after %s: %s", m.name(), missing, timeout, why)
		case <-time.After(xrdPoll):
		}
	}
}

// xrdNotReady returns the first of the want conditions that is not True on
// the XRD u, with its message, or "" when all are True.
func xrdNotReady(u *unstructured.Unstructured, want []string) (string, string) {
	conds := conditionsOf(u)
	for _, t := range want {
		c, ok := conds[t]
		switch {
		case !ok:
			return t, "no " + t + " condition yet (is the core running?)"
		case c.Status != "True":
			return t, conditionText(c)
		}
	}
	return "", ""
}

// plural is "1 XRD" or "2 XRDs".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
