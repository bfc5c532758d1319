package compile

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The rule regexes of signin/attack_tool_user_agent.yml and
// signin/app_token_abuse.yml (both with the i flag).
const (
	reAttackTools = `(?i)(azure|sharp|blood)hound/|aadinternals|roadrecon|roadtools|roadtx|graphrunner|tokentactics|teamfiltration`
	reHTTPClients = `(?i)python-requests|curl/|wget/|go-http-client|okhttp|node-fetch|axios|postmanruntime|libcurl|ruby|aiohttp|httpx|java/`
)

var reLitCases = []struct {
	expr string
	want []string // nil: no requirement
}{
	// Under i, 's' and 'k' break runs (U+017F, U+212A): "sharp" gives
	// "harp", "aadinternals" "aadinternal", "tokentactics" "entactic".
	{reAttackTools, []string{"aadinternal", "azurehound", "bloodhound", "entactic", "graphrunner", "harphound", "roadrecon", "roadtool", "roadtx", "teamfiltration"}},
	{reHTTPClients, []string{"aiohttp", "axio", "client", "curl", "fetch", "http", "httpx", "java", "libcurl", "python", "ruby", "tmanruntime", "wget"}},
	// "go-resty" under i has no run of four safe letters.
	{`(?i)^python|aiohttp|go-http-client|go-resty|curl/`, nil},
	{`^python|aiohttp`, []string{"aiohttp", "python"}},
	{`a.*b`, nil},
	{`abcd.*wxyz`, []string{"abcd"}},
	{`(?i)kelvin`, []string{"elvin"}},
	{`kelvin`, []string{"kelvin"}},
	{`(?i)password\d+`, []string{"word"}},
	{`(?i)ſecret`, []string{"ecret"}},
	{`x*`, nil},
	{`(abcd)*`, nil},
	{`(abcd)?efg`, nil},
	{`foo|b`, nil},
	{``, nil},
	{`(?i)foo(bar(baz))`, []string{"foobarbaz"}},
	{`((abcd)|(efgh))+`, []string{"abcd", "efgh"}},
	{`(foo){1,}barbaz`, []string{"barbaz"}},
	{`(abcd){2,3}`, []string{"abcdabcd", "abcdabcdabcd"}},
	{`abcdef|abcxyz`, []string{"abcdef", "abcxyz"}},
	{`[Hh]ound_?dog`, []string{"hound", "hounddog"}},
	{`(?i)[k]ingdom`, []string{"ingdom"}},
	{`\bevil\.com\b`, []string{"evil"}},
	{`(?s)abc.def`, nil},
	// Assertions match the empty string (this one never matches at all).
	{`^ab$cd`, []string{"abcd"}},
	{`(?m)^abcd$`, []string{"abcd"}},
	{`[0-9a-f]{32}`, nil},
}

func TestRegexLits(t *testing.T) {
	for _, tc := range reLitCases {
		got := reLits(tc.expr, nil)
		if !slices.Equal([]string(got), tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("reLits(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestRegexLitsFolding checks the runes an ASCII scan cannot see: a
// case-insensitive 'k' or 's' matches U+212A and U+017F.
func TestRegexLitsFolding(t *testing.T) {
	for _, tc := range []struct{ expr, text string }{
		{`(?i)kelvin`, "\u212Aelvin"},
		{`(?i)secret`, "\u017Fecret"},
		{reAttackTools, "\u017Fharphound/"},
		{reAttackTools, "TO\u212AENTACTIC\u017F"},
	} {
		checkRegexLits(t, tc.expr, tc.text)
		if !regexp.MustCompile(tc.expr).MatchString(tc.text) {
			t.Errorf("%q does not match %q", tc.expr, tc.text)
		}
	}
}

// checkRegexLits asserts the soundness of reLits on one pair, and that the
// precheck scanner agrees.
func checkRegexLits(t *testing.T, expr, text string) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return
	}
	lits := reLits(expr, nil)
	if lits == nil {
		return
	}
	folded := lowerString(text)
	found := false
	for _, l := range lits {
		if strings.Contains(folded, l) {
			found = true
		}
	}
	if scan := newGramScanner(lits).contains([]byte(text)); scan != found {
		t.Errorf("scanner says %v, strings.Contains %v for %q in %q", scan, found, lits, text)
	}
	if re.MatchString(text) && !found {
		t.Errorf("%q matches %q, which holds none of %q", expr, text, lits)
	}
}

func FuzzRegexLits(f *testing.F) {
	for _, tc := range reLitCases {
		f.Add(tc.expr, "")
		for _, l := range tc.want {
			f.Add(tc.expr, "x"+strings.ToUpper(l)+"y")
		}
	}
	f.Add(`(?i)kelvin`, "\u212Aelvin")
	f.Add(`(?i)tokens`, "TO\u212AEN\u017F")
	f.Fuzz(func(t *testing.T, expr, text string) {
		if len(expr) > 64 || len(text) > 256 || !utf8.ValidString(expr) || !utf8.ValidString(text) {
			return
		}
		checkRegexLits(t, expr, text)
	})
}
