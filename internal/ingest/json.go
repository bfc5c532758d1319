package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// evRead is returned by drive when a read failed (window.err).
const evRead scanEvent = 0xff

// frame kinds
const (
	frameArray    = iota + 1 // inside an array whose elements are read one by one
	frameEnvelope            // inside an envelope object, between its members
)

// frame is an array or envelope object the reader is inside of.
type frame struct {
	kind      int
	container Container // the container of the array's elements; None for a plain array
	comma     bool      // arrays: an element was read, ',' or ']' comes next
	line      int       // line the array or object opened on
	sig       []byte    // arrays: the first key of their elements, quoted, to resynchronise on
}

// jsonReader is the state of a JSON file being read.
type jsonReader struct {
	sc        scanner
	frames    []frame
	envelopes bool      // unwrap envelopes
	only      Container // a forced envelope layout: unwrap this one only
	container Container // the first envelope unwrapped, for Info
	firstByte byte

	lineMode  bool // one value per line: the NDJSON fast path
	autoLines bool // line mode is not decided yet
	tops      int  // top-level values begun
	topArrays int
	prevDone  bool // a top-level value was read to its end...
	prevOne   bool // ...all on one line...
	prevEnd   int  // ...ending on this line

	recovering bool // skipping lines after a malformed top-level value
	recoverCol int
	discarding bool  // the current value outgrew the record size limit
	pending    error // fatal error to return after the RecordError in hand
}

func (j *jsonReader) layout() string {
	switch {
	case j.container != ContainerNone:
		return j.container.String()
	case j.lineMode:
		return LayoutNDJSON
	case j.tops > 1:
		return LayoutJSONConcat
	case j.topArrays > 0 || (j.tops == 0 && j.firstByte == '['):
		return LayoutJSONArray
	}
	return LayoutJSONObject
}

// startJSON sets the reader up for a JSON file whose first value is at r.
func (f *File) startJSON() {
	j := &f.js
	f.mode = modeJSON
	j.firstByte = f.win.buf[f.win.r]
	j.autoLines = true
	switch f.forced {
	case "":
		j.envelopes = true
	case LayoutNDJSON:
		j.lineMode, j.autoLines = true, false
	case LayoutGraphPage:
		j.envelopes, j.only = true, ContainerGraphPage
	case LayoutAzureRecords:
		j.envelopes, j.only = true, ContainerAzureRecords
	case LayoutCloudTrail:
		j.envelopes, j.only = true, ContainerCloudTrail
	case LayoutK8sEventList:
		j.envelopes, j.only = true, ContainerK8sEventList
	}
}

// envelopeOf returns the container whose records an object member with this
// key holds, if its value is an array.
func (j *jsonReader) envelopeOf(key []byte) Container {
	var c Container
	switch string(key) {
	case "value":
		c = ContainerGraphPage
	case "records":
		c = ContainerAzureRecords
	case "Records":
		c = ContainerCloudTrail
	case "items":
		c = ContainerK8sEventList
	}
	if j.only != ContainerNone && c != j.only {
		return ContainerNone
	}
	return c
}

// isListKind reports a Kubernetes list kind ("EventList", "List", …) from
// the raw JSON value of "kind".
func isListKind(v []byte) bool {
	return len(v) >= 6 && v[0] == '"' && bytes.HasSuffix(v, []byte(`List"`))
}

func (f *File) nextJSON() (Record, error) {
	j := &f.js
	for {
		if j.pending != nil {
			return Record{}, j.pending
		}
		if f.done {
			return Record{}, io.EOF
		}
		var (
			rec Record
			ok  bool
			err error
		)
		if n := len(j.frames); n == 0 {
			rec, ok, err = f.nextTop()
		} else if fr := &j.frames[n-1]; fr.kind == frameArray {
			rec, ok, err = f.element(fr)
		} else {
			rec, ok, err = f.member(fr)
		}
		if ok || err != nil {
			return rec, err
		}
	}
}

