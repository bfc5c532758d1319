package normalize

import (
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Azure Key Vault data-plane audit. The canonical shape is the Azure Monitor
// resource log of category AuditEvent as Key Vault writes it to storage and
// Event Hubs (MicrosoftDocs/azure-docs articles/key-vault/general/logging.md):
//
//	time, resourceId, operationName (VaultGet, SecretGet, SecretList, …),
//	operationVersion, category "AuditEvent", resultType, resultSignature,
//	resultDescription, durationMs, callerIpAddress, correlationId,
//	identity.claim{…}, properties{id, clientInfo, httpStatusCode,
//	requestUri, isAccessPolicyMatch, …}
//
// durationMs is a number (the docs sample writes it as a string). The
// identity claims keep the names the token had: "upn", "appid", "oid" or
// the claim URIs ("http://schemas.microsoft.com/identity/claims/objectidentifier").
// Log Analytics rows (AzureDiagnostics with ResourceType VAULTS, and the
// resource-specific AZKVAuditLogs table) are mapped back to this shape in
// keyvault_la.go. Vault configuration changes made through Azure Resource
// Manager (MICROSOFT.KEYVAULT/VAULTS/WRITE, …/ACCESSPOLICIES/WRITE) are in
// the Azure Activity log, not here.

func init() {
	register(shape{format: "azure-monitor", kind: event.KindKeyVault, priority: 60,
		detect: detectKeyVault, normalize: normalizeKeyVault})

	k := event.KindKeyVault
	addFields(k, azureEnvelopeFields...)
	addFields(k,
		"identity.claim.upn", "identity.claim.appid", "identity.claim.oid", "identity.claim.ipaddr",
		"identity.claim.unique_name", "identity.claim.scp",
		"identity.claim."+claimObjectID, "identity.claim."+claimUPN, "identity.claim."+claimName,
		"properties.id", "properties.clientInfo", "properties.httpStatusCode", "properties.requestUri",
		"properties.isAccessPolicyMatch", "properties.isRbacAuthorized", "properties.tlsVersion",
		"properties.addedAccessPolicy.ObjectId", "properties.addedAccessPolicy.TenantId",
		"properties.addedAccessPolicy.Permissions.keys", "properties.addedAccessPolicy.Permissions.secrets",
		"properties.addedAccessPolicy.Permissions.certificates",
	)
	addSynthesized(k, "time", "durationMs")
	// Log Analytics column names (AzureDiagnostics, as used by Microsoft
	// Sentinel's Azure Key Vault solution, and AZKVAuditLogs).
	addAliases(k, map[string]string{
		"TimeGenerated":          "time",
		"ResourceId":             "resourceId",
		"OperationName":          "operationName",
		"OperationVersion":       "operationVersion",
		"ResultType":             "resultType",
		"ResultSignature":        "resultSignature",
		"ResultDescription":      "resultDescription",
		"DurationMs":             "durationMs",
		"CallerIPAddress":        "callerIpAddress",
		"CorrelationId":          "correlationId",
		"Identity":               "identity",
		"clientInfo_s":           "properties.clientInfo",
		"requestUri_s":           "properties.requestUri",
		"id_s":                   "properties.id",
		"httpStatusCode_d":       "properties.httpStatusCode",
		"isAccessPolicyMatch_b":  "properties.isAccessPolicyMatch",
		"ClientInfo":             "properties.clientInfo",
		"RequestUri":             "properties.requestUri",
		"Id":                     "properties.id",
		"HttpStatusCode":         "properties.httpStatusCode",
		"IsAccessPolicyMatch":    "properties.isAccessPolicyMatch",
		"identity_claim_upn_s":   "identity.claim.upn",
		"identity_claim_appid_g": "identity.claim.appid",
		"identity_claim_oid_g":   "identity.claim.oid",
		"identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g": "identity.claim." + claimObjectID,
		"identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s":     "identity.claim." + claimUPN,
		"identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_name_s":    "identity.claim." + claimName,
		"addedAccessPolicy_ObjectId_g":                 "properties.addedAccessPolicy.ObjectId",
		"addedAccessPolicy_TenantId_g":                 "properties.addedAccessPolicy.TenantId",
		"addedAccessPolicy_Permissions_keys_s":         "properties.addedAccessPolicy.Permissions.keys",
		"addedAccessPolicy_Permissions_secrets_s":      "properties.addedAccessPolicy.Permissions.secrets",
		"addedAccessPolicy_Permissions_certificates_s": "properties.addedAccessPolicy.Permissions.certificates",
	})
}

// Claim URIs Azure writes as claim names.
const (
	claimObjectID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
	claimUPN      = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
	claimName     = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
)

func detectKeyVault(v *fastjson.Value, _ ingest.Container) bool {
	if !foldStr(getFold(v, "category"), "AuditEvent") {
		return false
	}
	if containsFold(strBytes(getFold(v, "resourceId")), "/providers/microsoft.keyvault/") {
		return true
	}
	return containsFold(strBytes(getFold(v, "properties").Get("requestUri")), ".vault.azure.net")
}

func normalizeKeyVault(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.canonKeys(v, azureEnvelopeLower)
	n.finishKeyVault(doc, ev)
	return nil
}

// finishKeyVault fixes the value types of an AuditEvent record and fills
// the event.
func (n *Normalizer) finishKeyVault(doc *fastjson.Value, ev *event.Event) {
	if d := doc.Get("durationMs"); d != nil {
		doc.Set("durationMs", n.numberOrSelf(d))
	}
	if p := doc.Get("properties"); p != nil && p.Type() == fastjson.TypeString {
		if o := n.embeddedJSON(p); o != nil {
			doc.Set("properties", o)
		}
	}
	if p := doc.Get("properties"); p != nil {
		if c := p.Get("httpStatusCode"); c != nil {
			p.Set("httpStatusCode", n.numberOrSelf(c))
		}
	}
	ev.Doc = doc
	if t, ok := n.setUTCTime(doc, "time", time.RFC3339Nano); ok {
		ev.Time = t
	}
}
