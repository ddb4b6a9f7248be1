// Package platform holds the Stratus platform Configuration: the portable
// PostgreSQLInstance and ComputeInstance APIs (XRDs) and the Compositions
// that satisfy them on AWS, GCP and Azure. stratus dev --platform installs
// it from here.
package platform

import (
	"embed"
	"io/fs"
)

//go:embed definitions compositions
var files embed.FS

// FS holds the platform Configuration's XRDs (definitions/) and
// Compositions (compositions/), as YAML files.
var FS fs.FS = files
