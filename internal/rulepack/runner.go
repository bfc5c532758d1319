package rulepack

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/scan"
	"github.com/idsentry/idsentry/internal/sigma"
	"go.yaml.in/yaml/v3"
)

// TestFile is a parsed <rule>.tests.yml (docs/rule-tests.md).
type TestFile struct {
	Tests []TestCase `yaml:"tests"`
}

// TestCase is one unit test of the rules of one rule file.
type TestCase struct {
	Name      string              `yaml:"name"`
	Input     string              `yaml:"input"`
	InputFile string              `yaml:"input_file"`
	Set       map[string][]string `yaml:"set"`
	Alerts    []WantAlert         `yaml:"alerts"`
	line      int
}

// WantAlert is an expected alert; zero fields are not compared.
type WantAlert struct {
	Level    string              `yaml:"level"`
	Count    int                 `yaml:"count"`
	Group    map[string]string   `yaml:"group"`
	Values   map[string][]string `yaml:"values"`
	Message  string              `yaml:"message"`
	Entities int                 `yaml:"entities"`
	Rule     string              `yaml:"rule"` // rule id or title, when the file holds several rules
}

// CaseResult is the outcome of one test case.
type CaseResult struct {
	File   string   // the test file
	Line   int      // the case's line
	Name   string   // the case's name
	Rules  []string // the rule ids under test
	Failed []string // what went wrong; empty when the case passed
}

// Passed reports whether the case passed.
func (c CaseResult) Passed() bool { return len(c.Failed) == 0 }

// TestOptions configure RunTests.
type TestOptions struct {
	// Extra sources are loaded with the source under test (the built-in
	// pack when testing user rules that reference it, say).
	Extra []detect.Source
	// Match, when set, runs only test files whose path contains it.
	Match string
}