// skipSpace consumes white space (and byte-order marks left by files
// concatenated together). It reports false at the end of input or when a
// read failed.
func (f *File) skipSpace() bool {
	w := &f.win
	for {
		i := w.r
		for i < w.w {
			c := w.buf[i]
			if isSpace(c) {
				i++
				continue
			}
			if c == 0xef && i+2 < w.w && w.buf[i+1] == 0xbb && w.buf[i+2] == 0xbf {
				i += 3
				continue
			}
			break
		}
		w.advance(i)
		if i < w.w {
			return true
		}
		if _, res := w.fill(); res != fillOK {
			return false
		}
	}
}

// endOfInput finishes the file at the end of its input.
func (f *File) endOfInput() (Record, bool, error) {
	if f.win.err != nil {
		return Record{}, false, f.readErr(f.win.err)
	}
	f.done = true
	return Record{}, false, io.EOF
}

// nextTop reads at the top level of the file.
func (f *File) nextTop() (Record, bool, error) {
	j, w := &f.js, &f.win
	for {
		if j.lineMode {
			return f.nextLine()
		}
		if !f.skipSpace() {
			return f.endOfInput()
		}
		if j.autoLines && j.prevDone {
			// The first value read whole decides: a value alone on its
			// line followed by one on a later line is NDJSON.
			j.autoLines = false
			if j.prevOne && w.line > j.prevEnd {
				j.lineMode, j.recovering = true, false
				return f.nextLine()
			}
		}
		c := w.buf[w.r]
		if j.recovering {
			col, leading, ok := w.column(w.r)
			if (c != '{' && c != '[') || (ok && (!leading || col > j.recoverCol)) {
				if !w.lineAfter(w.r) {
					return f.endOfInput()
				}
				continue
			}
			j.recovering = false
		}
		return f.topValue()
	}
}

// topValue reads the top-level value at r.
func (f *File) topValue() (Record, bool, error) {
	j, w := &f.js, &f.win
	c := w.buf[w.r]
	if c == '{' || c == '[' {
		j.tops++
	}
	if c == '[' {
		j.topArrays++
		j.frames = append(j.frames, frame{kind: frameArray, line: w.line})
		w.advance(w.r + 1)
		return Record{}, false, nil
	}
	return f.value(nil)
}

// topDone notes that a top-level value that began on startLine was read to
// its end.
func (f *File) topDone(startLine int) {
	j := &f.js
	j.prevDone, j.prevOne, j.prevEnd = true, startLine == f.win.line, f.win.line
}

// pop leaves the innermost array or envelope after its closing bracket.
func (f *File) pop() {
	j := &f.js
	n := len(j.frames) - 1
	line := j.frames[n].line
	j.frames = j.frames[:n]
	if n == 0 {
		f.topDone(line)
	} else if parent := &j.frames[n-1]; parent.kind == frameArray {
		parent.comma = true
	}
}

// drive runs the scanner from buffer index p until it stops for a reason
// other than needing input, refilling the window on the way. A value that
// outgrows the record size limit is still scanned to its end, but its bytes
// are dropped as they are passed (f.js.discarding).
func (f *File) drive(p int) (int, scanEvent) {
	j, w := &f.js, &f.win
	sc := &j.sc
	for {
		q, ev := sc.run(w.buf[:w.w], p)
		if ev != evMore {
			return q, ev
		}
		p = q
		if !j.discarding && w.w-w.r > f.opts.MaxRecordBytes {
			j.discarding, sc.watch = true, false
		}
		if j.discarding {
			w.advance(p)
		}
		shift, res := w.fill()
		p -= shift
		sc.rebase(shift)
		switch res {
		case fillEOF:
			return p, sc.finish()
		case fillErr:
			return p, evRead
		}
	}
}

