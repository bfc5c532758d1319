package normalize

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Azure Activity events in the two other shapes, mapped onto the storage /
// Event Hub record (activity.go).
//
// Log Analytics AzureActivity rows (columns per MicrosoftDocs/
// azure-reference-other azure-monitor-ref/tables/azureactivity.md):
// OperationNameValue → operationName (OperationName is the localized
// display name and is dropped), CategoryValue → category,
// ActivityStatusValue → resultType, ActivitySubstatusValue →
// resultSignature, CallerIpAddress → callerIpAddress, Caller → caller,
// Authorization_d / Authorization → identity.authorization, Claims_d /
// Claims → identity.claims, Properties_d / Properties → properties,
// HTTPRequest.clientIpAddress → callerIpAddress when the column is empty,
// ResourceProviderValue / ResourceGroup / SubscriptionId →
// resourceProviderName / resourceGroupName / subscriptionId, EventDataId →
// eventDataId (also the event ID), OperationId and Hierarchy →
// properties.operationId / properties.hierarchy. Workspace columns are
// dropped.
//
// REST API events (Activity Logs - List, and the portal's JSON view; the
// schema's mapping table "Schema from storage account and event hubs"):
// eventTimestamp → time, operationName.value → operationName,
// category.value → category and properties.eventCategory, status.value →
// resultType, subStatus.value → resultSignature, description →
// resultDescription, httpRequest.clientIpAddress → callerIpAddress,
// claims / authorization → identity.claims / identity.authorization,
// eventName.value → properties.eventName, operationId →
// properties.operationId; caller, eventDataId, level, resourceGroupName,
// subscriptionId, tenantId are kept, resourceProviderName.value becomes
// resourceProviderName.

func init() {
	register(shape{format: "log-analytics", kind: event.KindAzureActivity, priority: 65,
		detect: detectAzureActivityLA, normalize: normalizeAzureActivityLA})
	register(shape{format: "azure-rest", kind: event.KindAzureActivity, priority: 66,
		detect: detectAzureActivityREST, normalize: normalizeAzureActivityREST})
}

func detectAzureActivityLA(v *fastjson.Value, _ ingest.Container) bool {
	return isStr(v.Get("Type"), "AzureActivity") || hasKey(v, "OperationNameValue") || hasKey(v, "ActivityStatusValue")
}

// activityLAColumns maps AzureActivity columns to canonical paths; the
// first column listed for a path wins when both are set.
var activityLAColumns = []struct{ col, path string }{
	{"TimeGenerated", "time"},
	{"ResourceId", "resourceId"},
	{"_ResourceId", "resourceId"},
	{"OperationNameValue", "operationName"},
	{"CategoryValue", "category"},
	{"Category", "category"},
	{"ActivityStatusValue", "resultType"},
	{"ActivityStatus", "resultType"},
	{"ActivitySubstatusValue", "resultSignature"},
	{"ActivitySubstatus", "resultSignature"},
	{"CallerIpAddress", "callerIpAddress"},
	{"CorrelationId", "correlationId"},
	{"Level", "level"},
	{"Caller", "caller"},
	{"EventDataId", "eventDataId"},
}

// activityLAResource are the columns of the resource's parts; the parts
// inferred from resourceId win, as for the other formats.
var activityLAResource = []struct{ col, path string }{
	{"ResourceProviderValue", "resourceProviderName"},
	{"ResourceGroup", "resourceGroupName"},
	{"SubscriptionId", "subscriptionId"},
}

