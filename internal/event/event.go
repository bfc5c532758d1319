// Package event defines the canonical event that every log record is
// normalised into, the log kinds idsentry reads, and field paths into a
// canonical document.
//
// An Event borrows its document and raw bytes from the worker that produced it:
// they are valid until that worker reads its next record. Code that keeps an
// event past that point (evidence on an alert, say) copies what it needs with
// Event.Clone or Event.CanonicalJSON.
package event

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Kind is a log kind: one canonical shape, whatever export format a record of
// that kind arrived in.
type Kind uint8

// The log kinds. Their string forms are stable: they appear in rule files,
// reports and JSON output.
const (
	KindUnknown       Kind = iota
	KindEntraSignIn        // Graph signIn resource (all four sign-in categories)
	KindEntraAudit         // Graph directoryAudit resource
	KindM365Audit          // O365 Management Activity API common schema
	KindKeyVault           // Azure Monitor resource log, Key Vault AuditEvent
	KindAzureActivity      // Azure Monitor activity log
	KindCloudTrail         // AWS CloudTrail record
	KindK8sAudit           // Kubernetes audit.k8s.io/v1 Event
	KindAppInventory       // Graph application / servicePrincipal object
	numKinds
)

var kindNames = [...]string{
	KindUnknown:       "unknown",
	KindEntraSignIn:   "entra_signin",
	KindEntraAudit:    "entra_audit",
	KindM365Audit:     "m365_audit",
	KindKeyVault:      "azure_keyvault",
	KindAzureActivity: "azure_activity",
	KindCloudTrail:    "aws_cloudtrail",
	KindK8sAudit:      "k8s_audit",
	KindAppInventory:  "app_inventory",
}

// NumKinds is the number of kinds, KindUnknown included; kinds index arrays
// of that length.
const NumKinds = int(numKinds)

// String returns the stable name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind returns the kind with the given stable name.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if strings.EqualFold(n, s) && i != int(KindUnknown) {
			return Kind(i), true
		}
	}
	return KindUnknown, false
}

// Kinds returns every known kind except KindUnknown, in declaration order.
func Kinds() []Kind {
	ks := make([]Kind, 0, NumKinds-1)
	for k := Kind(1); k < numKinds; k++ {
		ks = append(ks, k)
	}
	return ks
}

// Origin says where a record came from. Line is 1-based and set for
// line-oriented inputs (NDJSON, CSV, pretty-printed JSON: the line the record
// starts on); Index is the 0-based position of the record in its file or
// container; Offset is the byte offset of the record's first byte in the
// decoded stream.
type Origin struct {
	File   string
	Line   int
	Index  int
	Offset int64
}

// String formats the origin as file:line, or file#index when no line is known.
func (o Origin) String() string {
	if o.Line > 0 {
		return o.File + ":" + strconv.Itoa(o.Line)
	}
	return o.File + "#" + strconv.Itoa(o.Index)
}

// Event is one normalised record.
type Event struct {
	// Kind is the log kind; Doc has that kind's canonical shape.
	Kind Kind
	// Format names the export shape the record arrived in, e.g. "graph",
	// "azure-monitor", "log-analytics", "ual", "cloudtrail", "k8s".
	Format string
	// Subtype refines the kind where the source says so: the sign-in
	// category ("interactiveUser", "nonInteractiveUser", "servicePrincipal",
	// "managedIdentity"), the UAL workload, and so on. May be empty.
	Subtype string
	// Time is the event time in UTC; zero when the record carries none.
	Time time.Time
	// ID is the record's own identifier (sign-in id, audit id, UAL Id,
	// CloudTrail eventID, k8s auditID), used to drop duplicates across
	// overlapping exports. Empty when the record has none.
	ID string
	// Doc is the canonical document. Borrowed: see the package comment.
	Doc *fastjson.Value
	// Raw is the record's original bytes. Borrowed: see the package comment.
	Raw []byte
	// Origin is where the record came from.
	Origin Origin
	// Container is the ingest container the record was read from
	// (ingest.Container): with Raw, what normalising the record again
	// needs (Spill.SetRender).
	Container uint8
	// InFile says Raw can be read again at Origin.Offset of Origin.File
	// (ingest.Record.Verbatim).
	InFile bool
}

// Path is a canonical field path, split at dots: "status.errorCode" is
// Path{"status", "errorCode"}.
type Path []string

// ParsePath splits a dotted field name into a Path.
func ParsePath(s string) Path { return Path(strings.Split(s, ".")) }

// String joins the path with dots.
func (p Path) String() string { return strings.Join(p, ".") }

