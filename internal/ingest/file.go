package ingest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/idsentry/idsentry/internal/event"
)

// DefaultMaxRecordBytes is the record size limit used when
// Options.MaxRecordBytes is zero.
const DefaultMaxRecordBytes = 64 << 20

// MaxDepth is the deepest nesting of arrays and objects a JSON record may
// have. Deeper records are skipped with a RecordError wrapping ErrTooDeep.
const MaxDepth = 512

// The layouts a file can have, as Info.Layout reports them and as
// Options.Format accepts them.
const (
	LayoutJSONObject   = "json-object"        // one JSON object (possibly pretty-printed)
	LayoutJSONArray    = "json-array"         // one JSON array of records
	LayoutNDJSON       = "ndjson"             // one JSON value per line
	LayoutJSONConcat   = "json-concat"        // several objects or arrays back to back
	LayoutGraphPage    = "graph-page"         // {"value":[…]} pages (Microsoft Graph, Azure REST lists)
	LayoutAzureRecords = "azure-records"      // Azure Monitor {"records":[…]} envelopes
	LayoutCloudTrail   = "cloudtrail-records" // CloudTrail {"Records":[…]} files
	LayoutK8sEventList = "k8s-eventlist"      // Kubernetes EventList / List {"items":[…]}
	LayoutCSV          = "csv"                // CSV or tab-separated values with a header row
)

// formatTSV forces CSV with tab-separated cells; Info reports LayoutCSV.
const formatTSV = "tsv"

// Formats lists the values Options.Format accepts besides "" (detect).
func Formats() []string {
	return []string{LayoutJSONObject, LayoutJSONArray, LayoutNDJSON, LayoutJSONConcat, LayoutGraphPage,
		LayoutAzureRecords, LayoutCloudTrail, LayoutK8sEventList, LayoutCSV, formatTSV}
}

// Options configure a reader.
type Options struct {
	// Format forces a layout (one of Formats); "" detects it per file. A
	// forced JSON layout turns envelope detection off, except that a forced
	// envelope layout unwraps that envelope's array wherever it appears.
	// Compression and text encoding are always detected.
	Format string
	// MaxRecordBytes bounds the size of one record (default 64 MiB). A bigger
	// record is skipped with a RecordError wrapping ErrTooLarge; it is never
	// held in memory whole.
	MaxRecordBytes int
}

// Info describes a file as detected and read so far. Layout may be refined
// while reading (a second line turns "json-object" into "ndjson"); it is
// final once Next has returned io.EOF.
type Info struct {
	Layout      string // one of the Layout constants; "" for an empty file
	Compression string // "gzip" or ""
	Encoding    string // "utf-8", "utf-8-bom", "utf-16le" or "utf-16be"
	Delimiter   rune   // the cell separator of a CSV file (',' or '\t'); 0 otherwise
	Empty       bool   // the file holds nothing but white space
	// RawBytes counts the bytes read from the file as stored (compressed,
	// in its own encoding); DecodedBytes the UTF-8 bytes they decoded to.
	RawBytes     int64
	DecodedBytes int64
	Records      int // records returned so far
	Skipped      int // RecordErrors returned so far
}

// Errors wrapped by RecordError.Err, one per reason a record is skipped.
// Their text is the stable reason reports group by; the wrapping error adds
// the detail after a colon.
var (
	ErrTooLarge  = errors.New("record too large")
	ErrTooDeep   = errors.New("nesting too deep")
	ErrTruncated = errors.New("truncated record")
	ErrMalformed = errors.New("malformed JSON")
	ErrNotObject = errors.New("not a JSON object")
	ErrBadRow    = errors.New("malformed CSV row")
)

// ErrResync is wrapped by the fatal error Next returns when it cannot find
// the next record after a malformed one; every record before it was returned.
var ErrResync = errors.New("cannot find the next record after a malformed one")

// RecordError reports one record that was skipped. Next returns it as an
// error; the caller counts it and calls Next again.
type RecordError struct {
	File   string
	Line   int   // 1-based line the record starts on
	Index  int   // 0-based position of the record in the file
	Offset int64 // offset of the record's first byte in the decoded stream
	Err    error
}

