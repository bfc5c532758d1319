package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

// repeatReader yields n bytes of c.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.c
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// failReader returns its data, then err.
type failReader struct {
	data []byte
	err  error
}

func (r *failReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func deep(n int) string {
	return `{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
}

func TestBadInput(t *testing.T) {
	good := `{"id":"1","userPrincipalName":"alice@contoso.com"}`
	pretty := "{\n  \"id\": \"2\"\n}"
	big := `{"id":"big","blob":"` + strings.Repeat("x", 100_000) + `"}`
	tests := []struct {
		name     string
		in       string
		opts     Options
		lines    []int
		errLines []int
		reason   error // of every RecordError
		layout   string
	}{
		{"ndjson line over the limit", good + "\n" + big + "\n" + good + "\n" + good + "\n",
			Options{MaxRecordBytes: 4096}, []int{1, 3, 4}, []int{2}, ErrTooLarge, LayoutNDJSON},
		{"ndjson line over the limit, not in the buffer", good + "\n" + good + "\n" + `{"blob":"` + strings.Repeat("y", 300_000) + "\"}\n" + good + "\n",
			Options{MaxRecordBytes: 100_000}, []int{1, 2, 4}, []int{3}, ErrTooLarge, LayoutNDJSON},
		{"first value over the limit", big + "\n" + good + "\n",
			Options{MaxRecordBytes: 4096}, []int{2}, []int{1}, ErrTooLarge, LayoutNDJSON},
		{"array element over the limit", "[\n" + good + ",\n" + big + ",\n" + good + "\n]\n",
			Options{MaxRecordBytes: 4096}, []int{2, 4}, []int{3}, ErrTooLarge, LayoutJSONArray},
		{"envelope element over the limit", `{"records":[` + good + "," + big + "," + good + "]}",
			Options{MaxRecordBytes: 4096}, []int{1, 1}, []int{1}, ErrTooLarge, LayoutAzureRecords},
		{"csv row over the limit", "id,blob\n1,a\n2,\"" + strings.Repeat("z\n", 50_000) + "\"\n3,c\n",
			Options{MaxRecordBytes: 4096}, []int{2, 50_004}, []int{3}, ErrTooLarge, LayoutCSV},
		{"10000-deep line", good + "\n" + deep(10000) + "\n" + good + "\n",
			Options{}, []int{1, 3}, []int{2}, ErrTooDeep, LayoutNDJSON},
		{"10000-deep array element", "[" + good + ",\n" + deep(10000) + ",\n" + good + "]",
			Options{}, []int{1, 3}, []int{2}, ErrTooDeep, LayoutJSONArray},
		{"10000-deep unclosed", good + "\n" + `{"a":` + strings.Repeat("[", 10000) + "\n" + good + "\n",
			Options{}, []int{1, 3}, []int{2}, nil, LayoutNDJSON},
		{"512 deep is fine", deep(MaxDepth-1) + "\n" + good + "\n", Options{}, []int{1, 2}, nil, nil, LayoutNDJSON},
		{"pretty object among lines", good + "\n" + pretty + "\n" + good + "\n", Options{}, []int{1, 2, 5}, nil, nil, LayoutNDJSON},
		{"byte-order marks of concatenated files", "\ufeff" + good + "\n\ufeff" + good + "\n\ufeff" + good + "\n",
			Options{}, []int{1, 2, 3}, nil, nil, LayoutNDJSON},
		{"unclosed array", "[\n" + good + ",\n" + good + ",\n", Options{}, []int{2, 3}, []int{4}, ErrTruncated, LayoutJSONArray},
		{"unclosed envelope", `{"value":[` + good + "]", Options{}, []int{1}, []int{1}, ErrTruncated, LayoutGraphPage},
		{"missing comma between elements", "[\n" + good + "\n" + good + "\n]", Options{}, []int{2, 3}, nil, nil, LayoutJSONArray},
		{"garbage between elements", "[\n" + good + ",\n" + good + " xyz,\n" + good + "\n]", Options{}, []int{2, 3, 4}, []int{3}, ErrMalformed, LayoutJSONArray},
		{"non-object elements", `["one",2,` + good + `,null,[]]`, Options{}, []int{1}, []int{1, 1, 1, 1}, ErrNotObject, LayoutJSONArray},
		{"garbage after a pretty object", pretty + "\nnot json\n  and more\n" + pretty + "\n",
			Options{}, []int{1, 6}, []int{4}, ErrMalformed, LayoutJSONConcat},
		{"value that is not an array is a field", `{"value":"x","id":"1"}`, Options{}, []int{1}, nil, nil, LayoutJSONObject},
		{"items of a kind that is not a list", `{"kind":"Pod","items":[{"a":1}]}`, Options{}, []int{1}, nil, nil, LayoutJSONObject},
		{"forced ndjson keeps envelopes whole", `{"records":[` + good + "," + good + "]}\n",
			Options{Format: LayoutNDJSON}, []int{1}, nil, nil, LayoutNDJSON},
		{"forced json-object keeps a page whole", `{"value":[` + good + "]}", Options{Format: LayoutJSONObject}, []int{1}, nil, nil, LayoutJSONObject},
		{"forced envelope unwraps only its key", `{"records":[` + good + `]}` + "\n" + `{"items":[` + good + "," + good + `]}` + "\n",
			Options{Format: LayoutK8sEventList}, []int{1, 2, 2}, nil, nil, LayoutK8sEventList},
		{"long key after the records", `{"records":[` + good + `],"` + strings.Repeat("k", 200_000) + `":1,"records":[` + good + `]}`,
			Options{MaxRecordBytes: 100}, []int{1, 1}, nil, nil, LayoutAzureRecords},
		{"forced tsv", "a\tb\n1\t2\n", Options{Format: "tsv"}, []int{2}, nil, nil, LayoutCSV},
		{"csv row with extra cells", "a,b\n1,2\n1,2,3\n1,2,,\n", Options{}, []int{2, 4}, []int{3}, ErrBadRow, LayoutCSV},
		{"invalid utf-8 between values", "[" + good + ",\xff\xfe" + good + "]", Options{}, []int{1, 1}, []int{1}, ErrMalformed, LayoutJSONArray},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readFile(t, "in", strings.NewReader(tt.in), tt.opts)
			if res.openErr != nil {
				t.Fatal(res.openErr)
			}
			if !reflect.DeepEqual(res.lines, tt.lines) {
				t.Errorf("record lines %v, want %v", res.lines, tt.lines)
			}
			if !reflect.DeepEqual(res.errLines, tt.errLines) {
				t.Errorf("error lines %v, want %v: %q", res.errLines, tt.errLines, res.errs)
			}
			if res.info.Layout != tt.layout {
				t.Errorf("layout %q, want %q", res.info.Layout, tt.layout)
			}
			if tt.reason != nil {
				for _, e := range res.errs {
					if !strings.Contains(e, tt.reason.Error()) {
						t.Errorf("error %q is not %v", e, tt.reason)
					}
				}
			}
			for _, e := range res.errs {
				if !strings.HasPrefix(e, "in:") {
					t.Errorf("error %q does not start with file:line", e)
				}
			}
			if res.fatal != nil {
				t.Errorf("fatal: %v", res.fatal)
			}
		})
	}
}

