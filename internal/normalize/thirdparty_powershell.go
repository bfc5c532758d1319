package normalize

// PowerShell objects saved as JSON (ConvertTo-Json) or CSV (Export-Csv):
// the sign-ins and directory audits of the Microsoft Graph PowerShell SDK
// (Get-MgAuditLogSignIn, Get-MgBetaAuditLogSignIn,
// Get-MgAuditLogDirectoryAudit), of the Microsoft.Entra module, which wraps
// the SDK (Get-EntraAuditSignInLog, Get-EntraAuditDirectoryLog), and of the
// retired AzureAD / AzureADPreview module (Get-AzureADAuditSignInLogs,
// Get-AzureADAuditDirectoryLogs). Responders hold them from
// Microsoft-Extractor-Suite before v3 (invictus-ir/Microsoft-Extractor-Suite
// Scripts/Get-AzureADGraphLogs.ps1: Get-MgBetaAuditLogSignIn … |
// Select-Object AppDisplayName,…,@{N='CreatedDateTime';E={$_.CreatedDateTime.ToString()}},…
// | ConvertTo-Json -Depth 100; Scripts/Get-AzureADLogs.ps1:
// Get-AzureADAuditSignInLogs -All $true | ConvertTo-Json -Depth 100) and
// from ad-hoc scripts (philhagen/sof-elk#274 shows Get-AzureADAuditSignInLogs
// … | ConvertTo-Json | Out-File).
//
// What differs from Graph JSON, and what this shape undoes:
//   - member names are .NET property names: Graph's with the first letter
//     upper-cased (CreatedDateTime, Status.ErrorCode), acronyms upper-cased
//     (the SDK's IPAddress; the AzureAD module's IpAddress), and
//     RiskEventTypesV2 for riskEventTypes_v2;
//   - members the SDK's model lacks sit in an AdditionalProperties bag
//     under their Graph names;
//   - Select-Object of a property the object lacks writes null;
//   - DateTime values are "/Date(ms)/" (Windows PowerShell 5.1), ISO 8601
//     (PowerShell 7), or culture text when a script called ToString();
//   - Extractor-Suite flattened authenticationDetails into
//     AuthDetailsAuthenticationMethod … AuthDetailsSucceeded (the value of
//     a single step, "System.Object[]" for several);
//   - Export-Csv writes every value as text and nested objects as their
//     type name ("Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus",
//     "System.Object[]": the content is lost, the cell is dropped), except
//     the AzureAD module's models, which print themselves as
//     "class SignInStatus {\n  ErrorCode: 50126\n  …\n}\n" (swagger-codegen
//     ToString), parsed here.

import (
	"bytes"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatPowerShell,
		kind:      event.KindEntraSignIn,
		priority:  110,
		detect:    isPowerShellSignIn,
		normalize: normalizePowerShellSignIn,
	})
	register(shape{
		format:    formatPowerShell,
		kind:      event.KindEntraAudit,
		priority:  111,
		detect:    isPowerShellAudit,
		normalize: normalizePowerShellAudit,
	})
}

// isPowerShellSignIn recognises a signIn object: CreatedDateTime plus a
// member only sign-ins have (Get-MgUser and Get-MgApplication objects carry
// CreatedDateTime and UserPrincipalName or AppId too, none of these).
func isPowerShellSignIn(v *fastjson.Value, _ ingest.Container) bool {
	if v.Get("CreatedDateTime") == nil {
		return false
	}
	for _, k := range [...]string{"Status", "IPAddress", "IpAddress", "SignInEventTypes", "ClientAppUsed", "ConditionalAccessStatus"} {
		if v.Get(k) != nil {
			return true
		}
	}
	return false
}

// isPowerShellAudit recognises a directoryAudit object.
func isPowerShellAudit(v *fastjson.Value, _ ingest.Container) bool {
	return v.Get("ActivityDateTime") != nil &&
		(v.Get("ActivityDisplayName") != nil || v.Get("TargetResources") != nil || v.Get("InitiatedBy") != nil)
}

// Log Analytics columns no PowerShell object has: a row carrying one is a
// Log Analytics row whose query projected TimeGenerated and Type away.
var (
	laOnlySignIn = [...]string{"ResultType", "ResultDescription", "LocationDetails", "ResourceIdentity", "AADTenantId", "OperationName", "TimeGenerated", "Type"}
	laOnlyAudit  = [...]string{"AADOperationType", "OperationName", "AADTenantId", "Identity", "TimeGenerated", "Type"}
)

func hasAny(v *fastjson.Value, keys []string) bool {
	for _, k := range keys {
		if laGet(v, k) != nil {
			return true
		}
	}
	return false
}

// The boolean members of signIn (and of its deviceDetail, authenticationDetail).
var signInBooleans = [...]string{"isInteractive", "flaggedForReview", "isTenantRestricted", "isThroughGlobalSecureAccess", "isRisky"}

