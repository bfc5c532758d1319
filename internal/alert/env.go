package alert

import (
	"errors"
	"fmt"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

// Env is the environment of `tiers[].when` and `having` expressions
// (github.com/expr-lang/expr), evaluated once per finished alert. Names in
// expressions are the expr tags.
type Env struct {
	// Count is the number of matched events.
	Count int `expr:"count"`
	// Distinct maps an output field to its number of distinct values
	// (uncapped; values compared case-insensitively).
	Distinct map[string]int `expr:"distinct"`
	// Values maps an output field to its distinct values (capped).
	Values map[string][]string `expr:"values"`
	// Group maps each group-by field to the alert key's value.
	Group map[string]string `expr:"group"`
	// FirstSeen and LastSeen are the times of the first and last match.
	FirstSeen time.Time `expr:"first_seen"`
	LastSeen  time.Time `expr:"last_seen"`
	// Duration is LastSeen - FirstSeen in seconds.
	Duration float64 `expr:"duration"`
	// Level is the rule's own level name.
	Level string `expr:"level"`
	// Options are the rule's options after tuning.
	Options map[string]any `expr:"options"`
	// OutsideHours reports whether the first match fell outside business
	// hours.
	OutsideHours bool `expr:"outside_hours"`
	// IPPriority is the highest investigation priority (0–100) of the
	// alert's IP entities; 0 without IP statistics.
	IPPriority int `expr:"ip_priority"`
	// Roles, Groups and Tags gather the directory roles, groups and tags of
	// the alert's account entities from the identity snapshot.
	Roles  []string `expr:"roles"`
	Groups []string `expr:"groups"`
	Tags   []string `expr:"tags"`
}

// compileExpr compiles a boolean expression over Env and returns the
// fields it reads through distinct["F"], values["F"] (or distinct.F).
func compileExpr(src string) (*compiled, []string, *file.Error, error) {
	prog, err := expr.Compile(src, expr.Env(Env{}), expr.AsBool())
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, nil, fe, err
		}
		return nil, nil, nil, err
	}
	c := &fieldCollector{}
	node := prog.Node()
	ast.Walk(&node, c)
	cp := &compiled{src: src, prog: prog, context: c.context, fields: c.fields}
	// distinct and values read other than with constant keys: any field.
	cp.dynamic = c.mapUses != len(c.fields)
	return cp, c.fields, nil, nil
}

// fieldCollector gathers constant keys of distinct[...] and values[...],
// and whether the expression reads the enrichment.
type fieldCollector struct {
	fields  []string
	context bool
	mapUses int // every use of the distinct and values maps
}

// Visit implements ast.Visitor.
func (c *fieldCollector) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		switch id.Value {
		case "ip_priority", "roles", "groups", "tags":
			c.context = true
		case "distinct", "values":
			c.mapUses++
		}
	}
	m, ok := (*n).(*ast.MemberNode)
	if !ok {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok || (id.Value != "distinct" && id.Value != "values") {
		return
	}
	if s, ok := m.Property.(*ast.StringNode); ok {
		c.fields = append(c.fields, s.Value)
	}
}

// eval runs a compiled boolean expression.
func (c *compiled) eval(env *Env) (bool, error) {
	out, err := expr.Run(c.prog, env)
	if err != nil {
		return false, fmt.Errorf("evaluate %q: %w", c.src, err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("evaluate %q: result is %T, not bool", c.src, out)
	}
	return b, nil
}
