package normalize

import (
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Application inventory: Microsoft Graph application and servicePrincipal
// objects, as exported from /applications and /servicePrincipals
// (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/resources/
// application.md and serviceprincipal.md). The object is kept as Graph
// returns it, with one derived field per credential:
//
//	passwordCredentials[].lifetimeDays, keyCredentials[].lifetimeDays
//	    endDateTime − startDateTime in days (a float), when both parse.
//
// Event.Subtype is "application" or "servicePrincipal" (from @odata.type,
// else servicePrincipalType / servicePrincipalNames / appOwnerOrganizationId
// mark a service principal). Event.Time is createdDateTime (applications
// have it; service principals may not), Event.ID is id.

// inventoryMarkers are properties only application and servicePrincipal
// objects carry (a sign-in also has appId, never these).
var inventoryMarkers = []string{"passwordCredentials", "keyCredentials", "servicePrincipalType",
	"servicePrincipalNames", "signInAudience", "identifierUris", "requiredResourceAccess", "appRoles",
	"publisherDomain", "appOwnerOrganizationId"}

func init() {
	register(shape{format: "graph", kind: event.KindAppInventory, priority: 85, detect: detectInventory,
		normalize: normalizeInventory})

	k := event.KindAppInventory
	addFields(k, "id", "appId", "displayName", "createdDateTime", "deletedDateTime", "description", "notes",
		"tags", "signInAudience", "publisherDomain", "appOwnerOrganizationId", "servicePrincipalType",
		"servicePrincipalNames", "identifierUris", "accountEnabled", "appDisplayName", "appRoleAssignmentRequired",
		"replyUrls", "homepage", "logoutUrl", "isFallbackPublicClient", "verifiedPublisher.displayName",
		"verifiedPublisher.verifiedPublisherId",
		"web.redirectUris", "web.logoutUrl", "web.homePageUrl", "spa.redirectUris", "publicClient.redirectUris",
		"requiredResourceAccess.resourceAppId", "requiredResourceAccess.resourceAccess.id",
		"requiredResourceAccess.resourceAccess.type",
		"appRoles.id", "appRoles.value", "appRoles.allowedMemberTypes", "appRoles.isEnabled",
		"oauth2PermissionScopes.id", "oauth2PermissionScopes.value", "api.oauth2PermissionScopes.value",
		"passwordCredentials.keyId", "passwordCredentials.displayName", "passwordCredentials.startDateTime",
		"passwordCredentials.endDateTime", "passwordCredentials.hint", "passwordCredentials.lifetimeDays",
		"keyCredentials.keyId", "keyCredentials.displayName", "keyCredentials.startDateTime",
		"keyCredentials.endDateTime", "keyCredentials.type", "keyCredentials.usage", "keyCredentials.lifetimeDays",
	)
	addSynthesized(k, "passwordCredentials.lifetimeDays", "keyCredentials.lifetimeDays")
}

func detectInventory(v *fastjson.Value, _ ingest.Container) bool {
	if t := v.Get("@odata.type"); isStr(t, "#microsoft.graph.application") || isStr(t, "#microsoft.graph.servicePrincipal") {
		return true
	}
	if v.Get("appId") == nil || v.Get("id") == nil {
		return false
	}
	for _, m := range inventoryMarkers {
		if v.Get(m) != nil {
			return true
		}
	}
	return false
}

func normalizeInventory(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	for _, key := range [...]string{"passwordCredentials", "keyCredentials"} {
		for _, c := range arrayOf(v.Get(key)) {
			if c.Type() != fastjson.TypeObject {
				continue
			}
			start, ok1 := TimeValue(c.Get("startDateTime"))
			end, ok2 := TimeValue(c.Get("endDateTime"))
			if ok1 && ok2 {
				c.Set("lifetimeDays", n.Arena.NewNumberFloat64(end.Sub(start).Hours()/24))
			}
		}
	}
	ev.Doc = v
	ev.ID = strOf(v.Get("id"))
	ev.Subtype = inventorySubtype(v)
	if t, ok := TimeValue(v.Get("createdDateTime")); ok {
		ev.Time = t
	}
	return nil
}

func inventorySubtype(v *fastjson.Value) string {
	if t, ok := strings.CutPrefix(strOf(v.Get("@odata.type")), "#microsoft.graph."); ok &&
		(t == "application" || t == "servicePrincipal") {
		return t
	}
	for _, m := range [...]string{"servicePrincipalType", "servicePrincipalNames", "appOwnerOrganizationId"} {
		if v.Get(m) != nil {
			return "servicePrincipal"
		}
	}
	return "application"
}
