// Package ingest reads log files: it detects each file's byte format
// (compression, text encoding, JSON layout or CSV) and streams the records it
// holds, each with its origin. It knows byte formats, not fields: turning a
// record into a canonical event is package normalize's job.
package ingest

import "github.com/idsentry/idsentry/internal/event"

// Container says what a record was found inside. Normalisers use it as a
// hint when a record's own fields are ambiguous.
type Container uint8

// The containers a record can come from.
const (
	ContainerNone         Container = iota // a bare JSON object: one per file, per NDJSON line, or an element of a plain array
	ContainerGraphPage                     // an element of a Microsoft Graph page's "value" array
	ContainerAzureRecords                  // an element of an Azure Monitor {"records":[…]} envelope
	ContainerCloudTrail                    // an element of a CloudTrail {"Records":[…]} file
	ContainerK8sEventList                  // an item of a Kubernetes EventList
	ContainerCSV                           // a CSV row, rendered as a JSON object of string values keyed by header
)

var containerNames = [...]string{"", "graph-page", "azure-records", "cloudtrail-records", "k8s-eventlist", "csv"}

// String names the container.
func (c Container) String() string {
	if int(c) < len(containerNames) {
		return containerNames[c]
	}
	return "container?"
}

// Record is one record as read from a file. Data is a single JSON object
// (CSV rows are converted to one); it is borrowed from the reader and valid
// until the next call to Next.
type Record struct {
	Data      []byte
	Origin    event.Origin
	Container Container
	// Verbatim says Data is the bytes at Origin.Offset of the file named
	// Origin.File, as they are on disk (a plain UTF-8 file read by Open,
	// a JSON record): they can be read again from there.
	Verbatim bool
}
