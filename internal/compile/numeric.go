package compile

import (
	"strconv"
	"time"
)

// parseDecimal parses s as a plain decimal number: an optional sign, digits
// with an optional fraction, an optional exponent. Unlike strconv.ParseFloat
// it rejects "inf", "nan", hex forms, underscores and surrounding space, so
// only text that reads as a number compares numerically.
func parseDecimal(s []byte) (float64, bool) {
	if len(s) == 0 || len(s) > 64 {
		return 0, false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// cmpOp is a numeric comparison.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opGt
	opGte
	opLt
	opLte
)

func (o cmpOp) apply(a, b float64) bool {
	switch o {
	case opGt:
		return a > b
	case opGte:
		return a >= b
	case opLt:
		return a < b
	case opLte:
		return a <= b
	}
	return a == b
}

// timePart extracts a number from a date value for the time modifiers of
// the modifiers appendix (minute, hour, day, week, month, year). As the
// appendix says, no time-zone conversion is done: the clock fields are read
// as written in the value.
type timePart uint8

const (
	partNone timePart = iota
	partMinute
	partHour
	partDay
	partWeek
	partMonth
	partYear
)

var timeParts = map[string]timePart{
	"minute": partMinute, "hour": partHour, "day": partDay,
	"week": partWeek, "month": partMonth, "year": partYear,
}

// dateLayouts are the layouts a date value may have: RFC 3339 with or
// without fraction and zone, the space-separated form of Log Analytics and
// CSV exports, and the US form of Purview exports.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04:05",
	"2006-01-02",
}

// extract returns the part of the date text b.
func (tp timePart) extract(b []byte) (float64, bool) {
	s := string(b)
	var t time.Time
	ok := false
	for _, l := range dateLayouts {
		if x, err := time.Parse(l, s); err == nil {
			t, ok = x, true
			break
		}
	}
	if !ok {
		return 0, false
	}
	switch tp {
	case partMinute:
		return float64(t.Minute()), true
	case partHour:
		return float64(t.Hour()), true
	case partDay:
		return float64(t.Day()), true
	case partWeek:
		_, w := t.ISOWeek()
		return float64(w), true
	case partMonth:
		return float64(t.Month()), true
	case partYear:
		return float64(t.Year()), true
	}
	return 0, false
}
