package output

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", "plain", "=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "＝1", "a\nb", "\"quoted\"",
	"<script>alert(1)</script>", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\xff\xfe", "日本語のテキスト", "\u202eevil",
}

// FuzzNeutralize checks that no CSV cell can start a formula, that cells
// survive a CSV round trip, and that harmless text is left alone.
func FuzzNeutralize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := neutralize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(got)[0]) {
			t.Fatalf("%q neutralised to %q", s, got)
		}
		if strings.IndexFunc(got, badControl) >= 0 {
			t.Fatalf("control character left in %q", got)
		}
		harmless := utf8.ValidString(s) && len(s) < maxCellRune && strings.IndexFunc(s, badControl) < 0 && !strings.Contains(s, "\r") &&
			(s == "" || !strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(s)[0]))
		if harmless && got != s {
			t.Fatalf("harmless %q changed to %q", s, got)
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		_ = w.Write([]string{got, "x"})
		w.Flush()
		rec, err := csv.NewReader(&b).Read()
		if strings.Contains(got, "\r") {
			t.Fatalf("CR left in %q", got)
		}
		if err != nil || !reflect.DeepEqual(rec, []string{got, "x"}) {
			t.Fatalf("round trip of %q: %v %q", got, err, rec)
		}
	})
}

// FuzzClean checks that terminal text is cleaned of every control
// character and that truncation respects the width.
func FuzzClean(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		c := clean(s)
		if !utf8.ValidString(c) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		for _, r := range c {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("control %U left in %q", r, c)
			}
		}
		w = w%200 + 1
		if w < 1 {
			w += 200
		}
		if got := width(truncate(c, w)); got > w {
			t.Fatalf("truncate(%q, %d) is %d wide", c, w, got)
		}
	})
}

// FuzzHTMLText puts arbitrary text into every log-derived field of the
// report: it must never change the markup.
func FuzzHTMLText(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	base := tagSkeleton(f, renderHTML(f, hostileReport("x")))
	f.Fuzz(func(t *testing.T, s string) {
		out := renderHTML(t, hostileReport(s))
		if got := tagSkeleton(t, out); !reflect.DeepEqual(got, base) {
			t.Fatalf("%q changed the markup", s)
		}
		if !utf8.ValidString(out) || strings.IndexFunc(out, badControl) >= 0 {
			t.Fatalf("report from %q has invalid UTF-8 or control characters", s)
		}
	})
}
