package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// detect finds the layout of the decoded input: JSON if it starts like a
// JSON object or an array of records, else CSV if its first line looks like
// a header row. Anything else is a *FormatError saying what it looks like.
func (f *File) detect() error {
	w := &f.win
	if !f.skipSpace() {
		if w.err != nil {
			return f.readErr(w.err)
		}
		f.mode = modeEmpty
		f.info.Empty = true
		return nil
	}
	// Look at the first few kilobytes.
	for w.w-w.r < 4096 && !w.eof && w.err == nil {
		if _, res := w.fill(); res == fillErr {
			return f.readErr(w.err)
		}
	}
	switch f.forced {
	case "":
	case LayoutCSV, formatTSV:
		delim := byte(0)
		if f.forced == formatTSV {
			delim = '\t'
		}
		return f.startCSV(delim, true)
	default:
		f.startJSON()
		return nil
	}
	if looksLATables(w.buf[w.r:w.w]) {
		f.startLATables()
		return nil
	}
	if looksJSON(w.buf[w.r:w.w]) {
		f.startJSON()
		return nil
	}
	if !looksBinary(w.buf[w.r:w.w]) {
		err := f.startCSV(0, false)
		if err == nil || !errors.Is(err, errNotCSV) {
			return err
		}
	}
	return &FormatError{File: f.name, Compression: f.dec.compression, Encoding: f.dec.encoding, Look: describe(w.buf[w.r:w.w])}
}

// looksJSON reports whether head starts a JSON object ({ then a key or })
// or an array of records ([ then {, [, ] or a string). A line like
// "[2024-05-01 12:00:00] …" is not JSON.
func looksJSON(head []byte) bool {
	if len(head) == 0 || (head[0] != '{' && head[0] != '[') {
		return false
	}
	i := 1
	for i < len(head) && isSpace(head[i]) {
		i++
	}
	if i == len(head) {
		return true
	}
	c := head[i]
	if head[0] == '{' {
		return c == '"' || c == '}'
	}
	return c == '{' || c == '[' || c == ']' || c == '"'
}

// magics names file types by their first bytes.
var magics = []struct{ magic, what string }{
	{"PK\x03\x04", "zip archive?"},
	{"PK\x05\x06", "empty zip archive?"},
	{"\x1f\x8b", "gzip data, compressed twice?"},
	{"BZh", "bzip2 data?"},
	{"\xfd7zXZ\x00", "xz data?"},
	{"\x28\xb5\x2f\xfd", "zstd data?"},
	{"7z\xbc\xaf\x27\x1c", "7-zip archive?"},
	{"Rar!\x1a\x07", "RAR archive?"},
	{"%PDF-", "PDF document?"},
	{"ElfFile\x00", "Windows event log (EVTX)?"},
	{"\x7fELF", "ELF executable?"},
	{"MZ", "Windows executable?"},
	{"SQLite format 3\x00", "SQLite database?"},
	{"PAR1", "Parquet file?"},
	{"Obj\x01", "Avro file?"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document?"},
	{"\x89PNG", "PNG image?"},
	{"\xff\xd8\xff", "JPEG image?"},
	{"GIF8", "GIF image?"},
}

// describe says what the start of a file that is not a log looks like.
func describe(head []byte) string {
	what := ""
	show := prefix(head, 16)
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			what, show = m.what, head[:max(len(m.magic), 4)]
			break
		}
	}
	if what == "" {
		lower := bytes.ToLower(prefix(head, 64))
		switch {
		case looksBinary(head):
			what = "binary data"
		case bytes.HasPrefix(lower, []byte("<?xml")):
			what = "XML"
		case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")):
			what = "HTML"
		case len(head) > 0 && head[0] == '<':
			what = "XML or HTML"
		default:
			what = "text, neither JSON nor CSV"
			show = prefix(head, 40)
			if i := bytes.IndexAny(show, "\r\n"); i >= 0 {
				show = show[:i]
			}
		}
	}
	return fmt.Sprintf("starts with %q (%s)", show, what)
}

// looksBinary reports data with NUL bytes, many control characters or much
// invalid UTF-8 in its first 512 bytes.
func looksBinary(head []byte) bool {
	head = prefix(head, 512)
	if len(head) == 0 {
		return false
	}
	bad := 0
	for i := 0; i < len(head); {
		c := head[i]
		if c == 0 {
			return true
		}
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 && len(head)-i >= utf8.UTFMax {
			bad++
		}
		i += n
	}
	return bad*10 > len(head)
}
