package sigma

import (
	"os"
	"testing"
)

// BenchmarkParseCorpus parses every SigmaHQ rule file per iteration.
func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b)
	data := make([][]byte, len(files))
	size := 0
	for i, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data[i] = d
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range data {
			Parse(files[i], d)
		}
	}
}

// BenchmarkParseCondition parses a typical SigmaHQ condition.
func BenchmarkParseCondition(b *testing.B) {
	const c = "selection_img and 1 of selection_cli_* and not 1 of filter_main_* and not 1 of filter_optional_*"
	b.SetBytes(int64(len(c)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseCondition(c); err != nil {
			b.Fatal(err)
		}
	}
}
