package compile

import (
	"unicode"
	"unicode/utf8"
)

// Case folding. Sigma matches strings case-insensitively unless the cased
// modifier is present; literals are folded once at compile time and event
// values once per event, with the same function, so comparisons are plain
// byte comparisons.
//
// fold lower-cases every rune with unicode.ToLower except the two runes whose
// lower case is an ASCII letter written differently (U+212A KELVIN SIGN and
// U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE): keeping those as they are
// guarantees that an ASCII run of a folded value also occurs, ignoring ASCII
// case, in the record's raw bytes, which the raw-bytes prefilter relies on.
// Invalid UTF-8 bytes are kept as they are.

// needsFold reports whether fold(b) differs from b.
func needsFold(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return true
		}
	}
	return false
}

// appendFold appends the folded form of b to dst.
func appendFold(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
			i++
			continue
		}
		dst = utf8.AppendRune(dst, foldRune(r))
		i += n
	}
	return dst
}

func foldRune(r rune) rune {
	switch r {
	case '\u212A', '\u0130':
		return r
	}
	return unicode.ToLower(r)
}

// foldString returns the folded form of s.
func foldString(s string) string {
	if !needsFold([]byte(s)) {
		return s
	}
	return string(appendFold(make([]byte, 0, len(s)), []byte(s)))
}
