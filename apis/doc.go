// Package apis holds the API groups the Stratus core serves. Each group lives
// in apis/<group>/<version>; the composition engine's apiextensions types are
// the first. Provider API groups live with their providers, under
// providers/<cloud>/apis.
package apis
