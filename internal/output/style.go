package output

import (
	"golang.org/x/term"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idsentry/idsentry/internal/alert"
)

// Style says how terminal output looks.
type Style struct {
	// Color enables ANSI colour escapes (see ColorEnabled).
	Color bool
	// TZ is the zone times are shown in; nil means UTC.
	TZ *time.Location
	// Width is the terminal width in columns; 0 or less means unlimited
	// (no truncation), which suits output redirected to a file.
	Width int
}

// ColorEnabled reports whether colour should be used on f: not when
// noColor is set (--no-color), not when the NO_COLOR environment variable
// is set to anything non-empty (https://no-color.org), not when TERM is
// "dumb", and only when f is a terminal. The terminal check needs no ioctl:
// it asks whether f is a character device, which a console, a pty or a
// serial line is and a pipe or regular file is not.
func ColorEnabled(f *os.File, noColor bool) bool {
	if noColor || f == nil {
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// ANSI escapes. Levels follow Hayabusa's convention: critical and high in
// shades of red, medium yellow, low green, informational dim.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiCyan  = "\x1b[36m"
)

var levelColors = [...]string{
	alert.LevelInformational: "\x1b[2m",
	alert.LevelLow:           "\x1b[32m",
	alert.LevelMedium:        "\x1b[33m",
	alert.LevelHigh:          "\x1b[1;31m",
	alert.LevelCritical:      "\x1b[1;97;41m",
}

// levelShort are the level names in the alert table, Hayabusa-style.
var levelShort = [...]string{
	alert.LevelInformational: "info",
	alert.LevelLow:           "low",
	alert.LevelMedium:        "med",
	alert.LevelHigh:          "high",
	alert.LevelCritical:      "crit",
}

func levelIndex(l alert.Level) int {
	if int(l) < len(levelColors) {
		return int(l)
	}
	return 0
}

// paint wraps s in the escape code when colour is on.
func (s Style) paint(code, text string) string {
	if !s.Color || code == "" || text == "" {
		return text
	}
	return code + text + ansiReset
}

func (s Style) level(l alert.Level, text string) string {
	return s.paint(levelColors[levelIndex(l)], text)
}

func (s Style) loc() *time.Location {
	if s.TZ == nil {
		return time.UTC
	}
	return s.TZ
}

// clean makes log-derived text safe and single-line for a terminal: ANSI
// escape sequences are removed, other control characters (C0, C1, bidi
// overrides, line separators) become spaces, invalid UTF-8 becomes U+FFFD,
// and runs of spaces collapse. No escape-sequence injection survives it.
func clean(s string) string {
	needs := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 || (c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i = skipAnyEscape(s, i)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// skipAnyEscape returns the index after the escape sequence at s[i]: CSI
// (ESC [ … final byte), OSC, DCS, SOS, PM and APC strings (ended by BEL or
// ESC \), or a two-byte escape.
func skipAnyEscape(s string, i int) int {
	j := i + 1
	if j >= len(s) {
		return j
	}
	switch s[j] {
	case '[':
		return skipEscape(s, i)
	case ']', 'P', 'X', '^', '_':
		for j++; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return j
	}
	return j + 1
}

// runeWidth is the number of terminal columns a rune takes: 0 for
// combining marks and zero-width characters, 2 for East Asian wide and
// fullwidth characters and most emoji, 1 otherwise.
func runeWidth(r rune) int {
	switch {
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF:
		return 0
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return 0
	case r >= 0x1100 && (r <= 0x115F || // Hangul Jamo
		(r >= 0x2E80 && r <= 0xA4CF && r != 0x303F) || // CJK … Yi
		(r >= 0xAC00 && r <= 0xD7A3) || // Hangul syllables
		(r >= 0xF900 && r <= 0xFAFF) || // CJK compatibility ideographs
		(r >= 0xFE30 && r <= 0xFE4F) || // CJK compatibility forms
		(r >= 0xFF00 && r <= 0xFF60) || // fullwidth forms
		(r >= 0xFFE0 && r <= 0xFFE6) ||
		(r >= 0x1F300 && r <= 0x1F64F) || // emoji
		(r >= 0x1F900 && r <= 0x1F9FF) ||
		(r >= 0x20000 && r <= 0x3FFFD)):
		return 2
	}
	return 1
}

// width is the number of columns s takes, ignoring ANSI escapes.
func width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i = skipEscape(s, i)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += runeWidth(r)
		i += size
	}
	return n
}

// skipEscape returns the index after the CSI escape sequence at s[i].
func skipEscape(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '[' {
		j++
		for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
			j++
		}
		if j < len(s) {
			j++
		}
	}
	return j
}

// truncate shortens s to at most w columns, ending it with "…" when
// something was cut. ANSI escapes in s take no columns and are kept; a cut
// inside coloured text ends with a reset. w <= 0 means no limit.
func truncate(s string, w int) string {
	if w <= 0 || width(s) <= w {
		return s
	}
	n, escaped := 0, false
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i = skipEscape(s, i)
			escaped = true
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		rw := runeWidth(r)
		if n+rw > w-1 {
			if escaped {
				return s[:i] + "…" + ansiReset
			}
			return s[:i] + "…"
		}
		n += rw
		i += size
	}
	return s
}

// pad right-pads s with spaces to w columns.
func pad(s string, w int) string {
	if n := width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// padLeft left-pads s with spaces to w columns.
func padLeft(s string, w int) string {
	if n := width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}
