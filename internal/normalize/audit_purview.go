package normalize

// Records that carry a UAL record as JSON text in an "AuditData" member:
// rows of the Microsoft Purview audit search CSV export
// (RecordId,CreationDate,RecordType,Operation,UserId,AuditData,…) and of
// Search-UnifiedAuditLog output saved as CSV or JSON. The inner record is
// normalised by whichever shape recognises it (the Entra UAL shapes, or the
// generic UAL one), so this unwrapping runs first, for every kind.

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

func init() {
	register(shape{
		format:    formatPurview,
		kind:      event.KindM365Audit,
		priority:  5,
		detect:    isPurviewRow,
		normalize: normalizePurviewRow,
	})
}

func isPurviewRow(v *fastjson.Value, _ ingest.Container) bool {
	return stringBytes(v.Get("AuditData")) != nil
}

var (
	errEmptyAuditData  = errors.New("empty AuditData")
	errNestedAuditData = errors.New("AuditData holds another AuditData wrapper")
)

// normalizePurviewRow parses AuditData and normalises the record inside,
// keeping the row's raw bytes and origin. The event's format is "purview".
func normalizePurviewRow(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	text := bytes.TrimSpace(stringBytes(v.Get("AuditData")))
	if len(text) == 0 {
		return errEmptyAuditData
	}
	inner, err := n.embedded(text)
	if err != nil {
		return fmt.Errorf("AuditData: %w", err)
	}
	if isPurviewRow(inner, ingest.ContainerNone) {
		return errNestedAuditData
	}
	rec := ingest.Record{Data: ev.Raw, Origin: ev.Origin, Container: ingest.ContainerNone}
	got, err := n.NormalizeValue(inner, rec)
	if err != nil {
		return fmt.Errorf("AuditData: %w", err)
	}
	*ev = *got
	ev.Format = formatPurview
	return nil
}
