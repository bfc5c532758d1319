package alert

import (
	"bytes"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// DefaultLearning is how long after the tenant's first sign-in a country or
// ASN must first appear to count as new for the tenant.
const DefaultLearning = 24 * time.Hour

// IPStats accumulates per-IP sign-in behaviour over the logs idsentry reads,
// standing in for Sentinel UEBA's BehaviorAnalytics.InvestigationPriority
// (seed 002's IP join). Feed it every sign-in event; it is safe for
// concurrent use, and per-worker instances can be combined with Merge. The
// result does not depend on the order events are added in.
type IPStats struct {
	mu        sync.Mutex
	learning  time.Duration
	ips       map[string]*ipRecord
	countries map[string]time.Time // tenant first-seen per country
	asns      map[string]time.Time // tenant first-seen per ASN
	start     time.Time            // tenant's first sign-in
}

type ipRecord struct {
	failed, succeeded int
	users             map[string]struct{}
	first, last       time.Time
	countries, asns   map[string]struct{}
}

// NewIPStats returns empty statistics; learning is the baseline period
// (DefaultLearning when 0).
func NewIPStats(learning time.Duration) *IPStats {
	if learning <= 0 {
		learning = DefaultLearning
	}
	return &IPStats{
		learning: learning, ips: map[string]*ipRecord{},
		countries: map[string]time.Time{}, asns: map[string]time.Time{},
	}
}

// Add records one sign-in from ip by user (UPN or other account id) at t,
// successful or not, with its country code and autonomous system number
// where known ("" otherwise). Sign-ins without an IP are ignored.
func (s *IPStats) Add(ip, user string, success bool, country, asn string, t time.Time) {
	s.add([]byte(ip), []byte(user), success, []byte(country), asn, t)
}

// add is Add without allocating for values seen before.
func (s *IPStats) add(ip, user []byte, success bool, country []byte, asn string, t time.Time) {
	ip = bytes.TrimSpace(ip)
	if len(ip) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.ips[string(ip)]
	if r == nil {
		r = s.record(string(ip))
	}
	if success {
		r.succeeded++
	} else {
		r.failed++
	}
	// Users are kept folded, countries upper-cased: a value already in
	// that form and known costs a lookup only.
	if u := bytes.TrimSpace(user); len(u) > 0 {
		if _, ok := r.users[string(u)]; !ok {
			if f := fold(string(u)); f != "" {
				r.users[f] = struct{}{}
			}
		}
	}
	country = bytes.TrimSpace(country)
	if len(country) > 0 {
		if _, ok := r.countries[string(country)]; !ok {
			r.countries[strings.ToUpper(string(country))] = struct{}{}
		}
	}
	asn = strings.TrimSpace(asn)
	if asn != "" && asn != "0" {
		r.asns[asn] = struct{}{}
	}
	if t.IsZero() {
		return
	}
	s.seen(r, t)
	if len(country) > 0 {
		if old, ok := s.countries[string(country)]; !ok || t.Before(old) {
			minTime(s.countries, strings.ToUpper(string(country)), t)
		}
	}
	if asn != "" && asn != "0" {
		minTime(s.asns, asn, t)
	}
}

// AddSignIn records a canonical Entra sign-in event (Graph signIn shape:
// ipAddress, userPrincipalName or else userId / servicePrincipalId,
// status.errorCode — 0 is success —, location.countryOrRegion and the
// beta resource's autonomousSystemNumber). Events of other kinds, and
// sign-ins without an error code, are ignored.
func (s *IPStats) AddSignIn(ev *event.Event) {
	if ev == nil || ev.Kind != event.KindEntraSignIn || ev.Doc == nil {
		return
	}
	// The error code as text (event.Text), "0" for success.
	var buf [32]byte
	text := bytesAt(ev.Doc, pathErrorCode, buf[:0])
	if len(text) == 0 {
		return
	}
	success := string(text) == "0"
	ip := bytesAt(ev.Doc, pathIP, nil)
	if len(ip) == 0 {
		return
	}
	user := bytesAt(ev.Doc, pathUPN, nil)
	if len(user) == 0 {
		user = bytesAt(ev.Doc, pathUserID, nil)
	}
	if len(user) == 0 {
		user = bytesAt(ev.Doc, pathSPID, nil)
	}
	s.add(ip, user, success, bytesAt(ev.Doc, pathCountry, nil), ev.String(pathASN), ev.Time)
}

// bytesAt returns the text at p as event.Text renders it, without a copy
// (event.TextBytes).
func bytesAt(doc *fastjson.Value, p event.Path, buf []byte) []byte {
	return event.TextBytes(event.Lookup(doc, p), buf)
}

var (
	pathErrorCode = event.ParsePath("status.errorCode")
	pathUPN       = event.ParsePath("userPrincipalName")
	pathUserID    = event.ParsePath("userId")
	pathSPID      = event.ParsePath("servicePrincipalId")
	pathIP        = event.ParsePath("ipAddress")
	pathCountry   = event.ParsePath("location.countryOrRegion")
	pathASN       = event.ParsePath("autonomousSystemNumber")
)

func (s *IPStats) record(ip string) *ipRecord {
	r := s.ips[ip]
	if r == nil {
		r = &ipRecord{users: map[string]struct{}{}, countries: map[string]struct{}{}, asns: map[string]struct{}{}}
		s.ips[ip] = r
	}
	return r
}

func (s *IPStats) seen(r *ipRecord, t time.Time) {
	if r.first.IsZero() || t.Before(r.first) {
		r.first = t
	}
	if t.After(r.last) {
		r.last = t
	}
	if s.start.IsZero() || t.Before(s.start) {
		s.start = t
	}
}

func minTime(m map[string]time.Time, k string, t time.Time) {
	if old, ok := m[k]; !ok || t.Before(old) {
		m[k] = t
	}
}

// Merge adds o's observations to s. o must not be used concurrently.
func (s *IPStats) Merge(o *IPStats) {
	if o == nil || o == s {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ip, or := range o.ips {
		r := s.record(ip)
		r.failed += or.failed
		r.succeeded += or.succeeded
		for u := range or.users {
			r.users[u] = struct{}{}
		}
		for c := range or.countries {
			r.countries[c] = struct{}{}
		}
		for a := range or.asns {
			r.asns[a] = struct{}{}
		}
		if !or.first.IsZero() {
			s.seen(r, or.first)
			s.seen(r, or.last)
		}
	}
	for c, t := range o.countries {
		minTime(s.countries, c, t)
	}
	for a, t := range o.asns {
		minTime(s.asns, a, t)
	}
}

// IPProfile is what the logs say about one IP address, shown on alerts as
// enrichment.ip.
type IPProfile struct {
	Address   string    `json:"address"`
	Failed    int       `json:"failed_logons"`
	Succeeded int       `json:"successful_logons"`
	Users     int       `json:"distinct_users"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	Countries []string  `json:"countries,omitempty"`
	ASNs      []string  `json:"asns,omitempty"`
	// NewCountry and NewASN report whether one of the IP's countries / ASNs
	// first appeared in the tenant's sign-ins after the learning period.
	NewCountry bool `json:"new_country"`
	NewASN     bool `json:"new_asn"`
	// Priority is the investigation priority, 0–100 (see Priority).
	Priority int `json:"priority"`
}

// Profile returns the profile of ip, and false when no sign-in came from it.
func (s *IPStats) Profile(ip string) (IPProfile, bool) {
	if s == nil {
		return IPProfile{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.ips[strings.TrimSpace(ip)]
	if r == nil {
		return IPProfile{}, false
	}
	p := IPProfile{
		Address: strings.TrimSpace(ip), Failed: r.failed, Succeeded: r.succeeded, Users: len(r.users),
		FirstSeen: r.first, LastSeen: r.last,
		Countries: setList(r.countries), ASNs: setList(r.asns),
	}
	baseline := s.start.Add(s.learning)
	for _, c := range p.Countries {
		if t, ok := s.countries[c]; ok && !s.start.IsZero() && !t.Before(baseline) {
			p.NewCountry = true
		}
	}
	for _, a := range p.ASNs {
		if t, ok := s.asns[a]; ok && !s.start.IsZero() && !t.Before(baseline) {
			p.NewASN = true
		}
	}
	p.Priority = Priority(p)
	return p, true
}

// Priority is idsentry's IP investigation priority, 0–100, the stand-in for
// the sum of UEBA InvestigationPriority that seed 002 joins on the IP. It
// adds five bounded components:
//
//	failures   min(30, 10·log2(1 + failed))          1 failure 10, 3 → 20, 7+ → 30
//	share      15 · failed / (failed + succeeded)      an IP that mostly fails
//	users      min(25, 12.5·log2(distinct users))      1 user 0, 2 → 12.5, 4+ → 25 (spraying)
//	country    15 when a country of the IP is new for the tenant
//	asn        15 when an ASN of the IP is new for the tenant
//
// and rounds the sum to the nearest integer (the components add to 100 at
// most). A user's usual IP with one MFA denial among many successes scores
// about 10; one denial from a new country and ASN scores 55. Seed 002's
// cutoff of 20 is option min-ip-priority.
func Priority(p IPProfile) int {
	var score float64
	if p.Failed > 0 {
		score += math.Min(30, 10*math.Log2(1+float64(p.Failed)))
		score += 15 * float64(p.Failed) / float64(p.Failed+p.Succeeded)
	}
	if p.Users > 1 {
		score += math.Min(25, 12.5*math.Log2(float64(p.Users)))
	}
	if p.NewCountry {
		score += 15
	}
	if p.NewASN {
		score += 15
	}
	return int(math.Min(100, math.Round(score)))
}

func setList(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
