package compile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// fuzzRules is every semantic test case as one rule set.
func fuzzRules(tb testing.TB) string {
	var docs []string
	for i, tc := range semanticCases {
		det := tc.det
		if !containsLine(det, "condition:") {
			det += "\ncondition: sel"
			if containsLine(tc.det, "keywords:") {
				det = tc.det + "\ncondition: keywords"
			}
		}
		docs = append(docs, ruleYAML(fmt.Sprintf("r%d", i), det))
	}
	return strings.Join(docs, "---\n")
}

var fuzzPlaceholders = map[string][]string{"admins": {"root", "adm*"}}

// FuzzMatch matches random events against every semantic test rule, with
// the prefilter forced on and off: nothing may panic, and the prefilter
// must never drop a match (its soundness).
func FuzzMatch(f *testing.F) {
	for _, tc := range semanticCases {
		for doc := range tc.match {
			f.Add([]byte(doc))
		}
	}
	src := fuzzRules(f)
	on := mustCompile(f, src, Options{Placeholders: fuzzPlaceholders, Prefilter: PrefilterOn})
	off := mustCompile(f, src, Options{Placeholders: fuzzPlaceholders, Prefilter: PrefilterOff})
	mOn, mOff := on.NewMatcher(), off.NewMatcher()
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := fastjson.ParseBytes(data)
		if err != nil {
			return
		}
		ev := &event.Event{Kind: event.KindCloudTrail, Doc: v, Raw: data}
		a, b := matchTitles(mOn, ev), matchTitles(mOff, ev)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("event %s: with prefilter %v, without %v", data, a, b)
		}
	})
}
