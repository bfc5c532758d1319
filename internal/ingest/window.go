package ingest

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// Buffer sizes: a window starts small (fuzzing and small files open many
// readers) and grows to largeBuffer once a file proves big, for throughput.
const (
	initialBuffer = 64 << 10
	largeBuffer   = 1 << 20
)

// fill results
const (
	fillOK  = iota // more bytes were read
	fillEOF        // the input is exhausted
	fillErr        // a read failed; window.err says why
)

// window is a sliding read buffer over the decoded input. buf[r:w] holds the
// bytes not consumed yet. The unit being scanned (record, line, element)
// starts at r, which stays put while it is scanned: a refill moves buf[r:w]
// to the front of the buffer, so positions relative to r survive it.
type window struct {
	src   io.Reader
	buf   []byte
	r, w  int
	base  int64 // offset in the decoded stream of buf[0]
	line  int   // 1-based line number at r
	limit int   // the largest buffer: the record size limit plus one
	eof   bool
	err   error // sticky read error other than io.EOF
}

// bufPool keeps the buffers of closed windows that reached largeBuffer, so
// that reading many files does not allocate one each.
var bufPool = sync.Pool{New: func() any { return nil }}

func (w *window) init(src io.Reader, maxRecord int) {
	w.src = src
	w.line = 1
	w.limit = maxRecord + 1
	if w.limit < initialBuffer {
		w.limit = initialBuffer
	}
	if b, ok := bufPool.Get().(*[]byte); ok {
		w.buf = *b
	} else {
		w.buf = make([]byte, initialBuffer)
	}
}

// release gives the buffer back for another window to use.
func (w *window) release() {
	if cap(w.buf) == largeBuffer {
		b := w.buf[:largeBuffer]
		bufPool.Put(&b)
	}
	w.buf = nil
}

// fill reads more input into buf[w:], first moving buf[r:w] to the front or
// growing the buffer if there is no room. It returns how far the unread
// bytes moved (subtract it from absolute buffer indexes) and a fill result.
// The buffer never grows past limit: the caller makes sure that w-r stays
// within the record size limit.
func (w *window) fill() (shift int, res int) {
	if w.err != nil {
		return 0, fillErr
	}
	if w.eof {
		return 0, fillEOF
	}
	if w.w == len(w.buf) || w.r >= len(w.buf)/2 {
		pending := w.w - w.r
		size := len(w.buf)
		switch {
		case pending >= size/2 && size < w.limit:
			size = min(2*size, w.limit) // a long record: make room for it
		case w.base > int64(8*size) && size < largeBuffer:
			size = min(2*size, largeBuffer) // a long file: read in bigger chunks
		}
		if size != len(w.buf) {
			nb := make([]byte, size)
			copy(nb, w.buf[w.r:w.w])
			w.buf = nb
		} else {
			copy(w.buf, w.buf[w.r:w.w])
		}
		shift = w.r
		w.base += int64(w.r)
		w.r = 0
		w.w = pending
		if w.w == len(w.buf) {
			w.err = errBufferFull
			return shift, fillErr
		}
	}
	for tries := 0; tries < 100; tries++ {
		n, err := w.src.Read(w.buf[w.w:])
		w.w += n
		if err == io.EOF {
			w.eof = true
		} else if err != nil {
			w.err = err
		}
		if n > 0 {
			return shift, fillOK
		}
		if w.eof {
			return shift, fillEOF
		}
		if w.err != nil {
			return shift, fillErr
		}
	}
	w.err = io.ErrNoProgress
	return shift, fillErr
}

// errBufferFull means a caller let a unit outgrow the record size limit;
// it is a bug, reported as a read error rather than a panic.
var errBufferFull = errors.New("internal error: read buffer full")

// advance consumes buf[r:p], counting the lines it ends.
func (w *window) advance(p int) {
	w.line += bytes.Count(w.buf[w.r:p], newline)
	w.r = p
}

// lineAfter consumes input up to and including the next newline at or after
// buffer index p (or to the end of input). It reports false if a read
// failed.
func (w *window) lineAfter(p int) bool {
	for {
		if i := bytes.IndexByte(w.buf[p:w.w], '\n'); i >= 0 {
			w.advance(p + i + 1)
			return true
		}
		w.advance(w.w)
		_, res := w.fill()
		p = w.r
		switch res {
		case fillEOF:
			return true
		case fillErr:
			return false
		}
	}
}

// column returns how far buffer index p is from the start of its line and
// whether only white space precedes it there. ok is false when the line
// start is no longer in the buffer.
func (w *window) column(p int) (col int, leading bool, ok bool) {
	i := bytes.LastIndexByte(w.buf[:p], '\n')
	if i < 0 && w.base > 0 {
		return 0, false, false
	}
	for _, c := range w.buf[i+1 : p] {
		if c != ' ' && c != '\t' && c != '\r' {
			return p - i - 1, false, true
		}
	}
	return p - i - 1, true, true
}

var newline = []byte{'\n'}

// isSpace reports JSON white space.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }
