package normalize

import "github.com/idsentry/idsentry/internal/event"

// signInFields are the canonical paths of an Entra sign-in: the members of
// the Graph signIn resource (v1.0 and beta) and of its complex types
// (signInStatus, signInLocation, deviceDetail, authenticationDetail,
// appliedConditionalAccessPolicy, keyValue, mfaDetail,
// networkLocationDetail, authenticationRequirementPolicy,
// sessionLifetimePolicy, managedIdentity), plus the members Azure Monitor
// records carry beyond Graph (alternateSignInName, appOwnerTenantId,
// managedIdentityType, isRisky, servicePrincipalCredential*).
var signInFields = []string{
	"id", "createdDateTime", "correlationId", "originalRequestId", "sessionId", "uniqueTokenIdentifier",
	"userPrincipalName", "userId", "userDisplayName", "userType", "signInIdentifier", "signInIdentifierType",
	"alternateSignInName", "homeTenantId", "homeTenantName", "resourceTenantId", "crossTenantAccessType",
	"appId", "appDisplayName", "appOwnerTenantId", "resourceId", "resourceDisplayName", "resourceServicePrincipalId",
	"azureResourceId", "servicePrincipalId", "servicePrincipalName", "servicePrincipalCredentialKeyId",
	"servicePrincipalCredentialThumbprint", "federatedCredentialId", "managedIdentityType",
	"managedServiceIdentity", "managedServiceIdentity.msiType", "managedServiceIdentity.associatedResourceId",
	"managedServiceIdentity.federatedTokenId", "managedServiceIdentity.federatedTokenIssuer",
	"ipAddress", "ipAddressFromResourceProvider", "globalSecureAccessIpAddress", "isThroughGlobalSecureAccess",
	"autonomousSystemNumber", "userAgent", "clientAppUsed", "isInteractive", "signInEventTypes",
	"authenticationRequirement", "authenticationProtocol", "originalTransferMethod", "incomingTokenType",
	"clientCredentialType", "tokenIssuerName", "tokenIssuerType", "isTenantRestricted", "flaggedForReview",
	"processingTimeInMilliseconds", "conditionalAccessStatus", "conditionalAccessAudiences",
	"appTokenProtectionStatus", "signInTokenProtectionStatus", "privateLinkDetails",
	"riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn", "riskState", "riskEventTypes",
	"riskEventTypes_v2", "isRisky",
	"status", "status.errorCode", "status.failureReason", "status.additionalDetails",
	"location", "location.city", "location.state", "location.countryOrRegion", "location.geoCoordinates",
	"location.geoCoordinates.latitude", "location.geoCoordinates.longitude", "location.geoCoordinates.altitude",
	"deviceDetail", "deviceDetail.deviceId", "deviceDetail.displayName", "deviceDetail.operatingSystem",
	"deviceDetail.browser", "deviceDetail.isCompliant", "deviceDetail.isManaged", "deviceDetail.trustType",
	"authenticationDetails", "authenticationDetails.authenticationMethod",
	"authenticationDetails.authenticationMethodDetail", "authenticationDetails.authenticationStepDateTime",
	"authenticationDetails.authenticationStepRequirement", "authenticationDetails.authenticationStepResultDetail",
	"authenticationDetails.succeeded", "authenticationMethodsUsed",
	"authenticationProcessingDetails", "authenticationProcessingDetails.key", "authenticationProcessingDetails.value",
	"authenticationRequirementPolicies", "authenticationRequirementPolicies.requirementProvider",
	"authenticationRequirementPolicies.detail", "authenticationContextClassReferences",
	"appliedConditionalAccessPolicies", "appliedConditionalAccessPolicies.id",
	"appliedConditionalAccessPolicies.displayName", "appliedConditionalAccessPolicies.result",
	"appliedConditionalAccessPolicies.enforcedGrantControls",
	"appliedConditionalAccessPolicies.enforcedSessionControls", "appliedEventListeners",
	"mfaDetail", "mfaDetail.authMethod", "mfaDetail.authDetail",
	"networkLocationDetails", "networkLocationDetails.networkType", "networkLocationDetails.networkNames",
	"sessionLifetimePolicies", "sessionLifetimePolicies.expirationRequirement", "sessionLifetimePolicies.detail",
}

// signInAliases maps the names public rules and other exports use onto
// canonical sign-in paths. Names differing from a canonical path only in
// case (AppId, IPAddress, UserPrincipalName, DeviceDetail.trusttype) need
// no entry: Resolve folds case. properties.<path> is added for every
// canonical path in init.
var signInAliases = map[string]string{
	// Azure Monitor envelope and Log Analytics columns.
	"ResultType":                            "status.errorCode",
	"resultType":                            "status.errorCode",
	"ResultDescription":                     "status.failureReason",
	"resultDescription":                     "status.failureReason",
	"callerIpAddress":                       "ipAddress",
	"time":                                  "createdDateTime",
	"TimeGenerated":                         "createdDateTime",
	"ResourceIdentity":                      "resourceId",
	"Location":                              "location.countryOrRegion",
	"LocationDetails":                       "location",
	"LocationDetails.city":                  "location.city",
	"LocationDetails.state":                 "location.state",
	"LocationDetails.countryOrRegion":       "location.countryOrRegion",
	"LocationDetails.geoCoordinates":        "location.geoCoordinates",
	"ConditionalAccessPolicies":             "appliedConditionalAccessPolicies",
	"ConditionalAccessPolicies.result":      "appliedConditionalAccessPolicies.result",
	"ConditionalAccessPolicies.displayName": "appliedConditionalAccessPolicies.displayName",
	"ProcessingTimeInMs":                    "processingTimeInMilliseconds",
	// UAL (AzureActiveDirectoryStsLogon) names.
	"ClientIP":                     "ipAddress",
	"ActorIpAddress":               "ipAddress",
	"ApplicationId":                "appId",
	"ErrorNumber":                  "status.errorCode",
	"LogonError":                   "status.failureReason",
	"ObjectId":                     "resourceId",
	"CreationTime":                 "createdDateTime",
	"IntraSystemId":                "id",
	"ExtendedProperties.UserAgent": "userAgent",
}

// signInSynthesized are the sign-in paths whose values may not appear
// verbatim in the record.
var signInSynthesized = []string{
	"createdDateTime", // rewritten in UTC
	"authenticationDetails.authenticationStepDateTime", // rewritten in UTC
	"status.errorCode", // 0 for UAL UserLoggedIn
	"signInEventTypes", // from the category, table or isInteractive
}

func init() {
	k := event.KindEntraSignIn
	addFields(k, signInFields...)
	addAliases(k, signInAliases)
	props := make(map[string]string, len(signInFields))
	for _, p := range signInFields {
		props["properties."+p] = p
	}
	addAliases(k, props)
	addSynthesized(k, signInSynthesized...)
}
