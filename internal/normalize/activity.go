package normalize

import (
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Azure Activity log. The canonical shape is the activity log record as
// Azure Monitor writes it to storage accounts and Event Hubs, which follows
// the resource-log schema (MicrosoftDocs/azure-docs
// articles/azure-monitor/essentials/activity-log-schema.md, "Schema from
// storage account and event hubs"):
//
//	time, resourceId, operationName (MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE),
//	category (Administrative, Policy, Security, …), resultType, resultSignature,
//	resultDescription, durationMs, callerIpAddress, correlationId,
//	identity{authorization{scope, action, evidence{…}}, claims{…}}, level,
//	location, properties{statusCode, serviceRequestId, eventCategory,
//	entity, message, hierarchy, requestbody, responseBody, …}
//
// with these changes and additions:
//
//   - properties.requestbody and properties.responseBody are JSON text in the
//     log; when the text parses as a JSON object or array, the field holds
//     the parsed value (properties.requestbody.Properties.RoleDefinitionId)
//     and the original text moves to properties.requestbodyText /
//     properties.responseBodyText. Text that does not parse stays where it
//     is.
//   - operationName and category given as {"value", "localizedValue"}
//     objects (the REST API form, which some pipelines copy into the
//     storage form) become their value.
//   - caller: the operator, as the REST API's caller and Log Analytics'
//     Caller give it; for storage / Event Hub records it is taken from the
//     identity claims (the UPN claim, else the object ID claim).
//   - subscriptionId, resourceGroupName and resourceProviderName (REST API
//     names), inferred from resourceId as the schema mapping says.
//   - top-level keys in their documented spelling (Level → level,
//     calleripaddress → callerIpAddress).
//
// The same envelope serves every Azure resource log idsentry does not model
// (storage StorageRead/StorageWrite, Recommendation, …): such records are
// normalised to this kind rather than rejected. Entra sign-in and audit
// categories, Key Vault AuditEvent and AKS kube-audit records are claimed by
// their own shapes first. Log Analytics AzureActivity rows and REST API
// (portal JSON) events are mapped onto this shape in activity_la.go.

// azureEnvelopeFields are the top-level fields of the Azure Monitor
// resource-log schema.
var azureEnvelopeFields = []string{
	"time", "resourceId", "tenantId", "operationName", "operationVersion", "category", "resultType",
	"resultSignature", "resultDescription", "durationMs", "callerIpAddress", "correlationId", "identity", "level",
	"location", "properties",
}

var azureEnvelopeLower = lowerIndex(azureEnvelopeFields...)

func init() {
	register(shape{format: "azure-monitor", kind: event.KindAzureActivity, priority: 90,
		detect: detectAzureResourceLog, normalize: normalizeAzureResourceLog})

	k := event.KindAzureActivity
	addFields(k, azureEnvelopeFields...)
	addFields(k, "caller", "subscriptionId", "resourceGroupName", "resourceProviderName", "eventDataId",
		"identity.authorization.scope", "identity.authorization.action", "identity.authorization.evidence.role",
		"identity.authorization.evidence.roleAssignmentScope", "identity.authorization.evidence.roleAssignmentId",
		"identity.authorization.evidence.roleDefinitionId", "identity.authorization.evidence.principalId",
		"identity.authorization.evidence.principalType",
		"identity.claims.appid", "identity.claims.name", "identity.claims.ipaddr",
		"identity.claims."+claimUPN, "identity.claims."+claimObjectID, "identity.claims."+claimName,
		"properties.statusCode", "properties.serviceRequestId", "properties.eventCategory", "properties.eventName",
		"properties.operationId", "properties.entity", "properties.message", "properties.hierarchy",
		"properties.requestbody", "properties.requestbodyText", "properties.responseBody",
		// Role assignment request body, as the activity log records it.
		"properties.requestbody.Id", "properties.requestbody.Properties.PrincipalId",
		"properties.requestbody.Properties.PrincipalType", "properties.requestbody.Properties.RoleDefinitionId",
		"properties.requestbody.Properties.Scope",
		"properties.responseBodyText",
	)
	addSynthesized(k, "time", "caller", "subscriptionId", "resourceGroupName", "resourceProviderName",
		"properties.requestbody", "properties.responseBody")
	// Log Analytics AzureActivity columns (SigmaHQ
	// rules/cloud/azure/activity_logs, Microsoft Sentinel).
	addAliases(k, map[string]string{
		"TimeGenerated":          "time",
		"OperationNameValue":     "operationName",
		"CategoryValue":          "category",
		"ResourceId":             "resourceId",
		"ResourceProviderValue":  "resourceProviderName",
		"ResourceGroup":          "resourceGroupName",
		"SubscriptionId":         "subscriptionId",
		"Caller":                 "caller",
		"CallerIpAddress":        "callerIpAddress",
		"ActivityStatusValue":    "resultType",
		"ActivitySubstatusValue": "resultSignature",
		"CorrelationId":          "correlationId",
		"EventDataId":            "eventDataId",
		"Authorization_d":        "identity.authorization",
		"Claims_d":               "identity.claims",
		"Properties_d":           "properties",
		"Level":                  "level",
	})
}

// detectAzureResourceLog accepts any record with the Azure Monitor
// resource-log envelope: an operationName and a time, resourceId or
// category. It runs after every specific Azure shape.
func detectAzureResourceLog(v *fastjson.Value, _ ingest.Container) bool {
	if getFold(v, "operationName") == nil {
		return false
	}
	return getFold(v, "time") != nil || getFold(v, "resourceId") != nil || getFold(v, "category") != nil
}

func normalizeAzureResourceLog(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.canonKeys(v, azureEnvelopeLower)
	for _, key := range [...]string{"operationName", "category"} {
		if o := doc.Get(key); o != nil && o.Type() == fastjson.TypeObject {
			doc.Set(key, o.Get("value"))
		}
	}
	if d := doc.Get("durationMs"); d != nil {
		doc.Set("durationMs", n.numberOrSelf(d))
	}
	if doc.Get("time") == nil {
		// A Log Analytics row of a table idsentry does not model.
		if t := laCell(doc, "TimeGenerated"); t != nil {
			doc.Set("time", t)
		}
	}
	n.finishActivity(doc, ev)
	return nil
}

// finishActivity parses the embedded request and response bodies, adds the
// derived fields and fills the event.
func (n *Normalizer) finishActivity(doc *fastjson.Value, ev *event.Event) {
	props := doc.Get("properties")
	if props != nil && props.Type() == fastjson.TypeString {
		if p := n.embeddedJSON(props); p != nil && p.Type() == fastjson.TypeObject {
			props = p
			doc.Set("properties", p)
		}
	}
	if props != nil && props.Type() == fastjson.TypeObject {
		for _, key := range [...]string{"requestbody", "responseBody"} {
			n.parseBody(props, key)
		}
	}
	if doc.Get("caller") == nil {
		claims := doc.Get("identity", "claims")
		for _, c := range [...]string{claimUPN, "upn", claimObjectID, "oid"} {
			if s := claims.Get(c); s != nil && s.Type() == fastjson.TypeString && len(s.GetStringBytes()) > 0 {
				doc.Set("caller", s)
				break
			}
		}
	}
	n.resourceParts(doc)
	ev.Doc = doc
	ev.Subtype = strOf(doc.Get("category"))
	if ev.ID == "" {
		ev.ID = strOf(doc.Get("eventDataId"))
	}
	if t, ok := n.setUTCTime(doc, "time", time.RFC3339Nano); ok {
		ev.Time = t
	}
}

// parseBody replaces the JSON text at props[key] (any case of key) by its
// parsed value and keeps the text at key+"Text".
func (n *Normalizer) parseBody(props *fastjson.Value, key string) {
	actual := key
	v := props.Get(key)
	if v == nil {
		obj, _ := props.Object()
		obj.Visit(func(k []byte, x *fastjson.Value) {
			if v == nil && strings.EqualFold(string(k), key) {
				v, actual = x, string(k)
			}
		})
	}
	p := n.embeddedJSON(v)
	if p == nil {
		return
	}
	props.Set(actual+"Text", v)
	props.Set(actual, p)
}

// resourceParts adds subscriptionId, resourceGroupName and
// resourceProviderName inferred from resourceId
// ("/subscriptions/<s>/resourceGroups/<rg>/providers/<Namespace>/…") when
// the record does not carry them.
func (n *Normalizer) resourceParts(doc *fastjson.Value) {
	id := strOf(doc.Get("resourceId"))
	if id == "" {
		return
	}
	segs := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		var key string
		switch strings.ToLower(segs[i]) {
		case "subscriptions":
			key = "subscriptionId"
		case "resourcegroups":
			key = "resourceGroupName"
		case "providers":
			key = "resourceProviderName"
		default:
			continue
		}
		if doc.Get(key) == nil {
			doc.Set(key, n.Arena.NewString(segs[i+1]))
		}
		i++
	}
}
