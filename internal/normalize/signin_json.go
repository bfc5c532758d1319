package normalize

// JSON helpers shared by the Entra shapes (sign-in and directory audit, in
// every export format).

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// foldMember returns the member key of object v: an exact match first, then an
// ASCII case-insensitive one (Panther's Azure Monitor records spell the
// envelope "operationname", "resulttype", "calleripaddress"; the Microsoft
// ones "Level" and "level").
func foldMember(v *fastjson.Value, key string) *fastjson.Value {
	if v == nil {
		return nil
	}
	if x := v.Get(key); x != nil {
		return x
	}
	o, err := v.Object()
	if err != nil {
		return nil
	}
	var found *fastjson.Value
	o.Visit(func(k []byte, x *fastjson.Value) {
		if found == nil && asciiEqualFold(k, key) {
			found = x
		}
	})
	return found
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// stringBytes returns the bytes of v when it is a JSON string, else nil.
func stringBytes(v *fastjson.Value) []byte {
	if v == nil || v.Type() != fastjson.TypeString {
		return nil
	}
	return v.GetStringBytes()
}

// isString reports whether v is the JSON string s.
func isString(v *fastjson.Value, s string) bool {
	b := stringBytes(v)
	return b != nil && string(b) == s
}

// isPresent reports whether v exists and is not null.
func isPresent(v *fastjson.Value) bool {
	return v != nil && v.Type() != fastjson.TypeNull
}

// isBlank reports whether v is missing, null, "", [] or {}.
func isBlank(v *fastjson.Value) bool {
	if v == nil {
		return true
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return true
	case fastjson.TypeString:
		return len(v.GetStringBytes()) == 0
	case fastjson.TypeArray:
		return len(v.GetArray()) == 0
	case fastjson.TypeObject:
		o, _ := v.Object()
		return o.Len() == 0
	}
	return false
}

// viewString views b as a string without copying. The string must not outlive b
// nor be retained: it is only passed to parsers that do not keep it.
func viewString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// integerOf returns v as an integer: integral JSON numbers, and strings of
// an optional sign and digits (UAL "ErrorNumber": "50126", Azure Monitor
// "resultType": "50140", Log Analytics "AutonomousSystemNumber": "8075").
func integerOf(v *fastjson.Value) (int64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		f, err := v.Float64()
		if err != nil || f != float64(int64(f)) {
			return 0, false
		}
		return int64(f), true
	case fastjson.TypeString:
		b := bytes.TrimSpace(v.GetStringBytes())
		if len(b) == 0 || len(b) > 19 {
			return 0, false
		}
		i, err := strconv.ParseInt(viewString(b), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// booleanOf returns v as a boolean: JSON booleans and the strings "true" /
// "false" in any case (CSV exports).
func booleanOf(v *fastjson.Value) (bool, bool) {
	if v == nil {
		return false, false
	}
	switch v.Type() {
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	case fastjson.TypeString:
		b := bytes.TrimSpace(v.GetStringBytes())
		switch {
		case asciiEqualFold(b, "true"):
			return true, true
		case asciiEqualFold(b, "false"):
			return false, true
		}
	}
	return false, false
}

// timestampOf parses a timestamp value (string in any supported layout, or an
// epoch number) without allocating for strings.
func timestampOf(v *fastjson.Value) (time.Time, bool) {
	if v == nil {
		return time.Time{}, false
	}
	if v.Type() == fastjson.TypeString {
		return ParseTime(viewString(v.GetStringBytes()))
	}
	return TimeValue(v)
}

// canonicalTime returns t as a canonical timestamp value: RFC 3339 in UTC with
// the fraction as precise as the source gave it.
func (n *Normalizer) canonicalTime(t time.Time) *fastjson.Value {
	var buf [40]byte
	return n.Arena.NewStringBytes(appendCanonicalTime(buf[:0], t))
}

// appendCanonicalTime appends t's canonical text (canonicalTime's).
func appendCanonicalTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, time.RFC3339Nano)
}

// canonicalizeTime rewrites obj[key] to the canonical UTC form and returns the time.
// A value that does not parse is left as it is.
func (n *Normalizer) canonicalizeTime(obj *fastjson.Value, key string) (time.Time, bool) {
	v := obj.Get(key)
	if v != nil && v.Type() == fastjson.TypeString {
		s := viewString(v.GetStringBytes())
		if t, ok := parseUTC(s); ok && canonicalFraction(s) {
			return t, true // already canonical (the usual case): nothing to rewrite
		}
	}
	t, ok := timestampOf(v)
	if !ok {
		return t, ok
	}
	var buf [40]byte
	canon := appendCanonicalTime(buf[:0], t)
	if v.Type() == fastjson.TypeString && string(v.GetStringBytes()) == string(canon) {
		return t, ok // already canonical (the usual case): nothing to rewrite
	}
	obj.Set(key, n.Arena.NewStringBytes(canon))
	return t, ok
}

// integerize rewrites obj[key] to a JSON integer when it holds an integer in a
// string; other values are left alone.
func (n *Normalizer) integerize(obj *fastjson.Value, key string) {
	v := obj.Get(key)
	if v == nil || v.Type() != fastjson.TypeString {
		return
	}
	if i, ok := integerOf(v); ok {
		obj.Set(key, n.Arena.NewNumberInt(int(i)))
	}
}

// setWhenBlank sets obj[key] = val when obj has no non-empty value there.
func setWhenBlank(obj *fastjson.Value, key string, val *fastjson.Value) {
	if !isPresent(val) || !isBlank(obj.Get(key)) {
		return
	}
	obj.Set(key, val)
}

// keepLastDuplicate removes earlier copies of keys repeated in object v, keeping
// the last one as encoding/json does (Microsoft's Graph examples repeat
// uniqueTokenIdentifier, homeTenantId and isTenantRestricted).
func keepLastDuplicate(v *fastjson.Value) {
	o, err := v.Object()
	if err != nil || o.Len() < 2 {
		return
	}
	var seen map[string]int
	var dups []string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if seen == nil {
			seen = make(map[string]int, o.Len())
		}
		s := string(k)
		seen[s]++
		if seen[s] == 2 {
			dups = append(dups, s)
		}
	})
	for _, d := range dups {
		for ; seen[d] > 1; seen[d]-- {
			o.Del(d)
		}
	}
}

