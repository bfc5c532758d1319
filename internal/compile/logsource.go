package compile

import (
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
)

// Route maps a Sigma logsource (product and service; category is not
// consulted for these products) onto the log kinds a rule runs on.
//
// Kinds are the kinds the rule always runs on: a field of the rule that
// such a kind does not know is a load-time warning. Also are kinds the rule
// runs on only when every field it references is known there: records of
// the logsource may be normalised into those kinds too (UAL
// AzureActiveDirectory records become Entra sign-in and directory-audit
// events), so a rule written for the logsource should see them when it can
// address their fields.
//
// Unsupported, when set, says why idsentry cannot run rules of the
// logsource; such rules are reported and counted, never silently dropped.
type Route struct {
	Product     string
	Service     string // "" matches a logsource that names only the product
	Kinds       []event.Kind
	Also        []event.Kind
	Unsupported string
}

// Routes is the logsource table, in lookup order: the first entry whose
// product and service equal the rule's (case-insensitively) applies.
//
//   - azure/signinlogs → entra_signin; azure/auditlogs → entra_audit;
//     azure/activitylogs → azure_activity (Key Vault management operations
//     arrive there too).
//   - azure/keyvault → azure_keyvault. SigmaHQ's taxonomy has no service
//     for Key Vault resource logs (AuditEvent); idsentry names it
//     "keyvault". "azure/keyvaultauditevent" is accepted as a synonym.
//   - azure/riskdetection and azure/pim are Entra ID Protection risk
//     detections and PIM alerts: no export idsentry reads carries them.
//   - m365/audit → m365_audit, and also entra_signin and entra_audit (UAL
//     UserLoggedIn, UserLoginFailed and directory operations are
//     normalised into those kinds; a rule reaches them when their tables
//     know its fields). m365/exchange, threat_management, threat_detection
//     → m365_audit.
//   - aws/cloudtrail → aws_cloudtrail; kubernetes/audit → k8s_audit (the
//     category: application that SigmaHQ adds to some is ignored).
//   - A logsource naming only a product runs on every kind of the product
//     (as "Also" kinds: only where the rule's fields are known; if no kind
//     knows them all, on every kind, with warnings).
//   - service may also be an idsentry kind name (e.g. product: azure,
//     service: app_inventory), and product "idsentry" with a kind name as
//     service addresses any kind directly.
//
// Any other product (okta, gcp, github, onelogin, windows, …), a logsource
// with only a category, and an unknown service of a known product are
// unsupported.
var Routes = []Route{
	{Product: "azure", Service: "signinlogs", Kinds: kinds(event.KindEntraSignIn)},
	{Product: "azure", Service: "auditlogs", Kinds: kinds(event.KindEntraAudit)},
	{Product: "azure", Service: "activitylogs", Kinds: kinds(event.KindAzureActivity)},
	{Product: "azure", Service: "keyvault", Kinds: kinds(event.KindKeyVault)},
	{Product: "azure", Service: "keyvaultauditevent", Kinds: kinds(event.KindKeyVault)},
	{Product: "azure", Service: "riskdetection", Unsupported: "Entra ID Protection risk detections are not a log kind idsentry reads"},
	{Product: "azure", Service: "pim", Unsupported: "PIM alerts are not a log kind idsentry reads"},
	{Product: "azure", Also: kinds(event.KindEntraSignIn, event.KindEntraAudit, event.KindAzureActivity, event.KindKeyVault)},
	{Product: "m365", Service: "audit", Kinds: kinds(event.KindM365Audit), Also: kinds(event.KindEntraSignIn, event.KindEntraAudit)},
	{Product: "m365", Service: "exchange", Kinds: kinds(event.KindM365Audit)},
	{Product: "m365", Service: "threat_management", Kinds: kinds(event.KindM365Audit)},
	{Product: "m365", Service: "threat_detection", Kinds: kinds(event.KindM365Audit)},
	{Product: "m365", Kinds: kinds(event.KindM365Audit)},
	{Product: "aws", Service: "cloudtrail", Kinds: kinds(event.KindCloudTrail)},
	{Product: "aws", Kinds: kinds(event.KindCloudTrail)},
	{Product: "kubernetes", Service: "audit", Kinds: kinds(event.KindK8sAudit)},
	{Product: "kubernetes", Kinds: kinds(event.KindK8sAudit)},
}

func kinds(ks ...event.Kind) []event.Kind { return ks }

// products are the products idsentry reads, for kind-name services.
var products = map[string]bool{"azure": true, "m365": true, "aws": true, "kubernetes": true, "idsentry": true}

// RouteOf returns the route of a logsource. ok is false when the logsource
// is unsupported; reason then says why.
func RouteOf(ls sigma.LogSource) (r Route, ok bool, reason string) {
	product := strings.ToLower(strings.TrimSpace(ls.Product))
	service := strings.ToLower(strings.TrimSpace(ls.Service))
	if product == "" {
		if ls.Category != "" {
			return Route{}, false, "logsource category " + quote(ls.Category) + " without a product is not a log kind idsentry reads"
		}
		return Route{}, false, "logsource names no product"
	}
	if products[product] && service != "" {
		if k, ok := event.ParseKind(service); ok {
			return Route{Product: product, Service: service, Kinds: kinds(k)}, true, ""
		}
	}
	for _, r := range Routes {
		if r.Product == product && r.Service == service {
			if r.Unsupported != "" {
				return r, false, "logsource " + product + "/" + service + ": " + r.Unsupported
			}
			return r, true, ""
		}
	}
	if products[product] {
		return Route{}, false, "logsource " + product + "/" + service + " is not a log kind idsentry reads"
	}
	return Route{}, false, "logsource product " + quote(ls.Product) + " is not one idsentry reads"
}

func quote(s string) string { return "\"" + s + "\"" }
