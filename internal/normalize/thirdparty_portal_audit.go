package normalize

// The Microsoft Entra admin center's audit log download as CSV
// (Monitoring → Audit logs → Download → CSV, AuditLogs_<date>.csv). The
// header row, as two independent tools that read the download spell it
// (bitpusher2k ProcessEntraAuditLog.ps1 v2.8, 2024-05-12; a Timesketch
// converter for "AuditLogs_2024-11-09.csv"):
//
//	"Date (UTC)","CorrelationId","Service","Category","Activity","Result",
//	"ResultReason","User Agent","ActorType","ActorDisplayName","ActorObjectId",
//	"ActorUserPrincipalName","IPAddress","ActorHomeTenantId","ActorHomeTenantName",
//	"ActorServicePrincipalId","ActorServicePrincipalName",
//	"Target1Type","Target1DisplayName","Target1ObjectId","Target1UserPrincipalName",
//	"Target1ModifiedProperty1Name","Target1ModifiedProperty1OldValue",
//	"Target1ModifiedProperty1NewValue", … up to Target3 and ModifiedProperty5,
//	"AdditionalDetail1Key","AdditionalDetail1Value", … up to AdditionalDetail6
//
// The download flattens the directoryAudit resource; this shape folds it
// back: the actor becomes initiatedBy.user or initiatedBy.app (by ActorType,
// "User" or "Application", else by which actor columns are filled), the
// TargetN* columns targetResources[N-1] with their modifiedProperties, the
// AdditionalDetailN* columns additionalDetails. Any number of targets,
// properties and details is read. The download has no activity id.

import (
	"bytes"
	"strconv"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatEntraPortal,
		kind:      event.KindEntraAudit,
		priority:  101,
		detect:    isPortalAudit,
		normalize: normalizePortalAudit,
	})
}

// isPortalAudit recognises a row of the audit download: a date and an
// Activity column, and an actor or target column.
func isPortalAudit(v *fastjson.Value, _ ingest.Container) bool {
	if v.Get("Activity") == nil || (v.Get("Date (UTC)") == nil && v.Get("Date") == nil) {
		return false
	}
	return v.Get("ActorType") != nil || v.Get("ActorUserPrincipalName") != nil || v.Get("Target1Type") != nil ||
		v.Get("Target1DisplayName") != nil
}

// portalAuditColumns maps the flat columns of the audit download onto
// directoryAudit members.
var portalAuditColumns = map[string]string{
	"Date (UTC)":    "activityDateTime",
	"Date":          "activityDateTime",
	"CorrelationId": "correlationId",
	"Service":       "loggedByService",
	"Category":      "category",
	"Activity":      "activityDisplayName",
	"Result":        "result",
	"ResultReason":  "resultReason",
	"User Agent":    "userAgent",
}

// portalActorColumns maps the actor columns onto userIdentity (user) and
// appIdentity (app) members; "" means the column has no member there.
var portalActorColumns = map[string][2]string{
	"ActorDisplayName":          {"displayName", "displayName"},
	"ActorObjectId":             {"id", "servicePrincipalId"},
	"ActorUserPrincipalName":    {"userPrincipalName", ""},
	"IPAddress":                 {"ipAddress", ""},
	"ActorHomeTenantId":         {"homeTenantId", ""},
	"ActorHomeTenantName":       {"homeTenantName", ""},
	"ActorServicePrincipalId":   {"", "servicePrincipalId"},
	"ActorServicePrincipalName": {"", "servicePrincipalName"},
}

// portalTargetColumns maps the TargetN* suffixes onto targetResource
// members.
var portalTargetColumns = map[string]string{
	"Type":              "type",
	"DisplayName":       "displayName",
	"ObjectId":          "id",
	"UserPrincipalName": "userPrincipalName",
}

func normalizePortalAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	user, app := n.Arena.NewObject(), n.Arena.NewObject()
	var targets, details []*fastjson.Value
	o, _ := v.Object()
	o.Visit(func(k []byte, x *fastjson.Value) {
		if len(bytes.TrimSpace(stringBytes(x))) == 0 {
			return
		}
		key := string(bytes.TrimSpace(k))
		if m, ok := portalAuditColumns[key]; ok {
			setWhenBlank(doc, m, x)
			return
		}
		if m, ok := portalActorColumns[key]; ok {
			if m[0] != "" {
				setWhenBlank(user, m[0], x)
			}
			if m[1] != "" {
				setWhenBlank(app, m[1], x)
			}
			return
		}
		if i, rest, ok := indexed(key, "Target"); ok {
			targets = n.grow(targets, i)
			if j, field, ok := indexed(rest, "ModifiedProperty"); ok {
				n.portalModified(targets[i], j, field, x)
			} else if m, ok := portalTargetColumns[rest]; ok {
				setWhenBlank(targets[i], m, x)
			}
			return
		}
		if i, rest, ok := indexed(key, "AdditionalDetail"); ok {
			details = n.grow(details, i)
			switch rest {
			case "Key":
				setWhenBlank(details[i], "key", x)
			case "Value":
				setWhenBlank(details[i], "value", x)
			}
			return
		}
		if key != "ActorType" && doc.Get(key) == nil {
			doc.Set(key, x) // a column added after this table, kept under its header
		}
	})
	if actor := n.portalActor(v, user, app); actor != nil {
		doc.Set("initiatedBy", actor)
	}
	if arr := n.compact(targets, "modifiedProperties"); arr != nil {
		doc.Set("targetResources", arr)
	}
	if arr := n.compact(details, ""); arr != nil {
		doc.Set("additionalDetails", arr)
	}
	n.finishAudit(doc, ev, nil, false)
	return nil
}

// portalActor builds initiatedBy from the actor columns: user or app by
// ActorType, else by which columns are filled; nil when none is.
func (n *Normalizer) portalActor(v *fastjson.Value, user, app *fastjson.Value) *fastjson.Value {
	uo, _ := user.Object()
	ao, _ := app.Object()
	t := bytes.ToLower(bytes.TrimSpace(stringBytes(v.Get("ActorType"))))
	isApp := bytes.HasPrefix(t, []byte("app")) || bytes.HasPrefix(t, []byte("serviceprincipal"))
	if len(t) == 0 {
		isApp = user.Get("userPrincipalName") == nil && (app.Get("servicePrincipalId") != nil || app.Get("servicePrincipalName") != nil)
	}
	actor := n.Arena.NewObject()
	switch {
	case isApp && ao.Len() > 0:
		actor.Set("app", app)
	case !isApp && uo.Len() > 0:
		actor.Set("user", user)
	default:
		return nil
	}
	return actor
}

// indexed splits "<prefix><N><rest>" (N ≥ 1) and returns N-1 and rest.
func indexed(key, prefix string) (int, string, bool) {
	if len(key) <= len(prefix) || key[:len(prefix)] != prefix {
		return 0, "", false
	}
	s := key[len(prefix):]
	end := 0
	for end < len(s) && '0' <= s[end] && s[end] <= '9' {
		end++
	}
	if end == 0 || end > 4 || end == len(s) {
		return 0, "", false
	}
	i, err := strconv.Atoi(s[:end])
	if err != nil || i < 1 {
		return 0, "", false
	}
	return i - 1, s[end:], true
}

// grow makes list long enough to hold index i, filling it with empty
// objects.
func (n *Normalizer) grow(list []*fastjson.Value, i int) []*fastjson.Value {
	for len(list) <= i {
		list = append(list, n.Arena.NewObject())
	}
	return list
}

// portalModified sets one TargetNModifiedPropertyM{Name,OldValue,NewValue}
// cell into target.modifiedProperties[M-1].
func (n *Normalizer) portalModified(target *fastjson.Value, j int, field string, x *fastjson.Value) {
	var name string
	switch field {
	case "Name":
		name = "displayName"
	case "OldValue":
		name = "oldValue"
	case "NewValue":
		name = "newValue"
	default:
		return
	}
	props := target.Get("modifiedProperties")
	if props == nil {
		props = n.Arena.NewArray()
		target.Set("modifiedProperties", props)
	}
	items := props.GetArray()
	for len(items) <= j {
		props.SetArrayItem(len(items), n.Arena.NewObject())
		items = props.GetArray()
	}
	setWhenBlank(items[j], name, x)
}

// compact returns the non-empty objects of list as an array (nil when none
// is); for targets, each one's modifiedProperties loses the entries without
// a name (columns of unused slots).
func (n *Normalizer) compact(list []*fastjson.Value, inner string) *fastjson.Value {
	arr := n.Arena.NewArray()
	k := 0
	for _, it := range list {
		if inner != "" {
			if props := it.Get(inner); props != nil {
				kept := n.Arena.NewArray()
				m := 0
				for _, p := range props.GetArray() {
					if p.Get("displayName") != nil {
						kept.SetArrayItem(m, p)
						m++
					}
				}
				it.Set(inner, kept)
			}
		}
		if o, _ := it.Object(); o.Len() > 0 {
			arr.SetArrayItem(k, it)
			k++
		}
	}
	if k == 0 {
		return nil
	}
	return arr
}
