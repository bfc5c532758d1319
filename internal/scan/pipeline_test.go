package scan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

const shared = "../../../shared/data/public"

// TestPublicSamples reads every real sample log: every log file is
// recognised with no skipped record, and only documentation / label files
// are reported as not log files.
func TestPublicSamples(t *testing.T) {
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared sample data not found at %s (CI has ../shared beside the checkout): %v", shared, err)
	}
	res, err := Run(context.Background(), []string{shared}, Options{NoDedup: true})
	if err != nil {
		t.Fatal(err)
	}
	var logs int
	for _, f := range res.Files {
		notLog := strings.HasSuffix(f.Path, ".md") || strings.HasSuffix(f.Path, ".tsv")
		switch {
		case notLog && f.Err == "":
			t.Errorf("%s: documentation file read as a log (%d records)", f.Path, f.Records)
		case notLog:
			if !f.FromDir {
				t.Errorf("%s: FromDir not set", f.Path)
			}
		case f.Err != "":
			t.Errorf("%s: not recognised: %s", f.Path, f.Err)
		case f.Skipped > 0:
			for r, s := range f.SkipReasons {
				t.Errorf("%s: %d skipped: %s (%s) at %v", f.Path, s.Count, r, s.Example, s.Samples)
			}
		case f.Records == 0:
			t.Errorf("%s: no records", f.Path)
		default:
			logs++
		}
	}
	if logs < 90 {
		t.Errorf("only %d log files recognised", logs)
	}
	// Counts from PROVENANCE.md.
	want := map[string]int64{
		"panther-analysis/AWS_CloudTrail.ndjson":                             475,
		"panther-analysis/Amazon_EKS_Audit.ndjson":                           158,
		"falco/k8s_audit/create_configmap_sensitive_values.json":             6,
		"microsoft-docs/azure-docs/keyvault-logging-auditevent-example.json": 1,
		"elastic-integrations/azure-signinlogs/test-signinlogs-raw.log":      5,
	}
	for _, f := range res.Files {
		rel, _ := filepath.Rel(shared, f.Path)
		if n, ok := want[filepath.ToSlash(rel)]; ok && f.Records != n {
			t.Errorf("%s: %d records, want %d", rel, f.Records, n)
		}
	}
}

// countingHandler counts events per kind, for all workers.
type countingHandler struct {
	mu    *sync.Mutex
	kinds map[event.Kind]int
}

func (h countingHandler) Event(ev *event.Event) {
	h.mu.Lock()
	h.kinds[ev.Kind]++
	h.mu.Unlock()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const signin = `{"id":"%s","createdDateTime":"2026-11-20T08:01:02Z","userPrincipalName":"alice@contoso.com","appId":"a","ipAddress":"203.0.113.7","status":{"errorCode":65004,"failureReason":"User declined to consent to access the app."}}`

func signinLine(id string) string { return strings.Replace(signin, "%s", id, 1) }

// TestBadRecordsAndDuplicates: a bad line is counted with its line and the
// rest of the file is read; the same record in two files is kept once.
func TestBadRecordsAndDuplicates(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.ndjson", signinLine("1")+"\n{\"truncated\": \n"+signinLine("2")+"\nnot json at all\n"+signinLine("3")+"\n")
	b := writeFile(t, dir, "b.ndjson", signinLine("3")+"\n"+signinLine("4")+"\n")
	h := countingHandler{mu: &sync.Mutex{}, kinds: map[event.Kind]int{}}
	res, err := Run(context.Background(), []string{a, b}, Options{Workers: 2, NewHandler: func(int) Handler { return h }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 4 || res.Duplicates != 1 || res.Skipped != 2 {
		t.Fatalf("records %d duplicates %d skipped %d; want 4, 1, 2", res.Records, res.Duplicates, res.Skipped)
	}
	if h.kinds[event.KindEntraSignIn] != 4 {
		t.Errorf("handler saw %v", h.kinds)
	}
	fa := res.Files[0]
	var origins []string
	for _, s := range fa.SkipReasons {
		origins = append(origins, s.Samples...)
	}
	for _, want := range []string{a + ":2", a + ":4"} {
		found := false
		for _, o := range origins {
			found = found || o == want
		}
		if !found {
			t.Errorf("skipped origins %v lack %s", origins, want)
		}
	}
	// With NoDedup the repeat is kept.
	res, err = Run(context.Background(), []string{a, b}, Options{NoDedup: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5 || res.Duplicates != 0 {
		t.Errorf("NoDedup: records %d duplicates %d", res.Records, res.Duplicates)
	}
}

// TestRangeAndUnrecognised covers --from/--to and a file that is not a log.
func TestRangeAndUnrecognised(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.json", signinLine("1"))
	junk := writeFile(t, dir, "junk.bin", "\x00\x01\x02\x03garbage\xff\xfe")
	res, err := Run(context.Background(), []string{a, junk}, Options{From: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 0 || res.OutOfRange != 1 {
		t.Errorf("records %d out of range %d", res.Records, res.OutOfRange)
	}
	bad := res.Unrecognised()
	if len(bad) != 1 || bad[0].Path != junk || bad[0].FromDir {
		t.Fatalf("unrecognised = %+v", bad)
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.json", "{}")
	writeFile(t, dir, "a.json", "{}")
	writeFile(t, dir, ".hidden.json", "{}")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub"), "c.json", "{}")
	in, err := Expand([]string{dir, "-"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range in {
		rel, _ := filepath.Rel(dir, i.Path)
		if i.Path == "-" {
			rel = "-"
		}
		names = append(names, filepath.ToSlash(rel))
	}
	if got := strings.Join(names, " "); got != "a.json b.json sub/c.json -" {
		t.Errorf("Expand = %s", got)
	}
	if _, err := Expand([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("missing path accepted")
	}
}
