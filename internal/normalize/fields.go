package normalize

import (
	"sort"
	"strings"

	"github.com/idsentry/idsentry/internal/event"
)

// Field tables, per log kind:
//
//   - canonical: every canonical field path the kind's documents may carry
//     (dotted; array elements are addressed through the array's name, so
//     "authenticationDetails.authenticationStepResultDetail" covers every
//     element). Used for load-time warnings and case-insensitive lookup.
//   - aliases: field names used by public rules (Azure Monitor and Log
//     Analytics names, properties.* paths, UAL names) mapped onto canonical
//     paths. Keys are matched exactly first, then case-insensitively.
//
// Each shape file registers its kind's tables from init with addFields and
// addAliases.
var (
	canonical = map[event.Kind]map[string]bool{}
	aliases   = map[event.Kind]map[string]string{}
	// folded maps a lower-cased name to its canonical or alias key.
	folded = map[event.Kind]map[string]string{}
	// synthesized holds canonical paths whose values a normaliser may
	// compute rather than copy from the record (renamed enums, derived
	// flags, values rewritten to fix a trap): a raw-bytes prefilter must not
	// assume their text appears in the record.
	synthesized = map[event.Kind]map[string]bool{}
)

// dynamic lists, per kind, the canonical paths of open objects whose keys
// come from the data (folded property bags, request bodies, annotations):
// any path below them is a field of the kind.
var dynamic = map[event.Kind][]string{}

// addDynamic registers open-object paths for a kind.
func addDynamic(k event.Kind, paths ...string) {
	dynamic[k] = append(dynamic[k], paths...)
}

// addSynthesized registers canonical paths whose values may not appear
// verbatim in the raw record.
func addSynthesized(k event.Kind, paths ...string) {
	m := synthesized[k]
	if m == nil {
		m = map[string]bool{}
		synthesized[k] = m
	}
	for _, p := range paths {
		m[p] = true
	}
}

// Verbatim reports whether the value at canonical path p of kind k is always
// copied from the record unchanged (so its text, modulo JSON escaping and
// case, appears in the raw bytes). Paths under a synthesized path are
// synthesized too.
func Verbatim(k event.Kind, p string) bool {
	for s := range synthesized[k] {
		if p == s || strings.HasPrefix(p, s+".") {
			return false
		}
	}
	return true
}

// addFields registers canonical field paths for a kind.
func addFields(k event.Kind, paths ...string) {
	m := canonical[k]
	if m == nil {
		m = map[string]bool{}
		canonical[k] = m
	}
	for _, p := range paths {
		m[p] = true
		fold(k, p, p)
	}
}

// addAliases registers alias → canonical path mappings for a kind.
func addAliases(k event.Kind, m map[string]string) {
	a := aliases[k]
	if a == nil {
		a = map[string]string{}
		aliases[k] = a
	}
	for from, to := range m {
		a[from] = to
		fold(k, from, to)
	}
}

func fold(k event.Kind, name, to string) {
	f := folded[k]
	if f == nil {
		f = map[string]string{}
		folded[k] = f
	}
	lk := strings.ToLower(name)
	if _, ok := f[lk]; !ok {
		f[lk] = to
	}
}

// Resolve maps a field name from a rule onto a canonical path of kind k:
// an exact canonical path first, then an exact alias, then a
// case-insensitive match against both. known is false when no table has
// the name; the returned path is then the name itself, split at dots, so a
// rule on an undocumented field still works against documents that carry
// it (the caller warns).
func Resolve(k event.Kind, name string) (p event.Path, known bool) {
	if canonical[k][name] {
		return event.ParsePath(name), true
	}
	if to, ok := aliases[k][name]; ok {
		return event.ParsePath(to), true
	}
	if to, ok := folded[k][strings.ToLower(name)]; ok {
		return event.ParsePath(to), true
	}
	// Under an open object (a folded property bag, a request body) any key
	// is a field.
	for _, d := range dynamic[k] {
		if strings.HasPrefix(name, d+".") {
			return event.ParsePath(name), true
		}
	}
	// A prefix of a known path (an object such as "status") is known too.
	for c := range canonical[k] {
		if strings.HasPrefix(c, name+".") {
			return event.ParsePath(name), true
		}
	}
	return event.ParsePath(name), false
}

// Fields returns the canonical field paths of kind k, sorted.
func Fields(k event.Kind) []string {
	out := make([]string, 0, len(canonical[k]))
	for p := range canonical[k] {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
