package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMergeByTime(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.json", `{"time":"2026-11-16T00:00:01.0000000Z","n":"a1"}`, `{"time":"2026-11-16T00:00:03.0000000Z","n":"a2"}`)
	b := write("b.json", `{"time":"2026-11-16T00:00:02.0000000Z","n":"b1"}`, "", `{"time":"2026-11-16T00:00:04.0000000Z","n":"b2"}`+"\n")
	for _, tc := range []struct {
		limit int64
		want  []string
	}{
		{1 << 20, []string{"a1", "b1", "a2", "b2"}},
		{60, []string{"a1", "b1"}},
		{1, []string{"a1"}},
	} {
		out := filepath.Join(dir, "out.ndjson")
		written, records, err := mergeByTime(out, []string{a, b}, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(data)) != written || records != int64(len(tc.want)) {
			t.Errorf("limit %d: wrote %d bytes (file %d), %d records; want %d records", tc.limit, written, len(data), records, len(tc.want))
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			got = append(got, l[strings.LastIndex(l, ":")+2:len(l)-2])
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("limit %d: order %v, want %v", tc.limit, got, tc.want)
		}
	}
}

func TestRecordTime(t *testing.T) {
	if got := recordTime([]byte(`{"time":"2026-11-16T00:00:50.5548121Z","x":1}`)); got.IsZero() || got.Nanosecond() != 554812100 {
		t.Errorf("recordTime = %v", got)
	}
	for _, l := range []string{`{"x":1}`, `{"time":"yesterday"}`, `{"time":"2026-11-16`} {
		if got := recordTime([]byte(l)); !got.IsZero() {
			t.Errorf("recordTime(%s) = %v, want zero", l, got)
		}
	}
}
