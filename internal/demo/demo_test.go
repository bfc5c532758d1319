package demo

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestOptionsValidation(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opt  Options
		want string // error substring; "" for success
	}{
		{"no dir", Options{}, "output directory is required"},
		{"too few users", Options{Dir: dir, Users: 5}, "users must be between"},
		{"too many users", Options{Dir: dir, Users: maxUsers + 1}, "users must be between"},
		{"too short", Options{Dir: dir, Days: 2}, "days must be at least"},
		{"negative size", Options{Dir: dir, Size: -1}, "size must not be negative"},
		{"defaults", Options{Dir: dir}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opt
			err := o.normalise()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("normalise: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("normalise = %v, want error containing %q", err, tc.want)
			case tc.want == "" && (o.Users != DefaultUsers || o.Days != DefaultDays || !o.Start.Equal(DefaultStart)):
				t.Fatalf("defaults not applied: %+v", o)
			}
		})
	}
}

func TestStartTruncatedToUTCMidnight(t *testing.T) {
	o := Options{Dir: "x", Start: time.Date(2027, 3, 4, 15, 30, 0, 0, time.FixedZone("X", 3600))}
	if err := o.normalise(); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC); !o.Start.Equal(want) {
		t.Fatalf("start %v, want %v", o.Start, want)
	}
}

func TestDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	ma := generate(t, small(a, 42))
	mb := generate(t, small(b, 42))
	generate(t, small(c, 43))
	ha, hb, hc := treeHash(t, a), treeHash(t, b), treeHash(t, c)
	if ha != hb {
		t.Fatalf("same seed, different trees: %s vs %s", ha, hb)
	}
	if ha == hc {
		t.Fatal("different seeds gave identical trees")
	}
	ma.Dir, mb.Dir = "", ""
	ja, _ := json.Marshal(ma)
	jb, _ := json.Marshal(mb)
	if string(ja) != string(jb) {
		t.Fatal("same seed, different manifests")
	}
}

// TestStoriesIndependentOfSize checks that a story's records do not change
// when the background volume does.
func TestStoriesIndependentOfSize(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	generate(t, small(a, 9))
	opt := small(b, 9)
	opt.Size = 12 << 20
	generate(t, opt)
	ids := func(dir string) []string {
		var out []string
		for _, s := range groundTruth(t, dir).Stories {
			for _, r := range s.Records {
				out = append(out, s.ID+" "+r.ID+" "+r.Time)
			}
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(a), ids(b)) {
		t.Fatal("story records differ between background volumes")
	}
}

var allStories = []string{storyConsent, storyMFAFatigue, storyTokenReplay, storyBackdoor, storySTS, storyK8s,
	storySpray, storyDeviceCode, storyAttackTools, storyInboxRule, storyCADeleted, storyUALDisabled, storyRoleToUser,
	storyLegacyAuth, storyRiskyConsent, storyNewCountry, storyAppChain, storyFederation, storyPIMAfterHours, storyBruteForce}

func TestGroundTruthComplete(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    func(t *testing.T) *Manifest
	}{
		{"default", defaultDemo},
		{"short window", func(t *testing.T) *Manifest {
			return generate(t, Options{Dir: t.TempDir(), Seed: 5, Users: minUsers, Days: minDays})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m(t)
			checkGroundTruth(t, m)
		})
	}
}

