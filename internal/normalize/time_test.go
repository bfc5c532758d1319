package normalize

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 1, 15, 9, 30, 20, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-01-15T09:30:20Z", want, true},
		{"2024-01-15T09:30:20.1234567Z", want.Add(123456700), true},
		{"2024-01-15T04:30:20-05:00", want, true},
		{"2024-01-15T09:30:20", want, true},
		{"2024-01-15 09:30:20", want, true},
		{"2024-01-15 09:30:20.123", want.Add(123 * time.Millisecond), true},
		{"1/15/2024, 9:30:20.000 AM", want, true},
		{"1/15/2024 9:30:20 AM", want, true},
		{"1705311020", want, true},
		{"1705311020000", want, true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseTime(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseUTC: parseUTC accepts only what time.Parse(time.RFC3339Nano)
// accepts, reads the same instant, and canonicalFraction says whether the
// text is its time's canonical form.
func FuzzParseUTC(f *testing.F) {
	for _, s := range []string{
		"2024-01-15T09:30:20Z", "2024-01-15T09:30:20.1234567Z", "2024-01-15T09:30:20.120Z",
		"2024-02-29T23:59:59.999999999Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
		"2024-01-15T24:00:00Z", "2024-01-15T09:30:60Z", "2024-01-15T09:30:20.Z", "2024-01-15T09:30:20.0Z",
		"2024-01-15T09:30:20.1234567890Z", "2024-01-15T09:30:20+01:00", "2024-1-15T09:30:20Z", "0000-01-01T00:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUTC(s)
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("parseUTC(%q) = %v, but time.Parse: %v", s, got, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("parseUTC(%q) = %v, time.Parse %v", s, got, want)
		}
		if canon := string(appendCanonicalTime(nil, got)) == s; canon != canonicalFraction(s) {
			t.Fatalf("%q: canonical %v, canonicalFraction %v", s, canon, canonicalFraction(s))
		}
	})
}
