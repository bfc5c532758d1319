package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Key Vault audit rows from Log Analytics, mapped back to the AuditEvent
// record (keyvault.go).
//
// AzureDiagnostics (ResourceType "VAULTS"): the envelope becomes PascalCase
// columns (OperationName, ResultType, CallerIPAddress, DurationMs, …) and
// every nested field of identity and properties becomes a flat column named
// by its path joined with "_" plus a type suffix: _s string, _d number,
// _g GUID, _b boolean, _t datetime (identity_claim_upn_s, clientInfo_s,
// httpStatusCode_d, addedAccessPolicy_Permissions_keys_s; column names as
// queried by Microsoft Sentinel's Azure Key Vault analytic rules). identity
// columns go back under identity.claim (claim URIs, which the flattening
// turned into http_schemas_…, are restored for the claims Azure writes as
// URIs), the others under properties, split at "_". Arrays flattened into
// JSON text are parsed back.
//
// AZKVAuditLogs (the resource-specific table; columns per
// azure-monitor-ref/tables/includes/azkvauditlogs-include.md): Identity and
// Properties are dynamic columns, the common properties are columns of
// their own (ClientInfo, HttpStatusCode, Id, IsAccessPolicyMatch,
// RequestUri, …), mapped to properties with their first letter lowered.

// laEnvelope maps Log Analytics envelope columns to the resource-log names.
var laEnvelope = map[string]string{
	"TimeGenerated": "time", "ResourceId": "resourceId", "OperationName": "operationName",
	"OperationVersion": "operationVersion", "Category": "category", "ResultType": "resultType",
	"ResultSignature": "resultSignature", "ResultDescription": "resultDescription", "DurationMs": "durationMs",
	"CallerIPAddress": "callerIpAddress", "CallerIpAddress": "callerIpAddress", "CorrelationId": "correlationId",
	"Level": "level", "Location": "location",
}

// laWorkspaceColumns carry workspace bookkeeping or values derived from
// resourceId; they have no counterpart in the resource log.
var laWorkspaceColumns = map[string]bool{
	"TenantId": true, "SourceSystem": true, "Type": true, "ResourceGroup": true, "SubscriptionId": true,
	"ResourceProvider": true, "Resource": true, "ResourceType": true, "MG": true, "ManagementGroupName": true,
	"Computer": true, "RawData": true,
}

// flattenedClaims restores the claim URIs that AzureDiagnostics flattened.
var flattenedClaims = map[string]string{
	"http_schemas_microsoft_com_identity_claims_objectidentifier":        claimObjectID,
	"http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn":            claimUPN,
	"http_schemas_xmlsoap_org_ws_2005_05_identity_claims_name":           claimName,
	"http_schemas_microsoft_com_identity_claims_tenantid":                "http://schemas.microsoft.com/identity/claims/tenantid",
	"http_schemas_microsoft_com_identity_claims_scope":                   "http://schemas.microsoft.com/identity/claims/scope",
	"http_schemas_xmlsoap_org_ws_2005_05_identity_claims_nameidentifier": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
	"http_schemas_microsoft_com_claims_authnmethodsreferences":           "http://schemas.microsoft.com/claims/authnmethodsreferences",
}

func init() {
	register(shape{format: "log-analytics", kind: event.KindKeyVault, priority: 58,
		detect: detectKeyVaultDiagnostics, normalize: normalizeKeyVaultDiagnostics})
	register(shape{format: "log-analytics", kind: event.KindKeyVault, priority: 59,
		detect: detectAZKVAuditLogs, normalize: normalizeAZKVAuditLogs})
}

func detectKeyVaultDiagnostics(v *fastjson.Value, _ ingest.Container) bool {
	if foldStr(v.Get("ResourceType"), "VAULTS") {
		return true
	}
	return foldStr(v.Get("ResourceProvider"), "MICROSOFT.KEYVAULT") && foldStr(v.Get("Category"), "AuditEvent")
}

