package compile

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

func TestRouteOf(t *testing.T) {
	tests := []struct {
		product, service, category string
		kinds, also                []event.Kind
		ok                         bool
	}{
		{product: "azure", service: "signinlogs", kinds: kinds(event.KindEntraSignIn), ok: true},
		{product: "Azure", service: "AuditLogs", kinds: kinds(event.KindEntraAudit), ok: true},
		{product: "azure", service: "activitylogs", kinds: kinds(event.KindAzureActivity), ok: true},
		{product: "azure", service: "keyvault", kinds: kinds(event.KindKeyVault), ok: true},
		{product: "azure", service: "riskdetection"},
		{product: "azure", service: "pim"},
		{product: "azure", service: "nosuch"},
		{product: "azure", also: kinds(event.KindEntraSignIn, event.KindEntraAudit, event.KindAzureActivity, event.KindKeyVault), ok: true},
		{product: "m365", service: "audit", kinds: kinds(event.KindM365Audit), also: kinds(event.KindEntraSignIn, event.KindEntraAudit), ok: true},
		{product: "m365", service: "threat_management", kinds: kinds(event.KindM365Audit), ok: true},
		{product: "m365", service: "exchange", kinds: kinds(event.KindM365Audit), ok: true},
		{product: "aws", service: "cloudtrail", kinds: kinds(event.KindCloudTrail), ok: true},
		{product: "kubernetes", service: "audit", category: "application", kinds: kinds(event.KindK8sAudit), ok: true},
		{product: "azure", service: "app_inventory", kinds: kinds(event.KindAppInventory), ok: true},
		{product: "idsentry", service: "entra_signin", kinds: kinds(event.KindEntraSignIn), ok: true},
		{product: "okta", service: "okta"},
		{product: "windows", service: "security"},
		{category: "process_creation"},
		{},
	}
	for _, tc := range tests {
		r, ok, reason := RouteOf(sigma.LogSource{Product: tc.product, Service: tc.service, Category: tc.category})
		name := tc.product + "/" + tc.service
		if ok != tc.ok {
			t.Errorf("%s: ok = %v (%s), want %v", name, ok, reason, tc.ok)
			continue
		}
		if !ok {
			if reason == "" {
				t.Errorf("%s: no reason", name)
			}
			continue
		}
		if !slices.Equal(r.Kinds, tc.kinds) || !slices.Equal(r.Also, tc.also) {
			t.Errorf("%s: kinds %v also %v, want %v %v", name, r.Kinds, r.Also, tc.kinds, tc.also)
		}
	}
}

func problemsBy(probs []*Problem, reason string) []*Problem {
	var out []*Problem
	for _, p := range probs {
		if p.Reason == reason {
			out = append(out, p)
		}
	}
	return out
}

func TestProblems(t *testing.T) {
	src := `title: Unknown field
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        userPrincipalName: x
        NoSuchField: y
    condition: selection
---
title: Okta
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventType: x
    condition: selection
---
title: Lookahead
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName|re: 'PLACEHOLDER'
    condition: selection
---
title: Placeholder
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        userIdentity.arn|expand: '%admins%'
    condition: selection
`
	rules := parseRules(t, "test.yml", src)
	// The parser rejects look-ahead too; compile must report it on its own.
	rules[2].Detection.Searches[0].Maps[0].Matchers[0].Values[0].Str = "(?=x)y"
	set, probs := Compile(rules, Options{})
	unknown := problemsBy(probs, ReasonUnknownField)
	if len(unknown) != 1 || !unknown[0].Warning || unknown[0].Line != 8 || unknown[0].Col != 9 ||
		!strings.Contains(unknown[0].Msg, "NoSuchField") || !strings.Contains(unknown[0].Msg, "entra_signin") {
		t.Errorf("unknown-field warnings: %v", unknown)
	}
	if got := unknown[0].Error(); !strings.HasPrefix(got, "test.yml:8:9: warning: ") {
		t.Errorf("format: %q", got)
	}
	for _, reason := range []string{ReasonLogSource, ReasonRegex, ReasonPlaceholder} {
		ps := problemsBy(probs, reason)
		if len(ps) != 1 || ps[0].Warning {
			t.Errorf("%s: %v", reason, ps)
		}
	}
	st := set.Stats()
	if st.Documents != 4 || st.Detections != 1 || st.UnsupportedTotal() != 3 || st.Unsupported[ReasonRegex] != 1 ||
		st.Warnings[ReasonUnknownField] != 1 {
		t.Errorf("stats: %+v", st)
	}
	if r := set.Rule("Unknown field"); r != nil {
		t.Errorf("Rule by title should not resolve: %v", r)
	}
	if len(set.Rules) != 1 || set.Rules[0].Title != "Unknown field" || !set.Rules[0].Generate {
		t.Errorf("rules: %+v", set.Rules)
	}
}

