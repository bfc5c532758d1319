package ingest

import (
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
