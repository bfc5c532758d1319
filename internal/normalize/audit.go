package normalize

// The canonical Entra directory audit: the Microsoft Graph directoryAudit
// resource (api-reference/v1.0/resources/directoryaudit.md in
// microsoftgraph/microsoft-graph-docs-contrib). Every audit shape builds or
// borrows a document of that shape and hands it to finishAudit, which fixes
// the traps of reference/detections.md §1.1.

import (
	"bytes"
	"unicode/utf8"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// finishAudit completes a canonical directory-audit document and fills ev:
//   - activityDisplayName normalised (normalizeActivity);
//   - result lower-case, numeric results named;
//   - activityDateTime (or the fallback time) in UTC RFC 3339;
//   - each target's "Type" spelled "type", its modifiedProperties values
//     JSON-decoded, and modifiedPropertiesByName added.
func (n *Normalizer) finishAudit(doc *fastjson.Value, ev *event.Event, fallbackTime *fastjson.Value, ual bool) {
	ev.Kind = event.KindEntraAudit
	ev.Doc = doc

	if name := stringBytes(doc.Get("activityDisplayName")); name != nil {
		if fixed, changed := normalizeActivity(name, ual); changed {
			doc.Set("activityDisplayName", n.newText(fixed))
		}
	}
	n.fixResult(doc)

	t, ok := n.canonicalizeTime(doc, "activityDateTime")
	if !ok {
		if t, ok = timestampOf(fallbackTime); ok {
			doc.Set("activityDateTime", n.canonicalTime(t))
		}
	}
	if ok {
		ev.Time = t
	}
	for _, target := range doc.GetArray("targetResources") {
		if target.Type() == fastjson.TypeObject {
			n.fixTarget(target)
		}
	}
	if id := stringBytes(doc.Get("id")); len(id) > 0 {
		ev.ID = string(id)
	}
	if c := stringBytes(doc.Get("category")); len(c) > 0 {
		ev.Subtype = string(c)
	}
}

// normalizeActivity returns an activity name with U+2013 and U+2014 dashes
// turned into "-", surrounding white space trimmed and, for UAL records,
// the trailing period removed: "Update application – Certificates and
// secrets management " becomes "Update application - Certificates and
// secrets management", "Consent to application." becomes "Consent to
// application". changed is false when the name is already normal.
func normalizeActivity(name []byte, ual bool) (fixed []byte, changed bool) {
	hasDash := bytes.Contains(name, []byte("\u2013")) || bytes.Contains(name, []byte("\u2014"))
	trimmed := bytes.TrimSpace(name)
	if ual {
		trimmed = bytes.TrimSpace(bytes.TrimSuffix(trimmed, []byte(".")))
	}
	if !hasDash {
		return trimmed, len(trimmed) != len(name)
	}
	out := make([]byte, 0, len(trimmed))
	for len(trimmed) > 0 {
		r, size := utf8.DecodeRune(trimmed)
		if r == '\u2013' || r == '\u2014' {
			out = append(out, '-')
		} else {
			out = append(out, trimmed[:size]...)
		}
		trimmed = trimmed[size:]
	}
	return out, true
}

// operationResults names the Graph operationResult enum members, which old
// Azure Monitor records carry as numbers ("result": 0).
var operationResults = [...]string{"success", "failure", "timeout", "unknownFutureValue"}

// fixResult lower-cases result ("SUCCESS", UAL "Success") and names numeric
// results.
func (n *Normalizer) fixResult(doc *fastjson.Value) {
	r := doc.Get("result")
	if r == nil {
		return
	}
	if i, ok := integerOf(r); ok && r.Type() == fastjson.TypeNumber {
		if i >= 0 && int(i) < len(operationResults) {
			doc.Set("result", n.Arena.NewString(operationResults[i]))
		}
		return
	}
	b := stringBytes(r)
	if b == nil {
		return
	}
	lower := bytes.ToLower(bytes.TrimSpace(b))
	switch string(lower) {
	case "succeeded":
		lower = []byte("success")
	case "failed":
		lower = []byte("failure")
	case "unknownfuturevalue":
		lower = []byte("unknownFutureValue")
	}
	if !bytes.Equal(lower, b) {
		doc.Set("result", n.newText(lower))
	}
}

// fixTarget normalises one targetResources element.
func (n *Normalizer) fixTarget(target *fastjson.Value) {
	// Graph's own directoryAudit example spells the member "Type".
	if target.Get("type") == nil {
		if t := target.Get("Type"); t != nil {
			target.Del("Type")
			target.Set("type", t)
		}
	}
	props := target.Get("modifiedProperties")
	if props == nil || props.Type() != fastjson.TypeArray {
		return
	}
	byName := n.Arena.NewObject()
	for _, p := range props.GetArray() {
		if p.Type() != fastjson.TypeObject {
			continue
		}
		oldV := n.decodeModified(p.Get("oldValue"))
		newV := n.decodeModified(p.Get("newValue"))
		if oldV != nil {
			p.Set("oldValue", oldV)
		}
		if newV != nil {
			p.Set("newValue", newV)
		}
		name := stringBytes(p.Get("displayName"))
		if len(name) == 0 || byName.Get(string(name)) != nil {
			continue
		}
		pair := n.Arena.NewObject()
		pair.Set("oldValue", oldV)
		pair.Set("newValue", newV)
		byName.Set(string(name), pair)
	}
	target.Set("modifiedPropertiesByName", byName)
}

// decodeModified decodes a modifiedProperties oldValue/newValue, which
// Entra writes as JSON text: a JSON string becomes its content
// ("\"False\"" → "False"), a JSON array an array of strings (string
// elements as they are, other elements as compact JSON text, so
// "[true]" → ["true"] and the pretty-printed UAL "[\r\n  true\r\n]" the
// same). Anything else (plain text, invalid JSON, JSON objects and scalars,
// null) is returned unchanged. nil in, nil out.
func (n *Normalizer) decodeModified(v *fastjson.Value) *fastjson.Value {
	b := stringBytes(v)
	if b == nil {
		return v
	}
	t := bytes.TrimSpace(b)
	if len(t) < 2 || (t[0] != '"' && t[0] != '[') {
		return v
	}
	p, err := n.embedded(t)
	if err != nil {
		return v
	}
	switch p.Type() {
	case fastjson.TypeString:
		return p
	case fastjson.TypeArray:
		items := p.GetArray()
		out := n.Arena.NewArray()
		var scratch []byte
		for i, it := range items {
			if it.Type() != fastjson.TypeString {
				scratch = appendCanonical(scratch[:0], it)
				it = n.newText(scratch)
			}
			out.SetArrayItem(i, it)
		}
		return out
	}
	return v
}
