package output

import (
	"math/bits"
	"sort"
	"time"
)

// DaySet records on which UTC calendar days records of one log kind were
// seen, how many records, and the earliest and latest record time, so the
// summary can show each kind's time range and its gaps (days with no
// records between the first and the last). It stores one bit per day, so a
// year costs about 50 bytes.
//
// The zero value is empty and ready to use. A DaySet is not safe for
// concurrent use: keep one per worker and Merge them at the end.
type DaySet struct {
	words       map[int64]uint64 // day/64 → bitmap of days
	first, last time.Time
	records     int64
	lastDay     int64
	haveLast    bool
}

const secondsPerDay = 24 * 60 * 60

// dayNumber returns the number of whole UTC days between the Unix epoch and
// t, rounded towards negative infinity.
func dayNumber(t time.Time) int64 {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d--
	}
	return d
}

func dayTime(d int64) time.Time { return time.Unix(d*secondsPerDay, 0).UTC() }

// wordIndex splits a day number into its bitmap word and bit, flooring for
// negative days.
func wordIndex(d int64) (int64, uint) {
	w := d >> 6
	return w, uint(d - w<<6)
}

// Add records one record at time t. A zero time is counted as a record but
// has no day.
func (s *DaySet) Add(t time.Time) {
	s.records++
	if t.IsZero() {
		return
	}
	if s.first.IsZero() || t.Before(s.first) {
		s.first = t
	}
	if s.last.IsZero() || t.After(s.last) {
		s.last = t
	}
	d := dayNumber(t)
	if s.haveLast && d == s.lastDay {
		return
	}
	s.setDay(d)
	s.lastDay, s.haveLast = d, true
}

func (s *DaySet) setDay(d int64) {
	if s.words == nil {
		s.words = map[int64]uint64{}
	}
	w, b := wordIndex(d)
	s.words[w] |= 1 << b
}

// Merge adds every day, record and time bound of o to s.
func (s *DaySet) Merge(o *DaySet) {
	if o == nil {
		return
	}
	s.records += o.records
	if !o.first.IsZero() && (s.first.IsZero() || o.first.Before(s.first)) {
		s.first = o.first
	}
	if !o.last.IsZero() && (s.last.IsZero() || o.last.After(s.last)) {
		s.last = o.last
	}
	if len(o.words) > 0 && s.words == nil {
		s.words = make(map[int64]uint64, len(o.words))
	}
	for w, bitmap := range o.words {
		s.words[w] |= bitmap
	}
}

// Has reports whether a record was seen on t's UTC day.
func (s *DaySet) Has(t time.Time) bool {
	w, b := wordIndex(dayNumber(t))
	return s.words[w]&(1<<b) != 0
}

// Days returns the number of distinct days with records.
func (s *DaySet) Days() int {
	n := 0
	for _, bitmap := range s.words {
		n += bits.OnesCount64(bitmap)
	}
	return n
}

// Records returns the number of records added, zero times included.
func (s *DaySet) Records() int64 { return s.records }

// First returns the earliest record time (zero when none had a time).
func (s *DaySet) First() time.Time { return s.first }

// Last returns the latest record time (zero when none had a time).
func (s *DaySet) Last() time.Time { return s.last }

// Gap is a run of whole UTC days with no records, between a kind's first and
// last record. From and To are the first and last missing day (inclusive),
// as YYYY-MM-DD.
type Gap struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
}

// maxGaps bounds the gaps Gaps lists; GapDays counts every missing day.
const maxGaps = 50

// Gaps returns the runs of missing days between the first and the last day
// with records, oldest first, at most 50 of them (GapDays counts them all).
func (s *DaySet) Gaps() []Gap {
	days := s.sortedDays()
	var out []Gap
	for i := 1; i < len(days) && len(out) < maxGaps; i++ {
		if missing := days[i] - days[i-1] - 1; missing > 0 {
			out = append(out, Gap{
				From: dayTime(days[i-1] + 1).Format(time.DateOnly),
				To:   dayTime(days[i] - 1).Format(time.DateOnly),
				Days: int(missing),
			})
		}
	}
	return out
}

// GapDays returns the total number of missing days between the first and
// the last day with records.
func (s *DaySet) GapDays() int {
	days := s.sortedDays()
	if len(days) < 2 {
		return 0
	}
	return int(days[len(days)-1]-days[0]+1) - len(days)
}

// sortedDays lists the day numbers with records, ascending.
func (s *DaySet) sortedDays() []int64 {
	ws := make([]int64, 0, len(s.words))
	for w := range s.words {
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i] < ws[j] })
	var days []int64
	for _, w := range ws {
		bitmap := s.words[w]
		for bitmap != 0 {
			b := bits.TrailingZeros64(bitmap)
			days = append(days, w<<6+int64(b))
			bitmap &^= 1 << uint(b)
		}
	}
	return days
}
