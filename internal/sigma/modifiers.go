package sigma

import (
	"net/netip"
	"regexp/syntax"
	"strings"
)

// ModifierClass is the family of a value modifier, as the modifiers
// appendix (sigma-appendix-modifiers.md) groups them.
type ModifierClass uint8

// Modifier classes.
const (
	// ModGeneric: all, startswith, endswith, contains, exists, cased, neq.
	ModGeneric ModifierClass = iota + 1
	// ModString: windash.
	ModString
	// ModRegex: re.
	ModRegex
	// ModRegexFlag: the re sub-modifiers i, m and s.
	ModRegexFlag
	// ModEncoding: base64, base64offset, utf16le, utf16be, utf16, wide.
	ModEncoding
	// ModNumeric: lt, lte, gt, gte.
	ModNumeric
	// ModTime: minute, hour, day, week, month, year.
	ModTime
	// ModIP: cidr.
	ModIP
	// ModSpecific: expand, fieldref.
	ModSpecific
)

var classNames = [...]string{"", "generic", "string", "regex", "regex flag", "encoding", "numeric", "time", "ip", "specific"}

// String names the class.
func (c ModifierClass) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// Modifiers is every value modifier of the Sigma specification v2.1 by
// name, with its class. A modifier not in this table is an error.
var Modifiers = map[string]ModifierClass{
	"all": ModGeneric, "startswith": ModGeneric, "endswith": ModGeneric, "contains": ModGeneric,
	"exists": ModGeneric, "cased": ModGeneric, "neq": ModGeneric,
	"windash": ModString,
	"re":      ModRegex, "i": ModRegexFlag, "m": ModRegexFlag, "s": ModRegexFlag,
	"base64": ModEncoding, "base64offset": ModEncoding, "utf16le": ModEncoding, "utf16be": ModEncoding,
	"utf16": ModEncoding, "wide": ModEncoding,
	"lt": ModNumeric, "lte": ModNumeric, "gt": ModNumeric, "gte": ModNumeric,
	"minute": ModTime, "hour": ModTime, "day": ModTime, "week": ModTime, "month": ModTime, "year": ModTime,
	"cidr":   ModIP,
	"expand": ModSpecific, "fieldref": ModSpecific,
}

// timeRanges are the values the time modifiers extract.
var timeRanges = map[string][2]float64{
	"minute": {0, 59}, "hour": {0, 23}, "day": {1, 31}, "week": {1, 52}, "month": {1, 12},
}

