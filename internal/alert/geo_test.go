package alert

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeMMDB writes a MaxMind-format database of type dbType mapping each
// CIDR to its record, and returns its path.
func writeMMDB(t testing.TB, dbType string, records map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, IncludeReservedNetworks: true, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range records {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(network, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func country(iso string) mmdbtype.Map {
	return mmdbtype.Map{"iso_code": mmdbtype.String(iso), "names": mmdbtype.Map{"en": mmdbtype.String(iso)}}
}

// testGeo opens a Country, a City and an ASN database over documentation
// ranges: 203.0.113.0/24 is DE / AS64500 "Example AS", 198.51.100.0/24 is
// Seattle, US (City only), 192.0.2.0/25 has only a registered country.
func testGeo(t testing.TB) *GeoDB {
	t.Helper()
	countryDB := writeMMDB(t, "GeoLite2-Country", map[string]mmdbtype.Map{
		"203.0.113.0/24": {"country": country("DE"), "registered_country": country("DE")},
		"192.0.2.0/25":   {"registered_country": country("NL")},
	})
	cityDB := writeMMDB(t, "GeoIP2-City", map[string]mmdbtype.Map{
		"198.51.100.0/24": {"country": country("US"), "city": mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Seattle")}}},
	})
	asnDB := writeMMDB(t, "DBIP-ASN-Lite (compat=GeoLite2-ASN)", map[string]mmdbtype.Map{
		"203.0.113.0/24": {"autonomous_system_number": mmdbtype.Uint32(64500), "autonomous_system_organization": mmdbtype.String("Example AS")},
	})
	g, err := OpenGeo(countryDB, cityDB, asnDB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Error(err)
		}
	})
	return g
}

func TestGeoLookup(t *testing.T) {
	g := testGeo(t)
	de := GeoInfo{Country: "DE", ASN: 64500, Org: "Example AS"}
	tests := []struct {
		ip   string
		want GeoInfo
		ok   bool
	}{
		{"203.0.113.7", de, true},
		{" 203.0.113.255 ", de, true},
		{"::ffff:203.0.113.7", de, true},
		{"203.0.113.7:443", de, true},
		{"198.51.100.10", GeoInfo{Country: "US", City: "Seattle"}, true},
		{"192.0.2.1", GeoInfo{Country: "NL"}, true},
		{"192.0.2.200", GeoInfo{}, false},
		{"8.8.8.8", GeoInfo{}, false},
		{"2001:db8::1", GeoInfo{}, false},
		{"", GeoInfo{}, false},
		{"not-an-ip", GeoInfo{}, false},
		{"203.0.113", GeoInfo{}, false},
		{"999.1.1.1", GeoInfo{}, false},
	}
	for _, tt := range tests {
		got, ok := g.Lookup(tt.ip)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tt.ip, got, ok, tt.want, tt.ok)
		}
	}
	var none *GeoDB
	if _, ok := none.Lookup("203.0.113.7"); ok {
		t.Error("nil GeoDB found an address")
	}
	if err := none.Close(); err != nil {
		t.Error(err)
	}
}

func TestOpenGeoErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	anon := writeMMDB(t, "GeoIP2-Anonymous-IP", map[string]mmdbtype.Map{
		"203.0.113.0/24": {"is_anonymous": mmdbtype.Bool(true)},
	})
	good := writeMMDB(t, "GeoLite2-Country", map[string]mmdbtype.Map{"203.0.113.0/24": {"country": country("DE")}})
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"missing file", []string{filepath.Join(dir, "missing.mmdb")}, "missing.mmdb"},
		{"missing after a good one", []string{good, filepath.Join(dir, "nope.mmdb")}, "nope.mmdb"},
		{"not a database", []string{garbage}, "garbage.mmdb"},
		{"unsupported type", []string{anon}, `unsupported database type "GeoIP2-Anonymous-IP"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := OpenGeo(tt.paths...)
			if err == nil || g != nil {
				t.Fatalf("OpenGeo = %v, %v; want an error", g, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "geoip ") {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func TestGeoEnrichment(t *testing.T) {
	rule := RuleRef{ID: "d99cf5c3-d660-436c-895b-8a8f8448da23", Title: "MFA Rejected by User", Level: LevelMedium}
	s := specFile(t, "seed-002.good.yml", rule)
	mk := func(at string, line int, ip string) Match {
		return hit(s, at, line, "userPrincipalName", "AdeleV@contoso.com", "userId", "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
			"ipAddress", ip, "status.additionalDetails", "MFA denied; user declined the authentication")
	}
	g := testGeo(t)
	stats := NewIPStats(0)
	stats.Add("203.0.113.7", "adelev@contoso.com", false, "DE", "64500", ts("2026-11-19T08:00:00Z"))

	tests := []struct {
		name string
		enr  *Enricher
		ip   string
		want string // enrichment.ip as JSON; "" for none
	}{
		{"geo only", &Enricher{Geo: g}, "203.0.113.7",
			`{"203.0.113.7":{"country":"DE","asn":64500,"as_org":"Example AS"}}`},
		{"geo and sign-in profile", &Enricher{Geo: g, IPs: stats}, "203.0.113.7",
			`{"203.0.113.7":{"address":"203.0.113.7","failed_logons":1,"successful_logons":0,"distinct_users":1,` +
				`"first_seen":"2026-11-19T08:00:00Z","last_seen":"2026-11-19T08:00:00Z","countries":["DE"],"asns":["64500"],` +
				`"new_country":false,"new_asn":false,"priority":25,"country":"DE","asn":64500,"as_org":"Example AS"}}`},
		{"city", &Enricher{Geo: g}, "198.51.100.10", `{"198.51.100.10":{"country":"US","city":"Seattle"}}`},
		{"unknown address", &Enricher{Geo: g}, "8.8.8.8", ""},
		{"unparsable address", &Enricher{Geo: g}, "unknown", ""},
		{"no geo", &Enricher{IPs: stats}, "8.8.8.8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := build(t, Options{Enricher: tt.enr}, mk("2026-11-20T09:00:00Z", 1, tt.ip))
			if len(a) != 1 {
				t.Fatalf("got %d alerts", len(a))
			}
			ip, ok := a[0].Enrichment["ip"]
			if tt.want == "" {
				if ok {
					t.Fatalf("enrichment.ip = %+v; want none", ip)
				}
				return
			}
			got, err := json.Marshal(ip)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("enrichment.ip =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func FuzzGeoLookup(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "::ffff:203.0.113.7", "[2001:db8::1]:443", "fe80::1%eth0", "", "x", "1.2.3.4:99999"} {
		f.Add(s)
	}
	g := testGeo(f)
	f.Fuzz(func(t *testing.T, ip string) {
		info, ok := g.Lookup(ip)
		if ok != (info != GeoInfo{}) {
			t.Fatalf("Lookup(%q) = %+v, %v", ip, info, ok)
		}
	})
}
