package alert

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestGoodSpecs(t *testing.T) {
	files, _ := filepath.Glob("testdata/specs/*.good.yml")
	if len(files) == 0 {
		t.Fatal("no good specs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, errs := parseBody(string(src), RuleRef{ID: "x", Title: "X", Level: LevelMedium, Tags: []string{"attack.initial_access", "attack.t1078.004", "attack.credential-access"}})
			if s == nil || len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(s.Rule.Implements) != 1 || !strings.HasPrefix(s.Rule.Implements[0], "seed-") {
				t.Errorf("implements = %v", s.Rule.Implements)
			}
			if !reflect.DeepEqual(s.Tactics(), []string{"credential-access", "initial-access"}) {
				t.Errorf("tactics = %v", s.Tactics())
			}
		})
	}
}

func TestSpecFields(t *testing.T) {
	s := specOf(t, `
group-by: [u]
values: [ip]
message: "{{app}} {{values.ua}} {{count}}"
entities: [{type: account, upn: u, aad_user_id: "{{uid|lower}}"}]
risk: [{type: user, field: u, score: 5}]
threats: [{type: url, field: url}]
having: 'distinct["asn"] > 0 || distinct.country > 0'
tiers: [{level: high, when: 'values["rd"] != nil'}]
allowlist: {appId: x}
`, RuleRef{})
	want := []string{"app", "appId", "asn", "country", "ip", "rd", "u", "ua", "uid", "url"}
	if got := s.Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields() = %v, want %v", got, want)
	}
	if got := s.tracked; !reflect.DeepEqual(got, []string{"asn", "country", "ip", "rd", "ua"}) {
		t.Errorf("tracked = %v", got)
	}
}

func TestSpecDefaults(t *testing.T) {
	s := specOf(t, "group-by: u", RuleRef{})
	if s.Window != time.Hour || s.MaxValues != DefaultMaxValues {
		t.Errorf("window %v max-values %d", s.Window, s.MaxValues)
	}
	s, errs := ParseSpec(nil, RuleRef{Title: "T", Tags: []string{"attack.persistence", "attack.t1098"}})
	if errs != nil || !s.perEvent() || s.Message() != "T" || !reflect.DeepEqual(s.Tactics(), []string{"persistence"}) {
		t.Errorf("nil node: %+v %v", s, errs)
	}
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "10m": 10 * time.Minute, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "1h30m": 90 * time.Minute} {
		if got := specOf(t, "window: "+in, RuleRef{}).Window; got != want {
			t.Errorf("window %s = %v", in, got)
		}
	}
}

// TestBadSpecs checks every problem is reported at its line:column.
func TestBadSpecs(t *testing.T) {
	cases := []struct{ body, want string }{
		{"[1, 2]", "1:1: idsentry must be a mapping"},
		{"nope: 1", "1:1: unknown idsentry key \"nope\""},
		{"window: 1h\nwindow: 2h", "2:1: duplicate key \"window\""},
		{"window: soon", "1:9: window: bad timespan \"soon\""},
		{"window: 0m", "1:9: window: timespan \"0m\" must be positive"}, {"window: 99999999999d", "out of range"},
		{"window: -5m", "1:9: window: timespan \"-5m\" must be positive"},
		{"group-by: {a: b}", "1:11: group-by must be a field name or a list"},
		{"group-by: [a, 'b c']", "1:15: group-by: bad field name \"b c\""},
		{"max-values: 0", "1:13: max-values must be between 1 and 1000"},
		{"max-values: many", "1:13: max-values must be an integer"},
		{"message: 'hi {{user'", "1:10: template: unclosed placeholder"},
		{"message: 'hi {{user|nick}}'", "1:10: template: unknown filter \"nick\""},
		{"message: 'hi {{ }}'", "1:10: template: empty placeholder"},
		{"message: 'hi {{distinct.}}'", "names no field"},
		{"entities: [{type: person, upn: u}]", "1:19: unknown entity type \"person\""},
		{"entities: [{upn: u}]", "1:12: entity needs a type"},
		{"entities: [{type: ip}]", "1:12: entity ip maps no attribute"},
		{"entities: [{type: ip, address: '{{count}}'}]", "1:32: entity attributes may only use field placeholders"},
		{"risk: [{type: user, field: u, score: 101}]", "1:38: risk score must be between 1 and 100"},
		{"risk: [{type: user, field: u}]", "1:8: risk object needs type, field and score"},
		{"risk: [{type: User, field: u, score: 5}]", "1:15: bad risk object type \"User\""},
		{"risk: [{type: user, field: u, score: 5, impact: 3}]", "1:41: unknown risk object key \"impact\""},
		{"threats: [{type: ip_address}]", "1:11: threat object needs type and field"},
		{"tiers: [{level: severe, when: 'true'}]", "1:17: unknown level \"severe\""},
		{"tiers: [{level: high}]", "1:9: tier needs a when expression"},
		{"tiers: [{when: 'true'}]", "1:9: tier needs a level"},
		{"tiers: [{level: high, when: 'true', risk-factor: 0}]", "1:50: risk-factor must be a number above 0"},
		{"having: 'count >'", "1:16: expression: unexpected token EOF"},
		{"having: 'cnt > 1'", "1:10: expression: unknown name cnt"},
		{"having: 'count'", "expression: expected bool"},
		{"having: ''", "1:9: empty expression"},
		{"having: |\n  count > 1 &&\n  bogus", "3:1: expression: unknown name bogus"},
		{"allowlist: [a]", "1:12: allowlist must be a mapping"},
		{"allowlist: {app: {x: y}}", "1:18: allowlist app: want a pattern or a list"},
		{"outside-hours: always", "1:16: outside-hours must be raise or ignore"},
		{"options: {a: {b: c}}", "1:14: option a: option must be a scalar or a list"},
		{"options: {min-ip-priority: 200}", "1:28: option min-ip-priority must be an integer from 0 to 100"},
		{"implements: [seed-005]", "1:13: implements: \"seed-005\" is not"},
		{"implements: [guide-row-17, catalog-mfa-fatigue, guide-row-16]", "guide-row-17"},
		{"values: [{field: ip, max: 0}]", "1:27: values max must be between 1 and 1000"},
		{"values: [{max: 3}]", "1:10: values item needs a field"},
		{"max-evidence: 101", "1:15: max-evidence must be between 0 and 100"},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			s, errs := parseBody(c.body, RuleRef{})
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			all := strings.Join(msgs, "\n")
			if s != nil || !strings.Contains(all, c.want) {
				t.Errorf("errors:\n%s\nwant one containing %q (spec nil: %v)", all, c.want, s == nil)
			}
		})
	}
}

