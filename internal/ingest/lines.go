package ingest

import (
	"bytes"
	"fmt"
)

// nextLine is the NDJSON fast path: it finds each line with IndexByte and
// hands out a line that is a plain object ({…} with nothing before or after)
// as the record without scanning it. Anything else on a line (an envelope, an
// array, a value spanning lines, a deeply nested object) goes through the
// scanner; a line that cannot be JSON is reported and skipped.
func (f *File) nextLine() (Record, bool, error) {
	w := &f.win
	limit := f.opts.MaxRecordBytes
	for {
		end := bytes.IndexByte(w.buf[w.r:w.w], '\n')
		if end >= 0 {
			end += w.r
		} else {
			if w.w-w.r > limit {
				return f.longLine()
			}
			_, res := w.fill()
			if res == fillOK {
				continue
			}
			if w.r == w.w {
				return f.endOfInput()
			}
			if res == fillErr {
				return Record{}, false, f.readErr(w.err)
			}
			end = w.w
		}
		next := min(end+1, w.w)
		a, b := w.r, end
		for a < b && isSpace(w.buf[a]) {
			a++
		}
		if b-a >= 3 && w.buf[a] == 0xef && w.buf[a+1] == 0xbb && w.buf[a+2] == 0xbf {
			a += 3 // the byte-order mark of a file concatenated to the previous one
		}
		for b > a && isSpace(w.buf[b-1]) {
			b--
		}
		if a == b {
			w.r = next
			if end < w.w {
				w.line++
			}
			continue
		}
		line := w.buf[a:b]
		if b-a > limit {
			err := f.recordErr(w.line, w.base+int64(a), fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, b-a, limit))
			w.r = next
			w.line++
			return Record{}, false, err
		}
		if line[0] == '{' && line[len(line)-1] == '}' && f.plainLine(line) {
			rec := Record{Data: line, Origin: f.origin(w.line, a)}
			f.index++
			w.r = next
			w.line++
			return rec, true, nil
		}
		if f.js.lineMode && f.index > 0 && line[0] == '{' && !closesOnLine(line) && nextStartsRecord(w.buf[next:w.w]) {
			// In a file of one record per line, a record that does not
			// close on its line while the next line starts a new one was
			// cut short: scanning on would swallow the next lines into it.
			// (A pretty-printed object among the lines continues with a
			// key or a closing bracket, and still goes to the scanner.)
			// Report it and go on at the next line.
			err := f.recordErr(w.line, w.base+int64(a), fmt.Errorf("%w: the line ends inside the record", ErrTruncated))
			w.r = next
			if end < w.w {
				w.line++
			}
			return Record{}, false, err
		}
		if line[0] == '{' || line[0] == '[' {
			w.r = a
			return f.topValue()
		}
		err := f.recordErr(w.line, w.base+int64(a), fmt.Errorf("%w: the line starts with %q", ErrMalformed, prefix(line, 24)))
		w.r = next
		if end < w.w {
			w.line++
		}
		return Record{}, false, err
	}
}

// plainLine reports whether an NDJSON line that starts with '{' and ends
// with '}' may be handed out unscanned: it is not an envelope, and it has too
// few brackets to nest deeper than MaxDepth.
func (f *File) plainLine(line []byte) bool {
	if f.js.envelopes && envelopeLike(line) {
		return false
	}
	if len(line) <= MaxDepth {
		return true
	}
	// In valid JSON each level of object takes at least four bytes ({"":),
	// so counting '[' alone settles most lines.
	n := bytes.Count(line, []byte{'['})
	if n+len(line)/4 > MaxDepth {
		n += bytes.Count(line, []byte{'{'})
	}
	return n <= MaxDepth
}

// envelopeLike reports an object whose first key suggests an envelope.
// Kubernetes lists start with "kind" or "apiVersion" as their events do, so
// those are envelopes only if they have "items".
func envelopeLike(obj []byte) bool {
	i := 1
	for i < len(obj) && isSpace(obj[i]) {
		i++
	}
	rest := obj[i:]
	if len(rest) < 2 || rest[0] != '"' {
		return false
	}
	switch rest[1] {
	case 'r', 'R', 'v', 'i', '@', 'k', 'a':
	default:
		return false
	}
	for _, k := range [...]string{`"records"`, `"Records"`, `"value"`, `"items"`, `"@odata.`} {
		if bytes.HasPrefix(rest, []byte(k)) {
			return true
		}
	}
	if bytes.HasPrefix(rest, []byte(`"kind"`)) || bytes.HasPrefix(rest, []byte(`"apiVersion"`)) {
		return bytes.Contains(rest, []byte(`"items"`))
	}
	return false
}

// longLine skips a line longer than the record size limit without keeping
// it in memory.
func (f *File) longLine() (Record, bool, error) {
	w := &f.win
	line, off := w.line, w.base+int64(w.r)
	err := f.recordErr(line, off, fmt.Errorf("%w: a line of more than %d bytes", ErrTooLarge, f.opts.MaxRecordBytes))
	for {
		if i := bytes.IndexByte(w.buf[w.r:w.w], '\n'); i >= 0 {
			w.r += i + 1
			w.line++
			return Record{}, false, err
		}
		w.r = w.w
		if _, res := w.fill(); res != fillOK {
			if res == fillErr {
				f.js.pending = f.readErr(w.err)
			}
			return Record{}, false, err
		}
	}
}

// prefix returns up to n bytes of b, for messages.
func prefix(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// closesOnLine reports whether the brackets opened on a line are all closed
// by its end (strings and escapes honoured).
func closesOnLine(line []byte) bool {
	depth, inStr, esc := 0, false, false
	for _, c := range line {
		switch {
		case esc:
			esc = false
		case inStr:
			if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth <= 0 && !inStr
}

// nextStartsRecord reports whether the first non-blank line in b (the
// buffered text after the current line) starts a new object.
func nextStartsRecord(b []byte) bool {
	for _, c := range b {
		if isSpace(c) {
			continue
		}
		return c == '{'
	}
	return false
}
