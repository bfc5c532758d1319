package demo

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// vaultHost is the vault's DNS name (the tenant-owned part under an
// example domain).
func (g *generator) vaultHost() string { return "https://" + g.t.vault.name + ".vault.azure.example" }

// kvCaller is who calls Key Vault: an application (appid, object id) or a
// user (upn too).
type kvCaller struct {
	oid, appID, upn string
	ip              netip.Addr
	client          string
}

// kvEvent renders a Key Vault AuditEvent resource log record, shaped like
// Microsoft's example (articles/key-vault/general/logging.md, in
// shared/data/public/microsoft-docs): identity.claim with the object ID,
// appid and (for users) upn claims; properties with id, clientInfo,
// requestUri and httpStatusCode; durationMs as a string.
func (g *generator) kvEvent(r rng, t time.Time, c kvCaller, op, secret string) (string, func(w *jw)) {
	corr := r.guid()
	host := g.vaultHost()
	id, uri := host+"/secrets", host+"/secrets?api-version=7.4"
	if secret != "" {
		id = host + "/secrets/" + secret + "/" + strings.ToLower(r.hexID(16))
		uri = host + "/secrets/" + secret + "/?api-version=7.4"
	}
	return corr, func(w *jw) {
		w.obj("")
		w.str("time", ts(t, layout7))
		w.str("resourceId", g.t.vault.resourceID)
		w.str("operationName", op)
		w.str("operationVersion", "7.4")
		w.str("category", "AuditEvent")
		w.str("resultType", "Success")
		w.str("resultSignature", "OK")
		w.str("resultDescription", "")
		w.str("durationMs", strconv.Itoa(5+r.IntN(60)))
		w.str("callerIpAddress", c.ip.String())
		w.str("correlationId", corr)
		w.obj("identity")
		w.obj("claim")
		w.str("http://schemas.microsoft.com/identity/claims/objectidentifier", c.oid)
		if c.upn != "" {
			w.str("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", c.upn)
		}
		w.str("appid", c.appID)
		w.end()
		w.end()
		w.obj("properties")
		w.str("id", id)
		w.str("clientInfo", c.client)
		w.str("requestUri", uri)
		w.num("httpStatusCode", 200)
		w.end()
		w.end()
	}
}

// activityCaller is the caller of an Azure Resource Manager operation.
type activityCaller struct {
	upn, name, oid, appID string
	principalType         string // User or ServicePrincipal
	role                  string // RBAC role that authorised the call
	ip                    netip.Addr
}

// activityEvent renders an Azure Activity log record in the resource-log
// schema that storage accounts and event hubs receive
// (articles/azure-monitor/platform/activity-log-schema.md, "Schema from
// storage account and event hubs"). extra writes further properties
// (requestbody for role assignments and access policies).
func (g *generator) activityEvent(r rng, t time.Time, c activityCaller, op, action, resourceID, status string, extra func(w *jw)) (string, func(w *jw)) {
	corr := r.guid()
	return corr, func(w *jw) {
		w.obj("")
		w.str("time", ts(t, layout7))
		w.str("resourceId", resourceID)
		w.str("operationName", op)
		w.str("category", "Administrative")
		w.str("resultType", "Success")
		w.str("resultSignature", "Succeeded."+status)
		w.num("durationMs", int64(200+r.IntN(4000)))
		w.str("callerIpAddress", c.ip.String())
		w.str("correlationId", corr)
		w.obj("identity")
		w.obj("authorization")
		w.str("scope", resourceID)
		w.str("action", action)
		w.obj("evidence")
		w.str("role", c.role)
		w.str("roleAssignmentScope", "/subscriptions/"+g.t.subscription)
		w.str("roleAssignmentId", strings.ToLower(r.hexID(16)))
		w.str("roleDefinitionId", strings.ReplaceAll(roleDefinition(c.role), "-", ""))
		w.str("principalId", strings.ReplaceAll(c.oid, "-", ""))
		w.str("principalType", c.principalType)
		w.end()
		w.end()
		w.obj("claims")
		w.str("aud", "https://management.core.windows.net/")
		w.str("iss", "https://sts.windows.net/"+g.t.id+"/")
		iat := t.Add(-time.Duration(5+r.IntN(50)) * time.Minute).Unix()
		w.str("iat", strconv.FormatInt(iat, 10))
		w.str("nbf", strconv.FormatInt(iat, 10))
		w.str("exp", strconv.FormatInt(iat+3600+int64(r.IntN(1800)), 10))
		w.str("ver", "1.0")
		w.str("http://schemas.microsoft.com/identity/claims/tenantid", g.t.id)
		w.str("http://schemas.microsoft.com/identity/claims/objectidentifier", c.oid)
		if c.principalType == "User" {
			w.str("http://schemas.microsoft.com/claims/authnmethodsreferences", "pwd,mfa")
			w.str("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", c.upn)
			w.str("name", c.name)
			w.str("appidacr", "0")
		} else {
			w.str("appidacr", "2")
			w.str("idtyp", "app")
		}
		w.str("appid", c.appID)
		w.str("ipaddr", c.ip.String())
		w.end()
		w.end()
		w.str("level", "Information")
		w.str("location", "global")
		w.obj("properties")
		w.str("statusCode", status)
		w.str("serviceRequestId", r.guid())
		w.str("eventCategory", "Administrative")
		w.str("entity", resourceID)
		w.str("message", action)
		w.str("hierarchy", g.t.id+"/"+g.t.subscription)
		if extra != nil {
			extra(w)
		}
		w.end()
		w.end()
	}
}

func roleDefinition(role string) string {
	switch role {
	case "Contributor":
		return rbacContributor
	}
	return rbacOwner
}

// resource returns the ARM ID of a resource in the tenant's resource group.
func (g *generator) resource(provider string) string {
	return "/subscriptions/" + g.t.subscription + "/resourceGroups/" + g.t.resourceGroup + "/providers/" + provider
}
