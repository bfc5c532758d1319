package output

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/event"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func account(upn string) alert.Entity {
	return alert.Entity{Type: "account", Attr: map[string]string{"upn": upn}}
}

func ipEntity(addr string) alert.Entity {
	return alert.Entity{Type: "ip", Attr: map[string]string{"address": addr}}
}

func appEntity(name, id string) alert.Entity {
	return alert.Entity{Type: "app", Attr: map[string]string{"name": name, "app_id": id}}
}

// fixtureAlerts is a small, realistic alert set with a few hostile values:
// a formula in a user agent, markup in a message, an escape sequence in an
// app name.
func fixtureAlerts() []alert.Alert {
	signin := func(upn, ip, app string, code int, ua string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{
			"userPrincipalName": upn, "ipAddress": ip, "appDisplayName": app,
			"status": map[string]any{"errorCode": code}, "userAgent": ua,
		})
		return b
	}
	return []alert.Alert{
		{
			ID:        "a-consent-1",
			Rule:      alert.RuleRef{ID: "2f0b9c1e-0000-4000-8000-000000000001", Title: "User denied consent to an OAuth application", Level: alert.LevelMedium, Tags: []string{"attack.initial-access", "attack.t1566.002"}, Implements: []string{"seed-000"}},
			Level:     alert.LevelMedium,
			Message:   "User alice@contoso.com denied consent for OAuth application <script>alert(1)</script>",
			FirstSeen: ts("2026-11-20T08:01:02Z"), LastSeen: ts("2026-11-20T08:04:10Z"), Count: 3,
			Group:    map[string]string{"userPrincipalName": "alice@contoso.com", "appDisplayName": "EvilApp"},
			Values:   map[string][]string{"ipAddress": {"203.0.113.7"}, "userAgent": {"=cmd|' /C calc'!A0", "Mozilla/5.0"}},
			Distinct: map[string]int{"ipAddress": 1, "userAgent": 4},
			Enrichment: map[string]any{"identity": map[string]any{"department": "Finance", "title": "<b>CFO</b>"},
				"ip": map[string]any{"first_seen_for_user": true}},
			Entities: []alert.Entity{account("alice@contoso.com"), ipEntity("203.0.113.7"), appEntity("EvilApp", "a3c1f0de-1111-4222-8333-444455556666")},
			Risk:     alert.Risk{Objects: []alert.RiskObject{{Type: "user", Value: "alice@contoso.com", Score: 50}}, Threats: []alert.ThreatObject{{Type: "ip_address", Value: "203.0.113.7"}}},
			Evidence: []alert.Evidence{{
				Origin: "signins/2026-11-20.json:1832", Kind: event.KindEntraSignIn, Format: "graph", Time: ts("2026-11-20T08:01:02Z"),
				Event:   signin("alice@contoso.com", "203.0.113.7", "EvilApp", 65004, "=cmd|' /C calc'!A0"),
				Matched: []alert.FieldValue{{Field: "status.errorCode", Value: "65004"}, {Field: "appDisplayName", Value: "EvilApp"}},
			}},
			Tactics: []string{"initial-access"},
		},
		{
			ID:        "a-mfa-1",
			Rule:      alert.RuleRef{ID: "2f0b9c1e-0000-4000-8000-000000000002", Title: "MFA fatigue followed by a successful sign-in", Level: alert.LevelHigh, Tags: []string{"attack.credential-access", "attack.t1621"}, Implements: []string{"seed-002"}},
			Level:     alert.LevelCritical,
			Message:   "12 MFA denials for bob@contoso.com then a success from 198.51.100.23",
			FirstSeen: ts("2026-11-18T22:10:00Z"), LastSeen: ts("2026-11-18T22:14:59Z"), Count: 13,
			Entities: []alert.Entity{account("bob@contoso.com"), ipEntity("198.51.100.23"), appEntity("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c")},
			Evidence: []alert.Evidence{{
				Origin: "signins/2026-11-18.json:77", Kind: event.KindEntraSignIn, Format: "graph", Time: ts("2026-11-18T22:10:00Z"),
				Event:   signin("bob@contoso.com", "198.51.100.23", "Microsoft Office", 500121, "Mozilla/5.0"),
				Matched: []alert.FieldValue{{Field: "status.errorCode", Value: "500121"}, {Field: "status.additionalDetails", Value: "MFA denied; user declined the authentication"}},
			}},
		},
		{
			ID:        "a-cred-1",
			Rule:      alert.RuleRef{ID: "2f0b9c1e-0000-4000-8000-000000000003", Title: "Credentials added to an application", Level: alert.LevelHigh, Tags: []string{"attack.persistence", "attack.t1098.001"}, Implements: []string{"guide-row-1"}},
			Level:     alert.LevelHigh,
			Message:   "+Secret added to \x1b[31mBackdoorApp\x1b[0m by admin@contoso.com",
			FirstSeen: ts("2026-11-18T22:20:00Z"), LastSeen: ts("2026-11-18T22:20:00Z"), Count: 1,
			Entities: []alert.Entity{account("admin@contoso.com"), {Type: "service_principal", Attr: map[string]string{"name": "BackdoorApp\x1b[31m", "app_id": "9f1e2d3c-0000-4000-8000-00000000beef"}}},
			Evidence: []alert.Evidence{{
				Origin: "audit/2026-11-18.json:5", Kind: event.KindEntraAudit, Format: "graph", Time: ts("2026-11-18T22:20:00Z"),
				Event:   json.RawMessage(`{"activityDisplayName":"Update application – Certificates and secrets management","initiatedBy":{"user":{"userPrincipalName":"admin@contoso.com","ipAddress":"198.51.100.23"}}}`),
				Matched: []alert.FieldValue{{Field: "activityDisplayName", Value: "Update application – Certificates and secrets management"}},
			}},
		},
		{
			ID:        "a-sts-1",
			Rule:      alert.RuleRef{ID: "2f0b9c1e-0000-4000-8000-000000000004", Title: "STS federation token used from another network", Level: alert.LevelLow, Tags: []string{"attack.defense-evasion", "attack.t1550.001"}},
			Level:     alert.LevelLow,
			Message:   "@SUM(1+1) GetFederationToken by arn:aws:iam::123456789012:user/ci",
			FirstSeen: ts("2026-11-18T22:20:00Z"), LastSeen: ts("2026-11-19T03:00:00Z"), Count: 2,
			Entities: []alert.Entity{{Type: "aws_principal", Attr: map[string]string{"arn": "arn:aws:iam::123456789012:user/ci"}}, ipEntity("192.0.2.10"), ipEntity("192.0.2.99"), ipEntity("192.0.2.200")},
			Evidence: []alert.Evidence{{
				Origin: "cloudtrail/x.json.gz#3", Kind: event.KindCloudTrail, Format: "cloudtrail", Time: ts("2026-11-18T22:20:00Z"),
				Event: json.RawMessage(`{"eventName":"GetFederationToken","sourceIPAddress":"192.0.2.10","userIdentity":{"arn":"arn:aws:iam::123456789012:user/ci"}}`),
			}},
		},
		{
			ID:        "a-info-1",
			Rule:      alert.RuleRef{ID: "2f0b9c1e-0000-4000-8000-000000000005", Title: "Service account listed secrets", Level: alert.LevelInformational},
			Level:     alert.LevelInformational,
			Message:   "-list secrets in kube-system",
			FirstSeen: ts("2026-11-16T10:00:00Z"), LastSeen: ts("2026-11-16T10:00:00Z"), Count: 1,
			Entities: []alert.Entity{{Type: "k8s_service_account", Attr: map[string]string{"name": "harvester", "namespace": "kube-system"}}},
		},
	}
}

