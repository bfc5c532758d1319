package normalize

// UAL (Office 365 Management Activity API) records of Entra directory
// operations: RecordType 8 AzureActiveDirectory. Mapped onto directoryAudit:
//
//	Operation ("Consent to application.")  → activityDisplayName ("Consent to application")
//	CreationTime (UTC, no zone)            → activityDateTime
//	ResultStatus ("Success")               → result ("success")
//	Actor[{ID,Type}], UserId, ActorIpAddress/ClientIP → initiatedBy.user / initiatedBy.app
//	Target[{ID,Type}], ModifiedProperties[{Name,NewValue,OldValue}]
//	                                       → targetResources[0]{id,displayName,type,userPrincipalName,modifiedProperties}
//	ExtendedProperties[{Name,Value}]       → additionalDetails[{key,value}]
//	Id                                     → id
//
// Actor and Target list one identity as several claims (IdentityType:
// 1 Name, 2 Other, 3 PUID, 4 SPN, 5 UPN): a real Purview export shows
// Target [{"ServicePrincipal_691e82fd-…",2}, {"691e82fd-…",2},
// {"ServicePrincipal",2}, {"IAMTenantCrawler",1}, {"66244124-…",2},
// {"66244124-…",4}] and a user actor as [{upn,5}, {puid,3},
// {"User_<objectId>",2}, {"<objectId>",2}, {"User",2}]. The "<Kind>_<id>"
// claim gives the object type and id; without it the last bare word
// ("User", "ServicePrincipal", "Other") gives the type, as Splunk's
// o365_privileged_role_assigned reads it.

import (
	"bytes"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatUAL,
		kind:      event.KindEntraAudit,
		priority:  41,
		detect:    isUALAudit,
		normalize: normalizeUALAudit,
	})
}

// isUALAudit recognises RecordType 8, and AzureActiveDirectory records
// without a RecordType that are not sign-ins.
func isUALAudit(v *fastjson.Value, _ ingest.Container) bool {
	switch ualRecordType(v) {
	case ualRecordAAD:
		return true
	case 0:
		return isString(v.Get("Workload"), ualWorkloadAAD) && !isUALSignInOperation(v)
	}
	return false
}

// ualIdentity is one identity assembled from a UAL Actor or Target list.
type ualIdentity struct {
	kind, id, name, upn, spn []byte
}

func (u *ualIdentity) isZero() bool {
	return u.kind == nil && u.id == nil && u.name == nil && u.upn == nil && u.spn == nil
}

// parseUALIdentity reads an Actor or Target list.
func parseUALIdentity(list *fastjson.Value) ualIdentity {
	var u ualIdentity
	var bareKind []byte
	for _, c := range list.GetArray() {
		id := stringBytes(c.Get("ID"))
		typ, ok := integerOf(c.Get("Type"))
		if len(id) == 0 || !ok {
			continue
		}
		switch typ {
		case 1:
			if u.name == nil {
				u.name = id
			}
		case 4:
			if u.spn == nil {
				u.spn = id
			}
		case 5:
			if u.upn == nil {
				u.upn = id
			}
		case 2:
			if i := bytes.IndexByte(id, '_'); i > 0 && isWord(id[:i]) {
				if u.kind == nil {
					u.kind, u.id = id[:i], id[i+1:]
				}
			} else if isWord(id) {
				bareKind = id
			}
		}
	}
	if u.kind == nil {
		u.kind = bareKind
	}
	return u
}

// isWord reports whether b is a non-empty run of ASCII letters.
func isWord(b []byte) bool {
	for _, c := range b {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return len(b) > 0
}

// setText sets obj[key] to the text b when b is not empty.
func (n *Normalizer) setText(obj *fastjson.Value, key string, b []byte) {
	if len(b) > 0 {
		obj.Set(key, n.newText(b))
	}
}

// ualInitiatedBy builds initiatedBy: a user when the actor has a UPN or is
// of kind User (or, without an Actor list, when UserId is a UPN), an app
// otherwise.
func (n *Normalizer) ualInitiatedBy(v *fastjson.Value) *fastjson.Value {
	a := parseUALIdentity(v.Get("Actor"))
	userID := stringBytes(v.Get("UserId"))
	ip := v.Get("ActorIpAddress")
	if isBlank(ip) {
		ip = v.Get("ClientIP")
	}
	out := n.Arena.NewObject()
	switch {
	case a.upn != nil || string(a.kind) == "User" || (a.isZero() && bytes.IndexByte(userID, '@') > 0):
		u := n.Arena.NewObject()
		n.setText(u, "id", a.id)
		upn := a.upn
		if upn == nil && bytes.IndexByte(userID, '@') > 0 {
			upn = userID
		}
		n.setText(u, "userPrincipalName", upn)
		setPresent(u, "ipAddress", ip)
		out.Set("user", u)
	case !a.isZero():
		app := n.Arena.NewObject()
		n.setText(app, "appId", a.spn)
		n.setText(app, "displayName", a.name)
		if string(a.kind) == "ServicePrincipal" {
			n.setText(app, "servicePrincipalId", a.id)
		}
		out.Set("app", app)
	default:
		return nil
	}
	return out
}

// ualTarget builds targetResources[0] from Target and ModifiedProperties.
func (n *Normalizer) ualTarget(v *fastjson.Value) *fastjson.Value {
	t := parseUALIdentity(v.Get("Target"))
	mods := v.GetArray("ModifiedProperties")
	if t.isZero() && len(mods) == 0 {
		return nil
	}
	out := n.Arena.NewObject()
	n.setText(out, "id", t.id)
	n.setText(out, "displayName", t.name)
	n.setText(out, "type", t.kind)
	n.setText(out, "userPrincipalName", t.upn)
	props := n.Arena.NewArray()
	i := 0
	for _, m := range mods {
		if m.Type() != fastjson.TypeObject {
			continue
		}
		p := n.Arena.NewObject()
		p.Set("displayName", m.Get("Name"))
		p.Set("oldValue", m.Get("OldValue"))
		p.Set("newValue", m.Get("NewValue"))
		props.SetArrayItem(i, p)
		i++
	}
	out.Set("modifiedProperties", props)
	return out
}

// ualAdditionalDetails turns ExtendedProperties into additionalDetails.
func (n *Normalizer) ualAdditionalDetails(v *fastjson.Value) *fastjson.Value {
	items := v.GetArray("ExtendedProperties")
	if len(items) == 0 {
		return nil
	}
	out := n.Arena.NewArray()
	i := 0
	for _, it := range items {
		if it.Type() != fastjson.TypeObject {
			continue
		}
		kv := n.Arena.NewObject()
		kv.Set("key", it.Get("Name"))
		kv.Set("value", it.Get("Value"))
		out.SetArrayItem(i, kv)
		i++
	}
	return out
}

func normalizeUALAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	setPresent(doc, "id", v.Get("Id"))
	setPresent(doc, "activityDisplayName", v.Get("Operation"))
	setPresent(doc, "activityDateTime", v.Get("CreationTime"))
	setPresent(doc, "result", v.Get("ResultStatus"))
	if by := n.ualInitiatedBy(v); by != nil {
		doc.Set("initiatedBy", by)
	}
	if t := n.ualTarget(v); t != nil {
		arr := n.Arena.NewArray()
		arr.SetArrayItem(0, t)
		doc.Set("targetResources", arr)
	}
	if d := n.ualAdditionalDetails(v); d != nil {
		doc.Set("additionalDetails", d)
	}
	n.finishAudit(doc, ev, nil, true)
	return nil
}
