package compile

import (
	"testing"
)

// TestCorpus compiles every SigmaHQ rule for the products idsentry reads
// and pins the outcome: every rule either compiles or is reported as
// unsupported with its reason (azure/riskdetection and azure/pim name no
// log kind idsentry reads).
func TestCorpus(t *testing.T) {
	rules := loadCorpus(t)
	set, probs := Compile(rules, Options{})
	st := set.Stats()
	const wantDocs, wantCompiled, wantLogSource = 218, 192, 26
	if st.Documents != wantDocs || st.Detections != wantCompiled || st.Unsupported[ReasonLogSource] != wantLogSource ||
		st.UnsupportedTotal() != wantLogSource {
		t.Errorf("documents %d, compiled %d, unsupported %v; want %d, %d, {%s: %d}",
			st.Documents, st.Detections, st.Unsupported, wantDocs, wantCompiled, ReasonLogSource, wantLogSource)
	}
	for _, p := range probs {
		if !p.Warning && p.Reason != ReasonLogSource {
			t.Errorf("unexpected error: %v", p)
		}
		if p.Line < 1 || p.Col < 1 || p.File == "" {
			t.Errorf("problem without a position: %+v", p)
		}
	}
	// Every compiled rule must evaluate without panicking on an empty and
	// on a typical event of each of its kinds.
	m := set.NewMatcher()
	for _, r := range set.Rules {
		for _, k := range r.Kinds {
			m.Match(testEvent(t, k, `{}`), func(*Rule, []FieldValue) {})
			m.Match(testEvent(t, k, `{"a":[1,"x",{"b":null}],"properties":{"message":"x"}}`), func(*Rule, []FieldValue) {})
		}
	}
}
