package demo

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Story and trap IDs.
const (
	storyConsent       = "S1-consent-phishing"
	storyMFAFatigue    = "S2-mfa-fatigue"
	storyTokenReplay   = "S3-token-replay"
	storyBackdoor      = "S4-app-credential-backdoor"
	storySTS           = "S5-aws-federation-token"
	storyK8s           = "S6-k8s-service-account-secrets"
	storySpray         = "S7a-password-spray"
	storyDeviceCode    = "S7b-device-code-phishing"
	storyAttackTools   = "S7c-attack-tool-user-agents"
	storyInboxRule     = "S7d-inbox-forwarding-rule"
	storyCADeleted     = "S7e-conditional-access-policy-deleted"
	storyUALDisabled   = "S7f-unified-audit-logging-disabled"
	storyRoleToUser    = "S7g-privileged-role-assigned-to-user"
	storyLegacyAuth    = "S7h-legacy-authentication-success"
	storyRiskyConsent  = "S7i-risk-based-consent-block"
	storyNewCountry    = "S7j-first-time-country"
	storyAppChain      = "S7k-app-registration-credential-consent"
	storyFederation    = "S7l-federated-domain-added"
	storyPIMAfterHours = "S7m-pim-activation-outside-hours"
	storyBruteForce    = "S7n-brute-force-lockout"
	trapVeeam          = "T1-backup-service-token-use"
	trapMSIRotation    = "T2-managed-identity-credential-rotation"
)

// victims hands out distinct regular users (cycling when the tenant is
// small).
type victims struct {
	pool []*user
	next int
}

func (v *victims) take() *user {
	u := v.pool[v.next%len(v.pool)]
	v.next++
	return u
}

// takeAt prefers a user of the given country.
func (v *victims) takeAt(country string) *user {
	for i := v.next; i < len(v.pool); i++ {
		if v.pool[i].site.Country == country {
			v.pool[v.next], v.pool[i] = v.pool[i], v.pool[v.next]
			return v.take()
		}
	}
	return v.take()
}

// buildStories renders every story and trap record (from the stories'
// own random stream, so they do not depend on the background volume) and
// returns them for merging into the time-ordered output.
func (g *generator) buildStories(r rng) []rec {
	reg := g.t.regular()
	perm := r.Perm(len(reg))
	v := &victims{}
	for _, i := range perm {
		v.pool = append(v.pool, reg[i])
	}
	var recs []rec
	g.storyConsent(r, v, &recs)
	fatigueVictim, fatigueIP, fatigueAt := g.storyMFAFatigue(r, v, &recs)
	g.storyTokenReplay(r, v, &recs)
	g.storyBackdoor(r, v, &recs)
	g.storySTS(r, &recs)
	g.storyK8s(r, v, &recs)
	g.storySpray(r, &recs)
	dcVictim, dcIP, dcAt := g.storyDeviceCode(r, v, &recs)
	g.storyAttackTools(r, dcVictim, dcIP, dcAt, &recs)
	g.storyInboxRule(r, fatigueVictim, fatigueIP, fatigueAt, &recs)
	g.storyCADeleted(r, &recs)
	g.storyUALDisabled(r, &recs)
	g.storyRoleToUser(r, v, &recs)
	g.storyLegacyAuth(r, v, &recs)
	g.storyRiskyConsent(r, v, &recs)
	g.storyNewCountry(r, v, &recs)
	g.storyAppChain(r, v, &recs)
	g.storyFederation(r, &recs)
	g.storyPIM(r, &recs)
	g.storyBruteForce(r, v, &recs)
	g.trapMSI(r, &recs)
	g.truth.register(&storyDef{
		ID: trapVeeam, Title: "Backup service reads every mailbox at night (benign)", Trap: true,
		Summary: "svc-veeam signs in non-interactively with a single factor to Exchange Online, SharePoint Online and Microsoft Graph through the tenant's \"Veeam Backup for Microsoft 365\" app, from two backup servers, dozens of times a night. It matches seed 004's predicate (sensitive resources, non-interactive, single factor, > 10 per 24 h, 2 IPs) and must be allowlisted as the seed's backup-vendor false positive.",
		Expected: expected{MustNotAlert: true, Implements: []string{"seed-004"},
			Detections: []string{"application access token abuse (seed 004) - allowlisted backup vendor"}, Catalog: []string{"§2.5 FP allowances"}},
		Entities: entities{Users: []string{g.t.veeam.upn}, IPs: []string{g.t.veeam.ip.String(), g.t.veeam.mobileIP.String()}, Apps: []string{g.t.veeamApp.name, g.t.veeamApp.appID}},
	})
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].t.Before(recs[j].t) })
	return recs
}

// attackerIP returns the n-th attacker address at a foreign site.
func attackerIP(s *site, n int) netip.Addr { return hostIn(s.v4, n) }

// mins adds minutes and seconds to t.
func mins(t time.Time, m float64) time.Time {
	return t.Add(time.Duration(m * float64(time.Minute))).Truncate(100 * time.Nanosecond)
}

// keyDescription renders one entry of the KeyDescription property
// (detections.md §1.1 trap 6).
func keyDescription(c cred) string {
	return fmt.Sprintf("[KeyIdentifier=%s,KeyType=%s,KeyUsage=Verify,DisplayName=%s]", c.keyID, c.kind, c.name)
}

// keyList renders a KeyDescription old/new value: a JSON array of strings.
func keyList(cs []cred) string {
	var w jw
	w.arr("")
	for _, c := range cs {
		w.str("", keyDescription(c))
	}
	w.end()
	return w.String()
}

// appAddress renders an AppAddress value (detections.md §1.1 trap 8).
func appAddress(urls []string) string {
	var w jw
	w.arr("")
	for _, u := range urls {
		w.obj("")
		w.num("AddressType", 0)
		w.str("Address", u)
		w.num("ReplyAddressClientType", 1)
		w.null("ReplyAddressIndex")
		w.boolean("IsReplyAddressDefault", false)
		w.end()
	}
	w.end()
	return w.String()
}

func jsonStrings(xs []string) string {
	var w jw
	w.strs("", xs)
	return w.String()
}

// consentPermissions renders ConsentAction.Permissions (detections.md
// §1.1 trap 5, including the double space after "Scope:").
func consentPermissions(grantID, clientSP, principal, resourceSP, consentType, scope string) string {
	return fmt.Sprintf("[] => [[Id: %s, ClientId: %s, PrincipalId: %s, ResourceId: %s, ConsentType: %s, Scope:  %s, CreatedDateTime: , LastModifiedDateTime ]]; ",
		grantID, clientSP, principal, resourceSP, consentType, scope)
}

// spNames renders TargetId.ServicePrincipalNames.
func spNames(appID string, extra ...string) string {
	return q(strings.Join(append([]string{appID}, extra...), ";"))
}
