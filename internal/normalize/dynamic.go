package normalize

import "github.com/idsentry/idsentry/internal/event"

// Open objects of each kind, whose keys come from the data: rules may name
// any key below them (Resolve reports such fields as known).
func init() {
	addDynamic(event.KindEntraAudit,
		"targetResources.modifiedPropertiesByName", // keyed by modifiedProperties[].displayName
		"initiatedBy.user", "initiatedBy.app")
	addDynamic(event.KindEntraSignIn, "deviceDetail", "location", "authenticationProcessingDetails")
	addDynamic(event.KindM365Audit,
		"ExtendedProperties", "ModifiedProperties", "Parameters", "DeviceProperties", "OperationProperties", // folded bags
		"AppAccessContext", "Item", "Folders", "AffectedItems", "SharingInformation")
	addDynamic(event.KindAzureActivity, "properties", "identity", "claims", "authorization", "httpRequest")
	addDynamic(event.KindKeyVault, "properties", "identity")
	addDynamic(event.KindCloudTrail, "requestParameters", "responseElements", "additionalEventData", "userIdentity.sessionContext", "serviceEventDetails", "tlsDetails")
	addDynamic(event.KindK8sAudit, "requestObject", "responseObject", "annotations", "user.extra", "impersonatedUser", "objectRef", "responseStatus")
	addDynamic(event.KindAppInventory, "web", "spa", "publicClient", "api", "info", "requiredResourceAccess")
}
