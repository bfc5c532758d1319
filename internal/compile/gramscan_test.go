package compile

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
)

// occurrence is one literal found at a position of a text.
type occurrence struct {
	id    int32
	start int
}

// naiveOccurrences lists every occurrence of every literal in text,
// ignoring ASCII case: what a gramScanner must report.
func naiveOccurrences(lits []string, text []byte) []occurrence {
	folded := make([]byte, len(text))
	for i, c := range text {
		folded[i] = foldASCII[c]
	}
	var out []occurrence
	for id, l := range lits {
		l = string(lowerString(l))
		for s := 0; s+len(l) <= len(folded); s++ {
			if string(folded[s:s+len(l)]) == l {
				out = append(out, occurrence{int32(id), s})
			}
		}
	}
	return sortOccurrences(out)
}

func sortOccurrences(o []occurrence) []occurrence {
	slices.SortFunc(o, func(a, b occurrence) int {
		if a.id != b.id {
			return int(a.id - b.id)
		}
		return a.start - b.start
	})
	return o
}

// scanOccurrences runs the scanner to the end and lists what it reports.
func scanOccurrences(g *gramScanner, text []byte) []occurrence {
	var out []occurrence
	g.scan(text, func(id int32, start int) bool {
		out = append(out, occurrence{id, start})
		return true
	})
	return sortOccurrences(out)
}

func checkGramScan(t *testing.T, lits []string, text []byte) {
	t.Helper()
	g := newGramScanner(lits)
	want := naiveOccurrences(lits, text)
	if got := scanOccurrences(g, text); !slices.Equal(got, want) {
		t.Fatalf("literals %q in %q: scanner found %v, want %v", lits, text, got, want)
	}
	if got := g.contains(text); got != (len(want) > 0) {
		t.Fatalf("literals %q in %q: contains %v, want %v", lits, text, got, len(want) > 0)
	}
}

// TestGramScan: the scanner reports every occurrence of every literal,
// once, whatever its length, case and position (start, end, overlapping,
// repeated), and nothing else.
func TestGramScan(t *testing.T) {
	for _, tc := range []struct {
		lits []string
		text string
	}{
		{[]string{"ropc"}, "ropc"},
		{[]string{"ropc"}, "xROPC"},
		{[]string{"ropc"}, "xyROPCz"},
		{[]string{"ropc"}, "\"clientAppUsed\":\"ROPC\",\"x\":\"ropcropc\""},
		{[]string{"ropc", "opcx", "pcxy"}, "ropcxyz"},
		{[]string{"aaaa", "aaaaa"}, "aaaaaaaaa"},
		{[]string{"success", "65004", "axios", "bav2ropc"}, `{"status":{"errorCode":65004},"userAgent":"axios/1.6","resultType":"Success","a":"BAV2ROPC"}`},
		{[]string{"deviceauthenticationfailed"}, "DeviceAuthenticationFailed"},
		{[]string{"deviceauthenticationfailed"}, "DeviceAuthenticationFaile"},
		{[]string{"imap", "mapi"}, "IMAPI"},
		{[]string{"pop3"}, "po"},
		{[]string{"smtp"}, ""},
		{[]string{"éclair"}, "ÉCLAIR éclair"},
		{[]string{"a\x00bc"}, "a\x00bca\x00BC"},
	} {
		checkGramScan(t, tc.lits, []byte(tc.text))
	}
}

// TestGramScanRandom compares the scanner with a naive search on random
// literal sets and texts over a small alphabet (so that grams collide and
// occurrences overlap).
func TestGramScanRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abAB\"c:"
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 3000 {
		var lits []string
		for range 1 + rng.IntN(6) {
			lits = append(lits, word(minLiteral+rng.IntN(6)))
		}
		checkGramScan(t, lits, []byte(word(rng.IntN(80))))
	}
}

func FuzzGramScan(f *testing.F) {
	f.Add("ropc", "success", "xROPCsuccess")
	f.Add("aaaa", "aaaaab", "aaaaaaaab")
	f.Fuzz(func(t *testing.T, a, b, text string) {
		var lits []string
		for _, l := range []string{a, b} {
			if len(l) >= minLiteral && len(l) <= 64 {
				lits = append(lits, l)
			}
		}
		if len(lits) == 0 || len(text) > 4096 {
			return
		}
		checkGramScan(t, lits, []byte(text))
	})
}

// BenchmarkGramScan measures the literal prefilter's scan over sign-in
// records with the sign-in literals of the SigmaHQ corpus.
//
//	go test ./internal/compile -run '^$' -bench GramScan -cpu 1
func BenchmarkGramScan(b *testing.B) {
	set, _ := Compile(loadCorpus(b), Options{Prefilter: PrefilterOn})
	pf := set.kinds[event.KindEntraSignIn].pf
	if pf == nil {
		b.Skip("no sign-in literals")
	}
	lines := signInLines(b)
	var total int64
	for _, l := range lines {
		total += int64(len(l))
	}
	found := 0
	b.SetBytes(total)
	b.ResetTimer()
	for range b.N {
		for _, l := range lines {
			pf.scanner.scan(l, func(int32, int) bool { found++; return true })
		}
	}
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
}
