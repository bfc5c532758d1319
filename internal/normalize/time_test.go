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
