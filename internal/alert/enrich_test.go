package alert

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func specFile(t *testing.T, name string, rule RuleRef) *Spec {
	t.Helper()
	src, err := os.ReadFile("testdata/specs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return specOf(t, string(src), rule)
}

// TestSeed002 runs the seed 002 attribute over MFA denials with identity
// and IP enrichment, against a golden file (go test -run Seed002 -update).
func TestSeed002(t *testing.T) {
	rule := RuleRef{ID: "d99cf5c3-d660-436c-895b-8a8f8448da23", Title: "MFA Rejected by User", Level: LevelMedium,
		Tags: []string{"attack.initial-access", "attack.t1078.004"}}
	s := specFile(t, "seed-002.good.yml", rule)
	ids := loadFile(t, "graph-users-page.json")
	stats := NewIPStats(0)
	day0 := ts("2026-11-19T08:00:00Z")
	stats.Add("198.51.100.10", "adelev@contoso.com", true, "US", "8075", day0)
	stats.Add("198.51.100.10", "adelev@contoso.com", false, "US", "8075", day0.Add(26*time.Hour))
	stats.Add("203.0.113.7", "adelev@contoso.com", false, "RU", "12389", day0.Add(25*time.Hour))
	stats.Add("203.0.113.7", "adelev@contoso.com", false, "RU", "12389", day0.Add(25*time.Hour+20*time.Minute))

	deny := "MFA denied; user declined the authentication"
	fraud := "MFA denied; Phone App Reported Fraud"
	mk := func(at string, line int, ip, details string) Match {
		m := hit(s, at, line, "userPrincipalName", "AdeleV@contoso.com", "userId", "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
			"ipAddress", ip, "status.additionalDetails", details, "appDisplayName", "Office 365")
		m.Why = []FieldValue{{Field: "status.errorCode", Value: "500121"}, {Field: "status.additionalDetails", Value: details}}
		return m
	}
	ms := []Match{
		mk("2026-11-20T09:00:00Z", 1, "203.0.113.7", deny),
		mk("2026-11-20T09:20:00Z", 2, "203.0.113.7", fraud),
		mk("2026-11-20T10:00:00Z", 3, "198.51.100.10", deny),
	}
	opt := Options{Enricher: &Enricher{Identities: ids, IPs: stats}}
	alerts := build(t, opt, ms...)
	if len(alerts) != 2 || alerts[0].Level != LevelHigh || alerts[1].Level != LevelMedium {
		t.Fatalf("got %d alerts", len(alerts))
	}
	got, err := json.MarshalIndent(alerts, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/golden/seed-002.golden.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("alerts differ from %s (rerun with -update and review the diff):\n%s", golden, got)
	}

	// The seed's cutoff as an option: > 20 keeps only the new-country IP.
	tuned, err := s.Tune(map[string]string{OptionMinIPPriority: "20"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		ms[i].Spec = tuned
	}
	b := NewBuilder(opt)
	for _, m := range ms {
		_ = b.Add(m)
	}
	cut := b.Finish()
	if len(cut) != 1 || cut[0].Group["ipAddress"] != "203.0.113.7" || b.Stats().BelowCutoff != 1 {
		t.Errorf("min-ip-priority 20: %d alerts, stats %+v", len(cut), b.Stats())
	}
	// Without IP statistics the cutoff cannot judge, and hides nothing.
	if n := len(build(t, Options{}, ms...)); n != 2 {
		t.Errorf("cutoff without IP stats hid alerts: %d", n)
	}
}

func TestEnrichmentInExpressions(t *testing.T) {
	s := specOf(t, `
group-by: u
entities: [{type: account, upn: u}, {type: ip, address: ip}]
tiers:
  - {level: high, when: '"Global Administrator" in roles || "VIP" in tags'}
  - {level: medium, when: 'ip_priority > 20 && len(groups) > 0'}
`, RuleRef{Level: LevelLow})
	ids := loadFile(t, "graph-users-page.json")
	info := loadFile(t, "identityinfo.csv")
	stats := NewIPStats(0)
	stats.Add("9.9.9.9", "x", false, "", "", ts("2026-11-20T08:00:00Z"))
	cases := []struct {
		ids   *Identities
		user  string
		level Level
	}{
		{ids, "adelev@contoso.com", LevelHigh},
		{ids, "nobody@contoso.com", LevelLow},
		{info, "meganb@contoso.com", LevelHigh},
	}
	for _, c := range cases {
		a := build(t, Options{Enricher: &Enricher{Identities: c.ids, IPs: stats}}, hit(s, "2026-11-20T09:00:00Z", 1, "u", c.user, "ip", "9.9.9.9"))
		if a[0].Level != c.level {
			t.Errorf("%s: level %v, want %v", c.user, a[0].Level, c.level)
		}
		if _, ok := a[0].Enrichment["ip"]; !ok {
			t.Errorf("%s: no ip enrichment", c.user)
		}
	}
	var none *Enricher
	none.Enrich(&Alert{})
}

// TestSeed004 checks the QRadar seed's emit condition and tiers on the
// built-in attribute: count > 10 or ≥ 2 IPs; HIGH at ≥ 3 IPs or > 200 with
// ≥ 2 IPs; MEDIUM at 2 IPs; else the rule's LOW; backup apps allowlisted.
func TestSeed004(t *testing.T) {
	s := specFile(t, "seed-004.good.yml", RuleRef{ID: "seed-004", Title: "Application access token", Level: LevelLow,
		Tags: []string{"attack.defense-evasion", "attack.lateral-movement", "attack.t1550.001"}})
	uas := []string{"python-requests/2.31", "curl/8.4.0", "Go-http-client/1.1", "axios/1.6", "okhttp/4.12"}
	mk := func(n int, app string, ips ...string) []Match {
		var ms []Match
		for i := 0; i < n; i++ {
			at := t0.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
			ms = append(ms, hit(s, at, i+1, "userPrincipalName", "svc@contoso.com", "appId", "app-"+app, "appDisplayName", app,
				"ipAddress", ips[i%len(ips)], "userAgent", uas[i%len(uas)], "resourceDisplayName", "Microsoft Graph"))
		}
		return ms
	}
	cases := []struct {
		name   string
		ms     []Match
		alerts int
		level  Level
		risk   int
	}{
		{"10 uses from one IP: nothing", mk(10, "Script", "1.1.1.1"), 0, 0, 0},
		{"11 uses from one IP: low", mk(11, "Script", "1.1.1.1"), 1, LevelLow, 30},
		{"2 IPs: medium", mk(2, "Script", "1.1.1.1", "2.2.2.2"), 1, LevelMedium, 45},
		{"3 IPs: high", mk(3, "Script", "1.1.1.1", "2.2.2.2", "3.3.3.3"), 1, LevelHigh, 60},
		{"201 uses from 2 IPs: high", mk(201, "Script", "1.1.1.1", "2.2.2.2"), 1, LevelHigh, 60},
		{"backup vendor allowlisted", mk(30, "Veeam Backup for Microsoft 365", "1.1.1.1", "2.2.2.2", "3.3.3.3"), 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			alerts := build(t, Options{}, c.ms...)
			if len(alerts) != c.alerts {
				t.Fatalf("%d alerts, want %d", len(alerts), c.alerts)
			}
			if c.alerts == 0 {
				return
			}
			a := alerts[0]
			if a.Level != c.level || a.Risk.Objects[0].Score != c.risk {
				t.Errorf("level %v risk %d, want %v %d", a.Level, a.Risk.Objects[0].Score, c.level, c.risk)
			}
			if len(a.Values["userAgent"]) > 3 || len(a.Values["ipAddress"]) > 5 || len(a.Evidence) > 5 {
				t.Errorf("caps: %d UAs, %d IPs, %d evidence", len(a.Values["userAgent"]), len(a.Values["ipAddress"]), len(a.Evidence))
			}
		})
	}
}
