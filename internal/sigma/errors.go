package sigma

import (
	"fmt"
	"sort"
)

// Error is one problem found in a rule file: a syntax error, a violation of
// the Sigma specification (Warning false) or a departure from one of its
// recommendations (Warning true). Line and Col are 1-based.
type Error struct {
	File      string
	Line, Col int
	// Rule names the document the problem belongs to: its id, else its
	// title; empty when the document has neither.
	Rule    string
	Msg     string
	Warning bool
}

// Error formats the problem as "file:line:col: message", with "warning: "
// before the message of a warning and without "file:" when File is empty.
func (e *Error) Error() string {
	s := fmt.Sprintf("%d:%d: ", e.Line, e.Col)
	if e.File != "" {
		s = e.File + ":" + s
	}
	if e.Warning {
		s += "warning: "
	}
	return s + e.Msg
}

// HasErrors reports whether errs holds at least one error (not a warning).
func HasErrors(errs []*Error) bool {
	for _, e := range errs {
		if !e.Warning {
			return true
		}
	}
	return false
}

// SortErrors orders problems by file, line and column, keeping the order in
// which they were found among equal positions.
func SortErrors(errs []*Error) {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// reporter collects the problems of one file.
type reporter struct {
	file string
	rule string // id or title of the document being checked
	errs []*Error
}

func (r *reporter) add(p Pos, warn bool, format string, args ...any) {
	if p.Line < 1 {
		p.Line = 1
	}
	if p.Col < 1 {
		p.Col = 1
	}
	r.errs = append(r.errs, &Error{
		File: r.file, Line: p.Line, Col: p.Col, Rule: r.rule,
		Msg: fmt.Sprintf(format, args...), Warning: warn,
	})
}

// errorf records an error at p.
func (r *reporter) errorf(p Pos, format string, args ...any) { r.add(p, false, format, args...) }

// warnf records a warning at p.
func (r *reporter) warnf(p Pos, format string, args ...any) { r.add(p, true, format, args...) }
