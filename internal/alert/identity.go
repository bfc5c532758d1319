package alert

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Identity is the directory context of one user, from a Microsoft Graph
// users export or a Sentinel IdentityInfo export (seed 002's IdentityInfo
// join: Tags, JobTitle, GroupMembership, AssignedRoles, UserType,
// IsAccountEnabled).
type Identity struct {
	UPN            string   `json:"upn"`
	ID             string   `json:"id,omitempty"`
	DisplayName    string   `json:"display_name,omitempty"`
	JobTitle       string   `json:"job_title,omitempty"`
	Department     string   `json:"department,omitempty"`
	UserType       string   `json:"user_type,omitempty"`
	AccountEnabled *bool    `json:"account_enabled,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	Groups         []string `json:"groups,omitempty"`
	Roles          []string `json:"roles,omitempty"`
	// Source is "graph" or "identityinfo".
	Source string `json:"source"`

	at time.Time // IdentityInfo TimeGenerated: the latest row wins
}

// Identities is a directory snapshot indexed by lower-cased user principal
// name and by object id. It is read-only after loading.
type Identities struct {
	byUPN map[string]*Identity
	byID  map[string]*Identity
}

// Len returns the number of identities.
func (ids *Identities) Len() int {
	if ids == nil {
		return 0
	}
	return len(ids.byUPN)
}

// Lookup returns the identity of a user principal name (case-insensitive).
func (ids *Identities) Lookup(upn string) (*Identity, bool) {
	if ids == nil {
		return nil, false
	}
	id, ok := ids.byUPN[fold(upn)]
	return id, ok
}

// LookupID returns the identity with an Entra object id.
func (ids *Identities) LookupID(objectID string) (*Identity, bool) {
	if ids == nil {
		return nil, false
	}
	id, ok := ids.byID[fold(objectID)]
	return id, ok
}

// LoadIdentities reads a directory export given with --identities:
//
//   - Microsoft Graph users: a `GET /users` response page
//     ({"value":[…]}, several pages concatenated or one per line), a JSON
//     array, NDJSON or a single object, with the user resource's
//     userPrincipalName, id, displayName, jobTitle, department, userType,
//     accountEnabled and optionally an expanded memberOf[] whose
//     "@odata.type" separates #microsoft.graph.group (groups) from
//     #microsoft.graph.directoryRole (roles); other member types are
//     ignored.
//   - Sentinel IdentityInfo rows (Azure Monitor table reference): AccountUPN,
//     AccountObjectId, AccountDisplayName, Tags, JobTitle, Department,
//     GroupMembership, AssignedRoles, UserType, IsAccountEnabled,
//     TimeGenerated — as JSON (same containers) or CSV with a header row.
//     Dynamic columns may be JSON arrays or JSON text inside a string.
//     When a UPN has several rows, the one with the latest TimeGenerated
//     wins (the seed's arg_max).
//
// Column and property names are matched case-insensitively. Records
// without a UPN are skipped.
func LoadIdentities(r io.Reader) (*Identities, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	ids := &Identities{byUPN: map[string]*Identity{}, byID: map[string]*Identity{}}
	first, err := firstByte(br)
	if err == io.EOF {
		return ids, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read identities: %w", err)
	}
	if first == '{' || first == '[' {
		err = loadJSON(br, ids)
	} else {
		err = loadCSV(br, ids)
	}
	if err != nil {
		return nil, err
	}
	return ids, nil
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

func loadJSON(r io.Reader, ids *Identities) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	for n := 1; ; n++ {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read identities: JSON value %d: %w", n, err)
		}
		ids.addValue(v)
	}
}

// addValue adds a user object, an array of them or a Graph page.
func (ids *Identities) addValue(v any) {
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			if o, ok := it.(map[string]any); ok {
				ids.addObject(lowerKeys(o))
			}
		}
	case map[string]any:
		o := lowerKeys(x)
		if page, ok := o["value"].([]any); ok {
			ids.addValue(page)
			return
		}
		ids.addObject(o)
	}
}

func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// addObject adds one record with lower-cased keys.
func (ids *Identities) addObject(o map[string]any) {
	var id Identity
	if upn := text(o["userprincipalname"]); upn != "" {
		// Graph user resource (learn.microsoft.com/graph/api/resources/user).
		id = Identity{
			UPN: upn, ID: text(o["id"]), DisplayName: text(o["displayname"]),
			JobTitle: text(o["jobtitle"]), Department: text(o["department"]),
			UserType: text(o["usertype"]), AccountEnabled: boolPtr(o["accountenabled"]),
			Source: "graph",
		}
		if members, ok := o["memberof"].([]any); ok {
			for _, it := range members {
				m, ok := it.(map[string]any)
				if !ok {
					continue
				}
				m = lowerKeys(m)
				name := text(m["displayname"])
				if name == "" {
					name = text(m["id"])
				}
				switch strings.ToLower(text(m["@odata.type"])) {
				case "#microsoft.graph.group":
					id.Groups = appendName(id.Groups, name)
				case "#microsoft.graph.directoryrole":
					id.Roles = appendName(id.Roles, name)
				}
			}
		}
	} else if upn := text(o["accountupn"]); upn != "" {
		// Sentinel IdentityInfo (azure-monitor-ref tables/identityinfo).
		id = Identity{
			UPN: upn, ID: text(o["accountobjectid"]), DisplayName: text(o["accountdisplayname"]),
			JobTitle: text(o["jobtitle"]), Department: text(o["department"]),
			UserType: text(o["usertype"]), AccountEnabled: boolPtr(o["isaccountenabled"]),
			Tags: list(o["tags"]), Groups: list(o["groupmembership"]), Roles: list(o["assignedroles"]),
			Source: "identityinfo",
		}
		id.at = parseTimeGenerated(text(o["timegenerated"]))
	} else {
		return
	}
	ids.put(&id)
}

// put stores an identity: a later IdentityInfo row (by TimeGenerated)
// replaces an earlier one; otherwise the record read last wins, keeping
// what it leaves empty from the earlier record.
func (ids *Identities) put(id *Identity) {
	key := fold(id.UPN)
	if old, ok := ids.byUPN[key]; ok {
		if !old.at.IsZero() && !id.at.IsZero() && id.at.Before(old.at) {
			return
		}
		if old.at.IsZero() || id.at.IsZero() {
			fillFrom(id, old)
		}
		if old.ID != "" && fold(old.ID) != fold(id.ID) {
			delete(ids.byID, fold(old.ID))
		}
	}
	ids.byUPN[key] = id
	if id.ID != "" {
		ids.byID[fold(id.ID)] = id
	}
}

func fillFrom(dst, src *Identity) {
	fill := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	fill(&dst.ID, src.ID)
	fill(&dst.DisplayName, src.DisplayName)
	fill(&dst.JobTitle, src.JobTitle)
	fill(&dst.Department, src.Department)
	fill(&dst.UserType, src.UserType)
	if dst.AccountEnabled == nil {
		dst.AccountEnabled = src.AccountEnabled
	}
	if dst.Tags == nil {
		dst.Tags = src.Tags
	}
	if dst.Groups == nil {
		dst.Groups = src.Groups
	}
	if dst.Roles == nil {
		dst.Roles = src.Roles
	}
}

// parseTimeGenerated reads TimeGenerated as JSON exports write it
// (RFC 3339) or as the Log Analytics portal's CSV export does
// ("11/20/2026, 8:00:00.000 AM", UTC); zero when unreadable.
func parseTimeGenerated(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "1/2/2006, 3:04:05.000 PM", "1/2/2006, 3:04:05 PM", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func appendName(list []string, name string) []string {
	if name == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, name) {
			return list
		}
	}
	return append(list, name)
}

// text renders a JSON scalar as text.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

func boolPtr(v any) *bool {
	var b bool
	switch x := v.(type) {
	case bool:
		b = x
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1":
			b = true
		case "false", "0":
		default:
			return nil
		}
	default:
		return nil
	}
	return &b
}

// list reads a dynamic column: a JSON array, a string holding a JSON array,
// or a single string value.
func list(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, it := range x {
			out = appendName(out, text(it))
		}
		return out
	case string:
		s := strings.TrimSpace(x)
		if s == "" || s == "[]" {
			return nil
		}
		if strings.HasPrefix(s, "[") {
			var arr []any
			if err := json.Unmarshal([]byte(s), &arr); err == nil {
				return list(arr)
			}
		}
		return []string{s}
	}
	return nil
}

func loadCSV(r io.Reader, ids *Identities) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read identities: CSV header: %w", err)
	}
	cols := make([]string, len(head))
	hasUPN := false
	for i, h := range head {
		// The portal's CSV export suffixes datetime columns with " [UTC]".
		cols[i] = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), " [utc]")
		hasUPN = hasUPN || cols[i] == "accountupn" || cols[i] == "userprincipalname"
	}
	if !hasUPN {
		return errors.New("read identities: not JSON, and the CSV header has no AccountUPN or userPrincipalName column")
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read identities: %w", err)
		}
		o := make(map[string]any, len(rec))
		for i, v := range rec {
			if i < len(cols) {
				o[cols[i]] = v
			}
		}
		// Graph CSV exports carry memberOf as JSON text.
		if s, ok := o["memberof"].(string); ok && strings.HasPrefix(strings.TrimSpace(s), "[") {
			var arr []any
			if json.Unmarshal([]byte(s), &arr) == nil {
				o["memberof"] = arr
			}
		}
		ids.addObject(o)
	}
}

// UPNs returns the known user principal names, lower-cased and sorted.
func (ids *Identities) UPNs() []string {
	if ids == nil {
		return nil
	}
	out := make([]string, 0, len(ids.byUPN))
	for k := range ids.byUPN {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
