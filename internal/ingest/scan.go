package ingest

import (
	"encoding/binary"
	"fmt"
)

// The scanner is a push-down automaton that finds where one JSON value ends
// without decoding it. It checks the structure (brackets, commas, colons,
// keys, where strings and scalars may stand), not the contents of strings
// and scalars: that is the downstream parser's job. Its whole state lives in
// the struct, so it can stop when the buffer runs out and resume after a
// refill, and it never looks back at bytes it has passed.

// Container states, one per open array or object on the stack.
const (
	stObjFirst uint8 = iota // after '{': a key or '}'
	stObjKey                // after ',': a key
	stObjColon              // after a key: ':'
	stObjValue              // after ':': a value
	stObjComma              // after a member: ',' or '}'
	stArrFirst              // after '[': a value or ']'
	stArrValue              // after ',': a value
	stArrComma              // after an element: ',' or ']'
)

// scanEvent is why the scanner stopped.
type scanEvent uint8

const (
	evMore     scanEvent = iota // the input ran out: refill and resume, or call finish at its end
	evDone                      // the value is complete; the position is just past it
	evErr                       // malformed; scanner.err says why, the position is the offending byte
	evKey                       // (watch) a member key of the outermost object ended; the position is past its quote
	evValue                     // (stopValue) that member's value starts at the position
	evValueEnd                  // (stopEnd) that member's value ended; the position is just past it
)

// byte classes outside strings
const (
	clOther  uint8 = iota // not allowed outside a string
	clSpace               // JSON white space
	clScalar              // may appear in a number, true, false or null
	clQuote
	clOpen  // { [
	clClose // } ]
	clComma
	clColon
)

var (
	classOf  [256]uint8
	strStops [256]bool // bytes the string loop stops at: '"', '\\', '\n'
)

func init() {
	for _, c := range " \t\r\n" {
		classOf[c] = clSpace
	}
	for c := '0'; c <= '9'; c++ {
		classOf[c] = clScalar
	}
	for c := 'a'; c <= 'z'; c++ {
		classOf[c] = clScalar
		classOf[c-'a'+'A'] = clScalar
	}
	for _, c := range "+-." {
		classOf[c] = clScalar
	}
	classOf['"'] = clQuote
	classOf['{'], classOf['['] = clOpen, clOpen
	classOf['}'], classOf[']'] = clClose, clClose
	classOf[','] = clComma
	classOf[':'] = clColon
	strStops['"'], strStops['\\'], strStops['\n'] = true, true, true
}

// scanner finds the end of one JSON value.
type scanner struct {
	stack   []uint8 // container states, innermost last
	started bool    // the value's first byte has been seen
	inStr   bool
	esc     bool // the previous byte in the string was a backslash
	scalar  bool
	deep    int  // open containers past MaxDepth; they are only counted
	tooDeep bool // the value nests deeper than MaxDepth
	err     error

	// watch makes the scanner stop after each key of the outermost object
	// (evKey) so that a caller can look at it, and then, if the caller sets
	// stopValue or stopEnd, where that member's value starts (evValue) or
	// ends (evValueEnd).
	watch     bool
	stopValue bool
	stopEnd   bool
	failDeep  bool // stop at MaxDepth instead of counting on (line mode: the next line resynchronises)
	announced bool // evValue was returned for the value at the current position
	strStart  int  // buffer index of the opening quote of the current string
	litStart  int  // buffer index where the current scalar starts
	valStart  int  // buffer index where the current outermost member value starts
}

func (s *scanner) reset(watch bool) {
	s.stack = s.stack[:0]
	s.started, s.inStr, s.esc, s.scalar = false, false, false, false
	s.deep, s.tooDeep, s.err = 0, false, nil
	s.watch, s.announced, s.failDeep = watch, false, false
	s.stopValue, s.stopEnd = false, false
}

// rebase adjusts the buffer indexes the scanner keeps after the buffer
// moved by shift bytes.
func (s *scanner) rebase(shift int) {
	s.strStart -= shift
	s.valStart -= shift
	s.litStart -= shift
}

