package normalize

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
)

// The -update flag rewrites golden files. Another test file of the package
// may register it too; whichever runs first wins.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const entraTestdata = "testdata/entra"

// goldenEntry is one record's outcome in a golden file.
type goldenEntry struct {
	*event.Stored
	Error string `json:"error,omitempty"`
}

// normalizeFile normalises every record of a test input.
func normalizeFile(t *testing.T, path string) []goldenEntry {
	t.Helper()
	n := New()
	var out []goldenEntry
	for _, rec := range readRecords(t, path) {
		ev, err := n.Normalize(rec)
		if err != nil {
			out = append(out, goldenEntry{Stored: &event.Stored{Origin: rec.Origin.String()}, Error: err.Error()})
			continue
		}
		out = append(out, goldenEntry{Stored: ev.Clone()})
	}
	return out
}

func checkGolden(t *testing.T, got []goldenEntry, golden string) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if updating() {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from the canonical events (run go test -update and review the diff):\n%s", golden, b)
	}
}

// TestEntraGolden normalises every fixture under testdata/entra/<format>/
// and compares the canonical events with the golden file beside it.
func TestEntraGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(entraTestdata, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.json") || filepath.Base(filepath.Dir(in)) == "public" {
			continue
		}
		name := strings.TrimPrefix(in, entraTestdata+string(filepath.Separator))
		t.Run(name, func(t *testing.T) {
			got := normalizeFile(t, in)
			for _, e := range got {
				if e.Error != "" {
					t.Errorf("%s: %s", e.Origin, e.Error)
				}
			}
			checkGolden(t, got, goldenPath(in))
		})
	}
}

// goldenPath names the golden file of an input: <case>.golden.json for
// <case>.json, <case>.csv.golden.json for <case>.csv (a case may exist in
// both forms).
func goldenPath(in string) string {
	if strings.HasSuffix(in, ".json") {
		return strings.TrimSuffix(in, ".json") + ".golden.json"
	}
	return in + ".golden.json"
}

// TestPublicGolden pins the canonical events of one public sample per
// export format that has one.
func TestPublicGolden(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("public samples not found at %s: %v", sharedData, err)
	}
	for _, f := range []string{
		"elastic-integrations/azure-signinlogs/test-non-interactive-user-sample.lines1-6.log",
		"elastic-integrations/azure-auditlogs/test-audit-logs-sample.log",
		"elastic-integrations/o365-audit/test-azuread-sts-logon-events.events1-3.original.ndjson",
		"microsoft-docs/graph-docs/beta-signin-list-example1-response.json",
		"microsoft-docs/graph-docs/v1-directoryaudit-list-example1-response.json",
		"panther-analysis/Microsoft365_Audit_AzureActiveDirectory.ndjson",
	} {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			got := normalizeFile(t, filepath.Join(sharedData, f))
			checkGolden(t, got, filepath.Join(entraTestdata, "public", strings.TrimSuffix(name, filepath.Ext(name))+".golden.json"))
		})
	}
}

func TestNormalizeActivity(t *testing.T) {
	tests := []struct {
		in   string
		ual  bool
		want string
	}{
		{"Update application – Certificates and secrets management ", false, "Update application - Certificates and secrets management"},
		{"Update application — Certificates and secrets management", false, "Update application - Certificates and secrets management"},
		{"Consent to application.", true, "Consent to application"},
		{"Add member to role. ", true, "Add member to role"},
		{"Update application – Certificates and secrets management ", true, "Update application - Certificates and secrets management"},
		{"Consent to application", false, "Consent to application"},
		{"Version 1.0.", false, "Version 1.0."},
		{"", true, ""},
	}
	for _, tt := range tests {
		got, changed := normalizeActivity([]byte(tt.in), tt.ual)
		if string(got) != tt.want || changed != (tt.in != tt.want) {
			t.Errorf("normalizeActivity(%q, %v) = %q, %v; want %q", tt.in, tt.ual, got, changed, tt.want)
		}
	}
}

