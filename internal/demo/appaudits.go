package demo

import (
	"net/netip"
	"time"
)

// Application-management audit events, with the modifiedProperties the
// catalog documents for each activity (detections.md §1.1 traps 4-8 and
// §3; property order as the public rules index them).

func (g *generator) appAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua, activity, opType, corr string) *directoryAudit {
	a := g.newAudit(r, t, actor, ip)
	if corr != "" {
		a.corr, a.id = corr, auditID(r, corr)
	}
	a.activity, a.category, a.opType = activity, "ApplicationManagement", opType
	a.ualEventClass = "Application"
	a.details = [][2]string{{"User-Agent", ua}}
	return a
}

// consentAudit is "Consent to application". A failed consent carries the
// risk-based consent reason in resultReason, ConsentAction.Reason and
// MethodExecutionResult. (detections.md §3 row 11).
func (g *generator) consentAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, client *app, admin bool, scope, corr string, blocked bool) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Consent to application", "Assign", corr)
	a.details = [][2]string{{"User-Agent", ua}, {"AppId", client.appID}}
	a.ualEventClass = "ServicePrincipal"
	consentType, principal := "Principal", actor.id
	if admin {
		consentType, principal = "AllPrincipals", ""
	}
	props := []modProp{
		{"ConsentContext.IsAdminConsent", "", q(capitalBool(admin))},
		{"ConsentContext.IsAppOnly", "", q("False")},
		{"ConsentContext.OnBehalfOfAll", "", q(capitalBool(admin))},
		{"ConsentContext.Tags", "", q("WindowsAzureActiveDirectoryIntegratedApp")},
		{"ConsentAction.Permissions", "", q(consentPermissions(r.token(32), client.spID, principal, g.t.spOf(fpGraph), consentType, scope))},
	}
	if blocked {
		props = append(props, modProp{"ConsentAction.Reason", "", q("Risky application detected")})
	}
	props = append(props, modProp{"TargetId.ServicePrincipalNames", "", spNames(client.appID)})
	if blocked {
		props = append(props, modProp{"MethodExecutionResult.", "", q(riskyConsentResult)})
		a.result, a.reason = "failure", riskyConsentReason
	}
	a.targets = []target{{id: client.spID, display: client.name, typ: "ServicePrincipal", props: props}}
	return a
}

// capitalBool renders a boolean the way audit logs do: "True" or "False".
func capitalBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// grantAudit is "Add delegated permission grant": targetResources[0] is the
// resource API (Microsoft Graph), [1] the client (detections.md §1.1 trap 4).
func (g *generator) grantAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, client *app, consentType, scope, corr string) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Add delegated permission grant", "Assign", corr)
	a.ualEventClass = "ServicePrincipal"
	a.targets = []target{
		{id: g.t.spOf(fpGraph), display: fpGraph.name, typ: "ServicePrincipal", props: []modProp{
			{"DelegatedPermissionGrant.Scope", "", q(scope)},
			{"DelegatedPermissionGrant.ConsentType", "", q(consentType)},
			{"ServicePrincipal.ObjectID", "", q(client.spID)},
			{"ServicePrincipal.DisplayName", "", q(client.name)},
			{"ServicePrincipal.AppId", "", q(client.appID)},
			{"ServicePrincipal.Name", "", q(client.name)},
			{"TargetId.ServicePrincipalNames", "", spNames(appGraph, "https://graph.microsoft.com")},
		}},
		{id: client.spID, display: client.name, typ: "ServicePrincipal"},
	}
	return a
}

// addSPAudit is "Add service principal" (a multi-tenant app's first
// consent, or a new registration).
func (g *generator) addSPAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, client *app, corr string) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Add service principal", "Add", corr)
	a.ualEventClass = "ServicePrincipal"
	a.targets = []target{{id: client.spID, display: client.name, typ: "ServicePrincipal", props: []modProp{
		{"AccountEnabled", "", "[true]"},
		{"AppPrincipalId", "", jsonStrings([]string{client.appID})},
		{"DisplayName", "", jsonStrings([]string{client.name})},
		{"ServicePrincipalName", "", jsonStrings([]string{client.appID})},
		{"Included Updated Properties", "", q("AccountEnabled, AppPrincipalId, DisplayName, ServicePrincipalName")},
		{"TargetId.ServicePrincipalNames", "", spNames(client.appID)},
	}}}
	return a
}

