package normalize

// The Microsoft Entra admin center's sign-in log download as CSV
// (Monitoring → Sign-in logs → Download → CSV): one file per stream,
// InteractiveSignIns_<from>_<to>.csv, NonInteractiveSignIns_…,
// ApplicationSignIns_…, MSISignIns_… (plus InteractiveSignIns_AuthDetails_…,
// one row per authentication step, which is not a sign-in and is left
// unrecognised). Rows have display headers and display values:
//
//	"Date (UTC)","Request ID","User agent","Correlation ID","User ID","User",
//	"Username","User type","Cross tenant access type","Incoming token type",
//	"Authentication Protocol","Unique token identifier","Original transfer method",
//	"Client credential type","Token Protection - Sign In Session",
//	"Token Protection - Sign In Session StatusCode","Application","Application ID ",
//	"Resource","Resource ID ","Resource tenant ID","Home tenant ID","Home tenant name",
//	"IP address","Location","Status","Sign-in error code","Failure reason","Client app",
//	"Device ID","Browser","Operating System","Compliant","Managed","Join Type",
//	"Multifactor authentication result","Multifactor authentication auth method",
//	"Multifactor authentication auth detail","Authentication requirement",
//	"Sign-in identifier","Session ID","IP address (seen by resource)",
//	"Through Global Secure Access","Global Secure Access IP address",
//	"Autonomous system  number","Flagged for review","Token issuer type",
//	"Incoming token type","Token issuer name","Latency","Conditional Access",
//	"Managed Identity type","Associated Resource Id","Federated Token Id",
//	"Federated Token Issuer"
//
// (the header row bitpusher2k's ProcessEntraSignInLog.ps1 v2.9, 2024-10-14,
// checks the download against; note the trailing spaces, the doubled space
// in "Autonomous system  number" and "Incoming token type" twice). The
// application download adds "Service principal ID", "Service principal
// name", "Credential key ID", "Credential thumbprint", "App owner tenant
// ID" and "Resource owner tenant ID" (the column lists of the m365_ir schema
// registry tests in the same search results). Headers are matched ignoring
// case and white space, so versions that trimmed them are read too.
//
// Mapping onto the Graph signIn resource: "Location" is "City, State,
// CC"; "Multifactor authentication result" is status.additionalDetails;
// display enum values ("Not Applied", "Single-factor authentication") are
// turned into Graph's members when their letters match; the stream comes
// from the file name, else from the service principal and managed identity
// columns.

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatEntraPortal,
		kind:      event.KindEntraSignIn,
		priority:  100,
		detect:    isPortalSignIn,
		normalize: normalizePortalSignIn,
	})
	// Values this shape rewrites (display enum values, isInteractive from
	// the file name) need not occur in the raw row, so the raw-bytes
	// prefilter must not require them. (The parts of "Location" do occur.)
	addSynthesized(event.KindEntraSignIn, "authenticationRequirement", "conditionalAccessStatus",
		"crossTenantAccessType", "incomingTokenType", "authenticationProtocol", "originalTransferMethod",
		"clientCredentialType", "tokenIssuerType", "isInteractive")
}

// portalKind says how a portal column is converted.
type portalKind uint8

const (
	pText     portalKind = iota // copied
	pBool                       // "True"/"False", "Yes"/"No"
	pInt                        // digits
	pEnum                       // display form of a Graph enum
	pLocation                   // "City, State, CC"
	pSkip                       // read elsewhere, or no canonical member
)

// portalCol maps a portal column onto a canonical path.
type portalCol struct {
	path string
	kind portalKind
	enum []string
}

