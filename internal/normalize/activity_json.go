package normalize

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// JSON helpers shared by the non-Entra shapes (Azure Activity, Key Vault,
// M365 unified audit, CloudTrail, Kubernetes, application inventory).

// getFold returns the value of key name in object o, matching the key
// exactly first and then case-insensitively; nil when absent or when o is
// not an object.
func getFold(o *fastjson.Value, name string) *fastjson.Value {
	if o == nil || o.Type() != fastjson.TypeObject {
		return nil
	}
	if v := o.Get(name); v != nil {
		return v
	}
	obj, _ := o.Object()
	var found *fastjson.Value
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if found == nil && equalFoldASCII(k, name) {
			found = v
		}
	})
	return found
}

// equalFoldASCII reports whether b equals s ignoring ASCII case, without
// converting b to a string.
func equalFoldASCII(b []byte, s string) bool {
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

// strOf returns v as a string when it is a JSON string, else "".
func strOf(v *fastjson.Value) string {
	if v == nil || v.Type() != fastjson.TypeString {
		return ""
	}
	return string(v.GetStringBytes())
}

// hasKey reports whether object o has key name (exact match).
func hasKey(o *fastjson.Value, name string) bool { return o != nil && o.Get(name) != nil }

// embeddedJSON parses v when it is a string holding a JSON object or array
// (Log Analytics dynamic columns, CloudTrail policy documents, Azure
// Activity request bodies). It returns nil when v is not such a string or
// does not parse.
func (n *Normalizer) embeddedJSON(v *fastjson.Value) *fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeString {
		return nil
	}
	t := bytes.TrimSpace(v.GetStringBytes())
	if len(t) < 2 || (t[0] != '{' && t[0] != '[') {
		return nil
	}
	p, err := n.ParseEmbedded(t)
	if err != nil {
		return nil
	}
	return p
}

// strBytes returns the bytes of v when it is a JSON string, else nil. They
// are the parser's: do not keep them.
func strBytes(v *fastjson.Value) []byte {
	if v == nil || v.Type() != fastjson.TypeString {
		return nil
	}
	return v.GetStringBytes()
}

// foldStr reports whether v is a JSON string equal to s ignoring ASCII
// case.
func foldStr(v *fastjson.Value, s string) bool {
	b := strBytes(v)
	return b != nil && equalFoldASCII(b, s)
}

// containsFold reports whether b contains the lower-case ASCII substr,
// ignoring the case of b.
func containsFold(b []byte, substr string) bool {
	for i := 0; i+len(substr) <= len(b); i++ {
		if equalFoldASCII(b[i:i+len(substr)], substr) {
			return true
		}
	}
	return false
}

// isStr reports whether v is the JSON string s (without allocating).
func isStr(v *fastjson.Value, s string) bool {
	return v != nil && v.Type() == fastjson.TypeString && string(v.GetStringBytes()) == s
}

// jsonOrSelf returns the parsed value of an embedded-JSON string, or v
// itself.
func (n *Normalizer) jsonOrSelf(v *fastjson.Value) *fastjson.Value {
	if p := n.embeddedJSON(v); p != nil {
		return p
	}
	return v
}

// intOf returns v as an integer: a JSON number, or a string of digits
// (optionally signed). ok is false otherwise.
func intOf(v *fastjson.Value) (int, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		f := v.GetFloat64()
		if f != float64(int(f)) {
			return 0, false
		}
		return int(f), true
	case fastjson.TypeString:
		i, err := strconv.Atoi(strings.TrimSpace(string(v.GetStringBytes())))
		return i, err == nil
	}
	return 0, false
}

// numberOrSelf turns a string holding a decimal number into a JSON number
// (the text is kept, so no precision is lost); other values are returned
// unchanged.
func (n *Normalizer) numberOrSelf(v *fastjson.Value) *fastjson.Value {
	s := strings.TrimSpace(strOf(v))
	if !isJSONNumber(s) {
		return v
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return v // out of range
	}
	return n.Arena.NewNumberString(s)
}

