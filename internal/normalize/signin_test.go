package normalize

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
)

// fuzzSeeds adds every record of the Entra fixtures whose kind is k, in
// every container, to f's corpus.
func fuzzSeeds(f *testing.F, k event.Kind) {
	inputs, err := filepath.Glob(filepath.Join(entraTestdata, "*", "*"))
	if err != nil {
		f.Fatal(err)
	}
	n := New()
	for _, in := range inputs {
		if filepath.Ext(in) != ".csv" && filepath.Ext(in) != ".json" || filepath.Base(filepath.Dir(in)) == "public" ||
			len(in) > len(".golden.json") && in[len(in)-len(".golden.json"):] == ".golden.json" {
			continue
		}
		for _, rec := range readRecords(f, in) {
			if ev, err := n.Normalize(rec); err == nil && ev.Kind == k {
				f.Add(append([]byte(nil), rec.Data...), uint8(rec.Container))
			}
		}
	}
}

// fuzzNormalize checks what must hold for any input: no panic, and an
// accepted record yields a kind and, for valid JSON input, a well-formed
// document, both as appendCanonical writes it and as the stored copy
// (event.CanonicalJSON, which escapes every string itself) has it.
func fuzzNormalize(t *testing.T, n *Normalizer, data []byte, container uint8) {
	ev, err := n.Normalize(ingest.Record{Data: data, Container: ingest.Container(container % 6)})
	if err != nil {
		return
	}
	if ev.Kind == event.KindUnknown || ev.Doc == nil {
		t.Fatalf("accepted record without kind or document: %+v", ev)
	}
	out := ev.Clone()
	if !json.Valid(data) {
		return // fastjson accepts some invalid JSON ("00") and keeps it
	}
	if doc := appendCanonical(nil, ev.Doc); !json.Valid(doc) {
		t.Fatalf("canonical document is not valid JSON: %s", doc)
	}
	if !json.Valid(out.Event) {
		t.Fatalf("canonical JSON is not valid: %s", out.Event)
	}
	if !ev.Time.IsZero() && ev.Time.Location().String() != "UTC" {
		t.Fatalf("time %v not in UTC", ev.Time)
	}
}

// FuzzSignIn feeds mutations of the sign-in fixtures (every export format)
// to the normaliser.
func FuzzSignIn(f *testing.F) {
	fuzzSeeds(f, event.KindEntraSignIn)
	n := New()
	f.Fuzz(func(t *testing.T, data []byte, container uint8) {
		fuzzNormalize(t, n, data, container)
	})
}
