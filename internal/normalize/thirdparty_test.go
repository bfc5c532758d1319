package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
)

// ingestRecords reads a fixture with the ingest readers, as a scan does
// (CSV rows keep their header order and duplicate headers; Log Analytics
// query results are unwrapped), and returns copies of its records.
func ingestRecords(t testing.TB, path string) []ingest.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ingest.NewFile(filepath.Base(path), bytes.NewReader(data), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []ingest.Record
	for {
		rec, err := f.Next()
		if errors.Is(err, io.EOF) {
			return recs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rec.Data = bytes.Clone(rec.Data)
		recs = append(recs, rec)
	}
}

// normalizeThirdParty normalises every record of a fixture read by the
// ingest readers.
func normalizeThirdParty(t *testing.T, path string) []goldenEntry {
	t.Helper()
	n := New()
	var out []goldenEntry
	for _, rec := range ingestRecords(t, path) {
		ev, err := n.Normalize(rec)
		if err != nil {
			out = append(out, goldenEntry{Stored: &event.Stored{Origin: rec.Origin.String()}, Error: err.Error()})
			continue
		}
		out = append(out, goldenEntry{Stored: ev.Clone()})
	}
	return out
}

const thirdPartyTestdata = "testdata/thirdparty"

// thirdPartyErrors lists the fixture records expected to fail, by origin.
var thirdPartyErrors = map[string]string{
	// The trailer line of a Splunk export.
	"export.json:3": "export row without a result",
}

// TestThirdPartyGolden normalises every fixture under
// testdata/thirdparty/<shape>/ and compares the canonical events with the
// golden file beside it (go test -update rewrites them).
func TestThirdPartyGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(thirdPartyTestdata, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no fixtures")
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.json") {
			continue
		}
		name := strings.TrimPrefix(in, thirdPartyTestdata+string(filepath.Separator))
		t.Run(name, func(t *testing.T) {
			got := normalizeThirdParty(t, in)
			for _, e := range got {
				want, expected := thirdPartyErrors[e.Origin]
				switch {
				case e.Error != "" && !expected:
					t.Errorf("%s: %s", e.Origin, e.Error)
				case expected && !strings.Contains(e.Error, want):
					t.Errorf("%s: error %q, want one containing %q", e.Origin, e.Error, want)
				}
			}
			checkGolden(t, got, goldenPath(in))
		})
	}
}

// TestThirdPartyCrossFormat feeds the sign-in of testdata/entra/crossformat
// (a 50126 failure of alice@contoso.com) as the third-party exports write
// it and asserts the canonical event equals the Graph one, modulo what
// each export does not carry.
func TestThirdPartyCrossFormat(t *testing.T) {
	// The portal download lacks these signIn members, and leaves the cells
	// of empty strings empty.
	portalLacks := []string{
		"originalRequestId", "riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn", "riskState",
		"riskEventTypes_v2", "resourceServicePrincipalId", "authenticationMethodsUsed", "signInIdentifierType",
		"servicePrincipalId", "servicePrincipalName", "tokenIssuerName", "location.geoCoordinates",
		"deviceDetail.deviceId", "deviceDetail.displayName", "deviceDetail.trustType",
		"appliedConditionalAccessPolicies", "authenticationProcessingDetails", "networkLocationDetails",
		"authenticationDetails", "authenticationRequirementPolicies",
	}
	tests := []struct {
		file       string
		format     string
		notCarried []string
		extra      []string // members the export carries that the Graph fixture lacks
		precision  time.Duration
		id         bool // the export has the sign-in id
	}{
		// PowerShell 7, Get-MgBetaAuditLogSignIn | ConvertTo-Json: everything.
		{file: "powershell-mg-ps7.json", format: formatPowerShell, id: true},
		// Extractor-Suite before v3: CreatedDateTime and the step time as
		// culture text (seconds), one authentication step rebuilt.
		{file: "powershell-extractor.json", format: formatPowerShell, precision: time.Second, id: true},
		{file: "InteractiveSignIns_2026-11-20_2026-11-21.csv", format: formatEntraPortal, precision: time.Second,
			notCarried: portalLacks, extra: []string{"incomingTokenType"}, id: true},
		// The Azure Monitor record inside a Splunk export row.
		{file: "splunk-export.json", format: formatSplunk, id: true},
		// Log Analytics query API results: SigninLogs still exports the
		// deprecated RiskEventTypes.
		{file: "log-analytics-api.json", format: formatLogAnalytics, extra: []string{"riskEventTypes"}, id: true},
	}
	ref := normalizeOne(t, New(), filepath.Join(entraTestdata, "crossformat", "graph.json"))
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := thirdPartyOne(t, filepath.Join(thirdPartyTestdata, "crossformat", tt.file))
			if got.Kind != ref.Kind || got.Format != tt.format || got.Subtype != ref.Subtype {
				t.Errorf("kind, format, subtype = %v, %q, %q; want %v, %q, %q",
					got.Kind, got.Format, got.Subtype, ref.Kind, tt.format, ref.Subtype)
			}
			if tt.id && got.ID != ref.ID {
				t.Errorf("id %q, want %q", got.ID, ref.ID)
			}
			if want := ref.Time.Truncate(max(tt.precision, 1)); !got.Time.Equal(want) {
				t.Errorf("time %v, want %v", got.Time, want)
			}
			want, have := docMap(t, ref), docMap(t, got)
			for _, p := range tt.notCarried {
				deletePath(want, p)
			}
			for _, p := range tt.extra {
				deletePath(have, p)
			}
			if tt.precision > 0 {
				truncateTimes(t, want, tt.precision)
				truncateTimes(t, have, tt.precision)
			}
			if !reflect.DeepEqual(want, have) {
				w, _ := json.MarshalIndent(want, "", "  ")
				h, _ := json.MarshalIndent(have, "", "  ")
				t.Errorf("canonical events differ\n got: %s\nwant: %s", h, w)
			}
		})
	}
}

