package compile

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"

	"github.com/idsentry/idsentry/internal/sigma"
	"github.com/valyala/fastjson"
)

// test decides one value of a field.
type test func(m *Matcher, v *val) bool

// numLits are the numeric literals of a string matcher: a YAML number
// matches a JSON number of equal value and a string that reads as that
// number; a YAML string that reads as a number matches a JSON number of
// equal value (and, as text, a string spelled the same way).
type numLits struct {
	any        []float64 // compared with JSON numbers
	fromNumber []float64 // compared with numeric strings
}

func (n *numLits) empty() bool { return len(n.any) == 0 }

func (n *numLits) match(m *Matcher, v *val) bool {
	var set []float64
	switch v.typ {
	case fastjson.TypeNumber:
		set = n.any
	case fastjson.TypeString:
		set = n.fromNumber
	default:
		return false
	}
	if len(set) == 0 {
		return false
	}
	f, ok := m.number(v)
	if !ok {
		return false
	}
	for _, x := range set {
		if x == f {
			return true
		}
	}
	return false
}

// strGroup is what one rule value compiles to: its patterns (several when
// a modifier expands it), numeric literals, and whether it is null.
type strGroup struct {
	pats []pattern
	nums numLits
	null bool
}

func (g *strGroup) merge(o strGroup) {
	g.pats = append(g.pats, o.pats...)
	g.nums.any = append(g.nums.any, o.nums.any...)
	g.nums.fromNumber = append(g.nums.fromNumber, o.nums.fromNumber...)
	g.null = g.null || o.null
}

