package bench

import (
	"bufio"
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/idsentry/idsentry/internal/demo"
	"github.com/klauspost/compress/gzip"
)

// Dataset names the files a benchmark reads.
type Dataset struct {
	// Dir holds the files.
	Dir string `json:"dir"`
	// NDJSON is one big file of Azure Monitor sign-in diagnostic records,
	// one per line, in time order; Gzip is a gzip copy of it.
	NDJSON string `json:"ndjson"`
	Gzip   string `json:"gzip"`
	// Bytes and GzipBytes are the sizes on disk; Records counts lines.
	Bytes     int64 `json:"bytes"`
	GzipBytes int64 `json:"gzip_bytes"`
	Records   int64 `json:"records"`
	// Users and Seed are the demo options used.
	Users int   `json:"users"`
	Seed  int64 `json:"seed"`
	// Elapsed is how long generation took.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// DatasetOptions configure Generate.
type DatasetOptions struct {
	// Dir is where the files are written (created if needed).
	Dir string
	// Size is the target size of the NDJSON file in bytes.
	Size int64
	// Users in the demo tenant; zero picks one from Size.
	Users int
	// Seed of the demo tenant (default 1).
	Seed int64
	// NoGzip skips the gzip copy.
	NoGzip bool
}

// File names inside the dataset directory.
const (
	ndjsonName = "signins.ndjson"
	gzipName   = "signins.ndjson.gz"
	demoSubdir = "demo-tenant"
)

// azureMonitorShare is a conservative estimate of the share of a
// sign-in-heavy demo tenant's bytes that lands in the Azure Monitor NDJSON
// sign-in files (measured: 42-45 %); the rest goes to the other export
// formats. Generating Size/share bytes leaves enough to cut Size from.
const azureMonitorShare = 0.38

// signInCategories are the Azure Monitor NDJSON files of the demo's
// sign-in categories (internal/demo formats.go).
var signInCategories = []string{"SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"}

// Generate writes a sign-in-heavy demo tenant (package demo) under
// opts.Dir, merges its Azure Monitor NDJSON sign-in files in time order into
// one file of opts.Size bytes (cut at a record boundary), writes a gzip copy
// of it, and removes the rest of the tenant.
func Generate(opts DatasetOptions) (*Dataset, error) {
	start := time.Now()
	if opts.Size <= 0 {
		return nil, fmt.Errorf("bench: size must be positive, not %d", opts.Size)
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Users == 0 {
		opts.Users = usersFor(opts.Size)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", opts.Dir, err)
	}
	ds := &Dataset{Dir: opts.Dir, NDJSON: filepath.Join(opts.Dir, ndjsonName), Gzip: filepath.Join(opts.Dir, gzipName),
		Users: opts.Users, Seed: opts.Seed}
	// The demo's volume is calibrated, not exact, and small tenants have a
	// floor of other record kinds: generate more until the cut is full.
	share := azureMonitorShare
	for try := 0; ; try++ {
		written, records, short, err := fromDemo(ds.NDJSON, opts, share)
		if err != nil {
			return nil, err
		}
		ds.Bytes, ds.Records = written, records
		if !short || try == 3 {
			break
		}
		share /= 3
	}
	if ds.Records == 0 {
		return nil, errors.New("bench: the demo tenant has no Azure Monitor sign-in records")
	}
	var err error
	if opts.NoGzip {
		ds.Gzip = ""
	} else if ds.GzipBytes, err = gzipFile(ds.Gzip, ds.NDJSON); err != nil {
		return nil, err
	}
	ds.Elapsed = time.Since(start)
	return ds, nil
}

// fromDemo generates a demo tenant sized for share and merges its Azure
// Monitor sign-in files into out; short reports that they held less than
// opts.Size bytes.
func fromDemo(out string, opts DatasetOptions, share float64) (written, records int64, short bool, err error) {
	tenant := filepath.Join(opts.Dir, demoSubdir)
	defer os.RemoveAll(tenant)
	_, err = demo.Generate(demo.Options{Dir: tenant, Seed: opts.Seed, Users: opts.Users,
		Size: int64(float64(opts.Size) / share), SignInHeavy: true})
	if err != nil {
		return 0, 0, false, fmt.Errorf("generate demo tenant: %w", err)
	}
	var inputs []string
	for _, c := range signInCategories {
		p := filepath.Join(tenant, "entra", "signins", "azure-monitor", c+".json")
		if _, err := os.Stat(p); err == nil {
			inputs = append(inputs, p)
		}
	}
	written, records, err = mergeByTime(out, inputs, opts.Size)
	return written, records, written < opts.Size, err
}

// usersFor picks the tenant size for a dataset size: 50 people for small
// sets (the demo's calibration needs per-person volume below the target),
// 500 from 250 MB up.
func usersFor(size int64) int {
	return int(min(500, max(50, size/500_000)))
}

// line is the next line of one merge input.
type line struct {
	r    *bufio.Reader
	data []byte
	t    time.Time
	idx  int
}

type lineHeap []*line

func (h lineHeap) Len() int { return len(h) }
func (h lineHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	return h[i].idx < h[j].idx
}
func (h lineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *lineHeap) Push(x any)   { *h = append(*h, x.(*line)) }
func (h *lineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// next reads the following line; false at the end of the input.
func (l *line) next() (bool, error) {
	for {
		b, err := l.r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			if b[len(b)-1] != '\n' {
				b = append(b, '\n')
			}
			l.data, l.t = b, recordTime(b)
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// recordTime reads the "time" member that starts every Azure Monitor
// record the demo writes ({"time":"2026-11-16T00:00:50.5548121Z",…}); a
// record without it sorts first.
func recordTime(b []byte) time.Time {
	const prefix = `{"time":"`
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return time.Time{}
	}
	rest := b[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return t
}

// mergeByTime merges time-ordered NDJSON inputs into out, stopping once
// limit bytes are written (at a record boundary).
func mergeByTime(out string, inputs []string, limit int64) (written, records int64, err error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	var h lineHeap
	for i, p := range inputs {
		in, err := os.Open(p)
		if err != nil {
			return 0, 0, err
		}
		defer in.Close()
		l := &line{r: bufio.NewReaderSize(in, 1<<20), idx: i}
		ok, err := l.next()
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", p, err)
		}
		if ok {
			h = append(h, l)
		}
	}
	heap.Init(&h)
	for h.Len() > 0 && written < limit {
		l := h[0]
		n, err := w.Write(l.data)
		if err != nil {
			return 0, 0, fmt.Errorf("write %s: %w", out, err)
		}
		written += int64(n)
		records++
		ok, err := l.next()
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", inputs[l.idx], err)
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	if err := w.Flush(); err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", out, err)
	}
	return written, records, nil
}

// gzipFile writes a gzip copy of src to dst and returns its size.
func gzipFile(dst, src string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	zw := gzip.NewWriter(out)
	if _, err := io.Copy(zw, bufio.NewReaderSize(in, 1<<20)); err != nil {
		out.Close()
		return 0, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return 0, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return 0, err
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
