package compile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

// shared is the shared data directory beside the checkout.
const shared = "../../../shared"

// corpusProducts are the logsource products idsentry reads.
var corpusProducts = []string{"azure", "m365", "aws", "kubernetes"}

// loadCorpus parses every SigmaHQ rule file (rules, rules-threat-hunting,
// rules-emerging-threats) whose logsource product is one idsentry reads.
func loadCorpus(tb testing.TB) []*sigma.Rule {
	tb.Helper()
	root := filepath.Join(shared, "data", "sigma", "sigmahq")
	if _, err := os.Stat(root); err != nil {
		tb.Skipf("SigmaHQ corpus not found at %s (shared data absent)", root)
	}
	var rules []*sigma.Rule
	for _, dir := range []string{"rules", "rules-threat-hunting", "rules-emerging-threats"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !productOf(data) {
				return nil
			}
			rs, _ := sigma.Parse(path, data)
			rules = append(rules, rs...)
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return rules
}

// productOf reports whether a rule file names one of corpusProducts.
func productOf(data []byte) bool {
	for _, p := range corpusProducts {
		if bytes.Contains(data, []byte("product: "+p+"\n")) || bytes.Contains(data, []byte("product: "+p+"\r\n")) {
			return true
		}
	}
	return false
}

// signInLines returns the Azure Monitor sign-in records of the public
// samples (about 1.6 to 2.6 KB each).
func signInLines(tb testing.TB) [][]byte {
	tb.Helper()
	dir := filepath.Join(shared, "data", "public", "elastic-integrations", "azure-signinlogs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(files) == 0 {
		tb.Skipf("sign-in samples not found in %s (shared data absent)", dir)
	}
	var lines [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, l := range bytes.Split(data, []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) > 0 {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// BenchmarkMatch measures parse + normalise + match of Azure Monitor
// sign-in records against every SigmaHQ rule for azure, m365, aws and
// kubernetes, beside a naive baseline (encoding/json into maps and an
// interpreter walking the AST) over the same records in the same run.
// compiled is the default (prefilter chosen per kind); compiled-prefilter
// and compiled-noprefilter force it on and off; normalize-only is the cost
// of parsing and normalising alone.
//
//	go test ./internal/compile -run '^$' -bench BenchmarkMatch -benchmem -cpu 1
func BenchmarkMatch(b *testing.B) {
	rules := loadCorpus(b)
	lines := signInLines(b)
	var total int64
	for _, l := range lines {
		total += int64(len(l))
	}
	b.Run("compiled", func(b *testing.B) { benchCompiled(b, rules, lines, total, Options{}) })
	b.Run("compiled-prefilter", func(b *testing.B) { benchCompiled(b, rules, lines, total, Options{Prefilter: PrefilterOn}) })
	b.Run("compiled-noprefilter", func(b *testing.B) { benchCompiled(b, rules, lines, total, Options{Prefilter: PrefilterOff}) })
	b.Run("naive", func(b *testing.B) { benchNaive(b, rules, lines, total) })
	b.Run("normalize-only", func(b *testing.B) { benchNormalize(b, lines, total) })
}

// benchNormalize is the floor: parsing and normalising without matching.
func benchNormalize(b *testing.B, lines [][]byte, total int64) {
	n := normalize.New()
	b.ReportAllocs()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			if _, err := n.Normalize(ingest.Record{Data: l}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchCompiled(b *testing.B, rules []*sigma.Rule, lines [][]byte, total int64, opts Options) {
	set, _ := Compile(rules, opts)
	m := set.NewMatcher()
	n := normalize.New()
	hits := 0
	emit := func(*Rule, []FieldValue) { hits++ }
	b.ReportAllocs()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			ev, err := n.Normalize(ingest.Record{Data: l})
			if err != nil {
				b.Fatal(err)
			}
			m.Match(ev, emit)
		}
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

func benchNaive(b *testing.B, rules []*sigma.Rule, lines [][]byte, total int64) {
	// The baseline reads canonical events, so it does less than the
	// compiled path (no normalisation); routing is by kind as well.
	n := normalize.New()
	docs := make([][]byte, len(lines))
	kinds := make([]event.Kind, len(lines))
	for i, l := range lines {
		ev, err := n.Normalize(ingest.Record{Data: l})
		if err != nil {
			b.Fatal(err)
		}
		docs[i], kinds[i] = ev.CanonicalJSON(), ev.Kind
	}
	in := newNaive(rules)
	hits := 0
	b.ReportAllocs()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, d := range docs {
			hits += in.match(kinds[j], d)
		}
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}
