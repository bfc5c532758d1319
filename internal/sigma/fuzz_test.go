package sigma

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// checkPositioned fails unless every problem has a file, a position and a
// message.
func checkPositioned(t *testing.T, file string, errs []*Error) {
	t.Helper()
	for _, e := range errs {
		if e.File != file || e.Line < 1 || e.Col < 1 || e.Msg == "" {
			t.Fatalf("badly positioned problem: %+v", e)
		}
	}
}

// FuzzParse feeds rule files to Parse and Link: they never panic and every
// problem carries a position.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	if _, err := os.Stat(corpusRoot); err == nil {
		files := corpusFiles(f)
		for i := 0; i < len(files); i += 50 {
			if data, err := os.ReadFile(files[i]); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("a: &a [*a]\nb: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, errs := Parse("fuzz.yml", data)
		checkPositioned(t, "fuzz.yml", errs)
		for _, r := range rules {
			if r.File != "fuzz.yml" || r.Doc == "" && !r.Invalid {
				t.Fatalf("rule without kind and without error: %+v", r)
			}
		}
		checkPositioned(t, "fuzz.yml", Link(rules))
	})
}

// FuzzCondition feeds conditions to ParseCondition: it never panics, a
// syntax error is positioned within the condition, and a parsed condition
// renders to text that parses to the same expression.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{
		"selection", "a and not b or c", "1 of sel* and not 1 of filter*", "all of them", "any of x",
		"((a) or (b and not (c)))", "sel | count(x) by y > 5", "sel | max(b) = 3", "not", "(a", "a | near b",
		"1 of", "a AND b", "é and (", "sel*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, agg, err := ParseCondition(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line != 1 || e.Col < 1 || e.Col > utf8.RuneCountInString(s)+1 || e.Msg == "" {
				t.Fatalf("%q: badly positioned error %#v", s, err)
			}
			return
		}
		if x == nil {
			t.Fatalf("%q: no expression and no error", s)
		}
		if agg != nil && agg.Func == "" {
			t.Fatalf("%q: empty aggregation", s)
		}
		text := String(x)
		y, _, err := ParseCondition(text)
		if err != nil || String(y) != text {
			t.Fatalf("%q: %s re-parsed as %s (%v)", s, text, String(y), err)
		}
	})
}