func normalizeAzureActivityLA(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	for _, c := range activityLAColumns {
		if val := laCell(v, c.col); !isEmptyCell(val) {
			setOnce(doc, c.path, val)
		}
	}
	if doc.Get("operationName") == nil {
		if val := v.Get("OperationName"); !isEmptyCell(val) {
			doc.Set("operationName", val)
		}
	}
	if doc.Get("callerIpAddress") == nil {
		if ip := n.jsonOrSelf(v.Get("HTTPRequest")).Get("clientIpAddress"); !isEmptyCell(ip) {
			doc.Set("callerIpAddress", ip)
		}
	}
	identity := n.Arena.NewObject()
	for _, c := range [...]struct {
		cols [2]string
		key  string
	}{
		{[2]string{"Authorization_d", "Authorization"}, "authorization"},
		{[2]string{"Claims_d", "Claims"}, "claims"},
	} {
		for _, col := range c.cols {
			if val := n.jsonOrSelf(v.Get(col)); !isEmptyCell(val) && val.Type() == fastjson.TypeObject {
				setOnce(identity, c.key, val)
			}
		}
	}
	if o, _ := identity.Object(); o.Len() > 0 {
		doc.Set("identity", identity)
	}
	for _, col := range [...]string{"Properties_d", "Properties"} {
		if val := n.jsonOrSelf(v.Get(col)); !isEmptyCell(val) && val.Type() == fastjson.TypeObject {
			setOnce(doc, "properties", val)
		}
	}
	props := doc.Get("properties")
	for _, c := range [...]struct{ col, key string }{{"OperationId", "operationId"}, {"Hierarchy", "hierarchy"}} {
		if val := v.Get(c.col); !isEmptyCell(val) {
			if props == nil {
				props = n.Arena.NewObject()
				doc.Set("properties", props)
			}
			setOnce(props, c.key, val)
		}
	}
	n.finishActivity(doc, ev)
	for _, c := range activityLAResource {
		if val := v.Get(c.col); !isEmptyCell(val) {
			setOnce(doc, c.path, val)
		}
	}
	return nil
}

func detectAzureActivityREST(v *fastjson.Value, _ ingest.Container) bool {
	op := v.Get("operationName")
	return v.Get("eventTimestamp") != nil && op != nil && op.Type() == fastjson.TypeObject
}

func normalizeAzureActivityREST(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	val := func(key string) *fastjson.Value {
		x := v.Get(key)
		if x != nil && x.Type() == fastjson.TypeObject {
			return x.Get("value")
		}
		return x
	}
	set := func(key string, x *fastjson.Value) {
		if !isEmptyCell(x) {
			setOnce(doc, key, x)
		}
	}
	set("time", v.Get("eventTimestamp"))
	set("resourceId", v.Get("resourceId"))
	set("operationName", val("operationName"))
	set("category", val("category"))
	set("resultType", val("status"))
	set("resultSignature", val("subStatus"))
	set("resultDescription", v.Get("description"))
	set("callerIpAddress", v.Get("httpRequest", "clientIpAddress"))
	set("correlationId", v.Get("correlationId"))
	identity := n.Arena.NewObject()
	if a := v.Get("authorization"); a != nil && a.Type() == fastjson.TypeObject {
		identity.Set("authorization", a)
	}
	if c := v.Get("claims"); c != nil && c.Type() == fastjson.TypeObject {
		identity.Set("claims", c)
	}
	if o, _ := identity.Object(); o.Len() > 0 {
		doc.Set("identity", identity)
	}
	set("level", v.Get("level"))
	props := n.Arena.NewObject()
	if p := v.Get("properties"); p != nil && p.Type() == fastjson.TypeObject {
		props = p
	}
	if c := val("category"); !isEmptyCell(c) {
		setOnce(props, "eventCategory", c)
	}
	if e := val("eventName"); !isEmptyCell(e) {
		setOnce(props, "eventName", e)
	}
	if o := v.Get("operationId"); !isEmptyCell(o) {
		setOnce(props, "operationId", o)
	}
	doc.Set("properties", props)
	for _, key := range [...]string{"caller", "eventDataId", "resourceGroupName", "subscriptionId", "tenantId"} {
		set(key, v.Get(key))
	}
	set("resourceProviderName", val("resourceProviderName"))
	n.finishActivity(doc, ev)
	return nil
}
