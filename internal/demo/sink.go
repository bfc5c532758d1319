package demo

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/klauspost/compress/gzip"
)

// layout is how a file holds its records.
type layout uint8

const (
	layoutNDJSON   layout = iota // one JSON object per line
	layoutEnvelope               // prefix, one record per line separated by commas, suffix
	layoutCSV                    // header row, one record per row
)

// family is one logical output (an export format of a log kind) that
// writes one or more files: one per day, or one per page of pageMax
// records.
type family struct {
	name    string // manifest format name
	kind    event.Kind
	layout  layout
	gz      bool
	perDay  bool
	pageMax int
	header  []string
	// path names the file for a day (zero unless perDay) and page number.
	path func(day time.Time, page int) string
	// prefix and suffix frame an envelope file; next reports whether
	// another page follows (Graph's @odata.nextLink).
	prefix func(page int) string
	suffix func(page int, next bool) string

	cur  *outFile
	day  time.Time
	page int
}

// outFile is one file being written.
type outFile struct {
	fam     *family
	path    string
	osf     *os.File
	count   *countWriter
	gz      *gzip.Writer
	bw      *bufio.Writer
	csv     *csv.Writer
	records int64
	line    int    // line the next record starts on (1-based, uncompressed)
	kinds   uint64 // bit set of the log kinds written
}

// countWriter counts bytes reaching the disk.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// position is where a record landed.
type position struct {
	path  string
	line  int
	index int64
}

// outputs owns every family and the files written.
type outputs struct {
	dir   string
	files []FileInfo
	err   error
}

func (o *outputs) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

func (o *outputs) open(f *family, page int) *outFile {
	rel := f.path(f.day, page)
	full := filepath.Join(o.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		o.fail(fmt.Errorf("create directory for %s: %w", rel, err))
		return nil
	}
	osf, err := os.Create(full)
	if err != nil {
		o.fail(fmt.Errorf("create %s: %w", rel, err))
		return nil
	}
	of := &outFile{fam: f, path: rel, osf: osf, count: &countWriter{w: osf}, line: 1}
	var w io.Writer = of.count
	if f.gz {
		of.gz, _ = gzip.NewWriterLevel(of.count, gzip.DefaultCompression)
		w = of.gz
	}
	of.bw = bufio.NewWriterSize(w, 256<<10)
	switch f.layout {
	case layoutCSV:
		of.csv = csv.NewWriter(of.bw)
		of.csv.UseCRLF = true
		of.csv.Write(f.header) //nolint:errcheck // errors surface on Flush
		of.line = 2
	case layoutEnvelope:
		p := f.prefix(page)
		of.bw.WriteString(p)
		of.line += strings.Count(p, "\n")
	}
	return of
}

// close finishes a file; next says whether another page of the same family
// follows.
func (o *outputs) close(of *outFile, next bool) {
	if of == nil {
		return
	}
	f := of.fam
	switch f.layout {
	case layoutCSV:
		of.csv.Flush()
		if err := of.csv.Error(); err != nil {
			o.fail(fmt.Errorf("write %s: %w", of.path, err))
		}
	case layoutEnvelope:
		of.bw.WriteString(f.suffix(f.page, next))
	}
	if err := of.bw.Flush(); err != nil {
		o.fail(fmt.Errorf("write %s: %w", of.path, err))
	}
	if of.gz != nil {
		if err := of.gz.Close(); err != nil {
			o.fail(fmt.Errorf("compress %s: %w", of.path, err))
		}
	}
	if err := of.osf.Close(); err != nil {
		o.fail(fmt.Errorf("close %s: %w", of.path, err))
	}
	fi := FileInfo{Path: of.path, Format: f.name, Gzip: f.gz, Records: of.records, Bytes: of.count.n}
	for _, k := range event.Kinds() {
		if of.kinds&(1<<k) != 0 {
			fi.Kinds = append(fi.Kinds, k.String())
		}
	}
	if len(fi.Kinds) == 1 {
		fi.Kind = fi.Kinds[0]
	}
	o.files = append(o.files, fi)
}

// write appends one record (JSON object for JSON layouts, row for CSV) to
// the family's current file at time t, and returns where it landed.
func (o *outputs) write(f *family, t time.Time, kind event.Kind, data []byte, row []string) position {
	if o.err != nil {
		return position{}
	}
	day := time.Time{}
	if f.perDay {
		day = t.UTC().Truncate(24 * time.Hour)
	}
	if f.cur != nil && (f.perDay && !day.Equal(f.day)) {
		o.close(f.cur, false)
		f.cur = nil
	}
	if f.cur != nil && f.pageMax > 0 && f.cur.records >= int64(f.pageMax) {
		o.close(f.cur, true)
		f.cur = nil
		f.page++
	}
	if f.cur == nil {
		f.day = day
		if f.cur = o.open(f, f.page); f.cur == nil {
			return position{}
		}
	}
	of := f.cur
	pos := position{path: of.path, line: of.line, index: of.records}
	switch f.layout {
	case layoutCSV:
		of.csv.Write(row) //nolint:errcheck // errors surface on Flush
	case layoutEnvelope:
		if of.records > 0 {
			of.bw.WriteString(",\n")
			of.line++
			pos.line = of.line
		}
		of.bw.Write(data)
	default:
		of.bw.Write(data)
		of.bw.WriteByte('\n')
		of.line++
	}
	if f.layout == layoutCSV {
		of.line++
	}
	of.records++
	of.kinds |= 1 << kind
	return pos
}

// finish closes every open file and returns the manifest's file list sorted
// by path.
func (o *outputs) finish(fams []*family) []FileInfo {
	for _, f := range fams {
		o.close(f.cur, false)
		f.cur = nil
	}
	sort.Slice(o.files, func(i, j int) bool { return o.files[i].Path < o.files[j].Path })
	return o.files
}