// strGroups compiles the values of a string matcher, one group per value.
func (b *builder) strGroups(values []sigma.Value, s *fieldSpec) ([]strGroup, error) {
	groups := make([]strGroup, 0, len(values))
	plainChain := len(s.transforms) == 0
	for _, v := range values {
		var g strGroup
		switch v.Kind {
		case sigma.ValueNull:
			g.null = true
		case sigma.ValueNumber:
			ps, err := expandValue(v.Str, s, nil, v.Pos)
			if err != nil {
				return nil, err
			}
			g.pats = ps
			if plainChain {
				g.nums.any = []float64{v.Num}
				g.nums.fromNumber = []float64{v.Num}
			}
		default:
			raw := v.Str
			if v.Kind == sigma.ValueBool {
				raw = strings.ToLower(v.Str)
			}
			ps, err := expandValue(raw, s, b.c.opts.Placeholders, v.Pos)
			if err != nil {
				return nil, err
			}
			g.pats = ps
			if plainChain && v.Kind == sigma.ValueString && !leadingZero(v.Str) {
				if f, ok := parseDecimal([]byte(v.Str)); ok {
					g.nums.any = []float64{f}
				}
			}
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// leadingZero reports whether s is written with a leading zero ("0017"):
// such values are codes, compared as text only.
func leadingZero(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9'
}

// strTest compiles a group into a value test (nil when the group has only
// null).
func strTest(g strGroup, cased bool) test {
	if len(g.pats) == 0 && g.nums.empty() {
		return nil
	}
	set := newStrSet(g.pats)
	nums := g.nums
	hasNums := !nums.empty()
	if cased {
		return func(m *Matcher, v *val) bool {
			if v.typ == fastjson.TypeNull {
				return false
			}
			return set.match(m.text(v)) || (hasNums && nums.match(m, v))
		}
	}
	return func(m *Matcher, v *val) bool {
		if v.typ == fastjson.TypeNull {
			return false
		}
		return set.match(m.folded(v)) || (hasNums && nums.match(m, v))
	}
}

// numericValue reads a rule value as a number.
func numericValue(v sigma.Value) (float64, bool) {
	if v.Kind == sigma.ValueNumber {
		return v.Num, true
	}
	if v.Kind == sigma.ValueString {
		return parseDecimal([]byte(strings.TrimSpace(v.Str)))
	}
	return 0, false
}

// valueTests compiles the values of a non-fieldref, non-exists matcher into
// tests: one per value with "all", else one. null reports a null value.
func (b *builder) valueTests(values []sigma.Value, s *fieldSpec) (tests []test, null bool, lits litSet, err error) {
	switch s.typ {
	case specStr:
		groups, err := b.strGroups(values, s)
		if err != nil {
			return nil, false, nil, err
		}
		var all strGroup
		for _, g := range groups {
			all.merge(g)
		}
		if !all.nums.empty() {
			// Numbers compare numerically: no literal requirement.
			lits = nil
		} else if !all.null {
			lits = patternLits(all.pats, b.common)
		}
		if s.all && len(groups) > 1 {
			for _, g := range groups {
				if g.null {
					return nil, false, nil, errAt(s.pos, ReasonInvalid, "null cannot be combined with the all modifier")
				}
				tests = append(tests, strTest(g, s.cased))
			}
			// Every value is required: the best single one will do.
			sets := make([]litSet, len(groups))
			for i, g := range groups {
				if g.nums.empty() {
					sets[i] = patternLits(g.pats, b.common)
				}
			}
			return tests, false, bestLits(sets), nil
		}
		if t := strTest(all, s.cased); t != nil {
			tests = append(tests, t)
		}
		return tests, all.null, lits, nil
	case specRe:
		for _, v := range values {
			if v.Kind == sigma.ValueNull {
				return nil, false, nil, errAt(v.Pos, ReasonInvalid, "null is not a regular expression")
			}
			expr := v.Str
			if s.reFlags != "" {
				expr = "(?" + s.reFlags + ")" + expr
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, false, nil, errAt(v.Pos, ReasonRegex, "regular expression %q is not supported (Go RE2 syntax): %v", v.Str, err)
			}
			tests = append(tests, func(m *Matcher, x *val) bool {
				return x.typ != fastjson.TypeNull && re.Match(m.text(x))
			})
		}
	case specCIDR:
		for _, v := range values {
			p, err := parseCIDR(v.Str)
			if err != nil || v.Kind != sigma.ValueString {
				return nil, false, nil, errAt(v.Pos, ReasonInvalid, "cidr value %q is not a network: %v", v.Str, err)
			}
			tests = append(tests, func(m *Matcher, x *val) bool {
				if x.typ != fastjson.TypeString {
					return false
				}
				a, err := netip.ParseAddr(string(bytes.TrimSpace(m.text(x))))
				if err != nil {
					return false
				}
				return p.Contains(a.Unmap())
			})
		}
	case specNum, specTime:
		for _, v := range values {
			lit, ok := numericValue(v)
			if !ok {
				return nil, false, nil, errAt(v.Pos, ReasonInvalid, "value %q is not a number", v.Str)
			}
			op, part := s.op, s.part
			if part == partNone {
				tests = append(tests, func(m *Matcher, x *val) bool {
					f, ok := m.number(x)
					return ok && op.apply(f, lit)
				})
			} else {
				tests = append(tests, func(m *Matcher, x *val) bool {
					if x.typ != fastjson.TypeString {
						return false
					}
					f, ok := part.extract(m.text(x))
					return ok && op.apply(f, lit)
				})
			}
		}
	}
	if len(tests) == 0 {
		return nil, false, nil, errAt(s.pos, ReasonInvalid, "no values")
	}
	if !s.all && len(tests) > 1 {
		ts := tests
		tests = []test{func(m *Matcher, x *val) bool {
			for _, t := range ts {
				if t(m, x) {
					return true
				}
			}
			return false
		}}
	}
	return tests, false, nil, nil
}

// parseCIDR parses a network, or a single address as a host network.
func parseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// fieldNode compiles one "field|modifiers: values" entry.
func (b *builder) fieldNode(fm *sigma.FieldMatcher) (node, error) {
	spec, err := parseModifiers(fm.Modifiers, fm.Pos)
	if err != nil {
		return node{}, err
	}
	if fm.Field == "" {
		return b.keywordNode(fm.Values, spec, fm.Pos)
	}
	if len(fm.Values) == 0 {
		return node{}, errAt(fm.Pos, ReasonInvalid, "field %q has no values", fm.Field)
	}
	idx, canonical, verbatim := b.resolve(fm.Field, fm.Pos)
	var n node
	switch spec.typ {
	case specExists:
		n, err = existsNode(idx, canonical, fm.Values)
	case specFieldRef:
		n, err = b.fieldRefNode(idx, canonical, fm, spec)
	default:
		var tests []test
		var null bool
		var lits litSet
		tests, null, lits, err = b.valueTests(fm.Values, spec)
		if err == nil {
			n = slotNode(idx, canonical, tests, null, spec.all)
			n.cost = costField
			if spec.typ == specRe {
				n.cost = costRegexp
			}
			if verbatim && !spec.neq {
				n.lits = lits
			}
		}
	}
	if err != nil {
		return node{}, err
	}
	if spec.neq {
		n = notNode(n)
	}
	return n, nil
}

// slotNode is true when some value of the slot passes the test (every test,
// each by some value, with all); null also accepts a missing or null field.
func slotNode(idx int, field string, tests []test, null, all bool) node {
	isNull := func(s *slot) bool {
		if len(s.vals) == 0 {
			return true
		}
		for i := range s.vals {
			if s.vals[i].typ == fastjson.TypeNull {
				return true
			}
		}
		return false
	}
	if all && len(tests) > 1 {
		return node{
			eval: func(m *Matcher) bool {
				s := m.slot(idx)
				for _, t := range tests {
					if !anyVal(m, s.vals, t) {
						return false
					}
				}
				return true
			},
			why: func(m *Matcher, out []FieldValue) []FieldValue {
				s := m.slot(idx)
				for _, t := range tests {
					out = whyVal(m, s.vals, t, field, out)
				}
				return out
			},
		}
	}
	var t test
	if len(tests) > 0 {
		t = tests[0]
	}
	switch {
	case t == nil:
		return node{
			eval: func(m *Matcher) bool { return isNull(m.slot(idx)) },
			why: func(m *Matcher, out []FieldValue) []FieldValue {
				return append(out, FieldValue{Field: field, Value: "null"})
			},
		}
	case null:
		return node{
			eval: func(m *Matcher) bool {
				s := m.slot(idx)
				return isNull(s) || anyVal(m, s.vals, t)
			},
			why: func(m *Matcher, out []FieldValue) []FieldValue {
				s := m.slot(idx)
				if isNull(s) {
					return append(out, FieldValue{Field: field, Value: "null"})
				}
				return whyVal(m, s.vals, t, field, out)
			},
		}
	}
	return node{
		eval: func(m *Matcher) bool {
			s := m.slot(idx)
			for i := range s.vals {
				if t(m, &s.vals[i]) {
					return true
				}
			}
			return false
		},
		why: func(m *Matcher, out []FieldValue) []FieldValue {
			return whyVal(m, m.slot(idx).vals, t, field, out)
		},
	}
}

func anyVal(m *Matcher, vals []val, t test) bool {
	for i := range vals {
		if t(m, &vals[i]) {
			return true
		}
	}
	return false
}

// whyVal appends the first value passing t.
func whyVal(m *Matcher, vals []val, t test, field string, out []FieldValue) []FieldValue {
	for i := range vals {
		if t(m, &vals[i]) {
			return append(out, FieldValue{Field: field, Value: string(m.text(&vals[i]))})
		}
	}
	return out
}

// existsNode implements "field|exists: true|false".
func existsNode(idx int, field string, values []sigma.Value) (node, error) {
	if len(values) != 1 {
		return node{}, errAt(values[0].Pos, ReasonInvalid, "exists takes one boolean value")
	}
	v := values[0]
	var want bool
	switch {
	case v.Kind == sigma.ValueBool:
		want = v.Bool
	case v.Kind == sigma.ValueString && strings.EqualFold(v.Str, "true"):
		want = true
	case v.Kind == sigma.ValueString && strings.EqualFold(v.Str, "false"):
		want = false
	default:
		return node{}, errAt(v.Pos, ReasonInvalid, "exists takes a boolean, not %q", v.Str)
	}
	return node{
		cost: costField,
		eval: func(m *Matcher) bool { return m.present(idx) == want },
		why: func(m *Matcher, out []FieldValue) []FieldValue {
			if !want {
				return append(out, FieldValue{Field: field, Value: "<absent>"})
			}
			s := m.slot(idx)
			text := ""
			if len(s.vals) > 0 {
				text = string(m.text(&s.vals[0]))
			}
			return append(out, FieldValue{Field: field, Value: text})
		},
	}, nil
}

// fieldRefNode implements fieldref: some value of the field equals (or
// contains, starts or ends with) some value of the referenced field of the
// same event, case-insensitively unless cased.
func (b *builder) fieldRefNode(idx int, field string, fm *sigma.FieldMatcher, s *fieldSpec) (node, error) {
	type ref struct{ idx int }
	var refs []ref
	for _, v := range fm.Values {
		if v.Kind != sigma.ValueString || v.Str == "" {
			return node{}, errAt(v.Pos, ReasonInvalid, "fieldref takes field names")
		}
		ri, _, _ := b.resolve(v.Str, v.Pos)
		refs = append(refs, ref{ri})
	}
	cmp := func(a, b []byte) bool { return bytes.Equal(a, b) }
	switch {
	case s.has("contains"):
		cmp = bytes.Contains
	case s.has("startswith"):
		cmp = bytes.HasPrefix
	case s.has("endswith"):
		cmp = bytes.HasSuffix
	}
	cased := s.cased
	get := func(m *Matcher, x *val) []byte {
		if cased {
			return m.text(x)
		}
		return m.folded(x)
	}
	match := func(m *Matcher, r ref) (int, bool) {
		a := m.slot(idx)
		for i := range a.vals {
			if a.vals[i].typ == fastjson.TypeNull {
				continue
			}
			bs := m.slot(r.idx)
			for j := range bs.vals {
				if bs.vals[j].typ == fastjson.TypeNull {
					continue
				}
				if cmp(get(m, &a.vals[i]), get(m, &bs.vals[j])) {
					return i, true
				}
			}
		}
		return 0, false
	}
	return node{
		cost: 2 * costField,
		eval: func(m *Matcher) bool {
			for _, r := range refs {
				_, ok := match(m, r)
				if ok != s.all {
					return ok
				}
			}
			return s.all
		},
		why: func(m *Matcher, out []FieldValue) []FieldValue {
			for _, r := range refs {
				if i, ok := match(m, r); ok {
					return append(out, FieldValue{Field: field, Value: string(m.text(&m.slot(idx).vals[i]))})
				}
			}
			return out
		},
	}, nil
}

// keywordNode compiles a keyword search: its values match any scalar value
// anywhere in the event (strings, numbers and booleans as text), as
// substrings unless a positional modifier says otherwise.
func (b *builder) keywordNode(values []sigma.Value, s *fieldSpec, pos sigma.Pos) (node, error) {
	switch s.typ {
	case specStr, specRe:
	default:
		return node{}, errAt(pos, ReasonModifier, "a %s modifier cannot apply to keywords", s.typ)
	}
	if s.typ == specStr && !s.positional() {
		s.transforms = append([]string{"contains"}, s.transforms...)
	}
	for _, v := range values {
		if v.Kind == sigma.ValueNull {
			return node{}, errAt(v.Pos, ReasonInvalid, "null is not a keyword")
		}
	}
	tests, _, _, err := b.valueTests(values, s)
	if err != nil {
		return node{}, err
	}
	n := node{
		cost: costKeyword,
		eval: func(m *Matcher) bool {
			kw := m.keywords()
			for _, t := range tests {
				if !anyVal(m, kw, t) {
					return false
				}
			}
			return true
		},
		why: func(m *Matcher, out []FieldValue) []FieldValue {
			kw := m.keywords()
			for _, t := range tests {
				out = whyVal(m, kw, t, "keywords", out)
			}
			return out
		},
	}
	if s.neq {
		n = notNode(n)
	}
	return n, nil
}