func TestSpecWarnings(t *testing.T) {
	cases := []struct{ body, want string }{
		{"group-by: [a, a]", "1:15: warning: group-by: field \"a\" listed twice"},
		{"threats: [{type: ip, field: x}]", "1:18: warning: threat object type \"ip\" is not one of Splunk's"},
		{"allowlist: {a: '*'}", "1:16: warning: allowlist a: pattern \"*\" drops every match"},
		{"group-by: [a]\nhaving: 'distinct[\"a\"] > 1'", "1:1: warning: expression reads distinct/values of group-by field \"a\""},
	}
	for _, c := range cases {
		s, errs := parseBody(c.body, RuleRef{})
		if s == nil || len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), c.want) {
			t.Errorf("%q: spec %v, problems %v, want %q", c.body, s != nil, errs, c.want)
		}
	}
}

func TestTemplateFilters(t *testing.T) {
	cases := []struct{ tmpl, in, want string }{
		{"{{u|name}}", "alice@contoso.com", "alice"},
		{"{{u|domain}}", "alice@contoso.com", "contoso.com"},
		{"{{u|name}}", "CONTOSO\\alice", "CONTOSO\\alice"},
		{"{{u|domain}}", "alice", ""},
		{"{{ u | lower | name }}", "Alice@Contoso.com", "alice"},
		{"{{u|trim|upper}}", "  x ", "X"},
		{"a{{u}}b{{u}}c", "-", "a-b-c"},
		{"no placeholders", "-", "no placeholders"},
		{"{{fields.count}}", "-", ""},
	}
	for _, c := range cases {
		tp, err := parseTemplate(c.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", c.tmpl, err)
		}
		if got := tp.render(fieldScope{"u": {c.in}}); got != c.want {
			t.Errorf("%s on %q = %q, want %q", c.tmpl, c.in, got, c.want)
		}
	}
}

func TestExtract(t *testing.T) {
	s := specOf(t, "group-by: [userPrincipalName]\nvalues: [authenticationDetails.authenticationStepResultDetail, status.errorCode, location.countryOrRegion]", RuleRef{})
	ev := mustEvent(`{"userPrincipalName":"a@x","status":{"errorCode":500121},
		"authenticationDetails":[{"authenticationStepResultDetail":"MFA denied; user declined the authentication"},{"authenticationStepResultDetail":"MFA required"},{"succeeded":false}]}`)
	got := s.Extract(ev)
	want := map[string][]string{
		"userPrincipalName": {"a@x"},
		"status.errorCode":  {"500121"},
		"authenticationDetails.authenticationStepResultDetail": {"MFA denied; user declined the authentication", "MFA required"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Extract = %v", got)
	}
	if DefaultSpec(RuleRef{}).Extract(ev) != nil || s.Extract(nil) != nil {
		t.Error("Extract without fields or event")
	}
}
