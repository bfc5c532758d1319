package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusRoot is the SigmaHQ rule corpus (see shared/data/sigma/README.md).
const corpusRoot = "../../../shared/data/sigma/sigmahq"

var corpusDirs = []string{"rules", "rules-threat-hunting", "rules-emerging-threats"}

// upstreamViolations lists corpus files that break the Sigma specification,
// with the reason; each must produce at least one error, every other file
// none. At SigmaHQ commit 8eaafff1 the list is empty.
var upstreamViolations = map[string]string{}

// corpusFiles returns the .yml files of the corpus, sorted.
func corpusFiles(t testing.TB) []string {
	if _, err := os.Stat(corpusRoot); err != nil {
		t.Skipf("the SigmaHQ corpus is not beside the checkout (%v)", err)
	}
	var files []string
	for _, d := range corpusDirs {
		err := filepath.WalkDir(filepath.Join(corpusRoot, d), func(path string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !de.IsDir() && strings.HasSuffix(path, ".yml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(files)
	return files
}

// TestCorpus parses every rule of the SigmaHQ corpus and links them all.
// The counts are pinned: a change means the parser (or the corpus) changed.
// The structural counts (searches, maps, matchers, values, modifiers) agree
// with an independent count over PyYAML's reading of the same files, value
// kinds included (numbers under string modifiers counted as strings).
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	type counts struct {
		files, docs, detection, correlation, filter, errors, warnings      int
		searches, keywordSearches, maps, matchers, values, conditions, ofs int
		strings, numbers, bools, nulls                                     int
	}
	var got counts
	mods := map[string]int{}
	kind := func(vs []Value) {
		for _, v := range vs {
			switch v.Kind {
			case ValueString:
				got.strings++
			case ValueNumber:
				got.numbers++
			case ValueBool:
				got.bools++
			case ValueNull:
				got.nulls++
			}
		}
	}
	var all []*Rule
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got.files++
		rules, errs := Parse(file, data)
		all = append(all, rules...)
		rel, _ := filepath.Rel(corpusRoot, file)
		reason, listed := upstreamViolations[filepath.ToSlash(rel)]
		if listed && !HasErrors(errs) {
			t.Errorf("%s is listed as breaking the specification (%s) but parses without error", rel, reason)
		}
		for _, e := range errs {
			if e.File != file || e.Line < 1 || e.Col < 1 {
				t.Errorf("badly positioned problem %+v", e)
			}
			if e.Warning {
				got.warnings++
				t.Logf("%v", e)
				continue
			}
			got.errors++
			if !listed {
				t.Errorf("%v", e)
			}
		}
		for _, r := range rules {
			got.docs++
			switch r.Doc {
			case DocDetection:
				got.detection++
				d := r.Detection
				got.conditions += len(d.Conditions)
				for _, c := range d.Conditions {
					got.ofs += countOf(c.Expr)
				}
				for _, s := range d.Searches {
					got.searches++
					if len(s.Keywords) > 0 {
						got.keywordSearches++
						got.values += len(s.Keywords)
						kind(s.Keywords)
					}
					for _, m := range s.Maps {
						got.maps++
						for _, fm := range m.Matchers {
							got.matchers++
							got.values += len(fm.Values)
							kind(fm.Values)
							for _, mod := range fm.Modifiers {
								mods[mod.Name]++
							}
						}
					}
					for _, mod := range s.KeywordModifiers {
						mods[mod.Name]++
					}
				}
			case DocCorrelation:
				got.correlation++
			case DocFilter:
				got.filter++
			}
		}
	}
	for _, e := range Link(all) {
		t.Errorf("link: %v", e)
	}
	want := counts{
		files: 3754, docs: 3754, detection: 3754, correlation: 0, filter: 0, errors: 0, warnings: 0,
		searches: 7884, keywordSearches: 128, maps: 9009, matchers: 12315, values: 46150, conditions: 3754, ofs: 1993,
		strings: 45162, numbers: 888, bools: 4, nulls: 96,
	}
	if got != want {
		t.Errorf("corpus counts:\ngot  %+v\nwant %+v", got, want)
	}
	wantMods := map[string]int{
		"all": 1181, "base64": 1, "base64offset": 9, "cidr": 39, "contains": 4605, "endswith": 3430,
		"expand": 2, "fieldref": 5, "i": 2, "re": 202, "startswith": 567, "wide": 2, "windash": 110,
	}
	for name, n := range wantMods {
		if mods[name] != n {
			t.Errorf("modifier %s used %d times, want %d", name, mods[name], n)
		}
	}
	for name, n := range mods {
		if _, ok := wantMods[name]; !ok {
			t.Errorf("modifier %s used %d times, want 0", name, n)
		}
	}
}

func countOf(x Expr) int {
	switch x := x.(type) {
	case *And:
		return countOf(x.Left) + countOf(x.Right)
	case *Or:
		return countOf(x.Left) + countOf(x.Right)
	case *Not:
		return countOf(x.X)
	case *Of:
		return 1
	}
	return 0
}
