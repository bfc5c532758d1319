package ingest

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const publicData = "../../../shared/data/public"

// publicCounts reads the expected record count of every sample file from
// PROVENANCE.md: the per-file table (last column but one) and the inline
// lists "`name.json` (N…)" of the falco and stratus-red-team sections.
func publicCounts(t *testing.T) map[string]int {
	t.Helper()
	fh, err := os.Open(filepath.Join(publicData, "PROVENANCE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	counts := map[string]int{}
	inline := regexp.MustCompile("`([^`/]+\\.json)` \\((\\d+)")
	folder := regexp.MustCompile("shared/data/public/([a-z0-9/_-]+)/`")
	dir := ""
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "| `") {
			cells := strings.Split(line, "|")
			if len(cells) < 8 {
				continue
			}
			name := strings.Trim(strings.TrimSpace(cells[1]), "`")
			n, err := strconv.Atoi(strings.TrimSpace(cells[6]))
			if err == nil {
				counts[name] = n
			}
			continue
		}
		if m := folder.FindStringSubmatch(line); m != nil {
			dir = strings.TrimSuffix(m[1], "/")
		}
		for _, m := range inline.FindAllStringSubmatch(line, -1) {
			n, _ := strconv.Atoi(m[2])
			counts[dir+"/"+m[1]] = n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// TestPublicData reads every sample log under shared/data/public and checks
// that it is recognised, read without a single record error, and holds the
// number of records PROVENANCE.md gives.
func TestPublicData(t *testing.T) {
	if _, err := os.Stat(publicData); err != nil {
		t.Skipf("shared sample data not found at %s (CI keeps shared/ beside the checkout): %v", publicData, err)
	}
	counts := publicCounts(t)
	if len(counts) < 70 {
		t.Fatalf("read only %d expected counts from PROVENANCE.md", len(counts))
	}
	// Layouts that are not obvious from the file name.
	layouts := map[string]string{
		"microsoft-docs/azure-docs/keyvault-logging-auditevent-example.json":        LayoutAzureRecords,
		"microsoft-docs/entra-docs/azure-monitor-signin-schema-example.json":        LayoutJSONObject,
		"microsoft-docs/graph-docs/beta-signin-list-example1-response.json":         LayoutGraphPage,
		"microsoft-docs/graph-docs/v1-directoryaudit-list-example1-response.json":   LayoutGraphPage,
		"microsoft-docs/graph-docs/v1-directoryaudit-list-example2-response.json":   LayoutGraphPage,
		"falco/k8s_audit/create_configmap_sensitive_values.json":                    LayoutNDJSON,
		"stratus-red-team/detonation-logs/aws.defense-evasion.cloudtrail-stop.json": LayoutJSONArray,
		"panther-analysis/AWS_CloudTrail.ndjson":                                    LayoutNDJSON,
		"elastic-integrations/azure-auditlogs/test-auditlogs-raw.log":               LayoutNDJSON,
	}
	seen := 0
	err := filepath.WalkDir(publicData, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".tsv") || strings.HasSuffix(path, ".md") {
			return err
		}
		rel, _ := filepath.Rel(publicData, path)
		rel = filepath.ToSlash(rel)
		seen++
		want, ok := counts[rel]
		if !ok {
			t.Errorf("%s: no record count in PROVENANCE.md", rel)
		}
		got, info := readAll(t, path, Options{})
		if got != want {
			t.Errorf("%s: %d records, PROVENANCE.md says %d", rel, got, want)
		}
		if info.Encoding != "utf-8" || info.Compression != "" {
			t.Errorf("%s: detected %s %s", rel, info.Compression, info.Encoding)
		}
		t.Logf("%s: %s, %d records", rel, info.Layout, got)
		if l, ok := layouts[rel]; ok && info.Layout != l {
			t.Errorf("%s: layout %s, want %s", rel, info.Layout, l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 70 {
		t.Errorf("walked only %d files", seen)
	}
}

// readAll reads a file to its end, failing the test on any error, and
// returns the number of records and the final Info.
func readAll(t *testing.T, path string, opts Options) (int, Info) {
	t.Helper()
	f, err := Open(path, opts)
	if err != nil {
		t.Errorf("%v", err)
		return 0, Info{}
	}
	defer f.Close()
	n := 0
	for {
		rec, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%v", err)
			var re *RecordError
			if errors.As(err, &re) {
				continue
			}
			break
		}
		if len(rec.Data) == 0 || rec.Data[0] != '{' || rec.Data[len(rec.Data)-1] != '}' {
			t.Errorf("%s: record %d is not an object: %.40q", path, n, rec.Data)
		}
		n++
	}
	return n, f.Info()
}

// TestVerbatim: a record marked Verbatim is the bytes at its offset of its
// file, for every record of every test file and real sample; compressed,
// UTF-16, byte-order-marked and CSV files mark none.
func TestVerbatim(t *testing.T) {
	var paths []string
	for _, dir := range []string{"testdata", publicData} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".golden") && !strings.HasSuffix(p, ".md") {
				paths = append(paths, p)
			}
			return nil
		})
	}
	verbatim, other := 0, 0
	for _, p := range paths {
		f, err := Open(p, Options{})
		if err != nil {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		info := f.Info()
		plain := info.Compression == "" && info.Encoding == "utf-8"
		for {
			rec, err := f.Next()
			if err == io.EOF {
				break
			}
			var re *RecordError
			if errors.As(err, &re) {
				continue
			}
			if err != nil {
				break
			}
			if !rec.Verbatim {
				other++
				if plain && f.mode == modeJSON {
					t.Errorf("%s: a JSON record of a plain file is not Verbatim", rec.Origin)
				}
				continue
			}
			verbatim++
			if !plain || rec.Container == ContainerCSV {
				t.Errorf("%s: Verbatim record of a %s %s file", rec.Origin, info.Compression, info.Encoding)
			}
			end := rec.Origin.Offset + int64(len(rec.Data))
			if rec.Origin.File != p || end > int64(len(data)) || string(data[rec.Origin.Offset:end]) != string(rec.Data) {
				t.Errorf("%s: Verbatim record is not the file's bytes at offset %d", rec.Origin, rec.Origin.Offset)
			}
		}
		f.Close()
	}
	if verbatim < 500 || other < 20 {
		t.Errorf("%d verbatim and %d other records: the test files do not cover both", verbatim, other)
	}
}
