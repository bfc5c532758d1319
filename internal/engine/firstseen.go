package engine

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/idsentry/idsentry/internal/compile"
)

// First-seen inputs, sifted.
//
// A first-seen (new_value) correlation over successful sign-ins is fed by
// nearly every record of a tenant, yet fires only when a user shows a
// country or network not seen for them within its timespan: most of its
// inputs only confirm what the correlator knows. A Batch's workers
// therefore defer such inputs (deferPlan.nv) like the later steps of
// sequences, as hashes: of the group-by key and of each value (folded).
//
// Each worker keeps, as it defers an input, per correlation, the earliest
// and latest time each (key, value) pair was seen in each time slot one
// timespan long (its sifter); Finish merges the workers' sifters. A value is new at t only if no earlier input of
// its pair came within the timespan before t, so only the first input of
// a pair in a slot can be new, and only when the pair's last input in the
// slot before came more than a timespan earlier (or there was none), and
// t is past the learning period, which starts at the correlation's
// earliest input. The keys with such an input are kept, as are the keys
// of every whole input (a match that was not deferred: the correlator
// sees it anyway), the keys with as many slots as Options.MaxDistinct
// values (where the correlator starts forgetting), and every key once more
// than maxPairs pairs are tracked.
//
// Of inputs with the same key, time and identity (a record repeated) the
// correlator takes the first alone; a repeat with other values must not
// count as seen. Finish reads the deferred records once more for those
// at the ends of the pairs' spans (sifter.twin) and keeps the keys of
// repeats whose values differ. When the caller drops repeated IDs
// (Options.UniqueIDs, the scan's duplicate-record set) only ID-less
// records can share an identity (those of one line of a JSON array), and
// one event can feed a correlation twice (two of its rules, with other
// values when the field has an alias per rule): the keys of the ID-less
// records and of an event's differing inputs are kept instead, and the
// records are not read again.
//
// Every deferred input of a kept key is rebuilt and reaches the
// correlator, which sees all the inputs of those keys in the total order
// and none of the other keys', and so fires exactly as a Batch that
// defers nothing; the learning period starts where it would have
// (sifter.start). The others count as matches. Keys and values are
// compared by 64-bit hashes: two keys (users) whose hashes collide would
// share their values, so a value new to one could go unreported (about
// one chance in 10^7 for a million users).

// maxPairs is how many (key, value, slot) entries a Batch's workers track
// per first-seen correlation, all together (about 60 bytes each). Past it,
// every key is kept: exact, but every input is then rebuilt.
var maxPairs = 1 << 19 // a variable for the tests

// siftable returns the first-seen correlations whose inputs a Batch's
// workers may defer: over detection rules, with a timespan, and not the
// first step of a sequence (whose keys Batch.take notes from whole inputs).
func (e *Engine) siftable() map[*compile.Rule]bool {
	first := map[*compile.Rule]bool{}
	for _, r := range e.corrs {
		if c := r.Correlation; c.Type == compile.TemporalOrdered && len(c.Rules) > 0 {
			first[c.Rules[0]] = true
		}
	}
	out := map[*compile.Rule]bool{}
	for _, r := range e.corrs {
		c := r.Correlation
		if c.Type != compile.NewValue || c.Legacy || c.Timespan <= 0 || first[r] ||
			slices.ContainsFunc(c.Rules, func(x *compile.Rule) bool { return x.Correlation != nil }) {
			continue
		}
		out[r] = true
	}
	return out
}

// pairSlot is a (key, value) pair in a time slot one timespan long.
type pairSlot struct {
	kh, vh uint64
	slot   int64
}

// span is the earliest and latest time of a pair's inputs in a slot (Unix
// nanoseconds).
type span struct{ first, last int64 }

// endAt is a key at a time (Unix nanoseconds) where one of its pairs'
// spans begins or ends; twinKey, an identity there.
type (
	endAt struct {
		kh uint64
		t  int64
	}
	twinKey struct {
		kh, idh uint64
		t       int64
	}
)

