package alert

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// OptionMinIPPriority is the reserved option that hides alerts whose IP
// entities all have an investigation priority at or below it (seed 002's
// riskScoreCutoff). 0, the default, ranks without hiding.
const OptionMinIPPriority = "min-ip-priority"

// optionValue converts a YAML option value: an integer, number, boolean or
// string scalar, or a sequence of scalars ([]string).
func optionValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarOption(n)
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("list option items must be scalars")
			}
			out = append(out, c.Value)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("option must be a scalar or a list of scalars")
	}
}

func scalarOption(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!int":
		v, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer %q", n.Value)
		}
		return int(v), nil
	case "!!float":
		v, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", n.Value)
		}
		return v, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("bad boolean %q", n.Value)
		}
		return b, nil
	case "!!null":
		return "", nil
	default:
		return n.Value, nil
	}
}

// parseOptionLike parses s to the type of old.
func parseOptionLike(old any, s string) (any, error) {
	s = strings.TrimSpace(s)
	switch old.(type) {
	case int:
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %q", s)
		}
		return v, nil
	case float64:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", s)
		}
		return v, nil
	case bool:
		v, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("want true or false, got %q", s)
		}
		return v, nil
	case []string:
		return splitList(s), nil
	default:
		return s, nil
	}
}

// splitList splits a comma-separated list, trimming items and dropping
// empty ones.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// optionText renders an option value for a template.
func optionText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// optionInt returns an integer option (floats truncated), or 0.
func optionInt(opts map[string]any, name string) int {
	switch v := opts[name].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}
