package main

import (
	"testing"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/detect"
	"github.com/idsentry/idsentry/internal/event"
)

// TestTimelineRowsByRecord: the matches of one record are one timeline row
// even when they carry different copies of it (as matches read back from
// different sorted runs do), and two records stay two rows.
func TestTimelineRowsByRecord(t *testing.T) {
	rec := func(line int, id string) *event.Event {
		return &event.Event{Kind: event.KindEntraSignIn, ID: id, Origin: event.Origin{File: "signins.json", Line: line}}
	}
	a1, a2, b := rec(1, "a").Clone(), rec(1, "a").Clone(), rec(2, "b").Clone()
	found := &detect.Result{Matched: []detect.MatchedEvent{
		{Rule: alert.RuleRef{ID: "r1"}, Event: a1},
		{Rule: alert.RuleRef{ID: "r2"}, Event: b},
		{Rule: alert.RuleRef{ID: "r3"}, Event: a2},
	}}
	rows := timelineRows(found)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (one per record)", len(rows))
	}
	if got := rows[0].Rules; len(got) != 2 || got[0].ID != "r1" || got[1].ID != "r3" {
		t.Errorf("first record's rules = %+v, want r1 and r3", got)
	}
	if got := rows[1].Rules; len(got) != 1 || got[0].ID != "r2" {
		t.Errorf("second record's rules = %+v, want r2", got)
	}
}
