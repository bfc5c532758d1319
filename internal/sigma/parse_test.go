package sigma

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/*.good.yml")

// problem renders e without its file name, as fixtures write it.
func problem(e *Error) string {
	c := *e
	c.File = ""
	return c.Error()
}

// wants returns the "# want: line:col: message" lines of a fixture.
func wants(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if w, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "# want: "); ok {
			out = append(out, w)
		}
	}
	return out
}

// TestFixtures parses every testdata/*.yml file, links its documents, and
// compares the problems found with the file's "# want:" lines. A
// *.good.yml file may expect warnings only, and its AST is compared with
// the golden file beside it; a *.bad.yml file expects at least one error.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		good := strings.HasSuffix(file, ".good.yml")
		if !good && !strings.HasSuffix(file, ".bad.yml") {
			t.Errorf("%s: fixtures are named *.good.yml or *.bad.yml", file)
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rules, errs := Parse(file, data)
			errs = append(errs, Link(rules)...)
			SortErrors(errs)
			var got []string
			for _, e := range errs {
				if e.File != file {
					t.Errorf("error with file %q: %v", e.File, e)
				}
				got = append(got, problem(e))
			}
			want := wants(data)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("problems:\ngot:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			if good {
				if HasErrors(errs) {
					t.Errorf("a good fixture has errors")
				}
				golden := strings.TrimSuffix(file, ".yml") + ".golden"
				out := dump(rules)
				if *update {
					if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				exp, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if out != string(exp) {
					t.Errorf("AST differs from %s (go test -update rewrites it):\n%s", golden, diff(string(exp), out))
				}
			} else if !HasErrors(errs) {
				t.Errorf("a bad fixture has no error")
			}
		})
	}
}

// diff shows the first differing lines of two texts.
func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

// TestSpecSchemaTests parses the rules the specification ships for its
// JSON schemas: all are valid, and the correlations read as written.
func TestSpecSchemaTests(t *testing.T) {
	root := "../../../shared/data/sigma/specification/tests/schema"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("the Sigma specification is not beside the checkout (%v)", err)
	}
	type corr struct {
		typ, timespan, field string
		rules, groupBy       []string
		cond                 string
	}
	wantCorr := map[string]corr{
		"event_count.yml":      {"event_count", "1h0m0s", "", []string{"5638f7c0-ac70-491d-8465-2a65075e0d86"}, []string{"ComputerName"}, "gte 100"},
		"event_count_ecs.yml":  {"event_count", "1h0m0s", "", []string{"5638f7c0-ac70-491d-8465-2a65075e0d86"}, []string{"dns.question.name"}, "gte 100"},
		"value_count.yml":      {"value_count", "24h0m0s", "User", []string{"5638f7c0-ac70-491d-8465-2a65075e0d86"}, []string{"ComputerName", "WorkstationName"}, "gte 100"},
		"temporal.yml":         {"temporal", "5m0s", "", []string{"recon_cmd_a", "recon_cmd_b", "recon_cmd_c"}, []string{"ComputerName", "User"}, ""},
		"temporal_ordered.yml": {"temporal_ordered", "5m0s", "", []string{"recon_cmd_a", "recon_cmd_b", "recon_cmd_c"}, []string{"ComputerName", "User"}, ""},
		"value_sum.yml":        {"value_sum", "1h0m0s", "bytes_sent", []string{"website_access"}, []string{"SourceIP", "User"}, "gt 1e+06"},
		"value_avg.yml":        {"value_avg", "24h0m0s", "BytesOut", []string{"rule_a_id"}, []string{"SourceIP", "User"}, "gt 500"},
		"value_percentile.yml": {"value_percentile", "24h0m0s", "Image", []string{"process_creation"}, []string{"ComputerName"}, "lte 1"},
	}
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.yml"))
	if len(files) != 12 {
		t.Errorf("%d schema test files, want 12", len(files))
	}
	seen := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rules, errs := Parse(file, data)
		for _, e := range errs {
			if !e.Warning || !strings.Contains(e.Msg, "missing id") {
				t.Errorf("%v", e)
			}
		}
		if len(rules) != 1 {
			t.Fatalf("%s: %d documents", file, len(rules))
		}
		r := rules[0]
		if want := filepath.Base(filepath.Dir(file)); want == "rules" && r.Doc != DocDetection ||
			want == "filter" && r.Doc != DocFilter || want == "correlation" && r.Doc != DocCorrelation {
			t.Errorf("%s: document kind %s", file, r.Doc)
		}
		if r.Filter != nil && (len(r.Filter.Rules) != 2 || r.Filter.Search("selection") == nil || r.Filter.Condition == nil) {
			t.Errorf("%s: filter %+v", file, r.Filter)
		}
		c := r.Correlation
		if c == nil {
			continue
		}
		seen++
		w, ok := wantCorr[filepath.Base(file)]
		if !ok {
			t.Errorf("%s: no expectation", file)
			continue
		}
		var cond []string
		for _, cr := range c.Condition {
			cond = append(cond, fmt.Sprintf("%s %g", cr.Op, cr.Value))
		}
		got := corr{c.Type, c.Timespan.String(), c.Field, c.Rules, c.GroupBy, strings.Join(cond, " ")}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s:\ngot  %v\nwant %v", file, got, w)
		}
	}
	if seen != len(wantCorr) {
		t.Errorf("%d correlations, want %d", seen, len(wantCorr))
	}
}

// TestSpecExamples parses every YAML example of the specification that is
// a rule or a rule fragment (a document with detection, correlation or
// filter). Fragments get the title and logsource they leave out. All are
// valid but the one the specification marks invalid and a fragment showing
// only the rules of a correlation.
func TestSpecExamples(t *testing.T) {
	dir := "../../../shared/data/sigma/specification/specification"
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	if len(files) == 0 {
		t.Skipf("the Sigma specification is not beside the checkout")
	}
	n := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var all []*Rule
		for i, block := range yamlBlocks(string(data)) {
			if !hasTopKey(block, DocDetection) && !hasTopKey(block, DocCorrelation) && !hasTopKey(block, DocFilter) {
				continue
			}
			if !hasTopKey(block, "title") {
				block = "title: example\n" + block
			}
			if hasTopKey(block, DocDetection) && !hasTopKey(block, "logsource") {
				block = "logsource: {product: example}\n" + block
			}
			if hasTopKey(block, DocDetection) && !strings.Contains(block, "    condition:") {
				block += "    condition: 1 of them\n" // a fragment showing searches only
			}
			n++
			name := fmt.Sprintf("%s#%d", filepath.Base(file), i)
			rules, errs := Parse(name, []byte(block))
			all = append(all, rules...)
			var got []string
			for _, e := range errs {
				if !e.Warning {
					got = append(got, e.Msg)
				}
			}
			want := ""
			switch {
			case strings.Contains(block, "FieldB:\n            - ''\n            - null"):
				want = "null cannot be part of a list of values: put it in a search identifier of its own"
			case strings.Contains(block, "- firewall_block"):
				want = "correlation has no type" // a fragment showing rules only
			}
			if strings.Join(got, "\n") != want {
				t.Errorf("%s:\n%s\ngot errors %q, want %q", name, block, got, want)
			}
		}
		// The chained example of the correlation specification refers
		// to its own rules; the others name rules defined elsewhere.
		if strings.Contains(file, "correlation") {
			linked := 0
			for _, r := range all {
				if c := r.Correlation; c != nil {
					Link(all)
					for _, x := range c.Resolved {
						if x != nil {
							linked++
						}
					}
				}
			}
			if linked < 5 {
				t.Errorf("%s: %d references resolved, want at least 5 (the chain and the aliases example)", file, linked)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d examples found", n)
	}
}

// yamlBlocks returns the ```yaml and ```yml blocks of a markdown text.
func yamlBlocks(md string) []string {
	var out []string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case !in && (trim == "```yaml" || trim == "```yml"):
			in, cur = true, nil
		case in && trim == "```":
			in = false
			out = append(out, strings.Join(cur, "\n")+"\n")
		case in:
			cur = append(cur, line)
		}
	}
	return out
}

func hasTopKey(block, key string) bool {
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, key+":") {
			return true
		}
	}
	return false
}

// TestModifiersTable checks Modifiers against the modifiers appendix:
// every modifier it lists is known, and every known one is listed.
func TestModifiersTable(t *testing.T) {
	data, err := os.ReadFile("../../../shared/data/sigma/specification/specification/sigma-appendix-modifiers.md")
	if err != nil {
		t.Skipf("the Sigma specification is not beside the checkout (%v)", err)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "- `"); ok {
			if name, _, ok := strings.Cut(rest, "`"); ok && strings.HasPrefix(rest[len(name)+1:], ":") {
				listed[name] = true
			}
		}
	}
	var missing, extra []string
	for name := range listed {
		if _, ok := Modifiers[name]; !ok {
			missing = append(missing, name)
		}
	}
	for name := range Modifiers {
		if !listed[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 || len(listed) < 30 {
		t.Errorf("appendix lists %d modifiers; missing from Modifiers: %v; not in the appendix: %v", len(listed), missing, extra)
	}
}
