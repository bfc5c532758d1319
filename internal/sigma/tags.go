package sigma

import (
	"regexp"
	"strings"
)

// The tag syntax and namespaces of sigma-appendix-tags.md.
var (
	tagRe     = regexp.MustCompile(`^[a-z0-9_-]+\.[a-z0-9._-]+$`)
	tagValues = map[string]*regexp.Regexp{
		// Techniques, groups, software, data sources, mitigations, assets
		// and tactics. The appendix lists twelve tactics but defers to
		// ATT&CK itself, which has more (reconnaissance,
		// resource-development, and since v18 stealth and
		// defense-impairment, all used by SigmaHQ): any tactic short name is
		// accepted.
		"attack": regexp.MustCompile(`^(t\d{4}(\.\d{3})?|g\d{4}|s\d{4}|ds\d{4}|m\d{4}|a\d{4}|[a-z]+(-[a-z]+)*)$`),
		"car":    regexp.MustCompile(`^\d{4}-\d{2}-\d{3}$`),
		"cve":    regexp.MustCompile(`^\d{4}-\d{4,}$`),
		// Techniques (d3-abc), artifacts (d3f-Abc: the appendix's own
		// example is mixed-case) and tactics.
		"d3fend":    regexp.MustCompile(`^(d3-[a-z0-9-]+|d3f-[A-Za-z0-9-]+|model|harden|detect|isolate|deceive|evict)$`),
		"detection": regexp.MustCompile(`^(dfir|emerging-threats|threat-hunting)$`),
		"stp":       regexp.MustCompile(`^[1-5][auk]?$`),
		"tlp":       regexp.MustCompile(`^(red|amber|amber-strict|green|clear)$`),
	}
)

// checkTags warns about tags that do not follow the tag appendix.
func (p *parser) checkTags(tags []string, pos []Pos) {
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		at := pos[i]
		if seen[t] {
			p.warnf(at, "duplicate tag %q", t)
			continue
		}
		seen[t] = true
		ns, val, ok := strings.Cut(t, ".")
		re := tagValues[ns]
		switch {
		case !ok || ns == "" || val == "":
			p.warnf(at, "tag %q has no namespace (tags are namespace.value, e.g. attack.t1078)", t)
		case re == nil:
			p.warnf(at, "tag %q: namespace %q is not in the tag appendix (attack, car, cve, d3fend, detection, stp, tlp)", t, ns)
		case !re.MatchString(val):
			p.warnf(at, "tag %q is not a valid %s tag per the tag appendix", t, ns)
		case ns != "d3fend" && !tagRe.MatchString(t):
			p.warnf(at, "tag %q: tags use lower-case letters, digits, _ and - only", t)
		}
	}
}
