package alert

import "strings"

// allowRule drops matches whose field has a value matching any pattern.
type allowRule struct {
	field    string
	patterns []string // lower-cased
}

// addAllow adds patterns to field's rule, creating it when needed.
func addAllow(rules []allowRule, field string, patterns []string) []allowRule {
	low := make([]string, 0, len(patterns))
	for _, p := range patterns {
		low = append(low, strings.ToLower(p))
	}
	for i := range rules {
		if rules[i].field == field {
			rules[i].patterns = append(append([]string(nil), rules[i].patterns...), low...)
			return rules
		}
	}
	return append(rules, allowRule{field: field, patterns: low})
}

// allowed reports whether fields match the allowlist (the match is dropped).
func allowed(rules []allowRule, fields map[string][]string) bool {
	for _, r := range rules {
		for _, v := range fields[r.field] {
			lv := strings.ToLower(v)
			for _, p := range r.patterns {
				if wildcard(p, lv) {
					return true
				}
			}
		}
	}
	return false
}

// wildcard reports whether s matches pattern p, where '*' matches any run
// of characters (including none) and '?' exactly one character. Both are
// compared byte-wise on UTF-8 except that '?' consumes one whole rune. It
// runs in O(len(p)·len(s)) worst case, without recursion.
func wildcard(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '?':
			pi++
			si += runeLen(s[si:])
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && p[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark += runeLen(s[mark:])
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// runeLen returns the byte length of the first rune of s (1 for invalid
// UTF-8).
func runeLen(s string) int {
	for i := range s {
		if i > 0 {
			return i
		}
	}
	return len(s)
}
