package demo

import (
	"net/netip"
	"time"
)

// newSignIn returns a sign-in with the fields every sign-in of the tenant
// shares.
func (g *generator) newSignIn(r rng, t time.Time, cat string) *signIn {
	return &signIn{
		t: t, category: cat, id: r.guid(), corr: r.guid(), token: r.token(16), session: r.guid(),
		tenantID: g.t.id, workspace: g.t.workspaceID, homeTenant: g.t.id, resTenant: g.t.id,
		crossTenant: "none", protocol: "none", transfer: "none", incoming: "none", caStatus: "notApplied",
		processingMs: 60 + r.IntN(400), caPolicyID: g.caPolicy, caPolicyName: "Require MFA for all users",
	}
}

// userSignIn is a sign-in of u to resource through client from ip.
func (g *generator) userSignIn(r rng, t time.Time, cat string, u *user, client, resource firstParty, ip netip.Addr, at *site, ag agent, dev *device) *signIn {
	s := g.newSignIn(r, t, cat)
	s.user = u
	s.appID, s.appName = client.id, client.name
	s.resID, s.resName, s.resSPID = resource.id, resource.name, g.t.spOf(resource)
	s.ip, s.at, s.agent, s.dev = ip, at, ag, dev
	return s
}

// mfaFresh marks a sign-in where the user typed the password and approved
// a push notification.
func (s *signIn) mfaFresh() {
	s.authReq = "multiFactorAuthentication"
	s.methodsUsed = []string{"Password", "Mobile app notification"}
	s.steps = []authStep{
		{at: s.t, method: "Password", methodDetail: "Password in the cloud", ok: true, detail: "Correct password", requirement: "Primary authentication"},
		{at: s.t, method: "Mobile app notification", ok: true, detail: mfaCompleted, requirement: "Multi-factor authentication"},
	}
	s.caApplied, s.caStatus = true, "success"
}

// mfaClaim marks a sign-in satisfied by the claims of an earlier MFA.
func (s *signIn) mfaClaim() {
	s.authReq = "multiFactorAuthentication"
	s.steps = []authStep{
		{at: s.t, method: "Previously satisfied", ok: true, detail: firstFactorByClaim, requirement: "Primary authentication"},
		{at: s.t, method: "Previously satisfied", ok: true, detail: mfaByClaim, requirement: "Multi-factor authentication"},
	}
	s.caApplied, s.caStatus = true, "success"
}

// singleClaim marks a single-factor sign-in satisfied by a token.
func (s *signIn) singleClaim() {
	s.authReq = "singleFactorAuthentication"
	s.steps = []authStep{
		{at: s.t, method: "Previously satisfied", ok: true, detail: firstFactorByClaim, requirement: "Primary authentication"},
	}
}

// singlePassword marks a single-factor password sign-in.
func (s *signIn) singlePassword() {
	s.authReq = "singleFactorAuthentication"
	s.methodsUsed = []string{"Password"}
	s.steps = []authStep{
		{at: s.t, method: "Password", methodDetail: "Password in the cloud", ok: true, detail: "Correct password", requirement: "Primary authentication"},
	}
}

// fail marks a failed sign-in.
func (s *signIn) fail(code int, reason, details string) {
	s.errCode, s.failure, s.details = code, reason, details
	switch code {
	case errBadPassword, errLocked:
		s.authReq = "singleFactorAuthentication"
		s.methodsUsed = nil
		s.steps = []authStep{{at: s.t, method: "Password", methodDetail: "Password in the cloud", ok: false,
			detail: "Invalid username or password or Invalid on-premise username or password.", requirement: "Primary authentication"}}
		s.caStatus, s.caApplied = "notApplied", false
	case errStrongAuthReq, errMFARequired:
		s.authReq = "multiFactorAuthentication"
		s.methodsUsed = []string{"Password"}
		s.steps = []authStep{
			{at: s.t, method: "Password", methodDetail: "Password in the cloud", ok: true, detail: "Correct password", requirement: "Primary authentication"},
			{at: s.t, method: "Mobile app notification", ok: false, detail: "MFA required in Azure AD", requirement: "Multi-factor authentication"},
		}
		s.caStatus, s.caApplied = "failure", true
	case errMFAFailed:
		s.authReq = "multiFactorAuthentication"
		s.methodsUsed = []string{"Password"}
		s.steps = []authStep{
			{at: s.t, method: "Password", methodDetail: "Password in the cloud", ok: true, detail: "Correct password", requirement: "Primary authentication"},
			{at: s.t, method: "Mobile app notification", ok: false, detail: details, requirement: "Multi-factor authentication"},
		}
		s.caStatus, s.caApplied = "failure", true
	default:
		s.caStatus = "notApplied"
	}
}

// appSignIn is a service principal (or managed identity) sign-in.
func (g *generator) appSignIn(r rng, t time.Time, a *app, resource firstParty, credType, keyID string, ip netip.Addr, at *site) *signIn {
	s := g.newSignIn(r, t, catSP)
	s.appID, s.appName = a.appID, a.name
	s.spID, s.spName = a.spID, a.name
	s.resID, s.resName, s.resSPID = resource.id, resource.name, g.t.spOf(resource)
	s.credType, s.spKeyID = credType, keyID
	s.ip, s.at = ip, at
	s.session = ""
	return s
}

// miSignIn is a managed identity sign-in.
func (g *generator) miSignIn(r rng, t time.Time, m *managedIdentity, resource firstParty) *signIn {
	s := g.newSignIn(r, t, catMI)
	s.appID, s.appName = m.appID, m.name
	s.spID, s.spName = m.spID, m.name
	s.resID, s.resName, s.resSPID = resource.id, resource.name, g.t.spOf(resource)
	s.miResource = m.resourceID
	s.ip, s.at = m.ip, siteAzure
	s.session = ""
	return s
}
