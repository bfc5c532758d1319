package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parser holds the state of parsing one file.
type parser struct {
	reporter
	src     []byte
	starts  []int // line start offsets, computed on first use
	aliases int   // alias dereferences in the current document
}

// Parse parses the YAML documents of one rule file (documents separated by
// "---") into one Rule per document and validates them. It returns every
// problem found, errors and warnings, ordered by position; a document with
// errors is still returned, with Invalid set. Legacy Sigma v1 collections
// ("action: global", "reset", "repeat") are expanded into the rules they
// stand for. References between documents are checked by Link.
func Parse(file string, data []byte) ([]*Rule, []*Error) {
	p := &parser{reporter: reporter{file: file}, src: data}
	var rules []*Rule
	for _, d := range p.collections(p.decode()) {
		p.aliases = 0
		p.rule = ""
		before := len(p.errs)
		r := p.document(d.node, d.index)
		if r == nil {
			continue
		}
		for _, e := range p.errs[before:] {
			if !e.Warning {
				r.Invalid = true
				break
			}
		}
		rules = append(rules, r)
	}
	return rules, dedupe(p.errs)
}

// dedupe sorts errs and drops repeats of the same message at the same
// position (a problem in a legacy global document is found once for every
// rule it applies to).
func dedupe(errs []*Error) []*Error {
	SortErrors(errs)
	out := errs[:0]
	type key struct {
		line, col int
		msg       string
	}
	seen := make(map[key]bool, len(errs))
	for _, e := range errs {
		k := key{e.Line, e.Col, e.Msg}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// yamlLine extracts the line number from a yaml.v3 error message.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// decode splits the file into its YAML documents. Parsing stops at the
// first syntax error, which is reported with its line.
func (p *parser) decode() []*yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(p.src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := decodeOne(dec, &n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			msg := err.Error()
			line := 1
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = msg[len(m[0]):]
			} else {
				msg = strings.TrimPrefix(msg, "yaml: ")
			}
			p.errorf(Pos{Line: line, Col: 1}, "YAML syntax error: %s", msg)
			return docs
		}
		docs = append(docs, &n)
	}
}

// decodeOne decodes the next document, turning a panic of the YAML library
// on hostile input into an error.
func decodeOne(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// doc is one YAML document to read as a rule.
type doc struct {
	node  *yaml.Node
	index int
}

// legacyActions are the collection actions of Sigma v1.
var legacyActions = map[string]bool{"global": true, "reset": true, "repeat": true}

// collections expands legacy Sigma v1 collections: a document with
// "action: global" is merged into every later document (maps merged
// recursively, later values winning) until "action: reset"; a document with
// "action: repeat" is the previous rule with the document's attributes
// replacing its own. Documents without an action are returned as they are.
func (p *parser) collections(nodes []*yaml.Node) []doc {
	var out []doc
	var global, prev *yaml.Node
	warned := false
	for i, n := range nodes {
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			n = n.Content[0]
		}
		if isNull(n) {
			continue // an empty document, e.g. after a trailing "---"
		}
		action, at := actionOf(n)
		if action != "" && !warned {
			warned = true
			p.warnf(at, "legacy Sigma v1 collection (action: %s): Sigma v2 uses one rule per document and correlation rules", action)
		}
		switch action {
		case "global":
			global = mergeNodes(global, withoutKey(n, "action"))
			continue
		case "reset":
			global = nil
			continue
		case "repeat":
			if prev == nil {
				p.errorf(at, "action: repeat needs a preceding rule in the file")
				continue
			}
			n = updateNode(prev, withoutKey(n, "action"))
		}
		prev = n
		if global != nil && n.Kind == yaml.MappingNode {
			n = mergeNodes(global, n)
		}
		out = append(out, doc{node: n, index: i})
	}
	return out
}

// actionOf returns the legacy collection action of document n, if any.
func actionOf(n *yaml.Node) (string, Pos) {
	if n.Kind != yaml.MappingNode {
		return "", Pos{}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "action" && v.Kind == yaml.ScalarNode && legacyActions[v.Value] {
			return v.Value, nodePos(k)
		}
	}
	return "", Pos{}
}

