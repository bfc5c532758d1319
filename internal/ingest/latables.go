package ingest

// Log Analytics query API results (Azure Monitor Log Analytics API, and the
// Azure portal's and Sentinel's API-based exports of a query), as
// MicrosoftDocs azure-monitor/logs/api/response-format.md documents them:
//
//	{"tables":[{"name":"PrimaryResult",
//	            "columns":[{"name":"TimeGenerated","type":"datetime"},…],
//	            "rows":[["2024-01-15T09:30:20Z",…],…]}]}
//
// Each row is an array of values in column order; the reader turns it into
// one JSON object keyed by the column names, {"TimeGenerated":"…",…}, the
// shape of a Log Analytics row exported as JSON, and streams the rows: a
// file is never held whole, only one row (bounded by the record size
// limit) and the current table's column names. Values are copied as they
// are (dynamic columns arrive as JSON text, as in other exports). Members
// other than "tables" (a partial "error") and table members other than
// "columns" and "rows" are skipped. The columns of a table must come
// before its rows, as the API writes them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// LayoutLATables is the layout of Log Analytics query API results.
const LayoutLATables = "la-tables"

// modeLATables is the read mode of such files (see file.go's modes).
const modeLATables = modeCSV + 100

// reader states
const (
	laTopKey   = iota // in the top-level object, before a key or its end
	laTables          // in the "tables" array
	laTableKey        // in a table object
	laRows            // in a table's "rows" array
	laDone
)

// laReader is the state of a Log Analytics results file being read.
type laReader struct {
	state int
	comma bool     // a member or element was read: ',' or the closing bracket comes next
	keys  [][]byte // the current table's column names as JSON strings followed by ':'
	out   []byte
	scan  laScan
}

// looksLATables reports whether head starts a Log Analytics results
// object: '{', then "tables" as its first key, then an array.
func looksLATables(head []byte) bool {
	rest, ok := cutJSON(head, "{")
	if !ok {
		return false
	}
	if rest, ok = cutJSON(rest, `"tables"`); !ok {
		return false
	}
	if rest, ok = cutJSON(rest, ":"); !ok {
		return false
	}
	_, ok = cutJSON(rest, "[")
	return ok
}

// cutJSON skips white space in b and then the token tok.
func cutJSON(b []byte, tok string) ([]byte, bool) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(b, []byte(tok)) {
		return nil, false
	}
	return b[len(tok):], true
}

// startLATables sets the reader up at the '{' of a results file.
func (f *File) startLATables() {
	f.mode = modeLATables
	f.win.advance(f.win.r + 1)
	f.la = laReader{state: laTopKey}
}

// nextLATables reads the next row.
func (f *File) nextLATables() (Record, error) {
	l, w := &f.la, &f.win
	for {
		if l.state == laDone || f.done {
			f.done = true
			return Record{}, io.EOF
		}
		if !f.skipSpace() {
			if w.err != nil {
				return Record{}, f.readErr(w.err)
			}
			f.done = true
			if l.state == laTopKey && l.comma {
				return Record{}, f.laErr(fmt.Errorf("%w: the file ends before the results object is closed", ErrTruncated))
			}
			return Record{}, f.laErr(fmt.Errorf("%w: the file ends inside the results", ErrTruncated))
		}
		c := w.buf[w.r]
		// Separators and closing brackets.
		switch {
		case c == ',' && l.comma:
			w.advance(w.r + 1)
			l.comma = false
			continue
		case (c == '}' && (l.state == laTopKey || l.state == laTableKey)) || (c == ']' && (l.state == laTables || l.state == laRows)):
			w.advance(w.r + 1)
			l.comma = true
			switch l.state {
			case laTopKey:
				l.state = laDone
			case laTables:
				l.state = laTopKey
			case laTableKey:
				l.state, l.keys = laTables, l.keys[:0]
			case laRows:
				l.state = laTableKey
			}
			continue
		case l.comma:
			return Record{}, f.laErr(fmt.Errorf("%w: expected ',' or a closing bracket, found %s", ErrMalformed, describeByte(c)))
		}
		switch l.state {
		case laTables:
			if c != '{' {
				return Record{}, f.laErr(fmt.Errorf("%w: a table is %s, not an object", ErrMalformed, valueKind(c)))
			}
			w.advance(w.r + 1)
			l.state = laTableKey
			continue
		case laRows:
			return f.laRow()
		}
		// A member of the top-level object or of a table.
		key, err := f.laKey()
		if err != nil {
			return Record{}, err
		}
		l.comma = true
		switch {
		case l.state == laTopKey && key == "tables":
			if err := f.laOpen('['); err != nil {
				return Record{}, err
			}
			l.state, l.comma = laTables, false
		case l.state == laTableKey && key == "columns":
			if err := f.laColumns(); err != nil {
				return Record{}, err
			}
		case l.state == laTableKey && key == "rows":
			if len(l.keys) == 0 {
				return Record{}, f.laErr(fmt.Errorf("%w: a table's rows come before its columns", ErrMalformed))
			}
			if err := f.laOpen('['); err != nil {
				return Record{}, err
			}
			l.state, l.comma = laRows, false
		default:
			if !f.skipSpace() {
				return Record{}, f.laErr(fmt.Errorf("%w: the file ends before a value", ErrTruncated))
			}
			if _, _, err := f.laValue(); err != nil {
				return Record{}, err
			}
		}
	}
}

