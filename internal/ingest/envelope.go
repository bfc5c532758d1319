package ingest

import (
	"bytes"
	"errors"
	"fmt"
)

// Arrays and envelopes: the frames a JSON file is read through.

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
	c := ContainerNone
	if !j.discarding { // a key longer than the record size limit is not one we look for
		c = j.envelopeOf(w.buf[w.r+1 : p-1])
	}
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
