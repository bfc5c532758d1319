package ingest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// result is everything a reader returned for one file.
type result struct {
	info     Info
	lines    []int // the line of every record
	errLines []int // the line of every RecordError
	errs     []string
	fatal    error
	openErr  error
	records  [][]byte
	recs     []Record
	log      []string // records and errors, in order
}

// readFile reads a whole file, collecting records, record errors and the
// fatal error, if any. Records are copied.
func readFile(t testing.TB, name string, r io.Reader, opts Options) result {
	t.Helper()
	var res result
	f, err := NewFile(name, r, opts)
	if err != nil {
		res.openErr = err
		return res
	}
	defer f.Close()
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatalf("%s: Next does not stop", name)
		}
		rec, err := f.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			res.errLines = append(res.errLines, re.Line)
			res.errs = append(res.errs, re.Error())
			res.log = append(res.log, fmt.Sprintf("skipped %s (index=%d offset=%d)", re.Error(), re.Index, re.Offset))
			continue
		}
		if err != nil {
			res.fatal = err
			if _, again := f.Next(); again != err {
				t.Errorf("%s: fatal error not sticky: %v, then %v", name, err, again)
			}
			break
		}
		res.lines = append(res.lines, rec.Origin.Line)
		rec.Data = bytes.Clone(rec.Data)
		o := rec.Origin
		res.log = append(res.log, fmt.Sprintf("record line=%d index=%d offset=%d container=%q len=%d %.100q",
			o.Line, o.Index, o.Offset, rec.Container.String(), len(rec.Data), rec.Data))
		res.records = append(res.records, rec.Data)
		res.recs = append(res.recs, rec)
	}
	res.info = f.Info()
	return res
}

func readPath(t testing.TB, path string, opts Options) result {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	return readFile(t, filepath.Base(path), fh, opts)
}

