package scan

import (
	"errors"
	"hash/maphash"
	"io"
	"math/bits"
	"os"
	"slices"
	"sync"
	"unsafe"

	"github.com/idsentry/idsentry/internal/event"
)

// idSet remembers the (kind, record ID) pairs seen so far, to drop records
// that overlapping exports repeat. It is exact on 64-bit hashes of the pairs
// (a collision between two distinct IDs, odds ~1e-7 at 3 million records,
// would drop one record) and, being exact, grows with the number of
// distinct records: the one part of a scan's memory that does.
//
// It is kept small: each of 64 shards (by the hash's top 6 bits) holds a
// fixed open-addressing buffer of new hashes (idBufCap in idBufSlots slots)
// and, for everything older, a sorted, Rice-coded list. The list is cut into
// 2^b buckets by the next b bits of the hash (n/32 ≤ 2^b < n/16 for n
// hashes); in a bucket each hash is coded as its distance from the previous
// one (or the bucket's start), less one. A shard of n hashes spans 2^58
// values, so the distances average 2^58/n and code in about log2(2^58/n)+2
// bits: 5.6 bytes per hash at the bench's 1.38 million sign-ins (5 GB) and
// 5.9 at its 279,000 (1 GB), where an 8-byte hash table at a 3/8–3/4 load
// took 11–21. A full buffer is merged into the list in one pass over both.
//
// The coded lists are kept in temporary files (one per shard, unlinked once
// open where the platform allows) and read back with pread: the operating
// system's page cache holds them, reclaimable, not the process, so the
// scan's resident memory grows by only the buckets' offsets and 128-bit
// signatures (two bits set per hash), 1.2–1.5 bytes per record at those
// sizes. The signature answers most lookups of a new hash without a read
// (96 % of the 279,000 IDs, 91 % of the 1.38 million); the rest, and every
// repeat, read one bucket, about 100–200 bytes. Where no temporary file can
// be made the lists stay in memory. Buffers, offsets,
// signatures and in-memory lists live outside the Go heap (allocSlots):
// they hold no pointers, and on the heap they would raise the collector's
// goal. free releases them and the files.
type idSet struct {
	seed   maphash.Seed
	dir    string // for the list files ("" = the system's temporary directory)
	shards [64]idShard
}

const (
	idBufSlots = 4096 // slots of a shard's buffer (32 KiB)
	idBufCap   = 2048 // hashes a buffer takes before it is merged (load 1/2)
)

type idShard struct {
	mu sync.Mutex
	// buf: open addressing, 0 = empty (hashes are forced non-zero).
	buf  []uint64
	nbuf int
	// The coded list of n hashes: bucket j's codes run from bit offs[j]
	// to offs[j+1] of the list, in file (words words) or, without one, in
	// code; buckets are 2^shift values wide; distances less one are coded
	// with Rice parameter k.
	offs  []uint64
	sigs  []uint64 // per bucket, 128 bits: two set per hash (sigBits)
	code  []uint64
	file  *os.File
	words int
	n     int
	reads int // lookups that read the file
	shift uint
	k     uint
	// Which are outside the Go heap (allocSlots); whether file is still
	// to be removed (where an open file cannot be).
	bufMapped, offsMapped, sigsMapped, codeMapped, remove bool
	// Pad shards to 192 bytes, so that no two shards' hot fields share a
	// cache line wherever the set is allocated: workers adding to
	// neighbouring shards must not contend for one line.
	_   [11]byte
	dir string
}

// newIDSet returns an empty set whose lists go to files in dir ("" = the
// system's temporary directory).
func newIDSet(dir string) *idSet {
	s := &idSet{seed: maphash.MakeSeed(), dir: dir}
	for i := range s.shards {
		s.shards[i].dir = dir
	}
	return s
}

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
	return sh.add(v)
}

func (sh *idShard) add(v uint64) bool {
	if sh.buf == nil {
		sh.buf, sh.bufMapped = allocSlots(idBufSlots)
	}
	const mask = idBufSlots - 1
	i := (v * 0x9E3779B97F4A7C15) >> (64 - 12) & mask
	for ; sh.buf[i] != 0; i = (i + 1) & mask {
		if sh.buf[i] == v {
			return false
		}
	}
	if sh.contains(v) {
		return false
	}
	sh.buf[i] = v
	sh.nbuf++
	if sh.nbuf == idBufCap {
		sh.merge()
	}
	return true
}

const idLow = 1<<58 - 1 // the bits of a hash under its shard's

