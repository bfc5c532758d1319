package engine

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/compile"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/sigma"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/valyala/fastjson"
)

var update = flag.Bool("update", false, "rewrite the want sections of scenario files")

// A scenario file (testdata/scenarios/*.txtar) holds:
//
//	rules.yml     Sigma rules (multi-document)
//	events.jsonl  canonical events: {"kind","time","id","doc"}
//	want.jsonl    the hits a Batch returns, in order
//	options.json  optional: {"lateness":"5m","max_distinct":3,
//	              "stream_file_order":true}
//	stream.jsonl  optional: the hits of the Stream run when they differ
//	              from want.jsonl (late events)
//
// Every scenario runs as a Batch in file order, in reverse order and from
// concurrent goroutines in a shuffled order (all must give want.jsonl),
// and as a Stream fed in event-time order (in file order with
// stream_file_order) with the watermark at the latest event time seen,
// which must give stream.jsonl, or want.jsonl.

type scenarioEvent struct {
	Kind string          `json:"kind"`
	Time time.Time       `json:"time"`
	ID   string          `json:"id"`
	Doc  json.RawMessage `json:"doc"`
}

type scenarioOptions struct {
	Lateness    string `json:"lateness"`
	MaxDistinct int    `json:"max_distinct"`
	MaxEvidence int    `json:"max_evidence"`
	// StreamFileOrder feeds the Stream in file order instead of time order.
	StreamFileOrder bool `json:"stream_file_order"`
}

