package output

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
)

// isoTime formats t in loc as ISO-8601 (RFC 3339, second precision; "Z"
// for UTC).
func isoTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format(time.RFC3339)
}

// WriteAlertTable writes the alerts as a table, Hayabusa-style: first seen
// time (in st.TZ, ISO-8601), level, rule title, entities (users, IPs,
// apps, compact), count, and why (the field=value pairs that matched, from
// the first evidence). Rows are sorted by time, then level (most severe
// first). With st.Width > 0 the rule, entity and why columns are truncated
// to fit. An empty list writes a single "No alerts." line.
func WriteAlertTable(w io.Writer, alerts []alert.Alert, st Style) error {
	bw := bufio.NewWriter(w)
	if len(alerts) == 0 {
		fmt.Fprintln(bw, "No alerts.")
		return bw.Flush()
	}
	type row struct {
		time, rule, ents, count, why string
		level                        alert.Level
	}
	loc := st.loc()
	rows := make([]row, 0, len(alerts))
	timeW, countW, ruleW, entW := len("Time"), len("Count"), len("Rule"), len("Entities")
	for _, a := range sortAlerts(alerts) {
		r := row{
			time:  isoTime(a.FirstSeen, loc),
			rule:  clean(a.Rule.Title),
			ents:  clean(compactEntities(a)),
			count: itoa(a.Count),
			why:   clean(strings.Join(why(a), " ")),
			level: a.Level,
		}
		if r.rule == "" {
			r.rule = clean(a.Rule.ID)
		}
		timeW, countW = max(timeW, width(r.time)), max(countW, width(r.count))
		ruleW, entW = max(ruleW, width(r.rule)), max(entW, width(r.ents))
		rows = append(rows, r)
	}
	const levelW, gap = 5, "  "
	whyW := 0
	if st.Width > 0 {
		flex := st.Width - timeW - levelW - countW - 5*len(gap)
		ruleW = max(4, min(ruleW, flex*7/20))
		entW = max(4, min(entW, flex/4))
		whyW = max(4, flex-ruleW-entW)
	}
	header := pad("Time", timeW) + gap + pad("Level", levelW) + gap + pad("Rule", ruleW) + gap +
		pad("Entities", entW) + gap + padLeft("Count", countW) + gap + "Why"
	fmt.Fprintln(bw, st.paint(ansiBold, header))
	rule := width(header)
	if st.Width > 0 {
		rule = min(st.Width, timeW+levelW+ruleW+entW+countW+whyW+5*len(gap))
	}
	fmt.Fprintln(bw, st.paint(ansiDim, strings.Repeat("─", rule)))
	for _, r := range rows {
		lvl := levelShort[levelIndex(r.level)]
		title := pad(truncate(r.rule, ruleW), ruleW)
		if r.level >= alert.LevelHigh {
			title = st.level(alert.LevelHigh, title)
		}
		line := pad(r.time, timeW) + gap + st.level(r.level, lvl) + strings.Repeat(" ", levelW-len(lvl)) + gap +
			title + gap + pad(truncate(r.ents, entW), entW) + gap + padLeft(r.count, countW) + gap +
			truncate(r.why, whyW)
		fmt.Fprintln(bw, strings.TrimRight(line, " "))
	}
	return bw.Flush()
}

// summaryLabelW is the width of the label column of the summary.
const summaryLabelW = 14

// WriteSummary writes the end-of-scan summary: inputs, records, skips,
// unrecognised files, coverage and gaps per log kind, rules, alerts by
// level, incidents, top rules/users/IPs/apps, state caps hit and warnings.
func WriteSummary(w io.Writer, s *Summary, st Style) error {
	bw := bufio.NewWriter(w)
	p := &summaryPrinter{w: bw, st: st}
	title := "Scan summary"
	if s.Version != "" {
		title += " — idsentry " + clean(s.Version)
	}
	fmt.Fprintln(bw, st.paint(ansiBold+ansiCyan, title))
	fmt.Fprintln(bw, st.paint(ansiDim, strings.Repeat("─", width(title))))
	if s.Command != "" {
		p.line("Command", clean(s.Command))
	}
	if !s.Started.IsZero() {
		p.line("Started", isoTime(s.Started, st.loc()))
	}
	p.inputs(s)
	p.records(s)
	p.coverage(s)
	p.rules(s)
	p.alerts(s)
	p.caps(s)
	if len(s.Warnings) > 0 {
		for i, wmsg := range s.Warnings {
			label := ""
			if i == 0 {
				label = "Warnings"
			}
			p.line(label, st.paint(levelColors[alert.LevelMedium], "! "+clean(wmsg)))
		}
	}
	return bw.Flush()
}

type summaryPrinter struct {
	w  *bufio.Writer
	st Style
}

// line writes one labelled line, the text truncated to the terminal width.
func (p *summaryPrinter) line(label, text string) {
	l := pad(label, summaryLabelW)
	if label != "" && !strings.HasPrefix(label, " ") {
		l = p.st.paint(ansiBold, l)
	}
	if p.st.Width > 0 {
		text = truncate(text, max(10, p.st.Width-summaryLabelW))
	}
	fmt.Fprintln(p.w, strings.TrimRight(l+text, " "))
}

func (p *summaryPrinter) num(n int64) string { return p.st.paint(ansiBold, itoa(n)) }

