package engine

import (
	"maps"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
)

// Stats are the engine's counters, for the scan summary and the service's
// metrics. Every cap and every dropped input is counted here.
type Stats struct {
	// Matches counts phase-1 matches evaluated; Hits the hits reported.
	Matches int64
	Hits    int64
	// DroppedHits counts the hits (in Hits) of deferred matches that
	// Finish dropped (Worker.DeferHits, Batch.KeepHits).
	DroppedHits int64
	// Unrebuilt counts deferred matches Finish could not rebuild from
	// their stored events (FinishFunc reports the first): a record
	// changed in its input file since the scan read it, or a stored copy
	// that reads differently from the event (canonical JSON, without
	// Spill.SetReparse, of a record holding numbers JSON does not allow).
	// They are missing from the hits.
	Unrebuilt int64
	// Firings counts correlation firings by rule (reported or not).
	Firings map[string]int64
	// Late counts matches a Stream dropped from correlation because they
	// arrived behind the lateness bound.
	Late int64
	// MissingGroup counts inputs without a value for a group-by field.
	MissingGroup int64
	// NonNumeric counts inputs of value_sum, value_avg, min and max whose
	// field has no numeric value.
	NonNumeric int64
	// NoTime counts matches without an event time (not correlated).
	NoTime int64
	// Duplicates counts inputs dropped as the same record twice by a
	// key's state (a window, a chain). It depends on which inputs reach a
	// state: not the copies of an input that opens nothing, a Stream
	// expires idle state sooner than a Batch, and a Batch drops the
	// deferred inputs that cannot matter (deferred.go) before any state
	// sees them. A diagnostic, not an invariant.
	Duplicates int64
	// DistinctOverflow counts values not tracked because a group reached
	// Options.MaxDistinct.
	DistinctOverflow int64
	// KeyOverflow counts inputs dropped because a correlation reached
	// Options.MaxKeys live keys (Stream).
	KeyOverflow int64
	// Keys is the number of live group-by keys (Stream).
	Keys int
}

func (s *Stats) firing(r *compile.Rule) {
	if s.Firings == nil {
		s.Firings = map[string]int64{}
	}
	s.Firings[r.String()]++
}

func (s *Stats) clone() Stats {
	c := *s
	c.Firings = maps.Clone(s.Firings)
	return c
}

// learningOf is the learning period of a new_value correlation.
func learningOf(c *compile.Correlation) time.Duration {
	if c.Learning > 0 {
		return c.Learning
	}
	return c.Timespan
}