// addAppAudit is "Add application" for a new registration.
func (g *generator) addAppAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, x *app, corr string) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Add application", "Add", corr)
	a.targets = []target{{id: x.objectID, display: x.name, typ: "Application", props: []modProp{
		{"AppId", "", jsonStrings([]string{x.appID})},
		{"AvailableToOtherTenants", "", "[true]"},
		{"DisplayName", "", jsonStrings([]string{x.name})},
		{"AppAddress", "", appAddress(x.redirects)},
		{"Included Updated Properties", "", q("AppId, AvailableToOtherTenants, DisplayName, AppAddress")},
	}}}
	return a
}

// credentialAudit is "Update application – Certificates and secrets
// management " (en dash, trailing space) with the KeyDescription old and
// new key lists (detections.md §1.1 traps 2 and 6).
func (g *generator) credentialAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, x *app, before, after []cred) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, auditUpdateAppCreds, "Update", "")
	a.details = [][2]string{{"User-Agent", ua}, {"AppId", x.appID}}
	a.targets = []target{{id: x.objectID, display: x.name, typ: "Application", props: []modProp{
		{"KeyDescription", keyList(before), keyList(after)},
		{"Included Updated Properties", "", q("KeyDescription")},
	}}}
	return a
}

// updateAppAudit is "Update application" with the given property changes.
func (g *generator) updateAppAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, x *app, included string, props ...modProp) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Update application", "Update", "")
	a.details = [][2]string{{"User-Agent", ua}, {"AppId", x.appID}}
	a.targets = []target{{id: x.objectID, display: x.name, typ: "Application",
		props: append(props, modProp{"Included Updated Properties", "", q(included)})}}
	return a
}

// ownerAudit is "Add owner to application": targetResources[0] is the new
// owner, the application's identity is in modifiedProperties.
func (g *generator) ownerAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, x *app, owner *user) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Add owner to application", "Add", "")
	a.details = [][2]string{{"User-Agent", ua}}
	a.targets = []target{
		{id: owner.id, display: owner.display, typ: "User", upn: owner.upn, props: []modProp{
			{"Application.ObjectID", "", q(x.objectID)},
			{"Application.DisplayName", "", q(x.name)},
			{"Application.AppId", "", q(x.appID)},
		}},
		{id: x.objectID, display: x.name, typ: "Application"},
	}
	return a
}

// appRoleAudit is "Add app role assignment to service principal": the
// resource API in targetResources[0] with AppRole.* and the client's
// ServicePrincipal.* properties.
func (g *generator) appRoleAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, client *app, resID, resName, resAppID string, role appRole) *directoryAudit {
	a := g.appAudit(r, t, actor, ip, ua, "Add app role assignment to service principal", "Assign", "")
	a.details = [][2]string{{"User-Agent", ua}}
	a.ualEventClass = "ServicePrincipal"
	created := ts(t, "1/2/2006 3:04:05 PM")
	a.targets = []target{
		{id: resID, display: resName, typ: "ServicePrincipal", props: []modProp{
			{"AppRole.Id", "", q(role.id)},
			{"AppRole.Value", "", q(role.value)},
			{"AppRole.DisplayName", "", q(role.display)},
			{"AppRoleAssignment.CreatedDateTime", "", q(created)},
			{"AppRoleAssignment.LastModifiedDateTime", "", q(created)},
			{"ServicePrincipal.ObjectID", "", q(client.spID)},
			{"ServicePrincipal.DisplayName", "", q(client.name)},
			{"ServicePrincipal.AppId", "", q(client.appID)},
			{"ServicePrincipal.Name", "", q(client.name)},
			{"TargetId.ServicePrincipalNames", "", spNames(resAppID)},
		}},
		{id: client.spID, display: client.name, typ: "ServicePrincipal"},
	}
	return a
}

// roleMemberAudit is "Add member to role" (RoleManagement) for a user or a
// service principal member.
func (g *generator) roleMemberAudit(r rng, t time.Time, actor *user, ip netip.Addr, ua string, role roleDef, roleObjID, wellKnown string, member target) *directoryAudit {
	a := g.newAudit(r, t, actor, ip)
	a.activity, a.category, a.opType = "Add member to role", "RoleManagement", "Assign"
	a.details = [][2]string{{"User-Agent", ua}}
	a.ualEventClass = member.typ
	member.props = append([]modProp{
		{"Role.ObjectID", "", q(roleObjID)},
		{"Role.DisplayName", "", q(role.name)},
		{"Role.TemplateId", "", q(role.template)},
		{"Role.WellKnownObjectName", "", q(wellKnown)},
	}, member.props...)
	a.targets = []target{member, {id: roleObjID, display: role.name, typ: "Role"}}
	return a
}