// TestHugeLineDefaultLimit feeds a 70 MB line (never held in memory by the
// test) between good ones with the default 64 MiB limit.
func TestHugeLineDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("70 MB of input")
	}
	good := `{"id":"1"}` + "\n"
	in := io.MultiReader(strings.NewReader(good+`{"blob":"`), &repeatReader{c: 'x', n: 70 << 20},
		strings.NewReader("\"}\n"+good+good))
	f, err := NewFile("huge.ndjson", in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines, errLines []int
	for {
		rec, err := f.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			errLines = append(errLines, re.Line)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("error %v is not ErrTooLarge", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, rec.Origin.Line)
	}
	if !reflect.DeepEqual(lines, []int{1, 3, 4}) || !reflect.DeepEqual(errLines, []int{2}) {
		t.Errorf("records at %v, errors at %v", lines, errLines)
	}
	if n := cap(f.win.buf); n > DefaultMaxRecordBytes+1 {
		t.Errorf("buffer grew to %d bytes", n)
	}
}

// TestMemoryFlat reads 64 MiB of NDJSON and checks that the buffer stays at
// its streaming size.
func TestMemoryFlat(t *testing.T) {
	line := []byte(`{"id":"` + strings.Repeat("a", 1800) + "\"}\n")
	n := (64 << 20) / len(line)
	tail := `[{"a":1},` + "\n" + `{"a":2}]`
	r := io.MultiReader(&repeatLines{line: line, n: n}, strings.NewReader(tail))
	f, err := NewFile("big.ndjson", r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for {
		_, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != n+2 {
		t.Errorf("%d records, want %d", count, n+2)
	}
	if c := cap(f.win.buf); c > largeBuffer {
		t.Errorf("buffer grew to %d bytes", c)
	}
	if info := f.Info(); info.DecodedBytes != int64(n*len(line)+len(tail)) {
		t.Errorf("decoded %d bytes", info.DecodedBytes)
	}
}

// repeatLines yields line n times.
type repeatLines struct {
	line []byte
	n    int
	off  int
}

func (r *repeatLines) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) && r.n > 0 {
		c := copy(p[w:], r.line[r.off:])
		w += c
		r.off += c
		if r.off == len(r.line) {
			r.off = 0
			r.n--
		}
	}
	if w == 0 {
		return 0, io.EOF
	}
	return w, nil
}

