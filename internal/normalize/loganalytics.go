package normalize

// Log Analytics (Microsoft Sentinel) exports of the Entra tables, as JSON
// (query API, Sentinel export) or CSV (portal "Export to CSV", rows arriving
// as JSON objects of strings). Columns are PascalCase; the Type column names
// the table; dynamic columns are objects or JSON text; CSV headers of
// datetime columns may carry a " [UTC]" suffix ("TimeGenerated [UTC]");
// ResultType is a string. Column lists: MicrosoftDocs/azure-reference-other
// azure-monitor-ref/tables/includes/{signinlogs,aadnoninteractiveusersigninlogs,
// aadserviceprincipalsigninlogs,aadmanagedidentitysigninlogs,auditlogs}-include.md.

import (
	"bytes"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatLogAnalytics,
		kind:      event.KindEntraSignIn,
		priority:  30,
		detect:    isLogAnalyticsSignIn,
		normalize: normalizeLogAnalyticsSignIn,
	})
	register(shape{
		format:    formatLogAnalytics,
		kind:      event.KindEntraAudit,
		priority:  31,
		detect:    isLogAnalyticsAudit,
		normalize: normalizeLogAnalyticsAudit,
	})
}

// utcSuffix is what Log Analytics CSV exports append to datetime headers.
const utcSuffix = " [UTC]"

// laColumn is a Log Analytics column name without the " [UTC]" suffix.
func laColumn(k []byte) []byte {
	return bytes.TrimSuffix(k, []byte(utcSuffix))
}

// laGet returns column name of row v, with or without the " [UTC]" suffix.
func laGet(v *fastjson.Value, name string) *fastjson.Value {
	if x := v.Get(name); x != nil {
		return x
	}
	return v.Get(name + utcSuffix)
}

// laTable returns the Type column, the table name.
func laTable(v *fastjson.Value) []byte {
	return stringBytes(v.Get("Type"))
}

// isLogAnalyticsRow reports whether v looks like a Log Analytics row: a
// TimeGenerated or Type column, and no Azure Monitor envelope.
func isLogAnalyticsRow(v *fastjson.Value) bool {
	return v.Get("properties") == nil && (laGet(v, "TimeGenerated") != nil || v.Get("Type") != nil)
}

// isLogAnalyticsSignIn recognises rows of the sign-in tables, by the Type
// column, or, when a query projected it away, by the sign-in columns.
func isLogAnalyticsSignIn(v *fastjson.Value, _ ingest.Container) bool {
	if t := laTable(v); t != nil {
		_, ok := signInTables[string(t)]
		return ok
	}
	if !isLogAnalyticsRow(v) {
		return false
	}
	if c := stringBytes(v.Get("Category")); c != nil {
		if _, ok := signInCategories[string(c)]; ok {
			return true
		}
	}
	return isString(v.Get("OperationName"), "Sign-in activity") || laGet(v, "CreatedDateTime") != nil
}

// isLogAnalyticsAudit recognises AuditLogs rows likewise.
func isLogAnalyticsAudit(v *fastjson.Value, _ ingest.Container) bool {
	if t := laTable(v); t != nil {
		return string(t) == "AuditLogs"
	}
	return isLogAnalyticsRow(v) && (v.Get("ActivityDisplayName") != nil ||
		laGet(v, "ActivityDateTime") != nil || v.Get("AADOperationType") != nil)
}

// colKind says how a column's value is converted.
type colKind uint8

const (
	colText colKind = iota // copied as it is
	colDyn                 // dynamic: an object or array, or JSON text of one
	colBool                // bool, or "true"/"false" text
	colInt                 // long/int, or digit text
	colDrop                // Log Analytics bookkeeping with no canonical field
)

// laCol maps a column onto a canonical member.
type laCol struct {
	to   string
	kind colKind
}

// convertRow builds the canonical object of a row: each column renamed by
// cols (an unknown column keeps its name with the first letter lowered),
// typed by its kind, and empty CSV cells of typed columns left out.
// Columns whose name begins with "_" (_ResourceId, _BilledSize, …) are
// dropped. A target already holding a non-empty value is not overwritten
// (two columns may feed one member).
func (n *Normalizer) convertRow(v *fastjson.Value, cols map[string]laCol) *fastjson.Value {
	doc := n.Arena.NewObject()
	o, err := v.Object()
	if err != nil {
		return doc
	}
	o.Visit(func(k []byte, x *fastjson.Value) {
		name := laColumn(k)
		if len(name) == 0 || name[0] == '_' {
			return
		}
		c, known := cols[string(name)]
		if !known {
			c = laCol{to: lowerFirst(name), kind: colDyn}
		}
		var out *fastjson.Value
		switch c.kind {
		case colDrop:
			return
		case colText:
			out = x
		case colDyn:
			out = n.dynamicValue(x, known)
		case colBool:
			if b, ok := booleanOf(x); ok {
				out = n.Arena.NewFalse()
				if b {
					out = n.Arena.NewTrue()
				}
			} else if !isBlank(x) {
				out = x
			}
		case colInt:
			if i, ok := integerOf(x); ok {
				out = n.Arena.NewNumberInt(int(i))
			} else if !isBlank(x) {
				out = x
			}
		}
		if out != nil && isBlank(doc.Get(c.to)) {
			doc.Set(c.to, out)
		}
	})
	return doc
}

// dynamicValue decodes a dynamic column exported as JSON text. Text that
// does not parse stays text; an empty cell of a known dynamic column is
// left out. For unknown columns only text that looks like an object or an
// array is tried.
func (n *Normalizer) dynamicValue(x *fastjson.Value, known bool) *fastjson.Value {
	b := stringBytes(x)
	if b == nil {
		return x
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		if known {
			return nil
		}
		return x
	}
	if t[0] != '{' && t[0] != '[' {
		return x
	}
	p, err := n.embedded(t)
	if err != nil {
		return x
	}
	return p
}

// lowerFirst returns name with its first letter lower-cased
// ("ClientCredentialType" → "clientCredentialType"), as a new string.
func lowerFirst(name []byte) string {
	s := []byte(string(name))
	if len(s) > 0 && 'A' <= s[0] && s[0] <= 'Z' {
		s[0] += 'a' - 'A'
	}
	return string(s)
}
