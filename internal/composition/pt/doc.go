// Package pt is the patch-and-transform engine: it renders composed resources
// from resource templates (a base object, patches, transforms, connection
// details and readiness checks) against a composite resource, with the
// semantics of Crossplane's classic Resources-mode Composition and of
// function-patch-and-transform. Function wraps the engine as the built-in
// composition function function-patch-and-transform.
//
// The engine works on unstructured JSON objects (map[string]any) and never
// panics on bad input: every problem is an error that names the resource
// template, the patch and transform by index and type, and the field path.
package pt
