package rulepack

import (
	"flag"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/detect"
	"go.yaml.in/yaml/v3"
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

var update = flag.Bool("update", false, "rewrite docs/rules.md from the pack")

// TestRulesDoc fails when docs/rules.md drifts from the pack.
func TestRulesDoc(t *testing.T) {
	rules, probs, err := detect.Parse(Source())
	if err != nil {
		t.Fatal(err)
	}
	got := Markdown(detect.Build(rules, probs, detect.Options{}))
	const path = "../../docs/rules.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("docs/rules.md is out of date: run go test ./internal/rulepack -run TestRulesDoc -update")
	}
}

// TestEveryRuleHasTests: every rule file of the pack has a tests file with
// at least one case that expects an alert and one that expects none.
func TestEveryRuleHasTests(t *testing.T) {
	src := Source()
	files, err := src.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		tp := strings.TrimSuffix(f, ".yml") + ".tests.yml"
		data, err := fs.ReadFile(src.FS, tp)
		if err != nil {
			t.Errorf("%s: no tests file %s", f, tp)
			continue
		}
		var tf TestFile
		if err := yaml.Unmarshal(data, &tf); err != nil {
			t.Errorf("%s: %v", tp, err)
			continue
		}
		pos, neg := 0, 0
		for _, c := range tf.Tests {
			if len(c.Alerts) > 0 {
				pos++
			} else {
				neg++
			}
		}
		if pos == 0 || neg == 0 {
			t.Errorf("%s: %d positive and %d negative cases; want at least one of each", tp, pos, neg)
		}
	}
}
