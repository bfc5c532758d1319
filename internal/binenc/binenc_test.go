package binenc

import (
	"fmt"
	"slices"
	"testing"
	"time"
	"unsafe"
)

func TestRoundTrip(t *testing.T) {
	ts := time.Date(2026, 11, 16, 8, 30, 0, 123456789, time.UTC)
	var b []byte
	b = AppendUvarint(b, 300)
	b = AppendVarint(b, -5)
	b = AppendString(b, "héllo")
	b = AppendBytes(b, []byte{0, 1, 2})
	b = AppendStrings(b, []string{"a", "", "c"})
	b = AppendStrings(b, nil)
	b = AppendBool(b, true)
	b = AppendFloat(b, -1.5)
	b = AppendTime(b, ts)
	b = AppendTime(b, time.Time{})
	d := NewDecoder(b)
	if got := d.Uvarint(); got != 300 {
		t.Errorf("Uvarint = %d", got)
	}
	if got := d.Varint(); got != -5 {
		t.Errorf("Varint = %d", got)
	}
	if got := d.String(); got != "héllo" {
		t.Errorf("String = %q", got)
	}
	if got := d.Bytes(); !slices.Equal(got, []byte{0, 1, 2}) {
		t.Errorf("Bytes = %v", got)
	}
	if got := d.Strings(); !slices.Equal(got, []string{"a", "", "c"}) {
		t.Errorf("Strings = %q", got)
	}
	if got := d.Strings(); got != nil {
		t.Errorf("empty Strings = %q", got)
	}
	if !d.Bool() {
		t.Error("Bool = false")
	}
	if got := d.Float(); got != -1.5 {
		t.Errorf("Float = %v", got)
	}
	if got := d.Time(); !got.Equal(ts) || got.Location() != time.UTC {
		t.Errorf("Time = %v", got)
	}
	if got := d.Time(); !got.IsZero() {
		t.Errorf("zero Time = %v", got)
	}
	if d.Err() != nil || d.Len() != 0 {
		t.Errorf("err %v, %d bytes left", d.Err(), d.Len())
	}
}

// TestInterner: Sym reads what String reads, equal strings come back
// shared, and the table stays bounded.
func TestInterner(t *testing.T) {
	in := NewInterner()
	long := string(make([]byte, internLen+1))
	var b []byte
	for i := 0; i < internMax+10; i++ {
		b = AppendString(b[:0], "user@example.com")
		for _, x := range []string{"DE", long, fmt.Sprint(i)} {
			b = AppendString(b, x)
		}
		d := NewDecoderInterning(b, in)
		s := d.Sym()
		list := []string{d.Sym(), d.Sym(), d.Sym()}
		if d.Err() != nil || s != "user@example.com" || !slices.Equal(list, []string{"DE", long, fmt.Sprint(i)}) {
			t.Fatalf("record %d: %q %q (err %v)", i, s, list, d.Err())
		}
		if i == 1 {
			d2 := NewDecoderInterning(b, in)
			if s2 := d2.Sym(); unsafe.StringData(s2) != unsafe.StringData(s) {
				t.Error("equal strings not shared")
			}
		}
		if len(in.m) > internMax {
			t.Fatalf("interner holds %d strings", len(in.m))
		}
	}
	if _, ok := in.m[long]; ok {
		t.Error("a long string was interned")
	}
}

// FuzzDecoder feeds arbitrary bytes to every reader: errors, never panics.
func FuzzDecoder(f *testing.F) {
	f.Add(AppendStrings(AppendTime(nil, time.Unix(5, 6)), []string{"x"}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoderInterning(b, NewInterner())
		r := &DictReader{}
		for d.Err() == nil && d.Len() > 0 {
			_ = d.Time()
			_ = d.Strings()
			_ = d.Sym()
			_ = d.RefList(r)
			_ = d.Ref(r)
			_ = d.Bytes()
			_ = d.Float()
			_ = d.Varint()
		}
	})
}