// RunTests runs every *.tests.yml under src against the rules of the
// rule file beside it, with the whole of src (and opts.Extra) loaded.
func RunTests(src detect.Source, opts TestOptions) ([]CaseResult, error) {
	all := append([]detect.Source{src}, opts.Extra...)
	rules, probs, err := detect.Parse(all...)
	if err != nil {
		return nil, err
	}
	base := detect.Build(rules, probs, detect.Options{})
	if errs := base.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("the rules do not load: %s (and %d more)", errs[0], len(errs)-1)
	}
	var tests []string
	err = fs.WalkDir(src.FS, src.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".tests.yml") || strings.HasSuffix(p, ".tests.yaml")) && strings.Contains(p, opts.Match) {
			tests = append(tests, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(tests)
	tmp, err := os.MkdirTemp("", "idsentry-rules-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	var out []CaseResult
	for _, tp := range tests {
		res, err := runFile(src, tp, rules, probs, base, tmp)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func runFile(src detect.Source, tp string, rules []*sigma.Rule, probs []detect.Problem, base *detect.Pack, tmp string) ([]CaseResult, error) {
	data, err := fs.ReadFile(src.FS, tp)
	if err != nil {
		return nil, err
	}
	display := src.Name + tp
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	var tf TestFile
	if err := node.Decode(&tf); err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	caseLines(&node, tf.Tests)
	ruleFile := src.Name + strings.TrimSuffix(strings.TrimSuffix(tp, ".tests.yml"), ".tests.yaml") + ".yml"
	under := map[string]bool{}
	var ids []string
	for _, r := range rules {
		if r.File == ruleFile {
			id := r.ID
			if id == "" {
				id = r.Name
			}
			under[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return []CaseResult{{File: display, Line: 1, Name: "(file)", Failed: []string{"no rule file " + ruleFile + " beside the test file"}}}, nil
	}
	var out []CaseResult
	for i, tc := range tf.Tests {
		cr := CaseResult{File: display, Line: tc.line, Name: tc.Name, Rules: ids}
		if tc.Name == "" {
			cr.Name = fmt.Sprintf("case %d", i+1)
		}
		in := tc.Input
		if tc.InputFile != "" {
			b, err := fs.ReadFile(src.FS, path.Join(path.Dir(tp), tc.InputFile))
			if err != nil {
				cr.Failed = append(cr.Failed, "input_file: "+err.Error())
				out = append(out, cr)
				continue
			}
			in = string(b)
		}
		pack := base
		if len(tc.Set) > 0 {
			pack = detect.Build(rules, probs, detect.Options{Placeholders: tc.Set})
		}
		name := filepath.Join(tmp, fmt.Sprintf("%s-%d.log", strings.ReplaceAll(path.Base(tp), ".tests.yml", ""), i+1))
		if tc.InputFile != "" {
			name = filepath.Join(tmp, path.Base(tc.InputFile))
		}
		if err := os.WriteFile(name, []byte(in), 0o600); err != nil {
			return nil, err
		}
		got, fails := runCase(pack, name)
		os.Remove(name)
		cr.Failed = append(cr.Failed, fails...)
		var mine []alert.Alert
		for _, a := range got {
			if under[a.Rule.ID] {
				mine = append(mine, a)
			}
		}
		cr.Failed = append(cr.Failed, compareAlerts(tc.Alerts, mine)...)
		out = append(out, cr)
	}
	return out, nil
}

// runCase scans one input file with a pack and returns all alerts.
func runCase(pack *detect.Pack, file string) ([]alert.Alert, []string) {
	det := pack.NewDetector(detect.RunOptions{})
	res, err := scan.Run(context.Background(), []string{file}, scan.Options{
		Workers:    1,
		NewHandler: func(w int) scan.Handler { return det.NewWorker(w) },
	})
	if err != nil {
		return nil, []string{"scan: " + err.Error()}
	}
	var fails []string
	for _, f := range res.Files {
		if f.Err != "" {
			fails = append(fails, "input: "+f.Err)
		}
		for reason, s := range f.SkipReasons {
			fails = append(fails, fmt.Sprintf("input: %d records skipped: %s (%s)", s.Count, reason, s.Example))
		}
	}
	r := det.Finish()
	for _, e := range r.Errors {
		fails = append(fails, "alert: "+e.Error())
	}
	return r.Alerts, fails
}

// compareAlerts checks actual alerts against expectations, in order.
func compareAlerts(want []WantAlert, got []alert.Alert) []string {
	var fails []string
	if len(want) != len(got) {
		fails = append(fails, fmt.Sprintf("want %d alerts, got %d:%s", len(want), len(got), describe(got)))
		return fails
	}
	for i, w := range want {
		g := got[i]
		p := fmt.Sprintf("alert %d (%s): ", i+1, g.Rule.Title)
		if w.Rule != "" && w.Rule != g.Rule.ID && w.Rule != g.Rule.Title {
			fails = append(fails, p+fmt.Sprintf("rule: want %q, got %q", w.Rule, g.Rule.Title))
		}
		if w.Level != "" && !strings.EqualFold(w.Level, g.Level.String()) {
			fails = append(fails, p+fmt.Sprintf("level: want %s, got %s", w.Level, g.Level))
		}
		if w.Count != 0 && w.Count != g.Count {
			fails = append(fails, p+fmt.Sprintf("count: want %d, got %d", w.Count, g.Count))
		}
		if w.Message != "" && w.Message != g.Message {
			fails = append(fails, p+fmt.Sprintf("message: want %q, got %q", w.Message, g.Message))
		}
		if w.Entities != 0 && w.Entities != len(g.Entities) {
			fails = append(fails, p+fmt.Sprintf("entities: want %d, got %d", w.Entities, len(g.Entities)))
		}
		for k, v := range w.Group {
			if !strings.EqualFold(g.Group[k], v) {
				fails = append(fails, p+fmt.Sprintf("group %s: want %q, got %q", k, v, g.Group[k]))
			}
		}
		for k, vs := range w.Values {
			for _, v := range vs {
				if !containsFold(g.Values[k], v) {
					fails = append(fails, p+fmt.Sprintf("values %s: want %q among %q", k, v, g.Values[k]))
				}
			}
		}
	}
	return fails
}

func containsFold(vs []string, v string) bool {
	for _, x := range vs {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func describe(as []alert.Alert) string {
	if len(as) == 0 {
		return " none"
	}
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "\n    - %s level=%s count=%d group=%v first=%s", a.Rule.Title, a.Level, a.Count, a.Group, a.FirstSeen.Format("2006-01-02T15:04:05Z"))
	}
	return b.String()
}

// caseLines records each case's line from the YAML tree.
func caseLines(doc *yaml.Node, cases []TestCase) {
	if len(doc.Content) == 0 {
		return
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "tests" {
			continue
		}
		for j, c := range root.Content[i+1].Content {
			if j < len(cases) {
				cases[j].line = c.Line
			}
		}
	}
}