// The Graph enums the portal shows in display form
// (microsoftgraph/microsoft-graph-docs-contrib api-reference/beta/resources/signin.md).
var (
	enumAuthRequirement = []string{"singleFactorAuthentication", "multiFactorAuthentication"}
	enumCAStatus        = []string{"success", "failure", "notApplied", "unknownFutureValue"}
	enumCrossTenant     = []string{"none", "b2bCollaboration", "b2bDirectConnect", "microsoftSupport", "serviceProvider", "unknownFutureValue", "passthrough"}
	enumIncomingToken   = []string{"none", "primaryRefreshToken", "saml11", "saml20", "unknownFutureValue", "remoteDesktopToken", "refreshToken"}
	enumProtocol        = []string{"none", "oAuth2", "ropc", "wsFederation", "saml20", "deviceCode", "unknownFutureValue", "authenticationTransfer", "nativeAuth"}
	enumTransfer        = []string{"none", "deviceCodeFlow", "authenticationTransfer", "unknownFutureValue"}
	enumCredential      = []string{"none", "clientSecret", "clientAssertion", "federatedIdentityCredential", "managedIdentity", "certificate", "unknownFutureValue"}
	enumTokenIssuer     = []string{"AzureAD", "ADFederationServices", "UnknownFutureValue", "AzureADBackupAuth", "ADFederationServicesMFAAdapter", "NPSExtension"}
)

// portalSignInColumns maps the normalised headers (portalHeader) of the
// sign-in download onto signIn paths.
var portalSignInColumns = map[string]portalCol{
	"date (utc)":                         {path: "createdDateTime"},
	"date":                               {path: "createdDateTime"},
	"request id":                         {path: "id"},
	"user agent":                         {path: "userAgent"},
	"correlation id":                     {path: "correlationId"},
	"user id":                            {path: "userId"},
	"user":                               {path: "userDisplayName"},
	"username":                           {path: "userPrincipalName"},
	"user type":                          {path: "userType"},
	"cross tenant access type":           {path: "crossTenantAccessType", kind: pEnum, enum: enumCrossTenant},
	"incoming token type":                {path: "incomingTokenType", kind: pEnum, enum: enumIncomingToken},
	"authentication protocol":            {path: "authenticationProtocol", kind: pEnum, enum: enumProtocol},
	"unique token identifier":            {path: "uniqueTokenIdentifier"},
	"original transfer method":           {path: "originalTransferMethod", kind: pEnum, enum: enumTransfer},
	"client credential type":             {path: "clientCredentialType", kind: pEnum, enum: enumCredential},
	"token protection - sign in session": {path: "tokenProtectionStatusDetails.signInSessionStatus"},
	"token protection - sign in session statuscode": {path: "tokenProtectionStatusDetails.signInSessionStatusCode", kind: pInt},
	"application":                            {path: "appDisplayName"},
	"application id":                         {path: "appId"},
	"app owner tenant id":                    {path: "appOwnerTenantId"},
	"resource":                               {path: "resourceDisplayName"},
	"resource id":                            {path: "resourceId"},
	"resource tenant id":                     {path: "resourceTenantId"},
	"resource owner tenant id":               {path: "resourceOwnerTenantId"},
	"home tenant id":                         {path: "homeTenantId"},
	"home tenant name":                       {path: "homeTenantName"},
	"ip address":                             {path: "ipAddress"},
	"location":                               {path: "location", kind: pLocation},
	"status":                                 {kind: pSkip},
	"sign-in error code":                     {path: "status.errorCode", kind: pInt},
	"failure reason":                         {path: "status.failureReason"},
	"multifactor authentication result":      {path: "status.additionalDetails"},
	"client app":                             {path: "clientAppUsed"},
	"device id":                              {path: "deviceDetail.deviceId"},
	"browser":                                {path: "deviceDetail.browser"},
	"operating system":                       {path: "deviceDetail.operatingSystem"},
	"compliant":                              {path: "deviceDetail.isCompliant", kind: pBool},
	"managed":                                {path: "deviceDetail.isManaged", kind: pBool},
	"join type":                              {path: "deviceDetail.trustType"},
	"multifactor authentication auth method": {path: "mfaDetail.authMethod"},
	"multifactor authentication auth detail": {path: "mfaDetail.authDetail"},
	"authentication requirement":             {path: "authenticationRequirement", kind: pEnum, enum: enumAuthRequirement},
	"sign-in identifier":                     {path: "signInIdentifier"},
	"session id":                             {path: "sessionId"},
	"ip address (seen by resource)":          {path: "ipAddressFromResourceProvider"},
	"through global secure access":           {path: "isThroughGlobalSecureAccess", kind: pBool},
	"global secure access ip address":        {path: "globalSecureAccessIpAddress"},
	"autonomous system number":               {path: "autonomousSystemNumber", kind: pInt},
	"flagged for review":                     {path: "flaggedForReview", kind: pBool},
	"token issuer type":                      {path: "tokenIssuerType", kind: pEnum, enum: enumTokenIssuer},
	"token issuer name":                      {path: "tokenIssuerName"},
	"latency":                                {path: "processingTimeInMilliseconds", kind: pInt},
	"conditional access":                     {path: "conditionalAccessStatus", kind: pEnum, enum: enumCAStatus},
	"managed identity type":                  {path: "managedServiceIdentity.msiType"},
	"associated resource id":                 {path: "managedServiceIdentity.associatedResourceId"},
	"federated token id":                     {path: "managedServiceIdentity.federatedTokenId"},
	"federated token issuer":                 {path: "managedServiceIdentity.federatedTokenIssuer"},
	"service principal id":                   {path: "servicePrincipalId"},
	"service principal name":                 {path: "servicePrincipalName"},
	"credential key id":                      {path: "servicePrincipalCredentialKeyId"},
	"credential thumbprint":                  {path: "servicePrincipalCredentialThumbprint"},
}

