package normalize

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// timeLayouts are the timestamp layouts seen in the supported exports, tried
// in order. Layouts without a zone are UTC (Microsoft's exports without an
// offset are UTC: UAL CreationTime, Log Analytics "[UTC]" columns).
var timeLayouts = []string{
	time.RFC3339Nano,                // 2024-01-15T09:30:20.1234567Z, …-05:00
	"2006-01-02T15:04:05.999999999", // UAL CreationTime: 2024-01-15T09:30:20
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", // 2022-12-12 15:57:57, 2024-01-15 09:30:20.123
	"2006-01-02T15:04:05.999999999 Z07:00",
	"1/2/2006, 3:04:05.999999999 PM", // Log Analytics portal CSV: 11/20/2026, 8:01:02.123 AM
	"1/2/2006 3:04:05 PM",            // Purview CSV, en-US: 1/15/2024 9:30:20 AM
	"1/2/2006 15:04:05",
	"02/01/2006 15:04:05",
	time.RFC1123Z,
	time.RFC1123,
}

// ParseTime parses a timestamp in any of the layouts the supported exports
// use and returns it in UTC. Unix epoch seconds and milliseconds (as
// numbers or digit strings) are accepted too.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseUTC(s); ok {
		return t, true
	}
	if isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return epoch(float64(n)), true
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// TimeValue parses a JSON value holding a timestamp (a string, or an epoch
// number).
func TimeValue(v *fastjson.Value) (time.Time, bool) {
	if v == nil {
		return time.Time{}, false
	}
	switch v.Type() {
	case fastjson.TypeString:
		return ParseTime(string(v.GetStringBytes()))
	case fastjson.TypeNumber:
		return epoch(v.GetFloat64()), true
	}
	return time.Time{}, false
}

// epoch interprets n as Unix seconds, or milliseconds when it is too large
// to be seconds (after the year 5138).
func epoch(n float64) time.Time {
	if n > 1e11 {
		return time.UnixMilli(int64(n)).UTC()
	}
	sec := int64(n)
	return time.Unix(sec, int64((n-float64(sec))*1e9)).UTC()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseUTC parses the timestamps Microsoft's exports write nearly always,
// "2006-01-02T15:04:05Z" with an optional fraction of up to 9 digits, as
// time.Parse(time.RFC3339Nano) would, without it (a third of the
// normaliser's time went to time.Parse). Anything else is not ok, and
// goes to the layouts.
func parseUTC(s string) (time.Time, bool) {
	if len(s) < 20 || len(s) > 30 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := s[19 : len(s)-1]; frac != "" {
		// "." and 1 to 9 digits.
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := digits(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

// digits reads a run of ASCII digits as a number.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the number of days of month m in year.
func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// canonicalFraction reports whether s, which parseUTC accepts, is its
// time's canonical text (appendCanonicalTime's): no fraction, or one that
// does not end in a zero.
func canonicalFraction(s string) bool {
	return len(s) == 20 || s[len(s)-2] != '0'
}
