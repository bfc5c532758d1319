package compile

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// A slot holds the values of one canonical field path for the current
// event. Each kind numbers the union of the paths its rules reference; a
// Matcher resolves a slot on its first use for an event (with event.Each,
// so arrays at any level yield every element) and predicates index slots.
type slot struct {
	gen  uint32 // the event generation the slot was resolved for
	vals []val
}

// val is one value of a slot, with its text, folded text and number
// computed lazily and cached for the event.
type val struct {
	v     *fastjson.Value
	typ   fastjson.Type
	flags uint8
	text  []byte
	fold  []byte
	num   float64
}

const (
	hasText uint8 = 1 << iota
	hasFold
	hasNum
	numOK
)

var (
	textTrue  = []byte("true")
	textFalse = []byte("false")
)

// text returns the value as text: strings unquoted, numbers as written,
// booleans as true/false, objects and arrays as compact JSON, null as nil.
func (m *Matcher) text(x *val) []byte {
	if x.flags&hasText != 0 {
		return x.text
	}
	x.flags |= hasText
	switch x.typ {
	case fastjson.TypeString:
		x.text = x.v.GetStringBytes()
	case fastjson.TypeTrue:
		x.text = textTrue
	case fastjson.TypeFalse:
		x.text = textFalse
	case fastjson.TypeNull:
		x.text = nil
	default:
		start := len(m.buf)
		m.buf = x.v.MarshalTo(m.buf)
		x.text = m.buf[start:len(m.buf):len(m.buf)]
	}
	return x.text
}

// folded returns the case-folded text of the value.
func (m *Matcher) folded(x *val) []byte {
	if x.flags&hasFold != 0 {
		return x.fold
	}
	x.flags |= hasFold
	t := m.text(x)
	if !needsFold(t) {
		x.fold = t
		return t
	}
	start := len(m.buf)
	m.buf = appendFold(m.buf, t)
	x.fold = m.buf[start:len(m.buf):len(m.buf)]
	return x.fold
}

// number returns the value as a number: JSON numbers, and strings that read
// as a decimal number.
func (m *Matcher) number(x *val) (float64, bool) {
	if x.flags&hasNum == 0 {
		x.flags |= hasNum
		switch x.typ {
		case fastjson.TypeNumber:
			if f, err := x.v.Float64(); err == nil {
				x.num = f
				x.flags |= numOK
			}
		case fastjson.TypeString:
			if f, ok := parseDecimal(m.text(x)); ok {
				x.num = f
				x.flags |= numOK
			}
		}
	}
	return x.num, x.flags&numOK != 0
}

// slot returns slot i of the current event's kind, resolving it first if
// needed.
func (m *Matcher) slot(i int) *slot {
	s := &m.slots[i]
	if s.gen != m.gen {
		s.gen = m.gen
		s.vals = s.vals[:0]
		if m.ev.Doc != nil {
			m.resolve(s, m.ev.Doc, m.kt.paths[i], m.kt.dotted[i], 0)
		}
	}
	return s
}

// resolve appends the values at path p[from:] of v to s. It has exactly
// the semantics of event.Each (arrays at any level yield every element; a
// missing key is retried joined with the following segments, for keys
// that contain dots) but uses the joined keys precomputed per slot, so it
// neither allocates nor calls back.
func (m *Matcher) resolve(s *slot, v *fastjson.Value, p event.Path, dotted [][]string, from int) {
	for i := from; i < len(p); i++ {
		if v == nil {
			return
		}
		switch v.Type() {
		case fastjson.TypeObject:
			next := v.Get(p[i])
			if next == nil {
				for j := i + 1; j < len(p); j++ {
					if next = v.Get(dotted[i][j-i-1]); next != nil {
						i = j
						break
					}
				}
			}
			v = next
		case fastjson.TypeArray:
			arr, _ := v.Array()
			for _, el := range arr {
				m.resolve(s, el, p, dotted, i)
			}
			return
		default:
			return
		}
	}
	if v == nil {
		return
	}
	if v.Type() == fastjson.TypeArray {
		arr, _ := v.Array()
		for _, el := range arr {
			s.vals = append(s.vals, val{v: el, typ: el.Type()})
		}
		return
	}
	s.vals = append(s.vals, val{v: v, typ: v.Type()})
}

// present reports whether the field of slot i exists in the event, even
// when its value is null, empty or an empty array.
func (m *Matcher) present(i int) bool {
	if len(m.slot(i).vals) > 0 {
		return true
	}
	p := m.kt.paths[i]
	if m.ev.Doc == nil || len(p) == 0 {
		return false
	}
	// Only an empty array yields no values while present: look for the key
	// on the parent objects.
	found := false
	last := p[len(p)-1]
	check := func(parent *fastjson.Value) bool {
		if parent.Type() == fastjson.TypeObject && parent.Get(last) != nil {
			found = true
			return false
		}
		return true
	}
	if len(p) == 1 {
		check(m.ev.Doc)
	} else {
		event.Each(m.ev.Doc, p[:len(p)-1], check)
	}
	return found
}

// keywords returns every scalar value of the current event's document (the
// values a keyword search looks at), resolved once per event.
func (m *Matcher) keywords() []val {
	if m.kwGen != m.gen {
		m.kwGen = m.gen
		m.kw = m.kw[:0]
		if m.ev.Doc != nil {
			m.walk(m.ev.Doc, 0)
		}
	}
	return m.kw
}

// maxWalkDepth bounds the keyword walk on pathological documents.
const maxWalkDepth = 64

func (m *Matcher) walk(v *fastjson.Value, depth int) {
	if depth > maxWalkDepth {
		return
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(_ []byte, x *fastjson.Value) { m.walk(x, depth+1) })
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, x := range a {
			m.walk(x, depth+1)
		}
	case fastjson.TypeNull:
	default:
		m.kw = append(m.kw, val{v: v, typ: v.Type()})
	}
}