// value reads the value at r, an element of the array fr or (fr nil) a
// top-level value. An object is a record, or an envelope whose records are
// then read through the frames it pushes; any other value is skipped.
func (f *File) value(fr *frame) (Record, bool, error) {
	j, w := &f.js, &f.win
	sc := &j.sc
	line := w.line
	off := w.base + int64(w.r)
	c := w.buf[w.r]
	container := ContainerNone
	if fr != nil {
		container = fr.container
	}
	sc.reset(c == '{' && j.envelopes && container == ContainerNone)
	sc.failDeep = j.lineMode
	j.discarding = false
	var (
		key                        Container
		isKind                     bool
		kindSeen, kindList, apiSee bool
		items                      = -1 // offset from r of an "items" array of a kind not yet known
	)
	p := w.r
	for {
		q, ev := f.drive(p)
		p = q
		switch ev {
		case evKey:
			k := w.buf[sc.strStart+1 : p-1]
			key, isKind = j.envelopeOf(k), string(k) == "kind"
			if string(k) == "apiVersion" {
				apiSee = true
			}
			sc.stopValue, sc.stopEnd = key != ContainerNone, isKind
			continue
		case evValue:
			if key != ContainerNone && w.buf[p] == '[' {
				// Kubernetes lists go by their kind, which kubectl writes
				// after "items", but after "apiVersion" too.
				if key != ContainerK8sEventList || j.only == ContainerK8sEventList || kindList || (!kindSeen && apiSee) {
					f.stream(key, line, p)
					return Record{}, false, nil
				}
				if !kindSeen {
					items = p - w.r
				}
			}
			continue
		case evValueEnd:
			if isKind {
				kindSeen, kindList = true, isListKind(w.buf[sc.valStart:p])
			}
			key, isKind = ContainerNone, false
			continue
		case evDone:
		default:
			return f.failed(fr, line, off, ev)
		}
		// The value is complete.
		if items >= 0 && kindList && !j.discarding {
			f.stream(ContainerK8sEventList, line, w.r+items)
			return Record{}, false, nil
		}
		var err error
		switch {
		case j.discarding:
			err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, f.opts.MaxRecordBytes)
		case sc.tooDeep:
			err = fmt.Errorf("%w: more than %d levels of arrays and objects", ErrTooDeep, MaxDepth)
		case c != '{':
			err = fmt.Errorf("%w: found %s", ErrNotObject, valueKind(c))
		}
		var rec Record
		if err == nil {
			// r is still at the start of the value: it was not discarded.
			rec = Record{Data: w.buf[w.r:p], Origin: f.origin(line, w.r), Container: container}
			f.index++
			if fr != nil && fr.sig == nil {
				fr.sig = append([]byte(nil), firstKey(rec.Data)...)
			}
		} else {
			err = f.recordErr(line, off, err)
		}
		w.advance(p)
		if fr != nil {
			fr.comma = true
		} else {
			f.topDone(line)
		}
		return rec, err == nil, err
	}
}

// stream starts reading the records of an envelope: the object that began
// on line holds them in the array at buffer index p.
func (f *File) stream(c Container, line, p int) {
	j, w := &f.js, &f.win
	if j.container == ContainerNone {
		j.container = c
	}
	j.frames = append(j.frames, frame{kind: frameEnvelope, container: c, line: line})
	w.advance(p + 1)
	j.frames = append(j.frames, frame{kind: frameArray, container: c, line: w.line})
}

// valueKind names the JSON value starting with c.
func valueKind(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return "a number"
}

// firstKey returns the first key of an object, with its quotes, if it is
// short and plain.
func firstKey(obj []byte) []byte {
	i := 1
	for i < len(obj) && isSpace(obj[i]) {
		i++
	}
	if i >= len(obj) || obj[i] != '"' {
		return nil
	}
	end := bytes.IndexByte(obj[i+1:], '"')
	if end < 1 || end > 64 || bytes.IndexByte(obj[i+1:i+1+end], '\\') >= 0 {
		return nil
	}
	return obj[i : i+end+2]
}