// portalHeader normalises a header cell for lookup: lower case, white space
// trimmed and runs of it collapsed ("Application ID " → "application id",
// "Autonomous system  number" → "autonomous system number").
func portalHeader(k []byte) string {
	var b strings.Builder
	space := false
	for _, c := range bytes.TrimSpace(k) {
		if isSpace(c) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isSpace reports ASCII white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// portalGet returns the value of the first column whose normalised header
// is h.
func portalGet(v *fastjson.Value, h string) *fastjson.Value {
	o, err := v.Object()
	if err != nil {
		return nil
	}
	var found *fastjson.Value
	o.Visit(func(k []byte, x *fastjson.Value) {
		if found == nil && portalHeader(k) == h {
			found = x
		}
	})
	return found
}

// isPortalSignIn recognises a row of the sign-in download: a date and a
// Request ID column, and a column only sign-ins have.
func isPortalSignIn(v *fastjson.Value, _ ingest.Container) bool {
	if v.Get("Request ID") == nil && portalGet(v, "request id") == nil {
		return false
	}
	if v.Get("Date (UTC)") == nil && portalGet(v, "date (utc)") == nil && portalGet(v, "date") == nil {
		return false
	}
	for _, h := range [...]string{"sign-in error code", "ip address", "username", "application", "status"} {
		if portalGet(v, h) != nil {
			return true
		}
	}
	return false
}

// streamFiles maps the file name prefixes of the download to the stream.
var streamFiles = [...][2]string{
	{"noninteractivesignins", eventNonInteractive},
	{"interactivesignins", eventInteractive},
	{"applicationsignins", eventSP},
	{"msisignins", eventMI},
}

// portalStream returns the stream a download file holds, from its name.
func portalStream(file string) string {
	name := strings.ToLower(baseName(file))
	for _, s := range streamFiles {
		if strings.HasPrefix(name, s[0]) {
			return s[1]
		}
	}
	return ""
}

func normalizePortalSignIn(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	o, _ := v.Object()
	o.Visit(func(k []byte, x *fastjson.Value) {
		b := bytes.TrimSpace(stringBytes(x))
		if len(b) == 0 {
			return
		}
		h := portalHeader(k)
		col, known := portalSignInColumns[h]
		if !known {
			// A column added after this table: kept under its header.
			if doc.Get(string(k)) == nil {
				doc.Set(string(k), x)
			}
			return
		}
		if col.kind == pSkip || (col.path != "" && !isBlank(lookupDotted(doc, col.path))) {
			return
		}
		n.portalSet(doc, col, b, x)
	})
	st := doc.Get("status")
	if st == nil || st.Get("errorCode") == nil {
		// No error code: a "Success" row is code 0.
		if asciiEqualFold(bytes.TrimSpace(stringBytes(portalGet(v, "status"))), "success") {
			n.setDotted(doc, "status.errorCode", n.Arena.NewNumberInt(0))
		}
	}
	stream := portalStream(ev.Origin.File)
	if stream == "" {
		switch {
		case !isBlank(doc.Get("managedServiceIdentity")):
			stream = eventMI
		case !isBlank(doc.Get("servicePrincipalId")) && isBlank(doc.Get("userPrincipalName")):
			stream = eventSP
		}
	}
	switch stream {
	case eventInteractive:
		doc.Set("isInteractive", n.Arena.NewTrue())
	case eventNonInteractive:
		doc.Set("isInteractive", n.Arena.NewFalse())
	}
	n.finishSignIn(doc, ev, signInFallback{eventType: stream})
	return nil
}

// portalSet converts one non-empty cell b (value x) by its column.
func (n *Normalizer) portalSet(doc *fastjson.Value, col portalCol, b []byte, x *fastjson.Value) {
	switch col.kind {
	case pText:
		n.setDotted(doc, col.path, x)
	case pInt:
		// "Latency" may carry a unit; the leading digits are the value.
		end := 0
		for end < len(b) && (('0' <= b[end] && b[end] <= '9') || (end == 0 && b[end] == '-')) {
			end++
		}
		if i, err := strconv.Atoi(string(b[:end])); err == nil {
			n.setDotted(doc, col.path, n.Arena.NewNumberInt(i))
		} else {
			n.setDotted(doc, col.path, x)
		}
	case pBool:
		n.setDotted(doc, col.path, x)
		i := strings.LastIndexByte(col.path, '.')
		parent := doc
		if i >= 0 {
			parent = lookupDotted(doc, col.path[:i])
		}
		n.booleanize(parent, col.path[i+1:], true)
	case pEnum:
		if e, ok := enumFold(b, col.enum); ok {
			n.setDotted(doc, col.path, n.Arena.NewString(e))
		} else {
			n.setDotted(doc, col.path, x)
		}
	case pLocation:
		n.portalLocation(doc, b)
	}
}

// portalLocation splits "City, State, CC" into location.city, .state and
// .countryOrRegion: the last part is the country, the first the city, the
// ones between the state.
func (n *Normalizer) portalLocation(doc *fastjson.Value, b []byte) {
	parts := bytes.Split(b, []byte(","))
	for i := range parts {
		parts[i] = bytes.TrimSpace(parts[i])
	}
	loc := n.Arena.NewObject()
	set := func(k string, p []byte) {
		if len(p) > 0 {
			loc.Set(k, n.newText(p))
		}
	}
	last := len(parts) - 1
	set("countryOrRegion", parts[last])
	if last >= 1 {
		set("city", parts[0])
	}
	if last >= 2 {
		set("state", bytes.Join(parts[1:last], []byte(", ")))
	}
	if o, _ := loc.Object(); o.Len() > 0 {
		doc.Set("location", loc)
	}
}

// lookupDotted returns obj[a][b]… for a dotted path, or nil.
func lookupDotted(obj *fastjson.Value, path string) *fastjson.Value {
	for obj != nil {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			return obj.Get(path)
		}
		obj, path = obj.Get(path[:i]), path[i+1:]
	}
	return nil
}