// laErr makes err the fatal error of the file: the results are one JSON
// document, whose structure cannot be resynchronised.
func (f *File) laErr(err error) error {
	f.done = true
	return fmt.Errorf("%s:%d: %w", f.name, f.win.line, err)
}

// laKey reads an object key and the ':' after it.
func (f *File) laKey() (string, error) {
	w := &f.win
	if w.buf[w.r] != '"' {
		return "", f.laErr(fmt.Errorf("%w: expected an object key, found %s", ErrMalformed, describeByte(w.buf[w.r])))
	}
	raw, _, err := f.laValue()
	if err != nil {
		return "", err
	}
	var key string
	if json.Unmarshal(raw, &key) != nil {
		return "", f.laErr(fmt.Errorf("%w: an object key is not a valid string", ErrMalformed))
	}
	if err := f.laOpen(':'); err != nil {
		return "", err
	}
	return key, nil
}

// laOpen consumes white space and then the byte c.
func (f *File) laOpen(c byte) error {
	w := &f.win
	if !f.skipSpace() {
		if w.err != nil {
			return f.readErr(w.err)
		}
		return f.laErr(fmt.Errorf("%w: the file ends before '%c'", ErrTruncated, c))
	}
	if w.buf[w.r] != c {
		return f.laErr(fmt.Errorf("%w: expected '%c', found %s", ErrMalformed, c, describeByte(w.buf[w.r])))
	}
	w.advance(w.r + 1)
	return nil
}

// laColumns reads a table's "columns" array and keeps the column names.
func (f *File) laColumns() error {
	l := &f.la
	if !f.skipSpace() {
		return f.laErr(fmt.Errorf("%w: the file ends before a table's columns", ErrTruncated))
	}
	raw, _, err := f.laValue()
	if err != nil {
		return err
	}
	var cols []struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &cols) != nil {
		return f.laErr(fmt.Errorf("%w: a table's columns are not an array of {\"name\":…} objects", ErrMalformed))
	}
	l.keys = l.keys[:0]
	for _, c := range cols {
		k := appendJSONString(nil, []byte(c.Name))
		l.keys = append(l.keys, append(k, ':'))
	}
	return nil
}

// laRow reads one row and returns it as a record.
func (f *File) laRow() (Record, error) {
	l, w := &f.la, &f.win
	line, off := w.line, w.base+int64(w.r)
	origin := f.origin(line, w.r)
	if c := w.buf[w.r]; c != '[' {
		kind := valueKind(c)
		if c == '{' {
			kind = "an object"
		}
		if _, _, err := f.laValue(); err != nil {
			return Record{}, err
		}
		l.comma = true
		return Record{}, f.recordErr(line, off, fmt.Errorf("%w: a row is %s, not an array", ErrNotObject, kind))
	}
	raw, tooLarge, err := f.laValue()
	if err != nil {
		return Record{}, err
	}
	l.comma = true
	if tooLarge {
		return Record{}, f.recordErr(line, off, fmt.Errorf("%w: a row of more than %d bytes", ErrTooLarge, f.opts.MaxRecordBytes))
	}
	data, err := l.object(raw)
	if err != nil {
		return Record{}, f.recordErr(line, off, err)
	}
	rec := Record{Data: data, Origin: origin, Container: ContainerNone}
	f.index++
	return rec, nil
}