func normalizeKeyVaultDiagnostics(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	obj, _ := v.Object()
	obj.Visit(func(k []byte, val *fastjson.Value) {
		key := laColumnName(k)
		if isEmptyCell(val) || laWorkspaceColumns[key] {
			return
		}
		if to, ok := laEnvelope[key]; ok {
			setOnce(doc, to, val)
			return
		}
		if key == "_ResourceId" {
			if !hasKey(v, "ResourceId") {
				setOnce(doc, "resourceId", val)
			}
			return
		}
		if strings.HasPrefix(key, "_") {
			return
		}
		base, typ := splitTypeSuffix(key)
		if typ == 0 {
			setOnce(doc, key, val)
			return
		}
		val = n.typedCell(val, typ)
		if claim, ok := strings.CutPrefix(base, "identity_claim_"); ok {
			if uri, known := flattenedClaims[claim]; known {
				claim = uri
			}
			n.setPath(doc, val, "identity", "claim", claim)
			return
		}
		n.setPath(doc, val, append([]string{"properties"}, strings.Split(base, "_")...)...)
	})
	n.finishKeyVault(doc, ev)
	return nil
}

func detectAZKVAuditLogs(v *fastjson.Value, _ ingest.Container) bool {
	return isStr(v.Get("Type"), "AZKVAuditLogs")
}

func normalizeAZKVAuditLogs(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	doc.Set("category", n.Arena.NewString("AuditEvent"))
	if p := n.jsonOrSelf(v.Get("Properties")); p != nil && p.Type() == fastjson.TypeObject {
		doc.Set("properties", p)
	}
	obj, _ := v.Object()
	obj.Visit(func(k []byte, val *fastjson.Value) {
		key := laColumnName(k)
		switch {
		case isEmptyCell(val) || laWorkspaceColumns[key] || key == "Properties":
		case key == "_ResourceId":
			setOnce(doc, "resourceId", val)
		case strings.HasPrefix(key, "_"):
		case key == "Identity":
			setOnce(doc, "identity", n.jsonOrSelf(val))
		case laEnvelope[key] != "":
			setOnce(doc, laEnvelope[key], val)
		default:
			val = n.jsonOrSelf(val)
			switch strings.ToLower(strOf(val)) {
			case "true", "false":
				val = n.boolOrSelf(val)
			}
			n.setPath(doc, val, "properties", lowerInitial(key))
		}
	})
	n.finishKeyVault(doc, ev)
	return nil
}

// typedCell converts a flattened Log Analytics cell by its type suffix.
func (n *Normalizer) typedCell(v *fastjson.Value, typ byte) *fastjson.Value {
	switch typ {
	case 'd':
		return n.numberOrSelf(v)
	case 'b':
		return n.boolOrSelf(v)
	case 's':
		return n.jsonOrSelf(v)
	}
	return v
}

// splitTypeSuffix splits an AzureDiagnostics column name into its field
// path and type suffix letter (0 when the column has none).
func splitTypeSuffix(col string) (string, byte) {
	i := len(col) - 2
	if i <= 0 || col[i] != '_' {
		return col, 0
	}
	switch c := col[i+1]; c {
	case 's', 'd', 'g', 'b', 't':
		return col[:i], c
	}
	return col, 0
}

// setPath sets val at the nested path under doc, creating objects on the
// way; it never replaces a non-object on the way, nor an existing value.
func (n *Normalizer) setPath(doc, val *fastjson.Value, path ...string) {
	cur := doc
	for i, seg := range path {
		if seg == "" {
			return
		}
		if i == len(path)-1 {
			setOnce(cur, seg, val)
			return
		}
		next := cur.Get(seg)
		if next == nil {
			next = n.Arena.NewObject()
			cur.Set(seg, next)
		}
		if next.Type() != fastjson.TypeObject {
			return
		}
		cur = next
	}
}

// setOnce sets key in obj unless it is already set.
func setOnce(obj *fastjson.Value, key string, val *fastjson.Value) {
	if obj.Get(key) == nil {
		obj.Set(key, val)
	}
}

// lowerInitial lowers the first letter of a column name ("ClientInfo" →
// "clientInfo").
func lowerInitial(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}
