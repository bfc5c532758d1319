package sigma

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// timeUnits are the units of a correlation timespan (and of the legacy
// timeframe): "number + letter (in lowercase)".
var timeUnits = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}

// ParseTimespan parses a Sigma timespan: a positive whole number followed by
// one of the units s, m, h or d (sigma-correlation-rules-specification.md,
// "Time Selection"), e.g. "90m".
func ParseTimespan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("invalid timespan %q: expected a number and a unit (s, m, h or d), e.g. 5m", s)
	}
	unit, ok := timeUnits[s[len(s)-1]]
	if !ok {
		return 0, fmt.Errorf("invalid timespan %q: the unit must be s, m, h or d (lower-case)", s)
	}
	digits := s[:len(s)-1]
	if !isNumber(digits) {
		return 0, fmt.Errorf("invalid timespan %q: expected a whole number before the unit", s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("invalid timespan %q: too long", s)
	}
	if n == 0 {
		return 0, fmt.Errorf("invalid timespan %q: must be longer than zero", s)
	}
	return time.Duration(n) * unit, nil
}
