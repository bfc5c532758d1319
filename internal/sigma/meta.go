package sigma

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Values the specification enumerates.
var (
	statuses     = []string{"stable", "test", "experimental", "deprecated", "unsupported"}
	levels       = []string{"informational", "low", "medium", "high", "critical"}
	relatedTypes = []string{"derived", "obsolete", "merged", "renamed", "similar"}
)

var (
	uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// dateRe is the date pattern of the JSON schemas.
	dateRe = regexp.MustCompile(`^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$`)
	// logsourceRe: "values are in lower case and spaces are replaced by a
	// _, characters . and - are allowed".
	logsourceRe = regexp.MustCompile(`^[a-z0-9_.-]+$`)
)

// topLevel are the attributes the specification defines for some document
// kind; any other top-level attribute is a custom attribute.
var topLevel = map[string]bool{
	"title": true, "id": true, "name": true, "related": true, "taxonomy": true, "status": true,
	"description": true, "license": true, "author": true, "references": true, "date": true,
	"modified": true, "logsource": true, "fields": true, "falsepositives": true, "level": true,
	"tags": true, "scope": true, DocDetection: true, DocCorrelation: true, DocFilter: true,
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// meta reads the metadata attributes of a document (everything but the
// detection, correlation and filter sections).
func (p *parser) meta(r *Rule, pairs []pair) {
	hasTitle := false
	hasID := false
	for _, kv := range pairs {
		key, v, at := kv.Key, kv.Val, kv.pos()
		if key == "generate" && r.Doc == DocCorrelation {
			continue // read with the correlation section
		}
		if !topLevel[key] {
			r.Custom[key] = v
			continue
		}
		if key == "id" {
			hasID = true
		}
		if isNull(v) && key != "title" && key != DocDetection && key != DocCorrelation && key != DocFilter {
			p.warnf(at, "%s has no value", key)
			continue
		}
		switch key {
		case "title":
			hasTitle = true
			if s, ok := p.str(v, "title"); ok {
				r.Title = s
				if strings.TrimSpace(s) == "" {
					p.errorf(nodePos(v), "title is empty")
				} else if n := utf8.RuneCountInString(s); n > 256 {
					p.warnf(nodePos(v), "title is %d characters long; the specification allows 256", n)
				}
			}
		case "id":
			if s, ok := p.str(v, "id"); ok {
				r.ID = s
				if !uuidRe.MatchString(s) {
					p.warnf(nodePos(v), "id %q is not a UUID (the specification recommends a random UUID v4)", s)
				}
			}
		case "name":
			if s, ok := p.str(v, "name"); ok {
				r.Name = s
				if s == "" {
					p.errorf(nodePos(v), "name is empty")
				}
			}
		case "related":
			r.Related = p.related(v)
		case "taxonomy":
			r.Taxonomy, _ = p.str(v, "taxonomy")
		case "status":
			if s, ok := p.str(v, "status"); ok {
				r.Status = s
				if !oneOf(s, statuses) {
					p.warnf(nodePos(v), "unknown status %q (the specification defines %s)", s, strings.Join(statuses, ", "))
				}
			}
		case "description":
			if s, ok := p.str(v, "description"); ok {
				r.Description = s
				if n := utf8.RuneCountInString(s); n > 65535 {
					p.warnf(nodePos(v), "description is %d characters long; the specification allows 65535", n)
				}
			}
		case "license":
			r.License, _ = p.str(v, "license")
		case "author":
			r.Author, _ = p.str(v, "author")
		case "references":
			r.References, _ = p.strList(v, "references", false)
		case "date", "modified":
			if s, ok := p.str(v, key); ok {
				if key == "date" {
					r.Date = s
				} else {
					r.Modified = s
				}
				if !dateRe.MatchString(s) {
					p.warnf(nodePos(v), "%s %q is not a date in the form YYYY-MM-DD", key, s)
				}
			}
		case "logsource":
			r.LogSource = p.logsource(v)
		case "fields":
			r.Fields, _ = p.strList(v, "fields", false)
		case "falsepositives":
			r.FalsePositives, _ = p.strList(v, "falsepositives", true)
		case "level":
			if s, ok := p.str(v, "level"); ok {
				r.Level = s
				if !oneOf(s, levels) {
					p.warnf(nodePos(v), "unknown level %q (the specification defines %s)", s, strings.Join(levels, ", "))
				}
			}
		case "tags":
			var pos []Pos
			r.Tags, pos = p.strList(v, "tags", false)
			p.checkTags(r.Tags, pos)
		case "scope":
			r.Scope, _ = p.strList(v, "scope", false)
		}
	}
	if !hasTitle {
		p.errorf(r.Pos, "missing title")
	}
	if !hasID {
		p.warnf(r.Pos, "missing id (the specification recommends a random UUID v4 for every rule)")
	}
}

// related reads the related attribute.
func (p *parser) related(n *yaml.Node) []Related {
	if n.Kind != yaml.SequenceNode {
		p.errorf(nodePos(n), "related must be a list of maps with id and type, not %s", kindName(n))
		return nil
	}
	var out []Related
	for _, c := range n.Content {
		c = p.resolve(c)
		kvs, ok := p.mapping(c, "related entry")
		if !ok {
			continue
		}
		var rel Related
		var hasID, hasType bool
		for _, kv := range kvs {
			switch kv.Key {
			case "id":
				hasID = true
				rel.ID, _ = p.str(kv.Val, "related id")
			case "type":
				hasType = true
				if s, ok := p.str(kv.Val, "related type"); ok {
					rel.Type = s
					if !oneOf(s, relatedTypes) {
						p.warnf(nodePos(kv.Val), "unknown related type %q (the specification defines %s)", s, strings.Join(relatedTypes, ", "))
					}
				}
			default:
				p.errorf(kv.pos(), "unknown related attribute %q (expected id and type)", kv.Key)
			}
		}
		if !hasID {
			p.errorf(nodePos(c), "related entry has no id")
		}
		if !hasType {
			p.errorf(nodePos(c), "related entry has no type")
		}
		out = append(out, rel)
	}
	return out
}

// logsource reads the logsource attribute.
func (p *parser) logsource(n *yaml.Node) LogSource {
	ls := LogSource{Pos: nodePos(n)}
	kvs, ok := p.mapping(n, "logsource")
	if !ok {
		return ls
	}
	for _, kv := range kvs {
		if isNull(kv.Val) {
			p.warnf(kv.pos(), "logsource %s has no value", kv.Key)
			continue
		}
		s, ok := p.str(kv.Val, "logsource "+kv.Key)
		if !ok {
			continue
		}
		switch kv.Key {
		case "category", "product", "service":
			if !logsourceRe.MatchString(s) {
				p.warnf(nodePos(kv.Val), "logsource %s %q: values are lower-case, with _ for spaces (the specification allows a-z, 0-9, _, . and -)", kv.Key, s)
			}
			switch kv.Key {
			case "category":
				ls.Category = s
			case "product":
				ls.Product = s
			default:
				ls.Service = s
			}
		case "definition":
			ls.Definition = s
		default:
			if ls.Custom == nil {
				ls.Custom = map[string]string{}
			}
			ls.Custom[kv.Key] = s
		}
	}
	if ls.Category == "" && ls.Product == "" && ls.Service == "" {
		p.warnf(ls.Pos, "logsource has none of category, product and service")
	}
	return ls
}
