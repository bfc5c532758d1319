package output

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idsentry/idsentry/internal/alert"
)

// Report is everything the HTML report shows.
type Report struct {
	// Title heads the report (default "idsentry report").
	Title string
	// Generated is when the report was made; zero leaves it out.
	Generated time.Time
	// TZ is the display time zone (nil means UTC).
	TZ *time.Location
	// Summary is the scan summary (optional).
	Summary *Summary
	// Alerts and Incidents are what the scan found.
	Alerts    []alert.Alert
	Incidents []alert.Incident
	// SignIns is the per-user sign-in aggregate (optional).
	SignIns *SignInProfiles
	// Caps on what is rendered, to keep the file openable: alerts (0 =
	// 2000), evidence events per alert (0 = 5), users in the per-user
	// timeline and in the sign-in summary (0 = 500 each). What is left out
	// is counted in the report; the JSONL output has everything.
	MaxAlerts, MaxEvidence, MaxUsers int
}

//go:embed report.html.tmpl
var reportTemplate string

//go:embed report.css
var reportCSS string

//go:embed report.js
var reportJS string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":    func(n any) string { return itoa(toInt64(n)) },
	"bytes":  humanBytes,
	"join":   strings.Join,
	"lower":  strings.ToLower,
	"plural": func(n int, unit string) string { return plural(n, unit) },
	"pair":   func(label string, values []string) labelled { return labelled{label, values} },
}).Parse(reportTemplate))

// labelled is a labelled list of values for the template.
type labelled struct {
	Label  string
	Values []string
}

func toInt64(n any) int64 {
	switch v := n.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	}
	return 0
}

// WriteHTML writes the report as one self-contained HTML file: inline CSS,
// a little inline JavaScript (filters and expand-all; the content needs
// none), inline SVG charts, no external URL, and a Content-Security-Policy
// that forbids network access. All log-derived text is escaped by
// html/template.
func WriteHTML(w io.Writer, r Report) error {
	v := buildView(&r)
	var buf bytes.Buffer
	if err := reportTmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(stripControls(buf.String())); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return bw.Flush()
}

type htmlView struct {
	Title, Generated, TZ string
	CSS                  template.CSS
	JS                   template.JS
	S                    *Summary
	Levels               []levelCount
	Charts               []chartView
	Alerts               []htmlAlert
	TotalAlerts          int
	AlertsOmitted        int
	Incidents            []htmlIncident
	Users                []htmlUser
	UsersOmitted         int
	SignIns              []htmlSignIn
	SignInsOmitted       int
	SignInNote           string
	Coverage             []htmlCoverage
	Tops                 []topList
}

type topList struct {
	Title string
	List  []Count
}

type levelCount struct {
	Name  string
	Count int
}

type htmlAlert struct {
	Anchor, Level, Short, Title, RuleID, Message, First, Last string
	Count                                                     int
	Users, IPs, Apps, Others, Why, Tags, Implements, Values   []string
	Enrichment                                                string
	Evidence                                                  []htmlEvidence
	EvidenceOmitted                                           int
}

type htmlEvidence struct {
	Origin, Kind, Format, Time, JSON string
	Matched                          []string
}

type htmlIncident struct {
	Level, Entity, First, Last, Reason, Trigger string
	Score                                       int
	Tactics, Rules, Threats                     []string
	Alerts                                      []alertLink
}

type alertLink struct{ Anchor, Title string }

type htmlUser struct {
	Name, Level string
	Entries     []htmlUserEntry
}

type htmlUserEntry struct {
	Time, Level, Title, Anchor string
	Count                      int
}

type htmlSignIn struct {
	User, First, Last                                   string
	Total, Success, Failure                             int64
	Countries, IPs, ASNs, Apps, UAs, MFA, CA, ErrorCode []string
}

type htmlCoverage struct {
	Kind, First, Last, Gaps string
	Records                 int64
	Days, GapDays           int
}

const maxEvidenceJSON = 64 << 10