// sifter gathers a Batch's first-seen inputs, by correlation index.
type sifter struct {
	// ends and twins find inputs the correlator skips as repeats (the
	// same identity and time as the key's input before): by key and time,
	// the ends of the pairs' spans; by key, time and identity at an end,
	// the hash of the values of the first input seen (twinClash: another
	// input of the same identity had other values).
	ends  []map[endAt]struct{}
	twins []map[twinKey]uint64
	first []time.Time // the earliest input's time (zero: none yet)
	pairs []map[pairSlot]span
	all   []bool // past maxPairs: every key kept
	// keep holds the kept keys: before decide, those kept whatever
	// their inputs (of whole inputs, of ID-less ones, ...).
	keep []map[uint64]struct{}
	// made, for a worker's sifter, counts the pairs all the batch's
	// workers made, by correlation: maxPairs bounds them together.
	made []atomic.Int64
}

// sifter returns b's sifter, made on first use; b.mu is held.
func (b *Batch) sifter() *sifter {
	if b.sift == nil {
		b.sift = newSifter(len(b.e.corrs))
	}
	return b.sift
}

func newSifter(n int) *sifter {
	return &sifter{first: make([]time.Time, n), pairs: make([]map[pairSlot]span, n), all: make([]bool, n),
		keep: make([]map[uint64]struct{}, n)}
}

// merge adds what o gathered (a worker's) to s.
func (s *sifter) merge(o *sifter) {
	if o == nil {
		return
	}
	for ci := range s.first {
		if !o.first[ci].IsZero() {
			s.input(ci, o.first[ci])
		}
		for kh := range o.keep[ci] {
			s.keepKey(ci, kh)
		}
		if s.all[ci] || o.all[ci] {
			s.all[ci], s.pairs[ci] = true, nil
			continue
		}
		if s.pairs[ci] == nil {
			s.pairs[ci] = o.pairs[ci]
			continue
		}
		ps := s.pairs[ci]
		for k, sp := range o.pairs[ci] {
			if old, ok := ps[k]; ok {
				ps[k] = span{min(old.first, sp.first), max(old.last, sp.last)}
			} else if len(ps) < maxPairs {
				ps[k] = sp
			} else {
				s.all[ci], s.pairs[ci] = true, nil
				break
			}
		}
	}
}

// input notes an input of correlation ci at t, never zero (whole inputs
// may lie outside the years Unix nanoseconds hold).
func (s *sifter) input(ci int, t time.Time) {
	if s.first[ci].IsZero() || t.Before(s.first[ci]) {
		s.first[ci] = t
	}
}

// whole notes a whole input of correlation ci, with key hash kh: its key
// is kept.
func (s *sifter) whole(ci int, kh uint64, t time.Time) {
	s.input(ci, t)
	s.keepKey(ci, kh)
}

// keepKey keeps the inputs of key hash kh of correlation ci.
func (s *sifter) keepKey(ci int, kh uint64) {
	if s.keep[ci] == nil {
		s.keep[ci] = map[uint64]struct{}{}
	}
	s.keep[ci][kh] = struct{}{}
}

// observe notes a deferred input of correlation ci at t, with key hash kh
// and the hashes of its values (8 bytes each).
func (s *sifter) observe(e *Engine, ci int, kh uint64, t int64, vals []byte) {
	s.input(ci, time.Unix(0, t))
	if s.all[ci] {
		return
	}
	ps := s.pairs[ci]
	if ps == nil {
		ps = map[pairSlot]span{}
		s.pairs[ci] = ps
	}
	slot := floorDiv(t, int64(e.corrs[ci].Correlation.Timespan))
	for ; len(vals) >= 8; vals = vals[8:] {
		k := pairSlot{kh: kh, vh: binary.LittleEndian.Uint64(vals), slot: slot}
		sp, ok := ps[k]
		switch {
		case !ok:
			if len(ps) >= maxPairs || (s.made != nil && s.made[ci].Add(1) > int64(maxPairs)) {
				s.all[ci], s.pairs[ci] = true, nil
				return
			}
			sp = span{t, t}
		case t < sp.first:
			sp.first = t
		case t > sp.last:
			sp.last = t
		default:
			continue
		}
		ps[k] = sp
	}
}

func floorDiv(n, d int64) int64 {
	q := n / d
	if n%d < 0 {
		q--
	}
	return q
}