// Each calls fn for every value at path p in the document, descending into
// arrays at any level: a path through an array of objects yields the field
// of every element, and a path that ends on an array yields each element.
// It calls nothing when the path does not exist. It returns early when fn
// returns false, and reports whether it ran to completion.
func Each(v *fastjson.Value, p Path, fn func(*fastjson.Value) bool) bool {
	for i := 0; i < len(p); i++ {
		if v == nil {
			return true
		}
		switch v.Type() {
		case fastjson.TypeObject:
			next := v.Get(p[i])
			if next == nil && i+1 < len(p) {
				// Keys may contain dots ("ConsentContext.IsAdminConsent"):
				// on a miss, try the key joined with the segments after it.
				key := p[i]
				for j := i + 1; j < len(p) && next == nil; j++ {
					key += "." + p[j]
					if next = v.Get(key); next != nil {
						i = j
					}
				}
			}
			v = next
		case fastjson.TypeArray:
			arr, _ := v.Array()
			for _, el := range arr {
				if !Each(el, p[i:], fn) {
					return false
				}
			}
			return true
		default:
			return true
		}
	}
	if v == nil {
		return true
	}
	if v.Type() == fastjson.TypeArray {
		arr, _ := v.Array()
		for _, el := range arr {
			if !fn(el) {
				return false
			}
		}
		return true
	}
	return fn(v)
}

// Lookup returns the first value at path p, or nil.
func Lookup(v *fastjson.Value, p Path) *fastjson.Value {
	var found *fastjson.Value
	Each(v, p, func(x *fastjson.Value) bool { found = x; return false })
	return found
}

// String returns the first value at p as a string: strings as they are,
// numbers and booleans in their JSON text, null and missing as "".
func (e *Event) String(p Path) string {
	return Text(Lookup(e.Doc, p))
}

// Text renders a scalar value as text: strings unquoted, numbers and
// booleans in their JSON form, null and nil as "". Objects and arrays are
// rendered as compact JSON.
func Text(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	case fastjson.TypeNull:
		return ""
	default:
		return string(AppendJSON(nil, v))
	}
}

// TextBytes is Text without a copy: a string's bytes in the document (only
// read), another value's JSON appended to buf; nil for null and nil.
func TextBytes(v *fastjson.Value, buf []byte) []byte {
	switch {
	case v == nil || v.Type() == fastjson.TypeNull:
		return nil
	case v.Type() == fastjson.TypeString:
		return v.GetStringBytes()
	}
	return AppendJSON(buf, v)
}

// CanonicalJSON returns a copy of the canonical document as compact JSON.
func (e *Event) CanonicalJSON() []byte {
	if e.Doc == nil {
		return nil
	}
	return AppendJSON(make([]byte, 0, len(e.Raw)+len(e.Raw)/4+64), e.Doc)
}

// Stored is an owned copy of an event, safe to keep after the worker moves
// on: evidence on alerts, golden files, the timeline.
type Stored struct {
	Kind    Kind      `json:"kind"`
	Format  string    `json:"format"`
	Subtype string    `json:"subtype,omitempty"`
	Time    time.Time `json:"time"`
	ID      string    `json:"id,omitempty"`
	Origin  string    `json:"origin"`
	// Event is the canonical document as compact JSON, when it is held
	// in memory (nil when spilled: read it with JSON; a spilled Stored
	// marshals with "event": null).
	Event  jsonRaw `json:"event"`
	origin Origin
	spill  *Spill // where the JSON is, when Event is nil
	off    int64
	n      int
	// raw: the spill holds the original record (read from container),
	// which the spill's render turns into the JSON.
	raw       bool
	container uint8
	// inFile: the record is not in the spill but at off of the input
	// file origin.File, with checksum sum.
	inFile bool
	sum    uint32
}

// JSON returns the canonical document as compact JSON (nil when there is
// none, or its spill file is closed or unreadable).
func (s *Stored) JSON() []byte {
	if s.Event != nil || s.spill == nil {
		return s.Event
	}
	b, err := s.read()
	if err != nil {
		return nil
	}
	if s.raw {
		if s.spill.render == nil {
			return nil
		}
		if b, err = s.spill.render(b, s.container, s.origin); err != nil {
			return nil
		}
	}
	return b
}

// Reread returns the event s was read as, made again from the record as
// read (Spill.SetReparse), and a function to call once done with it; nil
// when s holds no such record or its spill cannot make events.
func (s *Stored) Reread() (*Event, func(), error) {
	if s.Event != nil || s.spill == nil || !s.raw || s.spill.reparse == nil {
		return nil, nil, nil
	}
	b, err := s.read()
	if err != nil {
		return nil, nil, err
	}
	return s.spill.reparse(b, s.container, s.origin)
}

// read returns the bytes s keeps in its spill or input file.
func (s *Stored) read() ([]byte, error) {
	if s.inFile {
		return s.spill.readInput(s.origin.File, s.off, s.n, s.sum)
	}
	return s.spill.read(s.off, s.n)
}

// jsonRaw is raw JSON that marshals as itself.
type jsonRaw []byte

// MarshalJSON returns the raw bytes, or null when empty.
func (r jsonRaw) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// Clone returns an owned copy of the event.
func (e *Event) Clone() *Stored {
	return &Stored{
		Kind:    e.Kind,
		Format:  e.Format,
		Subtype: e.Subtype,
		Time:    e.Time,
		ID:      e.ID,
		Origin:  e.Origin.String(),
		Event:   jsonRaw(e.CanonicalJSON()),
		origin:  e.Origin,
	}
}

// Where returns the stored origin.
func (s *Stored) Where() Origin { return s.origin }

// MarshalText lets kinds serve as JSON map keys and values.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses a kind name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, ok := ParseKind(string(b))
	if !ok {
		return fmt.Errorf("unknown log kind %q", b)
	}
	*k = v
	return nil
}