func TestAlsoKinds(t *testing.T) {
	// m365/audit runs on m365_audit always, and on the Entra kinds only
	// where they know every field of the rule.
	src := `title: Known everywhere
logsource:
    product: m365
    service: audit
detection:
    selection:
        Operation: UserLoggedIn
    condition: selection
---
title: Only UAL
logsource:
    product: m365
    service: audit
detection:
    selection:
        Workload: ThreatIntelligence
        DeliveryAction: Blocked
    condition: selection
`
	set := mustCompile(t, src, Options{})
	for _, r := range set.Rules {
		if r.Kinds[0] != event.KindM365Audit {
			t.Errorf("%s: kinds %v do not start with m365_audit", r.Title, r.Kinds)
		}
		for _, k := range r.Kinds[1:] {
			if k != event.KindEntraSignIn && k != event.KindEntraAudit {
				t.Errorf("%s: unexpected kind %v", r.Title, k)
			}
		}
	}
	if r := set.Rules[1]; len(r.Kinds) != 1 {
		t.Errorf("%s: kinds %v, want only m365_audit", r.Title, r.Kinds)
	}
}

func TestFilter(t *testing.T) {
	src := ruleYAML("Base", "sel:\n    eventName: ConsoleLogin\ncondition: sel") + `id: 5638f7c0-ac70-491d-8465-2a65075e0d86
---
title: Exclude the break-glass account
logsource:
    product: aws
    service: cloudtrail
filter:
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    selection:
        userIdentity.userName|startswith: 'breakglass'
    condition: selection
`
	set := mustCompile(t, src, Options{})
	if set.Stats().Filters != 1 {
		t.Fatalf("filters = %d", set.Stats().Filters)
	}
	m := set.NewMatcher()
	if got := matchTitles(m, testEvent(t, event.KindCloudTrail, `{"eventName":"ConsoleLogin","userIdentity":{"userName":"alice"}}`)); len(got) != 1 {
		t.Errorf("alice: %v", got)
	}
	if got := matchTitles(m, testEvent(t, event.KindCloudTrail, `{"eventName":"ConsoleLogin","userIdentity":{"userName":"BreakGlass1"}}`)); len(got) != 0 {
		t.Errorf("break-glass: %v", got)
	}
}