func checkGroundTruth(t *testing.T, m *Manifest) {
	tf := groundTruth(t, m.Dir)
	got := map[string]*storyDef{}
	implements := map[string]bool{}
	for _, s := range tf.Stories {
		got[s.ID] = s
		for _, i := range s.Expected.Implements {
			implements[i] = true
		}
	}
	for _, id := range allStories {
		s := got[id]
		if s == nil || len(s.Records) == 0 {
			t.Errorf("story %s missing or without records", id)
			continue
		}
		if s.Title == "" || s.Summary == "" || len(s.Expected.Detections) == 0 {
			t.Errorf("story %s lacks a title, summary or expected detections", id)
		}
	}
	for _, want := range []string{"seed-000", "seed-001", "seed-002", "seed-004"} {
		if !implements[want] {
			t.Errorf("no story exercises %s", want)
		}
	}
	for row := 1; row <= 16; row++ {
		if id := "guide-row-" + strconv.Itoa(row); !implements[id] {
			t.Errorf("no story exercises %s", id)
		}
	}
	traps := map[string]int{}
	for _, s := range tf.Traps {
		traps[s.ID] = len(s.Records)
		if !s.Trap || !s.Expected.MustNotAlert {
			t.Errorf("trap %s not marked as a must-not-alert trap", s.ID)
		}
	}
	if traps[trapVeeam] < 20 || traps[trapMSIRotation] < 2 {
		t.Errorf("traps under-populated: %v", traps)
	}

	// Every listed record is where the ground truth says, with its ID.
	files := map[string]FileInfo{}
	for _, f := range m.Files {
		files[f.Path] = f
	}
	cache := map[string][]testRec{}
	for _, s := range append(tf.Stories, tf.Traps...) {
		for _, r := range s.Records {
			fi, ok := files[r.File]
			if !ok {
				t.Errorf("%s: record in unknown file %s", s.ID, r.File)
				continue
			}
			recs, ok := cache[r.File]
			if !ok {
				recs = records(t, m.Dir, fi)
				cache[r.File] = recs
			}
			if r.Index < 0 || int(r.Index) >= len(recs) {
				t.Errorf("%s: %s index %d out of range", s.ID, r.File, r.Index)
				continue
			}
			rec := recs[r.Index]
			if rec.line != r.Line {
				t.Errorf("%s: %s index %d is on line %d, ground truth says %d", s.ID, r.File, r.Index, rec.line, r.Line)
			}
			if !strings.Contains(rec.raw, r.ID) {
				t.Errorf("%s: %s:%d does not hold record %s", s.ID, r.File, r.Line, r.ID)
			}
			tm, err := time.Parse(time.RFC3339Nano, r.Time)
			if r.Format != fmtGraphInvent && (err != nil || tm.Before(m.Start) || !tm.Before(m.End)) {
				t.Errorf("%s: record %s at %s outside the window %v-%v", s.ID, r.ID, r.Time, m.Start, m.End)
			}
			if !slices.Contains(fi.Kinds, r.Kind) {
				t.Errorf("%s: record kind %s not among the file's kinds %v", s.ID, r.Kind, fi.Kinds)
			}
		}
	}
	// S1 exports one 65004 decline twice, with the same ID in two files.
	dups := 0
	for _, r := range got[storyConsent].Records {
		if r.Duplicate {
			dups++
		}
	}
	if dups != 1 {
		t.Errorf("S1 has %d duplicate records, want 1", dups)
	}
}

// TestSpreadAcrossFormats checks each multi-record sign-in story lands in
// several export formats, so a reader that misses one is noticed.
func TestSpreadAcrossFormats(t *testing.T) {
	m := defaultDemo(t)
	for _, s := range groundTruth(t, m.Dir).Stories {
		formats := map[string]bool{}
		for _, r := range s.Records {
			formats[r.Format] = true
		}
		min := map[string]int{storyConsent: 5, storyMFAFatigue: 4, storyTokenReplay: 4, storySpray: 5, storyBackdoor: 6, storyBruteForce: 4}[s.ID]
		if len(formats) < min {
			t.Errorf("%s spans %d formats, want at least %d", s.ID, len(formats), min)
		}
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		seen[f.Format] = true
	}
	for _, f := range []string{fmtGraphPage, fmtAzureNDJSON, fmtAzureRecords, fmtLAJSON, fmtLACSV, fmtUALBlob, fmtUALPurview,
		fmtCloudTrail, fmtK8sNDJSON, fmtK8sEventList, fmtGraphInvent, fmtGraphUsers, fmtTenant, fmtGroundTruth} {
		if !seen[f] {
			t.Errorf("no file in format %s", f)
		}
	}
}

func TestDefaultDemoSize(t *testing.T) {
	m := defaultDemo(t)
	if m.Bytes > 30<<20 || m.Bytes < 5<<20 {
		t.Errorf("default demo is %d bytes, want 5-30 MiB", m.Bytes)
	}
	var sum int64
	for _, f := range m.Files {
		st, err := os.Stat(filepath.Join(m.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != f.Bytes {
			t.Errorf("%s: %d bytes on disk, manifest %d", f.Path, st.Size(), f.Bytes)
		}
		sum += f.Bytes
	}
	if sum != m.Bytes {
		t.Errorf("manifest total %d, files sum to %d", m.Bytes, sum)
	}
}

// TestManifestGolden pins the file list of a small tenant (paths, formats,
// kinds and record counts); run with -update after an intended change.
func TestManifestGolden(t *testing.T) {
	m := generate(t, small(t.TempDir(), 1))
	var lines []string
	for _, f := range m.Files {
		lines = append(lines, f.Path+" "+f.Format+" "+strings.Join(f.Kinds, ",")+" "+strconv.FormatInt(f.Records, 10))
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "manifest-seed1.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("manifest differs from %s (run go test -update if intended):\n%s", golden, got)
	}
}
