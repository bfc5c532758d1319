package binenc

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestDict: a stream of records written through a DictWriter reads back
// through a DictReader string for string — repeats, long strings, empty
// lists, and past several resets of the table — and repeats are written as
// references, not again.
func TestDict(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	long := strings.Repeat("x", dictLen+1)
	in := NewInterner()
	w, r := NewDictWriter(), NewDictReader(in)
	var records [][]string
	var stream [][]byte
	for i := range 5 * dictMax {
		var rec []string
		switch rng.IntN(4) {
		case 0: // a value seen before, most likely
			rec = []string{"user@example.com", fmt.Sprint(rng.IntN(50))}
		case 1: // one never seen
			rec = []string{fmt.Sprint("new-", i)}
		case 2:
			rec = []string{long, "", "DE"}
		}
		records = append(records, rec)
		b := w.AppendList(nil, rec)
		b = w.Append(b, "userPrincipalName")
		stream = append(stream, b)
		if len(w.ids) > dictMax {
			t.Fatalf("writer holds %d strings", len(w.ids))
		}
	}
	for i, b := range stream {
		d := NewDecoder(b)
		got := d.RefList(r)
		name := d.Ref(r)
		if d.Err() != nil || d.Len() != 0 || !slices.Equal(got, records[i]) || name != "userPrincipalName" {
			t.Fatalf("record %d: %q %q, want %q (err %v, %d bytes left)", i, got, name, records[i], d.Err(), d.Len())
		}
		if len(r.list) > dictMax {
			t.Fatalf("reader holds %d strings", len(r.list))
		}

	}
	// Two streams' readers with one Interner share equal strings.
	b := NewDictWriter().Append(nil, "userPrincipalName")
	s1, s2 := NewDecoder(b).Ref(NewDictReader(in)), NewDecoder(b).Ref(NewDictReader(in))
	if s1 != "userPrincipalName" || unsafe.StringData(s1) != unsafe.StringData(s2) {
		t.Errorf("equal strings of two streams not shared: %q %q", s1, s2)
	}
	// A repeat costs its reference only.
	w = NewDictWriter()
	first := w.Append(nil, "user@example.com")
	again := w.Append(nil, "user@example.com")
	if len(again) != 1 || len(first) <= len(again) {
		t.Errorf("first %d bytes, repeat %d bytes", len(first), len(again))
	}
	// A reference to an entry the reader does not have is an error.
	d := NewDecoder(again)
	if s := d.Ref(&DictReader{}); s != "" || d.Err() == nil {
		t.Errorf("dangling reference read as %q, err %v", s, d.Err())
	}
}
