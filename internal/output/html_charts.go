package output

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/alert"
)

// The report's charts are inline SVG generated here. Every piece of text in
// them goes through html.EscapeString (country names come from logs), and
// every number is formatted by fmt, so the returned template.HTML is safe.

// chartView is a chart and its visible caption.
type chartView struct {
	Title string
	SVG   template.HTML
}

// chartSeries is one stacked series: its legend label and CSS class.
type chartSeries struct {
	label, class string
}

// chartGroup is one bar: its axis label and one value per series.
type chartGroup struct {
	label  string
	values []int64
}

// niceMax rounds n up to 1, 2 or 5 times a power of ten (at least 1).
func niceMax(n int64) int64 {
	if n <= 1 {
		return 1
	}
	p := int64(1)
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

func legend(series []chartSeries) string {
	var b strings.Builder
	b.WriteString(`<ul class="legend">`)
	for _, s := range series {
		fmt.Fprintf(&b, `<li><span class="swatch %s"></span>%s</li>`, s.class, html.EscapeString(s.label))
	}
	b.WriteString(`</ul>`)
	return b.String()
}

// columnChart draws vertical stacked bars, one per group; x labels on
// every labelEvery-th group.
func columnChart(id, title string, series []chartSeries, groups []chartGroup, labelEvery int) template.HTML {
	const w, h, left, right, top, bottom = 720.0, 220.0, 44.0, 8.0, 10.0, 34.0
	plotW, plotH := w-left-right, h-top-bottom
	var maxTotal int64
	for _, g := range groups {
		var t int64
		for _, v := range g.values {
			t += v
		}
		maxTotal = max(maxTotal, t)
	}
	step := niceMax((maxTotal + 3) / 4)
	yMax := 4 * step
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t"><title id="%s-t">%s</title>`,
		w, h, id, id, html.EscapeString(title))
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text class="ylab" x="%.1f" y="%.1f">%s</text>`, left-6, y+3.5, itoa(step*int64(i)))
	}
	if len(groups) > 0 {
		slot := plotW / float64(len(groups))
		barW := max(1, slot*0.78)
		for gi, g := range groups {
			x := left + slot*float64(gi) + (slot-barW)/2
			y := top + plotH
			for si, v := range g.values {
				if v == 0 {
					continue
				}
				bh := plotH * float64(v) / float64(yMax)
				y -= bh
				fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s — %s: %s</title></rect>`,
					series[si].class, x, y, barW, bh, html.EscapeString(g.label), html.EscapeString(series[si].label), itoa(v))
			}
			if labelEvery > 0 && gi%labelEvery == 0 {
				fmt.Fprintf(&b, `<text class="xlab" x="%.1f" y="%.1f">%s</text>`, x+barW/2, h-bottom+14, html.EscapeString(g.label))
			}
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/></svg>`, left, top+plotH, w-right, top+plotH)
	b.WriteString(legend(series))
	return template.HTML(b.String())
}

// barChart draws horizontal stacked bars, one row per group.
func barChart(id, title string, series []chartSeries, groups []chartGroup) template.HTML {
	const w, left, right, rowH = 720.0, 150.0, 70.0, 22.0
	h := rowH*float64(len(groups)) + 8
	plotW := w - left - right
	var maxTotal int64
	for _, g := range groups {
		var t int64
		for _, v := range g.values {
			t += v
		}
		maxTotal = max(maxTotal, t)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t"><title id="%s-t">%s</title>`,
		w, h, id, id, html.EscapeString(title))
	for gi, g := range groups {
		y := 4 + rowH*float64(gi)
		fmt.Fprintf(&b, `<text class="rlab" x="%.1f" y="%.1f">%s</text>`, left-8, y+rowH/2+4, html.EscapeString(truncate(clean(g.label), 22)))
		x := left
		var total int64
		for si, v := range g.values {
			total += v
			if v == 0 || maxTotal == 0 {
				continue
			}
			bw := plotW * float64(v) / float64(maxTotal)
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s — %s: %s</title></rect>`,
				series[si].class, x, y+3, bw, rowH-6, html.EscapeString(g.label), html.EscapeString(series[si].label), itoa(v))
			x += bw
		}
		fmt.Fprintf(&b, `<text class="vlab" x="%.1f" y="%.1f">%s</text>`, x+6, y+rowH/2+4, itoa(total))
	}
	b.WriteString(`</svg>`)
	b.WriteString(legend(series))
	return template.HTML(b.String())
}

// levelSeries lists the alert levels, most severe first, as chart series.
func levelSeries() []chartSeries {
	var out []chartSeries
	for l := alert.LevelCritical; ; l-- {
		out = append(out, chartSeries{label: l.String(), class: "s-" + l.String()})
		if l == alert.LevelInformational {
			return out
		}
	}
}

// alertsPerDay charts alerts by first-seen day (in loc) and level. Spans
// longer than 92 days are bucketed into several days per bar.
func alertsPerDay(alerts []alert.Alert, loc *time.Location) chartView {
	if len(alerts) == 0 {
		return chartView{}
	}
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	var first, last time.Time
	for i := range alerts {
		if alerts[i].FirstSeen.IsZero() {
			continue
		}
		d := day(alerts[i].FirstSeen)
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	if first.IsZero() {
		return chartView{}
	}
	span := int(last.Sub(first).Hours()/24+0.5) + 1
	per := (span + 91) / 92
	groups := make([]chartGroup, (span+per-1)/per)
	for i := range groups {
		groups[i] = chartGroup{label: first.AddDate(0, 0, i*per).Format("01-02"), values: make([]int64, 5)}
	}
	for i := range alerts {
		a := &alerts[i]
		if a.FirstSeen.IsZero() {
			continue
		}
		idx := int(day(a.FirstSeen).Sub(first).Hours()/24+0.5) / per
		if idx >= 0 && idx < len(groups) {
			groups[idx].values[int(alert.LevelCritical)-levelIndex(a.Level)]++
		}
	}
	every := max(1, (len(groups)+13)/14)
	title := "Alerts per day by level"
	if per > 1 {
		title = fmt.Sprintf("Alerts per %d days by level", per)
	}
	return chartView{title + " (" + loc.String() + ")", columnChart("chart-days", title, levelSeries(), groups, every)}
}

var signInSeries = []chartSeries{{"successful", "s-ok"}, {"failed", "s-fail"}}

// signInsPerHour charts sign-ins by hour of day in loc.
func signInsPerHour(p *SignInProfiles, loc *time.Location) chartView {
	if p == nil || len(p.hours) == 0 {
		return chartView{}
	}
	hours := p.HourOfDay(loc)
	groups := make([]chartGroup, 24)
	for h := range groups {
		groups[h] = chartGroup{label: fmt.Sprintf("%02d", h), values: []int64{hours[h][0], hours[h][1]}}
	}
	title := "Sign-ins per hour of day (" + loc.String() + ")"
	return chartView{title, columnChart("chart-hours", title, signInSeries, groups, 2)}
}

// topCountries charts the ten countries with most sign-ins.
func topCountries(p *SignInProfiles) chartView {
	if p == nil {
		return chartView{}
	}
	cs := p.Countries()
	if len(cs) == 0 {
		return chartView{}
	}
	cs = cs[:min(len(cs), 10)]
	groups := make([]chartGroup, len(cs))
	for i, c := range cs {
		groups[i] = chartGroup{label: c.Country, values: []int64{c.Success, c.Failure}}
	}
	title := "Sign-ins by country or region (top 10)"
	return chartView{title, barChart("chart-countries", title, signInSeries, groups)}
}
