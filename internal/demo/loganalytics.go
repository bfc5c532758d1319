package demo

import (
	"strconv"
	"strings"
	"time"
)

// Column types of Log Analytics tables.
const (
	laString   = 's'
	laDatetime = 'd'
	laDynamic  = 'y' // JSON text in exports
	laBool     = 'b'
	laLong     = 'l'
)

// laTable is a Log Analytics table: its name and its columns in export
// order. Columns come from the Azure Monitor table reference
// (MicrosoftDocs/azure-reference-other azure-monitor-ref/tables/includes/
// <table>-include.md); the standard TenantId, SourceSystem and
// TimeGenerated columns lead, Type closes, and the hidden _BilledSize and
// _IsBillable columns are not exported.
type laTable struct {
	name string
	cols []laCol
	idx  map[string]int
}

type laCol struct {
	name string
	typ  byte
}

func newTable(name string, spec string) *laTable {
	t := &laTable{name: name, idx: map[string]int{}}
	for _, f := range strings.Fields(spec) {
		c := laCol{name: f, typ: laString}
		if i := strings.IndexByte(f, ':'); i > 0 {
			c.name, c.typ = f[:i], f[i+1]
		}
		t.idx[c.name] = len(t.cols)
		t.cols = append(t.cols, c)
	}
	return t
}

var (
	tableSignin = newTable("SigninLogs", `TenantId SourceSystem TimeGenerated:d ResourceId OperationName OperationVersion
		Category ResultType ResultSignature ResultDescription DurationMs:l CorrelationId Resource ResourceGroup
		ResourceProvider Identity Level Location AADTenantId AlternateSignInName AppDisplayName AppId
		AppliedConditionalAccessPolicies AppliedEventListeners:y AuthenticationContextClassReferences
		AuthenticationDetails AuthenticationMethodsUsed AuthenticationProcessingDetails AuthenticationProtocol
		AuthenticationRequirement AuthenticationRequirementPolicies AutonomousSystemNumber ClientAppUsed
		ConditionalAccessPolicies:y ConditionalAccessStatus CreatedDateTime:d CrossTenantAccessType DeviceDetail:y
		FlaggedForReview:b HomeTenantId Id IPAddress IPAddressFromResourceProvider IsInteractive:b IsRisky:b
		LocationDetails:y MfaDetail:y NetworkLocationDetails OriginalRequestId ProcessingTimeInMilliseconds
		ResourceDisplayName ResourceIdentity ResourceServicePrincipalId ResourceTenantId RiskDetail
		RiskEventTypes RiskEventTypes_V2 RiskLevelAggregated RiskLevelDuringSignIn RiskState ServicePrincipalId
		ServicePrincipalName SessionLifetimePolicies SignInIdentifier SignInIdentifierType Status:y
		TokenIssuerName TokenIssuerType UniqueTokenIdentifier UserAgent UserDisplayName UserId
		UserPrincipalName UserType Type`)
	tableNonInteractive = newTable("AADNonInteractiveUserSignInLogs", `TenantId SourceSystem TimeGenerated:d
		OperationName OperationVersion Category ResultType ResultSignature ResultDescription DurationMs:l
		CorrelationId ResourceGroup Identity Level Location AlternateSignInName AppDisplayName AppId
		AppliedEventListeners:y AuthenticationContextClassReferences AuthenticationDetails
		AuthenticationMethodsUsed AuthenticationProcessingDetails AuthenticationProtocol AuthenticationRequirement
		AuthenticationRequirementPolicies AutonomousSystemNumber ClientAppUsed ConditionalAccessPolicies
		ConditionalAccessStatus CreatedDateTime:d CrossTenantAccessType DeviceDetail HomeTenantId Id IPAddress
		IsInteractive:b IsRisky:b LocationDetails MfaDetail NetworkLocationDetails OriginalRequestId
		ProcessingTimeInMs ResourceDisplayName ResourceIdentity ResourceServicePrincipalId ResourceTenantId
		RiskDetail RiskEventTypes RiskEventTypes_V2 RiskLevelAggregated RiskLevelDuringSignIn RiskState
		ServicePrincipalId SessionLifetimePolicies SignInEventTypes SignInIdentifierType Status TokenIssuerName
		TokenIssuerType UniqueTokenIdentifier UserAgent UserDisplayName UserId UserPrincipalName UserType Type`)
	tableSP = newTable("AADServicePrincipalSignInLogs", `TenantId SourceSystem TimeGenerated:d OperationName
		OperationVersion Category ResultType ResultSignature ResultDescription DurationMs:l CorrelationId
		ResourceGroup Identity Level Location AppId AuthenticationContextClassReferences
		AuthenticationProcessingDetails ConditionalAccessPolicies ConditionalAccessStatus FederatedCredentialId
		Id IPAddress LocationDetails ResourceDisplayName ResourceIdentity ResourceServicePrincipalId
		ServicePrincipalCredentialKeyId ServicePrincipalCredentialThumbprint ServicePrincipalId
		ServicePrincipalName UniqueTokenIdentifier Type`)
	tableMI = newTable("AADManagedIdentitySignInLogs", `TenantId SourceSystem TimeGenerated:d OperationName
		OperationVersion Category ResultType ResultSignature ResultDescription DurationMs:l CorrelationId
		ResourceGroup Identity Level Location AppId AuthenticationContextClassReferences
		AuthenticationProcessingDetails ConditionalAccessPolicies ConditionalAccessStatus FederatedCredentialId
		Id IPAddress LocationDetails ResourceDisplayName ResourceIdentity ResourceServicePrincipalId
		ServicePrincipalCredentialKeyId ServicePrincipalCredentialThumbprint ServicePrincipalId
		ServicePrincipalName UniqueTokenIdentifier Type`)
	tableAudit = newTable("AuditLogs", `TenantId SourceSystem TimeGenerated:d ResourceId OperationName
		OperationVersion Category ResultType ResultSignature ResultDescription DurationMs:l CorrelationId
		Resource ResourceGroup ResourceProvider Identity Level Location AdditionalDetails:y Id InitiatedBy:y
		LoggedByService Result ResultReason TargetResources:y AADTenantId ActivityDisplayName
		ActivityDateTime:d AADOperationType Type`)
)