func (p *summaryPrinter) inputs(s *Summary) {
	text := fmt.Sprintf("%s · %s read in %s", plural(s.Files, "file"), humanBytes(s.Bytes), s.Elapsed)
	if s.MBPerSecond > 0 {
		text += fmt.Sprintf(" (%.1f MB/s)", s.MBPerSecond)
	}
	p.line("Inputs", text)
	table := func(label string, list []InputCount) {
		nameW := 0
		for _, in := range list {
			nameW = max(nameW, width(clean(in.Name)))
		}
		for i, in := range list {
			l := ""
			if i == 0 {
				l = "  " + label
			}
			p.line(l, fmt.Sprintf("%s  %9s  %10s  %s records", pad(clean(in.Name), nameW),
				plural(in.Files, "file"), humanBytes(in.Bytes), itoa(in.Records)))
		}
	}
	table("format", s.InputsByFormat)
	table("log kind", s.InputsByKind)
	for i, f := range s.Unrecognised {
		l := ""
		if i == 0 {
			l = "Unrecognised"
		}
		p.line(l, p.st.paint(levelColors[alert.LevelHigh], clean(f.Path))+": "+clean(f.Message))
	}
}

func (p *summaryPrinter) records(s *Summary) {
	skipped := s.SkippedTotal()
	p.line("Records", fmt.Sprintf("%s read · %s skipped · %s duplicates dropped · %s outside --from/--to",
		p.num(s.Records), p.num(skipped), p.num(s.Duplicates), p.num(s.OutOfRange)))
	for i, r := range s.Skipped {
		l := ""
		if i == 0 {
			l = "  skipped"
		}
		text := fmt.Sprintf("%s × %s", itoa(r.Count), clean(r.Reason))
		if len(r.First) > 0 {
			text += " (first: " + clean(strings.Join(r.First, ", ")) + ")"
		}
		p.line(l, text)
	}
}

func (p *summaryPrinter) coverage(s *Summary) {
	if len(s.Coverage) == 0 {
		p.line("Coverage", "no records with a time")
		return
	}
	kindW := 0
	for _, c := range s.Coverage {
		kindW = max(kindW, len(c.Kind.String()))
	}
	loc := p.st.loc()
	for i, c := range s.Coverage {
		l := ""
		if i == 0 {
			l = "Coverage"
		}
		text := fmt.Sprintf("%s  %s → %s  %s · %s", pad(c.Kind.String(), kindW), isoTime(c.First, loc),
			isoTime(c.Last, loc), plural(c.Days, "day"), plural(int(c.Records), "record"))
		p.line(l, text)
		if c.GapDays > 0 {
			// The longest runs first, at most five: a terminal line, not a
			// calendar (the HTML report and --json list every gap).
			gaps := append([]Gap(nil), c.Gaps...)
			sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].Days > gaps[j].Days })
			more := 0
			if len(gaps) > 5 {
				more = len(gaps) - 5
				gaps = gaps[:5]
			}
			sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].From < gaps[j].From })
			var gs []string
			for _, g := range gaps {
				if g.From == g.To {
					gs = append(gs, g.From)
				} else {
					gs = append(gs, g.From+" to "+g.To)
				}
			}
			if more > 0 {
				gs = append(gs, fmt.Sprintf("and %d shorter gaps", more))
			}
			p.line("", strings.Repeat(" ", kindW+2)+p.st.paint(levelColors[alert.LevelMedium],
				fmt.Sprintf("gaps (UTC days): %s; %s in all", strings.Join(gs, ", "), plural(c.GapDays, "day"))))
		}
	}
}

func (p *summaryPrinter) rules(s *Summary) {
	r := s.Rules
	unsupported := 0
	for _, u := range r.Unsupported {
		unsupported += u.Count
	}
	p.line("Rules", fmt.Sprintf("%s loaded · %s compiled · %s unsupported · %s", p.num(int64(r.Loaded)),
		p.num(int64(r.Compiled)), p.num(int64(unsupported)), plural(r.Warnings, "warning")))
	for i, u := range r.Unsupported {
		l := ""
		if i == 0 {
			l = "  unsupported"
		}
		p.line(l, fmt.Sprintf("%s × %s (%s)", itoa(u.Count), clean(u.Reason), clean(strings.Join(u.Rules, ", "))))
	}
	for i, m := range r.WarningSamples {
		l := ""
		if i == 0 {
			l = "  warnings"
		}
		p.line(l, clean(m))
	}
}

func (p *summaryPrinter) alerts(s *Summary) {
	var parts []string
	for l := alert.LevelCritical; ; l-- {
		n := s.Alerts.ByLevel[l]
		part := itoa(n) + " " + l.String()
		if n > 0 {
			part = p.st.level(l, part)
		}
		parts = append(parts, part)
		if l == alert.LevelInformational {
			break
		}
	}
	p.line("Alerts", fmt.Sprintf("%s: %s", p.num(int64(s.Alerts.Total)), strings.Join(parts, " · ")))
	p.line("Incidents", p.num(int64(s.Incidents)))
	top := func(label string, list []Count) {
		if len(list) == 0 {
			return
		}
		countW := 0
		for _, c := range list {
			countW = max(countW, len(itoa(c.Count)))
		}
		for i, c := range list {
			l := ""
			if i == 0 {
				l = label
			}
			p.line(l, padLeft(itoa(c.Count), countW)+"  "+clean(c.Name))
		}
	}
	top("Top rules", s.TopRules)
	top("Top users", s.TopUsers)
	top("Top IPs", s.TopIPs)
	top("Top apps", s.TopApps)
}

func (p *summaryPrinter) caps(s *Summary) {
	for i, c := range s.Caps {
		l := ""
		if i == 0 {
			l = "State caps"
		}
		p.line(l, p.st.paint(levelColors[alert.LevelMedium],
			fmt.Sprintf("%s: limit %s reached, %s %s", clean(c.Name), itoa(c.Limit), itoa(c.Overflow), clean(c.EffectText()))))
	}
}
