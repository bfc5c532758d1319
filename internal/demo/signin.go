package demo

import (
	"net/netip"
	"strconv"
	"time"
)

// Sign-in categories (Azure Monitor diagnostic categories).
const (
	catInteractive    = "SignInLogs"
	catNonInteractive = "NonInteractiveUserSignInLogs"
	catSP             = "ServicePrincipalSignInLogs"
	catMI             = "ManagedIdentitySignInLogs"
)

// signIn is one Entra sign-in, held with Graph signIn property names
// (api-reference/beta/resources/signin.md) and rendered into every export
// format from there.
type signIn struct {
	t        time.Time
	category string
	id       string
	corr     string
	token    string // uniqueTokenIdentifier
	session  string

	user                *user
	appID, appName      string
	resID, resName      string
	resSPID, resTenant  string
	ip                  netip.Addr
	at                  *site
	agent               agent
	dev                 *device
	errCode             int
	failure, details    string
	authReq             string
	steps               []authStep
	methodsUsed         []string
	protocol, transfer  string
	incoming            string
	caStatus            string
	caApplied           bool
	scopes              string // "Oauth Scope Info" processing detail
	spID, spName        string
	credType, spKeyID   string
	miResource          string // managedServiceIdentity.associatedResourceId
	processingMs        int
	homeTenant          string
	crossTenant         string
	tenantID, workspace string
	caPolicyID          string
	caPolicyName        string
}

// authStep is one authenticationDetails entry.
type authStep struct {
	at                   time.Time
	method, methodDetail string
	ok                   bool
	detail, requirement  string
}

func (s *signIn) interactive() bool { return s.category == catInteractive }

func (s *signIn) eventType() string {
	switch s.category {
	case catNonInteractive:
		return "nonInteractiveUser"
	case catSP:
		return "servicePrincipal"
	case catMI:
		return "managedIdentity"
	}
	return "interactiveUser"
}

func (s *signIn) isApp() bool { return s.category == catSP || s.category == catMI }

func (s *signIn) asn() int { return s.at.ASN }

func (s *signIn) userFields() (id, upn, name string) {
	if s.user == nil {
		return "", "", ""
	}
	return s.user.id, s.user.upn, s.user.display
}

// writeGraph writes the sign-in as a Graph beta signIn object.
func (s *signIn) writeGraph(w *jw) {
	uid, upn, name := s.userFields()
	w.obj("")
	w.str("id", s.id)
	w.str("createdDateTime", ts(s.t, layoutSec))
	w.str("userDisplayName", name)
	w.str("userPrincipalName", upn)
	w.str("userId", uid)
	w.str("appId", s.appID)
	w.str("appDisplayName", s.appName)
	w.str("ipAddress", s.ip.String())
	w.str("clientAppUsed", s.clientApp())
	w.str("userAgent", s.agent.ua)
	w.str("correlationId", s.corr)
	w.str("conditionalAccessStatus", s.caStatus)
	w.str("originalRequestId", s.id)
	w.str("authenticationProtocol", s.protocol)
	w.str("incomingTokenType", s.incoming)
	w.boolean("isInteractive", s.interactive())
	w.str("homeTenantId", s.homeTenant)
	w.boolean("isTenantRestricted", false)
	w.str("tokenIssuerName", "")
	w.str("tokenIssuerType", "AzureAD")
	w.num("processingTimeInMilliseconds", int64(s.processingMs))
	w.str("riskDetail", "none")
	w.str("riskLevelAggregated", "none")
	w.str("riskLevelDuringSignIn", "none")
	w.str("riskState", "none")
	w.strs("riskEventTypes_v2", nil)
	w.str("resourceDisplayName", s.resName)
	w.str("resourceId", s.resID)
	w.str("resourceServicePrincipalId", s.resSPID)
	w.str("resourceTenantId", s.resTenant)
	w.strs("authenticationMethodsUsed", s.methodsUsed)
	w.str("authenticationRequirement", s.authReq)
	w.str("uniqueTokenIdentifier", s.token)
	w.str("signInIdentifier", upn)
	w.str("signInIdentifierType", signInIDType(upn))
	w.strs("signInEventTypes", []string{s.eventType()})
	w.str("servicePrincipalId", s.spID)
	w.str("servicePrincipalName", s.spName)
	w.str("servicePrincipalCredentialKeyId", s.spKeyID)
	w.str("clientCredentialType", s.credentialType())
	w.str("userType", userType(s))
	w.boolean("flaggedForReview", false)
	w.num("autonomousSystemNumber", int64(s.asn()))
	w.str("crossTenantAccessType", s.crossTenant)
	w.str("sessionId", s.session)
	w.str("originalTransferMethod", s.transfer)
	if s.category == catMI {
		w.obj("managedServiceIdentity")
		w.str("msiType", "systemAssigned")
		w.str("associatedResourceId", s.miResource)
		w.null("federatedTokenId")
		w.null("federatedTokenIssuer")
		w.end()
	}
	s.writeStatus(w, "status")
	s.writeDevice(w, "deviceDetail")
	s.writeLocation(w, "location")
	s.writeCA(w, "appliedConditionalAccessPolicies")
	s.writeProcessing(w, "authenticationProcessingDetails")
	w.arr("networkLocationDetails")
	w.end()
	s.writeSteps(w, "authenticationDetails")
	s.writeRequirementPolicies(w, "authenticationRequirementPolicies")
	w.arr("sessionLifetimePolicies")
	w.end()
	w.end()
}

