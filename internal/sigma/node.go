package sigma

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxAliases bounds the YAML alias dereferences followed in one document, so
// that a "billion laughs" document cannot make the walk exponential.
const maxAliases = 10000

// pair is one key/value entry of a YAML map.
type pair struct {
	Key     string
	KeyNode *yaml.Node
	Val     *yaml.Node
}

func nodePos(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// resolve follows alias nodes to the node they name.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		p.aliases++
		if p.aliases > maxAliases {
			if p.aliases == maxAliases+1 {
				p.errorf(nodePos(n), "too many YAML alias references (more than %d)", maxAliases)
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		if n.Alias == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		n = n.Alias
	}
	return n
}

// kindName names a node's YAML type for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "an unexpected YAML node"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// pairs returns the entries of map n in order, reporting duplicate keys and
// keys that are not scalars. The caller has checked that n is a map.
func (p *parser) pairs(n *yaml.Node, what string) []pair {
	out := make([]pair, 0, len(n.Content)/2)
	seen := make(map[string]Pos, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.resolve(n.Content[i]), p.resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(nodePos(k), "%s: key must be a string, not %s", what, kindName(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			p.errorf(nodePos(k), "%s: YAML merge keys (<<) are not supported", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(nodePos(k), "%s: duplicate key %q (first at line %d)", what, k.Value, first.Line)
			continue
		}
		seen[k.Value] = nodePos(k)
		out = append(out, pair{Key: k.Value, KeyNode: k, Val: v})
	}
	return out
}

// mapping returns the entries of n, or reports that n is not a map.
func (p *parser) mapping(n *yaml.Node, what string) ([]pair, bool) {
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "%s must be a map, not %s", what, kindName(n))
		return nil, false
	}
	return p.pairs(n, what), true
}

// scalarText returns the text of a string, number, boolean or date scalar.
func scalarText(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", false
	}
	return n.Value, true
}

// str returns the text of scalar n, reporting any other node. Numbers,
// booleans and dates are accepted as their text as written.
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	s, ok := scalarText(n)
	if !ok {
		p.errorf(nodePos(n), "%s must be a string, not %s", what, kindName(n))
	}
	return s, ok
}

// strList returns the strings of list n; a single string is accepted as a
// one-element list when single is set.
func (p *parser) strList(n *yaml.Node, what string, single bool) ([]string, []Pos) {
	if n.Kind == yaml.ScalarNode && single && !isNull(n) {
		return []string{n.Value}, []Pos{nodePos(n)}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(nodePos(n), "%s must be a list of strings, not %s", what, kindName(n))
		return nil, nil
	}
	out := make([]string, 0, len(n.Content))
	pos := make([]Pos, 0, len(n.Content))
	for _, c := range n.Content {
		c = p.resolve(c)
		s, ok := scalarText(c)
		if !ok {
			p.errorf(nodePos(c), "%s: entries must be strings, not %s", what, kindName(c))
			continue
		}
		out = append(out, s)
		pos = append(pos, nodePos(c))
	}
	return out, pos
}

// boolean returns the value of a YAML boolean scalar.
func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b, true
		}
	}
	p.errorf(nodePos(n), "%s must be true or false, not %s", what, kindName(n))
	return false, false
}

// number parses the text of a YAML int or float scalar.
func number(n *yaml.Node) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		return 0, false
	}
	tag := n.ShortTag()
	if tag != "!!int" && tag != "!!float" {
		return 0, false
	}
	s := strings.ReplaceAll(n.Value, "_", "")
	if tag == "!!int" {
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(i), true
		}
		if u, err := strconv.ParseUint(s, 0, 64); err == nil {
			return float64(u), true
		}
	}
	switch strings.ToLower(s) {
	case ".inf", "+.inf", "-.inf", ".nan":
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}