func normalizePowerShellSignIn(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	if hasAny(v, laOnlySignIn[:]) {
		ev.Format = formatLogAnalytics
		return normalizeLogAnalyticsSignIn(n, v, ev)
	}
	doc := n.psObject(v, 0)
	n.psAuthDetails(doc)
	n.canonicalizePSTime(doc, "createdDateTime")
	for _, k := range signInBooleans {
		n.booleanize(doc, k, false)
	}
	if d := doc.Get("deviceDetail"); d != nil && d.Type() == fastjson.TypeObject {
		n.booleanize(d, "isCompliant", false)
		n.booleanize(d, "isManaged", false)
	}
	for _, step := range doc.GetArray("authenticationDetails") {
		if step.Type() == fastjson.TypeObject {
			n.canonicalizePSTime(step, "authenticationStepDateTime")
			n.booleanize(step, "succeeded", false)
		}
	}
	n.finishSignIn(doc, ev, signInFallback{})
	return nil
}

func normalizePowerShellAudit(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	if hasAny(v, laOnlyAudit[:]) {
		ev.Format = formatLogAnalytics
		return normalizeLogAnalyticsAudit(n, v, ev)
	}
	doc := n.psObject(v, 0)
	n.canonicalizePSTime(doc, "activityDateTime")
	n.finishAudit(doc, ev, nil, false)
	return nil
}

// psMaxDepth bounds the recursion of psObject; deeper values are kept as
// they are.
const psMaxDepth = 64

// psObject converts a PowerShell object (or a value inside one) into the
// Graph resource it was made from: members renamed (psMember), the
// AdditionalProperties bag merged, nulls and .NET type names dropped,
// "/Date(ms)/" timestamps rewritten, class text parsed. It returns nil for
// a value that carries nothing.
func (n *Normalizer) psObject(v *fastjson.Value, depth int) *fastjson.Value {
	if depth > psMaxDepth {
		return v
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeString:
		return n.psText(v, depth)
	case fastjson.TypeArray:
		out := n.Arena.NewArray()
		i := 0
		for _, it := range v.GetArray() {
			if x := n.psObject(it, depth+1); x != nil {
				out.SetArrayItem(i, x)
				i++
			}
		}
		return out
	case fastjson.TypeObject:
	default:
		return v
	}
	// Windows PowerShell serialises a DateTime carrying extended type data
	// as {"value":"/Date(…)/","DisplayHint":2,"DateTime":"Monday, …"}.
	if val := v.Get("value"); val != nil && v.Get("DisplayHint") != nil && v.Get("DateTime") != nil {
		return n.psObject(val, depth+1)
	}
	out := n.Arena.NewObject()
	var bag *fastjson.Value
	o, _ := v.Object()
	o.Visit(func(k []byte, x *fastjson.Value) {
		if string(k) == "AdditionalProperties" {
			bag = x
			return
		}
		n.psSet(out, psMember(k), x, depth)
	})
	if bag != nil && bag.Type() == fastjson.TypeObject {
		bo, _ := bag.Object()
		bo.Visit(func(k []byte, x *fastjson.Value) {
			n.psSet(out, psMember(k), x, depth)
		})
	}
	// An object whose members were all null (an SDK object for a complex
	// property Graph left out, such as MfaDetail) carries nothing.
	if oo, _ := out.Object(); oo.Len() == 0 && o.Len() > 0 && depth > 0 {
		return nil
	}
	return out
}

// psSet sets out[name] to the converted x unless out already has a value
// there (IPAddress and IpAddress name one member; a bag entry never
// overrides a property).
func (n *Normalizer) psSet(out *fastjson.Value, name string, x *fastjson.Value, depth int) {
	if name == "" || !isBlank(out.Get(name)) {
		return
	}
	if c := n.psObject(x, depth+1); c != nil {
		out.Set(name, c)
	}
}

// psText converts a string value: "/Date(ms)/" becomes a canonical
// timestamp, a .NET type name nothing, class text an object.
func (n *Normalizer) psText(v *fastjson.Value, depth int) *fastjson.Value {
	s := v.GetStringBytes()
	if t, ok := msDate(s); ok {
		return n.canonicalTime(t)
	}
	if isTypeName(s) {
		return nil
	}
	if bytes.HasPrefix(s, []byte("class ")) {
		if obj := n.psClassText(s, depth); obj != nil {
			return obj
		}
	}
	return v
}

// psMember returns the Graph member name of a .NET property name: the
// first letter lowered (CreatedDateTime → createdDateTime), a leading
// acronym lowered but for the letter starting the next word (IPAddress →
// ipAddress), an all-capitals name lowered (ID → id). Names not starting
// with a capital (the bag's Graph names, "@odata.type") are kept.
func psMember(k []byte) string {
	switch string(k) {
	case "RiskEventTypesV2":
		return "riskEventTypes_v2"
	case "ODataType", "OdataType":
		return "@odata.type"
	}
	if len(k) == 0 || k[0] < 'A' || k[0] > 'Z' {
		return string(k)
	}
	caps := 0
	for caps < len(k) && 'A' <= k[caps] && k[caps] <= 'Z' {
		caps++
	}
	lower := caps
	if caps > 1 && caps < len(k) && 'a' <= k[caps] && k[caps] <= 'z' {
		lower = caps - 1 // the last capital starts the next word
	}
	b := []byte(string(k))
	for i := 0; i < lower; i++ {
		b[i] += 'a' - 'A'
	}
	return string(b)
}

