package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// BenchmarkCorrelate measures phase 2 alone: a Batch over 100 000 matches
// of 1 000 users feeding every correlation type of allTypes.
//
//	go test ./internal/engine -run '^$' -bench BenchmarkCorrelate -benchmem -cpu 1
func BenchmarkCorrelate(b *testing.B) {
	set := compileRules(b, allTypes)
	e := New(set, Options{})
	w := e.NewWorker()
	r := rand.New(rand.NewPCG(1, 2))
	codes := []int{0, 50126, 500121}
	var matches []*Match
	at := t0
	for i := 0; len(matches) < 100000; i++ {
		at = at.Add(time.Duration(r.IntN(100)) * time.Millisecond)
		doc := fmt.Sprintf(`{"userPrincipalName":"u%d","ipAddress":"10.0.%d.%d","status":{"errorCode":%d},"processingTimeInMilliseconds":%d}`,
			r.IntN(1000), r.IntN(4), r.IntN(250), codes[r.IntN(len(codes))], r.IntN(600))
		ev := signIn(b, fmt.Sprint(i), at, doc)
		ev.Kind = event.KindEntraSignIn
		w.Match(ev, func(m *Match) { matches = append(matches, m) })
	}
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		batch := e.NewBatch()
		for _, m := range matches {
			batch.Add(m)
		}
		hits += len(batch.Finish())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(matches)), "ns/match")
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}
