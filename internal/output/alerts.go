package output

import (
	"sort"
	"strings"

	"github.com/idsentry/idsentry/internal/alert"
)

// sortAlerts returns pointers to the alerts in report order: first seen,
// then level (most severe first), rule title, rule id and alert id. The
// caller's slice is not reordered.
func sortAlerts(alerts []alert.Alert) []*alert.Alert {
	out := make([]*alert.Alert, len(alerts))
	for i := range alerts {
		out[i] = &alerts[i]
	}
	sort.SliceStable(out, func(i, j int) bool { return alertLess(out[i], out[j]) })
	return out
}

func alertLess(a, b *alert.Alert) bool {
	if !a.FirstSeen.Equal(b.FirstSeen) {
		return a.FirstSeen.Before(b.FirstSeen)
	}
	if a.Level != b.Level {
		return a.Level > b.Level
	}
	if a.Rule.Title != b.Rule.Title {
		return a.Rule.Title < b.Rule.Title
	}
	if a.Rule.ID != b.Rule.ID {
		return a.Rule.ID < b.Rule.ID
	}
	return a.ID < b.ID
}

// entityKeys lists, per entity type, the attributes that name the entity,
// best first. Types and attributes follow DESIGN.md §9 ("account" with
// "upn", "ip" with "address"); unknown types fall back to their attributes
// in key order.
var entityKeys = map[string][]string{
	"account":             {"upn", "name", "display_name", "aad_user_id", "object_id", "sid", "id"},
	"ip":                  {"address", "ip"},
	"app":                 {"name", "display_name", "app_id", "id"},
	"service_principal":   {"name", "display_name", "app_id", "object_id", "id"},
	"host":                {"hostname", "name", "device_id", "id"},
	"cloud_resource":      {"name", "resource_id", "id"},
	"key_vault":           {"name", "vault", "resource_id", "id"},
	"aws_principal":       {"arn", "user_name", "name", "access_key_id", "id"},
	"k8s_service_account": {"name", "username", "id"},
}

// entityLabel returns the value that names e, or "" when it has none.
func entityLabel(e alert.Entity) string {
	for _, k := range entityKeys[e.Type] {
		if v := e.Attr[k]; v != "" {
			if e.Type == "k8s_service_account" && k == "name" && e.Attr["namespace"] != "" {
				return e.Attr["namespace"] + "/" + v
			}
			return v
		}
	}
	keys := make([]string, 0, len(e.Attr))
	for k := range e.Attr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := e.Attr[k]; v != "" {
			return v
		}
	}
	return ""
}

// entityGroup says which summary column an entity type feeds.
type entityGroup uint8

const (
	groupOther entityGroup = iota
	groupUser
	groupIP
	groupApp
)

func groupOf(typ string) entityGroup {
	switch typ {
	case "account", "aws_principal", "k8s_service_account":
		return groupUser
	case "ip":
		return groupIP
	case "app", "service_principal":
		return groupApp
	}
	return groupOther
}

// entityValues returns the distinct labels of the alert's entities in
// group g, in entity order.
func entityValues(a *alert.Alert, g entityGroup) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range a.Entities {
		if groupOf(e.Type) != g {
			continue
		}
		if v := entityLabel(e); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// entityList renders every entity as "type:label".
func entityList(a *alert.Alert) []string {
	out := make([]string, 0, len(a.Entities))
	for _, e := range a.Entities {
		if v := entityLabel(e); v != "" {
			out = append(out, e.Type+":"+v)
		}
	}
	return out
}

// why returns the field=value pairs that made the rule match, from the
// first evidence event that records them; failing that (correlation
// alerts), the alert's group key, field=value in field order.
func why(a *alert.Alert) []string {
	for _, ev := range a.Evidence {
		if len(ev.Matched) == 0 {
			continue
		}
		out := make([]string, len(ev.Matched))
		for i, m := range ev.Matched {
			out[i] = m.Field + "=" + m.Value
		}
		return out
	}
	var out []string
	for _, k := range sortedKeys(a.Group) {
		out = append(out, k+"="+a.Group[k])
	}
	return out
}

// origins returns the evidence origins (file:line) of the alert.
func origins(a *alert.Alert) []string {
	out := make([]string, 0, len(a.Evidence))
	for _, ev := range a.Evidence {
		if ev.Origin != "" {
			out = append(out, ev.Origin)
		}
	}
	return out
}

// compactEntities renders the user, IP and app entities for a table cell.
func compactEntities(a *alert.Alert) string {
	var parts []string
	for _, g := range []entityGroup{groupUser, groupIP, groupApp, groupOther} {
		vals := entityValues(a, g)
		switch len(vals) {
		case 0:
		case 1, 2:
			parts = append(parts, vals...)
		default:
			parts = append(parts, vals[0], "+"+itoa(len(vals)-1))
		}
	}
	return strings.Join(parts, " ")
}
