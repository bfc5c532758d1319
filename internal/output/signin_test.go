package output

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/idsentry/idsentry/internal/event"
)

func TestSignInProfilesGraphSample(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "public", "microsoft-docs", "graph-docs", "beta-signin-list-example1-response.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared sample data not available (%v); it lives beside the checkout in CI", err)
	}
	v, err := fastjson.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	var p SignInProfiles
	for _, rec := range v.GetArray("value") {
		p.Add(&event.Event{Kind: event.KindEntraSignIn, Format: "graph", Doc: rec})
	}
	profiles := p.Profiles()
	if len(profiles) == 0 {
		t.Fatal("no profiles from the Graph sample")
	}
	first := profiles[0]
	if first.User != "testaccount1@contoso.com" || first.Failure != 1 || first.First.IsZero() {
		t.Errorf("profile %+v", first)
	}
	want := map[string][]ValueCount{
		"countries":  {{"US", 1}},
		"asns":       {{"AS3598", 1}},
		"auth":       {{"singleFactorAuthentication", 1}},
		"ca":         {{"notApplied", 1}},
		"errorCodes": {{"50126", 1}},
	}
	got := map[string][]ValueCount{
		"countries": first.Countries.Values(), "asns": first.ASNs.Values(), "auth": first.AuthRequirements.Values(),
		"ca": first.CAStatuses.Values(), "errorCodes": first.ErrorCodes.Values(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestSignInProfilesAggregate(t *testing.T) {
	p := fixtureSignIns(t)
	profiles := p.Profiles()
	if len(profiles) != 3 {
		t.Fatalf("%d profiles", len(profiles))
	}
	bob := profiles[0]
	if bob.User != "bob@contoso.com" || bob.Total != 14 || bob.Success != 2 || bob.Failure != 12 {
		t.Errorf("bob %+v (UPNs must fold case)", bob)
	}
	if got := bob.ErrorCodes.Values(); len(got) != 1 || got[0] != (ValueCount{"500121", 12}) {
		t.Errorf("error codes %v", got)
	}
	if !bob.First.Equal(ts("2026-11-18T09:00:00Z")) || !bob.Last.Equal(ts("2026-11-18T22:19:00Z")) {
		t.Errorf("first/last %v %v", bob.First, bob.Last)
	}
	hours := p.HourOfDay(nil)
	if hours[22] != [2]int64{1, 12} || hours[9] != [2]int64{1, 0} {
		t.Errorf("hours %v", hours)
	}
	cs := p.Countries()
	if cs[0] != (CountryCount{"NL", 1, 12}) || len(cs) != 3 {
		t.Errorf("countries %v", cs)
	}
	p.Add(&event.Event{Kind: event.KindEntraAudit}) // ignored
	p.Add(nil)
	p.Add(signInDoc(t, map[string]any{"servicePrincipalName": "svc", "status": map[string]any{"errorCode": 0}}))
	if p.NoUser() != 1 || p.Users() != 3 {
		t.Errorf("noUser %d users %d", p.NoUser(), p.Users())
	}
}

func TestSignInProfilesMergeMatchesSerial(t *testing.T) {
	var serial, a, b SignInProfiles
	codes := []int{0, 50126, 0, 500121, 0}
	for i := 0; i < 200; i++ {
		ev := signInDoc(t, map[string]any{
			"userPrincipalName": []string{"u1@x", "u2@x", "u3@x"}[i%3],
			"createdDateTime":   ts("2026-11-01T00:00:00Z").Add(time.Duration(i) * 37 * time.Minute).Format(time.RFC3339),
			"ipAddress":         []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"}[i%4],
			"location":          map[string]any{"countryOrRegion": []string{"US", "NL"}[i%2]},
			"status":            map[string]any{"errorCode": codes[i%len(codes)]},
			"appDisplayName":    "App",
		})
		serial.Add(ev)
		if i%2 == 0 {
			a.Add(ev)
		} else {
			b.Add(ev)
		}
	}
	var m SignInProfiles
	m.Merge(&b)
	m.Merge(&a)
	sj, _ := json.Marshal(serial.Profiles())
	mj, _ := json.Marshal(m.Profiles())
	if string(sj) != string(mj) {
		t.Errorf("merge differs:\n%s\n%s", sj, mj)
	}
	if serial.HourOfDay(nil) != m.HourOfDay(nil) || !reflect.DeepEqual(serial.Countries(), m.Countries()) {
		t.Error("global tallies differ after merge")
	}
}

func TestSignInProfilesCaps(t *testing.T) {
	p := SignInProfiles{MaxUsers: 2, MaxValues: 3}
	for i := 0; i < 10; i++ {
		p.Add(signInDoc(t, map[string]any{"userPrincipalName": "a@x", "ipAddress": "192.0.2." + string(rune('0'+i)),
			"status": map[string]any{"errorCode": 0}}))
	}
	p.Add(signInDoc(t, map[string]any{"userPrincipalName": "b@x"}))
	p.Add(signInDoc(t, map[string]any{"userPrincipalName": "c@x"}))
	a := p.Profiles()[0]
	if a.IPs.Len() != 3 || a.IPs.Other != 7 || p.Users() != 2 || p.DroppedUsers() != 1 {
		t.Errorf("ips %d other %d users %d dropped %d", a.IPs.Len(), a.IPs.Other, p.Users(), p.DroppedUsers())
	}
	var q SignInProfiles
	q.MaxUsers = 1
	q.Merge(&p)
	if q.Users() != 1 || q.DroppedUsers() != 1+1 {
		t.Errorf("merge into capped: users %d dropped %d", q.Users(), q.DroppedUsers())
	}
}
