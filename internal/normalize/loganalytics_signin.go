package normalize

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// laSignInColumns maps the columns of the Log Analytics sign-in tables
// (SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs,
// AADManagedIdentitySignInLogs, ADFSSignInLogs) onto signIn members where the
// name or the type differs; any other column keeps its name, first letter
// lowered (UserPrincipalName → userPrincipalName).
var laSignInColumns = map[string]laCol{
	"IPAddress":                            {"ipAddress", colText},
	"IPAddressFromResourceProvider":        {"ipAddressFromResourceProvider", colText},
	"ResourceIdentity":                     {"resourceId", colText},
	"LocationDetails":                      {"location", colDyn},
	"ConditionalAccessPolicies":            {"appliedConditionalAccessPolicies", colDyn},
	"AppliedConditionalAccessPolicies":     {"appliedConditionalAccessPolicies", colDyn},
	"ProcessingTimeInMs":                   {"processingTimeInMilliseconds", colInt},
	"ProcessingTimeInMilliseconds":         {"processingTimeInMilliseconds", colInt},
	"RiskEventTypes_V2":                    {"riskEventTypes_v2", colDyn},
	"AutonomousSystemNumber":               {"autonomousSystemNumber", colInt},
	"IsInteractive":                        {"isInteractive", colBool},
	"IsRisky":                              {"isRisky", colBool},
	"IsTenantRestricted":                   {"isTenantRestricted", colBool},
	"IsThroughGlobalSecureAccess":          {"isThroughGlobalSecureAccess", colBool},
	"FlaggedForReview":                     {"flaggedForReview", colBool},
	"Id":                                   {"id", colText},
	"CreatedDateTime":                      {"createdDateTime", colText},
	"Status":                               {"status", colDyn},
	"DeviceDetail":                         {"deviceDetail", colDyn},
	"MfaDetail":                            {"mfaDetail", colDyn},
	"AuthenticationDetails":                {"authenticationDetails", colDyn},
	"AuthenticationMethodsUsed":            {"authenticationMethodsUsed", colDyn},
	"AuthenticationProcessingDetails":      {"authenticationProcessingDetails", colDyn},
	"AuthenticationRequirementPolicies":    {"authenticationRequirementPolicies", colDyn},
	"AuthenticationContextClassReferences": {"authenticationContextClassReferences", colDyn},
	"AppliedEventListeners":                {"appliedEventListeners", colDyn},
	"NetworkLocationDetails":               {"networkLocationDetails", colDyn},
	"RiskEventTypes":                       {"riskEventTypes", colDyn},
	"SessionLifetimePolicies":              {"sessionLifetimePolicies", colDyn},
	"PrivateLinkDetails":                   {"privateLinkDetails", colDyn},
	"ManagedServiceIdentity":               {"managedServiceIdentity", colDyn},

	// Envelope and bookkeeping columns. ResultType, ResultDescription and
	// TimeGenerated are read separately as fallbacks; Location is the
	// country code LocationDetails carries too; the documented values of
	// SignInEventTypes ("interactive", "refreshToken", …) are not Graph's,
	// so the table decides signInEventTypes.
	"TimeGenerated":     {kind: colDrop},
	"Type":              {kind: colDrop},
	"TenantId":          {kind: colDrop},
	"AADTenantId":       {kind: colDrop},
	"SourceSystem":      {kind: colDrop},
	"OperationName":     {kind: colDrop},
	"OperationVersion":  {kind: colDrop},
	"Category":          {kind: colDrop},
	"ResultType":        {kind: colDrop},
	"ResultSignature":   {kind: colDrop},
	"ResultDescription": {kind: colDrop},
	"DurationMs":        {kind: colDrop},
	"Identity":          {kind: colDrop},
	"Level":             {kind: colDrop},
	"Location":          {kind: colDrop},
	"Resource":          {kind: colDrop},
	"ResourceGroup":     {kind: colDrop},
	"ResourceProvider":  {kind: colDrop},
	"ResourceId":        {kind: colDrop},
	"SignInEventTypes":  {kind: colDrop},
}

func normalizeLogAnalyticsSignIn(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.convertRow(v, laSignInColumns)
	fb := signInFallback{
		time:   laGet(v, "TimeGenerated"),
		code:   v.Get("ResultType"),
		reason: v.Get("ResultDescription"),
	}
	if t := laTable(v); t != nil {
		fb.eventType = signInTables[string(t)]
	} else if c := stringBytes(v.Get("Category")); c != nil {
		fb.eventType = signInCategories[string(c)]
	}
	n.finishSignIn(doc, ev, fb)
	return nil
}