// TestAzureSDKActivity checks that an activity event saved by the Azure SDK
// for Python (snake_case keys) reads as the same event in the REST API's
// camelCase.
func TestAzureSDKActivity(t *testing.T) {
	dir := filepath.Join(thirdPartyTestdata, "crossformat")
	rest := thirdPartyOne(t, filepath.Join(dir, "azure-activity-rest.json"))
	sdk := thirdPartyOne(t, filepath.Join(dir, "azure-activity-sdk.json"))
	if rest.Format != "azure-rest" || sdk.Format != formatAzureSDK {
		t.Errorf("formats %q, %q", rest.Format, sdk.Format)
	}
	if sdk.Kind != event.KindAzureActivity || sdk.ID != rest.ID || !sdk.Time.Equal(rest.Time) {
		t.Errorf("kind, id, time = %v, %q, %v; want %v, %q, %v", sdk.Kind, sdk.ID, sdk.Time, rest.Kind, rest.ID, rest.Time)
	}
	if want, have := docMap(t, rest), docMap(t, sdk); !reflect.DeepEqual(want, have) {
		t.Errorf("canonical events differ\n got: %s\nwant: %s", sdk.Event, rest.Event)
	}
}

// TestPortalSynthesized checks that the values the portal shape rewrites
// are not required verbatim by the raw-bytes prefilter, and that the ones
// it copies still are.
func TestPortalSynthesized(t *testing.T) {
	for p, want := range map[string]bool{
		"authenticationRequirement": false, "conditionalAccessStatus": false, "authenticationProtocol": false,
		"isInteractive": false, "userPrincipalName": true, "location.countryOrRegion": true,
		"status.additionalDetails": true,
	} {
		if got := Verbatim(event.KindEntraSignIn, p); got != want {
			t.Errorf("Verbatim(%s) = %v, want %v", p, got, want)
		}
	}
}

func TestSnakeToCamel(t *testing.T) {
	for in, want := range map[string]string{
		"client_ip_address": "clientIpAddress", "localized_value": "localizedValue", "caller": "caller",
		"_private": "_private", "a__b": "aB", "trailing_": "trailing", "x_1": "x1",
	} {
		if got := snakeToCamel([]byte(in)); got != want {
			t.Errorf("snakeToCamel(%q) = %q, want %q", in, got, want)
		}
	}
}

// thirdPartyOne returns an owned copy of the single event a fixture holds.
func thirdPartyOne(t *testing.T, path string) *event.Stored {
	t.Helper()
	recs := ingestRecords(t, path)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", path, len(recs))
	}
	ev, err := New().Normalize(recs[0])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ev.Clone()
}

