package alert

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkBuilder groups 10,000 seed-004 matches over 200 keys and 24 h
// windows, with enrichment-free tiers and having.
func BenchmarkBuilder(b *testing.B) {
	s := specFileB(b, "seed-004.good.yml")
	const n = 10000
	ms := make([]Match, n)
	for i := range ms {
		ms[i] = hit(s, t0.Add(time.Duration(i*37%n)*time.Minute).Format(time.RFC3339), i+1,
			"userPrincipalName", fmt.Sprintf("user%d@contoso.com", i%200), "appId", "app-1", "appDisplayName", "Graph Explorer",
			"ipAddress", fmt.Sprintf("203.0.113.%d", i%7), "userAgent", "python-requests/2.31", "resourceDisplayName", "Microsoft Graph")
	}
	b.ReportAllocs()
	b.ResetTimer()
	alerts := 0
	for i := 0; i < b.N; i++ {
		bl := NewBuilder(Options{})
		for _, m := range ms {
			_ = bl.Add(m)
		}
		alerts = len(bl.Finish())
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "matches/s")
	b.ReportMetric(float64(alerts), "alerts")
}

// BenchmarkIPStatsAdd measures feeding sign-ins to the IP statistics.
func BenchmarkIPStatsAdd(b *testing.B) {
	s := NewIPStats(0)
	ips := make([]string, 1024)
	for i := range ips {
		ips[i] = fmt.Sprintf("198.51.%d.%d", i/256, i%256)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(ips[i%len(ips)], "alice@contoso.com", i%3 != 0, "US", "8075", t0.Add(time.Duration(i)*time.Second))
	}
}

func specFileB(b *testing.B, name string) *Spec {
	b.Helper()
	src, err := os.ReadFile("testdata/specs/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return specOf(b, string(src), RuleRef{ID: "bench", Level: LevelLow})
}
