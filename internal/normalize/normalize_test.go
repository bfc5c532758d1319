package normalize

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// sharedData is the public sample folder beside the checkout (CI has
// shared/ there too).
const sharedData = "../../../shared/data/public"

// readRecords splits a test file into records the way the ingest readers
// do, without depending on them: a CSV file gives one JSON object of
// strings per row; a JSON file gives the elements of Graph pages ("value")
// and Azure Monitor envelopes ("records"), the elements of top-level arrays,
// else each top-level JSON value (a single object, NDJSON, concatenated
// pretty-printed objects).
func readRecords(t testing.TB, path string) []ingest.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".csv") {
		return csvRecords(t, path, data)
	}
	var recs []ingest.Record
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		items, c := []json.RawMessage{raw}, ingest.ContainerNone
		if raw[0] == '[' {
			if err := json.Unmarshal(raw, &items); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		var env map[string]json.RawMessage
		_ = json.Unmarshal(raw, &env)
		for key, container := range map[string]ingest.Container{"value": ingest.ContainerGraphPage, "records": ingest.ContainerAzureRecords} {
			if inner, ok := env[key]; ok && len(inner) > 0 && inner[0] == '[' {
				if err := json.Unmarshal(inner, &items); err != nil {
					t.Fatalf("%s: %s: %v", path, key, err)
				}
				c = container
			}
		}
		for _, it := range items {
			recs = append(recs, ingest.Record{
				Data:      it,
				Container: c,
				Origin:    event.Origin{File: filepath.Base(path), Index: len(recs)},
			})
		}
	}
	return recs
}

func csvRecords(t testing.TB, path string, data []byte) []ingest.Record {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var recs []ingest.Record
	for i, row := range rows[1:] {
		obj := map[string]string{}
		for j, h := range rows[0] {
			if j < len(row) {
				obj[h] = row[j]
			}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, ingest.Record{
			Data:      b,
			Container: ingest.ContainerCSV,
			Origin:    event.Origin{File: filepath.Base(path), Line: i + 2, Index: i},
		})
	}
	return recs
}

// TestPublicEntraSamples normalises every Entra record of the public
// samples and checks the kind and the traps each must have fixed.
func TestPublicEntraSamples(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("public samples not found at %s (shared/ is expected beside the checkout): %v", sharedData, err)
	}
	files := []struct {
		path   string
		format string
		kinds  []event.Kind // allowed kinds
		n      int          // records expected
	}{
		{"elastic-integrations/azure-signinlogs/test-signinlogs-raw.log", formatAzureMonitor, signInOnly, 5},
		{"elastic-integrations/azure-signinlogs/test-non-interactive-user-sample.lines1-6.log", formatAzureMonitor, signInOnly, 6},
		{"elastic-integrations/azure-auditlogs/test-audit-logs-sample.log", formatAzureMonitor, auditOnly, 3},
		{"elastic-integrations/azure-auditlogs/test-auditlogs-raw.log", formatAzureMonitor, auditOnly, 3},
		{"elastic-integrations/o365-audit/test-azuread-sts-logon-events.events1-3.original.ndjson", formatUAL, signInOnly, 3},
		{"microsoft-docs/entra-docs/azure-monitor-signin-schema-example.json", formatAzureMonitor, signInOnly, 1},
		{"microsoft-docs/graph-docs/beta-signin-list-example1-response.json", formatGraph, signInOnly, 1},
		{"microsoft-docs/graph-docs/v1-directoryaudit-list-example1-response.json", formatGraph, auditOnly, 1},
		{"microsoft-docs/graph-docs/v1-directoryaudit-list-example2-response.json", formatGraph, auditOnly, 1},
		{"panther-analysis/Azure_Audit.ndjson", formatAzureMonitor, entraKinds, 37},
		{"panther-analysis/Microsoft365_Audit_AzureActiveDirectory.ndjson", formatUAL, entraKinds, 4},
	}
	n := New()
	for _, f := range files {
		t.Run(filepath.Base(f.path), func(t *testing.T) {
			recs := readRecords(t, filepath.Join(sharedData, f.path))
			if len(recs) != f.n {
				t.Fatalf("read %d records, want %d", len(recs), f.n)
			}
			for _, rec := range recs {
				ev, err := n.Normalize(rec)
				if err != nil {
					t.Errorf("%s: %v", rec.Origin, err)
					continue
				}
				if ev.Format != f.format {
					t.Errorf("%s: format %q, want %q", rec.Origin, ev.Format, f.format)
				}
				if !hasKind(f.kinds, ev.Kind) {
					t.Errorf("%s: kind %v, want one of %v", rec.Origin, ev.Kind, f.kinds)
				}
				checkInvariants(t, rec.Origin.String(), ev)
			}
		})
	}
}