// isJSONNumber reports whether s is a JSON number literal:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// boolOrSelf turns "true"/"false" strings (any case) into JSON booleans.
func (n *Normalizer) boolOrSelf(v *fastjson.Value) *fastjson.Value {
	switch strings.ToLower(strings.TrimSpace(strOf(v))) {
	case "true":
		return n.Arena.NewTrue()
	case "false":
		return n.Arena.NewFalse()
	}
	return v
}

// isEmptyCell reports whether a Log Analytics value is absent: null or an
// empty string (CSV exports write every column, empty when unset).
func isEmptyCell(v *fastjson.Value) bool {
	if v == nil {
		return true
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return true
	case fastjson.TypeString:
		return len(v.GetStringBytes()) == 0
	}
	return false
}

// keyIndex maps the lower-cased spelling of documented field names to
// their documented spelling.
type keyIndex map[string]string

// lowerIndex builds the index canonKeys uses.
func lowerIndex(names ...string) keyIndex {
	m := make(keyIndex, len(names))
	for _, s := range names {
		m[strings.ToLower(s)] = s
	}
	return m
}

// documented returns the documented spelling of key k, or "" when k is not
// a documented name in any case.
func (ix keyIndex) documented(k []byte) string {
	var buf [64]byte
	if len(k) > len(buf) {
		return ix[strings.ToLower(string(k))]
	}
	lb := buf[:len(k)]
	for i, c := range k {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lb[i] = c
	}
	return ix[string(lb)]
}

// canonKeys returns object o with its keys renamed to their documented
// spelling when they match a documented name case-insensitively (Panther's
// lower-cased samples: "eventname", "creationtime"). A key already in its
// documented spelling wins over case variants of the same name. When no key
// needs renaming, o itself is returned.
func (n *Normalizer) canonKeys(o *fastjson.Value, ix keyIndex) *fastjson.Value {
	obj, err := o.Object()
	if err != nil {
		return o
	}
	rename := false
	obj.Visit(func(k []byte, _ *fastjson.Value) {
		if !rename {
			if d := ix.documented(k); d != "" && d != string(k) {
				rename = true
			}
		}
	})
	if !rename {
		return o
	}
	out := n.Arena.NewObject()
	obj.Visit(func(k []byte, v *fastjson.Value) {
		key := string(k)
		if d := ix.documented(k); d != "" && d != key {
			if o.Get(d) != nil {
				return // the documented spelling is present too: keep it
			}
			key = d
		}
		if out.Get(key) == nil {
			out.Set(key, v)
		}
	})
	return out
}

// pantherLogType reports whether v has the p_log_type column Panther adds
// to every row of its data-lake exports, with the given value
// ("AWS.CloudTrail", "Amazon.EKS.Audit", …).
func pantherLogType(v *fastjson.Value, logType string) bool {
	return isStr(v.Get("p_log_type"), logType)
}

// arrayOf returns the elements of v when it is a JSON array, else nil
// (fastjson's Array panics on a nil value).
func arrayOf(v *fastjson.Value) []*fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	arr, _ := v.Array()
	return arr
}

// laColumnName returns the Log Analytics column name with the " [UTC]" suffix
// that portal CSV exports add to datetime columns ("TimeGenerated [UTC]")
// removed.
func laColumnName(k []byte) string {
	return strings.TrimSuffix(string(k), " [UTC]")
}

// laCell returns column name of a Log Analytics row, also under its
// portal CSV spelling with the " [UTC]" suffix.
func laCell(row *fastjson.Value, name string) *fastjson.Value {
	if v := row.Get(name); v != nil {
		return v
	}
	return row.Get(name + " [UTC]")
}

// setUTCTime rewrites the timestamp at obj[key] in layout, in UTC, and
// returns it; a value that does not parse is left as it is.
func (n *Normalizer) setUTCTime(obj *fastjson.Value, key, layout string) (time.Time, bool) {
	t, ok := TimeValue(obj.Get(key))
	if !ok {
		return t, false
	}
	var buf [40]byte
	obj.Set(key, n.Arena.NewStringBytes(t.UTC().AppendFormat(buf[:0], layout)))
	return t.UTC(), true
}