// laRow is one row of a table being filled.
type laRow struct {
	t    *laTable
	vals []laVal
}

type laVal struct {
	s   string
	n   int64
	b   bool
	tm  time.Time
	set bool
}

func (t *laTable) row() *laRow { return &laRow{t: t, vals: make([]laVal, len(t.cols))} }

func (r *laRow) col(name string) *laVal {
	i, ok := r.t.idx[name]
	if !ok {
		return nil // the table has no such column: the value is not exported
	}
	v := &r.vals[i]
	v.set = true
	return v
}

func (r *laRow) str(name, v string) {
	if c := r.col(name); c != nil {
		c.s = v
	}
}

func (r *laRow) num(name string, v int64) {
	if c := r.col(name); c != nil {
		c.n = v
		c.s = strconv.FormatInt(v, 10)
	}
}

func (r *laRow) boolean(name string, v bool) {
	if c := r.col(name); c != nil {
		c.b = v
	}
}

func (r *laRow) time(name string, v time.Time) {
	if c := r.col(name); c != nil {
		c.tm = v
	}
}

// dyn stores JSON text written by fn (a single value).
func (r *laRow) dyn(name string, fn func(w *jw)) {
	if _, ok := r.t.idx[name]; !ok {
		return
	}
	var w jw
	fn(&w)
	r.str(name, w.String())
}

// csvHeader returns the portal CSV header: datetime columns carry " [UTC]".
func (t *laTable) csvHeader() []string {
	h := make([]string, len(t.cols))
	for i, c := range t.cols {
		h[i] = c.name
		if c.typ == laDatetime {
			h[i] += " [UTC]"
		}
	}
	return h
}

// csv renders the row as the portal's CSV export does: datetimes in the
// portal's "11/20/2026, 8:01:02.123 AM" form, booleans as true/false,
// dynamic values as JSON text, unset cells empty.
func (r *laRow) csv() []string {
	out := make([]string, len(r.vals))
	for i, c := range r.t.cols {
		v := r.vals[i]
		if !v.set {
			continue
		}
		switch c.typ {
		case laDatetime:
			out[i] = ts(v.tm, layoutLACSV)
		case laBool:
			out[i] = strconv.FormatBool(v.b)
		default:
			out[i] = v.s
		}
	}
	return out
}

// writeJSON renders the row as one object of a Log Analytics JSON export:
// the query API's column names and types, datetimes in ISO 8601 with seven
// fraction digits, dynamic columns as JSON text (as the query API returns
// them), unset columns omitted.
func (r *laRow) writeJSON(w *jw) {
	w.obj("")
	for i, c := range r.t.cols {
		v := r.vals[i]
		if !v.set {
			continue
		}
		switch c.typ {
		case laDatetime:
			w.str(c.name, ts(v.tm, layout7))
		case laBool:
			w.boolean(c.name, v.b)
		case laLong:
			w.num(c.name, v.n)
		default:
			w.str(c.name, v.s)
		}
	}
	w.end()
}

