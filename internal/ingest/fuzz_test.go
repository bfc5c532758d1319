package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// seedFuzz adds every fixture in testdata whose name matches one of the
// suffixes (all of them if none is given).
func seedFuzz(f *testing.F, add func([]byte), suffixes ...string) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		if st, err := os.Stat(path); err != nil || st.IsDir() || strings.HasSuffix(path, ".golden") {
			continue
		}
		ok := len(suffixes) == 0
		for _, s := range suffixes {
			ok = ok || strings.HasSuffix(path, s)
		}
		if !ok {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

// drain reads everything, checking that Next terminates and that the
// records and errors it returns are consistent. When the input is plain
// UTF-8 JSON, every record must be the input's bytes at its offset, on the
// line its offset is on.
func drain(t *testing.T, data []byte, opts Options) {
	f, err := NewFile("fuzz", bytes.NewReader(data), opts)
	if err != nil {
		// Plain bytes can only fail to be a log file; compressed ones can
		// also be corrupt.
		var fe *FormatError
		if errors.As(err, &fe) || bytes.HasPrefix(data, []byte{0x1f, 0x8b}) && strings.Contains(err.Error(), "gzip") {
			return
		}
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	info := f.Info()
	exact := info.Compression == "" && info.Encoding == "utf-8" && info.Layout != LayoutCSV && info.Layout != LayoutLATables
	lastOff := int64(-1)
	for calls := 0; ; calls++ {
		if calls > 2*len(data)+10 {
			t.Fatalf("Next does not stop after %d calls", calls)
		}
		rec, err := f.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			if re.Line < 1 || !strings.HasPrefix(re.Error(), "fuzz:") {
				t.Fatalf("bad record error %v", re)
			}
			continue
		}
		if err != nil {
			if again, _ := f.Next(); again.Data != nil {
				t.Fatal("a record after a fatal error")
			}
			break
		}
		d := rec.Data
		if len(d) < 2 || d[0] != '{' || d[len(d)-1] != '}' {
			t.Fatalf("record is not an object: %q", d)
		}
		o := rec.Origin
		if o.Offset <= lastOff && info.Layout != LayoutCSV {
			t.Fatalf("offset %d after %d", o.Offset, lastOff)
		}
		lastOff = o.Offset
		if exact {
			end := o.Offset + int64(len(d))
			if end > int64(len(data)) || !bytes.Equal(data[o.Offset:end], d) {
				t.Fatalf("record at offset %d is not the input's bytes there: %q", o.Offset, d)
			}
			if line := 1 + bytes.Count(data[:o.Offset], []byte{'\n'}); line != o.Line {
				t.Fatalf("record at offset %d: line %d, want %d", o.Offset, o.Line, line)
			}
		}
	}
}

// FuzzJSON reads JSON layouts, detected and forced, with the default and a
// tiny record size limit.
func FuzzJSON(f *testing.F) {
	seedFuzz(f, func(b []byte) { f.Add(b, uint8(0)) }, ".json", ".ndjson")
	f.Add([]byte(`{"a":[`+strings.Repeat("[", 600)+`]}`+"\n{}\n"), uint8(0))
	f.Add([]byte(`[{"a":1},{"a":2 "b"},{"a":3}]`), uint8(0))
	f.Add([]byte(`{"items":[{"a":1}],"kind":"EventList"}`), uint8(1))
	formats := []string{"", LayoutNDJSON, LayoutJSONConcat, LayoutGraphPage, LayoutK8sEventList}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := Options{Format: formats[int(mode)%len(formats)]}
		if mode&0x80 != 0 {
			opts.MaxRecordBytes = 64
		}
		drain(t, data, opts)
	})
}

// FuzzCSV reads CSV and compares the rows with encoding/csv's reading (with
// LazyQuotes) where both read the input without complaint.
func FuzzCSV(f *testing.F) {
	seedFuzz(f, func(b []byte) { f.Add(b) }, ".csv", ".tsv")
	f.Add([]byte("a,b\n\"x\"\"y\",\"multi\nline\"\nbare\"quote,\"lazy\"quote\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, data, Options{Format: LayoutCSV})
		drain(t, data, Options{Format: LayoutCSV, MaxRecordBytes: 64})
		compareCSV(t, data)
	})
}

// compareCSV checks the rows read against encoding/csv's, for inputs both
// accept and whose text both see alike (plain UTF-8 with \n line ends, no
// rows of white space only, no stray leading space).
func compareCSV(t *testing.T, data []byte) {
	if len(data) == 0 || !utf8.Valid(data) || bytes.ContainsAny(data, "\r\x00") || isSpace(data[0]) ||
		bytes.HasPrefix(data, []byte("#TYPE ")) || bytes.HasPrefix(data, []byte("\ufeff")) {
		return
	}
	fh, err := NewFile("fuzz", bytes.NewReader(data), Options{Format: LayoutCSV})
	if err != nil {
		return
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.LazyQuotes, cr.FieldsPerRecord, cr.Comma = true, -1, fh.Info().Delimiter
	rows, err := cr.ReadAll()
	if err != nil || len(rows) == 0 {
		return
	}
	header := rows[0]
	var want []map[string]string
	for _, row := range rows[1:] {
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" || len(row) > len(header) {
			return
		}
		m := map[string]string{}
		for i, v := range row {
			if _, dup := m[header[i]]; !dup {
				m[header[i]] = v
			}
		}
		want = append(want, m)
	}
	var got []map[string]string
	for {
		rec, err := fh.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return // an open quote at the end, which encoding/csv lets pass
		}
		m := map[string]string{}
		dec := json.NewDecoder(bytes.NewReader(rec.Data))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			v, _ := dec.Token()
			if _, dup := m[k.(string)]; !dup {
				m[k.(string)] = v.(string)
			}
		}
		got = append(got, m)
	}
	if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("rows differ from encoding/csv:\n got %q\nwant %q", got, want)
	}
}

// FuzzDetect reads any input, also gzip-compressed or in UTF-16, with
// format detection.
func FuzzDetect(f *testing.F) {
	seedFuzz(f, func(b []byte) { f.Add(b, uint8(0)) })
	f.Add([]byte("PK\x03\x04"), uint8(0))
	f.Add([]byte(`{"value":[{"a":1}]}`), uint8(1))
	f.Add([]byte("a,b\n1,2\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, wrap uint8) {
		switch wrap % 5 {
		case 1:
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write(data)
			w.Close()
			data = b.Bytes()
		case 2:
			data = append([]byte{0xff, 0xfe}, utf16le(data)...)
		case 3:
			data = utf16be(data)
		case 4:
			data = append([]byte("\ufeff"), data...)
		}
		drain(t, data, Options{})
	})
}

func utf16le(b []byte) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func utf16be(b []byte) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}
