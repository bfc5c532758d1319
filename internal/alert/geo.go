package alert

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// GeoInfo is what the --geoip databases say about one IP address. Its
// fields join an ip entity's enrichment.ip entry; empty ones are omitted.
type GeoInfo struct {
	// Country is the ISO 3166-1 alpha-2 code of the country the address is
	// in (else the country it is registered to).
	Country string `json:"country,omitempty"`
	// City is the English city name (City databases only).
	City string `json:"city,omitempty"`
	// ASN is the autonomous system number (ASN databases only).
	ASN uint `json:"asn,omitempty"`
	// Org is the autonomous system organisation.
	Org string `json:"as_org,omitempty"`
}

// IPEnrichment is the enrichment.ip entry of one address: the sign-in
// IPProfile when the logs have one, and the GeoInfo when a --geoip
// database knows the address. Both flatten into one JSON object.
type IPEnrichment struct {
	*IPProfile
	GeoInfo
}

// geoKind is what a database contributes.
type geoKind int

const (
	geoLocation geoKind = iota // Country or City: country (and city)
	geoASN                     // ASN: number and organisation
)

// geoRecord holds the fields idsentry reads from a record. The names are
// those of MaxMind's GeoIP2/GeoLite2 Country, City and ASN databases
// (https://dev.maxmind.com/geoip/docs/databases), which the DB-IP lite
// databases copy.
type geoRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	ASN uint   `maxminddb:"autonomous_system_number"`
	Org string `maxminddb:"autonomous_system_organization"`
}

type geoReader struct {
	path string
	kind geoKind
	r    *maxminddb.Reader
}

// GeoDB looks IP addresses up in one or more MaxMind-format (.mmdb)
// databases: GeoIP2/GeoLite2 Country, City or ASN, or the DB-IP lite
// equivalents. It is safe for concurrent use. A nil *GeoDB finds nothing.
type GeoDB struct {
	readers []geoReader
}

// OpenGeo opens the databases at paths, telling each one's kind from its
// metadata database type (…Country…, …City… or …ASN…).
func OpenGeo(paths ...string) (*GeoDB, error) {
	g := &GeoDB{}
	for _, p := range paths {
		r, err := maxminddb.Open(p)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("geoip %s: %w", p, err)
		}
		kind, err := geoKindOf(r.Metadata.DatabaseType)
		if err != nil {
			r.Close()
			g.Close()
			return nil, fmt.Errorf("geoip %s: %w", p, err)
		}
		g.readers = append(g.readers, geoReader{path: p, kind: kind, r: r})
	}
	return g, nil
}

// geoKindOf classifies a database by its metadata type, e.g.
// "GeoLite2-Country", "GeoIP2-City", "GeoLite2-ASN", "DBIP-Country-Lite",
// "DBIP-ASN-Lite (compat=GeoLite2-ASN)".
func geoKindOf(dbType string) (geoKind, error) {
	t := strings.ToLower(dbType)
	switch {
	case strings.Contains(t, "asn"):
		return geoASN, nil
	case strings.Contains(t, "country"), strings.Contains(t, "city"):
		return geoLocation, nil
	}
	return 0, fmt.Errorf("unsupported database type %q (want a Country, City or ASN database)", dbType)
}

// Lookup returns what the databases know of ip, and false when they know
// nothing or ip is not an address. The first database to give a field wins.
func (g *GeoDB) Lookup(ip string) (GeoInfo, bool) {
	var info GeoInfo
	if g == nil || len(g.readers) == 0 {
		return info, false
	}
	addr, ok := parseGeoAddr(ip)
	if !ok {
		return info, false
	}
	for _, gr := range g.readers {
		var rec geoRecord
		res := gr.r.Lookup(addr)
		if !res.Found() || res.Decode(&rec) != nil {
			continue
		}
		switch gr.kind {
		case geoLocation:
			if info.Country == "" {
				info.Country = rec.Country.ISOCode
				if info.Country == "" {
					info.Country = rec.RegisteredCountry.ISOCode
				}
			}
			if info.City == "" {
				info.City = rec.City.Names["en"]
			}
		case geoASN:
			if info.ASN == 0 && info.Org == "" {
				info.ASN, info.Org = rec.ASN, rec.Org
			}
		}
	}
	return info, info != GeoInfo{}
}

// parseGeoAddr parses an address as logs write it: bare, with a zone, an
// IPv4-mapped IPv6 form, or with a port.
func parseGeoAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.WithZone("").Unmap(), true
}

// Close releases the databases.
func (g *GeoDB) Close() error {
	if g == nil {
		return nil
	}
	var errs []error
	for _, gr := range g.readers {
		if err := gr.r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("geoip %s: %w", gr.path, err))
		}
	}
	g.readers = nil
	return errors.Join(errs...)
}