// Error formats the error as file:line: message.
func (e *RecordError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the reason.
func (e *RecordError) Unwrap() error { return e.Err }

// FormatError reports a file whose content is not a log format at all. Look
// says what it looked like, e.g. `starts with "PK\x03\x04" (zip archive?)`.
type FormatError struct {
	File        string
	Compression string
	Encoding    string
	Look        string
}

// Error formats the error as file: not a log file: look.
func (e *FormatError) Error() string {
	if e.Compression != "" {
		return fmt.Sprintf("%s: not a log file: %s-compressed, %s", e.File, e.Compression, e.Look)
	}
	return fmt.Sprintf("%s: not a log file: %s", e.File, e.Look)
}

// read modes
const (
	modeEmpty = iota
	modeJSON
	modeCSV
)

// File reads the records of one file. It is not safe for concurrent use.
type File struct {
	name   string
	opts   Options
	forced string // Options.Format
	closer io.Closer
	dec    decoder
	win    window
	mode   int
	info   Info
	index  int   // index of the next record
	fatal  error // sticky fatal error
	done   bool
	// verbatim: the decoded bytes are the file's (Open of a plain UTF-8
	// file), so JSON records are Verbatim.
	verbatim bool

	js jsonReader
	cs csvReader
	la laReader // Log Analytics query API results (latables.go)
}

// Open opens the file at path ("-" reads standard input) and detects its
// format. A file whose content is not a log format returns a *FormatError.
func Open(path string, opts Options) (*File, error) {
	if path == "-" {
		return NewFile("-", os.Stdin, opts)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	f, err := newFile(path, fh, opts)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.closer = fh
	f.verbatim = f.info.Compression == "" && f.info.Encoding == "utf-8"
	return f, nil
}

// NewFile reads records from r, naming them name in origins and errors. The
// caller keeps ownership of r: Close does not close it.
func NewFile(name string, r io.Reader, opts Options) (*File, error) {
	return newFile(name, r, opts)
}

func newFile(name string, r io.Reader, opts Options) (*File, error) {
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if opts.Format != "" && !validFormat(opts.Format) {
		return nil, fmt.Errorf("%s: unknown format %q (want one of %v)", name, opts.Format, Formats())
	}
	f := &File{name: name, opts: opts, forced: opts.Format}
	src, err := f.dec.open(r)
	if err != nil {
		return nil, f.readErr(err)
	}
	f.info.Compression = f.dec.compression
	f.info.Encoding = f.dec.encoding
	f.win.init(src, opts.MaxRecordBytes)
	if err := f.detect(); err != nil {
		f.dec.close()
		return nil, err
	}
	return f, nil
}

func validFormat(s string) bool {
	for _, v := range Formats() {
		if s == v {
			return true
		}
	}
	return false
}

// Next returns the next record. It returns io.EOF after the last one, a
// *RecordError for a record it skipped (call Next again: reading goes on
// after it), and any other error when the rest of the file cannot be read.
//
// Record.Data aliases the reader's buffer: it is valid only until the next
// call to Next or Close. Copy it to keep it.
func (f *File) Next() (Record, error) {
	if f.fatal != nil {
		return Record{}, f.fatal
	}
	var (
		rec Record
		err error
	)
	switch f.mode {
	case modeJSON:
		if j := &f.js; j.lineMode && len(j.frames) == 0 && j.pending == nil && !f.done {
			// The NDJSON fast path, as nextJSON would take it.
			var ok bool
			if rec, ok, err = f.nextLine(); ok || err != nil {
				break
			}
		}
		rec, err = f.nextJSON()
	case modeCSV:
		rec, err = f.nextCSV()
	case modeLATables:
		rec, err = f.nextLATables()
	default:
		return Record{}, io.EOF
	}
	switch e := err.(type) {
	case nil:
		f.info.Records++
		rec.Verbatim = f.verbatim && f.mode == modeJSON
	case *RecordError:
		f.info.Skipped++
	default:
		if err != io.EOF {
			f.fatal = e
		}
	}
	return rec, err
}

// Info describes the file as detected and read so far.
func (f *File) Info() Info {
	info := f.info
	info.RawBytes = f.dec.raw.n
	info.DecodedBytes = f.win.base + int64(f.win.w)
	switch {
	case f.mode == modeEmpty:
	case f.mode == modeCSV:
		info.Layout = LayoutCSV
	case f.mode == modeLATables:
		info.Layout = LayoutLATables
	case f.forced != "":
		info.Layout = f.forced
	default:
		info.Layout = f.js.layout()
	}
	return info
}

// Close releases the reader and closes the file if Open opened it.
func (f *File) Close() error {
	f.dec.close()
	f.win.release()
	f.mode = modeEmpty
	if f.closer != nil {
		err := f.closer.Close()
		f.closer = nil
		return err
	}
	return nil
}

// origin makes the origin of a record starting at buffer index i on the
// current line.
func (f *File) origin(line, i int) event.Origin {
	return event.Origin{File: f.name, Line: line, Index: f.index, Offset: f.win.base + int64(i)}
}

// recordErr makes the RecordError of the record starting at buffer index
// start on the given line, and counts the record.
func (f *File) recordErr(line int, off int64, err error) *RecordError {
	e := &RecordError{File: f.name, Line: line, Index: f.index, Offset: off, Err: err}
	f.index++
	return e
}

// readErr wraps a read error as the fatal error of the file. Errors of
// package os already name the file.
func (f *File) readErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("read %s: %w", f.name, err)
}
