// Package normalize turns records of every supported export format into the
// canonical event of their log kind, and owns the field-alias tables that map
// the field names public rules use onto canonical paths.
//
// Each export shape registers itself (see register) from the file that
// implements it; Normalize tries the shapes in priority order and uses the
// first whose detector accepts the record.
package normalize

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// ErrUnrecognised is returned (wrapped) for a JSON record that matches no
// known shape.
var ErrUnrecognised = errors.New("record matches no known log shape")

// shape is one export format of one log kind.
type shape struct {
	// format is the export format's stable name ("graph", "azure-monitor",
	// "log-analytics", "ual", …), copied to event.Format.
	format string
	// kind is the log kind the shape produces (informational: normalize
	// sets ev.Kind itself, and a shape may produce more than one kind).
	kind event.Kind
	// priority orders detection: lower runs first.
	priority int
	// detect reports whether the parsed record has this shape.
	detect func(v *fastjson.Value, c ingest.Container) bool
	// normalize fills ev (Kind, Subtype, Time, ID, Doc) from v. It may use
	// n's arena and sub-parsers. A returned error marks the record bad.
	normalize func(n *Normalizer, v *fastjson.Value, ev *event.Event) error
}

var (
	shapesMu sync.Mutex
	shapes   []shape
)

// register adds an export shape. It is called from init functions.
func register(s shape) {
	shapesMu.Lock()
	defer shapesMu.Unlock()
	shapes = append(shapes, s)
	sort.SliceStable(shapes, func(i, j int) bool { return shapes[i].priority < shapes[j].priority })
}

// Normalizer normalises records. It is not safe for concurrent use: each
// worker owns one. The events it returns borrow its memory until the next
// call to Normalize.
type Normalizer struct {
	parser fastjson.Parser
	// Arena builds canonical documents; reset on every record.
	Arena fastjson.Arena
	// sub holds parsers for JSON embedded in strings (Log Analytics dynamic
	// columns, Purview AuditData, JSON-quoted modifiedProperties); nsub of
	// them are in use for the current record.
	sub  []*fastjson.Parser
	nsub int
	ev   event.Event
}

// New returns a Normalizer.
func New() *Normalizer { return &Normalizer{} }

// ParseEmbedded parses JSON held inside a string of the current record. The
// value stays valid until the next call to Normalize.
func (n *Normalizer) ParseEmbedded(b []byte) (*fastjson.Value, error) {
	if n.nsub == len(n.sub) {
		n.sub = append(n.sub, new(fastjson.Parser))
	}
	p := n.sub[n.nsub]
	n.nsub++
	return p.ParseBytes(b)
}

// Normalize parses rec and returns its canonical event, borrowed until the
// next call. Errors are plain (no position): the caller adds the origin.
func (n *Normalizer) Normalize(rec ingest.Record) (*event.Event, error) {
	n.Arena.Reset()
	n.nsub = 0
	v, err := n.parser.ParseBytes(rec.Data)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return n.NormalizeValue(v, rec)
}

// NormalizeValue normalises an already parsed record (the arena and
// sub-parsers are not reset: Normalize does that).
func (n *Normalizer) NormalizeValue(v *fastjson.Value, rec ingest.Record) (*event.Event, error) {
	if v.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("record is a JSON %s, not an object", v.Type())
	}
	for i := range shapes {
		s := &shapes[i]
		if !s.detect(v, rec.Container) {
			continue
		}
		n.ev = event.Event{Format: s.format, Kind: s.kind, Raw: rec.Data, Origin: rec.Origin}
		if err := s.normalize(n, v, &n.ev); err != nil {
			return nil, fmt.Errorf("%s record: %w", s.format, err)
		}
		// Set after normalize: a wrapper shape (Purview, Splunk, …)
		// normalises its inner record through NormalizeValue, which
		// replaces n.ev; what reading the record again needs is the
		// outer record's.
		n.ev.Container, n.ev.InFile = uint8(rec.Container), rec.Verbatim
		if n.ev.Doc == nil {
			n.ev.Doc = v
		}
		return &n.ev, nil
	}
	return nil, fmt.Errorf("%w (keys: %s)", ErrUnrecognised, describeKeys(v))
}

// Render returns the canonical JSON of a record read from container c: the
// renderer of an event.Spill (SetRender) that stores records as they were
// read. Safe for concurrent use.
func Render(raw []byte, c uint8, origin event.Origin) ([]byte, error) {
	ev, done, err := Reparse(raw, c, origin)
	if err != nil {
		return nil, err
	}
	defer done()
	return event.AppendJSON(nil, ev.Doc), nil
}

// Reparse is Render's event: the record read from container c made again
// into the event the scan matched (the reparser of an event.Spill,
// SetReparse); done gives the normalizer back. Safe for concurrent use.
func Reparse(raw []byte, c uint8, origin event.Origin) (ev *event.Event, done func(), err error) {
	n := renderers.Get().(*Normalizer)
	ev, err = n.Normalize(ingest.Record{Data: raw, Container: ingest.Container(c), Origin: origin})
	if err != nil {
		renderers.Put(n)
		return nil, nil, err
	}
	return ev, func() { renderers.Put(n) }, nil
}

var renderers = sync.Pool{New: func() any { return New() }}

// describeKeys lists the first few top-level keys of an object, for error
// messages that say what an unrecognised record looked like.
func describeKeys(v *fastjson.Value) string {
	o, err := v.Object()
	if err != nil {
		return v.Type().String()
	}
	var keys []string
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if len(keys) < 8 {
			keys = append(keys, string(k))
		}
	})
	if o.Len() > len(keys) {
		keys = append(keys, "…")
	}
	return fmt.Sprint(keys)
}

// Formats lists the registered export formats, for documentation and
// --format validation.
func Formats() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range shapes {
		if !seen[s.format] {
			seen[s.format] = true
			out = append(out, s.format)
		}
	}
	return out
}
