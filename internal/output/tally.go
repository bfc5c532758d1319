package output

import "sort"

// Tally counts occurrences of distinct values up to a cap; Other counts the
// occurrences of values that arrived once the cap was reached.
type Tally struct {
	counts map[string]*int64
	Other  int64 `json:"other,omitempty"`
}

// ValueCount is a value and how often it occurred.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// addBytes counts one occurrence of v, copying it only when it is new.
func (t *Tally) addBytes(v []byte, limit int) {
	if len(v) == 0 {
		return
	}
	if c := t.counts[string(v)]; c != nil {
		*c++
		return
	}
	t.add(string(v), 1, limit)
}

// add counts n occurrences of v.
func (t *Tally) add(v string, n int64, limit int) {
	if v == "" || n == 0 {
		return
	}
	if c := t.counts[v]; c != nil {
		*c += n
		return
	}
	if len(t.counts) >= limit {
		t.Other += n
		return
	}
	if t.counts == nil {
		t.counts = map[string]*int64{}
	}
	c := n
	t.counts[v] = &c
}

func (t *Tally) merge(o *Tally, limit int) {
	for _, vc := range o.Values() {
		t.add(vc.Value, vc.Count, limit)
	}
	t.Other += o.Other
}

// Len returns the number of distinct values kept.
func (t *Tally) Len() int { return len(t.counts) }

// Values returns the values, most frequent first, then by value.
func (t *Tally) Values() []ValueCount {
	out := make([]ValueCount, 0, len(t.counts))
	for v, n := range t.counts {
		out = append(out, ValueCount{v, *n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// MarshalJSON renders the tally as its sorted values.
func (t Tally) MarshalJSON() ([]byte, error) {
	return marshalNoEscape(struct {
		Values []ValueCount `json:"values"`
		Other  int64        `json:"other,omitempty"`
	}{t.Values(), t.Other})
}
