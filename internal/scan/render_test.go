package scan

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/idsentry/idsentry/internal/demo"
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/normalize"
)

// renderCheck stores every event in a spill that keeps the records as read
// (normalize.Render renders them back), and keeps the canonical JSON the
// event had to compare.
type renderCheck struct {
	sp   *event.Spill
	mu   *sync.Mutex
	got  *[]*event.Stored
	want *[][]byte
	// inFile counts the events that can be read back from their file.
	inFile *int
}

func (h renderCheck) Event(ev *event.Event) {
	var buf []byte
	st := ev.CloneTo(h.sp, &buf)
	want := ev.CanonicalJSON()
	h.mu.Lock()
	if ev.InFile {
		*h.inFile++
	}
	*h.got = append(*h.got, st)
	*h.want = append(*h.want, want)
	h.mu.Unlock()
}

// TestRenderedEvidence: an event stored as its original record (read back
// from its input file, or from the spill) renders back to the canonical
// JSON it had, and is made again into the event it was (Stored.Reread), for every record of every real sample log and of every
// export format the demo tenant writes (Graph, Azure Monitor, Log
// Analytics, UAL and Purview CSV, CloudTrail, Kubernetes).
func TestRenderedEvidence(t *testing.T) {
	dirs := []string{t.TempDir()}
	if _, err := demo.Generate(demo.Options{Dir: dirs[0], Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(shared); err == nil {
		dirs = append(dirs, shared)
	}
	// The normalisers' own test files: third-party shapes, portal CSV
	// downloads that name their sign-in type only in the file name.
	for _, d := range []string{"entra", "other", "thirdparty"} {
		dirs = append(dirs, filepath.Join("..", "normalize", "testdata", d))
	}
	sp, err := event.NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	sp.SetRender(normalize.Render)
	sp.SetReparse(normalize.Reparse)
	var (
		mu     sync.Mutex
		got    []*event.Stored
		want   [][]byte
		inFile int
	)
	h := renderCheck{sp: sp, mu: &mu, got: &got, want: &want, inFile: &inFile}
	res, err := Run(context.Background(), dirs, Options{NoDedup: true, NewHandler: func(int) Handler { return h }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records < 10000 || int64(len(got)) != res.Records {
		t.Fatalf("%d events stored of %d records", len(got), res.Records)
	}
	if sp.Size() == 0 || inFile < len(got)/2 || inFile == len(got) {
		t.Fatalf("%d bytes spilled, %d of %d events in their files: not both ways tested", sp.Size(), inFile, len(got))
	}
	bad := 0
	for i, st := range got {
		if g := st.JSON(); !bytes.Equal(g, want[i]) {
			if bad++; bad <= 3 {
				t.Errorf("%s (%s): rendered\n%s\nwant\n%s", st.Origin, st.Format, g, want[i])
			}
		}
		// Made again from the record as read, the event is the one the
		// scan matched (what a deferred match is rebuilt from).
		ev, done, err := st.Reread()
		if err != nil || ev == nil {
			t.Fatalf("%s: made again: %v", st.Origin, err)
		}
		if g := ev.CanonicalJSON(); !bytes.Equal(g, want[i]) || ev.Kind != st.Kind || !ev.Time.Equal(st.Time) || ev.ID != st.ID {
			if bad++; bad <= 3 {
				t.Errorf("%s (%s): made again %s %s %s\n%s\nwant %s %s %s\n%s", st.Origin, st.Format, ev.Kind, ev.Time, ev.ID, g, st.Kind, st.Time, st.ID, want[i])
			}
		}
		done()
	}
	if bad > 0 {
		t.Errorf("%d of %d events render differently", bad, len(got))
	}
}
