package normalize

// The canonical Entra sign-in: the Microsoft Graph signIn resource (v1.0 and
// beta, api-reference/beta/resources/signin.md in
// microsoftgraph/microsoft-graph-docs-contrib). Every sign-in shape builds or
// borrows a document of that shape and hands it to finishSignIn, which fixes
// the traps the formats disagree on.

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// The export format names the Entra shapes put in event.Format.
const (
	formatGraph        = "graph"
	formatAzureMonitor = "azure-monitor"
	formatLogAnalytics = "log-analytics"
	formatUAL          = "ual"
	formatPurview      = "purview"
)

// The signInEventTypes values of the Graph beta signIn resource, which are
// also the event.Subtype of sign-ins.
const (
	eventInteractive    = "interactiveUser"
	eventNonInteractive = "nonInteractiveUser"
	eventSP             = "servicePrincipal"
	eventMI             = "managedIdentity"
)

// signInCategories maps the sign-in categories of Azure Monitor diagnostic
// records (and of the Log Analytics Category column) to the Graph
// signInEventTypes value. ADFSSignInLogs has no fixed type: isInteractive
// decides.
var signInCategories = map[string]string{
	"SignInLogs":                          eventInteractive,
	"NonInteractiveUserSignInLogs":        eventNonInteractive,
	"ServicePrincipalSignInLogs":          eventSP,
	"ManagedIdentitySignInLogs":           eventMI,
	"MicrosoftServicePrincipalSignInLogs": eventSP,
	"ADFSSignInLogs":                      "",
}

// signInTables maps the Log Analytics sign-in tables (the Type column) to
// the Graph signInEventTypes value, as signInCategories does.
var signInTables = map[string]string{
	"SigninLogs":                      eventInteractive,
	"AADNonInteractiveUserSignInLogs": eventNonInteractive,
	"AADServicePrincipalSignInLogs":   eventSP,
	"AADManagedIdentitySignInLogs":    eventMI,
	"ADFSSignInLogs":                  "",
}

// signInFallback carries what a format knows about a sign-in outside the
// signIn-shaped document: the stream it came from and envelope values to use
// when the document lacks its own.
type signInFallback struct {
	eventType string          // signInEventTypes value of the stream; "" when unknown
	time      *fastjson.Value // envelope time, for a missing createdDateTime
	code      *fastjson.Value // envelope result code, for a missing status.errorCode
	reason    *fastjson.Value // envelope result description, for a missing status.failureReason
}

// finishSignIn completes a canonical sign-in document and fills ev from it:
//   - createdDateTime (or the fallback time) and every
//     authenticationDetails[].authenticationStepDateTime in UTC RFC 3339;
//   - status.errorCode an integer whatever the source spelled;
//   - autonomousSystemNumber and processingTimeInMilliseconds integers;
//   - userType in Graph's casing ("member", "guest"; Azure Monitor and Log
//     Analytics write "Member");
//   - signInEventTypes present: the document's own, else the stream's, else
//     derived from isInteractive.
func (n *Normalizer) finishSignIn(doc *fastjson.Value, ev *event.Event, fb signInFallback) {
	ev.Kind = event.KindEntraSignIn
	ev.Doc = doc

	t, ok := n.canonicalizeTime(doc, "createdDateTime")
	if !ok {
		if t, ok = timestampOf(fb.time); ok {
			doc.Set("createdDateTime", n.canonicalTime(t))
		}
	}
	if ok {
		ev.Time = t
	}
	for _, step := range doc.GetArray("authenticationDetails") {
		if step.Type() == fastjson.TypeObject {
			n.canonicalizeTime(step, "authenticationStepDateTime")
		}
	}

	n.fixStatus(doc, fb.code, fb.reason)
	n.fixUserType(doc)
	n.integerize(doc, "autonomousSystemNumber")
	n.integerize(doc, "processingTimeInMilliseconds")

	ev.Subtype = n.fixEventTypes(doc, fb.eventType)
	if id := stringBytes(doc.Get("id")); len(id) > 0 {
		ev.ID = string(id)
	}
}

// fixStatus makes status an object whose errorCode is an integer. A string
// code ("65004") is converted; a missing one comes from the envelope code
// when that is an integer (Azure Monitor resultType, Log Analytics
// ResultType, UAL ErrorNumber); failureReason likewise.
func (n *Normalizer) fixStatus(doc, code, reason *fastjson.Value) {
	st := doc.Get("status")
	replaced := false
	if st == nil || st.Type() != fastjson.TypeObject {
		// Missing, or a dynamic column exported as JSON text.
		if st = n.objectOf(st); st == nil {
			st = n.Arena.NewObject()
		}
		replaced = true
	}
	ec := st.Get("errorCode")
	switch {
	case ec != nil && ec.Type() == fastjson.TypeNumber:
	case ec != nil && ec.Type() == fastjson.TypeString:
		if i, ok := integerOf(ec); ok {
			st.Set("errorCode", n.Arena.NewNumberInt(int(i)))
		}
	default:
		if i, ok := integerOf(code); ok {
			st.Set("errorCode", n.Arena.NewNumberInt(int(i)))
		}
	}
	if len(stringBytes(reason)) > 0 {
		setWhenBlank(st, "failureReason", reason)
	}
	if o, _ := st.Object(); replaced && o.Len() > 0 {
		doc.Set("status", st)
	}
}

// fixEventTypes makes sure doc has signInEventTypes and returns its first
// value, the event subtype.
func (n *Normalizer) fixEventTypes(doc *fastjson.Value, stream string) string {
	if types := doc.GetArray("signInEventTypes"); len(types) > 0 {
		if b := stringBytes(types[0]); b != nil {
			return eventTypeName(b)
		}
	}
	et := stream
	if et == "" {
		if interactive, ok := booleanOf(doc.Get("isInteractive")); ok {
			et = eventNonInteractive
			if interactive {
				et = eventInteractive
			}
		}
	}
	if et == "" {
		return ""
	}
	arr := n.Arena.NewArray()
	arr.SetArrayItem(0, n.Arena.NewString(et))
	doc.Set("signInEventTypes", arr)
	return et
}

// eventTypeName returns the known signInEventTypes value b without
// allocating, or a copy of b.
func eventTypeName(b []byte) string {
	switch string(b) {
	case eventInteractive:
		return eventInteractive
	case eventNonInteractive:
		return eventNonInteractive
	case eventSP:
		return eventSP
	case eventMI:
		return eventMI
	}
	return string(b)
}

// fixUserType lower-cases the first letter of userType, the casing of the
// Graph signInUserType enum.
func (n *Normalizer) fixUserType(doc *fastjson.Value) {
	b := stringBytes(doc.Get("userType"))
	if len(b) == 0 || b[0] < 'A' || b[0] > 'Z' {
		return
	}
	var buf [32]byte
	lower := append(buf[:0], b...)
	lower[0] += 'a' - 'A'
	doc.Set("userType", n.newText(lower))
}