// object renders a row array as a JSON object keyed by the column names.
func (l *laReader) object(row []byte) ([]byte, error) {
	l.out = append(l.out[:0], '{')
	i, n := 1, 0 // after '['
	for {
		for i < len(row) && isSpace(row[i]) {
			i++
		}
		if i >= len(row) {
			return nil, fmt.Errorf("%w: a row is not closed", ErrMalformed)
		}
		if row[i] == ']' {
			break
		}
		if n > 0 {
			if row[i] != ',' {
				return nil, fmt.Errorf("%w: expected ',' between row values", ErrMalformed)
			}
			i++
			for i < len(row) && isSpace(row[i]) {
				i++
			}
		}
		var s laScan
		end, ok := s.value(row, i)
		if !ok || end == i {
			return nil, fmt.Errorf("%w: a row value is cut short", ErrMalformed)
		}
		if n >= len(l.keys) {
			return nil, fmt.Errorf("%w: a row has more values than the table's %d columns", ErrBadRow, len(l.keys))
		}
		if n > 0 {
			l.out = append(l.out, ',')
		}
		l.out = append(l.out, l.keys[n]...)
		l.out = append(l.out, row[i:end]...)
		i, n = end, n+1
	}
	return append(l.out, '}'), nil
}

// laValue reads the JSON value starting at r and consumes it. It returns
// its bytes, valid until the window moves, or, for a value longer than the
// record size limit, tooLarge after skipping it without keeping it.
func (f *File) laValue() (raw []byte, tooLarge bool, err error) {
	w, l := &f.win, &f.la
	l.scan = laScan{}
	p := w.r
	for {
		end, done := l.scan.value(w.buf[:w.w], p)
		if !done {
			p = end
			if !tooLarge && w.w-w.r > f.opts.MaxRecordBytes {
				tooLarge = true
			}
			if tooLarge {
				w.advance(p)
			}
			shift, res := w.fill()
			p -= shift
			switch res {
			case fillOK:
				continue
			case fillErr:
				return nil, false, f.readErr(w.err)
			}
			// The end of the input ends a number or literal; anything else
			// is cut short.
			if !l.scan.scalar || l.scan.inString {
				return nil, false, f.laErr(fmt.Errorf("%w: the file ends inside a value", ErrTruncated))
			}
			end = w.w
		}
		if tooLarge || end-w.r > f.opts.MaxRecordBytes {
			w.advance(end)
			return nil, true, nil
		}
		raw = w.buf[w.r:end]
		w.advance(end)
		return raw, false, nil
	}
}

// laScan finds the end of one JSON value, incrementally: value is called
// again from where it stopped after more input arrives. It checks brackets
// and strings, not the full grammar (the normaliser parses each row).
type laScan struct {
	started  bool
	scalar   bool // a number or literal, ending at a delimiter
	inString bool
	escape   bool
	depth    int
}

// value scans b from i and returns the index after the value and true, or
// len(b) and false when the value may go on past b.
func (s *laScan) value(b []byte, i int) (int, bool) {
	if !s.started {
		if i >= len(b) {
			return i, false
		}
		s.started = true
		switch b[i] {
		case '{', '[':
			s.depth = 1
		case '"':
			s.inString = true
		default:
			s.scalar = true
		}
		i++
	}
	for ; i < len(b); i++ {
		c := b[i]
		if s.inString {
			switch {
			case s.escape:
				s.escape = false
			case c == '\\':
				s.escape = true
			case c == '"':
				s.inString = false
				if s.depth == 0 {
					return i + 1, true
				}
			}
			continue
		}
		if s.scalar {
			if c == ',' || c == ']' || c == '}' || isSpace(c) {
				return i, true
			}
			continue
		}
		switch c {
		case '"':
			s.inString = true
		case '{', '[':
			s.depth++
		case '}', ']':
			s.depth--
			if s.depth == 0 {
				return i + 1, true
			}
		}
	}
	return len(b), false
}
