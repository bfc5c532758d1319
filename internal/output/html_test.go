package output

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/event"
)

func fixtureReport(t *testing.T) Report {
	return Report{
		Title:     "idsentry report — contoso",
		Generated: ts("2026-11-21T09:00:00Z"),
		Summary:   fixtureSummary(),
		Alerts:    fixtureAlerts(),
		Incidents: fixtureIncidents(),
		SignIns:   fixtureSignIns(t),
	}
}

func renderHTML(t testing.TB, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLReport(t *testing.T) {
	out := renderHTML(t, fixtureReport(t))
	for _, want := range []string{
		"User denied consent to an OAuth application", "MFA fatigue followed by a successful sign-in",
		`id="alerts"`, `id="signins"`, `id="users"`, `id="incidents"`, "Per-user timeline",
		"bob@contoso.com", "multiFactorAuthentication", "AS64500", "500121 ×12", "Content-Security-Policy",
		"<svg", "Alerts per day by level", "Sign-ins per hour of day (UTC)", "Sign-ins by country or region",
		"status.errorCode = 65004", "&#34;userPrincipalName&#34;", // pretty-printed evidence, escaped
		"&#34;title&#34;: &#34;&lt;b&gt;CFO&lt;/b&gt;&#34;", "userAgent: =cmd|&#39; /C calc&#39;!A0, Mozilla/5.0 (&#43;2 more)",
		"198.51.100.23", "(score)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Attacker-controlled text is escaped, never live markup.
	for _, bad := range []string{"<script>alert(", "\x1b[31m"} {
		if strings.Contains(out, bad) {
			t.Errorf("report contains unescaped %q", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(&#39;ua&#39;)&lt;/script&gt;") {
		t.Error("the user agent <script> is not shown escaped")
	}
	if n := strings.Count(strings.ToLower(out), "<script"); n != 1 {
		t.Errorf("%d script elements, want the one inline script", n)
	}
	// Self-contained: no external resource of any kind.
	if m := regexp.MustCompile(`(?i)(src|href|xlink:href|action)\s*=\s*"?(https?:)?//`).FindString(out); m != "" {
		t.Errorf("external reference %q", m)
	}
	if regexp.MustCompile(`(?i)@import|url\(`).MatchString(out) {
		t.Error("CSS fetches something")
	}
}

func TestHTMLEmpty(t *testing.T) {
	out := renderHTML(t, Report{})
	if !strings.Contains(out, "No alerts.") || !strings.Contains(out, "<title>idsentry report</title>") {
		t.Error("empty report lacks its no-alerts line or default title")
	}
}

func TestHTMLCaps(t *testing.T) {
	r := fixtureReport(t)
	r.MaxAlerts, r.MaxEvidence, r.MaxUsers = 2, 1, 1
	r.Alerts[0].Evidence = append(r.Alerts[0].Evidence, r.Alerts[0].Evidence...)
	out := renderHTML(t, r)
	if got := strings.Count(out, `<details class="alert"`); got != 2 {
		t.Errorf("%d alerts rendered", got)
	}
	for _, want := range []string{"3 more alerts are not shown", "more users with alerts are not shown", "2 more users are not shown"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q", want)
		}
	}
}

var tagRe = regexp.MustCompile(`<(/?[a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*(?:="[^"]*")?)*)\s*/?>`)

// tagSkeleton lists every tag with its attribute names, skipping the
// contents of script and style elements. If log-derived text could create
// markup, the skeleton would change with it.
func tagSkeleton(t testing.TB, html string) []string {
	var out []string
	i := 0
	for {
		j := strings.IndexByte(html[i:], '<')
		if j < 0 {
			return out
		}
		i += j
		m := tagRe.FindStringSubmatchIndex(html[i:])
		if m == nil || m[0] != 0 {
			if strings.HasPrefix(html[i:], "<!DOCTYPE") {
				i++
				continue
			}
			t.Fatalf("stray '<' at %d: %q", i, html[i:min(len(html), i+60)])
		}
		name := strings.ToLower(html[i+m[2] : i+m[3]])
		attrs := regexp.MustCompile(`\s+([a-zA-Z][a-zA-Z0-9:-]*)`).FindAllStringSubmatch(html[i+m[4]:i+m[5]], -1)
		sk := name
		for _, a := range attrs {
			sk += " " + a[1]
		}
		out = append(out, sk)
		i += m[1]
		if name == "script" || name == "style" {
			end := strings.Index(strings.ToLower(html[i:]), "</"+name)
			if end < 0 {
				t.Fatalf("unclosed %s", name)
			}
			i += end
		}
	}
}

// hostileReport puts s into every log-derived text field the report shows.
func hostileReport(s string) Report {
	a := fixtureAlerts()[:1]
	a[0].Rule.Title = "t" + s
	a[0].Message = "m" + s
	a[0].Entities = []alert.Entity{account("u" + s), ipEntity("i" + s), appEntity("a"+s, "x")}
	ev, _ := json.Marshal(map[string]string{"k": s})
	a[0].Evidence[0].Event = ev
	a[0].Evidence[0].Origin = "o" + s
	a[0].Evidence[0].Matched = []alert.FieldValue{{Field: "f" + s, Value: "v" + s}}
	sum := &Summary{Command: "c" + s}
	sum.AddSkipped("r"+s, 1, []string{"o" + s})
	sum.AddUnrecognised("p"+s, "e"+s)
	sum.CountAlerts(a, 5)
	var p SignInProfiles
	p.Add(&event.Event{Kind: event.KindEntraSignIn, Doc: mustParse(map[string]any{
		"userPrincipalName": "u" + s, "userAgent": "ua" + s, "appDisplayName": "a" + s, "ipAddress": "i" + s,
		"location": map[string]any{"countryOrRegion": "c" + s}, "status": map[string]any{"errorCode": 0},
		"createdDateTime": "2026-11-20T08:00:00Z", "authenticationRequirement": "r" + s, "conditionalAccessStatus": "s" + s,
	})})
	return Report{Title: "T" + s, Summary: sum, Alerts: a, Incidents: []alert.Incident{{ID: "i", Entity: "e" + s, Reason: "r" + s,
		Tactics: []string{"t" + s}, Alerts: []string{a[0].ID}}}, SignIns: &p}
}

func TestHTMLEscapesEverything(t *testing.T) {
	base := tagSkeleton(t, renderHTML(t, hostileReport("x")))
	for _, s := range []string{
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `' onmouseover='alert(1)`,
		`</textarea></pre></details><b>`, "\x00\x1b[31m<!--", `]]><svg onload=alert(1)>`, `javascript:alert(1)`,
	} {
		out := renderHTML(t, hostileReport(s))
		if got := tagSkeleton(t, out); !reflect.DeepEqual(got, base) {
			t.Errorf("%q changed the markup", s)
		}
	}
}
