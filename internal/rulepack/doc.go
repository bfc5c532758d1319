package rulepack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/idsentry/idsentry/internal/detect"
)

// Markdown renders the catalogue of a pack (docs/rules.md): every rule with
// what it implements, its log kinds, ATT&CK techniques and level, then a
// coverage table of the seeds and guide rows.
func Markdown(pack *detect.Pack) string {
	type row struct {
		title, file, impl, kinds, attack, level, typ string
	}
	var rows []row
	covered := map[string][]string{}
	for _, r := range pack.Set.Rules {
		spec := pack.Spec(r)
		var impl []string
		if spec != nil {
			impl = spec.Rule.Implements
		}
		var attack []string
		for _, t := range r.Tags {
			if strings.HasPrefix(t, "attack.t") {
				attack = append(attack, strings.ToUpper(strings.TrimPrefix(t, "attack.")))
			}
		}
		typ := "detection"
		if r.Correlation != nil {
			typ = string(r.Correlation.Type)
		}
		file := strings.TrimPrefix(r.Sigma.File, "builtin:")
		rows = append(rows, row{r.Title, file, strings.Join(impl, ", "), strings.Join(detect.Kinds(r), ", "), strings.Join(attack, ", "), r.Level, typ})
		for _, i := range impl {
			covered[i] = append(covered[i], r.Title)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].file != rows[j].file {
			return rows[i].file < rows[j].file
		}
		return rows[i].title < rows[j].title
	})
	var b strings.Builder
	b.WriteString("# Built-in rules\n\n")
	b.WriteString("Generated from the embedded pack by `go test ./internal/rulepack -run TestRulesDoc -update`; a test fails when this\n")
	b.WriteString("file drifts from the pack. Every rule has unit tests beside it (`<rule>.tests.yml`, run by `idsentry rules test`).\n\n")
	fmt.Fprintf(&b, "%d rules.\n\n", len(rows))
	b.WriteString("| rule | implements | log kinds | type | ATT&CK | level | file |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | `%s` |\n", esc(r.title), r.impl, r.kinds, r.typ, r.attack, r.level, r.file)
	}
	b.WriteString("\n## Coverage of the seeds and the applications guide\n\n| item | rules |\n|---|---|\n")
	var items []string
	for i := 0; i <= 4; i++ {
		items = append(items, fmt.Sprintf("seed-%03d", i))
	}
	for i := 1; i <= 16; i++ {
		items = append(items, fmt.Sprintf("guide-row-%d", i))
	}
	for _, it := range items {
		rs := covered[it]
		sort.Strings(rs)
		text := "**not implemented**"
		if it == "seed-003" && len(rs) == 0 {
			text = "the applications guide: its 16 rows below"
		}
		if len(rs) > 0 {
			text = esc(strings.Join(rs, "; "))
		}
		fmt.Fprintf(&b, "| %s | %s |\n", it, text)
	}
	return b.String()
}

func esc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