func TestDecodeModified(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"\"False\""`, `"False"`},
		{`"\"\""`, `""`},
		{`""`, `""`},
		{`null`, `null`},
		{`"[]"`, `[]`},
		{`"[\"[KeyIdentifier=a,KeyType=Password]\",\"[KeyIdentifier=b]\"]"`, `["[KeyIdentifier=a,KeyType=Password]","[KeyIdentifier=b]"]`},
		{`"[\r\n  true\r\n]"`, `["true"]`},
		{`"[{\"Address\": \"https:\\/\\/x.example\", \"AddressType\": 0}]"`, `["{\"Address\":\"https://x.example\",\"AddressType\":0}"]`},
		{`"Member"`, `"Member"`},
		{`"True"`, `"True"`},
		{`"{\"discoveryUrl\":\"https://a\"}"`, `"{\"discoveryUrl\":\"https://a\"}"`},
		{`"3"`, `"3"`},
		{`"[not json"`, `"[not json"`},
		{`"\"unterminated"`, `"\"unterminated"`},
		{`42`, `42`},
	}
	n := New()
	for _, tt := range tests {
		v, err := n.parser.Parse(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := string(n.decodeModified(v).MarshalTo(nil)); got != tt.want {
			t.Errorf("decodeModified(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestErrorCodeForms feeds status codes in every spelling the formats use
// and expects the integer in status.errorCode.
func TestErrorCodeForms(t *testing.T) {
	tests := []struct {
		name, rec string
		want      string // status.errorCode as JSON, "" for absent
	}{
		{"graph int", `{"id":"a","createdDateTime":"2026-01-01T00:00:00Z","ipAddress":"192.0.2.1","status":{"errorCode":65004}}`, "65004"},
		{"graph string", `{"id":"a","createdDateTime":"2026-01-01T00:00:00Z","ipAddress":"192.0.2.1","status":{"errorCode":" 65004"}}`, "65004"},
		{"azure monitor envelope only", `{"category":"SignInLogs","resultType":"500121","time":"2026-01-01T00:00:00Z","properties":{"id":"a"}}`, "500121"},
		{"azure monitor properties win", `{"category":"SignInLogs","resultType":"0","properties":{"id":"a","status":{"errorCode":"50126"}}}`, "50126"},
		{"azure monitor Failure text", `{"category":"SignInLogs","resultType":"Failure","properties":{"id":"a"}}`, ""},
		{"log analytics ResultType", `{"Type":"SigninLogs","ResultType":"90095","TimeGenerated":"2026-01-01T00:00:00Z"}`, "90095"},
		{"log analytics Status text", `{"Type":"SigninLogs","ResultType":"1","Status":"{\"errorCode\":53003,\"failureReason\":\"Blocked\"}"}`, "53003"},
		{"ual string", `{"Operation":"UserLoginFailed","RecordType":"15","ErrorNumber":"50126","CreationTime":"2026-01-01T00:00:00"}`, "50126"},
		{"ual number", `{"Operation":"UserLoginFailed","RecordType":15,"ErrorNumber":50053,"CreationTime":"2026-01-01T00:00:00"}`, "50053"},
		{"ual success", `{"Operation":"UserLoggedIn","RecordType":15,"CreationTime":"2026-01-01T00:00:00"}`, "0"},
		{"ual record type name", `{"Operation":"UserLoginFailed","RecordType":"AzureActiveDirectoryStsLogon","ErrorNumber":"50126"}`, "50126"},
	}
	n := New()
	for _, tt := range tests {
		ev, err := n.Normalize(ingest.Record{Data: []byte(tt.rec)})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if ev.Kind != event.KindEntraSignIn {
			t.Errorf("%s: kind %v", tt.name, ev.Kind)
		}
		got := ""
		if c := ev.Doc.Get("status", "errorCode"); c != nil {
			got = string(c.MarshalTo(nil))
		}
		if got != tt.want {
			t.Errorf("%s: status.errorCode = %s, want %q", tt.name, got, tt.want)
		}
	}
}

// TestNotEntra checks that the Entra shapes leave alone records of other
// kinds that share some of their members.
func TestNotEntra(t *testing.T) {
	recs := map[string]string{
		"graph application":   `{"id":"1","appId":"2","createdDateTime":"2026-01-01T00:00:00Z","displayName":"x","passwordCredentials":[]}`,
		"graph user":          `{"id":"1","createdDateTime":"2026-01-01T00:00:00Z","userPrincipalName":"a@b.c"}`,
		"graph provisioning":  `{"id":"1","activityDateTime":"2026-01-01T00:00:00Z","initiatedBy":{"id":"x"},"provisioningAction":"create"}`,
		"intune audit":        `{"time":"2026-01-01T00:00:00Z","category":"AuditLogs","resourceId":"/TENANTS/X/PROVIDERS/MICROSOFT.INTUNE","properties":{"ActivityDateTime":"2026-01-01T00:00:00Z","ActivityType":"Create"}}`,
		"azure activity":      `{"time":"2026-01-01T00:00:00Z","category":"Administrative","operationName":"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE","properties":{"statusCode":"Created"}}`,
		"key vault":           `{"time":"2026-01-01T00:00:00Z","category":"AuditEvent","operationName":"SecretGet","properties":{"id":"https://v.vault.azure.net/secrets/s"}}`,
		"ual exchange":        `{"CreationTime":"2026-01-01T00:00:00","Operation":"New-InboxRule","RecordType":1,"Workload":"Exchange"}`,
		"ual account logon":   `{"CreationTime":"2026-01-01T00:00:00","Operation":"UserLoggedIn","RecordType":9,"Workload":"AzureActiveDirectory"}`,
		"log analytics other": `{"TimeGenerated":"2026-01-01T00:00:00Z","Type":"OfficeActivity","Operation":"UserLoggedIn","RecordType":"AzureActiveDirectoryStsLogon","Workload":"AzureActiveDirectory"}`,
	}
	n := New()
	for name, rec := range recs {
		ev, err := n.Normalize(ingest.Record{Data: []byte(rec)})
		if err == nil && (ev.Kind == event.KindEntraSignIn || ev.Kind == event.KindEntraAudit) {
			t.Errorf("%s: claimed as %v by %s", name, ev.Kind, ev.Format)
		}
	}
}

func TestPurviewRowErrors(t *testing.T) {
	tests := map[string]string{
		"empty":   `{"RecordId":"1","AuditData":""}`,
		"invalid": `{"RecordId":"1","AuditData":"{\"Operation\":"}`,
		"nested":  `{"RecordId":"1","AuditData":"{\"AuditData\":\"{}\"}"}`,
		"array":   `{"RecordId":"1","AuditData":"[1]"}`,
	}
	n := New()
	for name, rec := range tests {
		if ev, err := n.Normalize(ingest.Record{Data: []byte(rec), Container: ingest.ContainerCSV}); err == nil {
			t.Errorf("%s: no error, got %v event", name, ev.Kind)
		}
	}
}

// TestEntraAliases resolves the field names of SigmaHQ's azure signinlogs
// and auditlogs rules (rules/cloud/azure/{signin_logs,audit_logs}) and the
// export formats' own names. Names that exist in no real log stay unknown,
// so the rule loader warns about them.
func TestEntraAliases(t *testing.T) {
	tests := []struct {
		kind event.Kind
		name string
		want string // "" for unknown
	}{
		{event.KindEntraSignIn, "ResultType", "status.errorCode"},
		{event.KindEntraSignIn, "ResultDescription", "status.failureReason"},
		{event.KindEntraSignIn, "Resultdescription", "status.failureReason"},
		{event.KindEntraSignIn, "Status", "status"},
		{event.KindEntraSignIn, "AuthenticationRequirement", "authenticationRequirement"},
		{event.KindEntraSignIn, "DeviceDetail.deviceId", "deviceDetail.deviceId"},
		{event.KindEntraSignIn, "DeviceDetail.isCompliant", "deviceDetail.isCompliant"},
		{event.KindEntraSignIn, "DeviceDetail.trusttype", "deviceDetail.trustType"},
		{event.KindEntraSignIn, "NetworkLocationDetails", "networkLocationDetails"},
		{event.KindEntraSignIn, "ResourceDisplayName", "resourceDisplayName"},
		{event.KindEntraSignIn, "RiskState", "riskState"},
		{event.KindEntraSignIn, "conditionalAccessStatus", "conditionalAccessStatus"},
		{event.KindEntraSignIn, "userAgent", "userAgent"},
		{event.KindEntraSignIn, "properties.status.errorCode", "status.errorCode"},
		{event.KindEntraSignIn, "AppId", "appId"},
		{event.KindEntraSignIn, "IPAddress", "ipAddress"},
		{event.KindEntraSignIn, "UserPrincipalName", "userPrincipalName"},
		{event.KindEntraSignIn, "ResourceIdentity", "resourceId"},
		{event.KindEntraSignIn, "LocationDetails.countryOrRegion", "location.countryOrRegion"},
		{event.KindEntraSignIn, "ClientIP", "ipAddress"},
		{event.KindEntraSignIn, "ErrorNumber", "status.errorCode"},
		{event.KindEntraSignIn, "ClientApp", ""},
		{event.KindEntraSignIn, "Username", ""},
		{event.KindEntraSignIn, "ActivityDetails", ""},
		{event.KindEntraSignIn, "properties.message", ""},
		{event.KindEntraAudit, "ActivityDisplayName", "activityDisplayName"},
		{event.KindEntraAudit, "OperationName", "activityDisplayName"},
		{event.KindEntraAudit, "operationName", "activityDisplayName"},
		{event.KindEntraAudit, "Operation", "activityDisplayName"},
		{event.KindEntraAudit, "Category", "category"},
		{event.KindEntraAudit, "category", "category"},
		{event.KindEntraAudit, "LoggedByService", "loggedByService"},
		{event.KindEntraAudit, "Initiatedby", "initiatedBy"},
		{event.KindEntraAudit, "Target", "targetResources"},
		{event.KindEntraAudit, "TargetResources", "targetResources"},
		{event.KindEntraAudit, "TargetResources.ModifiedProperties.DisplayName", "targetResources.modifiedProperties.displayName"},
		{event.KindEntraAudit, "TargetResources.ModifiedProperties.NewValue", "targetResources.modifiedProperties.newValue"},
		{event.KindEntraAudit, "TargetResources.modifiedProperties", "targetResources.modifiedProperties"},
		{event.KindEntraAudit, "TargetResources.modifiedProperties.newValue", "targetResources.modifiedProperties.newValue"},
		{event.KindEntraAudit, "targetResources.type", "targetResources.type"},
		{event.KindEntraAudit, "properties.result", "result"},
		{event.KindEntraAudit, "properties.targetResources", "targetResources"},
		{event.KindEntraAudit, "ConsentContext.IsAdminConsent", "targetResources.modifiedPropertiesByName.ConsentContext.IsAdminConsent.newValue"},
		{event.KindEntraAudit, "ResultStatus", "result"},
		{event.KindEntraAudit, "Status", ""},
		{event.KindEntraAudit, "ActivityType", ""},
		{event.KindEntraAudit, "activityType", ""},
		{event.KindEntraAudit, "additionalDetails.additionalInfo", ""},
		{event.KindEntraAudit, "failure_status_reason", ""},
		{event.KindEntraAudit, "properties.message", ""},
	}
	for _, tt := range tests {
		p, known := Resolve(tt.kind, tt.name)
		got := ""
		if known {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("Resolve(%v, %q) = %q (known %v), want %q", tt.kind, tt.name, p, known, tt.want)
		}
	}
}

// TestModifiedPropertiesByName reads a consent property through the alias
// Sigma uses and event.Each's dotted-key lookup.
func TestModifiedPropertiesByName(t *testing.T) {
	n := New()
	recs := readRecords(t, filepath.Join(entraTestdata, "azure-monitor", "auditlogs.json"))
	ev, err := n.Normalize(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Resolve(event.KindEntraAudit, "ConsentContext.IsAdminConsent")
	if got := ev.String(p); got != "True" {
		t.Errorf("%s = %q, want True", p, got)
	}
	perm := ev.String(event.ParsePath("targetResources.modifiedPropertiesByName.ConsentAction.Permissions.newValue"))
	if !strings.Contains(perm, "ConsentType: AllPrincipals") {
		t.Errorf("ConsentAction.Permissions = %q", perm)
	}
}