func fixtureIncidents() []alert.Incident {
	return []alert.Incident{{
		ID: "i-bob", Level: alert.LevelHigh, EntityType: "user", Entity: "bob@contoso.com", Score: 130,
		Tactics: []string{"credential-access", "persistence"}, Rules: []string{"MFA fatigue followed by a successful sign-in", "Credentials added to an application"},
		FirstSeen: ts("2026-11-18T22:10:00Z"), LastSeen: ts("2026-11-18T22:20:00Z"), Reason: "risk score 130 ≥ 100 within 24h",
		Trigger: "score", Threats: []alert.ThreatObject{{Type: "ip_address", Value: "198.51.100.23"}},
		Alerts: []string{"a-mfa-1", "a-cred-1"},
	}}
}

func fixtureSummary() *Summary {
	s := &Summary{Version: "0.1.0-test", Elapsed: Duration(1500 * time.Millisecond), Bytes: 3_250_000, Records: 12_345, Duplicates: 7, OutOfRange: 2}
	s.AddFile(2_000_000, map[string]int64{"graph": 9000}, map[string]int64{"entra_signin": 8000, "entra_audit": 1000})
	s.AddFile(1_250_000, map[string]int64{"cloudtrail": 3345}, map[string]int64{"aws_cloudtrail": 3345})
	s.AddFile(0, nil, nil)
	s.AddUnrecognised("exports/notes.txt", "no JSON or CSV records found")
	s.AddSkipped("invalid JSON", 2, []string{"signins/2026-11-19.json:12", "signins/2026-11-19.json:40"})
	s.AddSkipped("no timestamp", 1, []string{"audit/x.json#4"})
	var d DaySet
	for _, t := range []string{"2026-11-14T08:00:00Z", "2026-11-15T23:59:59Z", "2026-11-18T00:00:00Z", "2026-11-20T12:00:00Z"} {
		d.Add(ts(t))
	}
	s.SetCoverage(event.KindEntraSignIn, &d)
	var c DaySet
	c.Add(ts("2026-11-18T22:20:00Z"))
	c.Add(ts("2026-11-19T03:00:00Z"))
	s.SetCoverage(event.KindCloudTrail, &c)
	s.Rules = RuleStats{Loaded: 42, Compiled: 40}
	s.AddUnsupported("rule-with-near", "near aggregation is not supported")
	s.AddUnsupported("rule-with-base64", "modifier base64offset|contains on a list")
	s.AddRuleWarning("azure_x.yml:12:5: field ResultDescriptio is not in any source")
	s.CountAlerts(fixtureAlerts(), 5)
	s.Incidents = 1
	s.AddCap("mfa-fatigue distinct ipAddress per user", 100, 12, "")
	s.Finish()
	return s
}

