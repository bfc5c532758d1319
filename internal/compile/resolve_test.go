package compile

import (
	"testing"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/valyala/fastjson"
)

// FuzzResolve checks that slot resolution finds exactly the values
// event.Each finds, in the same order.
func FuzzResolve(f *testing.F) {
	seeds := [][2]string{
		{`{"a":{"b":1}}`, "a.b"},
		{`{"a.b":1}`, "a.b"},
		{`{"a":[{"b":1},{"b":[2,3]}]}`, "a.b"},
		{`{"a":{"b.c":{"d":4}}}`, "a.b.c.d"},
		{`{"a":[[{"b":1}]]}`, "a.b"},
		{`{"x.y.z":1,"x":{"y":null}}`, "x.y.z"},
		{`[{"a":1}]`, "a"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, doc, path string) {
		v, err := fastjson.Parse(doc)
		if err != nil || path == "" || len(path) > 64 {
			return
		}
		p := event.ParsePath(path)
		kt := &kindTable{slotOf: map[string]int{}}
		idx := kt.slotFor(p)
		m := &Matcher{slots: make([]slot, 1), kt: kt, ev: &event.Event{Doc: v}, gen: 1}
		got := m.slot(idx).vals
		var want []*fastjson.Value
		event.Each(v, p, func(x *fastjson.Value) bool { want = append(want, x); return true })
		if len(got) != len(want) {
			t.Fatalf("%s at %q: %d values, event.Each %d", doc, path, len(got), len(want))
		}
		for i := range got {
			if got[i].v != want[i] {
				t.Fatalf("%s at %q: value %d differs", doc, path, i)
			}
		}
	})
}