// contains reports whether v is in the coded list.
func (sh *idShard) contains(v uint64) bool {
	if sh.n == 0 {
		return false
	}
	low := v & idLow
	j := low >> sh.shift
	cur := j<<sh.shift - 1
	start, end := sh.offs[j], sh.offs[j+1]
	if start == end || !sh.maybe(j, low) {
		return false
	}
	var r bitReader
	if sh.file == nil {
		r = bitReader{w: sh.code, pos: start}
	} else {
		// The bucket's words and a spare one (reads run past the end).
		var stack [48]uint64
		first, last := start>>6, (end+63)>>6
		var w []uint64
		if n := int(last - first + 1); n <= len(stack) {
			w = stack[:n]
		} else {
			w = make([]uint64, n)
		}
		sh.reads++
		if !sh.read(w, int64(first)*8) {
			return false
		}
		r = bitReader{w: w, pos: start - first*64}
		end -= first * 64
	}
	for r.pos < end {
		cur += r.rice(sh.k) + 1
		if cur >= low {
			return cur == low
		}
	}
	return false
}

// sigBits returns the two bits a hash sets in its bucket's signature,
// from its lowest 14 bits (the bucket comes from its highest).
func sigBits(low uint64) (a, b uint64) { return low & 127, low >> 7 & 127 }

// maybe reports whether bucket j's signature has low's two bits: if not,
// low is not in the bucket and its codes need not be read.
func (sh *idShard) maybe(j, low uint64) bool {
	a, b := sigBits(low)
	sig := sh.sigs[2*j:]
	return sig[a>>6]>>(a&63)&1 != 0 && sig[b>>6]>>(b&63)&1 != 0
}

// read fills w from the list file at byte off (zeros past its end). A
// failed read (the temporary file gone) counts as not found: the record is
// kept, never wrongly dropped.
func (sh *idShard) read(w []uint64, off int64) bool {
	b := wordBytes(w)
	n, err := sh.file.ReadAt(b, off)
	if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
		return false
	}
	clear(b[n:])
	return true
}

func wordBytes(w []uint64) []byte {
	if len(w) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)*8)
}

// merge codes the buffer's hashes and the list's into a new list and
// empties the buffer.
func (sh *idShard) merge() {
	add := make([]uint64, 0, sh.nbuf)
	for i, v := range sh.buf {
		if v != 0 {
			add = append(add, v&idLow)
			sh.buf[i] = 0
		}
	}
	sh.nbuf = 0
	slices.Sort(add)
	// The old list: in memory, or read back from its file.
	old, oldMapped := sh.code, sh.codeMapped
	if sh.file != nil && sh.n > 0 {
		old, oldMapped = allocSlots(sh.words + 1)
		if !sh.read(old[:sh.words], 0) {
			// The file is gone: keep what can be kept, the buffer's
			// hashes (its lost ones will pass as new).
			sh.n = 0
		}
	}

	n := sh.n + len(add)
	// 2^b buckets of 16 to 32 hashes; Rice parameter: the floor of log2
	// of the mean distance.
	b := uint(max(bits.Len(uint(n/16))-1, 0))
	shift := 58 - b
	k := uint(bits.Len64(uint64(1<<58)/uint64(n)) - 1)
	// Each hash takes k+1 bits and its quotient; a bucket's quotients sum
	// to at most 2^shift>>k; one spare word lets reads run past the end.
	qmax := 1
	if shift > k {
		qmax = 1 << (shift - k)
	}
	offs, offsMapped := allocSlots(1<<b + 1)
	sigs, sigsMapped := allocSlots(2 << b)
	code, codeMapped := allocSlots((n*int(k+1)+qmax<<b+63)/64 + 1)

	it := listIter{sh: sh, r: bitReader{w: old}, cur: ^uint64(0)}
	w := bitWriter{w: code}
	var bucket uint64 // the bucket being written
	prev := ^uint64(0)
	emit := func(v uint64) {
		if j := v >> shift; j != bucket {
			for bucket < j {
				bucket++
				offs[bucket] = w.pos
			}
			prev = j<<shift - 1
		}
		x, y := sigBits(v)
		sigs[2*bucket+x>>6] |= 1 << (x & 63)
		sigs[2*bucket+y>>6] |= 1 << (y & 63)
		w.rice(v-prev-1, k)
		prev = v
	}
	ov, ok := it.next()
	for _, v := range add {
		for ok && ov < v {
			emit(ov)
			ov, ok = it.next()
		}
		emit(v)
	}
	for ok {
		emit(ov)
		ov, ok = it.next()
	}
	for bucket < 1<<b {
		bucket++
		offs[bucket] = w.pos
	}

	freeSlots(old, oldMapped)
	freeSlots(sh.offs, sh.offsMapped)
	freeSlots(sh.sigs, sh.sigsMapped)
	sh.offs, sh.offsMapped = offs, offsMapped
	sh.sigs, sh.sigsMapped = sigs, sigsMapped
	sh.n, sh.shift, sh.k = n, shift, k
	sh.words = int((w.pos + 63) / 64)
	sh.code, sh.codeMapped = code, codeMapped
	if sh.store() {
		freeSlots(code, codeMapped)
		sh.code, sh.codeMapped = nil, false
	}
}

