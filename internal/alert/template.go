package alert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Template is a compiled message or entity-attribute template: literal text
// with {{name|filter|…}} placeholders (docs/rule-attribute.md, "Templates").
type Template struct {
	src   string
	parts []tmplPart
}

// refKind says what a placeholder refers to.
type refKind uint8

const (
	refText      refKind = iota // literal text
	refField                    // a canonical field
	refCount                    // {{count}}
	refDistinct                 // {{distinct.F}}
	refValues                   // {{values.F}}
	refFirstSeen                // {{first_seen}}
	refLastSeen                 // {{last_seen}}
	refLevel                    // {{level}}
	refOption                   // {{options.NAME}}
	refTitle                    // {{rule.title}}
)

type tmplPart struct {
	kind    refKind
	text    string // literal text, or the field / option name
	filters []string
}

// templateFilters are the filters a placeholder may apply, in order.
var templateFilters = map[string]func(string) string{
	"name":   upnName,
	"domain": upnDomain,
	"lower":  strings.ToLower,
	"upper":  strings.ToUpper,
	"trim":   strings.TrimSpace,
}

// upnName returns the part of a user principal name before the first '@'
// (Sentinel's Name identifier: split(UPN, '@')[0]); the whole value when it
// has no '@'.
func upnName(s string) string {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		return s[:i]
	}
	return s
}

// upnDomain returns the part of a user principal name after the first '@'
// (Sentinel's UPNSuffix identifier), or "" when it has no '@'.
func upnDomain(s string) string {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// parseTemplate compiles src. Placeholders are {{name}} or
// {{name|filter|filter}}; whitespace around names and filters is ignored.
func parseTemplate(src string) (*Template, error) {
	t := &Template{src: src}
	rest := src
	for rest != "" {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, tmplPart{kind: refText, text: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tmplPart{kind: refText, text: rest[:i]})
		}
		rest = rest[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed placeholder %q", "{{"+rest)
		}
		p, err := parsePlaceholder(rest[:j])
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, p)
		rest = rest[j+2:]
	}
	return t, nil
}

func parsePlaceholder(in string) (tmplPart, error) {
	segs := strings.Split(in, "|")
	name := strings.TrimSpace(segs[0])
	if name == "" {
		return tmplPart{}, fmt.Errorf("empty placeholder {{%s}}", in)
	}
	if strings.ContainsAny(name, " \t\n{}") {
		return tmplPart{}, fmt.Errorf("bad placeholder name %q", name)
	}
	p := tmplPart{kind: refField, text: name}
	switch {
	case name == "count":
		p.kind = refCount
	case name == "first_seen":
		p.kind = refFirstSeen
	case name == "last_seen":
		p.kind = refLastSeen
	case name == "level":
		p.kind = refLevel
	case name == "rule.title":
		p.kind = refTitle
	case strings.HasPrefix(name, "distinct."):
		p.kind, p.text = refDistinct, strings.TrimPrefix(name, "distinct.")
	case strings.HasPrefix(name, "values."):
		p.kind, p.text = refValues, strings.TrimPrefix(name, "values.")
	case strings.HasPrefix(name, "options."):
		p.kind, p.text = refOption, strings.TrimPrefix(name, "options.")
	case strings.HasPrefix(name, "fields."):
		// fields.X reaches a field whose name is one of the reserved words.
		p.text = strings.TrimPrefix(name, "fields.")
	}
	if p.text == "" {
		return tmplPart{}, fmt.Errorf("placeholder {{%s}} names no field", in)
	}
	for _, f := range segs[1:] {
		f = strings.TrimSpace(f)
		if _, ok := templateFilters[f]; !ok {
			return tmplPart{}, fmt.Errorf("unknown filter %q in {{%s}} (want name, domain, lower, upper or trim)", f, in)
		}
		p.filters = append(p.filters, f)
	}
	return p, nil
}

// fields returns the canonical fields the template reads (field, distinct
// and values placeholders).
func (t *Template) fields() []string {
	var out []string
	for _, p := range t.parts {
		switch p.kind {
		case refField, refDistinct, refValues:
			out = append(out, p.text)
		}
	}
	return out
}

// aggregateFields returns the fields read through distinct. and values.
func (t *Template) aggregateFields() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == refDistinct || p.kind == refValues {
			out = append(out, p.text)
		}
	}
	return out
}

// fieldsOnly reports whether every placeholder is a plain field reference,
// as entity attributes require.
func (t *Template) fieldsOnly() bool {
	for _, p := range t.parts {
		if p.kind != refText && p.kind != refField {
			return false
		}
	}
	return true
}

// String returns the template's source.
func (t *Template) String() string { return t.src }

// tmplScope supplies placeholder values while rendering.
type tmplScope interface {
	field(name string) string
	count() int
	distinct(name string) int
	values(name string) []string
	firstSeen() time.Time
	lastSeen() time.Time
	level() Level
	option(name string) any
	title() string
}

// render expands the template in scope.
func (t *Template) render(sc tmplScope) string {
	if t == nil {
		return ""
	}
	if len(t.parts) == 1 && t.parts[0].kind == refField && len(t.parts[0].filters) == 0 {
		return sc.field(t.parts[0].text) // a bare field: no building
	}
	var b strings.Builder
	for _, p := range t.parts {
		var v string
		switch p.kind {
		case refText:
			b.WriteString(p.text)
			continue
		case refField:
			v = sc.field(p.text)
		case refCount:
			v = strconv.Itoa(sc.count())
		case refDistinct:
			v = strconv.Itoa(sc.distinct(p.text))
		case refValues:
			v = strings.Join(sc.values(p.text), ", ")
		case refFirstSeen:
			v = sc.firstSeen().UTC().Format(time.RFC3339)
		case refLastSeen:
			v = sc.lastSeen().UTC().Format(time.RFC3339)
		case refLevel:
			v = sc.level().String()
		case refOption:
			v = optionText(sc.option(p.text))
		case refTitle:
			v = sc.title()
		}
		for _, f := range p.filters {
			v = templateFilters[f](v)
		}
		b.WriteString(v)
	}
	return b.String()
}

// fieldScope renders field-only templates (entity attributes) against one
// match's field values.
type fieldScope map[string][]string

func (s fieldScope) field(name string) string {
	if v := s[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}
func (fieldScope) count() int             { return 0 }
func (fieldScope) distinct(string) int    { return 0 }
func (fieldScope) values(string) []string { return nil }
func (fieldScope) firstSeen() time.Time   { return time.Time{} }
func (fieldScope) lastSeen() time.Time    { return time.Time{} }
func (fieldScope) level() Level           { return LevelInformational }
func (fieldScope) option(string) any      { return nil }
func (fieldScope) title() string          { return "" }
