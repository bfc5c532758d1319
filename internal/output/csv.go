package output

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idsentry/idsentry/internal/alert"
)

// CSV conventions shared by WriteCSV and WriteTimeline, chosen for Excel
// and Eric Zimmerman's Timeline Explorer:
//
//   - UTF-8 with a byte-order mark. Excel opens a double-clicked CSV in the
//     system ANSI code page unless the file starts with a UTF-8 BOM, which
//     garbles every non-ASCII user name; Timeline Explorer (.NET) detects
//     and skips the BOM. Tools that do not (Python's csv without
//     encoding="utf-8-sig") see it glued to the first header name.
//   - CRLF line ends and RFC 4180 quoting (encoding/csv), a header row.
//   - Timestamps in ISO-8601 (RFC 3339), UTC unless a zone is given.
//   - Lists inside one cell joined with "; ".
//   - Formula injection (OWASP "CSV Injection"): a cell starting with
//     = + - @, a tab or a carriage return — or their fullwidth forms, which
//     some spreadsheet versions also evaluate — gets a leading apostrophe,
//     so spreadsheets show it as text. Excel hides the apostrophe; Timeline
//     Explorer shows it.
//   - Cells are capped at 32,000 characters: Excel's limit is 32,767 and a
//     longer cell breaks the row layout.
//   - Line breaks inside a cell are written as CRLF; a lone CR becomes one.
//   - Control characters other than tab, CR and LF (ESC above all, which
//     would drive a terminal that cats the file) become U+FFFD.
const (
	utf8BOM     = "\ufeff"
	listSep     = "; "
	maxCellRune = 32000
)

// neutralize makes one cell safe to open in a spreadsheet (see above).
func neutralize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > maxCellRune && utf8.RuneCountInString(s) > maxCellRune {
		i, n := 0, 0
		for i = range s {
			if n == maxCellRune {
				break
			}
			n++
		}
		s = s[:i] + "…[truncated]"
	}
	if s == "" {
		return s
	}
	if strings.IndexFunc(s, badControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if badControl(r) {
				return utf8.RuneError
			}
			return r
		}, s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	if strings.IndexByte(s, '\r') >= 0 {
		// A lone CR does not survive CSV readers (encoding/csv drops it):
		// line breaks inside a cell become LF, written as CRLF.
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// badControl reports control characters a CSV cell should not carry.
func badControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f)
}

// csvOut writes neutralised CSV records after a BOM.
type csvOut struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	row []string
}

func newCSV(w io.Writer, header []string) (*csvOut, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	c := &csvOut{bw: bw, cw: cw}
	return c, c.write(header)
}

func (c *csvOut) write(cells []string) error {
	c.row = c.row[:0]
	for _, s := range cells {
		c.row = append(c.row, neutralize(s))
	}
	if err := c.cw.Write(c.row); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (c *csvOut) close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// alertCSVHeader is the column order of WriteCSV.
var alertCSVHeader = []string{
	"first_seen", "last_seen", "level", "rule", "rule_id", "count", "message",
	"users", "ips", "apps", "entities", "why", "implements", "tags", "evidence",
}

// WriteCSV writes the alerts as CSV, one row per alert in report order,
// with the columns first_seen, last_seen, level, rule, rule_id, count,
// message, users, ips, apps, entities (type:value), why (field=value that
// matched), implements, tags and evidence (origins, file:line). Times are
// ISO-8601 in tz (nil means UTC). See the CSV conventions above.
func WriteCSV(w io.Writer, alerts []alert.Alert, tz *time.Location) error {
	if tz == nil {
		tz = time.UTC
	}
	c, err := newCSV(w, alertCSVHeader)
	if err != nil {
		return err
	}
	for _, a := range sortAlerts(alerts) {
		err := c.write([]string{
			isoTime(a.FirstSeen, tz),
			isoTime(a.LastSeen, tz),
			a.Level.String(),
			a.Rule.Title,
			a.Rule.ID,
			fmt.Sprint(a.Count),
			a.Message,
			strings.Join(entityValues(a, groupUser), listSep),
			strings.Join(entityValues(a, groupIP), listSep),
			strings.Join(entityValues(a, groupApp), listSep),
			strings.Join(entityList(a), listSep),
			strings.Join(why(a), listSep),
			strings.Join(a.Rule.Implements, listSep),
			strings.Join(a.Rule.Tags, listSep),
			strings.Join(origins(a), listSep),
		})
		if err != nil {
			return err
		}
	}
	return c.close()
}
