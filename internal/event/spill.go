package event

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"github.com/idsentry/idsentry/internal/binenc"
)

// Spill keeps stored events out of memory, so that a scan whose rules match
// most records (the base rules of correlations typically do) holds a small
// handle per match rather than a copy of the event. A Stored created by
// CloneTo reads its JSON back on demand (JSON). By default the spill file
// holds each event's canonical JSON; with a renderer (SetRender) it holds
// the record as read, or nothing at all for a record its input file holds
// verbatim (Event.InFile), which is read from there again. Spill is safe
// for concurrent use.
//
// The file is unlinked by Close; the Stored values of a closed spill have
// no JSON, so close it only after the alerts and reports are written.
type Spill struct {
	// render, when set (SetRender), turns a record's original bytes back
	// into its canonical JSON: CloneTo then writes the original bytes,
	// a copy, rather than rendering every stored event.
	render func(raw []byte, container uint8, origin Origin) ([]byte, error)
	// reparse, when set (SetReparse), makes a stored record's event again
	// (Stored.Reread).
	reparse func(raw []byte, container uint8, origin Origin) (*Event, func(), error)

	mu      sync.Mutex
	inputs  map[string]*os.File // input files read back (events InFile)
	f       *os.File
	w       *bufio.Writer
	size    int64 // bytes appended
	flushed int64 // bytes written to the file
	err     error
	closed  bool
}

// NewSpill creates the spill file in dir ("" for the system's temporary
// directory).
func NewSpill(dir string) (*Spill, error) { return NewSpillNamed(dir, "idsentry-evidence-*.jsonl") }

// NewSpillNamed creates a spill file named after pattern (os.CreateTemp)
// in dir.
func NewSpillNamed(dir, pattern string) (*Spill, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("spill file: %w", err)
	}
	return &Spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// SetRender makes CloneTo store events as their original record bytes and
// JSON render them with fn on demand: fn must give the canonical JSON the
// event had, from the record, the container it was read from
// (Event.Container) and its origin (some exports name their sign-in type
// only in the file name). Set it before the first CloneTo.
func (s *Spill) SetRender(fn func(raw []byte, container uint8, origin Origin) ([]byte, error)) {
	s.render = fn
}

// SetReparse lets Stored.Reread make the event of a record stored as read
// (SetRender) again, as the scan made it from the same bytes: fn returns
// the event and a function to call once done with it. A record's
// canonical JSON is not always a fixpoint (numbers JSON does not allow,
// which fastjson reads, are written as strings), so a rule matched again
// on the event reads what it read the first time. Set it before the first
// CloneTo.
func (s *Spill) SetReparse(fn func(raw []byte, container uint8, origin Origin) (*Event, func(), error)) {
	s.reparse = fn
}

// Name returns the spill file's path.
func (s *Spill) Name() string { return s.f.Name() }

// Size returns the bytes written to the spill so far.
func (s *Spill) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// add appends b and returns its offset.
func (s *Spill) add(b []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	if s.closed {
		return 0, os.ErrClosed
	}
	off := s.size
	if _, err := s.w.Write(b); err != nil {
		s.err = fmt.Errorf("evidence spill file: %w", err)
		return 0, s.err
	}
	s.size += int64(len(b))
	return off, nil
}

// AppendFunc lets write append one contiguous section (a sorted run of
// matches) in as many writes as it likes, and returns the section's offset
// and length, for Section. Other writers wait meanwhile.
func (s *Spill) AppendFunc(write func(w io.Writer) error) (off, n int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, 0, s.err
	}
	if s.closed {
		return 0, 0, os.ErrClosed
	}
	off = s.size
	cw := &countWriter{w: s.w}
	err = write(cw)
	s.size += cw.n
	if err != nil {
		s.err = fmt.Errorf("evidence spill file: %w", err)
		return 0, 0, s.err
	}
	return off, cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Section returns a reader of the n bytes at off.
func (s *Spill) Section(off, n int64) (io.Reader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, os.ErrClosed
	}
	if off+n > s.flushed {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("evidence spill file: %w", err)
			return nil, s.err
		}
		s.flushed = s.size
	}
	return io.NewSectionReader(s.f, off, n), nil
}

// read returns the n bytes at off.
func (s *Spill) read(off int64, n int) ([]byte, error) {
	r, err := s.Section(off, int64(n))
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("evidence spill file: %w", err)
	}
	return b, nil
}

