package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
)

func htmlAlertOf(a *alert.Alert, anchor string, ts func(time.Time) string, maxEv int) htmlAlert {
	h := htmlAlert{
		Anchor: anchor, Level: a.Level.String(), Short: levelShort[levelIndex(a.Level)], Title: a.Rule.Title,
		RuleID: a.Rule.ID, Message: a.Message, First: ts(a.FirstSeen), Last: ts(a.LastSeen), Count: a.Count,
		Users: entityValues(a, groupUser), IPs: entityValues(a, groupIP), Apps: entityValues(a, groupApp),
		Others: entityValues(a, groupOther), Why: why(a), Tags: a.Rule.Tags, Implements: a.Rule.Implements,
	}
	if h.Title == "" {
		h.Title = a.Rule.ID
	}
	for _, f := range sortedKeys(a.Values) {
		vals := a.Values[f]
		line := f + ": " + strings.Join(vals, ", ")
		if more := a.Distinct[f] - len(vals); more > 0 {
			line += fmt.Sprintf(" (+%s more)", itoa(more))
		}
		h.Values = append(h.Values, line)
	}
	if len(a.Enrichment) > 0 {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // html/template escapes; keep "<" readable
		enc.SetIndent("", "  ")
		if err := enc.Encode(a.Enrichment); err == nil {
			h.Enrichment = strings.TrimSpace(b.String())
		}
	}
	for i, ev := range a.Evidence {
		if i >= maxEv {
			h.EvidenceOmitted = len(a.Evidence) - maxEv
			break
		}
		he := htmlEvidence{Origin: ev.Origin, Kind: ev.Kind.String(), Format: ev.Format, Time: ts(ev.Time)}
		for _, m := range ev.Matched {
			he.Matched = append(he.Matched, m.Field+" = "+m.Value)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, ev.Event, "", "  "); err == nil {
			he.JSON = pretty.String()
		} else {
			he.JSON = strings.ToValidUTF8(string(ev.Event), "\uFFFD")
		}
		if len(he.JSON) > maxEvidenceJSON {
			he.JSON = strings.ToValidUTF8(he.JSON[:maxEvidenceJSON], "") + "\n… (truncated; see the JSONL output)"
		}
		h.Evidence = append(h.Evidence, he)
	}
	return h
}

// userTimelines groups the alerts by user entity, users with the most
// severe alerts first, then most alerts, then by name.
func userTimelines(sorted []*alert.Alert, anchors map[string]alertLink, ts func(time.Time) string, maxUsers int) ([]htmlUser, int) {
	type acc struct {
		level   alert.Level
		entries []htmlUserEntry
	}
	users := map[string]*acc{}
	for i, a := range sorted {
		anchor := fmt.Sprintf("alert-%d", i+1)
		if l, ok := anchors[a.ID]; ok {
			anchor = l.Anchor
		}
		for _, u := range entityValues(a, groupUser) {
			ac := users[u]
			if ac == nil {
				ac = &acc{}
				users[u] = ac
			}
			ac.level = max(ac.level, a.Level)
			ac.entries = append(ac.entries, htmlUserEntry{Time: ts(a.FirstSeen), Level: a.Level.String(),
				Title: a.Rule.Title, Anchor: anchor, Count: a.Count})
		}
	}
	names := sortedKeys(users)
	sort.SliceStable(names, func(i, j int) bool {
		a, b := users[names[i]], users[names[j]]
		if a.level != b.level {
			return a.level > b.level
		}
		return len(a.entries) > len(b.entries)
	})
	omitted := 0
	if len(names) > maxUsers {
		omitted = len(names) - maxUsers
		names = names[:maxUsers]
	}
	out := make([]htmlUser, 0, len(names))
	for _, n := range names {
		out = append(out, htmlUser{Name: n, Level: users[n].level.String(), Entries: users[n].entries})
	}
	return out, omitted
}

func htmlSignInOf(p *SignInProfile, ts func(time.Time) string) htmlSignIn {
	list := func(t *Tally, n int) []string {
		var out []string
		vals := t.Values()
		for i, vc := range vals {
			if i == n {
				out = append(out, fmt.Sprintf("+%d more", len(vals)-n))
				break
			}
			out = append(out, fmt.Sprintf("%s ×%s", vc.Value, itoa(vc.Count)))
		}
		if t.Other > 0 {
			out = append(out, fmt.Sprintf("(+%s beyond cap)", itoa(t.Other)))
		}
		return out
	}
	return htmlSignIn{
		User: p.User, First: ts(p.First), Last: ts(p.Last), Total: p.Total, Success: p.Success, Failure: p.Failure,
		Countries: list(&p.Countries, 8), IPs: list(&p.IPs, 6), ASNs: list(&p.ASNs, 6), Apps: list(&p.Apps, 6),
		UAs: list(&p.UserAgents, 4), MFA: list(&p.AuthRequirements, 4), CA: list(&p.CAStatuses, 4),
		ErrorCode: list(&p.ErrorCodes, 6),
	}
}
