package scan

import (
	"strconv"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
)

// TestIDSet adds enough IDs to grow every shard several times (the tables
// are re-mapped on each growth) and checks that each is new once, that a
// repeat is not, and that the kind is part of the identity.
func TestIDSet(t *testing.T) {
	s := newIDSet()
	defer s.free()
	const n = 300_000
	for i := range n {
		if !s.add(event.KindEntraSignIn, "id-"+strconv.Itoa(i)) {
			t.Fatalf("id-%d reported as seen on first add", i)
		}
	}
	for i := range n {
		if s.add(event.KindEntraSignIn, "id-"+strconv.Itoa(i)) {
			t.Fatalf("id-%d reported as new on its second add", i)
		}
	}
	if !s.add(event.KindEntraAudit, "id-0") {
		t.Fatal("the same ID of another kind reported as seen")
	}
	total := 0
	for i := range s.shards {
		sh := &s.shards[i]
		total += sh.n
		if sh.n*4 > len(sh.slots)*3 {
			t.Fatalf("shard %d over its load: %d in %d slots", i, sh.n, len(sh.slots))
		}
	}
	if total != n+1 {
		t.Fatalf("%d entries, want %d", total, n+1)
	}
	s.free()
	for i := range s.shards {
		if s.shards[i].slots != nil {
			t.Fatalf("shard %d holds its table after free", i)
		}
	}
}
