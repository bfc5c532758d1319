package output

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/event"
)

// TimelineRow is one event that matched at least one rule, for the
// timeline CSV.
type TimelineRow struct {
	// Event is the stored copy of the matched event.
	Event *event.Stored
	// Rules are the rules that matched it.
	Rules []alert.RuleRef
}

// timelineHeader is the column order of WriteTimeline.
var timelineHeader = []string{
	"time", "kind", "format", "level", "rules", "rule_ids", "user", "ip", "app_operation", "origin", "record_id",
}

// actorPaths names, per log kind, the canonical fields (DESIGN.md §3) that
// say who acted, from where, and what they did or used; the first non-empty
// one wins. Sources: Graph signIn and directoryAudit, the O365 Management
// Activity common schema, Azure Monitor resource and activity log records
// (identity.claim / identity.claims), CloudTrail, audit.k8s.io/v1 Event
// (reference/detections.md §1.2, §1.5).
var actorPaths = map[event.Kind][3][]string{
	event.KindEntraSignIn: {
		{"userPrincipalName", "servicePrincipalName", "userId"},
		{"ipAddress"},
		{"appDisplayName", "appId"},
	},
	event.KindEntraAudit: {
		{"initiatedBy.user.userPrincipalName", "initiatedBy.app.displayName", "initiatedBy.app.servicePrincipalName"},
		{"initiatedBy.user.ipAddress"},
		{"activityDisplayName"},
	},
	event.KindM365Audit: {
		{"UserId"},
		{"ClientIP", "ClientIPAddress", "ActorIpAddress"},
		{"Operation"},
	},
	event.KindKeyVault: {
		{"identity.claim.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "identity.claim.appid"},
		{"callerIpAddress"},
		{"operationName"},
	},
	event.KindAzureActivity: {
		{"identity.claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "identity.claims.appid"},
		{"callerIpAddress"},
		{"operationName"},
	},
	event.KindCloudTrail: {
		{"userIdentity.arn", "userIdentity.principalId"},
		{"sourceIPAddress"},
		{"eventName"},
	},
	event.KindK8sAudit: {
		{"user.username"},
		{"sourceIPs"},
		{"verb"},
	},
	event.KindAppInventory: {
		{"displayName", "appId"},
		nil,
		nil,
	},
}

// describe returns who, from where and what for a canonical document.
func describe(kind event.Kind, doc *fastjson.Value) (user, ip, op string) {
	paths, ok := actorPaths[kind]
	if !ok || doc == nil {
		return "", "", ""
	}
	first := func(names []string) string {
		for _, n := range names {
			if v := event.Text(event.Lookup(doc, event.ParsePath(n))); v != "" {
				return v
			}
		}
		return ""
	}
	user, ip, op = first(paths[0]), first(paths[1]), first(paths[2])
	if kind == event.KindK8sAudit && op != "" {
		if res := first([]string{"objectRef.resource"}); res != "" {
			op += " " + res
			if sub := first([]string{"objectRef.subresource"}); sub != "" {
				op += "/" + sub
			}
		}
	}
	return user, ip, op
}

// WriteTimeline writes every matched event as CSV, sorted by time (then
// origin and record id), with the columns time (ISO-8601 in tz; nil means
// UTC), kind, format, level (the highest of the matching rules), rules,
// rule_ids, user, ip, app_operation (the app used or the operation done),
// origin (file:line) and record_id. The CSV conventions of WriteCSV apply.
func WriteTimeline(w io.Writer, rows []TimelineRow, tz *time.Location) error {
	if tz == nil {
		tz = time.UTC
	}
	sorted := make([]*TimelineRow, 0, len(rows))
	for i := range rows {
		if rows[i].Event != nil {
			sorted = append(sorted, &rows[i])
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Event, sorted[j].Event
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Origin != b.Origin {
			return a.Origin < b.Origin
		}
		return a.ID < b.ID
	})
	c, err := newCSV(w, timelineHeader)
	if err != nil {
		return err
	}
	var p fastjson.Parser
	for _, r := range sorted {
		ev := r.Event
		var user, ip, op string
		if doc, err := p.ParseBytes(ev.JSON()); err == nil {
			user, ip, op = describe(ev.Kind, doc)
		}
		level := alert.LevelInformational
		titles := make([]string, 0, len(r.Rules))
		ids := make([]string, 0, len(r.Rules))
		for _, rr := range r.Rules {
			level = max(level, rr.Level)
			titles = append(titles, rr.Title)
			ids = append(ids, rr.ID)
		}
		err := c.write([]string{
			isoTime(ev.Time, tz), ev.Kind.String(), ev.Format, level.String(),
			strings.Join(titles, listSep), strings.Join(ids, listSep),
			user, ip, op, ev.Origin, ev.ID,
		})
		if err != nil {
			return err
		}
	}
	return c.close()
}
