package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// groundTruth is the part of the demo's ground-truth.json the test reads.
type groundTruth struct {
	Stories []gtStory `json:"stories"`
	Traps   []gtStory `json:"traps"`
}

type gtStory struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Expected struct {
		Implements   []string `json:"implements"`
		MustNotAlert bool     `json:"mustNotAlert"`
	} `json:"expected"`
	Records []struct {
		File  string `json:"file"`
		Line  int    `json:"line"`
		Index int    `json:"index"`
	} `json:"records"`
}

type demoAlert struct {
	Rule struct {
		Title      string   `json:"title"`
		Implements []string `json:"implements"`
	} `json:"rule"`
	Level    string `json:"level"`
	Evidence []struct {
		Origin string `json:"origin"`
	} `json:"evidence"`
}

// TestDemoGroundTruth runs `idsentry demo` end to end and checks the
// alerts against the generator's ground truth: every story is detected by
// the rules that implement what the story expects, the benign traps raise
// nothing, and no alert falls outside the stories.
func TestDemoGroundTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and scans the demo tenant")
	}
	dir := t.TempDir()
	stdout := os.Stdout
	devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	os.Stdout = devnull
	code := run([]string{"demo", "--out", dir, "--no-color"})
	os.Stdout = stdout
	if code != 0 {
		t.Fatalf("idsentry demo exited %d", code)
	}
	var gt groundTruth
	data, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &gt); err != nil {
		t.Fatal(err)
	}
	// origin (file:line and file#index, as alerts print them) → story.
	owner := map[string]string{}
	for _, s := range append(append([]gtStory(nil), gt.Stories...), gt.Traps...) {
		for _, r := range s.Records {
			p := filepath.Join(dir, filepath.FromSlash(r.File))
			owner[p+":"+strconv.Itoa(r.Line)] = s.ID
			owner[p+"#"+strconv.Itoa(r.Index)] = s.ID
		}
	}
	f, err := os.Open(filepath.Join(dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	detected := map[string]map[string]bool{} // story → implements seen
	hit := map[string][]string{}             // story → rule titles
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `{"incident"`) {
			continue
		}
		var a demoAlert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		stories := map[string]bool{}
		for _, e := range a.Evidence {
			if s, ok := owner[e.Origin]; ok {
				stories[s] = true
			}
		}
		if len(stories) == 0 {
			var origins []string
			for _, e := range a.Evidence {
				origins = append(origins, e.Origin)
			}
			t.Errorf("alert outside every story: %s (%s) on %v", a.Rule.Title, a.Level, origins)
		}
		for s := range stories {
			if detected[s] == nil {
				detected[s] = map[string]bool{}
			}
			for _, i := range a.Rule.Implements {
				detected[s][i] = true
			}
			hit[s] = append(hit[s], a.Rule.Title)
		}
	}
	for _, tr := range gt.Traps {
		if tr.Expected.MustNotAlert && len(hit[tr.ID]) > 0 {
			t.Errorf("trap %s (%s) raised alerts: %v", tr.ID, tr.Title, hit[tr.ID])
		}
	}
	for _, s := range gt.Stories {
		if len(hit[s.ID]) == 0 {
			t.Errorf("story %s (%s) not detected", s.ID, s.Title)
			continue
		}
		var missing []string
		for _, i := range s.Expected.Implements {
			if !detected[s.ID][i] {
				missing = append(missing, i)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Errorf("story %s (%s): no alert from a rule implementing %v (alerts: %v)", s.ID, s.Title, missing, hit[s.ID])
		}
	}
}
