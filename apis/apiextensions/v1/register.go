package v1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Group and version of this API.
const (
	Group   = "apiextensions.crossplane.io"
	Version = "v1"
)

var (
	// SchemeGroupVersion is the group and version of this API.
	SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

	// SchemeBuilder registers this API's types with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: SchemeGroupVersion}

	// AddToScheme adds this API's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// Kinds of this API.
var (
	CompositeResourceDefinitionGroupVersionKind = SchemeGroupVersion.WithKind("CompositeResourceDefinition")
	CompositionGroupVersionKind                 = SchemeGroupVersion.WithKind("Composition")
	CompositionRevisionGroupVersionKind         = SchemeGroupVersion.WithKind("CompositionRevision")
)

func init() {
	SchemeBuilder.Register(&CompositeResourceDefinition{}, &CompositeResourceDefinitionList{})
	SchemeBuilder.Register(&Composition{}, &CompositionList{})
	SchemeBuilder.Register(&CompositionRevision{}, &CompositionRevisionList{})
}
