package sigma

import (
	"fmt"
	"testing"
	"time"
)

func TestParseCondition(t *testing.T) {
	tests := []struct{ in, want, agg string }{
		{"selection", "selection", ""},
		{"a and b or c", "((a and b) or c)", ""},
		{"a or b and c", "(a or (b and c))", ""},
		{"not a and b", "(not a and b)", ""},
		{"not (a and b)", "not (a and b)", ""},
		{"a and not b or not c and d", "((a and not b) or (not c and d))", ""},
		{"not not a", "not not a", ""},
		{"((a))", "a", ""},
		{"a or b or c", "((a or b) or c)", ""},
		{"a and b and c", "((a and b) and c)", ""},
		{"1 of selection*", "1 of selection*", ""},
		{"all of sel_*_x", "all of sel_*_x", ""},
		{"1 of them", "1 of them", ""},
		{"all of them", "all of them", ""},
		{"any of sel*", "1 of sel*", ""},
		{"not 1 of filter* and selection", "(not 1 of filter* and selection)", ""},
		{"1 of sel* and not 1 of filter*", "(1 of sel* and not 1 of filter*)", ""},
		{"selection-with-dash and sel.dot", "(selection-with-dash and sel.dot)", ""},
		{"all", "all", ""},
		{"1", "1", ""},
		{"them", "them", ""},
		{"\tsel\n  and\r\nother ", "(sel and other)", ""},
		{"(a)and(b)", "(a and b)", ""},
		{"sel | count() > 5", "sel", "count() by  > 5"},
		{"sel | count(x) by y >= 10", "sel", "count(x) by y >= 10"},
		{"sel|count(x)by y<=1.5", "sel", "count(x) by y <= 1.5"},
		{"sel | min(bytes) by host < 3", "sel", "min(bytes) by host < 3"},
		{"sel | max(b) = 3", "sel", "max(b) by  == 3"},
		{"sel | avg(b) != 0", "sel", "avg(b) by  != 0"},
		{"sel | sum(b) by u == 7", "sel", "sum(b) by u == 7"},
		{"1 of sel* | count(user) by ip > 2", "1 of sel*", "count(user) by ip > 2"},
	}
	for _, tt := range tests {
		x, agg, err := ParseCondition(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := String(x); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
		gotAgg := ""
		if agg != nil {
			gotAgg = fmt.Sprintf("%s(%s) by %s %s %g", agg.Func, agg.Field, agg.GroupBy, agg.Op, agg.Value)
		}
		if gotAgg != tt.agg {
			t.Errorf("%q: aggregation %q, want %q", tt.in, gotAgg, tt.agg)
		}
		// The rendering parses back to itself.
		y, _, err := ParseCondition(String(x))
		if err != nil || String(y) != String(x) {
			t.Errorf("%q: round trip of %s gave %s, %v", tt.in, String(x), String(y), err)
		}
	}
}

func TestParseConditionPositions(t *testing.T) {
	x, agg, err := ParseCondition("sel and not 1 of f* | count() by é > 1")
	if err != nil {
		t.Fatal(err)
	}
	and := x.(*And)
	if p := and.Left.(*Ident).Pos; p != (Pos{1, 1}) {
		t.Errorf("sel at %v", p)
	}
	of := and.Right.(*Not).X.(*Of)
	if of.Pos != (Pos{1, 13}) || of.PatternPos != (Pos{1, 18}) {
		t.Errorf("of at %v, pattern at %v", of.Pos, of.PatternPos)
	}
	if agg.Pos != (Pos{1, 23}) || agg.GroupBy != "é" {
		t.Errorf("aggregation %+v", agg)
	}
	// Columns count characters, not bytes.
	_, _, err = ParseCondition("é and (")
	if err == nil || err.Error() != "1:8: unexpected end of condition, expected a search identifier, 'not', '1 of', 'all of' or '('" {
		t.Errorf("got %v", err)
	}
}

func TestParseConditionErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "1:1: empty condition"},
		{"   ", "1:1: empty condition"},
		{"a and", "1:6: unexpected end of condition, expected a search identifier, 'not', '1 of', 'all of' or '('"},
		{"a b", `1:3: unexpected "b", expected 'and', 'or' or end of condition`},
		{"a AND b", `1:3: unexpected "AND", expected 'and', 'or' or end of condition (operators are lower-case)`},
		{"(a", "1:3: unexpected end of condition, expected ')' closing the '(' at column 1"},
		{"a)", `1:2: unexpected ")", expected 'and', 'or' or end of condition`},
		{")", `1:1: unexpected ")", expected a search identifier, 'not', '1 of', 'all of' or '('`},
		{"and", `1:1: unexpected "and", expected a search identifier, 'not', '1 of', 'all of' or '('`},
		{"not", "1:4: unexpected end of condition, expected a search identifier, 'not', '1 of', 'all of' or '('"},
		{"sel*", `1:1: wildcard in search identifier "sel*": patterns are allowed only after '1 of' or 'all of'`},
		{"2 of sel*", `1:1: quantifier "2" is not supported: use '1 of' or 'all of'`},
		{"1 of", "1:5: unexpected end of condition after '1 of', expected a search identifier pattern or 'them'"},
		{"1 of (a)", `1:6: unexpected "(" after '1 of', expected a search identifier pattern or 'them'`},
		{"all of and", `1:8: unexpected "and" after 'all of', expected a search identifier pattern or 'them'`},
		{"a |", "1:4: unexpected end of condition in aggregation, expected an aggregation function (count, min, max, avg, sum)"},
		{"a | near b", "1:5: the 'near' aggregation is not supported: it is obsolete, use a temporal correlation rule"},
		{"a | median(x) > 1", `1:5: unknown aggregation function "median", expected count, min, max, avg or sum`},
		{"a | count > 1", `1:11: unexpected ">" after count, expected '('`},
		{"a | count(x > 1", `1:13: unexpected ">", expected ')' closing count(`},
		{"a | count(>) > 1", `1:11: unexpected ">" in count(), expected a field name`},
		{"a | sum() > 1", "1:5: sum() needs a field name"},
		{"a | count() by > 1", `1:16: unexpected ">" after 'by', expected a field name`},
		{"a | count() by x, y > 1", "1:17: aggregations group by one field only"},
		{"a | count() 5", `1:13: unexpected "5", expected a comparison operator (>, >=, <, <=, ==, !=)`},
		{"a | count() =< 5", `1:13: unexpected "=<", expected a comparison operator (>, >=, <, <=, ==, !=)`},
		{"a | count() > x", `1:15: unexpected "x", expected a number`},
		{"a | count() > NaN", `1:15: unexpected "NaN", expected a number`},
		{"a | count() > 1 2", `1:17: unexpected "2" after the aggregation`},
		{"a | count() >", "1:14: unexpected end of condition in aggregation, expected a number"},
		{"a | count(", "1:11: unexpected end of condition in aggregation, expected a field name or ')'"},
	}
	for _, tt := range tests {
		_, _, err := ParseCondition(tt.in)
		if err == nil {
			t.Errorf("%q: no error, want %s", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%q:\ngot  %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestConditionDepth(t *testing.T) {
	deep := ""
	for i := 0; i < 1000; i++ {
		deep += "("
	}
	_, _, err := ParseCondition(deep + "a")
	if err == nil || err.Error() != "1:201: condition nested too deeply (more than 200 levels)" {
		t.Errorf("got %v", err)
	}
	nots := ""
	for i := 0; i < 1000; i++ {
		nots += "not "
	}
	if _, _, err := ParseCondition(nots + "a"); err == nil {
		t.Errorf("no error for 1000 nots")
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"them", "selection", true},
		{"them", "_hidden", false},
		{"sel*", "selection", true},
		{"sel*", "sel", true},
		{"sel*", "xsel", false},
		{"*sel", "my_sel", true},
		{"*sel", "my_sel_2", false},
		{"filter_*_main", "filter_a_main", true},
		{"filter_*_main", "filter__main", true},
		{"filter_*_main", "filter_main", false},
		{"*", "anything", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"exact", "exact", true},
		{"exact", "exact2", false},
		{"sel*", "_sel", false},
	}
	for _, tt := range tests {
		if got := MatchPattern(tt.pattern, tt.name); got != tt.want {
			t.Errorf("MatchPattern(%q, %q) = %v", tt.pattern, tt.name, got)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"1s", time.Second, ""},
		{"90m", 90 * time.Minute, ""},
		{"24h", 24 * time.Hour, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"", 0, `invalid timespan "": expected a number and a unit (s, m, h or d), e.g. 5m`},
		{"m", 0, `invalid timespan "m": expected a number and a unit (s, m, h or d), e.g. 5m`},
		{"5", 0, `invalid timespan "5": expected a number and a unit (s, m, h or d), e.g. 5m`},
		{"10", 0, `invalid timespan "10": the unit must be s, m, h or d (lower-case)`},
		{"1H", 0, `invalid timespan "1H": the unit must be s, m, h or d (lower-case)`},
		{"1w", 0, `invalid timespan "1w": the unit must be s, m, h or d (lower-case)`},
		{"1.5h", 0, `invalid timespan "1.5h": expected a whole number before the unit`},
		{"-1h", 0, `invalid timespan "-1h": expected a whole number before the unit`},
		{" 1h", 0, `invalid timespan " 1h": expected a whole number before the unit`},
		{"0s", 0, `invalid timespan "0s": must be longer than zero`},
		{"99999999999999d", 0, `invalid timespan "99999999999999d": too long`},
	}
	for _, tt := range tests {
		got, err := ParseTimespan(tt.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != tt.want || msg != tt.err {
			t.Errorf("ParseTimespan(%q) = %v, %q; want %v, %q", tt.in, got, msg, tt.want, tt.err)
		}
	}
}

// TestConditionFilePositions checks that condition positions map back to
// the file through quoting, escapes and block scalars.
func TestConditionFilePositions(t *testing.T) {
	src := "title: t\nid: 929a690e-bef0-4204-a928-ef5e620d6fcc\nlogsource: {product: p}\ndetection:\n" +
		"    sel: {a: 1}\n" +
		"    condition:\n" +
		"        - 'it''s and sel'\n" +
		"        - \"sel and \\\"x\\\" \"\n" +
		"        - >-\n            sel and\n            y\n" +
		"        - sel and\n          z\n"
	_, errs := Parse("f.yml", []byte(src))
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		`f.yml:7:12: unknown search identifier "it's"`,
		`f.yml:8:21: unknown search identifier "\"x\""`,
		`f.yml:11:13: unknown search identifier "y"`,
		`f.yml:13:11: unknown search identifier "z"`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
