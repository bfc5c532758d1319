// Package rulepack holds idsentry's built-in detection pack, embedded in the
// binary (one Sigma YAML file per rule, each with a <rule>.tests.yml unit
// test beside it), and the runner of rule unit tests that
// `idsentry rules test` and the package's own tests use.
package rulepack

import (
	"embed"

	"github.com/idsentry/idsentry/internal/detect"
)

//go:embed all:rules
var files embed.FS

// Source returns the embedded pack as a rule source. File names in
// messages read "builtin:rules/<dir>/<file>.yml".
func Source() detect.Source {
	return detect.Source{Name: "builtin:", FS: files, Root: "rules"}
}