// failed handles a value that could not be read: it reports it and finds
// where reading can go on.
func (f *File) failed(fr *frame, line int, off int64, ev scanEvent) (Record, bool, error) {
	j, w := &f.js, &f.win
	if ev == evRead {
		return Record{}, false, f.readErr(w.err)
	}
	err := j.sc.err
	if j.discarding {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, f.opts.MaxRecordBytes)
	}
	rerr := f.recordErr(line, off, err)
	if errors.Is(err, ErrTruncated) {
		f.done = true
		return Record{}, false, rerr
	}
	// Unless the value was discarded, r is still at its start.
	start := w.r
	switch {
	case j.lineMode:
		j.frames = j.frames[:0]
		if !w.lineAfter(start) {
			j.pending = f.readErr(w.err)
		}
	case fr == nil:
		col, _, ok := w.column(start)
		if !ok {
			col = 1 << 30
		}
		j.recovering, j.recoverCol = true, col
		if !w.lineAfter(start) {
			j.pending = f.readErr(w.err)
		}
	default:
		sig := fr.sig
		if sig == nil && !j.discarding && w.buf[start] == '{' {
			sig = firstKey(w.buf[start:w.w])
		}
		if !f.resync(fr, sig, start+1) {
			if w.err != nil {
				j.pending = f.readErr(w.err)
			} else {
				j.pending = fmt.Errorf("%s:%d: %w in the array opened at line %d; %d records read before it, the rest of the file is not read",
					f.name, line, ErrResync, fr.line, f.info.Records)
			}
		}
	}
	return Record{}, false, rerr
}

// resync looks, from buffer index p on, for the next element of the array fr
// after a malformed one: an object whose first key is sig, right after a
// ',' (or a '[' of an array that follows, or garbage). It reports false if
// there is none.
func (f *File) resync(fr *frame, sig []byte, p int) bool {
	w := &f.win
	if len(sig) == 0 {
		return false
	}
	const lookBack = 256
	for {
		for {
			i := bytes.Index(w.buf[p:w.w], sig)
			if i < 0 {
				break
			}
			q := p + i
			if b := f.elementStart(q, len(sig)); b >= 0 {
				w.advance(b)
				fr.comma = false
				return true
			}
			p = q + 1
		}
		keep := max(w.r, w.w-len(sig)-lookBack)
		w.advance(keep)
		_, res := w.fill()
		p = w.r
		if res != fillOK {
			return false
		}
	}
}

// elementStart checks that the key at buffer index q (n bytes long) is the
// first key of an object that is an array element, and returns the index
// of the object's '{' (or -1).
func (f *File) elementStart(q, n int) int {
	w := &f.win
	e := q + n
	for e < w.w && isSpace(w.buf[e]) {
		e++
	}
	if e >= w.w || w.buf[e] != ':' {
		return -1
	}
	b := q - 1
	for b >= w.r && isSpace(w.buf[b]) {
		b--
	}
	if b < w.r || w.buf[b] != '{' {
		return -1
	}
	s := b - 1
	for s >= w.r && isSpace(w.buf[s]) {
		s--
	}
	// After ',' or '[' the object is an element (or a member of a nested
	// array, a risk taken); after ':' it is a member value. After bytes that
	// JSON does not allow there, it follows the garbage being skipped.
	if s < w.r || (w.buf[s] != ',' && w.buf[s] != '[' && classOf[w.buf[s]] != clOther) {
		return -1
	}
	return b
}

// element reads in the array fr: the next element, or its end.
func (f *File) element(fr *frame) (Record, bool, error) {
	w := &f.win
	if !f.skipSpace() {
		return f.unclosed(fr, "array")
	}
	c := w.buf[w.r]
	if fr.comma {
		switch c {
		case ']':
			w.advance(w.r + 1)
			f.pop()
			return Record{}, false, nil
		case ',':
			w.advance(w.r + 1)
			fr.comma = false
			return Record{}, false, nil
		case '{':
			// A missing comma between two objects loses nothing: read on.
			fr.comma = false
			return f.value(fr)
		}
		f.js.sc.err = fmt.Errorf("%w: expected ',' or ']' after an array element, found %s", ErrMalformed, describeByte(c))
		f.js.discarding = false
		return f.failed(fr, w.line, w.base+int64(w.r), evErr)
	}
	if c == ']' { // an empty array, or a trailing comma
		w.advance(w.r + 1)
		f.pop()
		return Record{}, false, nil
	}
	return f.value(fr)
}

