package normalize

// Hawk's "Simple_*" unified audit log files (T0pCyber/hawk): the results
// of Search-UnifiedAuditLog passed through Get-SimpleUnifiedAuditLog and
// written by Out-MultipleFileType as CSV and JSON (Simple_New_InboxRule,
// Simple_Forwarding_Changes, Simple_User_Inbox_Rules_Modification,
// Exchange_UAL_Audit, Simple_eDiscoveryLogs, …). The function replaces the
// AuditData column by its content, in one of two layouts
// (Hawk/internal/functions/Get-SimpleUnifiedAuditLog.ps1):
//
//   - before v2.0: the wrapper columns (RecordType as a name, CreationDate,
//     UserIds, Operations, ResultIndex, ResultCount, Identity, IsValid,
//     ObjectState), AuditCreationTime, AuditId and AuditRecordType for the
//     record's own CreationTime, Id and RecordType, AADSessionId,
//     AppAccessContextIssuedAtTime and AppAccessContextUniqueTokenId for
//     AppAccessContext, the other AuditData members under their names,
//     Param_<Name> per Exchange cmdlet parameter and Parameters as
//     "Name=Value | …" text;
//   - v2.0 (December 2024): the wrapper columns and AuditData flattened
//     with "_": nested members as AppAccessContext_AADSessionId, arrays of
//     objects as ExtendedProperties_0_Name, ExtendedProperties_0_Value,
//     arrays of plain values joined with "|", Param_<Name> per parameter,
//     ParameterString and FullCommand.
//
// This shape folds the record back (Param_* into the Parameters name/value
// list, "_" paths into objects and arrays) and hands it to the unified
// audit log shapes; the event's format is "hawk". It runs at priority 35,
// before the UAL shapes (40, 41, 80), which would otherwise take the v2.0
// rows with their property bags flattened out of reach; its detector is
// strict: only Search-UnifiedAuditLog results carry ResultIndex and UserIds
// beside the audit record's members, and rows still holding AuditData
// belong to the Purview shape.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

const formatHawk = "hawk"

func init() {
	register(shape{
		format:    formatHawk,
		kind:      event.KindM365Audit,
		priority:  35,
		detect:    isHawkSimpleUAL,
		normalize: normalizeHawkSimpleUAL,
	})
}

func isHawkSimpleUAL(v *fastjson.Value, _ ingest.Container) bool {
	return v.Get("ResultIndex") != nil && v.Get("UserIds") != nil && v.Get("AuditData") == nil &&
		v.Get("Operation") != nil && (v.Get("CreationTime") != nil || v.Get("AuditCreationTime") != nil)
}

// hawkDropped are the Search-UnifiedAuditLog wrapper columns and Hawk's
// summaries, which repeat the record.
var hawkDropped = map[string]bool{
	"CreationDate": true, "UserIds": true, "Operations": true, "ResultIndex": true, "ResultCount": true,
	"Identity": true, "IsValid": true, "ObjectState": true, "ParameterString": true, "FullCommand": true,
}

// hawkRenamed maps the columns of the layout before v2.0 onto the record's
// members.
var hawkRenamed = map[string]string{
	"AuditCreationTime":             "CreationTime",
	"AuditId":                       "Id",
	"AuditRecordType":               "RecordType",
	"AADSessionId":                  "AppAccessContext_AADSessionId",
	"AppAccessContextIssuedAtTime":  "AppAccessContext_IssuedAtTime",
	"AppAccessContextUniqueTokenId": "AppAccessContext_UniqueTokenId",
}

// hawkMaxIndex bounds the array indexes of flattened names.
const hawkMaxIndex = 4096

func normalizeHawkSimpleUAL(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	params := n.Arena.NewArray()
	np := 0
	o, _ := v.Object()
	o.Visit(func(k []byte, x *fastjson.Value) {
		key := string(k)
		switch {
		case hawkDropped[key]:
			return
		case key == "RecordType" && v.Get("AuditRecordType") != nil:
			return // the record type's name; AuditRecordType has its number
		case key == "Parameters" && x.Type() == fastjson.TypeString:
			return // "Name=Value | …", rebuilt from the Param_* columns
		case strings.HasPrefix(key, "Param_") && len(key) > len("Param_"):
			p := n.Arena.NewObject()
			p.Set("Name", n.Arena.NewString(key[len("Param_"):]))
			p.Set("Value", x)
			params.SetArrayItem(np, p)
			np++
			return
		}
		if to, ok := hawkRenamed[key]; ok {
			key = to
		}
		n.hawkSet(doc, key, x)
	})
	if np > 0 && isBlank(doc.Get("Parameters")) {
		doc.Set("Parameters", params)
	}
	setWhenBlank(doc, "CreationTime", v.Get("CreationDate"))
	rec := ingest.Record{Data: ev.Raw, Origin: ev.Origin, Container: ingest.ContainerNone}
	got, err := n.NormalizeValue(doc, rec)
	if err != nil {
		return fmt.Errorf("flattened record: %w", err)
	}
	*ev = *got
	ev.Format = formatHawk
	return nil
}

// hawkSet sets x at the flattened path key ("A_B", "A_0_B") under doc,
// creating objects and arrays on the way. A name whose parts are not all
// non-empty, or whose index is out of bounds, is kept as it is.
func (n *Normalizer) hawkSet(doc *fastjson.Value, key string, x *fastjson.Value) {
	parts := strings.Split(key, "_")
	for _, p := range parts {
		if p == "" {
			parts = []string{key}
			break
		}
	}
	if !n.hawkPath(doc, parts, x) {
		setWhenBlank(doc, key, x)
	}
}

// hawkPath sets x at parts under cur; it reports false when the path runs
// into a value of another type or an index out of bounds.
func (n *Normalizer) hawkPath(cur *fastjson.Value, parts []string, x *fastjson.Value) bool {
	if cur.Type() != fastjson.TypeObject {
		return false
	}
	name := parts[0]
	if len(parts) == 1 {
		setWhenBlank(cur, name, x)
		return true
	}
	if idx, err := strconv.Atoi(parts[1]); err == nil && isDigits(parts[1]) {
		if idx > hawkMaxIndex {
			return false
		}
		arr := cur.Get(name)
		if arr == nil {
			arr = n.Arena.NewArray()
			cur.Set(name, arr)
		} else if arr.Type() != fastjson.TypeArray {
			return false
		}
		items := arr.GetArray()
		for len(items) <= idx {
			arr.SetArrayItem(len(items), n.Arena.NewObject())
			items = arr.GetArray()
		}
		if len(parts) == 2 {
			arr.SetArrayItem(idx, x)
			return true
		}
		return n.hawkPath(items[idx], parts[2:], x)
	}
	next := cur.Get(name)
	if next == nil {
		next = n.Arena.NewObject()
		cur.Set(name, next)
	}
	return n.hawkPath(next, parts[1:], x)
}