func TestUnrecognised(t *testing.T) {
	gz := func(s string) string {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.String()
	}
	tests := []struct{ name, in, want string }{
		{"zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00", `in: not a log file: starts with "PK\x03\x04" (zip archive?)`},
		{"xml", `<?xml version="1.0"?><Events/>`, `(XML)`},
		{"html", "<!DOCTYPE html><html></html>", `(HTML)`},
		{"evtx", "ElfFile\x00\x00\x00\x00", `(Windows event log (EVTX)?)`},
		{"binary", "\x00\x01\x02\x03\xff\xfe\xfd", `(binary data)`},
		{"text", "[2026-11-20 08:01:02] sign-in failed\n", `starts with "[2026-11-20 08:01:02] sign-in failed" (text, neither JSON nor CSV)`},
		{"gzip of zip", gz("PK\x03\x04rest"), `in: not a log file: gzip-compressed, starts with "PK\x03\x04" (zip archive?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFile("in", strings.NewReader(tt.in), Options{})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FormatError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := NewFile("in", strings.NewReader("{}"), Options{Format: "yaml"}); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestForcedCSVLongHeader: a file read as CSV on request whose first line
// does not end within the record limit (here UTF-16 text without a line
// end, FuzzCSV's finding) is refused with a FormatError naming the file.
func TestForcedCSVLongHeader(t *testing.T) {
	in := "\xff\xfe" + strings.Repeat("J", 3000)
	for _, limit := range []int{64, 1024} {
		_, err := NewFile("in.csv", strings.NewReader(in), Options{Format: LayoutCSV, MaxRecordBytes: limit})
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "in.csv: not a log file: CSV whose header line is longer than") {
			t.Errorf("limit %d: got %v, want a FormatError about the header line", limit, err)
		}
	}
}

func TestFatalErrors(t *testing.T) {
	good := `{"id":"1"}` + "\n"
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		res := readFile(t, "in", &failReader{data: []byte(strings.Repeat(good, 10000) + `{"id"`), err: boom}, Options{})
		if len(res.lines) != 10000 || !errors.Is(res.fatal, boom) {
			t.Errorf("records %v, fatal %v", res.lines, res.fatal)
		}
	})
	t.Run("truncated gzip", func(t *testing.T) {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(strings.Repeat(good, 1000)))
		w.Close()
		res := readFile(t, "in", bytes.NewReader(b.Bytes()[:b.Len()-20]), Options{})
		if res.fatal == nil || len(res.lines) == 0 || len(res.lines) == 1000 {
			t.Errorf("%d records, fatal %v", len(res.lines), res.fatal)
		}
	})
	t.Run("no way to resynchronise", func(t *testing.T) {
		in := "[\n" + `{"a":1},` + "\n" + `{"b":2 "c":3},` + "\n" + `{"d":4}` + "\n]"
		res := readFile(t, "in", strings.NewReader(in), Options{})
		if !reflect.DeepEqual(res.lines, []int{2}) || !reflect.DeepEqual(res.errLines, []int{3}) || !errors.Is(res.fatal, ErrResync) {
			t.Errorf("records %v, errors %v, fatal %v", res.lines, res.errLines, res.fatal)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("testdata/no-such-file.json", Options{}); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open("testdata", Options{}); err == nil || strings.Count(err.Error(), "testdata") != 1 {
		t.Errorf("directory: %v", err)
	}
}

func TestInfoBeforeReading(t *testing.T) {
	for in, want := range map[string]string{`[{"a":1}]`: LayoutJSONArray, `{"a":1}`: LayoutJSONObject, "a,b\n1,2\n": LayoutCSV} {
		f, err := NewFile("in", strings.NewReader(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Info().Layout; got != want {
			t.Errorf("%q: layout %q before reading, want %q", in, got, want)
		}
	}
}

func TestRecordErrorFormat(t *testing.T) {
	e := &RecordError{File: "x.json", Line: 7, Index: 3, Err: ErrTruncated}
	if e.Error() != "x.json:7: truncated record" || !errors.Is(e, ErrTruncated) {
		t.Errorf("%q", e.Error())
	}
}