// unclosed reports the end of input inside an array or envelope object.
func (f *File) unclosed(fr *frame, what string) (Record, bool, error) {
	if f.win.err != nil {
		return Record{}, false, f.readErr(f.win.err)
	}
	f.done = true
	return Record{}, false, f.recordErr(f.win.line, f.win.base+int64(f.win.r),
		fmt.Errorf("%w: the file ends before the %s opened at line %d is closed", ErrTruncated, what, fr.line))
}

// member reads in the envelope object fr, after the array of records it
// was found by: its other members are skipped, and another array under the
// same key is read too.
func (f *File) member(fr *frame) (Record, bool, error) {
	j, w := &f.js, &f.win
	if !f.skipSpace() {
		return f.unclosed(fr, "object")
	}
	switch c := w.buf[w.r]; c {
	case '}':
		w.advance(w.r + 1)
		f.pop()
		return Record{}, false, nil
	case ',':
		w.advance(w.r + 1)
	default:
		return f.badEnvelope(fr, fmt.Errorf("%w: expected ',' or '}' after an object member, found %s", ErrMalformed, describeByte(c)))
	}
	// The key.
	if !f.skipSpace() {
		return f.unclosed(fr, "object")
	}
	if w.buf[w.r] != '"' {
		return f.badEnvelope(fr, fmt.Errorf("%w: expected an object key, found %s", ErrMalformed, describeByte(w.buf[w.r])))
	}
	j.sc.reset(false)
	j.discarding = false
	p, ev := f.drive(w.r)
	if ev != evDone {
		return f.badScan(fr, ev)
	}
	c := j.envelopeOf(w.buf[w.r+1 : p-1])
	w.advance(p)
	if !f.skipSpace() {
		return f.unclosed(fr, "object")
	}
	if w.buf[w.r] != ':' {
		return f.badEnvelope(fr, fmt.Errorf("%w: expected ':' after an object key, found %s", ErrMalformed, describeByte(w.buf[w.r])))
	}
	w.advance(w.r + 1)
	if !f.skipSpace() {
		return f.unclosed(fr, "object")
	}
	// The value: records, or something to skip.
	if c == fr.container && w.buf[w.r] == '[' {
		w.advance(w.r + 1)
		j.frames = append(j.frames, frame{kind: frameArray, container: c, line: w.line})
		return Record{}, false, nil
	}
	j.sc.reset(false)
	j.discarding = false
	p, ev = f.drive(w.r)
	if ev != evDone {
		return f.badScan(fr, ev)
	}
	w.advance(p)
	return Record{}, false, nil
}

// badScan reports a scanner stop other than evDone inside an envelope.
func (f *File) badScan(fr *frame, ev scanEvent) (Record, bool, error) {
	if ev == evRead {
		return Record{}, false, f.readErr(f.win.err)
	}
	if errors.Is(f.js.sc.err, ErrTruncated) {
		return f.unclosed(fr, "object")
	}
	return f.badEnvelope(fr, f.js.sc.err)
}

// badEnvelope reports a malformed envelope object. In line mode reading
// goes on at the next line; otherwise the rest of the file is given up.
func (f *File) badEnvelope(fr *frame, err error) (Record, bool, error) {
	j, w := &f.js, &f.win
	if j.lineMode {
		rerr := f.recordErr(w.line, w.base+int64(w.r), err)
		j.frames = j.frames[:0]
		if !w.lineAfter(w.r) {
			j.pending = f.readErr(w.err)
		}
		return Record{}, false, rerr
	}
	return Record{}, false, fmt.Errorf("%s:%d: %w: in the object opened at line %d: %v; %d records read before it, the rest of the file is not read",
		f.name, w.line, ErrResync, fr.line, err, f.info.Records)
}
