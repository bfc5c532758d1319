package demo

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// small is a quick tenant for tests that do not need the default size.
func small(dir string, seed int64) Options { return Options{Dir: dir, Seed: seed, Users: 24, Days: 3} }

func generate(t testing.TB, opt Options) *Manifest {
	t.Helper()
	m, err := Generate(opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	return m
}

// defaultRun generates the default demo once per test binary.
var defaultRun = sync.OnceValues(func() (*Manifest, error) {
	dir, err := os.MkdirTemp("", "idsentry-demo-test-")
	if err != nil {
		return nil, err
	}
	return Generate(Options{Dir: dir, Seed: 1})
})

func defaultDemo(t *testing.T) *Manifest {
	t.Helper()
	m, err := defaultRun()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return m
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, run := range []func() (*Manifest, error){defaultRun, smallRun} {
		if dm, err := run(); err == nil && dm != nil {
			os.RemoveAll(dm.Dir)
		}
	}
	os.Exit(code)
}

// content returns a file's decompressed bytes.
func content(t testing.TB, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(rel, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
	}
	return b
}

// testRec is one record of a generated file.
type testRec struct {
	index int
	line  int
	obj   map[string]any // JSON record, or a CSV row keyed by header
	raw   string
}

// records reads every record of a data file, checking the file as a whole
// is well formed for its layout.
func records(t testing.TB, dir string, fi FileInfo) []testRec {
	t.Helper()
	b := content(t, dir, fi.Path)
	var out []testRec
	switch {
	case strings.HasSuffix(fi.Path, ".csv"):
		r := csv.NewReader(bytes.NewReader(b))
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", fi.Path, err)
		}
		for i, row := range rows[1:] {
			obj := map[string]any{}
			for j, h := range rows[0] {
				obj[h] = row[j]
			}
			out = append(out, testRec{index: i, line: i + 2, obj: obj, raw: strings.Join(row, ",")})
		}
	case fi.Format == fmtAzureNDJSON || fi.Format == fmtK8sNDJSON:
		for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			out = append(out, testRec{index: i, line: i + 1, obj: decode(t, fi.Path, l), raw: l})
		}
	default: // envelopes: the whole file is one JSON document, one record per line inside
		if !json.Valid(b) {
			t.Fatalf("%s: not valid JSON", fi.Path)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		for i, l := range lines[1 : len(lines)-1] {
			l = strings.TrimSuffix(l, ",")
			out = append(out, testRec{index: i, line: i + 2, obj: decode(t, fi.Path, l), raw: l})
		}
	}
	if int64(len(out)) != fi.Records {
		t.Errorf("%s: %d records, manifest says %d", fi.Path, len(out), fi.Records)
	}
	return out
}

func decode(t testing.TB, path, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: record is not a JSON object: %v: %.120s", path, err, s)
	}
	return m
}

// treeHash hashes every file's path and content under dir.
func treeHash(t testing.TB, dir string) string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(filepath.ToSlash(rel)))
		h.Write([]byte{0})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// groundTruth reads ground-truth.json.
func groundTruth(t testing.TB, dir string) truthFile {
	t.Helper()
	var tf truthFile
	if err := json.Unmarshal(content(t, dir, pathGroundTruth), &tf); err != nil {
		t.Fatal(err)
	}
	return tf
}

// str returns a string field of a decoded record (dotted path).
func str(m map[string]any, path string) string {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}