// writeAzureMonitor writes the sign-in as an Azure Monitor diagnostic
// record, modelled on the elastic-integrations and Microsoft docs samples in
// shared/data/public: the envelope carries resultType as a string and
// properties the Graph fields (createdDateTime with a +00:00 offset).
func (s *signIn) writeAzureMonitor(w *jw) {
	uid, upn, name := s.userFields()
	w.obj("")
	w.str("time", ts(s.t, layout7))
	w.str("resourceId", "/tenants/"+s.tenantID+"/providers/Microsoft.aadiam")
	w.str("operationName", "Sign-in activity")
	w.str("operationVersion", "1.0")
	w.str("category", s.category)
	w.str("tenantId", s.tenantID)
	w.str("resultType", strconv.Itoa(s.errCode))
	w.str("resultSignature", "None")
	if s.errCode != 0 {
		w.str("resultDescription", s.failure)
	}
	w.num("durationMs", 0)
	w.str("callerIpAddress", s.ip.String())
	w.str("correlationId", s.corr)
	if s.isApp() {
		w.str("identity", s.spName)
	} else {
		w.str("identity", name)
	}
	w.num("Level", 4)
	w.str("location", s.at.Country)
	w.obj("properties")
	w.str("id", s.id)
	w.str("createdDateTime", ts(s.t, layout7Offset))
	if !s.isApp() {
		w.str("userDisplayName", name)
		w.str("userPrincipalName", upn)
		w.str("userId", uid)
	}
	w.str("appId", s.appID)
	if !s.isApp() {
		w.str("appDisplayName", s.appName)
	}
	w.str("ipAddress", s.ip.String())
	s.writeStatus(w, "status")
	if !s.isApp() {
		w.str("clientAppUsed", s.clientApp())
		w.str("userAgent", s.agent.ua)
		s.writeDevice(w, "deviceDetail")
	}
	s.writeLocation(w, "location")
	if !s.isApp() {
		w.obj("mfaDetail")
		w.end()
	}
	w.str("correlationId", s.corr)
	w.str("conditionalAccessStatus", s.caStatus)
	if !s.isApp() {
		s.writeCA(w, "appliedConditionalAccessPolicies")
		w.str("originalRequestId", s.id)
	}
	w.boolean("isInteractive", s.interactive())
	w.str("tokenIssuerName", "")
	w.str("tokenIssuerType", "AzureAD")
	s.writeProcessing(w, "authenticationProcessingDetails")
	if !s.isApp() {
		w.arr("networkLocationDetails")
		w.end()
	}
	w.num("processingTimeInMilliseconds", int64(s.processingMs))
	w.str("riskDetail", "none")
	w.str("riskLevelAggregated", "none")
	w.str("riskLevelDuringSignIn", "none")
	w.str("riskState", "none")
	if !s.isApp() {
		w.strs("riskEventTypes", nil)
		w.strs("riskEventTypes_v2", nil)
	}
	w.str("resourceDisplayName", s.resName)
	w.str("resourceId", s.resID)
	w.str("resourceServicePrincipalId", s.resSPID)
	if !s.isApp() {
		w.str("resourceTenantId", s.resTenant)
		w.str("homeTenantId", s.homeTenant)
		s.writeSteps(w, "authenticationDetails")
		s.writeRequirementPolicies(w, "authenticationRequirementPolicies")
		w.str("authenticationRequirement", s.authReq)
		w.str("alternateSignInName", upn)
		w.str("signInIdentifier", upn)
	}
	w.str("servicePrincipalId", s.spID)
	if s.isApp() {
		w.str("servicePrincipalName", s.spName)
		w.str("clientCredentialType", s.credentialType())
		if s.spKeyID != "" {
			w.str("servicePrincipalCredentialKeyId", s.spKeyID)
		}
		if s.category == catMI {
			w.str("managedIdentityType", "systemAssigned")
		} else {
			w.str("managedIdentityType", "none")
		}
	} else {
		w.str("userType", userType(s))
	}
	w.boolean("flaggedForReview", false)
	w.boolean("isTenantRestricted", false)
	w.num("autonomousSystemNumber", int64(s.asn()))
	w.str("crossTenantAccessType", s.crossTenant)
	w.str("uniqueTokenIdentifier", s.token)
	w.str("incomingTokenType", s.incoming)
	w.str("authenticationProtocol", s.protocol)
	if !s.isApp() {
		w.str("sessionId", s.session)
		w.str("originalTransferMethod", s.transfer)
	}
	w.end()
	w.end()
}