// signInDoc builds an Entra sign-in event in the Graph signIn shape.
func signInDoc(t *testing.T, fields map[string]any) *event.Event {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	v, err := fastjson.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	ev := &event.Event{Kind: event.KindEntraSignIn, Format: "graph", Doc: v, Raw: b}
	if s, ok := fields["createdDateTime"].(string); ok {
		ev.Time = ts(s)
	}
	return ev
}

func fixtureSignIns(t *testing.T) *SignInProfiles {
	var p SignInProfiles
	add := func(upn, when, ip string, asn int, country, app, ua, req, ca string, code int) {
		p.Add(signInDoc(t, map[string]any{
			"userPrincipalName": upn, "createdDateTime": when, "ipAddress": ip, "autonomousSystemNumber": asn,
			"location": map[string]any{"countryOrRegion": country}, "appDisplayName": app, "userAgent": ua,
			"authenticationRequirement": req, "conditionalAccessStatus": ca, "status": map[string]any{"errorCode": code},
		}))
	}
	for i := 0; i < 12; i++ {
		add("Bob@contoso.com", "2026-11-18T22:1"+string(rune('0'+i%10))+":00Z", "198.51.100.23", 64500, "NL", "Microsoft Office", "Mozilla/5.0 (Windows NT 10.0)", "multiFactorAuthentication", "success", 500121)
	}
	add("bob@contoso.com", "2026-11-18T22:14:59Z", "198.51.100.23", 64500, "NL", "Microsoft Office", "Mozilla/5.0 (Windows NT 10.0)", "multiFactorAuthentication", "success", 0)
	add("bob@contoso.com", "2026-11-18T09:00:00Z", "203.0.113.50", 8075, "US", "Outlook", "Microsoft Office/16.0", "singleFactorAuthentication", "notApplied", 0)
	add("alice@contoso.com", "2026-11-20T08:01:02Z", "203.0.113.7", 3598, "US", "EvilApp", "<script>alert('ua')</script>", "singleFactorAuthentication", "notApplied", 65004)
	add("alice@contoso.com", "2026-11-20T07:55:00Z", "203.0.113.7", 3598, "US", "Azure Portal", "Mozilla/5.0", "multiFactorAuthentication", "success", 0)
	add("carol@contoso.com", "2026-11-19T13:30:00Z", "192.0.2.44", 3320, "DE", "Teams", "Mozilla/5.0 (Macintosh)", "singleFactorAuthentication", "notApplied", 0)
	return &p
}

func fixtureTimeline() []TimelineRow {
	rows := []TimelineRow{}
	for _, a := range fixtureAlerts() {
		for _, ev := range a.Evidence {
			rows = append(rows, TimelineRow{
				Event: &event.Stored{Kind: ev.Kind, Format: ev.Format, Time: ev.Time, Origin: ev.Origin, ID: "rec-" + a.ID, Event: []byte(ev.Event)},
				Rules: []alert.RuleRef{a.Rule},
			})
		}
	}
	rows = append(rows, TimelineRow{
		Event: &event.Stored{Kind: event.KindK8sAudit, Format: "k8s", Time: ts("2026-11-16T10:00:00Z"), Origin: "k8s/audit.log:9",
			Event: []byte(`{"verb":"list","user":{"username":"system:serviceaccount:kube-system:harvester"},"sourceIPs":["10.0.0.7"],"objectRef":{"resource":"secrets","namespace":"kube-system"}}`)},
		Rules: []alert.RuleRef{{ID: "r-k8s", Title: "Service account listed secrets", Level: alert.LevelInformational}, {ID: "r-k8s-2", Title: "Secrets read in kube-system", Level: alert.LevelMedium}},
	})
	return rows
}

func mustParse(m map[string]any) *fastjson.Value {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	v, err := fastjson.ParseBytes(b)
	if err != nil {
		panic(err)
	}
	return v
}