// signInRow fills a row of the sign-in table for s's category.
func signInRow(s *signIn) *laRow {
	tbl := tableSignin
	switch s.category {
	case catNonInteractive:
		tbl = tableNonInteractive
	case catSP:
		tbl = tableSP
	case catMI:
		tbl = tableMI
	}
	uid, upn, name := s.userFields()
	r := tbl.row()
	r.str("Type", tbl.name)
	r.str("TenantId", s.workspace)
	r.str("SourceSystem", "Azure AD")
	r.time("TimeGenerated", s.t)
	r.str("ResourceId", "/tenants/"+s.tenantID+"/providers/Microsoft.aadiam")
	r.str("OperationName", "Sign-in activity")
	r.str("OperationVersion", "1.0")
	r.str("Category", s.category)
	r.str("ResultType", strconv.Itoa(s.errCode))
	r.str("ResultSignature", "None")
	if s.errCode != 0 {
		r.str("ResultDescription", s.failure)
	}
	r.num("DurationMs", 0)
	r.str("CorrelationId", s.corr)
	r.str("Resource", "Microsoft.aadiam")
	r.str("ResourceGroup", "Microsoft.aadiam")
	r.str("ResourceProvider", "Microsoft.aadiam")
	r.str("Level", "4")
	r.str("Location", s.at.Country)
	r.str("AppId", s.appID)
	r.str("Id", s.id)
	r.str("IPAddress", s.ip.String())
	r.str("ResourceDisplayName", s.resName)
	r.str("ResourceIdentity", s.resID)
	r.str("ResourceServicePrincipalId", s.resSPID)
	r.str("UniqueTokenIdentifier", s.token)
	r.str("ConditionalAccessStatus", s.caStatus)
	r.str("AuthenticationContextClassReferences", "[]")
	r.dyn("AuthenticationProcessingDetails", func(w *jw) { s.writeProcessing(w, "") })
	r.dyn("ConditionalAccessPolicies", func(w *jw) { s.writeCA(w, "") })
	r.dyn("LocationDetails", func(w *jw) { s.writeLocation(w, "") })
	if s.isApp() {
		r.str("Identity", s.spName)
		r.str("ServicePrincipalId", s.spID)
		r.str("ServicePrincipalName", s.spName)
		r.str("ServicePrincipalCredentialKeyId", s.spKeyID)
		return r
	}
	r.str("Identity", name)
	r.str("AADTenantId", s.tenantID)
	r.str("AlternateSignInName", upn)
	r.str("AppDisplayName", s.appName)
	r.dyn("AuthenticationDetails", func(w *jw) { s.writeSteps(w, "") })
	r.dyn("AuthenticationMethodsUsed", func(w *jw) { w.strs("", s.methodsUsed) })
	r.str("AuthenticationProtocol", s.protocol)
	r.str("AuthenticationRequirement", s.authReq)
	r.dyn("AuthenticationRequirementPolicies", func(w *jw) { s.writeRequirementPolicies(w, "") })
	r.str("AutonomousSystemNumber", strconv.Itoa(s.asn()))
	r.str("ClientAppUsed", s.clientApp())
	r.time("CreatedDateTime", s.t)
	r.str("CrossTenantAccessType", s.crossTenant)
	r.dyn("DeviceDetail", func(w *jw) { s.writeDevice(w, "") })
	r.boolean("FlaggedForReview", false)
	r.str("HomeTenantId", s.homeTenant)
	r.boolean("IsInteractive", s.interactive())
	r.boolean("IsRisky", false)
	r.str("MfaDetail", "{}")
	r.str("NetworkLocationDetails", "[]")
	r.str("OriginalRequestId", s.id)
	r.str("ProcessingTimeInMilliseconds", strconv.Itoa(s.processingMs))
	r.str("ProcessingTimeInMs", strconv.Itoa(s.processingMs))
	r.str("ResourceTenantId", s.resTenant)
	r.str("RiskDetail", "none")
	r.str("RiskEventTypes", "[]")
	r.str("RiskEventTypes_V2", "[]")
	r.str("RiskLevelAggregated", "none")
	r.str("RiskLevelDuringSignIn", "none")
	r.str("RiskState", "none")
	r.str("SessionLifetimePolicies", "[]")
	r.str("SignInEventTypes", `["`+s.eventType()+`"]`)
	r.str("SignInIdentifier", upn)
	r.str("SignInIdentifierType", signInIDType(upn))
	r.dyn("Status", func(w *jw) { s.writeStatus(w, "") })
	r.str("TokenIssuerName", "")
	r.str("TokenIssuerType", "AzureAD")
	r.str("UserAgent", s.agent.ua)
	r.str("UserDisplayName", name)
	r.str("UserId", uid)
	r.str("UserPrincipalName", upn)
	r.str("UserType", userType(s))
	return r
}
