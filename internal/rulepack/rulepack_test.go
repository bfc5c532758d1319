package rulepack

import (
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/detect"
)

// TestPackLoads asserts that every built-in rule parses, links and compiles
// without errors or warnings.
func TestPackLoads(t *testing.T) {
	rules, probs, err := detect.Parse(Source())
	if err != nil {
		t.Fatal(err)
	}
	p := detect.Build(rules, probs, detect.Options{})
	for _, pr := range p.Problems {
		t.Errorf("%s", pr)
	}
}

// TestRules runs every rule's unit tests (the same runner as
// `idsentry rules test`).
func TestRules(t *testing.T) {
	results, err := RunTests(Source(), TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		t.Run(strings.TrimPrefix(r.File, "builtin:rules/")+"/"+r.Name, func(t *testing.T) {
			for _, f := range r.Failed {
				t.Errorf("%s:%d: %s", r.File, r.Line, f)
			}
		})
	}
}