func TestFixtureLayouts(t *testing.T) {
	tests := []struct {
		file        string
		layout      string
		encoding    string
		compression string
		lines       []int // lines of the records, in order
		errLines    []int // lines of the RecordErrors, in order
		container   Container
	}{
		{"signin.ndjson.gz", LayoutNDJSON, "utf-8", "gzip", []int{1, 2, 3}, nil, ContainerNone},
		{"bom-array.json", LayoutJSONArray, "utf-8-bom", "", []int{2, 13}, nil, ContainerNone},
		{"utf16le-bom.ndjson", LayoutNDJSON, "utf-16le", "", []int{1, 2, 3}, nil, ContainerNone},
		{"utf16be-bom.ndjson", LayoutNDJSON, "utf-16be", "", []int{1, 2, 3}, nil, ContainerNone},
		{"utf16le-nobom.ndjson", LayoutNDJSON, "utf-16le", "", []int{1, 2, 3}, nil, ContainerNone},
		{"utf16be-nobom.json", LayoutJSONObject, "utf-16be", "", []int{1}, nil, ContainerNone},
		{"concat-arrays.json", LayoutJSONConcat, "utf-8", "", []int{1, 1, 1, 3}, nil, ContainerNone},
		{"concat-pretty.json", LayoutJSONConcat, "utf-8", "", []int{1, 12, 24}, nil, ContainerNone},
		{"graph-nextlink.json", LayoutGraphPage, "utf-8", "", []int{4, 15}, nil, ContainerGraphPage},
		{"k8s-eventlist.json", LayoutK8sEventList, "utf-8", "", []int{6, 35}, nil, ContainerK8sEventList},
		{"k8s-list-kubectl.json", LayoutK8sEventList, "utf-8", "", []int{4, 33, 62}, nil, ContainerK8sEventList},
		{"k8s-items-first.json", LayoutK8sEventList, "utf-8", "", []int{1, 1}, nil, ContainerK8sEventList},
		{"cloudtrail-records.json", LayoutCloudTrail, "utf-8", "", []int{1, 1, 1}, nil, ContainerCloudTrail},
		{"azure-records.ndjson", LayoutAzureRecords, "utf-8", "", []int{1, 1, 2}, nil, ContainerAzureRecords},
		{"array-of-envelopes.json", LayoutAzureRecords, "utf-8", "", []int{4, 19, 38}, nil, ContainerAzureRecords},
		{"la-signin.csv", LayoutCSV, "utf-8-bom", "", []int{2, 3, 19}, nil, ContainerCSV},
		{"la-signin.tsv", LayoutCSV, "utf-8", "", []int{2, 3}, nil, ContainerCSV},
		{"purview.csv", LayoutCSV, "utf-8", "", []int{2, 3, 4}, nil, ContainerCSV},
		{"ual-powershell.csv", LayoutCSV, "utf-8", "", []int{3, 4}, nil, ContainerCSV},
		{"empty.json", "", "utf-8", "", nil, nil, ContainerNone},
		{"blank.ndjson", "", "utf-8", "", nil, nil, ContainerNone},
		// Bad input: every good record is returned, every bad one reported
		// at the line it starts on.
		{"bad-truncated-array.json", LayoutJSONArray, "utf-8", "", []int{2, 11}, []int{20}, ContainerNone},
		{"bad-truncated.ndjson", LayoutNDJSON, "utf-8", "", []int{1, 2}, []int{3}, ContainerNone},
		{"bad-lines.ndjson", LayoutNDJSON, "utf-8", "", []int{1, 3, 6, 7, 7, 9}, []int{2, 4, 8}, ContainerNone},
		{"bad-invalid-utf8.ndjson", LayoutNDJSON, "utf-8", "", []int{1, 2, 3}, nil, ContainerNone},
		{"bad-element.json", LayoutJSONArray, "utf-8", "", []int{2, 20, 29}, []int{11}, ContainerNone},
		{"bad-element-compact.json", LayoutCloudTrail, "utf-8", "", []int{1, 1, 1}, []int{1, 1}, ContainerCloudTrail},
		{"bad-open-quote.csv", LayoutCSV, "utf-8", "", []int{2}, []int{3}, ContainerCSV},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := readPath(t, filepath.Join("testdata", tt.file), Options{})
			if res.openErr != nil || res.fatal != nil {
				t.Fatalf("open: %v, fatal: %v", res.openErr, res.fatal)
			}
			if res.info.Layout != tt.layout || res.info.Encoding != tt.encoding || res.info.Compression != tt.compression {
				t.Errorf("detected %q %q %q, want %q %q %q", res.info.Layout, res.info.Encoding, res.info.Compression,
					tt.layout, tt.encoding, tt.compression)
			}
			if !reflect.DeepEqual(res.lines, tt.lines) {
				t.Errorf("record lines %v, want %v", res.lines, tt.lines)
			}
			if !reflect.DeepEqual(res.errLines, tt.errLines) {
				t.Errorf("error lines %v, want %v (%q)", res.errLines, tt.errLines, res.errs)
			}
			if res.info.Records != len(tt.lines) || res.info.Skipped != len(tt.errLines) {
				t.Errorf("Info counts %d records, %d skipped", res.info.Records, res.info.Skipped)
			}
			if res.info.Empty != (tt.layout == "") {
				t.Errorf("Info.Empty = %v", res.info.Empty)
			}
			for i, rec := range res.recs {
				if rec.Container != tt.container && !(tt.file == "bad-lines.ndjson") {
					t.Errorf("record %d: container %v, want %v", i, rec.Container, tt.container)
				}
				if rec.Origin.File != tt.file {
					t.Errorf("record %d: origin file %q", i, rec.Origin.File)
				}
			}
		})
	}
}

// TestFixtureGolden compares a transcript of every fixture (records with
// their origins, errors, final Info) with testdata/<file>.golden. Run with
// -update to rewrite them.
func TestFixtureGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if st, err := os.Stat(path); err != nil || st.IsDir() || strings.HasSuffix(path, ".golden") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			got := transcript(readPath(t, path, Options{}))
			golden := path + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("transcript differs from %s (run go test -update and review the diff):\n%s", golden, got)
			}
		})
	}
}

// transcript renders a result as text: one line per record or error, then
// the file's Info.
func transcript(res result) string {
	var b strings.Builder
	if res.openErr != nil {
		fmt.Fprintf(&b, "open error: %v\n", res.openErr)
		return b.String()
	}
	for _, l := range res.log {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if res.fatal != nil {
		fmt.Fprintf(&b, "fatal %v\n", res.fatal)
	}
	i := res.info
	fmt.Fprintf(&b, "info layout=%q compression=%q encoding=%q delimiter=%q empty=%v raw=%d decoded=%d records=%d skipped=%d\n",
		i.Layout, i.Compression, i.Encoding, i.Delimiter, i.Empty, i.RawBytes, i.DecodedBytes, i.Records, i.Skipped)
	return b.String()
}
