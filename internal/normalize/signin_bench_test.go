package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/idsentry/idsentry/internal/ingest"
)

// benchSignIns returns the Azure Monitor sign-in records of the public
// samples, one per NDJSON line (1.7–2.1 KB each, the size the issue's
// throughput target names), or skips.
func benchSignIns(b *testing.B) [][]byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(sharedData, "elastic-integrations/azure-signinlogs/test-non-interactive-user-sample.lines1-6.log"))
	if err != nil {
		b.Skipf("public samples not found: %v", err)
	}
	var recs [][]byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			recs = append(recs, line)
		}
	}
	return recs
}

func benchBytes(recs [][]byte) int64 {
	var n int64
	for _, r := range recs {
		n += int64(len(r))
	}
	return n / int64(len(recs))
}

// BenchmarkNormalizeSignIn measures parse + normalise of Azure Monitor
// sign-in records, and the encoding/json-into-map baseline the issue
// compares against:
//
//	go test ./internal/normalize -run '^$' -bench NormalizeSignIn -benchmem
func BenchmarkNormalizeSignIn(b *testing.B) {
	recs := benchSignIns(b)
	b.Run("idsentry", func(b *testing.B) {
		n := New()
		b.SetBytes(benchBytes(recs))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec := ingest.Record{Data: recs[i%len(recs)], Container: ingest.ContainerNone}
			ev, err := n.Normalize(rec)
			if err != nil || ev.Doc == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json-map", func(b *testing.B) {
		b.SetBytes(benchBytes(recs))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			var m map[string]any
			if err := json.Unmarshal(recs[i%len(recs)], &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
