package compile

import (
	"bytes"
	"strings"

	"github.com/idsentry/idsentry/internal/sigma"
	"github.com/valyala/fastjson"
)

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
