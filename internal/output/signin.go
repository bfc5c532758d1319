package output

import (
	"bytes"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/idsentry/idsentry/internal/event"
)

// Canonical Entra sign-in fields (Microsoft Graph signIn resource; see
// reference/detections.md §1.2 and the Graph example in
// data/public/microsoft-docs/graph-docs/beta-signin-list-example1-response.json).
// All are top-level or one object deep, so they are read with
// fastjson.Value.Get directly.
var (
	keyUPN       = []string{"userPrincipalName"}
	keyUserID    = []string{"userId"}
	keyErrorCode = []string{"status", "errorCode"}
	keyCountry   = []string{"location", "countryOrRegion"}
	keyIP        = []string{"ipAddress"}
	keyASN       = []string{"autonomousSystemNumber"}
	keyApp       = []string{"appDisplayName"}
	keyUA        = []string{"userAgent"}
	keyAuthReq   = []string{"authenticationRequirement"}
	keyCA        = []string{"conditionalAccessStatus"}
	keyCreated   = []string{"createdDateTime"}
)

// Default caps of SignInProfiles.
const (
	DefaultMaxUsers  = 50000
	DefaultMaxValues = 25
	maxHours         = 24 * 366 * 3
	maxCountries     = 1000
)

// SignInProfiles aggregates Entra sign-in events per user for the report's
// sign-in summary: successes and failures, countries, IPs, ASNs, apps, user
// agents, MFA requirement (authenticationRequirement), conditional-access
// status and error codes, plus sign-ins per hour and per country overall.
//
// Memory is bounded: at most MaxUsers users and MaxValues distinct values
// per user and attribute; what a cap turns away is counted (DroppedUsers,
// Tally.Other). A SignInProfiles is not safe for concurrent use: keep one
// per worker and Merge them in a fixed order. While no cap is reached the
// result does not depend on that order either.
type SignInProfiles struct {
	// MaxUsers and MaxValues are the caps (0 = the defaults).
	MaxUsers  int
	MaxValues int

	users     map[string]*SignInProfile
	hours     map[int64]*[2]int64 // Unix hour → success, failure
	countries map[string]*[2]int64
	// dropped counts sign-ins of users beyond MaxUsers; noUser sign-ins
	// with neither userPrincipalName nor userId (service principals).
	dropped, noUser int64
	// scratch buffers for Add: user, error code, country, ASN, other.
	scratch [5][]byte
}

