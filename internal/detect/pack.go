// Package detect wires the detection stages together: it loads Sigma rule
// files (the embedded pack and the user's), links, compiles and reads their
// idsentry attributes into a Pack, and runs a Pack over events (phase-1
// matching per worker, phase-2 correlation, alert grouping, enrichment and
// risk-based alerting). `idsentry scan`, `idsentry rules` and the rule
// tests all go through it, so they run exactly the same loader.
package detect

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/sigma"
)

// Problem is one positioned problem with a rule: a parse or link error, a
// compile problem (unsupported feature or log source), or an idsentry
// attribute error. Warnings leave the rule usable.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Rule    string `json:"rule,omitempty"`
	Msg     string `json:"message"`
	Reason  string `json:"reason,omitempty"`
	Warning bool   `json:"warning,omitempty"`
}

// String formats the problem as file:line:col: message.
func (p Problem) String() string {
	w := ""
	if p.Warning {
		w = "warning: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s", p.File, p.Line, p.Col, w, p.Msg)
}

// Source is a tree of rule files: a directory or file on disk, or an
// embedded file system.
type Source struct {
	// Name prefixes file names in messages ("builtin:" for the embedded
	// pack; empty for disk paths).
	Name string
	FS   fs.FS
	// Root is the directory (or file) inside FS to load.
	Root string
}

// DiskSource returns the source for a file or directory on disk.
func DiskSource(path string) Source {
	return Source{FS: os.DirFS(filepath.Dir(path)), Root: filepath.Base(path), Name: filepath.Dir(path) + string(filepath.Separator)}
}

// ruleFile reports whether a file name is a rule file (not a rule test).
func ruleFile(name string) bool {
	if strings.HasSuffix(name, ".tests.yml") || strings.HasSuffix(name, ".tests.yaml") {
		return false
	}
	return strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")
}

// Files lists the rule files of a source, sorted.
func (s Source) Files() ([]string, error) {
	var out []string
	err := fs.WalkDir(s.FS, s.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != s.Root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if ruleFile(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Parse reads and parses every rule file of the sources. Parse errors are
// returned as problems; invalid documents are kept (marked Invalid) so
// callers can count them.
func Parse(srcs ...Source) ([]*sigma.Rule, []Problem, error) {
	var (
		rules []*sigma.Rule
		probs []Problem
	)
	for _, s := range srcs {
		files, err := s.Files()
		if err != nil {
			return nil, nil, fmt.Errorf("read rules %s%s: %w", s.Name, s.Root, err)
		}
		for _, f := range files {
			data, err := fs.ReadFile(s.FS, f)
			if err != nil {
				return nil, nil, fmt.Errorf("read rule %s%s: %w", s.Name, f, err)
			}
			rs, errs := sigma.Parse(s.Name+f, data)
			rules = append(rules, rs...)
			for _, e := range errs {
				probs = append(probs, fromSigma(e))
			}
		}
	}
	return rules, probs, nil
}

func fromSigma(e *sigma.Error) Problem {
	return Problem{File: e.File, Line: e.Line, Col: e.Col, Rule: e.Rule, Msg: e.Msg, Warning: e.Warning, Reason: "parse"}
}

// Options configure Build.
type Options struct {
	// Placeholders are the values of Sigma expand placeholders
	// (%verified_domains% …).
	Placeholders map[string][]string
	// Tuning overrides rule options and levels, by rule id or name.
	Tuning map[string]map[string]string
	// NoPrefilter disables the raw-bytes prefilter.
	NoPrefilter bool
	// Global sets rule options on every rule that has them
	// (min-ip-priority=20, say); per-rule Tuning wins.
	Global map[string]string
}

// Pack is a compiled rule set with each reportable rule's alert spec.
type Pack struct {
	Rules    []*sigma.Rule
	Set      *compile.Set
	Problems []Problem
	specs    map[*compile.Rule]*alert.Spec
}

// Spec returns the alert spec of a compiled rule.
func (p *Pack) Spec(r *compile.Rule) *alert.Spec { return p.specs[r] }

// Errors returns the problems that are not warnings.
func (p *Pack) Errors() []Problem {
	var out []Problem
	for _, pr := range p.Problems {
		if !pr.Warning {
			out = append(out, pr)
		}
	}
	return out
}

// Build links and compiles parsed rules and reads their idsentry
// attributes. Problems found on the way are collected in the Pack.
func Build(rules []*sigma.Rule, probs []Problem, opts Options) *Pack {
	p := &Pack{Rules: rules, Problems: probs, specs: map[*compile.Rule]*alert.Spec{}}
	for _, e := range sigma.Link(rules) {
		pr := fromSigma(e)
		pr.Reason = "link"
		p.Problems = append(p.Problems, pr)
	}
	copts := compile.Options{Placeholders: opts.Placeholders}
	if opts.NoPrefilter {
		copts.Prefilter = compile.PrefilterOff
	}
	set, cprobs := compile.Compile(rules, copts)
	p.Set = set
	for _, c := range cprobs {
		p.Problems = append(p.Problems, Problem{File: c.File, Line: c.Line, Col: c.Col, Rule: c.Rule, Msg: c.Msg, Reason: c.Reason, Warning: c.Warning})
	}
	for _, r := range set.Rules {
		ref := ruleRef(r)
		spec, errs := alert.ParseSpec(r.Sigma.Custom["idsentry"], ref)
		for _, e := range errs {
			p.Problems = append(p.Problems, Problem{File: r.Sigma.File, Line: e.Line, Col: e.Col, Rule: ref.ID, Msg: "idsentry: " + e.Msg, Reason: "idsentry attribute", Warning: e.Warning})
		}
		if spec == nil {
			spec = alert.DefaultSpec(ref)
		}
		t := map[string]string{}
		for k, v := range opts.Global {
			if _, ok := spec.Options[k]; ok {
				t[k] = v
			}
		}
		for k, v := range tuningFor(opts.Tuning, r) {
			t[k] = v
		}
		if len(t) > 0 {
			tuned, err := spec.Tune(t)
			if err != nil {
				p.Problems = append(p.Problems, Problem{File: r.Sigma.File, Line: r.Sigma.Pos.Line, Col: r.Sigma.Pos.Col, Rule: ref.ID, Msg: "tuning: " + err.Error(), Reason: "tuning"})
			} else {
				spec = tuned
			}
		}
		p.specs[r] = spec
	}
	sort.SliceStable(p.Problems, func(i, j int) bool {
		a, b := p.Problems[i], p.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return p
}

func tuningFor(t map[string]map[string]string, r *compile.Rule) map[string]string {
	if t == nil {
		return nil
	}
	if m, ok := t[r.ID]; ok && r.ID != "" {
		return m
	}
	if m, ok := t[r.Name]; ok && r.Name != "" {
		return m
	}
	return nil
}

// ruleRef describes a compiled rule for alerts.
func ruleRef(r *compile.Rule) alert.RuleRef {
	lvl, _ := alert.ParseLevel(r.Level)
	id := r.ID
	if id == "" {
		id = r.Name
	}
	return alert.RuleRef{ID: id, Title: r.Title, Level: lvl, Tags: r.Tags, File: r.Sigma.File}
}

// Kinds returns the names of a compiled rule's log kinds.
func Kinds(r *compile.Rule) []string {
	out := make([]string, 0, len(r.Kinds))
	for _, k := range r.Kinds {
		out = append(out, k.String())
	}
	return out
}
