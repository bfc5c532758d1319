package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// laDoc is a Log Analytics query API response with two tables (the shape
// of MicrosoftDocs azure-monitor/logs/api/response-format.md), pretty
// printed as the portal and az rest save it.
const laDoc = `{
  "tables": [
    {
      "name": "PrimaryResult",
      "columns": [
        {"name": "TimeGenerated", "type": "datetime"},
        {"name": "UserPrincipalName", "type": "string"},
        {"name": "ResultType", "type": "string"},
        {"name": "Status", "type": "dynamic"},
        {"name": "IsInteractive", "type": "bool"},
        {"name": "Type", "type": "string"}
      ],
      "rows": [
        ["2024-01-15T09:30:20Z", "alice@contoso.com", "50126", "{\"errorCode\":50126}", true, "SigninLogs"],
        ["2024-01-15T09:31:00Z", "bob@contoso.com", "0", "{\"errorCode\":0,\"additionalDetails\":\"a ] b, \\\"c\\\"\"}", false, "SigninLogs"]
      ]
    },
    {
      "name": "Second",
      "columns": [{"name": "n", "type": "long"}, {"name": "x", "type": "real"}],
      "rows": [[1, -2.5e3], [null, 0]]
    }
  ],
  "error": {"code": "PartialError", "message": "some shards failed"}
}`

