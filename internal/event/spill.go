package event

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

// Spill keeps the canonical JSON of stored events in a temporary file, so
// that a scan whose rules match most records (the base rules of
// correlations typically do) holds a small handle per match in memory
// rather than a copy of the event. A Stored created by CloneTo reads its
// JSON back on demand (JSON). Spill is safe for concurrent use.
//
// The file is unlinked by Close; the Stored values of a closed spill have
// no JSON, so close it only after the alerts and reports are written.
type Spill struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	size    int64 // bytes appended
	flushed int64 // bytes written to the file
	err     error
	closed  bool
}

// NewSpill creates the spill file in dir ("" for the system's temporary
// directory).
func NewSpill(dir string) (*Spill, error) {
	f, err := os.CreateTemp(dir, "idsentry-evidence-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("evidence spill file: %w", err)
	}
	return &Spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

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

// read returns the n bytes at off.
func (s *Spill) read(off int64, n int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, os.ErrClosed
	}
	if off+int64(n) > s.flushed {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("evidence spill file: %w", err)
			return nil, s.err
		}
		s.flushed = s.size
	}
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("evidence spill file: %w", err)
	}
	return b, nil
}

// Close closes and removes the spill file.
func (s *Spill) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
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
	*buf = AppendJSON((*buf)[:0], e.Doc)
	off, err := sp.add(*buf)
	if err != nil {
		st.Event = append(jsonRaw(nil), *buf...)
		return st
	}
	st.spill, st.off, st.n = sp, off, len(*buf)
	return st
}