// SignInProfile is one user's sign-ins.
type SignInProfile struct {
	User    string    `json:"user"`
	Total   int64     `json:"total"`
	Success int64     `json:"success"`
	Failure int64     `json:"failure"`
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`

	Countries  Tally `json:"countries"`
	IPs        Tally `json:"ips"`
	ASNs       Tally `json:"asns"`
	Apps       Tally `json:"apps"`
	UserAgents Tally `json:"user_agents"`
	// AuthRequirements tallies authenticationRequirement
	// (singleFactorAuthentication / multiFactorAuthentication).
	AuthRequirements Tally `json:"auth_requirements"`
	// CAStatuses tallies conditionalAccessStatus (success, failure,
	// notApplied).
	CAStatuses Tally `json:"ca_statuses"`
	// ErrorCodes tallies status.errorCode of failed sign-ins.
	ErrorCodes Tally `json:"error_codes"`
}

func (s *SignInProfiles) limits() (users, values int) {
	users, values = s.MaxUsers, s.MaxValues
	if users <= 0 {
		users = DefaultMaxUsers
	}
	if values <= 0 {
		values = DefaultMaxValues
	}
	return users, values
}

// profile returns the user's profile, creating it within the cap; nil when
// the cap turns the user away.
func (s *SignInProfiles) profile(user []byte) *SignInProfile {
	if p := s.users[string(user)]; p != nil {
		return p
	}
	if maxUsers, _ := s.limits(); len(s.users) >= maxUsers {
		return nil
	}
	if s.users == nil {
		s.users = map[string]*SignInProfile{}
	}
	p := &SignInProfile{User: string(user)}
	s.users[p.User] = p
	return p
}

// Add accounts for one event; events of other kinds than Entra sign-in are
// ignored. The event is only read during the call; values are copied only
// when first seen, so Add does not allocate for a known user and values.
func (s *SignInProfiles) Add(ev *event.Event) {
	if ev == nil || ev.Kind != event.KindEntraSignIn || ev.Doc == nil {
		return
	}
	doc, sc := ev.Doc, &s.scratch
	user := lowerTrim(fieldText(doc, keyUPN, &sc[4]), &sc[0])
	if len(user) == 0 {
		user = lowerTrim(fieldText(doc, keyUserID, &sc[4]), &sc[0])
	}
	t := ev.Time
	if t.IsZero() {
		t, _ = time.Parse(time.RFC3339Nano, string(fieldText(doc, keyCreated, &sc[4])))
	}
	code := fieldText(doc, keyErrorCode, &sc[1])
	country := fieldText(doc, keyCountry, &sc[2])
	outcome := outcomeOf(code)
	s.addGlobal(t, outcome, country, 1)
	if len(user) == 0 {
		s.noUser++
		return
	}
	p := s.profile(user)
	if p == nil {
		s.dropped++
		return
	}
	_, limit := s.limits()
	p.Total++
	switch outcome {
	case 0:
		p.Success++
	case 1:
		p.Failure++
		p.ErrorCodes.addBytes(code, limit)
	}
	p.widen(t, t)
	p.Countries.addBytes(country, limit)
	p.IPs.addBytes(fieldText(doc, keyIP, &sc[4]), limit)
	if asn := fieldText(doc, keyASN, &sc[4]); len(asn) > 0 && string(asn) != "0" {
		sc[3] = append(append(sc[3][:0], "AS"...), asn...)
		p.ASNs.addBytes(sc[3], limit)
	}
	p.Apps.addBytes(fieldText(doc, keyApp, &sc[4]), limit)
	p.UserAgents.addBytes(fieldText(doc, keyUA, &sc[4]), limit)
	p.AuthRequirements.addBytes(fieldText(doc, keyAuthReq, &sc[4]), limit)
	p.CAStatuses.addBytes(fieldText(doc, keyCA, &sc[4]), limit)
}

// fieldText returns the scalar at keys as text without allocating: string
// bytes as they are, numbers and booleans in their JSON form (written into
// *scratch), null, objects, arrays and missing fields as nil.
func fieldText(doc *fastjson.Value, keys []string, scratch *[]byte) []byte {
	v := doc.Get(keys...)
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeString:
		return v.GetStringBytes()
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
		*scratch = v.MarshalTo((*scratch)[:0])
		return *scratch
	}
	return nil
}

// lowerTrim trims spaces and lower-cases b (UPNs are case-insensitive),
// into *scratch when b has upper-case ASCII, in a new slice when it has
// non-ASCII, and in place (b itself) otherwise.
func lowerTrim(b []byte, scratch *[]byte) []byte {
	b = bytes.TrimSpace(b)
	upper := false
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return bytes.ToLower(b)
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if !upper {
		return b
	}
	out := append((*scratch)[:0], b...)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	*scratch = out
	return out
}

// outcomeOf classifies status.errorCode: 0 success, 1 failure, -1 unknown.
func outcomeOf(code []byte) int {
	switch {
	case len(code) == 0:
		return -1
	case string(code) == "0":
		return 0
	}
	return 1
}

// addGlobal accounts for n sign-ins of an outcome (0 success, 1 failure,
// -1 unknown: not counted) in the per-hour and per-country totals.
func (s *SignInProfiles) addGlobal(t time.Time, outcome int, country []byte, n int64) {
	if outcome < 0 || n == 0 {
		return
	}
	if !t.IsZero() {
		h := t.Unix() / 3600
		c := s.hours[h]
		if c == nil && len(s.hours) < maxHours {
			if s.hours == nil {
				s.hours = map[int64]*[2]int64{}
			}
			c = &[2]int64{}
			s.hours[h] = c
		}
		if c != nil {
			c[outcome] += n
		}
	}
	if len(country) > 0 {
		c := s.countries[string(country)]
		if c == nil && len(s.countries) < maxCountries {
			if s.countries == nil {
				s.countries = map[string]*[2]int64{}
			}
			c = &[2]int64{}
			s.countries[string(country)] = c
		}
		if c != nil {
			c[outcome] += n
		}
	}
}

func (p *SignInProfile) widen(first, last time.Time) {
	if !first.IsZero() && (p.First.IsZero() || first.Before(p.First)) {
		p.First = first
	}
	if !last.IsZero() && last.After(p.Last) {
		p.Last = last
	}
}

// Merge adds everything o aggregated to s.
func (s *SignInProfiles) Merge(o *SignInProfiles) {
	if o == nil {
		return
	}
	_, limit := s.limits()
	s.dropped += o.dropped
	s.noUser += o.noUser
	for _, name := range sortedKeys(o.users) {
		op := o.users[name]
		p := s.profile([]byte(name))
		if p == nil {
			s.dropped += op.Total
			continue
		}
		p.Total += op.Total
		p.Success += op.Success
		p.Failure += op.Failure
		p.widen(op.First, op.Last)
		p.Countries.merge(&op.Countries, limit)
		p.IPs.merge(&op.IPs, limit)
		p.ASNs.merge(&op.ASNs, limit)
		p.Apps.merge(&op.Apps, limit)
		p.UserAgents.merge(&op.UserAgents, limit)
		p.AuthRequirements.merge(&op.AuthRequirements, limit)
		p.CAStatuses.merge(&op.CAStatuses, limit)
		p.ErrorCodes.merge(&op.ErrorCodes, limit)
	}
	for h, c := range o.hours {
		s.addGlobal(time.Unix(h*3600, 0), 0, nil, c[0])
		s.addGlobal(time.Unix(h*3600, 0), 1, nil, c[1])
	}
	for country, c := range o.countries {
		s.addGlobal(time.Time{}, 0, []byte(country), c[0])
		s.addGlobal(time.Time{}, 1, []byte(country), c[1])
	}
}

// Profiles returns the users' profiles, most failures first, then most
// sign-ins, then by user.
func (s *SignInProfiles) Profiles() []*SignInProfile {
	out := make([]*SignInProfile, 0, len(s.users))
	for _, p := range s.users {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Failure != b.Failure {
			return a.Failure > b.Failure
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.User < b.User
	})
	return out
}

// Users returns the number of users profiled.
func (s *SignInProfiles) Users() int { return len(s.users) }

// DroppedUsers returns the number of sign-ins not profiled because the
// user cap was reached; NoUser those with no user at all (service
// principal and managed identity sign-ins).
func (s *SignInProfiles) DroppedUsers() int64 { return s.dropped }

// NoUser returns the number of sign-ins that named no user.
func (s *SignInProfiles) NoUser() int64 { return s.noUser }

// HourOfDay returns successful and failed sign-ins per hour of the day in
// loc (nil means UTC).
func (s *SignInProfiles) HourOfDay(loc *time.Location) [24][2]int64 {
	if loc == nil {
		loc = time.UTC
	}
	var out [24][2]int64
	for h, c := range s.hours {
		hr := time.Unix(h*3600, 0).In(loc).Hour()
		out[hr][0] += c[0]
		out[hr][1] += c[1]
	}
	return out
}

// CountryCount is the sign-ins from one country or region.
type CountryCount struct {
	Country string `json:"country"`
	Success int64  `json:"success"`
	Failure int64  `json:"failure"`
}

// Countries returns the sign-ins per country, most first, then by name.
func (s *SignInProfiles) Countries() []CountryCount {
	out := make([]CountryCount, 0, len(s.countries))
	for k, c := range s.countries {
		out = append(out, CountryCount{k, c[0], c[1]})
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := out[i].Success+out[i].Failure, out[j].Success+out[j].Failure
		if ti != tj {
			return ti > tj
		}
		return out[i].Country < out[j].Country
	})
	return out
}
