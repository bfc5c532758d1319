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
