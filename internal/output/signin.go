package output

import (
	"sort"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// Canonical Entra sign-in fields (Microsoft Graph signIn resource; see
// reference/detections.md §1.2 and the Graph example in
// data/public/microsoft-docs/graph-docs/beta-signin-list-example1-response.json).
var (
	pathUPN       = event.ParsePath("userPrincipalName")
	pathUserID    = event.ParsePath("userId")
	pathErrorCode = event.ParsePath("status.errorCode")
	pathCountry   = event.ParsePath("location.countryOrRegion")
	pathIP        = event.ParsePath("ipAddress")
	pathASN       = event.ParsePath("autonomousSystemNumber")
	pathApp       = event.ParsePath("appDisplayName")
	pathUA        = event.ParsePath("userAgent")
	pathAuthReq   = event.ParsePath("authenticationRequirement")
	pathCA        = event.ParsePath("conditionalAccessStatus")
	pathCreated   = event.ParsePath("createdDateTime")
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

// Tally counts occurrences of distinct values up to a cap; Other counts the
// occurrences of values that arrived once the cap was reached.
type Tally struct {
	counts map[string]int64
	Other  int64 `json:"other,omitempty"`
}

// ValueCount is a value and how often it occurred.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

func (t *Tally) add(v string, n int64, limit int) {
	if v == "" || n == 0 {
		return
	}
	if _, ok := t.counts[v]; !ok && len(t.counts) >= limit {
		t.Other += n
		return
	}
	if t.counts == nil {
		t.counts = map[string]int64{}
	}
	t.counts[v] += n
}

func (t *Tally) merge(o *Tally, limit int) {
	for _, vc := range o.Values() {
		t.add(vc.Value, vc.Count, limit)
	}
	t.Other += o.Other
}

// Len returns the number of distinct values kept.
func (t *Tally) Len() int { return len(t.counts) }

// Values returns the values, most frequent first, then by value.
func (t *Tally) Values() []ValueCount {
	out := make([]ValueCount, 0, len(t.counts))
	for v, n := range t.counts {
		out = append(out, ValueCount{v, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// MarshalJSON renders the tally as its sorted values.
func (t Tally) MarshalJSON() ([]byte, error) {
	return marshalNoEscape(struct {
		Values []ValueCount `json:"values"`
		Other  int64        `json:"other,omitempty"`
	}{t.Values(), t.Other})
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
func (s *SignInProfiles) profile(user string) *SignInProfile {
	if s.users == nil {
		s.users = map[string]*SignInProfile{}
	}
	p := s.users[user]
	if p == nil {
		maxUsers, _ := s.limits()
		if len(s.users) >= maxUsers {
			return nil
		}
		p = &SignInProfile{User: user}
		s.users[user] = p
	}
	return p
}

// Add accounts for one event; events of other kinds than Entra sign-in are
// ignored. The event is only read during the call.
func (s *SignInProfiles) Add(ev *event.Event) {
	if ev == nil || ev.Kind != event.KindEntraSignIn || ev.Doc == nil {
		return
	}
	user := strings.ToLower(strings.TrimSpace(ev.String(pathUPN)))
	if user == "" {
		user = strings.ToLower(strings.TrimSpace(ev.String(pathUserID)))
	}
	t := ev.Time
	if t.IsZero() {
		t, _ = time.Parse(time.RFC3339Nano, ev.String(pathCreated))
	}
	code := ev.String(pathErrorCode)
	country := ev.String(pathCountry)
	s.addGlobal(t, code, country, 1)
	if user == "" {
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
	switch {
	case code == "0":
		p.Success++
	case code != "":
		p.Failure++
		p.ErrorCodes.add(code, 1, limit)
	}
	p.widen(t, t)
	p.Countries.add(country, 1, limit)
	p.IPs.add(ev.String(pathIP), 1, limit)
	if asn := ev.String(pathASN); asn != "" && asn != "0" {
		p.ASNs.add("AS"+asn, 1, limit)
	}
	p.Apps.add(ev.String(pathApp), 1, limit)
	p.UserAgents.add(ev.String(pathUA), 1, limit)
	p.AuthRequirements.add(ev.String(pathAuthReq), 1, limit)
	p.CAStatuses.add(ev.String(pathCA), 1, limit)
}

// addGlobal accounts for n sign-ins in the per-hour and per-country totals.
func (s *SignInProfiles) addGlobal(t time.Time, code, country string, n int64) {
	outcome := -1
	switch {
	case code == "0":
		outcome = 0
	case code != "":
		outcome = 1
	}
	if outcome < 0 {
		return
	}
	if !t.IsZero() {
		h := t.Unix() / 3600
		if s.hours == nil {
			s.hours = map[int64]*[2]int64{}
		}
		c := s.hours[h]
		if c == nil && len(s.hours) < maxHours {
			c = &[2]int64{}
			s.hours[h] = c
		}
		if c != nil {
			c[outcome] += n
		}
	}
	if country != "" {
		if s.countries == nil {
			s.countries = map[string]*[2]int64{}
		}
		c := s.countries[country]
		if c == nil && len(s.countries) < maxCountries {
			c = &[2]int64{}
			s.countries[country] = c
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
		p := s.profile(name)
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
		s.addGlobal(time.Unix(h*3600, 0), "0", "", c[0])
		s.addGlobal(time.Unix(h*3600, 0), "1", "", c[1])
	}
	for country, c := range o.countries {
		s.addGlobal(time.Time{}, "0", country, c[0])
		s.addGlobal(time.Time{}, "1", country, c[1])
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
