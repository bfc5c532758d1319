package binenc

// A dictionary encodes the strings of one stream of records that repeat
// (field names, user names, addresses, countries) as references to their
// first occurrence, so that decoding one is a slice index, not a copy or a
// hash lookup. The writer and the reader build the same table from the
// same sequence of strings: a string not in the table is written in full
// (code 0, then its length and bytes) and, when at most dictLen bytes
// long, becomes the next entry; an entry is written as its index + 1.
// When the table holds dictMax entries it starts afresh before the next
// one is added, on both sides, so it stays small whatever the stream.
//
// Both sides must see every string of the stream, in order: a reader
// cannot skip a record.
//
// dictMax is small on purpose: a merge holds one reader per run, and the
// number of runs grows with the input up to the engine's MaxFanIn (about 170 for the 5 GB bench set with four matches
// per record, 32,768 per run, as runs were when this was measured; 340 with runs of 16,384); with 1024 entries the readers' strings made the 5 GB scan's peak RSS 7–9 MiB
// higher than with 128, for no speed measurable on this machine.
const (
	dictMax = 128
	dictLen = 128
)

// DictWriter is the writing side of a dictionary.
type DictWriter struct {
	ids map[string]uint32
}

// NewDictWriter returns an empty dictionary for one stream.
func NewDictWriter() *DictWriter { return &DictWriter{ids: make(map[string]uint32)} }

// Append appends s.
func (w *DictWriter) Append(dst []byte, s string) []byte {
	if id, ok := w.ids[s]; ok {
		return AppendUvarint(dst, uint64(id)+1)
	}
	dst = AppendUvarint(dst, 0)
	dst = AppendString(dst, s)
	if len(s) <= dictLen {
		if len(w.ids) >= dictMax {
			clear(w.ids)
		}
		w.ids[s] = uint32(len(w.ids))
	}
	return dst
}

// AppendList appends a string list with its length.
func (w *DictWriter) AppendList(dst []byte, ss []string) []byte {
	dst = AppendUvarint(dst, uint64(len(ss)))
	for _, s := range ss {
		dst = w.Append(dst, s)
	}
	return dst
}

// DictReader is the reading side of a dictionary. With an Interner, the
// strings it adds are shared with equal ones of other streams (one lookup
// per entry, not per reference).
type DictReader struct {
	list []string
	in   *Interner
}

// NewDictReader returns an empty dictionary for one stream, its strings
// shared through in (nil: not shared).
func NewDictReader(in *Interner) *DictReader { return &DictReader{in: in} }

// Ref reads a string DictWriter.Append wrote, through r.
func (d *Decoder) Ref(r *DictReader) string {
	code := d.Uvarint()
	if d.err != nil {
		return ""
	}
	if code > 0 {
		if code > uint64(len(r.list)) {
			d.fail()
			return ""
		}
		return r.list[code-1]
	}
	b := d.View()
	if d.err != nil {
		return ""
	}
	if len(b) > dictLen {
		return string(b)
	}
	s := r.in.String(b)
	if len(r.list) >= dictMax {
		r.list = r.list[:0]
	}
	r.list = append(r.list, s)
	return s
}

// RefList reads a list DictWriter.AppendList wrote (nil when empty).
func (d *Decoder) RefList(r *DictReader) []string {
	return d.list(func() string { return d.Ref(r) })
}

// AppendRefList reads a list DictWriter.AppendList wrote and appends its
// strings to dst, so that several lists can share one array (Lists).
func (d *Decoder) AppendRefList(dst []string, r *DictReader) []string {
	return d.appendList(dst, func() string { return d.Ref(r) })
}
