package demo

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jw is an append-only JSON writer. It keeps key order exactly as written
// (the exports it imitates have a fixed member order) and inserts commas
// itself. A key of "" writes an array element instead of an object member.
type jw struct {
	b     []byte
	stack []byte // closing bracket of each open container
	comma []bool // whether the next member of each open container needs a comma
}

func (w *jw) reset() {
	w.b = w.b[:0]
	w.stack = w.stack[:0]
	w.comma = w.comma[:0]
}

// String returns the document written so far.
func (w *jw) String() string { return string(w.b) }

func (w *jw) pre(k string) {
	if n := len(w.comma); n > 0 {
		if w.comma[n-1] {
			w.b = append(w.b, ',')
		}
		w.comma[n-1] = true
	}
	if k != "" {
		w.b = appendJSONString(w.b, k)
		w.b = append(w.b, ':')
	}
}

func (w *jw) open(k string, c byte, closer byte) {
	w.pre(k)
	w.b = append(w.b, c)
	w.stack = append(w.stack, closer)
	w.comma = append(w.comma, false)
}

// obj opens an object (member k, or an array element when k is "").
func (w *jw) obj(k string) { w.open(k, '{', '}') }

// arr opens an array.
func (w *jw) arr(k string) { w.open(k, '[', ']') }

// end closes the innermost open container.
func (w *jw) end() {
	n := len(w.stack) - 1
	w.b = append(w.b, w.stack[n])
	w.stack = w.stack[:n]
	w.comma = w.comma[:n]
}

func (w *jw) str(k, v string) {
	w.pre(k)
	w.b = appendJSONString(w.b, v)
}

// strNull writes v, or null when v is empty.
func (w *jw) strNull(k, v string) {
	if v == "" {
		w.null(k)
		return
	}
	w.str(k, v)
}

func (w *jw) num(k string, v int64) {
	w.pre(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jw) float(k string, v float64) {
	w.pre(k)
	w.b = strconv.AppendFloat(w.b, v, 'f', -1, 64)
}

func (w *jw) boolean(k string, v bool) {
	w.pre(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) null(k string) {
	w.pre(k)
	w.b = append(w.b, "null"...)
}

func (w *jw) strs(k string, vs []string) {
	w.arr(k)
	for _, v := range vs {
		w.str("", v)
	}
	w.end()
}

// appendJSONString appends s as a JSON string literal. Non-ASCII text is
// kept as UTF-8; control characters and invalid bytes are escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonQuote returns s encoded as a JSON string literal, the way Entra audit
// logs store modifiedProperties values ("\"False\"", "\"AllPrincipals\"").
func jsonQuote(s string) string { return string(appendJSONString(nil, s)) }

// Timestamp layouts used by the exports.
const (
	// layout7 is Azure Monitor's 7-digit UTC form: 2026-11-16T09:30:20.1234567Z.
	layout7 = "2006-01-02T15:04:05.0000000Z"
	// layout7Offset is createdDateTime inside Azure Monitor records:
	// 2022-01-24T05:10:14.1875602+00:00 (elastic-integrations sample).
	layout7Offset = "2006-01-02T15:04:05.0000000+00:00"
	// layoutSec is Graph's signIn createdDateTime and CloudTrail's eventTime.
	layoutSec = "2006-01-02T15:04:05Z"
	// layoutUAL is UAL CreationTime: no zone, UTC implied.
	layoutUAL = "2006-01-02T15:04:05"
	// layoutK8s is the Kubernetes audit microsecond form.
	layoutK8s = "2006-01-02T15:04:05.000000Z"
	// layoutLACSV is the Log Analytics portal's CSV datetime form.
	layoutLACSV = "1/2/2006, 3:04:05.000 PM"
)

func ts(t time.Time, layout string) string { return t.UTC().Format(layout) }
