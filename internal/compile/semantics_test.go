package compile

import (
	"encoding/base64"
	"fmt"
	"testing"
	"unicode/utf16"

	"github.com/idsentry/idsentry/internal/event"
)

type semCase struct {
	name  string
	det   string          // detection body; the condition is added unless present
	opts  Options         // compile options
	match map[string]bool // event JSON -> expected match
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func utf16le(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// semanticCases cover every modifier and every matching edge the package
// documents. Each runs with and without the prefilter, which must agree.
var semanticCases = []semCase{
	{name: "case-insensitive equality", det: "sel:\n    f: Foo Bar", match: map[string]bool{
		`{"f":"FOO BAR"}`: true, `{"f":"foo bar"}`: true, `{"f":"foo"}`: false, `{"g":"foo bar"}`: false}},
	{name: "non-ASCII folding", det: "sel:\n    f: ÉTÉ", match: map[string]bool{
		`{"f":"été"}`: true, `{"f":"ete"}`: false}},
	{name: "cased", det: "sel:\n    f|cased: Foo", match: map[string]bool{
		`{"f":"Foo"}`: true, `{"f":"FOO"}`: false}},
	{name: "star wildcard", det: "sel:\n    f: 'a*c'", match: map[string]bool{
		`{"f":"abbbc"}`: true, `{"f":"AC"}`: true, `{"f":"ab"}`: false, `{"f":"xabc"}`: false}},
	{name: "question wildcard is one character", det: "sel:\n    f: 'a?c'", match: map[string]bool{
		`{"f":"abc"}`: true, `{"f":"aéc"}`: true, `{"f":"ac"}`: false, `{"f":"abbc"}`: false}},
	{name: "escaped star is plain", det: "sel:\n    f: 'a\\*c'", match: map[string]bool{
		`{"f":"a*c"}`: true, `{"f":"abc"}`: false}},
	{name: "escaped backslash then wildcard", det: "sel:\n    f: 'a\\\\*'", match: map[string]bool{
		`{"f":"a\\xyz"}`: true, `{"f":"axyz"}`: false}},
	{name: "three backslashes: backslash and plain star", det: "sel:\n    f: 'a\\\\\\*'", match: map[string]bool{
		`{"f":"a\\*"}`: true, `{"f":"a\\b"}`: false}},
	{name: "plain backslash", det: "sel:\n    f: 'C:\\Windows\\System32'", match: map[string]bool{
		`{"f":"c:\\windows\\system32"}`: true, `{"f":"c:windowssystem32"}`: false}},
	{name: "contains startswith endswith", det: "a:\n    f|contains: mid\nb:\n    g|startswith: pre\nc:\n    h|endswith: suf\ncondition: a and b and c", match: map[string]bool{
		`{"f":"xMIDx","g":"PREfix","h":"theSUF"}`: true, `{"f":"xMIDx","g":"xpre","h":"theSUF"}`: false, `{"f":"xMIDx","g":"pre","h":"sufx"}`: false}},
	{name: "contains list becomes one automaton", det: "sel:\n    f|contains:\n        - alpha\n        - bravo\n        - charlie\n        - delta\n        - echo", match: map[string]bool{
		`{"f":"xxCHARLIExx"}`: true, `{"f":"ech"}`: false, `{"f":"xecho"}`: true,
		`{"f":"xx\u0043HARLIExx"}`: true, `{"f":"\u0065\u0063\u0068\u006F"}`: true}},
	{name: "equality list becomes one set", det: "sel:\n    f:\n        - one\n        - two\n        - three", match: map[string]bool{
		`{"f":"TWO"}`: true, `{"f":"four"}`: false, `{"f":"tw"}`: false}},
	{name: "contains all", det: "sel:\n    f|contains|all:\n        - foo\n        - bar", match: map[string]bool{
		`{"f":"bar foo"}`: true, `{"f":"foo"}`: false}},
	{name: "yaml number", det: "sel:\n    f: 65004", match: map[string]bool{
		`{"f":65004}`: true, `{"f":"65004"}`: true, `{"f":65004.0}`: true, `{"f":"65004.0"}`: true, `{"f":"x65004"}`: false, `{"f":65005}`: false}},
	{name: "numeric yaml string", det: "sel:\n    f: '65004'", match: map[string]bool{
		`{"f":65004}`: true, `{"f":"65004"}`: true, `{"f":6.5004e4}`: true, `{"f":"065004"}`: false, `{"f":"65004.0"}`: false}},
	{name: "leading zero stays a string", det: "sel:\n    f: 0017", match: map[string]bool{
		`{"f":"0017"}`: true, `{"f":17}`: false}},
	{name: "boolean", det: "sel:\n    f: true", match: map[string]bool{
		`{"f":true}`: true, `{"f":"True"}`: true, `{"f":false}`: false}},
	{name: "null is missing or null", det: "sel:\n    f: null", match: map[string]bool{
		`{}`: true, `{"f":null}`: true, `{"f":[]}`: true, `{"f":""}`: false, `{"f":"x"}`: false}},
	{name: "empty string", det: "sel:\n    f: ''", match: map[string]bool{
		`{"f":""}`: true, `{}`: false, `{"f":null}`: false, `{"f":"x"}`: false}},
	{name: "not null", det: "sel:\n    f: null\ncondition: not sel", match: map[string]bool{
		`{"f":"x"}`: true, `{}`: false}},
	{name: "array any element", det: "sel:\n    f: b", match: map[string]bool{
		`{"f":["a","B"]}`: true, `{"f":["a","c"]}`: false}},
	{name: "nested path through arrays", det: "sel:\n    nested.x: 1", match: map[string]bool{
		`{"nested":[{"x":2},{"x":1}]}`: true, `{"nested":{"x":1}}`: true, `{"nested":[{"x":2}]}`: false}},
	{name: "dotted key", det: "sel:\n    a.b: v", match: map[string]bool{
		`{"a.b":"v"}`: true, `{"a":{"b":"v"}}`: true}},
	{name: "all over array elements", det: "sel:\n    f|all:\n        - a\n        - b", match: map[string]bool{
		`{"f":["A","B"]}`: true, `{"f":["a","c"]}`: false}},
	{name: "object values match as JSON text", det: "sel:\n    props|contains: Forward", match: map[string]bool{
		`{"props":[{"Name":"ForwardTo","Value":"x"}]}`: true, `{"props":[{"Name":"Other"}]}`: false}},
	{name: "exists true", det: "sel:\n    f|exists: true", match: map[string]bool{
		`{"f":"x"}`: true, `{"f":null}`: true, `{"f":""}`: true, `{"f":[]}`: true, `{}`: false}},
	{name: "exists false", det: "sel:\n    f|exists: false", match: map[string]bool{
		`{}`: true, `{"f":null}`: false}},
	{name: "gt", det: "sel:\n    n|gt: 5", match: map[string]bool{
		`{"n":6}`: true, `{"n":"6"}`: true, `{"n":5}`: false, `{"n":"abc"}`: false, `{}`: false}},
	{name: "gte lte range", det: "a:\n    n|gte: 5\nb:\n    n|lte: 7.5\ncondition: a and b", match: map[string]bool{
		`{"n":5}`: true, `{"n":7.5}`: true, `{"n":"7"}`: true, `{"n":8}`: false, `{"n":4.9}`: false}},
	{name: "lt", det: "sel:\n    n|lt: 0", match: map[string]bool{
		`{"n":-1}`: true, `{"n":0}`: false}},
	{name: "neq", det: "sel:\n    f|neq: x", match: map[string]bool{
		`{"f":"y"}`: true, `{"f":"X"}`: false, `{}`: true}},
	{name: "re is case-sensitive and unanchored", det: "sel:\n    f|re: 'ab+c$'", match: map[string]bool{
		`{"f":"xabbc"}`: true, `{"f":"ABBC"}`: false, `{"f":"abcx"}`: false}},
	{name: "re i", det: "sel:\n    f|re|i: '^ab+c$'", match: map[string]bool{
		`{"f":"ABBC"}`: true}},
	{name: "re m", det: "sel:\n    f|re|m: '^x$'", match: map[string]bool{
		`{"f":"a\nx\nb"}`: true}},
	{name: "re without m", det: "sel:\n    f|re: '^x$'", match: map[string]bool{
		`{"f":"a\nx\nb"}`: false}},
	{name: "re s", det: "sel:\n    f|re|s: 'a.b'", match: map[string]bool{
		`{"f":"a\nb"}`: true}},
	{name: "re without s", det: "sel:\n    f|re: 'a.b'", match: map[string]bool{
		`{"f":"a\nb"}`: false}},
	{name: "cidr v4", det: "sel:\n    ip|cidr: 10.0.0.0/8", match: map[string]bool{
		`{"ip":"10.1.2.3"}`: true, `{"ip":"11.0.0.1"}`: false, `{"ip":"255.090.254.5"}`: false, `{"ip":"::ffff:10.0.0.1"}`: true, `{"ip":"garbage"}`: false}},
	{name: "cidr v6", det: "sel:\n    ip|cidr: '2001:db8::/32'", match: map[string]bool{
		`{"ip":"2001:DB8::1"}`: true, `{"ip":"2001:db9::1"}`: false, `{"ip":"10.0.0.1"}`: false}},
	{name: "cidr list", det: "sel:\n    ip|cidr:\n        - 192.168.0.0/16\n        - 172.16.0.0/12", match: map[string]bool{
		`{"ip":"172.20.1.1"}`: true, `{"ip":"8.8.8.8"}`: false}},
	{name: "windash", det: "sel:\n    f|windash|contains: ' -enc '", match: map[string]bool{
		`{"f":"ps -enc x"}`: true, `{"f":"ps /enc x"}`: true, `{"f":"ps \u2013enc x"}`: true, `{"f":"ps \u2014enc x"}`: true, `{"f":"ps \u2015enc x"}`: true, `{"f":"ps enc x"}`: false}},
	{name: "base64", det: "sel:\n    f|base64: secret", match: map[string]bool{
		`{"f":"` + b64("secret") + `"}`: true, `{"f":"secret"}`: false}},
	{name: "base64offset", det: "sel:\n    f|base64offset|contains: 'http://'", match: map[string]bool{
		`{"f":"` + b64("http://x") + `"}`: true, `{"f":"` + b64("ahttp://x") + `"}`: true, `{"f":"` + b64("abhttp://x") + `"}`: true, `{"f":"` + b64("htt://x") + `"}`: false}},
	{name: "utf16le base64offset", det: "sel:\n    f|wide|base64offset|contains: cmd", match: map[string]bool{
		`{"f":"` + b64(utf16le("run cmd now")) + `"}`: true, `{"f":"` + b64("run cmd now") + `"}`: false}},
	{name: "utf16le", det: "sel:\n    f|utf16le|base64: ab", match: map[string]bool{
		`{"f":"` + b64("a\x00b\x00") + `"}`: true, `{"f":"` + b64("ab") + `"}`: false}},
	{name: "utf16be", det: "sel:\n    f|utf16be|base64: ab", match: map[string]bool{
		`{"f":"` + b64("\x00a\x00b") + `"}`: true}},
	{name: "utf16 with BOM base64", det: "sel:\n    f|utf16|base64: a", match: map[string]bool{
		`{"f":"` + b64("\xff\xfea\x00") + `"}`: true}},
	{name: "fieldref", det: "sel:\n    a|fieldref: b", match: map[string]bool{
		`{"a":"X","b":"x"}`: true, `{"a":"X","b":"y"}`: false, `{"a":"X"}`: false}},
	{name: "fieldref neq", det: "sel:\n    a|fieldref|neq: b", match: map[string]bool{
		`{"a":"X","b":"y"}`: true, `{"a":"X","b":"x"}`: false}},
	{name: "fieldref contains", det: "sel:\n    a|fieldref|contains: b", match: map[string]bool{
		`{"a":"arn:aws:iam::1:user/Bob","b":"bob"}`: true, `{"a":"arn","b":"bob"}`: false}},
	{name: "expand", det: "sel:\n    f|expand: '%admins%'", opts: Options{Placeholders: map[string][]string{"admins": {"root", "adm*"}}}, match: map[string]bool{
		`{"f":"ROOT"}`: true, `{"f":"admin1"}`: true, `{"f":"user"}`: false}},
	{name: "expand with literal percent", det: "sel:\n    f|expand: '\\%x%admins%'", opts: Options{Placeholders: map[string][]string{"admins": {"root"}}}, match: map[string]bool{
		`{"f":"%xroot"}`: true}},
	{name: "keywords anywhere", det: "keywords:\n    - evil\n    - '4625'", match: map[string]bool{
		`{"a":{"b":["xx EVIL yy"]}}`: true, `{"id":4625}`: true, `{"a":"good"}`: false}},
	{name: "keywords all", det: "keywords:\n    '|all':\n        - foo\n        - bar", match: map[string]bool{
		`{"a":"foo","b":"bar"}`: true, `{"a":"foo"}`: false}},
	{name: "time hour", det: "sel:\n    t|hour: 3", match: map[string]bool{
		`{"t":"2026-01-01T03:04:05Z"}`: true, `{"t":"2026-01-01T04:04:05Z"}`: false, `{"t":"garbage"}`: false}},
	{name: "time hour as written", det: "sel:\n    t|hour|gte: 18", match: map[string]bool{
		`{"t":"2026-01-01T19:00:00+02:00"}`: true, `{"t":"2026-01-01 17:59:59"}`: false}},
	{name: "time parts", det: "a:\n    t|year: 2026\nb:\n    t|month: 2\nc:\n    t|day: 14\nd:\n    t|minute: 30\ne:\n    t|week: 7\ncondition: all of them", match: map[string]bool{
		`{"t":"2026-02-14T10:30:00Z"}`: true}},
	{name: "one of pattern", det: "sel_a:\n    f: a\nsel_b:\n    f: b\nfilter:\n    g: x\ncondition: 1 of sel_* and not filter", match: map[string]bool{
		`{"f":"b"}`: true, `{"f":"b","g":"x"}`: false, `{"f":"c"}`: false}},
	{name: "all of them skips underscore", det: "a:\n    f: a\n_b:\n    g: never\ncondition: all of them", match: map[string]bool{
		`{"f":"a"}`: true}},
	{name: "list of maps is OR", det: "sel:\n    - f: a\n    - g: b", match: map[string]bool{
		`{"g":"b"}`: true, `{"f":"x"}`: false}},
	{name: "condition list is OR", det: "a:\n    f: a\nb:\n    f: b\ncondition:\n    - a\n    - b", match: map[string]bool{
		`{"f":"b"}`: true}},
	{name: "precedence not over and over or", det: "a:\n    f: a\nb:\n    g: b\nc:\n    h: c\ncondition: a or not b and c", match: map[string]bool{
		`{"h":"c"}`: true, `{"g":"b","h":"c"}`: false, `{"f":"a","g":"b"}`: true}},
}

func TestSemantics(t *testing.T) {
	for _, tc := range semanticCases {
		t.Run(tc.name, func(t *testing.T) {
			det := tc.det
			if !containsLine(det, "condition:") {
				det += "\ncondition: sel"
				if containsLine(tc.det, "keywords:") {
					det = tc.det + "\ncondition: keywords"
				}
			}
			src := ruleYAML("r", det)
			for _, pf := range []bool{false, true} {
				opts := tc.opts
				opts.Prefilter = PrefilterOff
				if pf {
					opts.Prefilter = PrefilterOn
				}
				set := mustCompile(t, src, opts)
				m := set.NewMatcher()
				for doc, want := range tc.match {
					got := len(matchTitles(m, testEvent(t, event.KindCloudTrail, doc))) > 0
					if got != want {
						t.Errorf("prefilter=%v event %s: match = %v, want %v", pf, doc, got, want)
					}
				}
			}
		})
	}
}

func containsLine(s, prefix string) bool {
	for _, l := range splitLines(s) {
		if len(l) >= len(prefix) && l[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// TestWhy checks the field/value pairs reported for a match.
func TestWhy(t *testing.T) {
	src := ruleYAML("r", "sel:\n    f|contains: oo\n    n|gt: 3\nfilter:\n    g: x\ncondition: sel and not filter")
	set := mustCompile(t, src, Options{})
	var why []FieldValue
	set.NewMatcher().Match(testEvent(t, event.KindCloudTrail, `{"f":["a","Foo"],"n":4,"g":"y"}`), func(_ *Rule, w []FieldValue) { why = w })
	got := fmt.Sprint(why)
	if want := "[{f Foo} {n 4}]"; got != want {
		t.Errorf("why = %s, want %s", got, want)
	}
}
