package event

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/idsentry/idsentry/internal/binenc"
	"github.com/valyala/fastjson"
)

func TestSpillRoundTrip(t *testing.T) {
	sp, err := NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	name := sp.f.Name()
	// Many workers spill concurrently; every copy reads back as the
	// in-memory clone has it.
	var wg sync.WaitGroup
	stored := make([][]*Stored, 4)
	want := make([][]string, 4)
	for w := range stored {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := 0; i < 500; i++ {
				doc := fastjson.MustParse(fmt.Sprintf(`{"userPrincipalName":"u%d@contoso.example","worker":%d,"bad":"\u00e9","pad":%q}`, i, w, strings.Repeat("x", i)))
				ev := &Event{Kind: KindEntraSignIn, Format: "graph", ID: fmt.Sprint(w, "-", i), Doc: doc, Origin: Origin{File: "f.json", Line: i + 1}}
				stored[w] = append(stored[w], ev.CloneTo(sp, &buf))
				want[w] = append(want[w], string(ev.Clone().Event))
			}
		}()
	}
	wg.Wait()
	for w := range stored {
		for i, st := range stored[w] {
			if st.Event != nil {
				t.Fatalf("worker %d record %d kept in memory", w, i)
			}
			if got := string(st.JSON()); got != want[w][i] {
				t.Fatalf("worker %d record %d: JSON() = %s, want %s", w, i, got, want[w][i])
			}
		}
	}
	if sp.Size() == 0 {
		t.Error("Size() = 0 after spilling")
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("spill file %s still exists after Close: %v", name, err)
	}
	if got := stored[0][0].JSON(); got != nil {
		t.Errorf("JSON() after Close = %s, want nil", got)
	}
}

// TestSpillRaw: with a renderer, CloneTo writes the record as read and
// JSON renders it; the container reaches the renderer, also through the
// binary encoding; an event without its record is rendered as before.
func TestSpillRaw(t *testing.T) {
	sp, err := NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var calls []uint8
	sp.SetRender(func(raw []byte, c uint8, _ Origin) ([]byte, error) {
		calls = append(calls, c)
		return []byte(`{"rendered":` + string(raw) + `}`), nil
	})
	var buf []byte
	raw := `{"a":1}`
	ev := &Event{Kind: KindEntraSignIn, Doc: fastjson.MustParse(`{"b":2}`), Raw: []byte(raw), Container: 3, Origin: Origin{File: "f", Line: 1}}
	st := ev.CloneTo(sp, &buf)
	if got := string(st.JSON()); got != `{"rendered":{"a":1}}` {
		t.Errorf("JSON() = %s", got)
	}
	back := DecodeStored(binenc.NewDecoder(st.AppendBinary(nil)), sp)
	if got := string(back.JSON()); got != `{"rendered":{"a":1}}` {
		t.Errorf("decoded JSON() = %s", got)
	}
	if fmt.Sprint(calls) != "[3 3]" {
		t.Errorf("renderer saw containers %v", calls)
	}
	if sp.Size() != int64(len(raw)) {
		t.Errorf("spill holds %d bytes, want the record's %d", sp.Size(), len(raw))
	}
	noRaw := &Event{Kind: KindEntraSignIn, Doc: fastjson.MustParse(`{"b":2}`)}
	if got := string(noRaw.CloneTo(sp, &buf).JSON()); got != `{"b":2}` {
		t.Errorf("event without its record: JSON() = %s", got)
	}
}

// TestSpillInFile: an event whose record can be read again from its input
// file is not written to the spill; it renders from the file, and not at
// all once the file changed there.
func TestSpillInFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ndjson")
	lines := "{\"a\":1}\n{\"a\":22}\n"
	if err := os.WriteFile(in, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := NewSpill(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	sp.SetRender(func(raw []byte, c uint8, o Origin) ([]byte, error) {
		return []byte(fmt.Sprintf(`{"container":%d,"file":%q,"record":%s}`, c, filepath.Base(o.File), raw)), nil
	})
	var buf []byte
	ev := &Event{Kind: KindEntraSignIn, Doc: fastjson.MustParse(`{"b":2}`), Raw: []byte(`{"a":22}`), Container: 2,
		InFile: true, Origin: Origin{File: in, Line: 2, Offset: 8}}
	st := ev.CloneTo(sp, &buf)
	back := DecodeStored(binenc.NewDecoder(st.AppendBinary(nil)), sp)
	for _, s := range []*Stored{st, back} {
		if got := string(s.JSON()); got != `{"container":2,"file":"in.ndjson","record":{"a":22}}` {
			t.Errorf("JSON() = %s", got)
		}
	}
	if sp.Size() != 0 {
		t.Errorf("%d bytes spilled for a record in its file", sp.Size())
	}
	if err := os.WriteFile(in, []byte("{\"a\":1}\n{\"a\":23}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := st.JSON(); got != nil {
		t.Errorf("JSON() of a changed record = %s, want nil", got)
	}
}