func buildView(r *Report) *htmlView {
	loc := r.TZ
	if loc == nil {
		loc = time.UTC
	}
	ts := func(t time.Time) string { return isoTime(t, loc) }
	v := &htmlView{Title: r.Title, TZ: loc.String(), CSS: template.CSS(reportCSS), JS: template.JS(reportJS), S: r.Summary}
	if v.Title == "" {
		v.Title = "idsentry report"
	}
	if !r.Generated.IsZero() {
		v.Generated = ts(r.Generated)
	}
	maxAlerts, maxEv, maxUsers := orDefault(r.MaxAlerts, 2000), orDefault(r.MaxEvidence, 5), orDefault(r.MaxUsers, 500)

	byLevel := map[alert.Level]int{}
	for i := range r.Alerts {
		byLevel[r.Alerts[i].Level]++
	}
	for _, s := range levelSeries() {
		l, _ := alert.ParseLevel(s.label)
		v.Levels = append(v.Levels, levelCount{s.label, byLevel[l]})
	}
	for _, c := range []chartView{alertsPerDay(r.Alerts, loc), signInsPerHour(r.SignIns, loc), topCountries(r.SignIns)} {
		if c.SVG != "" {
			v.Charts = append(v.Charts, c)
		}
	}

	v.TotalAlerts = len(r.Alerts)
	sorted := sortAlerts(r.Alerts)
	anchors := map[string]alertLink{}
	for i, a := range sorted {
		link := alertLink{Anchor: fmt.Sprintf("alert-%d", i+1), Title: a.Rule.Title}
		if a.ID != "" {
			anchors[a.ID] = link
		}
		if i >= maxAlerts {
			v.AlertsOmitted++
			continue
		}
		v.Alerts = append(v.Alerts, htmlAlertOf(a, link.Anchor, ts, maxEv))
	}
	for _, in := range sortIncidents(r.Incidents) {
		hi := htmlIncident{Level: in.Level.String(), Entity: in.EntityType + ": " + in.Entity, First: ts(in.FirstSeen),
			Last: ts(in.LastSeen), Reason: in.Reason, Trigger: in.Trigger, Score: in.Score, Tactics: in.Tactics, Rules: in.Rules}
		for _, th := range in.Threats {
			hi.Threats = append(hi.Threats, th.Type+": "+th.Value)
		}
		for _, id := range in.Alerts {
			if l, ok := anchors[id]; ok {
				hi.Alerts = append(hi.Alerts, l)
			}
		}
		v.Incidents = append(v.Incidents, hi)
	}
	v.Users, v.UsersOmitted = userTimelines(sorted, anchors, ts, maxUsers)
	if r.SignIns != nil {
		profiles := r.SignIns.Profiles()
		for i, p := range profiles {
			if i >= maxUsers {
				v.SignInsOmitted = len(profiles) - maxUsers
				break
			}
			v.SignIns = append(v.SignIns, htmlSignInOf(p, ts))
		}
		var notes []string
		if n := r.SignIns.NoUser(); n > 0 {
			notes = append(notes, itoa(n)+" sign-ins named no user (service principals, managed identities)")
		}
		if n := r.SignIns.DroppedUsers(); n > 0 {
			notes = append(notes, itoa(n)+" sign-ins of users beyond the profile cap were not profiled")
		}
		v.SignInNote = strings.Join(notes, "; ")
	}
	if s := r.Summary; s != nil {
		for _, t := range []topList{{"Top rules", s.TopRules}, {"Top users", s.TopUsers}, {"Top IPs", s.TopIPs}, {"Top apps", s.TopApps}} {
			if len(t.List) > 0 {
				v.Tops = append(v.Tops, t)
			}
		}
		for _, c := range s.Coverage {
			var gs []string
			for _, g := range c.Gaps {
				if g.From == g.To {
					gs = append(gs, g.From)
				} else {
					gs = append(gs, g.From+" – "+g.To)
				}
			}
			v.Coverage = append(v.Coverage, htmlCoverage{Kind: c.Kind.String(), First: ts(c.First), Last: ts(c.Last),
				Gaps: strings.Join(gs, ", "), Records: c.Records, Days: c.Days, GapDays: c.GapDays})
		}
	}
	return v
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// stripControls replaces invalid UTF-8 and the control characters HTML
// forbids in text (C0 except tab, LF and CR; DEL; C1) with U+FFFD. The
// template has none, so only log-derived text is touched; html/template
// escapes markup but passes these through.
func stripControls(s string) string {
	if strings.IndexFunc(s, badControl) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if badControl(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
