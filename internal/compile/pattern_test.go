package compile

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// patternRegexp is the reference meaning of a pattern.
func patternRegexp(p pattern) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, t := range p {
		switch t.kind {
		case tokStar:
			b.WriteString(`.*`)
		case tokOne:
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(t.lit))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func TestParsePattern(t *testing.T) {
	tests := []struct{ in, want string }{
		{`abc`, `abc`},
		{`a*b?c`, `a*b?c`},
		{`a**b`, `a*b`},
		{`a\*b`, `a\*b`},
		{`a\\*b`, `a\\*b`},
		{`a\\\*b`, `a\\\*b`},
		{`C:\Windows`, `C:\\Windows`},
		{`a\\\\b`, `a\\\\b`},
		{`trailing\`, `trailing\\`},
	}
	for _, tc := range tests {
		if got := parsePattern(tc.in).String(); got != tc.want {
			t.Errorf("parsePattern(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzPattern compares the compiled string matchers (hash set, prefix,
// suffix, substring automaton, general wildcard) with a regular
// expression built from the same parsed pattern.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"abc", "a*c", "*mid*", "pre*", "*suf", "a?c", `a\*c`, "*a*b?c*", "", "*", "?"} {
		f.Add(s, "xxabcxx")
	}
	f.Fuzz(func(t *testing.T, pat, text string) {
		if len(pat) > 64 || len(text) > 256 || !utf8.ValidString(pat) || !utf8.ValidString(text) {
			return
		}
		p := parsePattern(pat).mapLiterals(foldString)
		ps := []pattern{p}
		// Several substring patterns force the automaton.
		if len(p) == 3 && p[0].kind == tokStar && p[2].kind == tokStar && p[1].kind == tokLit {
			ps = append(ps, literalPattern("\x00a").withStars(true, true), literalPattern("\x00b").withStars(true, true), literalPattern("\x00c").withStars(true, true))
		}
		folded := appendFold(nil, []byte(text))
		got := newStrSet(ps).match(folded)
		want := patternRegexp(p).Match(folded)
		if got != want && !strings.Contains(string(folded), "\x00") {
			t.Errorf("pattern %q (%v) on %q: got %v, want %v", pat, p, text, got, want)
		}
	})
}
