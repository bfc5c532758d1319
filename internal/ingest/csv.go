package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// CSV files are read with the rules of encoding/csv with LazyQuotes and
// FieldsPerRecord -1 (a quoted cell may hold commas, doubled quotes and line
// breaks; a stray quote is kept as text; \r\n ends a line like \n), but on
// the reader's own window: encoding/csv keeps a whole record in memory
// however long it grows, and a single stray quote would make the rest of a
// file one record. Here a row is bounded by the record size limit, and a
// quoted cell left open at the end of the file is reported.
//
// The first row is the header. Each row becomes a JSON object whose keys are
// the header cells exactly as written and whose values are the cells as
// strings: a Log Analytics export's dynamic columns and a Purview
// export's AuditData column stay JSON text for the normaliser to parse.
// Windows PowerShell's Export-Csv may put a "#TYPE …" line before the header;
// it is skipped.

// parse results
const (
	csvOK        = iota // a whole row was parsed
	csvMore             // the row goes on past the buffered bytes
	csvOpenQuote        // the input ended inside a quoted cell
)

// csvReader is the state of a CSV file being read.
type csvReader struct {
	delim    byte
	keys     [][]byte // the header cells as JSON strings followed by ':'
	cells    []byte   // the cells of the current row, unquoted, back to back
	cellEnds []int
	inQuote  bool // csvMore stopped inside a quoted cell
	out      []byte
}

// parse reads one row from b into cells. At the end of input (atEOF) the
// last row needs no line break.
func (c *csvReader) parse(b []byte, atEOF bool) (int, int) {
	c.cells, c.cellEnds, c.inQuote = c.cells[:0], c.cellEnds[:0], false
	i := 0
cell:
	for {
		if i < len(b) && b[i] == '"' {
			i++
			for {
				q := bytes.IndexByte(b[i:], '"')
				if q < 0 {
					c.text(b[i:])
					if atEOF {
						c.end()
						return len(b), csvOpenQuote
					}
					c.inQuote = true
					return len(b), csvMore
				}
				c.text(b[i : i+q])
				i += q + 1
				if i == len(b) {
					if atEOF {
						c.end()
						return i, csvOK
					}
					return i, csvMore
				}
				switch b[i] {
				case '"':
					c.cells = append(c.cells, '"')
					i++
				case c.delim:
					c.end()
					i++
					continue cell
				case '\n':
					c.end()
					return i + 1, csvOK
				case '\r':
					switch {
					case i+1 < len(b) && b[i+1] == '\n':
						c.end()
						return i + 2, csvOK
					case i+1 == len(b) && atEOF:
						c.end()
						return i + 1, csvOK
					case i+1 == len(b):
						return i, csvMore
					}
					c.cells = append(c.cells, '"') // a bare quote, kept
				default:
					c.cells = append(c.cells, '"') // a bare quote, kept
				}
			}
		}
		j := i
		for j < len(b) && b[j] != c.delim && b[j] != '\n' {
			j++
		}
		if j == len(b) && !atEOF {
			return len(b), csvMore
		}
		if j < len(b) && b[j] == c.delim {
			c.cells = append(c.cells, b[i:j]...)
			c.end()
			i = j + 1
			continue
		}
		v := b[i:j]
		if len(v) > 0 && v[len(v)-1] == '\r' {
			v = v[:len(v)-1]
		}
		c.cells = append(c.cells, v...)
		c.end()
		return min(j+1, len(b)), csvOK
	}
}

// text appends quoted cell text, turning \r\n into \n.
func (c *csvReader) text(s []byte) {
	for {
		i := bytes.Index(s, []byte("\r\n"))
		if i < 0 {
			c.cells = append(c.cells, s...)
			return
		}
		c.cells = append(c.cells, s[:i]...)
		c.cells = append(c.cells, '\n')
		s = s[i+2:]
	}
}

func (c *csvReader) end() { c.cellEnds = append(c.cellEnds, len(c.cells)) }

// cell returns cell i of the current row.
func (c *csvReader) cell(i int) []byte {
	start := 0
	if i > 0 {
		start = c.cellEnds[i-1]
	}
	return c.cells[start:c.cellEnds[i]]
}

// blank reports a row with nothing but white space in it.
func (c *csvReader) blank() bool {
	return len(c.cellEnds) == 1 && len(bytes.TrimSpace(c.cells)) == 0
}

// object renders the current row as a JSON object keyed by the header.
func (c *csvReader) object() ([]byte, error) {
	n := len(c.cellEnds)
	if n > len(c.keys) {
		for i := len(c.keys); i < n; i++ {
			if len(c.cell(i)) > 0 {
				return nil, fmt.Errorf("%w: %d cells, but the header has %d", ErrBadRow, n, len(c.keys))
			}
		}
		n = len(c.keys)
	}
	c.out = append(c.out[:0], '{')
	for i := 0; i < n; i++ {
		if i > 0 {
			c.out = append(c.out, ',')
		}
		c.out = append(c.out, c.keys[i]...)
		c.out = appendJSONString(c.out, c.cell(i))
	}
	c.out = append(c.out, '}')
	return c.out, nil
}

