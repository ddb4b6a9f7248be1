// Package platform holds the demo claims of the portable platform: a
// PostgreSQLInstance and a ComputeInstance per cloud, in the namespace demo.
// stratus dev --demo applies them from here.
package platform

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// Claims holds the demo claims, one YAML file per cloud.
var Claims fs.FS = files
