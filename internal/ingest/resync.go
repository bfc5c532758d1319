package ingest

import (
	"bytes"
	"errors"
	"fmt"
)

// Resynchronising: after a malformed value, where reading can go on.

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
			sig = bytes.Clone(firstKey(w.buf[start:w.w])) // the window moves under resync
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
			if p > w.w {
				p = w.w // the malformed element ended at the buffer's end
			}
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
