package compile

import (
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
)

const baseRules = `title: Failed
name: failed
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 50126
    condition: selection
---
title: Success
name: success
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 0
    condition: selection
---
title: Inbox rule
name: inbox
logsource:
    product: m365
    service: exchange
detection:
    selection:
        Operation: New-InboxRule
    condition: selection
`

func TestCorrelationGraph(t *testing.T) {
	src := baseRules + `---
title: Many failures
name: many
correlation:
    type: event_count
    rules: [failed]
    group-by: [userPrincipalName]
    timespan: 10m
    condition:
        gte: 5
---
title: Spray then success
correlation:
    type: temporal_ordered
    rules: [many, success]
    group-by: [userPrincipalName]
    timespan: 1h
    generate: true
---
title: Failure then inbox rule
correlation:
    type: temporal
    rules: [failed, inbox]
    group-by: [user]
    timespan: 1h
    aliases:
        user:
            failed: userPrincipalName
            inbox: UserId
`
	set := mustCompile(t, src, Options{})
	get := func(title string) *Rule {
		for _, r := range set.Rules {
			if r.Title == title {
				return r
			}
		}
		t.Fatalf("no rule %q", title)
		return nil
	}
	failed, success, inbox := get("Failed"), get("Success"), get("Inbox rule")
	many, spray, fi := get("Many failures"), get("Spray then success"), get("Failure then inbox rule")
	// generate: "success" and "many" are referenced by a generating
	// correlation; "failed" and "inbox" only by non-generating ones.
	for r, want := range map[*Rule]bool{failed: false, success: true, inbox: false, many: true, spray: true, fi: true} {
		if r.Generate != want {
			t.Errorf("%s: Generate = %v, want %v", r.Title, r.Generate, want)
		}
	}
	if len(failed.In) != 2 || failed.In[0] != many || failed.In[1] != fi {
		t.Errorf("failed.In = %v", failed.In)
	}
	order := set.Correlations()
	pos := func(r *Rule) int {
		for i, x := range order {
			if x == r {
				return i
			}
		}
		return -1
	}
	if pos(many) < 0 || pos(spray) < pos(many) || pos(fi) < 0 {
		t.Errorf("order = %v", order)
	}
	if got := spray.Correlation.Condition; len(got) != 1 || got[0].Op != "gte" || got[0].Value != 2 {
		t.Errorf("default temporal condition = %v", got)
	}
	// The chained input maps group-by onto the inner group-by.
	if in := spray.Correlation.Input(many, event.KindEntraSignIn); in == nil || len(in.GroupIndex) != 1 || in.GroupIndex[0] != 0 || in.Position != 0 {
		t.Errorf("chained input = %+v", in)
	}
	// Aliases resolve per referenced rule and kind.
	in := fi.Correlation.Input(inbox, event.KindM365Audit)
	if in == nil || len(in.GroupPaths) != 1 || in.GroupPaths[0].String() != "UserId" || in.Position != 1 {
		t.Errorf("aliased input = %+v", in)
	}
	if in := fi.Correlation.Input(failed, event.KindEntraSignIn); in == nil || in.GroupPaths[0].String() != "userPrincipalName" {
		t.Errorf("aliased input = %+v", in)
	}
	if len(fi.Kinds) != 2 {
		t.Errorf("kinds of a cross-kind correlation = %v", fi.Kinds)
	}
	if st := set.Stats(); st.Correlations != 3 || st.Detections != 3 {
		t.Errorf("stats: %+v", st)
	}
}

func TestCorrelationErrors(t *testing.T) {
	tests := []struct {
		name, doc, reason, msg string
	}{
		{"group-by not in inner", `title: Outer
correlation:
    type: temporal
    rules: [inner, success]
    group-by: [ipAddress]
    timespan: 1h
---
title: Inner
name: inner
correlation:
    type: event_count
    rules: [failed]
    group-by: [userPrincipalName]
    timespan: 10m
    condition:
        gte: 3
`, ReasonCorrelation, "not in the group-by"},
		{"upper bound in temporal_ordered", `title: Bad
correlation:
    type: temporal_ordered
    rules: [failed, success]
    group-by: [userPrincipalName]
    timespan: 1h
    condition:
        lt: 2
`, ReasonCorrelation, "upper bound"},
		{"legacy aggregation without timeframe", `title: Legacy
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 50126
    condition: selection | count() by userPrincipalName > 5
`, ReasonAggregation, "timeframe"},
		{"reference to an unsupported rule", `title: Okta
name: okta_rule
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventType: x
    condition: selection
---
title: Uses okta
correlation:
    type: event_count
    rules: [okta_rule]
    group-by: [userPrincipalName]
    timespan: 1h
    condition:
        gte: 2
`, ReasonReference, "did not compile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, probs := compileYAML(t, baseRules+"---\n"+tc.doc, Options{})
			ps := problemsBy(probs, tc.reason)
			found := false
			for _, p := range ps {
				if !p.Warning && strings.Contains(p.Msg, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s problem with %q in %v", tc.reason, tc.msg, probs)
			}
			for _, r := range set.Rules {
				if r.Correlation != nil && strings.Contains(tc.doc, "title: "+r.Title+"\n") && r.Title != "Inner" {
					t.Errorf("rule %q compiled despite the error", r.Title)
				}
			}
		})
	}
}

func TestLegacyAggregation(t *testing.T) {
	src := `title: Legacy
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 50126
    timeframe: 30m
    condition: selection | count(ipAddress) by userPrincipalName >= 5
`
	set := mustCompile(t, src, Options{})
	r := set.Rules[0]
	c := r.Correlation
	if c == nil || !c.Legacy || c.Type != ValueCount || c.Field != "ipAddress" || c.Timespan.Minutes() != 30 ||
		len(c.GroupBy) != 1 || c.Condition[0].Op != "gte" || c.Condition[0].Value != 5 {
		t.Fatalf("legacy correlation = %+v", c)
	}
	if !r.Generate || len(r.Kinds) != 1 || len(set.Correlations()) != 1 {
		t.Errorf("rule = %+v", r)
	}
	if in := c.Input(r, event.KindEntraSignIn); in == nil || len(in.FieldPaths) != 1 || in.FieldPaths[0].String() != "ipAddress" {
		t.Errorf("input = %+v", in)
	}
}