var (
	signInOnly = []event.Kind{event.KindEntraSignIn}
	auditOnly  = []event.Kind{event.KindEntraAudit}
	entraKinds = []event.Kind{event.KindEntraSignIn, event.KindEntraAudit}
)

func hasKind(ks []event.Kind, k event.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// checkInvariants asserts what every canonical Entra event guarantees.
func checkInvariants(t *testing.T, where string, ev *event.Event) {
	t.Helper()
	if ev.Time.IsZero() {
		t.Errorf("%s: no event time", where)
	} else if ev.Time.Location().String() != "UTC" {
		t.Errorf("%s: time %v not in UTC", where, ev.Time)
	}
	switch ev.Kind {
	case event.KindEntraSignIn:
		if c := ev.Doc.Get("status", "errorCode"); c != nil && c.Type() != fastjson.TypeNumber {
			t.Errorf("%s: status.errorCode is a %v", where, c.Type())
		}
		if ev.Subtype == "" && ev.Format != formatUAL {
			t.Errorf("%s: no sign-in subtype", where)
		}
		checkUTCText(t, where, ev.Doc.Get("createdDateTime"))
	case event.KindEntraAudit:
		name := string(ev.Doc.GetStringBytes("activityDisplayName"))
		if name == "" || name != strings.TrimSpace(name) || strings.ContainsAny(name, "\u2013\u2014") || strings.HasSuffix(name, ".") {
			t.Errorf("%s: activityDisplayName %q not normalised", where, name)
		}
		if r := string(ev.Doc.GetStringBytes("result")); r != strings.ToLower(r) {
			t.Errorf("%s: result %q not lower-case", where, r)
		}
		checkUTCText(t, where, ev.Doc.Get("activityDateTime"))
		for _, tr := range ev.Doc.GetArray("targetResources") {
			if tr.Get("Type") != nil {
				t.Errorf("%s: target keeps \"Type\"", where)
			}
			for _, mp := range tr.GetArray("modifiedProperties") {
				for _, k := range []string{"oldValue", "newValue"} {
					if s := mp.GetStringBytes(k); len(s) > 1 && s[0] == '"' && json.Valid(s) {
						t.Errorf("%s: %s %s still JSON-quoted", where, k, s)
					}
				}
			}
		}
	}
}

func checkUTCText(t *testing.T, where string, v *fastjson.Value) {
	t.Helper()
	if v == nil {
		return
	}
	if s := string(v.GetStringBytes()); !strings.HasSuffix(s, "Z") {
		t.Errorf("%s: timestamp %q not in UTC", where, s)
	}
}

// TestRereadFlags: every event, wrapper shapes (Purview, Splunk, Hawk,
// AuditLogQuery) included, carries the container and the verbatim flag of
// the record as read, which reading it back for evidence needs.
func TestRereadFlags(t *testing.T) {
	n := New()
	seen := 0
	for _, dir := range []string{"testdata/thirdparty", "testdata/entra", "testdata/other"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".golden") || strings.HasSuffix(p, ".md") {
				return nil
			}
			for _, rec := range readRecords(t, p) {
				rec.Verbatim = true
				ev, err := n.Normalize(rec)
				if err != nil {
					continue
				}
				seen++
				if !ev.InFile || ev.Container != uint8(rec.Container) {
					t.Errorf("%s (%s): InFile %v, container %d; the record: verbatim, container %d", p, ev.Format, ev.InFile, ev.Container, rec.Container)
				}
			}
			return nil
		})
	}
	if seen < 50 {
		t.Fatalf("only %d events", seen)
	}
}