// companions restricts modifiers that change what a value is (a regular
// expression, a network, a field name, a number or an existence test): such
// a modifier combines only with the modifiers listed for it.
var companions = map[string]map[string]bool{
	"exists":   {},
	"re":       set("i", "m", "s", "all"),
	"cidr":     set("neq", "expand"),
	"fieldref": set("contains", "startswith", "endswith", "neq", "cased", "all"),
	"gt":       set("minute", "hour", "day", "week", "month", "year"),
	"gte":      set("minute", "hour", "day", "week", "month", "year"),
	"lt":       set("minute", "hour", "day", "week", "month", "year"),
	"lte":      set("minute", "hour", "day", "week", "month", "year"),
	"minute":   set("gt", "gte", "lt", "lte", "neq", "all"),
	"hour":     set("gt", "gte", "lt", "lte", "neq", "all"),
	"day":      set("gt", "gte", "lt", "lte", "neq", "all"),
	"week":     set("gt", "gte", "lt", "lte", "neq", "all"),
	"month":    set("gt", "gte", "lt", "lte", "neq", "all"),
	"year":     set("gt", "gte", "lt", "lte", "neq", "all"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// stringOnly are the modifiers whose values must be strings.
var stringOnly = set("contains", "startswith", "endswith", "windash", "re", "base64", "base64offset",
	"utf16le", "utf16be", "utf16", "wide", "cidr", "fieldref", "expand", "cased")

// checkMatcher validates the modifiers of m and their combination with its
// values. Unknown modifiers are reported and removed.
func (p *parser) checkMatcher(m *FieldMatcher) {
	idx := map[string]int{}
	known := m.Modifiers[:0]
	for _, mod := range m.Modifiers {
		switch _, ok := Modifiers[mod.Name]; {
		case mod.Name == "":
			p.errorf(mod.Pos, "empty modifier (a stray '|' in %q)", m.key())
		case !ok:
			p.errorf(mod.Pos, "unknown modifier %q", mod.Name)
		case idx[mod.Name] > 0:
			p.errorf(mod.Pos, "duplicate modifier %q", mod.Name)
		default:
			known = append(known, mod)
			idx[mod.Name] = len(known) // 1-based
		}
	}
	m.Modifiers = known
	at := func(name string) int { return idx[name] - 1 } // -1 when absent

	// Exclusive families.
	for _, group := range [][]string{{"contains", "startswith", "endswith"}, {"base64", "base64offset"},
		{"utf16le", "utf16be", "utf16", "wide"}} {
		var first string
		for _, mod := range known {
			if !oneOf(mod.Name, group) {
				continue
			}
			if first != "" {
				p.errorf(mod.Pos, "modifier %q cannot be combined with %q", mod.Name, first)
			} else {
				first = mod.Name
			}
		}
	}
	// Modifiers with a fixed set of companions.
	reported := map[[2]string]bool{}
	for _, a := range known {
		allowed, ok := companions[a.Name]
		if !ok {
			continue
		}
		for _, b := range known {
			if a.Name == b.Name || allowed[b.Name] || reported[[2]string{b.Name, a.Name}] {
				continue
			}
			if bAllowed, ok := companions[b.Name]; ok && bAllowed[a.Name] {
				continue
			}
			reported[[2]string{a.Name, b.Name}] = true
			later := b
			if at(a.Name) > at(b.Name) {
				later = a
			}
			other := a.Name
			if later.Name == a.Name {
				other = b.Name
			}
			if a.Name == "exists" || b.Name == "exists" {
				p.errorf(later.Pos, "modifier %q cannot be combined with %q: exists only tests that the field is present", later.Name, other)
			} else {
				p.errorf(later.Pos, "modifier %q cannot be combined with %q", later.Name, other)
			}
		}
	}
	// Order and dependencies (modifiers apply in the order written).
	for _, f := range []string{"i", "m", "s"} {
		if at(f) >= 0 && at("re") < 0 {
			p.errorf(m.Modifiers[at(f)].Pos, "modifier %q is a flag of \"re\" and needs it", f)
		}
	}
	b64 := max(at("base64"), at("base64offset"))
	for _, u := range []string{"utf16le", "utf16be", "utf16", "wide"} {
		if i := at(u); i >= 0 {
			switch {
			case b64 < 0:
				p.errorf(known[i].Pos, "modifier %q needs \"base64\" or \"base64offset\" after it", u)
			case b64 < i:
				p.errorf(known[i].Pos, "modifier %q must come before %q: modifiers apply in order", u, known[b64].Name)
			}
		}
	}
	if i := at("base64offset"); i >= 0 && at("contains") < 0 && at("startswith") < 0 && at("endswith") < 0 {
		p.errorf(known[i].Pos, "modifier \"base64offset\" needs \"contains\" after it: an offset-encoded value only matches inside a longer string")
	}
	if b64 >= 0 {
		for _, w := range []string{"contains", "startswith", "endswith"} {
			if i := at(w); i >= 0 && i < b64 {
				p.errorf(known[i].Pos, "modifier %q must come after %q: modifiers apply in order", w, known[b64].Name)
			}
		}
		if i := at("windash"); i > b64 {
			p.errorf(known[i].Pos, "modifier \"windash\" must come before %q: modifiers apply in order", known[b64].Name)
		}
	}
	p.checkValues(m, at)
}

// key renders the map key of m.
func (m *FieldMatcher) key() string {
	var b strings.Builder
	b.WriteString(m.Field)
	for _, mod := range m.Modifiers {
		b.WriteString("|")
		b.WriteString(mod.Name)
	}
	return b.String()
}

// checkValues checks the values of m against its modifiers.
func (p *parser) checkValues(m *FieldMatcher, at func(string) int) {
	has := func(n string) bool { return at(n) >= 0 }
	name := func(n string) Pos { return m.Modifiers[at(n)].Pos }
	if has("exists") {
		if len(m.Values) != 1 || m.Values[0].Kind != ValueBool {
			p.errorf(name("exists"), "modifier \"exists\" takes one value, true or false")
		}
		return
	}
	if has("all") && len(m.Values) < 2 {
		p.errorf(name("all"), "modifier \"all\" needs a list of several values (the specification forbids it on a single value)")
	}
	comparison := ""
	for _, c := range []string{"gt", "gte", "lt", "lte"} {
		if has(c) {
			comparison = c
		}
	}
	timeMod := ""
	for _, t := range []string{"minute", "hour", "day", "week", "month", "year"} {
		if has(t) {
			timeMod = t
		}
	}
	for i := range m.Values {
		v := &m.Values[i]
		if v.Kind == ValueNull {
			if len(m.Modifiers) > 0 {
				p.errorf(v.Pos, "null cannot take modifiers: it only matches a null or missing field")
			}
			continue
		}
		switch {
		case comparison != "" || timeMod != "":
			mod := comparison
			if mod == "" {
				mod = timeMod
			}
			if v.Kind != ValueNumber {
				p.errorf(v.Pos, "modifier %q needs a number, not %s %q", mod, kindWord(v.Kind), v.Str)
				continue
			}
			if r, ok := timeRanges[timeMod]; ok && comparison == "" && (v.Num < r[0] || v.Num > r[1]) {
				p.errorf(v.Pos, "%s is out of range for modifier %q (%g to %g)", v.Str, timeMod, r[0], r[1])
			}
			continue
		}
		for _, mod := range m.Modifiers {
			if stringOnly[mod.Name] && v.Kind != ValueString {
				// "All values are treated as case-insensitive strings":
				// a number or boolean under a string modifier is its text.
				v.Kind, v.Num, v.Bool = ValueString, 0, false
				break
			}
		}
		if v.Kind != ValueString {
			continue
		}
		switch {
		case has("re"):
			flags := syntax.Perl
			if has("i") {
				flags |= syntax.FoldCase
			}
			if has("s") {
				flags |= syntax.DotNL
			}
			if has("m") {
				flags &^= syntax.OneLine
			}
			if _, err := syntax.Parse(v.Str, flags); err != nil {
				p.errorf(v.Pos, "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			}
		case has("cidr"):
			if pfx, err := netip.ParsePrefix(v.Str); err == nil {
				if pfx.Masked() != pfx {
					p.warnf(v.Pos, "network %q has host bits set (did you mean %s?)", v.Str, pfx.Masked())
				}
			} else if _, err := netip.ParseAddr(v.Str); err != nil {
				p.errorf(v.Pos, "invalid CIDR network %q", v.Str)
			}
		case has("fieldref"):
			if v.Str == "" {
				p.errorf(v.Pos, "modifier \"fieldref\" needs a field name, not an empty string")
			}
		}
		if has("expand") && !strings.Contains(v.Str, "%") {
			p.warnf(v.Pos, "modifier \"expand\" on a value without a %%placeholder%% has no effect")
		}
	}
}

func kindWord(k ValueKind) string {
	switch k {
	case ValueNumber:
		return "the number"
	case ValueBool:
		return "the boolean"
	case ValueNull:
		return "null"
	}
	return "the string"
}