// store writes the list in code to the shard's file, making the file on
// first use, and reports whether it did; if not, the list stays in memory.
func (sh *idShard) store() bool {
	if sh.file == nil {
		f, err := os.CreateTemp(sh.dir, "idsentry-ids-*")
		if err != nil {
			return false
		}
		sh.file = f
		// Unlinked while open, the file goes with the process however it
		// ends; where that is refused, free removes it.
		sh.remove = os.Remove(f.Name()) != nil
	}
	b := wordBytes(sh.code[:sh.words])
	if _, err := sh.file.WriteAt(b, 0); err != nil {
		sh.closeFile()
		return false
	}
	return true
}

func (sh *idShard) closeFile() {
	if sh.file == nil {
		return
	}
	sh.file.Close()
	if sh.remove {
		os.Remove(sh.file.Name())
	}
	sh.file, sh.remove = nil, false
}

// listIter walks a shard's coded list, in r's words, in order, giving
// each hash's low 58 bits; cur starts one before bucket 0 (^0).
type listIter struct {
	sh  *idShard
	j   uint64 // the bucket being read
	cur uint64
	r   bitReader
}

func (it *listIter) next() (uint64, bool) {
	sh := it.sh
	if sh.n == 0 {
		return 0, false
	}
	for it.r.pos >= sh.offs[it.j+1] {
		it.j++
		if it.j+1 >= uint64(len(sh.offs)) {
			return 0, false
		}
		it.cur = it.j<<sh.shift - 1
	}
	it.cur += it.r.rice(sh.k) + 1
	return it.cur, true
}

// bitWriter appends bits, least significant first, to zeroed words.
type bitWriter struct {
	w   []uint64
	pos uint64
}

// rice writes x as x>>k zero bits, a one, and x's low k bits.
func (b *bitWriter) rice(x uint64, k uint) {
	b.pos += x >> k
	b.put(1, 1)
	if k > 0 {
		b.put(x&(1<<k-1), k)
	}
}

// put writes the low n bits of v (1 ≤ n ≤ 63).
func (b *bitWriter) put(v uint64, n uint) {
	word, off := b.pos>>6, uint(b.pos&63)
	b.w[word] |= v << off
	if off+n > 64 {
		b.w[word+1] |= v >> (64 - off)
	}
	b.pos += uint64(n)
}

type bitReader struct {
	w   []uint64
	pos uint64
}

// rice reads what bitWriter.rice wrote.
func (r *bitReader) rice(k uint) uint64 {
	var q uint64
	for {
		off := uint(r.pos & 63)
		if word := r.w[r.pos>>6] >> off; word != 0 {
			z := uint64(bits.TrailingZeros64(word))
			q += z
			r.pos += z + 1
			break
		}
		q += uint64(64 - off)
		r.pos += uint64(64 - off)
	}
	if k == 0 {
		return q
	}
	word, off := r.pos>>6, uint(r.pos&63)
	x := r.w[word] >> off
	if off+k > 64 {
		x |= r.w[word+1] << (64 - off)
	}
	r.pos += uint64(k)
	return q<<k | x&(1<<k-1)
}

// free releases the tables; the set must not be used after.
func (s *idSet) free() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		freeSlots(sh.buf, sh.bufMapped)
		freeSlots(sh.offs, sh.offsMapped)
		freeSlots(sh.sigs, sh.sigsMapped)
		freeSlots(sh.code, sh.codeMapped)
		sh.closeFile()
		sh.buf, sh.offs, sh.sigs, sh.code = nil, nil, nil, nil
		sh.nbuf, sh.n, sh.shift, sh.k = 0, 0, 0, 0
		sh.bufMapped, sh.offsMapped, sh.sigsMapped, sh.codeMapped = false, false, false, false
		sh.mu.Unlock()
	}
}
