package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/idsentry/idsentry/internal/alert"
)

// OCSF Detection Finding, schema 1.4.0 (https://schema.ocsf.io/1.4.0/classes/detection_finding;
// ocsf/ocsf-schema events/findings/detection_finding.json, finding.json,
// objects/finding_info.json, analytic.json, evidences.json, observable.json).
// Only attributes of that class and its objects are used; what has no OCSF
// home (group key, distinct values, enrichment) goes under "unmapped".
const (
	ocsfVersion        = "1.4.0"
	ocsfClassUID       = 2004 // Detection Finding
	ocsfCategoryUID    = 2    // Findings
	ocsfActivityCreate = 1
	ocsfStatusNew      = 1
	ocsfAnalyticRule   = 1 // analytic.type_id Rule
	// observable.type_id values.
	ocsfObsIP       = 2
	ocsfObsUserName = 4
	ocsfObsResource = 10
)

// ocsfSeverity maps alert levels onto severity_id: Informational 1, Low 2,
// Medium 3, High 4, Critical 5.
var ocsfSeverity = [...]struct {
	id   int
	name string
}{
	alert.LevelInformational: {1, "Informational"},
	alert.LevelLow:           {2, "Low"},
	alert.LevelMedium:        {3, "Medium"},
	alert.LevelHigh:          {4, "High"},
	alert.LevelCritical:      {5, "Critical"},
}

// OCSFOptions configure WriteOCSF.
type OCSFOptions struct {
	// ProductVersion is idsentry's version (metadata.product.version).
	ProductVersion string
	// Time is the finding creation time (OCSF "time"). Zero uses each
	// alert's last_seen, which keeps the output reproducible.
	Time time.Time
}

type ocsfFinding struct {
	ActivityID   int             `json:"activity_id"`
	ActivityName string          `json:"activity_name"`
	CategoryUID  int             `json:"category_uid"`
	CategoryName string          `json:"category_name"`
	ClassUID     int             `json:"class_uid"`
	ClassName    string          `json:"class_name"`
	TypeUID      int             `json:"type_uid"`
	TypeName     string          `json:"type_name"`
	SeverityID   int             `json:"severity_id"`
	Severity     string          `json:"severity"`
	StatusID     int             `json:"status_id"`
	Status       string          `json:"status"`
	IsAlert      bool            `json:"is_alert"`
	Time         int64           `json:"time"`
	StartTime    int64           `json:"start_time,omitempty"`
	EndTime      int64           `json:"end_time,omitempty"`
	Count        int             `json:"count"`
	Message      string          `json:"message,omitempty"`
	Metadata     ocsfMetadata    `json:"metadata"`
	FindingInfo  ocsfFindingInfo `json:"finding_info"`
	Actor        *ocsfActor      `json:"actor,omitempty"`
	Resources    []ocsfResource  `json:"resources,omitempty"`
	Observables  []ocsfObserv    `json:"observables,omitempty"`
	Evidences    []ocsfEvidence  `json:"evidences,omitempty"`
	Unmapped     map[string]any  `json:"unmapped,omitempty"`
}