// TestPrefilterLiterals pins the literal requirements derived for rules,
// including where none may be derived.
func TestPrefilterLiterals(t *testing.T) {
	tests := []struct {
		name, det string
		want      []string // nil: no requirement
	}{
		{"equality", "sel:\n    eventName: GetSessionToken", []string{"getsessiontoken"}},
		{"longest run", "sel:\n    eventName|contains: 'ab-Jumphost*xy'", []string{"jumphost"}},
		{"short runs give none", "sel:\n    eventName: 'a-b-c'", nil},
		{"list is a union", "sel:\n    eventName:\n        - CreateUser\n        - DeleteUser", []string{"createuser", "deleteuser"}},
		{"and takes the best", "sel:\n    eventName: CreateAccessKey\n    sourceIPAddress|contains: abcd", []string{"createaccesskey"}},
		{"or needs every branch", "a:\n    eventName: CreateUser\nb:\n    errorCode: 5\ncondition: a or b", nil},
		{"or of literals", "a:\n    eventName: CreateUser\nb:\n    userAgent|contains: Boto3\ncondition: a or b", []string{"boto3", "createuser"}},
		{"not gives none", "a:\n    eventName: CreateUser\ncondition: not a", nil},
		{"not in and", "a:\n    eventName: CreateUser\nb:\n    userAgent: Boto3Agent\ncondition: a and not b", []string{"createuser"}},
		{"numbers give none", "sel:\n    eventName: 123456", nil},
		{"numeric strings give none", "sel:\n    eventName: '123456'", nil},
		{"regex gives its literals", "sel:\n    eventName|re: 'CreateUser'", []string{"createuser"}},
		{"regex list is a union", "sel:\n    eventName|re:\n        - '^CreateUser$'\n        - 'Delete(User|Group)'", []string{"createuser", "deletegroup", "deleteuser"}},
		{"regex i breaks at k and s", "sel:\n    eventName|re|i: 'CreateAccessKey'", []string{"createacce"}},
		{"regex without literal gives none", "sel:\n    eventName|re: 'CreateUser|Get.*'", nil},
		{"regex on synthesized field gives none", "sel:\n    requestParameters.policyDocument|re: AdministratorAccess", nil},
		{"neq gives none", "sel:\n    eventName|neq: CreateUser", nil},
		{"null gives none", "sel:\n    eventName: null", nil},
		{"keywords give none", "keywords:\n    - CreateUser\ncondition: keywords", nil},
		{"synthesized field gives none", "sel:\n    requestParameters.policyDocument|contains: AdministratorAccess", nil},
		{"field-name words are too common", "sel:\n    eventName: eventSource", nil},
		{"windash variants", "sel:\n    userAgent|windash|contains: ' -encodedcommand'", []string{"encodedcommand"}},
		{"base64", "sel:\n    userAgent|base64: 'password'", []string{"cgfzc3dvcmq"}},
		{"all takes one", "sel:\n    userAgent|contains|all:\n        - python\n        - requests", []string{"requests"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			det := tc.det
			if !containsLine(det, "condition:") {
				det += "\ncondition: sel"
			}
			set := mustCompile(t, ruleYAML("r", det), Options{})
			got := set.kinds[event.KindCloudTrail].rules[0].cond.lits
			if !slices.Equal([]string(got), tc.want) {
				t.Errorf("literals = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPrefilterSkips checks that an event without any rule's literal is
// not evaluated at all (no slot is resolved) when the prefilter runs.
func TestPrefilterSkips(t *testing.T) {
	set := mustCompile(t, ruleYAML("r", "sel:\n    eventName: GetSessionToken\ncondition: sel"), Options{Prefilter: PrefilterOn})
	m := set.NewMatcher()
	if got := matchTitles(m, testEvent(t, event.KindCloudTrail, `{"eventName":"GetObject"}`)); len(got) != 0 {
		t.Fatalf("matched %v", got)
	}
	for i := range m.slots {
		if m.slots[i].gen == m.gen {
			t.Errorf("slot %d was resolved for an event the prefilter excludes", i)
		}
	}
	if got := matchTitles(m, testEvent(t, event.KindCloudTrail, `{"eventName":"GETSESSIONTOKEN"}`)); len(got) != 1 {
		t.Errorf("case-insensitive literal: matched %v", got)
	}
}

// TestPrefilterLengthLimit: in PrefilterAuto the prefilter runs on records
// up to the kind's limit (the skippable rules' cost × prefilterBytesPerCost
// bytes) and not beyond, where the rules are evaluated instead; both give
// the same matches.
func TestPrefilterLengthLimit(t *testing.T) {
	var src []string
	for i := range 20 {
		src = append(src, ruleYAML(fmt.Sprint("r", i), fmt.Sprintf("sel:\n    eventName: GetSessionToken%d\ncondition: sel", i)))
	}
	set := mustCompile(t, strings.Join(src, "---\n"), Options{})
	ks := set.Stats().Kinds[event.KindCloudTrail.String()]
	if ks.PrefilterMax < prefilterMinLen || ks.PrefilterMax == math.MaxInt {
		t.Fatalf("prefilter limit %d, want a record length", ks.PrefilterMax)
	}
	m := set.NewMatcher()
	for _, tc := range []struct {
		pad      int
		resolves bool
	}{{0, false}, {ks.PrefilterMax - 64, false}, {ks.PrefilterMax, true}, {4 * ks.PrefilterMax, true}} {
		raw := fmt.Sprintf(`{"eventName":"GetObject","pad":%q}`, strings.Repeat("x", tc.pad))
		if got := matchTitles(m, testEvent(t, event.KindCloudTrail, raw)); len(got) != 0 {
			t.Fatalf("%d bytes: matched %v", len(raw), got)
		}
		resolved := false
		for i := range m.slots {
			resolved = resolved || m.slots[i].gen == m.gen
		}
		if resolved != tc.resolves {
			t.Errorf("%d-byte record (limit %d): rules evaluated %v, want %v", len(raw), ks.PrefilterMax, resolved, tc.resolves)
		}
		hit := fmt.Sprintf(`{"eventName":"GetSessionToken7","pad":%q}`, strings.Repeat("x", tc.pad))
		if got := matchTitles(m, testEvent(t, event.KindCloudTrail, hit)); len(got) != 1 {
			t.Errorf("%d bytes: matched %v, want r7", len(hit), got)
		}
	}
}

// TestNormalizedSample matches a real Azure Monitor sign-in record after
// normalisation, through an alias (ResultType) and a canonical path.
func TestNormalizedSample(t *testing.T) {
	lines := signInLines(t)
	set := mustCompile(t, `title: KMSI interrupt
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50140
        appDisplayName: Office 365
    condition: selection
`, Options{})
	n := normalize.New()
	m := set.NewMatcher()
	hits := 0
	for _, l := range lines {
		ev, err := n.Normalize(ingest.Record{Data: l})
		if err != nil {
			t.Fatal(err)
		}
		m.Match(ev, func(_ *Rule, why []FieldValue) {
			hits++
			if len(why) != 2 || why[0].Field != "status.errorCode" || why[0].Value != "50140" {
				t.Errorf("why = %v", why)
			}
		})
	}
	if hits == 0 {
		t.Error("no sample record matched")
	}
}