// readInput returns the n bytes at off of the input file name, if their
// checksum is sum.
func (s *Spill) readInput(name string, off int64, n int, sum uint32) ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, os.ErrClosed
	}
	f := s.inputs[name]
	if f == nil {
		var err error
		if f, err = os.Open(name); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if s.inputs == nil {
			s.inputs = map[string]*os.File{}
		}
		s.inputs[name] = f
	}
	s.mu.Unlock()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("read back %s: %w", name, err)
	}
	if crc32.Checksum(b, castagnoli) != sum {
		return nil, fmt.Errorf("read back %s: the record at offset %d changed since the scan read it", name, off)
	}
	return b, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Close closes and removes the spill file.
func (s *Spill) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	for _, f := range s.inputs {
		f.Close()
	}
	s.inputs = nil
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil {
		err = rerr
	}
	return err
}

// CloneTo is Clone with the canonical JSON written to sp instead of kept
// in memory; buf is a scratch buffer the caller reuses across calls. When
// the spill cannot be written (a full disk), the copy is kept in memory.
func (e *Event) CloneTo(sp *Spill, buf *[]byte) *Stored {
	st := &Stored{
		Kind:    e.Kind,
		Format:  e.Format,
		Subtype: e.Subtype,
		Time:    e.Time,
		ID:      e.ID,
		Origin:  e.Origin.String(),
		origin:  e.Origin,
	}
	if e.Doc == nil {
		return st
	}
	if sp.render != nil && len(e.Raw) > 0 && e.InFile && e.Origin.File != "" {
		// The record is in its input file, which is read again: nothing
		// is written; a checksum tells if the file changed meanwhile.
		st.spill, st.off, st.n = sp, e.Origin.Offset, len(e.Raw)
		st.raw, st.container, st.inFile = true, e.Container, true
		st.sum = crc32.Checksum(e.Raw, castagnoli)
		return st
	}
	if sp.render != nil && len(e.Raw) > 0 {
		// The record as read: a copy, where rendering the document
		// costs as much as parsing it.
		if off, err := sp.add(e.Raw); err == nil {
			st.spill, st.off, st.n = sp, off, len(e.Raw)
			st.raw, st.container = true, e.Container
			return st
		}
	}
	*buf = AppendJSON((*buf)[:0], e.Doc)
	off, err := sp.add(*buf)
	if err != nil {
		st.Event = append(jsonRaw(nil), *buf...)
		return st
	}
	st.spill, st.off, st.n = sp, off, len(*buf)
	return st
}

// AppendBinary appends the compact encoding of s; a spilled document stays
// in its spill file and only its place is written.
func (s *Stored) AppendBinary(dst []byte) []byte {
	dst = binenc.AppendUvarint(dst, uint64(s.Kind))
	dst = binenc.AppendString(dst, s.Format)
	dst = binenc.AppendString(dst, s.Subtype)
	dst = binenc.AppendTime(dst, s.Time)
	dst = binenc.AppendString(dst, s.ID)
	dst = binenc.AppendString(dst, s.Origin)
	dst = binenc.AppendString(dst, s.origin.File)
	dst = binenc.AppendVarint(dst, int64(s.origin.Line))
	dst = binenc.AppendVarint(dst, int64(s.origin.Index))
	dst = binenc.AppendVarint(dst, s.origin.Offset)
	spilled := s.Event == nil && s.spill != nil
	dst = binenc.AppendBool(dst, spilled)
	if spilled {
		dst = binenc.AppendUvarint(dst, uint64(s.off))
		dst = binenc.AppendUvarint(dst, uint64(s.n))
		dst = binenc.AppendBool(dst, s.raw)
		dst = binenc.AppendUvarint(dst, uint64(s.container))
		dst = binenc.AppendBool(dst, s.inFile)
		return binenc.AppendUvarint(dst, uint64(s.sum))
	}
	return binenc.AppendBytes(dst, s.Event)
}

// DecodeStored reads what AppendBinary wrote; sp is the spill file the
// document was written to (if it was).
func DecodeStored(d *binenc.Decoder, sp *Spill) *Stored {
	s := &Stored{}
	k := d.Uvarint()
	if k >= uint64(NumKinds) {
		k = 0
	}
	s.Kind = Kind(k)
	s.Format = d.Sym()
	s.Subtype = d.Sym()
	s.Time = d.Time()
	s.ID = d.String()
	s.Origin = d.String()
	s.origin.File = d.Sym()
	s.origin.Line = int(d.Varint())
	s.origin.Index = int(d.Varint())
	s.origin.Offset = d.Varint()
	if d.Bool() {
		s.spill = sp
		s.off = int64(d.Uvarint())
		s.n = d.Int()
		s.raw = d.Bool()
		s.container = uint8(d.Uvarint())
		s.inFile = d.Bool()
		s.sum = uint32(d.Uvarint())
	} else if b := d.Bytes(); len(b) > 0 {
		s.Event = b
	}
	return s
}
