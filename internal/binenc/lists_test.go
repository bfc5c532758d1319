package binenc

import (
	"slices"
	"testing"
)

// TestLists: lists come back as added (nil when empty), share one array,
// are capped so that an append to one leaves the next alone, and stay
// valid after the next Reset.
func TestLists(t *testing.T) {
	var l Lists
	add := func(ss ...string) { l.Next(func(dst []string) []string { return append(dst, ss...) }) }
	l.Reset()
	add("a", "b")
	add()
	add("c")
	l.Pack()
	if l.Len() != 3 || !slices.Equal(l.List(0), []string{"a", "b"}) || l.List(1) != nil || !slices.Equal(l.List(2), []string{"c"}) {
		t.Fatalf("lists %q %q %q", l.List(0), l.List(1), l.List(2))
	}
	if &l.List(0)[0] != &l.slab[0] || &l.List(2)[0] != &l.slab[2] {
		t.Error("the lists do not share one array")
	}
	first, third := l.List(0), l.List(2)
	_ = append(first, "x")
	if third[0] != "c" {
		t.Errorf("an append to one list changed the next: %q", third)
	}
	l.Reset()
	add("z", "z", "z")
	l.Pack()
	if !slices.Equal(first, []string{"a", "b"}) || !slices.Equal(third, []string{"c"}) {
		t.Errorf("lists changed by the next set: %q %q", first, third)
	}
}
