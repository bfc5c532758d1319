package binenc

import "slices"

// Lists gathers string lists one after another in a scratch array and then
// hands them out sharing one array of their exact total size: one
// allocation for all the lists of a record, not one per list. Each list
// handed out is capped at its length, so an append to it copies rather than
// writing into the next. Reset, Next for each list, Pack, then List; the
// lists stay valid after the next Reset (the scratch is not theirs). Not
// safe for concurrent use.
type Lists struct {
	strs  []string
	spans [][2]int
	slab  []string
}

// Reset starts a new set of lists.
func (l *Lists) Reset() { l.strs, l.spans, l.slab = l.strs[:0], l.spans[:0], nil }

// Next adds one list: fill appends its strings to the slice it is given.
func (l *Lists) Next(fill func(dst []string) []string) {
	start := len(l.strs)
	l.strs = fill(l.strs)
	l.spans = append(l.spans, [2]int{start, len(l.strs)})
}

// Len returns the number of lists added since Reset.
func (l *Lists) Len() int { return len(l.spans) }

// Pack copies the strings of the lists added since Reset into one array,
// and lets the scratch forget them.
func (l *Lists) Pack() {
	if len(l.strs) > 0 {
		l.slab = slices.Clone(l.strs)
		clear(l.strs)
	}
}

// List returns list i of those packed (nil when empty).
func (l *Lists) List(i int) []string {
	sp := l.spans[i]
	if sp[0] == sp[1] {
		return nil
	}
	return l.slab[sp[0]:sp[1]:sp[1]]
}
