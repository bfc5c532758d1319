package normalize

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Tests of the non-Entra shapes: M365 unified audit, Key Vault, Azure
// Activity, CloudTrail, Kubernetes audit and application inventory.
//
// Golden files: testdata/other/<kind>/<case>.{json,csv} beside
// <case>.golden.json (the canonical events, as event.Stored). Regenerate
// with: go test ./internal/normalize -run TestOtherGolden -update
// The fixtures' sources are listed in testdata/other/README.md.

func init() {
	// Another test file of the package may define -update too: register it
	// once, read it through the flag package.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func goldenUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// otherShared is the public sample folder beside the checkout.
const otherShared = "../../../shared/data/public"

// otherRecords splits a test file into records the way the ingest readers
// do (without depending on them): CSV rows become JSON objects of strings;
// JSON files give the elements of arrays, of Graph pages ("value"), Azure
// Monitor envelopes ("records"), CloudTrail files ("Records") and
// Kubernetes EventLists ("items"), else each top-level value (a single
// object, NDJSON, concatenated objects).
func otherRecords(t testing.TB, path string) []ingest.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	name := filepath.Base(path)
	if strings.HasSuffix(path, ".csv") {
		return otherCSVRecords(t, name, data)
	}
	var recs []ingest.Record
	add := func(raw []byte, c ingest.Container) {
		recs = append(recs, ingest.Record{Data: raw, Container: c,
			Origin: event.Origin{File: name, Index: len(recs)}})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if raw[0] == '[' {
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, it := range items {
				add(it, ingest.ContainerNone)
			}
			continue
		}
		var env map[string]json.RawMessage
		_ = json.Unmarshal(raw, &env)
		var kind string
		_ = json.Unmarshal(env["kind"], &kind)
		key, c := "", ingest.ContainerNone
		switch {
		case isJSONArray(env["records"]):
			key, c = "records", ingest.ContainerAzureRecords
		case isJSONArray(env["Records"]):
			key, c = "Records", ingest.ContainerCloudTrail
		case isJSONArray(env["value"]):
			key, c = "value", ingest.ContainerGraphPage
		case kind == "EventList" && isJSONArray(env["items"]):
			key, c = "items", ingest.ContainerK8sEventList
		}
		if key == "" {
			add(raw, c)
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(env[key], &items); err != nil {
			t.Fatalf("%s: %s: %v", path, key, err)
		}
		for _, it := range items {
			add(it, c)
		}
	}
	return recs
}

func isJSONArray(b json.RawMessage) bool { return len(b) > 0 && b[0] == '[' }

// otherCSVRecords turns CSV rows into JSON objects of strings, keys in
// header order.
func otherCSVRecords(t testing.TB, name string, data []byte) []ingest.Record {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var recs []ingest.Record
	for i, row := range rows[1:] {
		var b bytes.Buffer
		b.WriteByte('{')
		for j, h := range rows[0] {
			if j > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(h)
			v, _ := json.Marshal(row[j])
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		recs = append(recs, ingest.Record{Data: b.Bytes(), Container: ingest.ContainerCSV,
			Origin: event.Origin{File: name, Line: i + 2, Index: i}})
	}
	return recs
}

// TestOtherGolden normalises every fixture under testdata/other/<kind>/ and
// compares the canonical events with the golden file beside it; every
// record must normalise to the kind its folder names.
func TestOtherGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/other/*/*")
	if err != nil {
		t.Fatal(err)
	}
	n := New()
	cases := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden.json") || !(strings.HasSuffix(in, ".json") || strings.HasSuffix(in, ".csv")) {
			continue
		}
		cases++
		want, ok := event.ParseKind(filepath.Base(filepath.Dir(in)))
		if !ok {
			t.Fatalf("%s: folder is not a log kind", in)
		}
		t.Run(strings.TrimPrefix(in, "testdata/other/"), func(t *testing.T) {
			var got []*event.Stored
			for _, rec := range otherRecords(t, in) {
				ev, err := n.Normalize(rec)
				if err != nil {
					t.Fatalf("%s: %v", rec.Origin, err)
				}
				if ev.Kind != want {
					t.Errorf("%s: kind %s (format %s), want %s", rec.Origin, ev.Kind, ev.Format, want)
				}
				got = append(got, ev.Clone())
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			golden := strings.TrimSuffix(strings.TrimSuffix(in, ".json"), ".csv") + ".golden.json"
			if goldenUpdate() {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(out, exp) {
				t.Errorf("canonical events differ from %s (run with -update after checking):\n%s", golden, out)
			}
		})
	}
	if cases == 0 {
		t.Fatal("no fixtures under testdata/other")
	}
}

// entraSamples are the public files of Entra sign-ins and directory audits
// (and UAL records the Entra shapes turn into those): another test covers
// them.
var entraSamples = []string{
	"elastic-integrations/azure-signinlogs/", "elastic-integrations/azure-auditlogs/",
	"elastic-integrations/o365-audit/", "microsoft-docs/entra-docs/", "microsoft-docs/graph-docs/",
	"panther-analysis/Azure_Audit.", "panther-analysis/Microsoft365_Audit_AzureActiveDirectory.",
}

// publicKind says which kind each record of a non-Entra public sample file
// must normalise to.
func publicKind(rel string, rec []byte) event.Kind {
	switch {
	case strings.HasPrefix(rel, "falco/"), strings.HasPrefix(rel, "elastic-integrations/kubernetes-audit/"),
		strings.HasPrefix(rel, "panther-analysis/Amazon_EKS_Audit."):
		return event.KindK8sAudit
	case strings.HasPrefix(rel, "stratus-red-team/"), strings.HasPrefix(rel, "panther-analysis/AWS_CloudTrail."):
		return event.KindCloudTrail
	case strings.HasPrefix(rel, "microsoft-docs/azure-docs/keyvault"):
		return event.KindKeyVault
	case strings.HasPrefix(rel, "panther-analysis/Microsoft365_Audit_"):
		return event.KindM365Audit
	case strings.HasPrefix(rel, "panther-analysis/Azure_MonitorActivity."):
		// AKS kube-audit diagnostic records sit in the same Panther log type.
		if bytes.Contains(rec, []byte(`"category": "kube-audit`)) {
			return event.KindK8sAudit
		}
		return event.KindAzureActivity
	}
	return event.KindUnknown
}

// TestPublicSamplesOther checks that every record of every non-Entra public
// sample file, read by the ingest readers, normalises without error to the
// expected kind.
func TestPublicSamplesOther(t *testing.T) {
	if _, err := os.Stat(otherShared); err != nil {
		t.Skipf("public samples not found at %s (shared/ must sit beside the checkout): %v", otherShared, err)
	}
	n := New()
	perKind := map[event.Kind]int{}
	err := filepath.WalkDir(otherShared, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, otherShared+"/"))
		if !strings.HasSuffix(rel, ".json") && !strings.HasSuffix(rel, ".ndjson") && !strings.HasSuffix(rel, ".log") {
			return nil
		}
		for _, p := range entraSamples {
			if strings.HasPrefix(rel, p) {
				return nil
			}
		}
		f, err := ingest.Open(path, ingest.Options{})
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		defer f.Close()
		records := 0
		for {
			rec, err := f.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				var re *ingest.RecordError
				if errors.As(err, &re) {
					continue
				}
				break
			}
			records++
			want := publicKind(rel, rec.Data)
			if want == event.KindUnknown {
				t.Errorf("%s: no expectation for this file", rel)
				return nil
			}
			ev, err := n.Normalize(rec)
			if err != nil {
				t.Errorf("%s: %v", rec.Origin, err)
				continue
			}
			if ev.Kind != want {
				t.Errorf("%s: kind %s (format %s), want %s", rec.Origin, ev.Kind, ev.Format, want)
			}
			perKind[ev.Kind]++
		}
		if records == 0 {
			t.Errorf("%s: no records", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []event.Kind{event.KindK8sAudit, event.KindCloudTrail, event.KindKeyVault,
		event.KindM365Audit, event.KindAzureActivity} {
		if perKind[k] == 0 {
			t.Errorf("no public record normalised to %s", k)
		}
	}
	t.Logf("records per kind: %v", perKind)
}

func TestServiceAccount(t *testing.T) {
	tests := []struct {
		user     string
		ns, name string
		ok       bool
	}{
		{"system:serviceaccount:kube-system:elastic-agent", "kube-system", "elastic-agent", true},
		{"system:serviceaccount:default:default", "default", "default", true},
		{"system:serviceaccounts:default:default", "", "", false}, // the group prefix, not a user
		{"system:serviceaccount:default", "", "", false},
		{"system:serviceaccount::x", "", "", false},
		{"system:serviceaccount:a:b:c", "", "", false},
		{"admin@example.com", "", "", false},
	}
	for _, tt := range tests {
		ns, name, ok := serviceAccount(tt.user)
		if ns != tt.ns || name != tt.name || ok != tt.ok {
			t.Errorf("serviceAccount(%q) = %q, %q, %v; want %q, %q, %v", tt.user, ns, name, ok, tt.ns, tt.name, tt.ok)
		}
	}
}

func TestGKEObjectRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"core/v1/namespaces/default/pods/nginx", `{"apiGroup":"","apiVersion":"v1","namespace":"default","resource":"pods","name":"nginx"}`},
		{"core/v1/namespaces/default/pods/nginx/exec", `{"apiGroup":"","apiVersion":"v1","namespace":"default","resource":"pods","name":"nginx","subresource":"exec"}`},
		{"rbac.authorization.k8s.io/v1/clusterrolebindings/admin", `{"apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1","resource":"clusterrolebindings","name":"admin"}`},
		{"core/v1/namespaces/foo", `{"apiGroup":"","apiVersion":"v1","resource":"namespaces","name":"foo"}`},
		{"apps/v1/namespaces/default/deployments", `{"apiGroup":"apps","apiVersion":"v1","namespace":"default","resource":"deployments"}`},
		{"readyz", ""},
		{"", ""},
	}
	n := New()
	for _, tt := range tests {
		got := ""
		if v := n.gkeObjectRef(tt.in); v != nil {
			got = string(v.MarshalTo(nil))
		}
		if got != tt.want {
			t.Errorf("gkeObjectRef(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestIsJSONNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "200": true, "-1": true, "1.5": true, "1e9": true, "-0.5E-3": true,
		"": false, "-": false, "00012": false, "1.": false, ".5": false, "+1": false, "1e": false,
		"0x10": false, "Inf": false, "1_000": false, " 1": false, "12a": false,
	} {
		if got := isJSONNumber(s); got != want {
			t.Errorf("isJSONNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSplitTypeSuffix(t *testing.T) {
	tests := []struct {
		in   string
		base string
		typ  byte
	}{
		{"identity_claim_upn_s", "identity_claim_upn", 's'},
		{"httpStatusCode_d", "httpStatusCode", 'd'},
		{"isAccessPolicyMatch_b", "isAccessPolicyMatch", 'b'},
		{"identity_claim_appid_g", "identity_claim_appid", 'g'},
		{"OperationName", "OperationName", 0},
		{"_s", "_s", 0},
		{"x_y", "x_y", 0},
	}
	for _, tt := range tests {
		base, typ := splitTypeSuffix(tt.in)
		if base != tt.base || typ != tt.typ {
			t.Errorf("splitTypeSuffix(%q) = %q, %q; want %q, %q", tt.in, base, typ, tt.base, tt.typ)
		}
	}
}

// TestUALEnums checks RecordType / UserType given as numbers, digit
// strings and member names.
func TestUALEnums(t *testing.T) {
	tests := []struct {
		rt, ut           string
		wantRT, wantName string
		wantUT, wantUTN  string
	}{
		{`1`, `2`, `1`, `"ExchangeAdmin"`, `2`, `"Admin"`},
		{`"50"`, `"0"`, `50`, `"ExchangeItemAggregated"`, `0`, `"Regular"`},
		{`"SharePointFileOperation"`, `"Regular"`, `6`, `"SharePointFileOperation"`, `0`, `"Regular"`},
		{`999`, `6`, `999`, ``, `6`, `"ServicePrincipal"`},
		{`"NewWorkload"`, `"x"`, `"NewWorkload"`, `"NewWorkload"`, `"x"`, `"x"`},
	}
	n := New()
	for _, tt := range tests {
		rec := `{"Id":"a","CreationTime":"2024-01-15T09:30:20","Operation":"Op","Workload":"W","RecordType":` + tt.rt + `,"UserType":` + tt.ut + `}`
		ev, err := n.Normalize(ingest.Record{Data: []byte(rec)})
		if err != nil {
			t.Fatalf("%s: %v", rec, err)
		}
		check := func(path, want string) {
			got := ""
			if v := ev.Doc.Get(path); v != nil {
				got = string(v.MarshalTo(nil))
			}
			if got != want {
				t.Errorf("%s: %s = %s, want %s", rec, path, got, want)
			}
		}
		check("RecordType", tt.wantRT)
		check("RecordTypeName", tt.wantName)
		check("UserType", tt.wantUT)
		check("UserTypeName", tt.wantUTN)
		if ev.Kind != event.KindM365Audit || ev.Subtype != "W" || ev.ID != "a" || ev.Time.IsZero() {
			t.Errorf("%s: kind %s subtype %q id %q time %v", rec, ev.Kind, ev.Subtype, ev.ID, ev.Time)
		}
	}
}

// TestCloudTrailPolicies checks the parsed policy documents.
func TestCloudTrailPolicies(t *testing.T) {
	pol := strconv.Quote(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	tests := []struct {
		name, params string
		path         []string
		want         string
	}{
		{"sts policy", `{"name":"x","policy":` + pol + `}`,
			[]string{"requestParameters", "policyDocument", "Statement", "0", "Action"}, `"*"`},
		{"sts policy kept", `{"name":"x","policy":` + pol + `}`,
			[]string{"requestParameters", "policy"}, pol},
		{"iam policyDocument", `{"policyDocument":` + pol + `}`,
			[]string{"requestParameters", "policyDocumentText"}, pol},
		{"trust policy", `{"assumeRolePolicyDocument":` + pol + `}`,
			[]string{"requestParameters", "assumeRolePolicyDocument", "Statement", "0", "Effect"}, `"Allow"`},
		{"not json", `{"policy":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`,
			[]string{"requestParameters", "policyDocument"}, ``},
		{"params as text", strconv.Quote(`{"roleName":"r"}`),
			[]string{"requestParameters", "roleName"}, `"r"`},
	}
	n := New()
	for _, tt := range tests {
		rec := `{"eventVersion":"1.08","eventTime":"2024-01-15T09:30:20Z","eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","eventID":"e1","requestParameters":` + tt.params + `}`
		ev, err := n.Normalize(ingest.Record{Data: []byte(rec)})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := ""
		if v := ev.Doc.Get(tt.path...); v != nil {
			got = string(v.MarshalTo(nil))
		}
		if got != tt.want {
			t.Errorf("%s: %s = %s, want %s", tt.name, strings.Join(tt.path, "."), got, tt.want)
		}
	}
}

// TestResourceParts checks the fields inferred from an Azure resourceId.
func TestResourceParts(t *testing.T) {
	n := New()
	rec := `{"time":"2024-01-15T09:30:20Z","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE","category":"Administrative",` +
		`"resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1"}`
	ev, err := n.Normalize(ingest.Record{Data: []byte(rec)})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"subscriptionId": "S1", "resourceGroupName": "RG1",
		"resourceProviderName": "MICROSOFT.COMPUTE"} {
		if got := strOf(ev.Doc.Get(key)); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if ev.Kind != event.KindAzureActivity || ev.Subtype != "Administrative" {
		t.Errorf("kind %s subtype %q", ev.Kind, ev.Subtype)
	}
}

// TestOtherRejects checks records that look like a kind but are not.
func TestOtherRejects(t *testing.T) {
	for _, rec := range []string{
		// A core/v1 Event is not an audit event.
		`{"kind":"Event","apiVersion":"v1","involvedObject":{"kind":"Pod"},"reason":"Pulled","message":"x"}`,
		// A sign-in has appId but none of the application properties.
		`{"id":"1","appId":"2","createdDateTime":"2024-01-15T09:30:20Z","userPrincipalName":"a@b"}`,
	} {
		ev, err := New().Normalize(ingest.Record{Data: []byte(rec)})
		if err == nil && (ev.Kind == event.KindK8sAudit || ev.Kind == event.KindAppInventory) {
			t.Errorf("%s: normalised to %s", rec, ev.Kind)
		}
	}
	// AKS record whose log is not an event.
	_, err := New().Normalize(ingest.Record{Data: []byte(`{"category":"kube-audit","properties":{"log":"not json"}}`)})
	if err == nil {
		t.Error("AKS record with a non-JSON log: no error")
	}
}

// fuzzOther runs the normaliser on arbitrary bytes in every container,
// seeded from the fixtures of the given kinds: it must never panic, and a
// record it accepts must have a document that serialises.
func fuzzOther(f *testing.F, kinds ...string) {
	for _, k := range kinds {
		files, _ := filepath.Glob(filepath.Join("testdata/other", k, "*"))
		for _, in := range files {
			if strings.HasSuffix(in, ".golden.json") {
				continue
			}
			for _, rec := range otherRecords(f, in) {
				f.Add(rec.Data, uint8(rec.Container))
			}
		}
	}
	n := New()
	f.Fuzz(func(t *testing.T, data []byte, c uint8) {
		rec := ingest.Record{Data: data, Container: ingest.Container(c % 6)}
		ev, err := n.Normalize(rec)
		if err != nil {
			return
		}
		if ev.Doc == nil {
			t.Fatalf("accepted record without a document: %q", data)
		}
		// The stored copy is valid JSON whenever the input is (fastjson
		// accepts some invalid JSON, "00" say, and keeps it).
		if st := ev.Clone(); json.Valid(data) && !json.Valid(st.Event) {
			t.Fatalf("canonical JSON is not valid: %s", st.Event)
		}
	})
}

func FuzzUAL(f *testing.F)        { fuzzOther(f, "m365_audit") }
func FuzzCloudTrail(f *testing.F) { fuzzOther(f, "aws_cloudtrail") }
func FuzzK8s(f *testing.F)        { fuzzOther(f, "k8s_audit") }
func FuzzAzure(f *testing.F)      { fuzzOther(f, "azure_activity", "azure_keyvault", "app_inventory") }

// otherFixtureEvent normalises record i of a fixture and returns an owned
// copy of the event with its document parsed.
func otherFixtureEvent(t *testing.T, file string, i int) (*event.Stored, *fastjson.Value) {
	t.Helper()
	recs := otherRecords(t, filepath.Join("testdata/other", file))
	if i >= len(recs) {
		t.Fatalf("%s has %d records", file, len(recs))
	}
	ev, err := New().Normalize(recs[i])
	if err != nil {
		t.Fatalf("%s#%d: %v", file, i, err)
	}
	st := ev.Clone()
	doc, err := fastjson.ParseBytes(st.Event)
	if err != nil {
		t.Fatal(err)
	}
	return st, doc
}

// TestOtherCrossFormat feeds the same activity in the formats each kind
// arrives in and checks that the canonical events agree on the fields both
// formats carry.
func TestOtherCrossFormat(t *testing.T) {
	type rec struct {
		file string
		i    int
	}
	tests := []struct {
		name  string
		recs  []rec
		paths []string
	}{
		{"key vault SecretGet", []rec{{"azure_keyvault/auditevent-records.json", 0},
			{"azure_keyvault/azurediagnostics-la.json", 0}, {"azure_keyvault/azkvauditlogs.json", 0}},
			[]string{"time", "category", "operationName", "operationVersion", "resultType", "resultSignature",
				"durationMs", "callerIpAddress", "correlationId", "identity.claim.upn", "identity.claim.appid",
				"identity.claim.oid", "properties.id", "properties.clientInfo", "properties.httpStatusCode",
				"properties.requestUri", "properties.isAccessPolicyMatch"}},
		{"key vault access policy", []rec{{"azure_keyvault/auditevent-records.json", 2},
			{"azure_keyvault/azurediagnostics-portal.csv", 0}},
			[]string{"time", "resourceId", "operationName", "durationMs", "identity.claim.appid",
				"identity.claim." + claimObjectID, "identity.claim." + claimUPN, "properties.httpStatusCode",
				"properties.addedAccessPolicy.ObjectId", "properties.addedAccessPolicy.Permissions.secrets"}},
		{"New-InboxRule", []rec{{"m365_audit/mgmt-api-content-blob.json", 1}, {"m365_audit/officeactivity-la.json", 0}},
			[]string{"Id", "CreationTime", "Operation", "RecordType", "RecordTypeName", "UserType", "UserTypeName",
				"Workload", "UserId", "UserKey", "ClientIP", "ObjectId", "ExternalAccess", "OrganizationId",
				"Parameters.ForwardTo", "Parameters.SubjectOrBodyContainsWords", "Parameters.MarkAsRead"}},
		{"MailItemsAccessed", []rec{{"m365_audit/mgmt-api-content-blob.json", 0}, {"m365_audit/officeactivity-portal.csv", 0}},
			[]string{"Id", "CreationTime", "Operation", "RecordType", "RecordTypeName", "UserTypeName", "ClientIPAddress",
				"ClientInfoString", "LogonType", "MailboxOwnerUPN", "OperationProperties.MailAccessType",
				"OperationProperties.IsThrottled", "Folders.Path", "Folders.FolderItems.InternetMessageId"}},
		{"AKS secret read", []rec{{"k8s_audit/aks-string-log.json", 0}, {"k8s_audit/aksaudit-la.json", 0}},
			[]string{"auditID", "stage", "verb", "requestURI", "user.username", "user.groups", "user.serviceAccount.name",
				"sourceIPs", "userAgent", "objectRef.resource", "objectRef.name", "responseStatus.code",
				"requestReceivedTimestamp", "stageTimestamp", "annotations.authorization.k8s.io/decision"}},
		{"role assignment", []rec{{"azure_activity/eventhub-records.json", 0}, {"azure_activity/azureactivity-la.json", 0}},
			[]string{"time", "resourceId", "operationName", "category", "resultType", "callerIpAddress", "correlationId",
				"caller", "subscriptionId", "resourceProviderName", "identity.authorization.evidence.roleDefinitionId",
				"identity.claims." + claimUPN, "properties.requestbody.Properties.RoleDefinitionId",
				"properties.requestbody.Properties.PrincipalType", "properties.requestbodyText", "properties.hierarchy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, firstDoc := otherFixtureEvent(t, tt.recs[0].file, tt.recs[0].i)
			for _, r := range tt.recs[1:] {
				st, doc := otherFixtureEvent(t, r.file, r.i)
				if st.Kind != first.Kind || !st.Time.Equal(first.Time) {
					t.Errorf("%s: kind %s time %v, want %s %v", r.file, st.Kind, st.Time, first.Kind, first.Time)
				}
				for _, p := range tt.paths {
					want := event.Text(event.Lookup(firstDoc, event.ParsePath(p)))
					got := event.Text(event.Lookup(doc, event.ParsePath(p)))
					if want == "" {
						t.Errorf("%s: %s is empty in %s", p, p, tt.recs[0].file)
					}
					if got != want {
						t.Errorf("%s: %s = %q, want %q", r.file, p, got, want)
					}
				}
			}
		})
	}
}

// TestOtherAliases resolves the field names public rules use and checks
// that they reach the value in a canonical event.
func TestOtherAliases(t *testing.T) {
	tests := []struct {
		kind  event.Kind
		name  string
		file  string
		i     int
		want  string
		exact bool // the name is a canonical path itself
	}{
		{event.KindM365Audit, "Operation", "m365_audit/mgmt-api-content-blob.json", 1, "New-InboxRule", true},
		{event.KindM365Audit, "Parameters.ForwardTo", "m365_audit/mgmt-api-content-blob.json", 1, "collector@example.net", true},
		{event.KindM365Audit, "MailAccessType", "m365_audit/mgmt-api-content-blob.json", 0, "Bind", false},
		{event.KindM365Audit, "OfficeWorkload", "m365_audit/officeactivity-la.json", 0, "Exchange", false},
		{event.KindM365Audit, "Client_IPAddress", "m365_audit/officeactivity-portal.csv", 0, "203.0.113.45", false},
		{event.KindKeyVault, "OperationName", "azure_keyvault/auditevent-records.json", 0, "SecretGet", false},
		{event.KindKeyVault, "CallerIPAddress", "azure_keyvault/auditevent-records.json", 0, "203.0.113.45", false},
		{event.KindKeyVault, "identity_claim_upn_s", "azure_keyvault/auditevent-records.json", 0, "alex.wilber@contoso.com", false},
		{event.KindKeyVault, "requestUri_s", "azure_keyvault/auditevent-records.json", 1, "https://contoso-kv.vault.azure.net/secrets?api-version=7.4", false},
		{event.KindKeyVault, "identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g",
			"azure_keyvault/auditevent-records.json", 2, "30a6c29d-de7c-4830-815f-9b3bb366e975", false},
		{event.KindKeyVault, "addedAccessPolicy_ObjectId_g", "azure_keyvault/auditevent-records.json", 2,
			"30a6c29d-de7c-4830-815f-9b3bb366e975", false},
		{event.KindAzureActivity, "OperationNameValue", "azure_activity/eventhub-records.json", 0,
			"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", false},
		{event.KindAzureActivity, "CategoryValue", "azure_activity/eventhub-records.json", 0, "Administrative", false},
		{event.KindAzureActivity, "ResourceProviderValue", "azure_activity/eventhub-records.json", 0, "MICROSOFT.AUTHORIZATION", false},
		{event.KindAzureActivity, "Caller", "azure_activity/eventhub-records.json", 0, "alex.wilber@contoso.com", false},
		{event.KindAzureActivity, "properties.requestbody.Properties.PrincipalType", "azure_activity/eventhub-records.json", 0,
			"ServicePrincipal", true},
		{event.KindCloudTrail, "requestParameters.policyDocument.Statement.Action", "aws_cloudtrail/getfederationtoken-policy-star.json", 0,
			"*", false},
		{event.KindCloudTrail, "userIdentity.sessionContext.sessionIssuer.type", "aws_cloudtrail/getfederationtoken-policy-star.json", 1,
			"IAMUser", true},
		{event.KindK8sAudit, "user.serviceAccount.name", "k8s_audit/eventlist.json", 1, "api", true},
		{event.KindK8sAudit, "annotations.authorization.k8s.io/decision", "k8s_audit/gke.json", 0, "forbid", true},
		{event.KindK8sAudit, "capabilities", "k8s_audit/gke.json", 0, "", false},
		{event.KindK8sAudit, "objectRef.namespace", "k8s_audit/gke.json", 0, "kube-system", true},
		{event.KindAppInventory, "passwordCredentials.lifetimeDays", "app_inventory/applications-page.json", 0, "1096", true},
		{event.KindAppInventory, "web.redirectUris", "app_inventory/applications-page.json", 0,
			"https://invoicesync.azurewebsites.net/signin-oidc", true},
	}
	for _, tt := range tests {
		p, known := Resolve(tt.kind, tt.name)
		if !known {
			t.Errorf("%s: %s is not a known field", tt.kind, tt.name)
			continue
		}
		if tt.exact && p.String() != tt.name {
			t.Errorf("%s: %s resolved to %s", tt.kind, tt.name, p)
		}
		st, doc := otherFixtureEvent(t, tt.file, tt.i)
		if st.Kind != tt.kind {
			t.Fatalf("%s#%d is %s, want %s", tt.file, tt.i, st.Kind, tt.kind)
		}
		if got := event.Text(event.Lookup(doc, p)); got != tt.want {
			t.Errorf("%s: %s (%s) = %q, want %q", tt.kind, tt.name, p, got, tt.want)
		}
	}
}

// BenchmarkOtherNormalize normalises the fixtures of each non-Entra kind.
// Run: go test ./internal/normalize -run '^$' -bench BenchmarkOtherNormalize
func BenchmarkOtherNormalize(b *testing.B) {
	for _, kind := range []string{"m365_audit", "azure_keyvault", "azure_activity", "aws_cloudtrail", "k8s_audit", "app_inventory"} {
		files, _ := filepath.Glob(filepath.Join("testdata/other", kind, "*"))
		var recs []ingest.Record
		size := 0
		for _, in := range files {
			if strings.HasSuffix(in, ".golden.json") || strings.HasSuffix(in, ".md") {
				continue
			}
			for _, r := range otherRecords(b, in) {
				recs = append(recs, r)
				size += len(r.Data)
			}
		}
		b.Run(kind, func(b *testing.B) {
			n := New()
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, r := range recs {
					if _, err := n.Normalize(r); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