// truncateTimes rewrites createdDateTime and the authentication step times
// of a sign-in document at the given precision.
func truncateTimes(t *testing.T, doc map[string]any, d time.Duration) {
	t.Helper()
	trunc := func(m map[string]any, k string) {
		s, ok := m[k].(string)
		if !ok {
			return
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		m[k] = tm.Truncate(d).Format(time.RFC3339Nano)
	}
	trunc(doc, "createdDateTime")
	steps, _ := doc["authenticationDetails"].([]any)
	for _, s := range steps {
		if m, ok := s.(map[string]any); ok {
			trunc(m, "authenticationStepDateTime")
		}
	}
}

func TestPSMember(t *testing.T) {
	for in, want := range map[string]string{
		"CreatedDateTime":               "createdDateTime",
		"IPAddress":                     "ipAddress",
		"IpAddress":                     "ipAddress",
		"IPAddressFromResourceProvider": "ipAddressFromResourceProvider",
		"ID":                            "id",
		"Id":                            "id",
		"RiskEventTypesV2":              "riskEventTypes_v2",
		"ODataType":                     "@odata.type",
		"appOwnerTenantId":              "appOwnerTenantId",
		"@odata.type":                   "@odata.type",
		"MfaDetail":                     "mfaDetail",
		"X":                             "x",
		"":                              "",
	} {
		if got := psMember([]byte(in)); got != want {
			t.Errorf("psMember(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPSTime(t *testing.T) {
	want := time.Date(2024, 1, 15, 9, 30, 20, 0, time.UTC)
	for _, in := range []string{
		`/Date(1705311020000)/`,
		`/Date(1705311020000+0100)/`,
		`2024-01-15T09:30:20Z`,
		`1/15/2024 9:30:20 AM`,
		`15/01/2024 09:30:20`,
		`15.01.2024 09:30:20`,
		`15-1-2024 09:30:20`,
		`2024/01/15 9:30:20`,
	} {
		got, ok := psTime([]byte(in))
		if !ok || !got.Equal(want) {
			t.Errorf("psTime(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if got, ok := psTime([]byte(`/Date(-86400000)/`)); !ok || !got.Equal(time.Unix(-86400, 0)) {
		t.Errorf("psTime(negative) = %v, %v", got, ok)
	}
	for _, in := range []string{``, `/Date()/`, `/Date(x)/`, `Monday`, `/Date(1705311020000`} {
		if got, ok := psTime([]byte(in)); ok {
			t.Errorf("psTime(%q) = %v, want no time", in, got)
		}
	}
}

func TestEnumFold(t *testing.T) {
	tests := []struct {
		in   string
		enum []string
		want string
	}{
		{"Not Applied", enumCAStatus, "notApplied"},
		{"Single-factor authentication", enumAuthRequirement, "singleFactorAuthentication"},
		{"Multifactor authentication", enumAuthRequirement, "multiFactorAuthentication"},
		{"B2B collaboration", enumCrossTenant, "b2bCollaboration"},
		{"Device Code", enumProtocol, "deviceCode"},
		{"azuread", enumTokenIssuer, "AzureAD"},
		{"OAuth 2.0", enumProtocol, ""},
		{"", enumCAStatus, ""},
	}
	for _, tt := range tests {
		got, ok := enumFold([]byte(tt.in), tt.enum)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("enumFold(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestIsTypeName(t *testing.T) {
	for in, want := range map[string]bool{
		"System.Object[]": true,
		"System.Collections.Generic.List`1[System.String]":             true,
		"Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus": true,
		"Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphSignIn":  true,
		"Microsoft.Open.MSGraph.Model.SignInStatus":                    true,
		"Microsoft Graph":      false,
		"System administrator": false,
		"Microsoft.Graph":      false,
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) System.Object[] test": false,
	} {
		if got := isTypeName([]byte(in)); got != want {
			t.Errorf("isTypeName(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestPSClassText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"class SignInStatus {\n  ErrorCode: 50126\n  FailureReason: Invalid username or password.\n  AdditionalDetails: \n}\n",
			`{"errorCode":"50126","failureReason":"Invalid username or password."}`},
		{"class SignInLocation {\r\n  City: Redmond\r\n  GeoCoordinates: class GeoCoordinates {\r\n    Altitude: \r\n    Latitude: 47.6\r\n  }\r\n  \r\n  State: Washington\r\n}\r\n",
			`{"city":"Redmond","geoCoordinates":{"latitude":47.6},"state":"Washington"}`},
		{"class Empty {\n}\n", `{}`},
		{"class Broken {\n  ErrorCode: 1\n", ``},
		{"class NoColon {\n  nothing here\n}\n", ``},
		{"class Trailing {\n}\nmore\n", ``},
		{"class name only", ``},
	}
	n := New()
	for _, tt := range tests {
		got := n.psClassText([]byte(tt.in), 0)
		if tt.want == "" {
			if got != nil {
				t.Errorf("psClassText(%q) = %s, want nil", tt.in, got)
			}
			continue
		}
		if got == nil || got.String() != tt.want {
			t.Errorf("psClassText(%q) = %v, want %s", tt.in, got, tt.want)
		}
	}
}

func TestPortalLocation(t *testing.T) {
	n := New()
	for in, want := range map[string]string{
		"Amsterdam, Noord-Holland, NL": `{"location":{"countryOrRegion":"NL","city":"Amsterdam","state":"Noord-Holland"}}`,
		"Redmond, NL":                  `{"location":{"countryOrRegion":"NL","city":"Redmond"}}`,
		"US":                           `{"location":{"countryOrRegion":"US"}}`,
		"A, B, C, DE":                  `{"location":{"countryOrRegion":"DE","city":"A","state":"B, C"}}`,
		",,":                           `{}`,
	} {
		doc := n.Arena.NewObject()
		n.portalLocation(doc, []byte(in))
		if got := doc.String(); got != want {
			t.Errorf("portalLocation(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestIndexed(t *testing.T) {
	tests := []struct {
		key, prefix string
		i           int
		rest        string
		ok          bool
	}{
		{"Target1Type", "Target", 0, "Type", true},
		{"Target12ModifiedProperty3Name", "Target", 11, "ModifiedProperty3Name", true},
		{"ModifiedProperty3Name", "ModifiedProperty", 2, "Name", true},
		{"Target0Type", "Target", 0, "", false},
		{"TargetType", "Target", 0, "", false},
		{"Target1", "Target", 0, "", false},
		{"Target99999Type", "Target", 0, "", false},
		{"AdditionalDetail2Value", "AdditionalDetail", 1, "Value", true},
	}
	for _, tt := range tests {
		i, rest, ok := indexed(tt.key, tt.prefix)
		if ok != tt.ok || (ok && (i != tt.i || rest != tt.rest)) {
			t.Errorf("indexed(%q, %q) = %d, %q, %v; want %d, %q, %v", tt.key, tt.prefix, i, rest, ok, tt.i, tt.rest, tt.ok)
		}
	}
}

// TestPortalStream checks that the download's file names set the stream.
func TestPortalStream(t *testing.T) {
	for in, want := range map[string]string{
		`C:\cases\x\InteractiveSignIns_2024-10-13_2024-10-14.csv`: eventInteractive,
		"/x/NonInteractiveSignIns_2024-10-13_2024-10-14.csv":      eventNonInteractive,
		"ApplicationSignIns_2024-10-13_2024-10-14.csv":            eventSP,
		"msisignins_2024.csv":                                     eventMI,
		"signins.csv":                                             "",
	} {
		if got := portalStream(in); got != want {
			t.Errorf("portalStream(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestThirdPartyNotClaimed checks that the third-party shapes leave alone
// records they must not take.
func TestThirdPartyNotClaimed(t *testing.T) {
	for _, rec := range []string{
		// Get-MgUser output: CreatedDateTime, UserPrincipalName, no sign-in member.
		`{"CreatedDateTime":"1/15/2024 9:30:20 AM","UserPrincipalName":"alice@contoso.com","Id":"x","DisplayName":"Alice"}`,
		// Splunk _raw without any Splunk field.
		`{"_raw":"{\"a\":1}"}`,
		// A portal-like row without Request ID.
		`{"Date (UTC)":"2024-01-15T09:30:20Z","IP address":"203.0.113.7"}`,
	} {
		n := New()
		ev, err := n.Normalize(ingest.Record{Data: []byte(rec)})
		if err == nil {
			t.Errorf("%s: claimed as %s %v", rec, ev.Format, ev.Kind)
		}
	}
}

// TestSplunkRowErrors checks the errors of Splunk rows that hold no record.
func TestSplunkRowErrors(t *testing.T) {
	for rec, want := range map[string]string{
		`{"preview":false,"lastrow":true}`:                                       "export row without a result",
		`{"preview":false,"offset":0,"result":{"count":"3"}}`:                    "result without a _raw field",
		`{"preview":false,"offset":0,"result":{"_raw":"Jan 1 sshd[1]: Failed"}}`: "_raw is not a JSON object",
		`{"_raw":"{\"_raw\":\"{}\",\"_time\":\"x\"}","_time":"x"}`:               "holds another Splunk row",
		`{"_raw":"{\"nothing\":1}","sourcetype":"x"}`:                            "matches no known log shape",
	} {
		_, err := New().Normalize(ingest.Record{Data: []byte(rec)})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", rec, err, want)
		}
	}
}

// FuzzThirdParty feeds mutations of the third-party fixtures to the
// normaliser.
func FuzzThirdParty(f *testing.F) {
	inputs, err := filepath.Glob(filepath.Join(thirdPartyTestdata, "*", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.json") {
			continue
		}
		for _, rec := range ingestRecords(f, in) {
			f.Add(rec.Data, uint8(rec.Container))
		}
	}
	f.Add([]byte(`{"Status":"class SignInStatus {\n  ErrorCode: 1\n  Inner: class X {\n}\n","CreatedDateTime":"/Date(1)/"}`), uint8(0))
	n := New()
	f.Fuzz(func(t *testing.T, data []byte, container uint8) {
		fuzzNormalize(t, n, data, container)
	})
}
