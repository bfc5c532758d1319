package alert

import (
	"fmt"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
	"go.yaml.in/yaml/v3"
)

// specOf parses an idsentry attribute body for a test rule.
func specOf(t testing.TB, body string, rule RuleRef) *Spec {
	t.Helper()
	s, errs := parseBody(body, rule)
	for _, e := range errs {
		if !e.Warning {
			t.Fatalf("ParseSpec: %v", errs)
		}
	}
	return s
}

func parseBody(body string, rule RuleRef) (*Spec, []*SpecError) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return nil, []*SpecError{{Msg: err.Error()}}
	}
	if rule.ID == "" {
		rule.ID = "rule-1"
		rule.Title = "Test rule"
	}
	return ParseSpec(&doc, rule)
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// stored makes an owned event from JSON, with an origin.
func stored(file string, line int, at time.Time, doc string) *event.Stored {
	v, err := fastjson.Parse(doc)
	if err != nil {
		panic(err)
	}
	ev := &event.Event{Kind: event.KindEntraSignIn, Format: "graph", Time: at, Doc: v,
		Raw: []byte(doc), Origin: event.Origin{File: file, Line: line, Index: line - 1}}
	return ev.Clone()
}

func mustEvent(doc string) *event.Event {
	return &event.Event{Kind: event.KindEntraSignIn, Format: "graph", Time: t0, Doc: fastjson.MustParse(doc)}
}

// hit makes a detection match with the given fields (name, value pairs; a
// name may repeat for multi-valued fields). Its event is the fields as a
// JSON object, with origin file:line.
func hit(s *Spec, at string, line int, kv ...string) Match {
	fields := map[string][]string{}
	doc := "{"
	for i := 0; i+1 < len(kv); i += 2 {
		fields[kv[i]] = append(fields[kv[i]], kv[i+1])
		if i > 0 {
			doc += ","
		}
		doc += fmt.Sprintf("%q:%q", kv[i], kv[i+1])
	}
	doc += "}"
	t := ts(at)
	return Match{Spec: s, Time: t, Fields: fields, Event: stored("f.json", line, t, doc)}
}

func build(t testing.TB, opt Options, ms ...Match) []Alert {
	t.Helper()
	b := NewBuilder(opt)
	for _, m := range ms {
		if err := b.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return b.Finish()
}
