package scan

import (
	"hash/maphash"
	"sync"

	"github.com/idsentry/idsentry/internal/event"
)

// idSet remembers the (kind, record ID) pairs seen so far, to drop records
// that overlapping exports repeat. It stores 64-bit hashes in sharded
// open-addressing tables outside the Go heap (allocSlots): 8 bytes per slot
// at a load of 3/8 to 3/4, about 11–21 bytes per record, so the 1.39 million
// sign-ins of the bench's 5 GB set take 16.8 MB. This is the one part of a
// scan's memory that grows with the number of records: exact membership
// needs it. A 64-bit collision between two distinct IDs (odds ~1e-7 at 3
// million records) would drop one record. free releases the tables.
type idSet struct {
	seed   maphash.Seed
	shards [64]idShard
}

type idShard struct {
	mu     sync.Mutex
	slots  []uint64 // 0 = empty; hashes are forced non-zero
	n      int
	mapped bool // slots are outside the Go heap (allocSlots)
	// Pad shards to 128 bytes, so that no two shards' fields share a
	// 64-byte cache line wherever the set is allocated: workers adding to
	// neighbouring shards must not contend for one line.
	_ [128 - 8 - 24 - 8 - 8]byte
}

func newIDSet() *idSet { return &idSet{seed: maphash.MakeSeed()} }

// add records (k, id) and reports whether it was new.
func (s *idSet) add(k event.Kind, id string) bool {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteByte(byte(k))
	h.WriteString(id)
	v := h.Sum64() | 1
	sh := &s.shards[v>>58]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.n*4 >= len(sh.slots)*3 {
		sh.grow()
	}
	mask := uint64(len(sh.slots) - 1)
	for i := (v * 0x9E3779B97F4A7C15) & mask; ; i = (i + 1) & mask {
		switch sh.slots[i] {
		case 0:
			sh.slots[i] = v
			sh.n++
			return true
		case v:
			return false
		}
	}
}

func (sh *idShard) grow() {
	old := sh.slots
	size := 1024
	if len(old) > 0 {
		size = len(old) * 2
	}
	oldMapped := sh.mapped
	sh.slots, sh.mapped = allocSlots(size)
	mask := uint64(size - 1)
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := (v * 0x9E3779B97F4A7C15) & mask
		for sh.slots[i] != 0 {
			i = (i + 1) & mask
		}
		sh.slots[i] = v
	}
	freeSlots(old, oldMapped)
}

// free releases the tables; the set must not be used after.
func (s *idSet) free() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		freeSlots(sh.slots, sh.mapped)
		sh.slots, sh.n, sh.mapped = nil, 0, false
		sh.mu.Unlock()
	}
}