// wantHit is the comparable form of a Hit.
type wantHit struct {
	Rule    string            `json:"rule"`
	Time    string            `json:"time"`
	Event   string            `json:"event,omitempty"`
	Group   map[string]string `json:"group,omitempty"`
	First   string            `json:"first,omitempty"`
	Last    string            `json:"last,omitempty"`
	Value   *float64          `json:"value,omitempty"`
	Subject string            `json:"subject,omitempty"`
	Events  []string          `json:"events,omitempty"`
	Total   int               `json:"total,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func toWant(h Hit) wantHit {
	w := wantHit{Rule: h.Rule.Title, Time: stamp(h.Time)}
	if h.Event != nil {
		w.Event = h.Event.ID
		return w
	}
	if len(h.Group) > 0 {
		w.Group = map[string]string{}
		for _, g := range h.Group {
			w.Group[g.Field] = g.Value
		}
	}
	w.First, w.Last = stamp(h.First), stamp(h.Last)
	v := h.Value
	w.Value = &v
	w.Subject = h.Subject
	for _, c := range h.Contributing {
		if c.Event != nil {
			w.Events = append(w.Events, c.Event.ID)
		} else {
			w.Events = append(w.Events, c.Rule.Title+"@"+stamp(c.Time))
		}
	}
	w.Total = h.Total
	return w
}

func renderHits(hs []Hit) string {
	var b strings.Builder
	for _, h := range hs {
		line, _ := json.Marshal(toWant(h))
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// canonicalJSONL re-renders JSONL through wantHit, so hand-written files
// compare field order and spacing insensitively.
func canonicalJSONL(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var w wantHit
		if err := json.Unmarshal(line, &w); err != nil {
			t.Fatalf("want line %d: %v", i+1, err)
		}
		out, _ := json.Marshal(w)
		b.Write(out)
		b.WriteByte('\n')
	}
	return b.String()
}

type scenario struct {
	set     *compile.Set
	events  []*event.Event
	opts    Options
	fileOrd bool
	want    string
	stream  string
	archive *txtar.Archive
}

func loadScenario(t *testing.T, path string) *scenario {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenario{archive: ar}
	var rulesSrc, eventsSrc []byte
	for _, f := range ar.Files {
		switch f.Name {
		case "rules.yml":
			rulesSrc = f.Data
		case "events.jsonl":
			eventsSrc = f.Data
		case "want.jsonl":
			sc.want = canonicalJSONL(t, f.Data)
		case "stream.jsonl":
			sc.stream = canonicalJSONL(t, f.Data)
		case "options.json":
			var o scenarioOptions
			if err := json.Unmarshal(f.Data, &o); err != nil {
				t.Fatalf("options.json: %v", err)
			}
			if o.Lateness != "" {
				if sc.opts.Lateness, err = time.ParseDuration(o.Lateness); err != nil {
					t.Fatalf("options.json: %v", err)
				}
			}
			sc.opts.MaxDistinct, sc.opts.MaxEvidence = o.MaxDistinct, o.MaxEvidence
			sc.fileOrd = o.StreamFileOrder
		default:
			t.Fatalf("unknown section %q", f.Name)
		}
	}
	rules, errs := sigma.Parse(filepath.Base(path)+"/rules.yml", rulesSrc)
	errs = append(errs, sigma.Link(rules)...)
	for _, e := range errs {
		if !e.Warning {
			t.Fatalf("rules: %v", e)
		}
	}
	set, probs := compile.Compile(rules, compile.Options{})
	for _, p := range probs {
		if !p.Warning {
			t.Fatalf("compile: %v", p)
		}
	}
	sc.set = set
	for i, line := range bytes.Split(eventsSrc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var se scenarioEvent
		if err := json.Unmarshal(line, &se); err != nil {
			t.Fatalf("events line %d: %v", i+1, err)
		}
		k, ok := event.ParseKind(se.Kind)
		if !ok {
			t.Fatalf("events line %d: unknown kind %q", i+1, se.Kind)
		}
		doc, err := fastjson.ParseBytes(se.Doc)
		if err != nil {
			t.Fatalf("events line %d: %v", i+1, err)
		}
		sc.events = append(sc.events, &event.Event{Kind: k, Time: se.Time, ID: se.ID, Doc: doc, Raw: se.Doc,
			Origin: event.Origin{File: "events.jsonl", Line: i + 1}})
	}
	return sc
}

func (sc *scenario) batch(e *Engine, order []*event.Event) string {
	b := e.NewBatch()
	w := b.NewWorker()
	for _, ev := range order {
		w.Match(ev, b.Add)
	}
	return renderHits(b.Finish())
}

func (sc *scenario) concurrentBatch(e *Engine, seed uint64) string {
	order := append([]*event.Event(nil), sc.events...)
	r := rand.New(rand.NewPCG(seed, seed))
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	b := e.NewBatch()
	var wg sync.WaitGroup
	const workers = 3
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			w := b.NewWorker()
			for i := k; i < len(order); i += workers {
				w.Match(order[i], b.Add)
			}
		}(k)
	}
	wg.Wait()
	return renderHits(b.Finish())
}

func (sc *scenario) streamRun(e *Engine) string {
	s := e.NewStream()
	w := e.NewWorker()
	var hits []Hit
	var wm time.Time
	order := append([]*event.Event(nil), sc.events...)
	if !sc.fileOrd {
		sort.SliceStable(order, func(i, j int) bool { return order[i].Time.Before(order[j].Time) })
	}
	for _, ev := range order {
		w.Match(ev, s.Add)
		if ev.Time.After(wm) {
			wm = ev.Time
		}
		hits = append(hits, s.Advance(wm)...)
	}
	hits = append(hits, s.Flush()...)
	return renderHits(hits)
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	sort.Strings(files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			sc := loadScenario(t, path)
			e := New(sc.set, sc.opts)
			got := sc.batch(e, sc.events)
			if *update {
				sc.rewrite(t, path, got, sc.streamRun(e))
				return
			}
			if got != sc.want {
				t.Errorf("batch:\n%s", diff(sc.want, got))
			}
			rev := append([]*event.Event(nil), sc.events...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			if g := sc.batch(e, rev); g != sc.want {
				t.Errorf("batch in reverse order differs:\n%s", diff(sc.want, g))
			}
			for seed := uint64(1); seed <= 3; seed++ {
				if g := sc.concurrentBatch(e, seed); g != sc.want {
					t.Errorf("concurrent batch (seed %d) differs:\n%s", seed, diff(sc.want, g))
				}
			}
			wantStream := sc.want
			if sc.stream != "" {
				wantStream = sc.stream
			}
			if g := sc.streamRun(e); g != wantStream {
				t.Errorf("stream:\n%s", diff(wantStream, g))
			}
		})
	}
}

// rewrite replaces the want sections with the current results.
func (sc *scenario) rewrite(t *testing.T, path, batch, stream string) {
	t.Helper()
	ar := sc.archive
	var files []txtar.File
	for _, f := range ar.Files {
		if f.Name == "want.jsonl" || f.Name == "stream.jsonl" {
			continue
		}
		files = append(files, f)
	}
	files = append(files, txtar.File{Name: "want.jsonl", Data: []byte(batch)})
	if stream != batch {
		files = append(files, txtar.File{Name: "stream.jsonl", Data: []byte(stream)})
	}
	ar.Files = files
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
