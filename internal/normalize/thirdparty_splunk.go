package normalize

// Splunk search exports of the Microsoft add-ons' events (sourcetypes
// azure:monitor:aad, o365:management:activity, o365:graph:api, …), where
// the original record is the JSON text of the _raw field:
//
//   - the export endpoint and the JSON download, one result per line:
//     {"preview":false,"offset":0,"result":{"_time":"…","_raw":"{…}",
//     "host":"…","source":"…","sourcetype":"…","index":"…"}}, ending with
//     a {"preview":false,"lastrow":true} line that has no result (Splunk
//     REST API reference, search/jobs/export; Splunk SDK result readers);
//   - CSV and JSON results whose rows carry _raw beside _time, sourcetype,
//     host, source and the fields Splunk extracted.
//
// The record inside _raw is normalised by whichever shape recognises it;
// the event keeps the whole row as its raw bytes and "splunk" as its
// format.
//
// Priority 3, before every other shape: a results row carries the fields
// Splunk extracted beside _raw (category, operationName,
// properties.status.errorCode, …), which could make another shape claim a
// row it can only read part of; _raw is the whole record. The detector is
// strict: _raw must be text beside Splunk's own _time, sourcetype or
// bookkeeping fields, or inside an export row's result.

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
		format:    formatSplunk,
		kind:      event.KindUnknown,
		priority:  3,
		detect:    isSplunkRow,
		normalize: normalizeSplunkRow,
	})
}

// splunkFields are fields Splunk adds to every event it returns.
var splunkFields = [...]string{"_time", "sourcetype", "_sourcetype", "_cd", "_bkt", "_serial", "_indextime", "_si", "splunk_server"}

// isSplunkRow recognises an export row (preview and result, offset or
// lastrow) or a results row (_raw text with Splunk's own fields).
func isSplunkRow(v *fastjson.Value, _ ingest.Container) bool {
	if p := v.Get("preview"); p != nil && (p.Type() == fastjson.TypeTrue || p.Type() == fastjson.TypeFalse) {
		if r := v.Get("result"); r != nil {
			return r.Type() == fastjson.TypeObject
		}
		return v.Get("lastrow") != nil || v.Get("offset") != nil
	}
	if stringBytes(v.Get("_raw")) == nil {
		return false
	}
	for _, k := range splunkFields {
		if v.Get(k) != nil {
			return true
		}
	}
	return false
}

var (
	errSplunkNoResult = errors.New("export row without a result (the lastrow trailer)")
	errSplunkNoRaw    = errors.New("result without a _raw field: export events, not a table of fields")
	errSplunkNotJSON  = errors.New("_raw is not a JSON object")
	errSplunkNested   = errors.New("_raw holds another Splunk row")
)

// normalizeSplunkRow parses _raw and normalises the record inside, keeping
// the row's raw bytes and origin.
func normalizeSplunkRow(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	row := v
	if r := v.Get("result"); r != nil {
		row = r
	} else if v.Get("_raw") == nil {
		return errSplunkNoResult
	}
	raw := stringBytes(row.Get("_raw"))
	if raw == nil {
		return errSplunkNoRaw
	}
	text := bytes.TrimSpace(raw)
	if len(text) == 0 || text[0] != '{' {
		return errSplunkNotJSON
	}
	inner, err := n.embedded(text)
	if err != nil {
		return fmt.Errorf("%w: %w", errSplunkNotJSON, err)
	}
	if isSplunkRow(inner, ingest.ContainerNone) {
		return errSplunkNested
	}
	rec := ingest.Record{Data: ev.Raw, Origin: ev.Origin, Container: ingest.ContainerNone}
	got, err := n.NormalizeValue(inner, rec)
	if err != nil {
		return fmt.Errorf("_raw: %w", err)
	}
	*ev = *got
	ev.Format = formatSplunk
	return nil
}