// endings notes the ends of every pair's spans, and reports whether there
// are any: inputs at those keys and times are then read again (twin).
func (s *sifter) endings() bool {
	found := false
	s.ends = make([]map[endAt]struct{}, len(s.pairs))
	s.twins = make([]map[twinKey]uint64, len(s.pairs))
	for ci, ps := range s.pairs {
		if len(ps) == 0 {
			continue
		}
		ends := make(map[endAt]struct{}, len(ps))
		for k, sp := range ps {
			ends[endAt{k.kh, sp.first}] = struct{}{}
			ends[endAt{k.kh, sp.last}] = struct{}{}
		}
		s.ends[ci], s.twins[ci], found = ends, map[twinKey]uint64{}, true
	}
	return found
}

// twinClash marks a (key, time, identity) whose inputs had different
// values.
const twinClash = 0

// twin notes an input of correlation ci at a key and time where a span
// begins or ends. Of inputs with the same key, time and identity the
// correlator takes the first alone (a repeat of a record): when their
// values differ, the others' values were never seen, and may have made a
// span begin or end where the correlator has none; the key is then kept.
func (s *sifter) twin(ci int, kh uint64, t int64, idh uint64, vals []byte) {
	if _, ok := s.ends[ci][endAt{kh, t}]; !ok {
		return
	}
	vh := maphash.Bytes(twinSeed, vals) | 1 // never twinClash
	k := twinKey{kh: kh, idh: idh, t: t}
	switch old, ok := s.twins[ci][k]; {
	case !ok:
		s.twins[ci][k] = vh
	case old != vh:
		s.twins[ci][k] = twinClash
	}
}

var twinSeed = maphash.MakeSeed()

// decide chooses the kept keys, once every input was observed.
func (s *sifter) decide(e *Engine) {
	for ci, ps := range s.pairs {
		if ps == nil {
			continue
		}
		keep := s.keep[ci]
		if keep == nil {
			keep = map[uint64]struct{}{}
			s.keep[ci] = keep
		}
		c := e.corrs[ci].Correlation
		learning := learningOf(c)
		slots := map[uint64]int{}
		for k, sp := range ps {
			if n := slots[k.kh] + 1; n >= e.opts.MaxDistinct {
				keep[k.kh] = struct{}{}
			} else {
				slots[k.kh] = n
			}
			if time.Unix(0, sp.first).Sub(s.first[ci]) <= learning {
				continue
			}
			if prev, ok := ps[pairSlot{kh: k.kh, vh: k.vh, slot: k.slot - 1}]; ok && time.Unix(0, sp.first).Sub(time.Unix(0, prev.last)) <= c.Timespan {
				continue
			}
			keep[k.kh] = struct{}{}
		}
		if ci < len(s.twins) {
			for k, vh := range s.twins[ci] {
				if vh == twinClash {
					keep[k.kh] = struct{}{}
				}
			}
		}
		s.pairs[ci] = nil
	}
	s.ends, s.twins = nil, nil
}

// kept reports whether the inputs of correlation ci with key hash kh reach
// the correlator.
func (s *sifter) kept(ci int, kh uint64) bool {
	if s.all[ci] {
		return true
	}
	_, ok := s.keep[ci][kh]
	return ok
}

// start sets c's first-seen correlations to begin their learning periods
// at their earliest inputs, deferred ones included, as a correlator that
// sees every input does.
func (s *sifter) start(c *correlator) {
	if s == nil {
		return
	}
	for ci, t := range s.first {
		if !t.IsZero() {
			cs := c.states[ci]
			cs.started, cs.first = true, t
		}
	}
}

// foldHash is the hash of strings.ToLower(v), without making it when v is
// ASCII.
func foldHash(seed maphash.Seed, v string) uint64 {
	return foldHashBytes(seed, unsafe.Slice(unsafe.StringData(v), len(v)))
}

// foldHashBytes is foldHash of b (only read).
func foldHashBytes(seed maphash.Seed, b []byte) uint64 {
	var buf [64]byte
	if len(b) > len(buf) {
		return maphash.String(seed, strings.ToLower(string(b)))
	}
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return maphash.String(seed, strings.ToLower(string(b)))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return maphash.Bytes(seed, buf[:len(b)])
}
