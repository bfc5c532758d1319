// Package binenc is the compact binary encoding of the records a scan
// spills to disk (sorted runs of matches, stored events): varints,
// length-prefixed strings, times. Decoding never panics: a short or
// corrupt buffer sets the Decoder's error and yields zero values.
package binenc

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"
)

// ErrCorrupt reports a buffer that ends early or holds an impossible length.
var ErrCorrupt = errors.New("binenc: corrupt or truncated record")

// AppendUvarint appends x.
func AppendUvarint(dst []byte, x uint64) []byte { return binary.AppendUvarint(dst, x) }

// AppendVarint appends x.
func AppendVarint(dst []byte, x int64) []byte { return binary.AppendVarint(dst, x) }

// AppendString appends s with its length.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendBytes appends b with its length.
func AppendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendStrings appends a string list with its length.
func AppendStrings(dst []byte, ss []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ss)))
	for _, s := range ss {
		dst = AppendString(dst, s)
	}
	return dst
}

// AppendBool appends b as one byte.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendFloat appends f's bits.
func AppendFloat(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// AppendTime appends t (as UTC; the zero time round-trips).
func AppendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	dst = binary.AppendVarint(dst, t.Unix())
	return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
}

// Decoder reads what the Append functions wrote.
type Decoder struct {
	b   []byte
	err error
	in  *Interner
}

// NewDecoder returns a decoder over b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// NewDecoderInterning returns a decoder over b whose Sym and Syms share
// equal strings through in.
func NewDecoderInterning(b []byte, in *Interner) *Decoder { return &Decoder{b: b, in: in} }

// Interner shares equal strings among decoded records: the values that
// repeat from record to record (field names, user names, addresses, file
// names) are then held once. It holds at most a fixed number of strings
// and starts afresh when full, so it stays small whatever it is fed. Not
// safe for concurrent use.
type Interner struct {
	m map[string]string
}

// internMax is the number of strings an Interner holds before it starts
// afresh; internLen the longest string it holds.
const (
	internMax = 1 << 14
	internLen = 128
)

// NewInterner returns an empty Interner.
func NewInterner() *Interner { return &Interner{m: make(map[string]string)} }

// String returns b as a string, shared with earlier equal ones (a nil
// Interner shares nothing).
func (in *Interner) String(b []byte) string {
	if in == nil || len(b) > internLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if len(in.m) >= internMax {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}

// Err returns the first error met.
func (d *Decoder) Err() error { return d.err }

// Len returns the bytes left.
func (d *Decoder) Len() int { return len(d.b) }

func (d *Decoder) fail() { d.err, d.b = ErrCorrupt, nil }

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return x
}

// Varint reads a signed varint.
func (d *Decoder) Varint() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return x
}

// Int reads an unsigned varint as a non-negative int.
func (d *Decoder) Int() int {
	x := d.Uvarint()
	if x > math.MaxInt32 {
		d.fail()
		return 0
	}
	return int(x)
}

// Bytes reads a length-prefixed byte string (a copy).
func (d *Decoder) Bytes() []byte { return append([]byte(nil), d.View()...) }

// View reads length-prefixed bytes without copying them: the result
// shares the decoder's input.
func (d *Decoder) View() []byte {
	n := d.Int()
	if d.err != nil {
		return nil
	}
	return d.Raw(n)
}

// Raw reads n bytes without copying them.
func (d *Decoder) Raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail()
		return nil
	}
	out := d.b[:n:n]
	d.b = d.b[n:]
	return out
}

// String reads a length-prefixed string.
func (d *Decoder) String() string { return string(d.View()) }

// Sym reads a string that is likely to repeat: shared through the
// decoder's Interner, when it has one.
func (d *Decoder) Sym() string {
	b := d.View()
	if d.err != nil {
		return ""
	}
	return d.in.String(b)
}

// Strings reads a string list (nil when empty).
func (d *Decoder) Strings() []string { return d.list(d.String) }

// list reads a list length and that many strings with read (nil when
// empty).
func (d *Decoder) list(read func() string) []string { return d.appendList(nil, read) }

// appendList reads a list length and appends that many strings, read with
// read, to dst.
func (d *Decoder) appendList(dst []string, read func() string) []string {
	n := d.Int()
	if d.err != nil || n == 0 {
		return dst
	}
	if n > len(d.b) { // every string takes at least one byte
		d.fail()
		return dst
	}
	dst = slices.Grow(dst, n)
	for range n {
		dst = append(dst, read())
	}
	return dst
}

// Bool reads one byte as a bool.
func (d *Decoder) Bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) < 1 || d.b[0] > 1 {
		d.fail()
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

// Float reads a float64.
func (d *Decoder) Float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

// Time reads a time (UTC).
func (d *Decoder) Time() time.Time {
	if !d.Bool() {
		return time.Time{}
	}
	sec := d.Varint()
	nsec := d.Uvarint()
	if nsec >= 1e9 {
		d.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