// withoutKey returns map n without entry key.
func withoutKey(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return n
	}
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			continue
		}
		c.Content = append(c.Content, n.Content[i], n.Content[i+1])
	}
	return &c
}

// mergeNodes merges map src into a copy of map dst, recursively for values
// that are maps in both; src wins otherwise. The inputs are not modified.
func mergeNodes(dst, src *yaml.Node) *yaml.Node {
	if dst == nil || dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return src
	}
	out := *dst
	out.Content = append([]*yaml.Node(nil), dst.Content...)
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		j := indexKey(&out, k)
		if j < 0 {
			out.Content = append(out.Content, k, v)
			continue
		}
		out.Content[j+1] = mergeNodes(out.Content[j+1], v)
	}
	return &out
}

// updateNode replaces the top-level entries of a copy of map dst by those of
// map src (Python's dict.update, as Sigma v1's "repeat" did).
func updateNode(dst, src *yaml.Node) *yaml.Node {
	if dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return src
	}
	out := *dst
	out.Content = append([]*yaml.Node(nil), dst.Content...)
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		if j := indexKey(&out, k); j >= 0 {
			out.Content[j+1] = v
		} else {
			out.Content = append(out.Content, k, v)
		}
	}
	return &out
}

func indexKey(m *yaml.Node, k *yaml.Node) int {
	if k.Kind != yaml.ScalarNode {
		return -1
	}
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Kind == yaml.ScalarNode && m.Content[j].Value == k.Value {
			return j
		}
	}
	return -1
}

// document reads one YAML document as a rule.
func (p *parser) document(n *yaml.Node, index int) *Rule {
	n = p.resolve(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "a Sigma document must be a map, not %s", kindName(n))
		return nil
	}
	pairs := p.pairs(n, "document")
	r := &Rule{
		File: p.file, Pos: nodePos(n), Index: index,
		Custom: map[string]*yaml.Node{}, Positions: make(map[string]Pos, len(pairs)),
	}
	top := make(map[string]pair, len(pairs))
	for _, kv := range pairs {
		r.Positions[kv.Key] = nodePos(kv.KeyNode)
		top[kv.Key] = kv
	}
	if id, ok := scalarText(top["id"].valOrNil()); ok && id != "" {
		p.rule = id
	} else if t, ok := scalarText(top["title"].valOrNil()); ok {
		p.rule = t
	}
	var kinds []string
	for _, k := range []string{DocDetection, DocCorrelation, DocFilter} {
		if _, ok := top[k]; ok {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		p.errorf(r.Pos, "document has none of detection, correlation or filter: it is not a Sigma rule")
	case 1:
		r.Doc = kinds[0]
	default:
		p.errorf(top[kinds[1]].pos(), "document has both %s and %s: a document is one detection rule, correlation rule or filter", kinds[0], kinds[1])
		r.Doc = kinds[0]
	}
	p.meta(r, pairs)
	switch r.Doc {
	case DocDetection:
		if _, ok := top["logsource"]; !ok {
			p.errorf(r.Pos, "missing logsource")
		}
		r.Detection = p.detection(top[DocDetection])
	case DocCorrelation:
		r.Correlation = p.correlation(top[DocCorrelation], top)
	case DocFilter:
		if _, ok := top["logsource"]; !ok {
			p.errorf(r.Pos, "missing logsource")
		}
		for _, k := range []string{"level", "status"} {
			if kv, ok := top[k]; ok {
				p.warnf(kv.pos(), "a filter has no %s: it only tunes the rules it names", k)
			}
		}
		r.Filter = p.filter(top[DocFilter])
	}
	return r
}

func (kv pair) valOrNil() *yaml.Node {
	if kv.Val == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return kv.Val
}

func (kv pair) pos() Pos { return nodePos(kv.KeyNode) }