type ocsfMetadata struct {
	UID     string      `json:"uid"`
	Version string      `json:"version"`
	Product ocsfProduct `json:"product"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string       `json:"uid"`
	Title         string       `json:"title"`
	Desc          string       `json:"desc,omitempty"`
	Types         []string     `json:"types,omitempty"`
	Analytic      ocsfAnalytic `json:"analytic"`
	Attacks       []ocsfAttack `json:"attacks,omitempty"`
	FirstSeenTime int64        `json:"first_seen_time,omitempty"`
	LastSeenTime  int64        `json:"last_seen_time,omitempty"`
}

type ocsfAnalytic struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfAttack struct {
	Technique *ocsfNamed `json:"technique,omitempty"`
	Tactic    *ocsfNamed `json:"tactic,omitempty"`
}

type ocsfNamed struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
}

type ocsfActor struct {
	User ocsfUser `json:"user"`
}

type ocsfUser struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

type ocsfResource struct {
	UID  string `json:"uid,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type"`
}

type ocsfObserv struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
	Value  string `json:"value"`
}

type ocsfEvidence struct {
	SrcEndpoint *ocsfEndpoint  `json:"src_endpoint,omitempty"`
	Data        map[string]any `json:"data"`
}

type ocsfEndpoint struct {
	IP string `json:"ip"`
}

// WriteOCSF writes each alert as an OCSF Detection Finding (class_uid 2004,
// activity Create, status New), one JSON object per line, in report order.
// The rule is the analytic (type Rule); ATT&CK technique and tactic tags
// become finding_info.attacks; account entities the actor; app, service
// principal and resource entities the resources; users, IPs and resources
// the observables; each evidence event goes under evidences[].data with its
// origin and matched fields, and its client IP in src_endpoint.
func WriteOCSF(w io.Writer, alerts []alert.Alert, opts OCSFOptions) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var p fastjson.Parser
	for _, a := range sortAlerts(alerts) {
		if err := enc.Encode(ocsfOf(a, opts, &p)); err != nil {
			return fmt.Errorf("encode ocsf finding %s: %w", a.ID, err)
		}
	}
	return bw.Flush()
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func ocsfOf(a *alert.Alert, opts OCSFOptions, p *fastjson.Parser) ocsfFinding {
	sev := ocsfSeverity[levelIndex(a.Level)]
	created := opts.Time
	if created.IsZero() {
		created = a.LastSeen
	}
	f := ocsfFinding{
		ActivityID: ocsfActivityCreate, ActivityName: "Create",
		CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Detection Finding",
		TypeUID: ocsfClassUID*100 + ocsfActivityCreate, TypeName: "Detection Finding: Create",
		SeverityID: sev.id, Severity: sev.name,
		StatusID: ocsfStatusNew, Status: "New",
		IsAlert: true,
		Time:    millis(created), StartTime: millis(a.FirstSeen), EndTime: millis(a.LastSeen),
		Count: a.Count, Message: a.Message,
		Metadata: ocsfMetadata{UID: a.ID, Version: ocsfVersion,
			Product: ocsfProduct{Name: "idsentry", VendorName: "idsentry", Version: opts.ProductVersion}},
		FindingInfo: ocsfFindingInfo{
			UID: a.ID, Title: a.Rule.Title, Desc: a.Message, Types: a.Rule.Tags,
			Analytic:      ocsfAnalytic{UID: a.Rule.ID, Name: a.Rule.Title, Type: "Rule", TypeID: ocsfAnalyticRule},
			Attacks:       attacksOf(a.Rule.Tags),
			FirstSeenTime: millis(a.FirstSeen), LastSeenTime: millis(a.LastSeen),
		},
	}
	for _, e := range a.Entities {
		label := entityLabel(e)
		if label == "" {
			continue
		}
		switch groupOf(e.Type) {
		case groupUser:
			if f.Actor == nil {
				f.Actor = &ocsfActor{User: ocsfUser{Name: label, UID: firstNonEmpty(e.Attr["aad_user_id"], e.Attr["object_id"])}}
			}
			f.Observables = append(f.Observables, ocsfObserv{Name: "actor.user.name", Type: "User Name", TypeID: ocsfObsUserName, Value: label})
		case groupIP:
			f.Observables = append(f.Observables, ocsfObserv{Name: "evidences.src_endpoint.ip", Type: "IP Address", TypeID: ocsfObsIP, Value: label})
		default:
			uid := firstNonEmpty(e.Attr["app_id"], e.Attr["resource_id"], e.Attr["object_id"], e.Attr["id"], label)
			f.Resources = append(f.Resources, ocsfResource{UID: uid, Name: label, Type: e.Type})
			f.Observables = append(f.Observables, ocsfObserv{Name: "resources.uid", Type: "Resource UID", TypeID: ocsfObsResource, Value: uid})
		}
	}
	for _, ev := range a.Evidence {
		data := map[string]any{"origin": ev.Origin, "kind": ev.Kind.String(), "format": ev.Format}
		if !ev.Time.IsZero() {
			data["time"] = ev.Time.UTC().Format(time.RFC3339Nano)
		}
		if len(ev.Matched) > 0 {
			data["matched"] = ev.Matched
		}
		var src *ocsfEndpoint
		if json.Valid(ev.Event) {
			data["event"] = ev.Event
			if doc, err := p.ParseBytes(ev.Event); err == nil {
				if _, ip, _ := describe(ev.Kind, doc); ip != "" {
					src = &ocsfEndpoint{IP: ip}
				}
			}
		}
		f.Evidences = append(f.Evidences, ocsfEvidence{SrcEndpoint: src, Data: data})
	}
	un := map[string]any{}
	if len(a.Group) > 0 {
		un["group"] = a.Group
	}
	if len(a.Values) > 0 {
		un["values"] = a.Values
	}
	if len(a.Enrichment) > 0 {
		un["enrichment"] = a.Enrichment
	}
	if len(a.Rule.Implements) > 0 {
		un["implements"] = a.Rule.Implements
	}
	if len(a.Risk.Objects) > 0 || len(a.Risk.Threats) > 0 {
		un["risk"] = a.Risk
	}
	if len(un) > 0 {
		f.Unmapped = un
	}
	return f
}

// attackTactics maps Sigma's ATT&CK tactic tags (attack.<name>) onto
// MITRE's tactic IDs and names (Enterprise matrix).
var attackTactics = map[string]ocsfNamed{
	"reconnaissance":       {"TA0043", "Reconnaissance"},
	"resource-development": {"TA0042", "Resource Development"},
	"initial-access":       {"TA0001", "Initial Access"},
	"execution":            {"TA0002", "Execution"},
	"persistence":          {"TA0003", "Persistence"},
	"privilege-escalation": {"TA0004", "Privilege Escalation"},
	"defense-evasion":      {"TA0005", "Defense Evasion"},
	"credential-access":    {"TA0006", "Credential Access"},
	"discovery":            {"TA0007", "Discovery"},
	"lateral-movement":     {"TA0008", "Lateral Movement"},
	"collection":           {"TA0009", "Collection"},
	"command-and-control":  {"TA0011", "Command and Control"},
	"exfiltration":         {"TA0010", "Exfiltration"},
	"impact":               {"TA0040", "Impact"},
}

// attacksOf turns Sigma ATT&CK tags into OCSF attack objects: one per
// technique (attack.t1234, attack.t1234.001), with the tactic attached when
// the rule names exactly one; tactics alone when no technique is tagged.
func attacksOf(tags []string) []ocsfAttack {
	var techniques []string
	var tactics []ocsfNamed
	for _, t := range tags {
		name, ok := strings.CutPrefix(strings.ToLower(t), "attack.")
		if !ok {
			continue
		}
		if tac, ok := attackTactics[strings.ReplaceAll(name, "_", "-")]; ok {
			tactics = append(tactics, tac)
			continue
		}
		if len(name) >= 5 && name[0] == 't' && isDigits(strings.SplitN(name[1:], ".", 2)[0]) {
			techniques = append(techniques, strings.ToUpper(name))
		}
	}
	var out []ocsfAttack
	for _, t := range techniques {
		at := ocsfAttack{Technique: &ocsfNamed{UID: t}}
		if len(tactics) == 1 {
			tac := tactics[0]
			at.Tactic = &tac
		}
		out = append(out, at)
	}
	if len(techniques) == 0 {
		for i := range tactics {
			out = append(out, ocsfAttack{Tactic: &tactics[i]})
		}
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
