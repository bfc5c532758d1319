package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/idsentry/idsentry/internal/alert"
)

// WriteJSONL writes one alert object (DESIGN.md §9) per line, in report
// order (first seen, then level). Every line is exactly an alert, so the
// file loads as-is into jq, Elastic, Splunk or a data lake.
//
// Incidents go through WriteIncidentsJSONL, which wraps each one as
// {"incident": {…}}: appended to the same file they stay distinguishable
// (no alert has an "incident" key), and a consumer that wants alerts only
// keeps the lines without it (jq 'select(.incident == null)').
func WriteJSONL(w io.Writer, alerts []alert.Alert) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, a := range sortAlerts(alerts) {
		if err := enc.Encode(a); err != nil {
			return fmt.Errorf("encode alert %s: %w", a.ID, err)
		}
	}
	return bw.Flush()
}

// IncidentLine is the JSONL line of one incident.
type IncidentLine struct {
	Incident *alert.Incident `json:"incident"`
}

// WriteIncidentsJSONL writes one {"incident": {…}} object per line, ordered
// by first seen, then level (most severe first), entity and id.
func WriteIncidentsJSONL(w io.Writer, incidents []alert.Incident) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, in := range sortIncidents(incidents) {
		if err := enc.Encode(IncidentLine{Incident: in}); err != nil {
			return fmt.Errorf("encode incident %s: %w", in.ID, err)
		}
	}
	return bw.Flush()
}

// sortIncidents returns pointers to the incidents in report order.
func sortIncidents(incidents []alert.Incident) []*alert.Incident {
	out := make([]*alert.Incident, len(incidents))
	for i := range incidents {
		out[i] = &incidents[i]
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if a.Level != b.Level {
			return a.Level > b.Level
		}
		if a.Entity != b.Entity {
			return a.Entity < b.Entity
		}
		return a.ID < b.ID
	})
	return out
}

// marshalNoEscape is json.Marshal without HTML escaping of <, > and &.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
