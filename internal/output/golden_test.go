package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGoldenTerminal(t *testing.T) {
	cet, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		cet = time.FixedZone("CET", 3600)
	}
	cases := []struct {
		name  string
		style Style
	}{
		{"table.txt", Style{Width: 120}},
		{"table_unlimited.txt", Style{}},
		{"table_narrow_tz.txt", Style{Width: 80, TZ: cet}},
		{"table_color.ansi", Style{Width: 120, Color: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteAlertTable(&b, fixtureAlerts(), c.style); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
			if !c.style.Color && bytes.ContainsRune(b.Bytes(), 0x1b) {
				t.Error("escape character in colourless output (log text must be cleaned)")
			}
			if c.style.Width > 0 {
				for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
					if w := width(line); w > c.style.Width {
						t.Errorf("line is %d columns wide, more than %d: %q", w, c.style.Width, line)
					}
				}
			}
		})
	}
}

func TestAlertTableEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteAlertTable(&b, nil, Style{Color: true}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "No alerts.\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestGoldenSummary(t *testing.T) {
	for _, c := range []struct {
		name  string
		style Style
	}{
		{"summary.txt", Style{Width: 120}},
		{"summary_color.ansi", Style{Width: 120, Color: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteSummary(&b, fixtureSummary(), c.style); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
	t.Run("summary.json", func(t *testing.T) {
		b, err := json.MarshalIndent(fixtureSummary(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "summary.json", append(b, '\n'))
		var back Summary
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("summary JSON does not read back: %v", err)
		}
	})
}

func TestGoldenJSONL(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSONL(&b, fixtureAlerts()); err != nil {
		t.Fatal(err)
	}
	if err := WriteIncidentsJSONL(&b, fixtureIncidents()); err != nil {
		t.Fatal(err)
	}
	golden(t, "alerts.jsonl", b.Bytes())
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != len(fixtureAlerts())+len(fixtureIncidents()) {
		t.Fatalf("got %d lines", len(lines))
	}
	for i, line := range lines[:len(fixtureAlerts())] {
		var a alert.Alert
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("line %d is not an alert: %v", i+1, err)
		}
		if a.ID == "" || a.Rule.Title == "" {
			t.Errorf("line %d lost fields: %s", i+1, line)
		}
	}
	var in IncidentLine
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &in); err != nil || in.Incident == nil || in.Incident.ID != "i-bob" {
		t.Errorf("incident line: %v %+v", err, in)
	}
}

func TestGoldenCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, fixtureAlerts(), nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "alerts.csv", b.Bytes())
	if !bytes.HasPrefix(b.Bytes(), []byte(utf8BOM+"first_seen,")) {
		t.Error("no BOM and header")
	}
	records := readCSV(t, b.Bytes())
	if len(records) != 1+len(fixtureAlerts()) {
		t.Fatalf("got %d records", len(records))
	}
	assertNeutralised(t, records)
	// The consent alert's why column keeps the values, and its message the
	// markup as plain text.
	found := false
	for _, r := range records {
		if strings.Contains(r[11], "status.errorCode=65004") {
			found = true
		}
	}
	if !found {
		t.Error("why column lost the matched fields")
	}
}

func TestGoldenTimeline(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTimeline(&b, fixtureTimeline(), nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "timeline.csv", b.Bytes())
	records := readCSV(t, b.Bytes())
	assertNeutralised(t, records)
	var last string
	for _, r := range records[1:] {
		if r[0] < last {
			t.Errorf("timeline not sorted: %s after %s", r[0], last)
		}
		last = r[0]
	}
}

func TestGoldenOCSF(t *testing.T) {
	var b bytes.Buffer
	if err := WriteOCSF(&b, fixtureAlerts(), OCSFOptions{ProductVersion: "0.1.0-test"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "alerts.ocsf.jsonl", b.Bytes())
	for i, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		var f map[string]any
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		for _, k := range []string{"class_uid", "category_uid", "type_uid", "activity_id", "severity_id", "time", "metadata", "finding_info"} {
			if _, ok := f[k]; !ok {
				t.Errorf("line %d lacks required attribute %s", i+1, k)
			}
		}
		if f["class_uid"] != float64(2004) || f["type_uid"] != float64(200401) || f["category_uid"] != float64(2) {
			t.Errorf("line %d: wrong class: %v %v %v", i+1, f["class_uid"], f["type_uid"], f["category_uid"])
		}
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte(utf8BOM))))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	return records
}

// assertNeutralised checks that no cell would be evaluated as a formula.
func assertNeutralised(t *testing.T, records [][]string) {
	t.Helper()
	for i, r := range records {
		for j, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(cell)[0]) {
				t.Errorf("record %d cell %d starts with a formula character: %q", i, j, cell)
			}
		}
	}
}