func TestLATables(t *testing.T) {
	want := []string{
		`{"TimeGenerated":"2024-01-15T09:30:20Z","UserPrincipalName":"alice@contoso.com","ResultType":"50126","Status":"{\"errorCode\":50126}","IsInteractive":true,"Type":"SigninLogs"}`,
		`{"TimeGenerated":"2024-01-15T09:31:00Z","UserPrincipalName":"bob@contoso.com","ResultType":"0","Status":"{\"errorCode\":0,\"additionalDetails\":\"a ] b, \\\"c\\\"\"}","IsInteractive":false,"Type":"SigninLogs"}`,
		`{"n":1,"x":-2.5e3}`,
		`{"n":null,"x":0}`,
	}
	for _, tt := range []struct {
		name string
		r    io.Reader
		opts Options
	}{
		{"whole", strings.NewReader(laDoc), Options{}},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader(laDoc)), Options{}},
		{"compact", strings.NewReader(compactJSON(t, laDoc)), Options{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := readFile(t, "la.json", tt.r, tt.opts)
			if res.openErr != nil || res.fatal != nil || len(res.errs) > 0 {
				t.Fatalf("open %v, fatal %v, errors %v", res.openErr, res.fatal, res.errs)
			}
			if res.info.Layout != LayoutLATables {
				t.Errorf("layout %q, want %q", res.info.Layout, LayoutLATables)
			}
			if len(res.records) != len(want) {
				t.Fatalf("%d records, want %d: %q", len(res.records), len(want), res.records)
			}
			for i, r := range res.records {
				if string(r) != want[i] {
					t.Errorf("record %d:\n got %s\nwant %s", i, r, want[i])
				}
				if !json.Valid(r) {
					t.Errorf("record %d is not valid JSON", i)
				}
				if res.recs[i].Origin.Index != i {
					t.Errorf("record %d: index %d", i, res.recs[i].Origin.Index)
				}
			}
			if tt.name == "whole" {
				for i, line := range []int{14, 15, 21, 21} {
					if res.lines[i] != line {
						t.Errorf("record %d on line %d, want %d", i, res.lines[i], line)
					}
				}
			}
		})
	}
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestLooksLATables(t *testing.T) {
	for in, want := range map[string]bool{
		`{"tables":[`:                 true,
		"\n{ \"tables\" :\n [ ]}":     true,
		`{"tables":{}}`:               false,
		`{"value":[{"tables":[]}]}`:   false,
		`{"name":"x","tables":[]}`:    false,
		`[{"tables":[]}]`:             false,
		`{"tables"`:                   false,
		``:                            false,
		`{"tablesX":[]}`:              false,
		`{"tables":[{"columns":[]}]}`: true,
	} {
		if got := looksLATables([]byte(in)); got != want {
			t.Errorf("looksLATables(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestLATablesBad checks the errors: per-row problems skip the row, broken
// structure ends the file with a fatal error.
func TestLATablesBad(t *testing.T) {
	cols := `"columns":[{"name":"a"},{"name":"b"}]`
	tests := []struct {
		name    string
		in      string
		records int
		errs    []string // substrings of the record errors, in order
		fatal   string   // substring of the fatal error, "" for none
		opts    Options
	}{
		{name: "empty tables", in: `{"tables":[]}`},
		{name: "empty rows", in: `{"tables":[{` + cols + `,"rows":[]}]}`},
		{name: "more values than columns", in: `{"tables":[{` + cols + `,"rows":[[1,2,3],[4,5]]}]}`,
			records: 1, errs: []string{"more values than the table's 2 columns"}},
		{name: "fewer values", in: `{"tables":[{` + cols + `,"rows":[[1]]}]}`, records: 1},
		{name: "row not an array", in: `{"tables":[{` + cols + `,"rows":[{"a":1},[1,2]]}]}`,
			records: 1, errs: []string{"a row is an object, not an array"}},
		{name: "row too large", in: `{"tables":[{` + cols + `,"rows":[["` + strings.Repeat("x", 300) + `",1],[1,2]]}]}`,
			records: 1, errs: []string{"record too large"}, opts: Options{MaxRecordBytes: 100}},
		{name: "rows before columns", in: `{"tables":[{"rows":[[1]],` + cols + `}]}`,
			fatal: "rows come before its columns"},
		{name: "bad columns", in: `{"tables":[{"columns":{"a":1},"rows":[[1]]}]}`, fatal: "columns are not an array"},
		{name: "truncated", in: `{"tables":[{` + cols + `,"rows":[[1,2],[3,`, records: 1, fatal: "truncated"},
		{name: "truncated string", in: `{"tables":[{` + cols + `,"rows":[["abc`, fatal: "the file ends inside a value"},
		{name: "missing comma", in: `{"tables":[{` + cols + ` "rows":[[1,2]]}]}`, fatal: "expected ','"},
		{name: "table not object", in: `{"tables":[1]}`, fatal: "a table is a number"},
		{name: "garbage after", in: `{"tables":[]} trailing`},
		{name: "unclosed object", in: `{"tables":[]`, fatal: "truncated"},
		{name: "bad key", in: `{"tables":[{1:2}]}`, fatal: "expected an object key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readFile(t, "la.json", strings.NewReader(tt.in), tt.opts)
			if res.openErr != nil {
				t.Fatalf("open: %v", res.openErr)
			}
			if len(res.records) != tt.records {
				t.Errorf("%d records, want %d: %q", len(res.records), tt.records, res.records)
			}
			if len(res.errs) != len(tt.errs) {
				t.Fatalf("record errors %q, want %d", res.errs, len(tt.errs))
			}
			for i, e := range tt.errs {
				if !strings.Contains(res.errs[i], e) {
					t.Errorf("record error %q, want one containing %q", res.errs[i], e)
				}
			}
			switch {
			case tt.fatal == "" && res.fatal != nil:
				t.Errorf("fatal error %v", res.fatal)
			case tt.fatal != "" && (res.fatal == nil || !strings.Contains(res.fatal.Error(), tt.fatal)):
				t.Errorf("fatal error %v, want one containing %q", res.fatal, tt.fatal)
			}
		})
	}
}

// TestLATablesReadError checks that a read error is fatal and named.
func TestLATablesReadError(t *testing.T) {
	// More than the 4 KiB format detection reads, so that the error comes
	// while rows are read.
	rows := strings.Repeat(`["`+strings.Repeat("x", 90)+`"],`, 100)
	r := io.MultiReader(strings.NewReader(`{"tables":[{"columns":[{"name":"a"}],"rows":[`+rows), iotest.ErrReader(errors.New("disk gone")))
	res := readFile(t, "la.json", r, Options{})
	if res.fatal == nil || !strings.Contains(res.fatal.Error(), "disk gone") {
		t.Fatalf("fatal %v, open %v", res.fatal, res.openErr)
	}
	if len(res.records) != 100 {
		t.Errorf("%d records, want 100", len(res.records))
	}
}

// FuzzLATables reads mutations of Log Analytics results.
func FuzzLATables(f *testing.F) {
	f.Add([]byte(laDoc), false)
	f.Add([]byte(`{"tables":[{"columns":[{"name":"a"}],"rows":[[1],["x\"]"],[{"b":[1]}]]}]}`), true)
	f.Add([]byte(`{"tables":[{"rows":[[1]]}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, small bool) {
		opts := Options{}
		if small {
			opts.MaxRecordBytes = 64
		}
		drain(t, data, opts)
	})
}