// objectOf returns v when it is an object, or the object a JSON string
// holds (dynamic columns exported as text), or nil.
func (n *Normalizer) objectOf(v *fastjson.Value) *fastjson.Value {
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeObject:
		return v
	case fastjson.TypeString:
		b := bytes.TrimSpace(v.GetStringBytes())
		if len(b) == 0 || b[0] != '{' {
			return nil
		}
		p, err := n.embedded(b)
		if err != nil || p.Type() != fastjson.TypeObject {
			return nil
		}
		return p
	}
	return nil
}

// newText returns a string value holding b that marshals to valid JSON.
// fastjson escapes strings with strconv.AppendQuote, which writes Go
// escapes (\x01, \a, \U0001F600 for unprintable runes, \xff for invalid
// UTF-8) that JSON does not have; text that would take that path is
// escaped here instead and handed to fastjson as already-escaped JSON. (A
// string value that is read with Type or GetStringBytes is unescaped in
// place and written with AppendQuote again: only a marshaller of its own,
// such as appendCanonical, fixes that for every value.)
func (n *Normalizer) newText(b []byte) *fastjson.Value {
	if plainText(b) {
		return n.Arena.NewStringBytes(b)
	}
	// The parsed value must stay raw (no Type call here): fastjson would
	// unescape it and write it back with AppendQuote.
	v, err := n.ParseEmbedded(appendJSONString(nil, b))
	if err != nil {
		return n.Arena.NewStringBytes(b)
	}
	return v
}

// plainText reports whether fastjson writes b verbatim: valid UTF-8 with no
// quote, backslash or control character.
func plainText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}

var errInvalidEmbedded = errors.New("invalid JSON text")

// embedded parses JSON text held in a string of the record. fastjson
// accepts some invalid JSON ("00", "."), which would then be written out as
// is, so the text is validated first.
func (n *Normalizer) embedded(b []byte) (*fastjson.Value, error) {
	if !json.Valid(b) {
		return nil, errInvalidEmbedded
	}
	return n.ParseEmbedded(b)
}

// appendJSONString appends s as a JSON string (see event.AppendJSONString).
func appendJSONString(dst, s []byte) []byte { return event.AppendJSONString(dst, s) }

// appendCanonical appends v as compact, valid JSON (see event.AppendJSON).
func appendCanonical(dst []byte, v *fastjson.Value) []byte { return event.AppendJSON(dst, v) }
