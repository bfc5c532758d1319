package output

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
	"github.com/idsentry/idsentry/internal/event"
)

// BenchmarkSignInProfilesAdd measures the per-event cost of the sign-in
// aggregator, which sees every Entra sign-in of a scan.
func BenchmarkSignInProfilesAdd(b *testing.B) {
	evs := make([]*event.Event, 256)
	var size int64
	for i := range evs {
		evs[i] = signInDoc(&testing.T{}, map[string]any{
			"userPrincipalName": fmt.Sprintf("user%d@contoso.com", i%40), "createdDateTime": "2026-11-20T08:00:00Z",
			"ipAddress": fmt.Sprintf("192.0.2.%d", i%60), "autonomousSystemNumber": 64500 + i%7,
			"location": map[string]any{"countryOrRegion": []string{"US", "NL", "DE"}[i%3]}, "appDisplayName": "Microsoft Office",
			"userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "authenticationRequirement": "multiFactorAuthentication",
			"conditionalAccessStatus": "success", "status": map[string]any{"errorCode": []int{0, 0, 0, 50126}[i%4]},
		})
		size += int64(len(evs[i].Raw))
	}
	b.ReportAllocs()
	b.SetBytes(size / int64(len(evs)))
	var p SignInProfiles
	for i := 0; b.Loop(); i++ {
		p.Add(evs[i%len(evs)])
	}
}

// BenchmarkDaySetAdd measures the per-event cost of coverage accounting.
func BenchmarkDaySetAdd(b *testing.B) {
	start := ts("2026-01-01T00:00:00Z")
	b.ReportAllocs()
	var d DaySet
	for i := 0; b.Loop(); i++ {
		d.Add(start.Add(time.Duration(i) * time.Second))
	}
}

// BenchmarkWriteCSV measures CSV output per alert.
func BenchmarkWriteCSV(b *testing.B) {
	base := fixtureAlerts()
	alerts := make([]alert.Alert, 0, 1000)
	for i := 0; i < 1000; i++ {
		a := base[i%len(base)]
		a.ID = fmt.Sprint(i)
		alerts = append(alerts, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, alerts, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteHTML measures rendering a report of 1000 alerts.
func BenchmarkWriteHTML(b *testing.B) {
	base := fixtureAlerts()
	r := Report{Summary: fixtureSummary(), SignIns: fixtureSignIns(&testing.T{})}
	for i := 0; i < 1000; i++ {
		a := base[i%len(base)]
		a.ID = fmt.Sprint(i)
		a.FirstSeen = a.FirstSeen.Add(time.Duration(i) * time.Hour)
		r.Alerts = append(r.Alerts, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
