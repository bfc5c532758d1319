package alert

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

func TestPriorityFormula(t *testing.T) {
	cases := []struct {
		name string
		p    IPProfile
		want int
	}{
		{"nothing", IPProfile{Succeeded: 50, Users: 1}, 0},
		{"usual IP, one denial among many successes", IPProfile{Failed: 1, Succeeded: 50, Users: 1}, 10}, // 10 + 0.29
		{"one denial, no success", IPProfile{Failed: 1, Users: 1}, 25},                                   // 10 + 15
		{"three failures, one success", IPProfile{Failed: 3, Succeeded: 1, Users: 1}, 31},                // 20 + 11.25
		{"failures are capped", IPProfile{Failed: 1000, Users: 1}, 45},                                   // 30 + 15
		{"two users", IPProfile{Succeeded: 2, Users: 2}, 13},                                             // 12.5
		{"spray", IPProfile{Failed: 100, Users: 64}, 70},                                                 // 30 + 15 + 25
		{"new country and ASN", IPProfile{Failed: 1, Users: 1, NewCountry: true, NewASN: true}, 55},      // 10 + 15 + 15 + 15
		{"everything", IPProfile{Failed: 7, Users: 4, NewCountry: true, NewASN: true}, 100},              // 30+15+25+15+15
		{"new ASN only, successes", IPProfile{Succeeded: 3, Users: 1, NewASN: true}, 15},
	}
	for _, c := range cases {
		if got := Priority(c.p); got != c.want {
			t.Errorf("%s: Priority = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestIPStatsProfile(t *testing.T) {
	s := NewIPStats(0)
	day0 := ts("2026-11-20T08:00:00Z")
	// Baseline day: the tenant signs in from the US on AS 8075.
	s.Add("198.51.100.10", "alice@contoso.com", true, "us", "8075", day0)
	s.Add("198.51.100.10", "bob@contoso.com", true, "US", "8075", day0.Add(time.Hour))
	// Within the learning period a second ASN appears: not new.
	s.Add("198.51.100.20", "alice@contoso.com", true, "US", "7018", day0.Add(23*time.Hour))
	// After it: an MFA denial from a new country and ASN.
	s.Add("203.0.113.7", "Alice@contoso.com", false, "RU", "12389", day0.Add(30*time.Hour))
	s.Add("203.0.113.7", "alice@contoso.com", false, "RU", "12389", day0.Add(31*time.Hour))
	s.Add("", "x", false, "", "", day0) // ignored

	p, ok := s.Profile("203.0.113.7")
	want := IPProfile{
		Address: "203.0.113.7", Failed: 2, Users: 1,
		FirstSeen: day0.Add(30 * time.Hour), LastSeen: day0.Add(31 * time.Hour),
		Countries: []string{"RU"}, ASNs: []string{"12389"}, NewCountry: true, NewASN: true,
		Priority: 61, // 10·log2(3)=15.85 + 15 + 15 + 15
	}
	if !ok || !reflect.DeepEqual(p, want) {
		t.Errorf("profile\n got %+v\nwant %+v", p, want)
	}
	if p, _ := s.Profile("198.51.100.20"); p.NewASN || p.NewCountry || p.Priority != 0 {
		t.Errorf("learning-period ASN flagged new: %+v", p)
	}
	if p, _ := s.Profile("198.51.100.10"); p.Users != 2 || p.Succeeded != 2 || p.Priority != 13 {
		t.Errorf("shared IP: %+v", p)
	}
	if _, ok := s.Profile("192.0.2.1"); ok {
		t.Error("unknown IP has a profile")
	}
	b, _ := json.Marshal(p)
	if !json.Valid(b) {
		t.Error("profile JSON")
	}
}

// TestIPStatsMergeAndConcurrency: per-worker stats merged, or one shared
// instance fed concurrently, give the same profile as a sequential feed.
func TestIPStatsMergeAndConcurrency(t *testing.T) {
	type obs struct {
		ip, user string
		ok       bool
		country  string
		asn      string
		at       time.Time
	}
	var all []obs
	base := ts("2026-11-20T00:00:00Z")
	for i := 0; i < 200; i++ {
		all = append(all, obs{
			ip: []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"}[i%3], user: []string{"a", "b", "c", "d"}[i%4],
			ok: i%5 == 0, country: []string{"US", "FR"}[i/150], asn: []string{"1", "2", "3"}[i/70],
			at: base.Add(time.Duration(i) * 17 * time.Minute),
		})
	}
	seq := NewIPStats(0)
	for _, o := range all {
		seq.Add(o.ip, o.user, o.ok, o.country, o.asn, o.at)
	}
	workers := []*IPStats{NewIPStats(0), NewIPStats(0), NewIPStats(0)}
	shared := NewIPStats(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := len(all) - 1 - w; i >= 0; i -= len(workers) {
				o := all[i]
				workers[w].Add(o.ip, o.user, o.ok, o.country, o.asn, o.at)
				shared.Add(o.ip, o.user, o.ok, o.country, o.asn, o.at)
			}
		}(w)
	}
	wg.Wait()
	merged := NewIPStats(0)
	for _, w := range workers {
		merged.Merge(w)
	}
	for _, ip := range []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"} {
		want, _ := seq.Profile(ip)
		got1, _ := merged.Profile(ip)
		got2, _ := shared.Profile(ip)
		if !reflect.DeepEqual(want, got1) || !reflect.DeepEqual(want, got2) {
			t.Errorf("%s:\n seq    %+v\n merged %+v\n shared %+v", ip, want, got1, got2)
		}
	}
}

func TestAddSignIn(t *testing.T) {
	s := NewIPStats(time.Hour)
	add := func(doc string, at time.Time, kind event.Kind) {
		v := fastjson.MustParse(doc)
		s.AddSignIn(&event.Event{Kind: kind, Doc: v, Time: at})
	}
	at := ts("2026-11-20T08:00:00Z")
	// Shapes from the Graph beta signIn resource (ipAddress, status.errorCode,
	// location.countryOrRegion, autonomousSystemNumber as in
	// shared/data/public/microsoft-docs/graph-docs/beta-signin-list-example1-response.json).
	add(`{"userPrincipalName":"a@x","ipAddress":"1.1.1.1","status":{"errorCode":0},"location":{"countryOrRegion":"US"},"autonomousSystemNumber":8075}`, at, event.KindEntraSignIn)
	add(`{"userPrincipalName":"a@x","ipAddress":"9.9.9.9","status":{"errorCode":500121},"location":{"countryOrRegion":"NL"},"autonomousSystemNumber":1136}`, at.Add(2*time.Hour), event.KindEntraSignIn)
	add(`{"servicePrincipalId":"sp-1","ipAddress":"9.9.9.9","status":{"errorCode":7000215}}`, at.Add(3*time.Hour), event.KindEntraSignIn)
	add(`{"userPrincipalName":"b@x","ipAddress":"9.9.9.9"}`, at, event.KindEntraSignIn)                         // no error code
	add(`{"userPrincipalName":"b@x","ipAddress":"9.9.9.9","status":{"errorCode":0}}`, at, event.KindEntraAudit) // not a sign-in
	p, ok := s.Profile("9.9.9.9")
	if !ok || p.Failed != 2 || p.Succeeded != 0 || p.Users != 2 || !p.NewCountry || !p.NewASN || !reflect.DeepEqual(p.ASNs, []string{"1136"}) {
		t.Errorf("profile %+v", p)
	}
	s.AddSignIn(nil)

	// Error codes as strings (Log Analytics exports them so), an empty one
	// (ignored), mixed-case users and countries counted once, repeats.
	for i := 0; i < 3; i++ {
		add(`{"userPrincipalName":"C@X","ipAddress":" 7.7.7.7 ","status":{"errorCode":"0"},"location":{"countryOrRegion":"de"}}`, at, event.KindEntraSignIn)
		add(`{"userPrincipalName":"c@x","ipAddress":"7.7.7.7","status":{"errorCode":"50126"},"location":{"countryOrRegion":"DE"}}`, at, event.KindEntraSignIn)
		add(`{"userPrincipalName":"d@x","ipAddress":"7.7.7.7","status":{"errorCode":""}}`, at, event.KindEntraSignIn)
	}
	// Non-string values count as their JSON text, as event.Text renders them.
	add(`{"userId":12345,"ipAddress":"7.7.7.7","status":{"errorCode":0}}`, at, event.KindEntraSignIn)
	add(`{"userId":12345,"ipAddress":"7.7.7.7","status":{"errorCode":0}}`, at, event.KindEntraSignIn)
	p, ok = s.Profile("7.7.7.7")
	if !ok || p.Succeeded != 5 || p.Failed != 3 || p.Users != 2 || !reflect.DeepEqual(p.Countries, []string{"DE"}) {
		t.Errorf("profile %+v", p)
	}
}