// appendJSONString appends s as a JSON string. Bytes that are not valid
// UTF-8 are passed through for the JSON parser to judge.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x20 && b != '"' && b != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch b {
		case '"', '\\':
			dst = append(dst, '\\', b)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// errNotCSV means a file's first line is not a plausible CSV header.
var errNotCSV = errors.New("not a CSV header")

// startCSV reads the header of a CSV file starting at r. delim is the
// forced separator, or 0 to detect ',' or '\t'. Unless forced, a header that
// does not look like column names is refused with errNotCSV.
func (f *File) startCSV(delim byte, forced bool) error {
	w, c := &f.win, &f.cs
	if bytes.HasPrefix(w.buf[w.r:w.w], []byte("#TYPE ")) {
		if !w.lineAfter(w.r) {
			return f.readErr(w.err)
		}
		for w.r == w.w {
			if _, res := w.fill(); res != fillOK {
				break
			}
		}
	}
	if delim == 0 {
		first := w.buf[w.r:w.w]
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		commas, tabs := bytes.Count(first, []byte{','}), bytes.Count(first, []byte{'\t'})
		switch {
		case tabs > commas:
			delim = '\t'
		case commas > 0 || forced:
			delim = ','
		default:
			return errNotCSV
		}
	}
	c.delim = delim
	limit := f.opts.MaxRecordBytes
	if !forced {
		limit = min(limit, 1<<20)
	}
	for {
		n, st := c.parse(w.buf[w.r:w.w], w.eof)
		if st == csvMore {
			if w.w-w.r > limit {
				if forced {
					// Read as CSV on request, but its first line does not
					// end within a record's limit: nothing to read.
					return &FormatError{File: f.name, Compression: f.dec.compression, Encoding: f.dec.encoding,
						Look: fmt.Sprintf("CSV whose header line is longer than %d bytes (the record limit)", limit)}
				}
				return errNotCSV
			}
			if _, res := w.fill(); res == fillErr {
				return f.readErr(w.err)
			}
			continue
		}
		if st == csvOpenQuote && !forced {
			return errNotCSV
		}
		if !forced && !plausibleHeader(c) {
			return errNotCSV
		}
		c.keys = c.keys[:0]
		for i := range c.cellEnds {
			k := appendJSONString(nil, c.cell(i))
			c.keys = append(c.keys, append(k, ':'))
		}
		w.advance(w.r + n)
		f.mode = modeCSV
		f.info.Delimiter = rune(delim)
		return nil
	}
}

// plausibleHeader reports whether the parsed row looks like column names:
// at least two named cells, each short, none holding JSON, markup or
// control characters.
func plausibleHeader(c *csvReader) bool {
	named := 0
	for i := range c.cellEnds {
		h := c.cell(i)
		if len(h) > 128 || !utf8.Valid(h) {
			return false
		}
		for _, b := range h {
			if b < 0x20 || bytes.IndexByte([]byte(`{}<>=:;|\`), b) >= 0 {
				return false
			}
		}
		if len(bytes.TrimSpace(h)) > 0 {
			named++
		}
	}
	return named >= 2
}

// nextCSV reads the next row.
func (f *File) nextCSV() (Record, error) {
	w, c := &f.win, &f.cs
	for {
		if f.done {
			return Record{}, io.EOF
		}
		if w.r == w.w {
			if _, res := w.fill(); res != fillOK {
				if w.err != nil {
					return Record{}, f.readErr(w.err)
				}
				f.done = true
				return Record{}, io.EOF
			}
		}
		n, st := c.parse(w.buf[w.r:w.w], w.eof)
		if st == csvMore {
			if w.w-w.r > f.opts.MaxRecordBytes {
				return Record{}, f.skipRow()
			}
			if _, res := w.fill(); res == fillErr {
				return Record{}, f.readErr(w.err)
			}
			continue
		}
		line, start := w.line, w.r
		off := w.base + int64(start)
		w.advance(start + n)
		if st == csvOpenQuote {
			f.done = true
			return Record{}, f.recordErr(line, off, fmt.Errorf("%w: a quoted cell is still open at the end of the file", ErrBadRow))
		}
		if c.blank() {
			continue
		}
		data, err := c.object()
		if err != nil {
			return Record{}, f.recordErr(line, off, err)
		}
		rec := Record{Data: data, Origin: f.origin(line, start), Container: ContainerCSV}
		f.index++
		return rec, nil
	}
}

// skipRow skips a row longer than the record size limit without keeping it
// in memory, and reports it.
func (f *File) skipRow() error {
	w := &f.win
	err := f.recordErr(w.line, w.base+int64(w.r),
		fmt.Errorf("%w: a row of more than %d bytes", ErrTooLarge, f.opts.MaxRecordBytes))
	inQuote := false
	for {
		for i := w.r; i < w.w; i++ {
			switch w.buf[i] {
			case '"':
				inQuote = !inQuote
			case '\n':
				if !inQuote {
					w.advance(i + 1)
					return err
				}
			}
		}
		w.advance(w.w)
		if _, res := w.fill(); res != fillOK {
			if res == fillErr {
				f.fatal = f.readErr(w.err)
			}
			f.done = true
			return err
		}
	}
}
