package engine

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
)

// input is one match (or chained hit) fed to one correlation.
type input struct {
	t     time.Time
	ident string
	pos   int
	// hit is what the input contributes to a firing: a chained
	// correlation's hit, or the detection hit of match m, made on first
	// use (detectionHit).
	hit     *Hit
	m       *Match
	key     string
	group   []string
	values  []string // as written
	vkeys   []string // folded, the identity of each value
	counted []bool   // value_count/percentile: which values the window tracks
	num     float64
	numOK   bool
}

// detectionHit returns the input's hit, making it from its match the
// first time.
func (in *input) detectionHit() *Hit {
	if in.hit == nil && in.m != nil {
		in.hit = in.m.hit()
	}
	return in.hit
}

// bucket is the state of one (correlation, group-by key).
type bucket struct {
	key string
	// win[head:] is the window, in processing order.
	win  []*input
	head int
	agg  agg
	// chain[k] is the ordered chain of matches of rules 0..k with the
	// latest start (temporal_ordered).
	chain [][]*input
	// closeAt is the pending close of a complete-window correlation.
	closeAt   time.Time
	scheduled bool
	// last is the last input processed, for de-duplication: only what the
	// check reads, so that it does not keep the input's match alive.
	last lastInput
	// seen holds new_value's known values and when each was last seen.
	seen map[string]time.Time
}

// lastInput identifies a bucket's last input (ok: there is one).
type lastInput struct {
	ident string
	t     time.Time
	pos   int
	ok    bool
}

func (b *bucket) window() []*input { return b.win[b.head:] }

func (b *bucket) push(in *input) {
	if b.head > 0 && b.head*2 >= len(b.win) {
		n := copy(b.win, b.win[b.head:])
		clear(b.win[n:])
		b.win = b.win[:n]
		b.head = 0
	}
	b.win = append(b.win, in)
}

func (b *bucket) pop() *input {
	in := b.win[b.head]
	b.win[b.head] = nil
	b.head++
	return in
}

func (b *bucket) reset() {
	clear(b.win)
	b.win = b.win[:0]
	b.head = 0
	b.agg.reset()
	for i := range b.chain {
		b.chain[i] = nil
	}
}

// agg is the incremental aggregate of a window.
type agg struct {
	n         int            // inputs
	counts    map[string]int // value_count, value_percentile: per folded value
	values    int            // value_percentile: values counted
	perPos    []int          // temporal: inputs per referenced rule
	positions int            // temporal: rules with an input
	sum       float64        // value_sum, value_avg
	nums      int
}

func (a *agg) reset() {
	a.n, a.values, a.positions, a.sum, a.nums = 0, 0, 0, 0, 0
	clear(a.counts)
	clear(a.perPos)
}

// add adds in to the aggregate; it reports how many distinct values could
// not be tracked because of the cap.
func (a *agg) add(typ compile.CorrelationType, in *input, maxDistinct int) (overflow int) {
	a.n++
	switch typ {
	case compile.ValueCount, compile.ValuePercentile:
		if a.counts == nil {
			a.counts = map[string]int{}
		}
		in.counted = make([]bool, len(in.vkeys))
		for i, v := range in.vkeys {
			if _, ok := a.counts[v]; !ok && len(a.counts) >= maxDistinct {
				overflow++
				continue
			}
			a.counts[v]++
			a.values++
			in.counted[i] = true
		}
	case compile.Temporal:
		for len(a.perPos) <= in.pos {
			a.perPos = append(a.perPos, 0)
		}
		if a.perPos[in.pos] == 0 {
			a.positions++
		}
		a.perPos[in.pos]++
	case compile.ValueSum, compile.ValueAvg:
		if in.numOK {
			a.sum += in.num
			a.nums++
		}
	}
	return overflow
}

func (a *agg) remove(typ compile.CorrelationType, in *input) {
	a.n--
	switch typ {
	case compile.ValueCount, compile.ValuePercentile:
		for i, v := range in.vkeys {
			if i < len(in.counted) && in.counted[i] {
				if a.counts[v]--; a.counts[v] == 0 {
					delete(a.counts, v)
				}
				a.values--
			}
		}
	case compile.Temporal:
		a.perPos[in.pos]--
		if a.perPos[in.pos] == 0 {
			a.positions--
		}
	case compile.ValueSum, compile.ValueAvg:
		if in.numOK {
			a.sum -= in.num
			a.nums--
		}
	}
}

// eval computes the window's aggregate and whether the condition holds.
func (a *agg) eval(c *compile.Correlation, win []*input) (value float64, subject string, ok bool) {
	switch c.Type {
	case compile.EventCount:
		value = float64(a.n)
	case compile.ValueCount:
		value = float64(len(a.counts))
	case compile.Temporal:
		value = float64(a.positions)
	case compile.ValueSum:
		if a.nums == 0 {
			return 0, "", false
		}
		value = a.sum
	case compile.ValueAvg:
		if a.nums == 0 {
			return 0, "", false
		}
		value = a.sum / float64(a.nums)
	case compile.ValueMin, compile.ValueMax:
		found := false
		for _, in := range win {
			if !in.numOK {
				continue
			}
			if !found || (c.Type == compile.ValueMin && in.num < value) || (c.Type == compile.ValueMax && in.num > value) {
				value = in.num
			}
			found = true
		}
		if !found {
			return 0, "", false
		}
	case compile.ValuePercentile:
		if a.values == 0 {
			return 0, "", false
		}
		best, bestShare := "", math.Inf(1)
		for v, n := range a.counts {
			share := 100 * float64(n) / float64(a.values)
			if !c.Holds(share) {
				continue
			}
			if share < bestShare || (share == bestShare && v < best) {
				best, bestShare = v, share
			}
		}
		if best == "" && math.IsInf(bestShare, 1) {
			return 0, "", false
		}
		// Report the value as written in its first match.
		for _, in := range win {
			for i, k := range in.vkeys {
				if k == best {
					return bestShare, in.values[i], true
				}
			}
		}
		return bestShare, best, true
	}
	return value, "", c.Holds(value)
}

// parseNumber reads a decimal number written as text ("42", "-1.5e3");
// "inf", "nan" and hexadecimal forms are not numbers here.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
