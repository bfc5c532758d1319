package compile

import (
	"fmt"
	"strings"

	"github.com/idsentry/idsentry/internal/sigma"
)

// specType is what a field matcher compares, decided by its type modifier.
type specType uint8

const (
	specStr      specType = iota // string patterns (the default)
	specRe                       // re
	specCIDR                     // cidr
	specNum                      // gt, gte, lt, lte
	specExists                   // exists
	specFieldRef                 // fieldref
	specTime                     // minute, hour, day, week, month, year
)

// fieldSpec is a parsed modifier chain.
type fieldSpec struct {
	typ specType
	// transforms are the value transformations in chain order: contains,
	// startswith, endswith, windash, base64, base64offset, utf16le,
	// utf16be, utf16, wide, expand.
	transforms []string
	op         cmpOp
	part       timePart
	reFlags    string
	all        bool
	cased      bool
	neq        bool
	// pos is the position of the first modifier, for messages.
	pos sigma.Pos
}

func (s *fieldSpec) has(t string) bool {
	for _, x := range s.transforms {
		if x == t {
			return true
		}
	}
	return false
}

// positional reports whether the chain has contains, startswith or endswith.
func (s *fieldSpec) positional() bool {
	return s.has("contains") || s.has("startswith") || s.has("endswith")
}

// Modifier names by role.
var (
	transformModifiers = map[string]bool{
		"contains": true, "startswith": true, "endswith": true, "windash": true,
		"base64": true, "base64offset": true, "utf16le": true, "utf16be": true,
		"utf16": true, "wide": true, "expand": true,
	}
	cmpModifiers = map[string]cmpOp{"gt": opGt, "gte": opGte, "lt": opLt, "lte": opLte}
)

// errorAt is a positioned compile error with the reason it counts under.
type errorAt struct {
	pos    sigma.Pos
	reason string
	msg    string
}

func (e *errorAt) Error() string { return e.msg }

func errAt(pos sigma.Pos, reason, format string, args ...any) *errorAt {
	return &errorAt{pos: pos, reason: reason, msg: fmt.Sprintf(format, args...)}
}

// parseModifiers validates a modifier chain.
func parseModifiers(mods []sigma.Modifier, at sigma.Pos) (*fieldSpec, error) {
	s := &fieldSpec{pos: at}
	setType := func(t specType, m sigma.Modifier) error {
		if s.typ != specStr && s.typ != t {
			return errAt(m.Pos, ReasonModifier, "modifier %q cannot be combined with the modifiers before it", m.Name)
		}
		s.typ = t
		return nil
	}
	for _, m := range mods {
		name := strings.ToLower(m.Name)
		if s.pos == at && m.Pos.Line > 0 {
			s.pos = m.Pos
		}
		switch {
		case transformModifiers[name]:
			s.transforms = append(s.transforms, name)
		case name == "re":
			if err := setType(specRe, m); err != nil {
				return nil, err
			}
		case name == "i" || name == "m" || name == "s":
			if s.typ != specRe {
				return nil, errAt(m.Pos, ReasonModifier, "modifier %q is a sub-modifier of re and must follow it", m.Name)
			}
			if !strings.Contains(s.reFlags, name) {
				s.reFlags += name
			}
		case name == "cidr":
			if err := setType(specCIDR, m); err != nil {
				return nil, err
			}
		case cmpModifiers[name] != opEq:
			if s.typ == specTime {
				s.op = cmpModifiers[name]
				continue
			}
			if err := setType(specNum, m); err != nil {
				return nil, err
			}
			s.op = cmpModifiers[name]
		case timeParts[name] != partNone:
			if s.typ == specNum {
				return nil, errAt(m.Pos, ReasonModifier, "time modifier %q must come before the comparison", m.Name)
			}
			if err := setType(specTime, m); err != nil {
				return nil, err
			}
			s.part = timeParts[name]
		case name == "exists":
			if err := setType(specExists, m); err != nil {
				return nil, err
			}
		case name == "fieldref":
			if err := setType(specFieldRef, m); err != nil {
				return nil, err
			}
		case name == "all":
			s.all = true
		case name == "cased":
			s.cased = true
		case name == "neq":
			s.neq = true
		default:
			return nil, errAt(m.Pos, ReasonModifier, "unknown modifier %q", m.Name)
		}
	}
	// Transformations apply to string values only; fieldref takes the three
	// positional ones.
	if s.typ != specStr && len(s.transforms) > 0 {
		for _, t := range s.transforms {
			if s.typ == specFieldRef && (t == "contains" || t == "startswith" || t == "endswith") {
				continue
			}
			return nil, errAt(s.pos, ReasonModifier, "modifier %q cannot be combined with a %s modifier", t, s.typ)
		}
	}
	return s, nil
}

func (t specType) String() string {
	switch t {
	case specRe:
		return "re"
	case specCIDR:
		return "cidr"
	case specNum:
		return "numeric"
	case specExists:
		return "exists"
	case specFieldRef:
		return "fieldref"
	case specTime:
		return "time"
	}
	return "string"
}

// expandValue turns one string value into patterns by the chain's
// transformations, in order. expand applies first whatever its place (its
// placeholders must be replaced before the value is read as a Sigma
// string); the others apply left to right. The result is folded unless the
// chain is cased.
func expandValue(raw string, s *fieldSpec, placeholders map[string][]string, pos sigma.Pos) ([]pattern, error) {
	raws := []string{raw}
	if s.has("expand") {
		var err error
		if raws, err = expandPlaceholders(raw, placeholders); err != nil {
			return nil, errAt(pos, ReasonPlaceholder, "value %q: %v", raw, err)
		}
	}
	ps := make([]pattern, 0, len(raws))
	for _, r := range raws {
		ps = append(ps, parsePattern(r))
	}
	for _, t := range s.transforms {
		var next []pattern
		for _, p := range ps {
			switch t {
			case "contains":
				next = append(next, p.withStars(true, true))
			case "startswith":
				next = append(next, p.withStars(false, true))
			case "endswith":
				next = append(next, p.withStars(true, false))
			case "windash":
				vs, err := windash(p)
				if err != nil {
					return nil, errAt(pos, ReasonModifier, "windash value %q: %v", raw, err)
				}
				next = append(next, vs...)
			case "base64":
				q, err := base64Encode(p)
				if err != nil {
					return nil, errAt(pos, ReasonInvalid, "base64 value %q: %v", raw, err)
				}
				next = append(next, q)
			case "base64offset":
				qs, err := base64Offsets(p)
				if err != nil {
					return nil, errAt(pos, ReasonInvalid, "base64offset value %q: %v", raw, err)
				}
				next = append(next, qs...)
			case "utf16le", "wide":
				next = append(next, utf16Encode(p, false, false))
			case "utf16be":
				next = append(next, utf16Encode(p, true, false))
			case "utf16":
				next = append(next, utf16Encode(p, false, true))
			case "expand":
				next = append(next, p)
			}
		}
		if len(next) > maxExpansion {
			return nil, errAt(pos, ReasonModifier, "value %q %v", raw, errTooManyVariants)
		}
		ps = next
	}
	if !s.cased {
		for i, p := range ps {
			ps[i] = p.mapLiterals(foldString)
		}
	}
	return ps, nil
}
