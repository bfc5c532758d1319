package normalize

import "github.com/idsentry/idsentry/internal/event"

// auditFields are the canonical paths of an Entra directory audit: the
// members of the Graph directoryAudit resource and of its complex types
// (auditActivityInitiator with userIdentity / appIdentity, targetResource,
// modifiedProperty, keyValue), plus modifiedPropertiesByName, which
// finishAudit derives on each target: {displayName: {oldValue, newValue}}.
var auditFields = []string{
	"id", "activityDateTime", "activityDisplayName", "category", "correlationId", "loggedByService",
	"operationType", "result", "resultReason", "userAgent",
	"initiatedBy", "initiatedBy.user", "initiatedBy.user.id", "initiatedBy.user.displayName",
	"initiatedBy.user.userPrincipalName", "initiatedBy.user.ipAddress", "initiatedBy.user.userType",
	"initiatedBy.user.homeTenantId", "initiatedBy.user.homeTenantName",
	"initiatedBy.app", "initiatedBy.app.appId", "initiatedBy.app.displayName",
	"initiatedBy.app.servicePrincipalId", "initiatedBy.app.servicePrincipalName",
	"targetResources", "targetResources.id", "targetResources.displayName", "targetResources.type",
	"targetResources.userPrincipalName", "targetResources.groupType",
	"targetResources.modifiedProperties", "targetResources.modifiedProperties.displayName",
	"targetResources.modifiedProperties.oldValue", "targetResources.modifiedProperties.newValue",
	"targetResources.modifiedPropertiesByName",
	"additionalDetails", "additionalDetails.key", "additionalDetails.value",
}

// auditAliases maps the names public rules and other exports use onto
// canonical audit paths (names differing only in case need no entry).
var auditAliases = map[string]string{
	// Azure Monitor envelope and Log Analytics columns.
	"OperationName":    "activityDisplayName",
	"operationName":    "activityDisplayName",
	"AADOperationType": "operationType",
	"ResultType":       "result",
	"resultType":       "result",
	"time":             "activityDateTime",
	"TimeGenerated":    "activityDateTime",
	// Sigma's azure auditlogs rules address this consent property by name.
	"ConsentContext.IsAdminConsent": "targetResources.modifiedPropertiesByName.ConsentContext.IsAdminConsent.newValue",
	// UAL (AzureActiveDirectory) names.
	"Operation":                   "activityDisplayName",
	"CreationTime":                "activityDateTime",
	"ResultStatus":                "result",
	"UserId":                      "initiatedBy.user.userPrincipalName",
	"ActorIpAddress":              "initiatedBy.user.ipAddress",
	"ClientIP":                    "initiatedBy.user.ipAddress",
	"Actor":                       "initiatedBy",
	"Target":                      "targetResources",
	"ModifiedProperties":          "targetResources.modifiedProperties",
	"ModifiedProperties.Name":     "targetResources.modifiedProperties.displayName",
	"ModifiedProperties.NewValue": "targetResources.modifiedProperties.newValue",
	"ModifiedProperties.OldValue": "targetResources.modifiedProperties.oldValue",
	"ExtendedProperties":          "additionalDetails",
	"ExtendedProperties.Name":     "additionalDetails.key",
	"ExtendedProperties.Value":    "additionalDetails.value",
}

// auditSynthesized are the audit paths whose values may not appear verbatim
// in the record.
var auditSynthesized = []string{
	"activityDisplayName", // dashes, trailing space and period
	"activityDateTime",    // rewritten in UTC
	"result",              // lower-cased, numbers named
	"targetResources.modifiedProperties.oldValue", // JSON-decoded
	"targetResources.modifiedProperties.newValue", // JSON-decoded
	"targetResources.modifiedPropertiesByName",    // derived
}

func init() {
	k := event.KindEntraAudit
	addFields(k, auditFields...)
	addAliases(k, auditAliases)
	props := make(map[string]string, len(auditFields))
	for _, p := range auditFields {
		props["properties."+p] = p
	}
	addAliases(k, props)
	addSynthesized(k, auditSynthesized...)
}