// isTypeName reports whether s is a .NET type name, which Export-Csv (and
// ConvertTo-Json past its -Depth) writes instead of an object's content:
// "System.Object[]", "System.Collections.Generic.List`1[System.String]",
// "Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus",
// "Microsoft.Open.MSGraph.Model.SignInStatus".
func isTypeName(s []byte) bool {
	if !bytes.HasPrefix(s, []byte("System.")) && !bytes.Contains(s, []byte(".Models.")) &&
		!bytes.Contains(s, []byte(".Model.")) {
		return false
	}
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '`', c == '[', c == ']', c == ',', c == '_':
		default:
			return false
		}
	}
	return true
}

// psClassText parses the text a swagger-codegen model prints for itself,
// as the AzureAD module's do:
//
//	class SignInStatus {
//	  ErrorCode: 50126
//	  FailureReason: Invalid username or password.
//	  AdditionalDetails:
//	}
//
// Members are "Name: value" lines; a value "class X {" opens a nested
// object closed by a "}" line. Values are text. It returns nil when s is
// not such text.
func (n *Normalizer) psClassText(s []byte, depth int) *fastjson.Value {
	lines := bytes.Split(s, []byte("\n"))
	head := bytes.TrimSpace(lines[0])
	if !bytes.HasSuffix(head, []byte("{")) {
		return nil
	}
	obj, rest, ok := n.psClassBody(lines[1:], depth)
	if !ok {
		return nil
	}
	for _, l := range rest {
		if len(bytes.TrimSpace(l)) > 0 {
			return nil
		}
	}
	return obj
}

// psClassBody parses member lines up to the closing "}" and returns the
// object and the lines after it.
func (n *Normalizer) psClassBody(lines [][]byte, depth int) (*fastjson.Value, [][]byte, bool) {
	if depth > psMaxDepth {
		return nil, nil, false
	}
	obj := n.Arena.NewObject()
	for len(lines) > 0 {
		l := bytes.TrimSpace(lines[0])
		lines = lines[1:]
		if string(l) == "}" {
			return obj, lines, true
		}
		if len(l) == 0 {
			continue
		}
		i := bytes.IndexByte(l, ':')
		if i <= 0 {
			return nil, nil, false
		}
		name := psMember(l[:i])
		val := bytes.TrimSpace(l[i+1:])
		if bytes.HasPrefix(val, []byte("class ")) && bytes.HasSuffix(val, []byte("{")) {
			var nested *fastjson.Value
			var ok bool
			if nested, lines, ok = n.psClassBody(lines, depth+1); !ok {
				return nil, nil, false
			}
			if o, _ := nested.Object(); o.Len() > 0 && obj.Get(name) == nil {
				obj.Set(name, nested)
			}
			continue
		}
		if len(val) == 0 || isTypeName(val) || obj.Get(name) != nil {
			continue
		}
		if _, coord := geoMembers[name]; coord && isJSONNumber(string(val)) {
			obj.Set(name, n.Arena.NewNumberString(string(val)))
			continue
		}
		obj.Set(name, n.newText(val))
	}
	return nil, nil, false // no closing brace
}

// geoMembers are the numeric members of geoCoordinates, which class text
// writes as text.
var geoMembers = map[string]struct{}{"latitude": {}, "longitude": {}, "altitude": {}}

// extractorAuthDetails maps Microsoft-Extractor-Suite's flattened
// authenticationDetails members (Scripts/Get-AzureADGraphLogs.ps1,
// @{N='AuthDetailsAuthenticationMethod';E={$_.AuthenticationDetails.AuthenticationMethod.ToString()}}, …)
// onto authenticationDetail members.
var extractorAuthDetails = [...][2]string{
	{"authDetailsAuthenticationMethod", "authenticationMethod"},
	{"authDetailsAuthenticationMethodDetail", "authenticationMethodDetail"},
	{"authDetailsAuthenticationStepDateTime", "authenticationStepDateTime"},
	{"authDetailsAuthenticationStepRequirement", "authenticationStepRequirement"},
	{"authDetailsAuthenticationStepResultDetail", "authenticationStepResultDetail"},
	{"authDetailsSucceeded", "succeeded"},
}

// psAuthDetails rebuilds authenticationDetails from Extractor-Suite's
// flattened members when the record has no authenticationDetails of its
// own, and removes the flattened members. Several steps were written as
// "System.Object[]", already dropped: only a single step comes back.
func (n *Normalizer) psAuthDetails(doc *fastjson.Value) {
	var step *fastjson.Value
	for _, m := range extractorAuthDetails {
		x := doc.Get(m[0])
		if x == nil {
			continue
		}
		doc.Del(m[0])
		if isBlank(x) {
			continue
		}
		if step == nil {
			step = n.Arena.NewObject()
		}
		step.Set(m[1], x)
	}
	if step == nil || !isBlank(doc.Get("authenticationDetails")) {
		return
	}
	arr := n.Arena.NewArray()
	arr.SetArrayItem(0, step)
	doc.Set("authenticationDetails", arr)
}
