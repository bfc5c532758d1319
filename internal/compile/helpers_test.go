package compile

import (
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
	"github.com/valyala/fastjson"
)

// ruleYAML wraps a detection body (indented by the caller's convention:
// lines of the detection map, unindented) into a CloudTrail rule.
func ruleYAML(title, detection string) string {
	var b strings.Builder
	b.WriteString("title: " + title + "\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n")
	for _, l := range strings.Split(strings.TrimRight(detection, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// parseRules parses YAML rule text, failing the test on parse errors.
func parseRules(t testing.TB, file, src string) []*sigma.Rule {
	t.Helper()
	rules, errs := sigma.Parse(file, []byte(src))
	for _, e := range errs {
		if !e.Warning {
			t.Fatalf("parse %s: %v\n%s", file, e, src)
		}
	}
	return rules
}

// compileYAML parses and compiles rule text.
func compileYAML(t testing.TB, src string, opts Options) (*Set, []*Problem) {
	t.Helper()
	return Compile(parseRules(t, "test.yml", src), opts)
}

// mustCompile compiles rule text and fails on any error problem.
func mustCompile(t testing.TB, src string, opts Options) *Set {
	t.Helper()
	set, probs := compileYAML(t, src, opts)
	for _, p := range probs {
		if !p.Warning {
			t.Fatalf("compile: %v\n%s", p, src)
		}
	}
	return set
}

// testEvent builds an event of kind k from JSON text.
func testEvent(t testing.TB, k event.Kind, doc string) *event.Event {
	t.Helper()
	v, err := fastjson.Parse(doc)
	if err != nil {
		t.Fatalf("event %s: %v", doc, err)
	}
	return &event.Event{Kind: k, Doc: v, Raw: []byte(doc), Origin: event.Origin{File: "test.jsonl", Line: 1}}
}

// matchTitles returns the titles of the rules matching the event.
func matchTitles(m *Matcher, ev *event.Event) []string {
	var out []string
	m.Match(ev, func(r *Rule, _ []FieldValue) { out = append(out, r.Title) })
	return out
}
