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
		var sets []litSet
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
			sets = append(sets, reLits(expr, b.common))
			// Every match holds one of pre's literals (relits.go): a
			// text holding none cannot match, and the regexp is skipped.
			if pre := reLits(expr, nil); pre != nil {
				scan := newGramScanner(pre)
				tests = append(tests, func(m *Matcher, x *val) bool {
					if x.typ == fastjson.TypeNull {
						return false
					}
					t := m.text(x)
					return scan.contains(t) && re.Match(t)
				})
				continue
			}
			tests = append(tests, func(m *Matcher, x *val) bool {
				return x.typ != fastjson.TypeNull && re.Match(m.text(x))
			})
		}
		if s.all {
			// Every value is required: the best single one will do.
			lits = bestLits(sets)
		} else {
			lits = unionLits(sets)
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
	return tests, false, lits, nil
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