// run scans b from index i, returning the position it stopped at and why.
func (s *scanner) run(b []byte, i int) (int, scanEvent) {
	for i < len(b) {
		if s.inStr {
			if s.esc {
				s.esc = false
				i++
				continue
			}
			i = skipString(b, i)
			if i == len(b) {
				return i, evMore
			}
			switch b[i] {
			case '\\':
				s.esc = true
				i++
				continue
			case '\n':
				return i, s.fail(ErrMalformed, "line break inside a string (truncated string?)")
			}
			i++ // the closing quote
			s.inStr = false
			if s.deep > 0 {
				continue
			}
			if ev := s.ended(); ev != evMore {
				return i, ev
			}
			continue
		}
		if s.scalar {
			for i < len(b) && classOf[b[i]] == clScalar {
				i++
			}
			if i == len(b) {
				return i, evMore
			}
			s.scalar = false
			if s.litStart >= 0 && !validLiteral(b[s.litStart:i]) {
				return s.litStart, s.fail(ErrMalformed, "%q is not a JSON value", prefix(b[s.litStart:i], 24))
			}
			if ev := s.ended(); ev != evMore {
				return i, ev
			}
			continue
		}
		c := b[i]
		cl := classOf[c]
		if cl == clSpace {
			i++
			continue
		}
		if s.deep > 0 {
			// Past MaxDepth: count brackets, skip strings and scalars.
			switch cl {
			case clQuote:
				s.inStr = true
			case clOpen:
				s.deep++
			case clClose:
				s.deep--
				if s.deep == 0 {
					i++
					if ev := s.ended(); ev != evMore {
						return i, ev
					}
					continue
				}
			case clOther:
				return i, s.fail(ErrMalformed, "unexpected %s", describeByte(c))
			}
			i++
			continue
		}
		n := len(s.stack)
		if n == 0 && s.started {
			return i, evDone
		}
		st := uint8(0xff)
		if n > 0 {
			st = s.stack[n-1]
		}
		switch st {
		case stObjFirst, stObjKey:
			switch {
			case cl == clQuote:
				s.inStr, s.strStart = true, i
			case cl == clClose && c == '}' && st == stObjFirst:
				i++
				if ev := s.closed(); ev != evMore {
					return i, ev
				}
				continue
			default:
				return i, s.fail(ErrMalformed, "expected an object key, found %s", describeByte(c))
			}
			i++
			continue
		case stObjColon:
			if cl != clColon {
				return i, s.fail(ErrMalformed, "expected ':' after an object key, found %s", describeByte(c))
			}
			s.stack[n-1] = stObjValue
			i++
			continue
		case stObjComma, stArrComma:
			switch {
			case cl == clComma:
				if st == stObjComma {
					s.stack[n-1] = stObjKey
				} else {
					s.stack[n-1] = stArrValue
				}
				i++
				continue
			case cl == clClose && (c == '}') == (st == stObjComma):
				i++
				if ev := s.closed(); ev != evMore {
					return i, ev
				}
				continue
			case st == stObjComma:
				return i, s.fail(ErrMalformed, "expected ',' or '}' after an object member, found %s", describeByte(c))
			default:
				return i, s.fail(ErrMalformed, "expected ',' or ']' after an array element, found %s", describeByte(c))
			}
		case stArrFirst:
			if c == ']' {
				i++
				if ev := s.closed(); ev != evMore {
					return i, ev
				}
				continue
			}
		}
		// A value is expected here: at the top, after ':', or in an array.
		if s.watch && n == 1 && st == stObjValue {
			s.valStart = i
			if s.stopValue && !s.announced {
				s.announced = true
				return i, evValue
			}
		}
		s.announced = false
		s.started = true
		switch cl {
		case clQuote:
			s.inStr, s.strStart = true, i
		case clScalar:
			s.scalar, s.litStart = true, i
		case clOpen:
			if n >= MaxDepth {
				if s.failDeep {
					return i, s.fail(ErrTooDeep, "more than %d levels of arrays and objects", MaxDepth)
				}
				s.deep, s.tooDeep = 1, true
			} else if c == '{' {
				s.stack = append(s.stack, stObjFirst)
			} else {
				s.stack = append(s.stack, stArrFirst)
			}
		default:
			return i, s.fail(ErrMalformed, "expected a value, found %s", describeByte(c))
		}
		i++
	}
	return i, evMore
}

// ended moves the automaton on after a string or scalar ended, or after a
// container past MaxDepth closed.
func (s *scanner) ended() scanEvent {
	n := len(s.stack)
	if n == 0 {
		return evDone
	}
	switch s.stack[n-1] {
	case stObjFirst, stObjKey:
		s.stack[n-1] = stObjColon
		if s.watch && n == 1 {
			return evKey
		}
	case stObjValue:
		s.stack[n-1] = stObjComma
		if s.watch && n == 1 {
			stop := s.stopEnd
			s.stopValue, s.stopEnd = false, false
			if stop {
				return evValueEnd
			}
		}
	case stArrFirst, stArrValue:
		s.stack[n-1] = stArrComma
	}
	return evMore
}

// closed pops the innermost container after its closing bracket.
func (s *scanner) closed() scanEvent {
	s.stack = s.stack[:len(s.stack)-1]
	return s.ended()
}

// skipString returns the index of the first '"', '\\' or '\n' at or after
// i (or len(b)), testing eight bytes at a time.
func skipString(b []byte, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, bs, nl := x^(lo*'"'), x^(lo*'\\'), x^(lo*'\n')
		if ((q-lo)&^q|(bs-lo)&^bs|(nl-lo)&^nl)&hi != 0 {
			break
		}
	}
	for i < len(b) && !strStops[b[i]] {
		i++
	}
	return i
}

// validLiteral checks a scalar: true, false, null or a number (whose
// digits are left to the parser).
func validLiteral(v []byte) bool {
	switch v[0] {
	case 't':
		return string(v) == "true"
	case 'f':
		return string(v) == "false"
	case 'n':
		return string(v) == "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// finish is called at the end of input: a scalar standing alone is then
// complete; anything else open is truncated.
func (s *scanner) finish() scanEvent {
	if s.scalar && len(s.stack) == 0 && s.deep == 0 {
		s.scalar = false
		return evDone
	}
	if !s.started && !s.inStr {
		s.err = fmt.Errorf("%w: no value before the end of the file", ErrTruncated)
		return evErr
	}
	s.err = fmt.Errorf("%w: the file ends inside it", ErrTruncated)
	return evErr
}

func (s *scanner) fail(reason error, format string, args ...any) scanEvent {
	s.err = fmt.Errorf("%w: "+format, append([]any{reason}, args...)...)
	return evErr
}

// describeByte names a byte for an error message.
func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
