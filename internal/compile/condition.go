package compile

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
	"github.com/idsentry/idsentry/internal/sigma"
)

// builder compiles the detection of one rule (or filter) for one log kind.
type builder struct {
	c        *compiler
	kind     event.Kind
	kt       *kindTable
	searches []*sigma.Search
	cache    map[string]node
	unknown  []unknownField
}

// unknownField is a field name the kind's tables do not know.
type unknownField struct {
	name string
	pos  sigma.Pos
}

func newBuilder(c *compiler, kt *kindTable, searches []*sigma.Search) *builder {
	return &builder{c: c, kind: kt.kind, kt: kt, searches: searches, cache: map[string]node{}}
}

// common reports literals too common for the prefilter in this kind.
func (b *builder) common(lit string) bool { return b.kt.common(lit) }

// resolve maps a rule field name onto a slot of the kind.
func (b *builder) resolve(field string, pos sigma.Pos) (idx int, canonical string, verbatim bool) {
	p, known := normalize.Resolve(b.kind, field)
	if !known {
		b.unknown = append(b.unknown, unknownField{name: field, pos: pos})
	}
	canonical = p.String()
	return b.kt.slotFor(p), canonical, normalize.Verbatim(b.kind, canonical)
}

func (b *builder) search(name string) *sigma.Search {
	for _, s := range b.searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// searchNode compiles a search identifier (cached: a condition may name it
// more than once).
func (b *builder) searchNode(s *sigma.Search) (node, error) {
	if n, ok := b.cache[s.Name]; ok {
		return n, nil
	}
	var n node
	switch {
	case len(s.Keywords) > 0:
		spec, err := parseModifiers(s.KeywordModifiers, s.Pos)
		if err != nil {
			return node{}, err
		}
		if n, err = b.keywordNode(s.Keywords, spec, s.Pos); err != nil {
			return node{}, err
		}
	case len(s.Maps) > 0:
		ors := make([]node, 0, len(s.Maps))
		for i := range s.Maps {
			fm := &s.Maps[i]
			ands := make([]node, 0, len(fm.Matchers))
			for _, m := range fm.Matchers {
				fn, err := b.fieldNode(m)
				if err != nil {
					return node{}, err
				}
				ands = append(ands, fn)
			}
			if len(ands) == 0 {
				return node{}, errAt(fm.Pos, ReasonInvalid, "search %q has an empty map", s.Name)
			}
			ors = append(ors, andNode(ands))
		}
		n = orNode(ors)
	default:
		return node{}, errAt(s.Pos, ReasonInvalid, "search %q is empty", s.Name)
	}
	b.cache[s.Name] = n
	return n, nil
}

// exprNode compiles a condition expression.
func (b *builder) exprNode(e sigma.Expr, at sigma.Pos) (node, error) {
	switch x := e.(type) {
	case *sigma.And:
		l, err := b.exprNode(x.Left, at)
		if err != nil {
			return node{}, err
		}
		r, err := b.exprNode(x.Right, at)
		if err != nil {
			return node{}, err
		}
		return andNode([]node{l, r}), nil
	case *sigma.Or:
		l, err := b.exprNode(x.Left, at)
		if err != nil {
			return node{}, err
		}
		r, err := b.exprNode(x.Right, at)
		if err != nil {
			return node{}, err
		}
		return orNode([]node{l, r}), nil
	case *sigma.Not:
		n, err := b.exprNode(x.X, at)
		if err != nil {
			return node{}, err
		}
		return notNode(n), nil
	case *sigma.Ident:
		s := b.search(x.Name)
		if s == nil {
			return node{}, errAt(posOr(x.Pos, at), ReasonInvalid, "condition names %q, which is not a search identifier", x.Name)
		}
		return b.searchNode(s)
	case *sigma.Of:
		var ns []node
		for _, s := range b.searches {
			if !sigma.MatchPattern(x.Pattern, s.Name) {
				continue
			}
			n, err := b.searchNode(s)
			if err != nil {
				return node{}, err
			}
			ns = append(ns, n)
		}
		if len(ns) == 0 {
			return node{}, errAt(posOr(x.Pos, at), ReasonInvalid, "%q matches no search identifier", x.Pattern)
		}
		if x.All {
			return andNode(ns), nil
		}
		return orNode(ns), nil
	case nil:
		return node{}, errAt(at, ReasonInvalid, "empty condition")
	}
	return node{}, errAt(at, ReasonInvalid, "unsupported condition expression %T", e)
}

func posOr(p, q sigma.Pos) sigma.Pos {
	if p.Line > 0 {
		return p
	}
	return q
}

// conditionNode compiles a detection's condition list (an OR of them). A
// legacy aggregation part is handled by the caller.
func (b *builder) conditionNode(conds []*sigma.Condition, at sigma.Pos) (node, error) {
	if len(conds) == 0 {
		return node{}, errAt(at, ReasonInvalid, "detection has no condition")
	}
	ns := make([]node, 0, len(conds))
	for _, c := range conds {
		n, err := b.exprNode(c.Expr, posOr(c.Pos, at))
		if err != nil {
			return node{}, err
		}
		ns = append(ns, n)
	}
	return orNode(ns), nil
}
