package scan

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"unsafe"

	"github.com/idsentry/idsentry/internal/event"
)

// TestIDSet adds enough IDs to merge every shard's buffer into its coded
// list many times and checks that each is new once, that a repeat is not
// (whether still in the buffer or in the list), and that the kind is part
// of the identity.
func TestIDSet(t *testing.T) {
	s := newIDSet(t.TempDir())
	defer s.free()
	const n = 300_000
	for i := range n {
		if !s.add(event.KindEntraSignIn, "id-"+strconv.Itoa(i)) {
			t.Fatalf("id-%d reported as seen on first add", i)
		}
	}
	// The signatures spare most new hashes a read of the file.
	reads := 0
	for i := range s.shards {
		reads += s.shards[i].reads
	}
	if reads > n/5 {
		t.Fatalf("%d of %d new IDs read a bucket from the file", reads, n)
	}
	t.Logf("%d of %d new IDs read a bucket from the file", reads, n)
	for i := range n {
		if s.add(event.KindEntraSignIn, "id-"+strconv.Itoa(i)) {
			t.Fatalf("id-%d reported as new on its second add", i)
		}
	}
	if !s.add(event.KindEntraAudit, "id-0") {
		t.Fatal("the same ID of another kind reported as seen")
	}
	total, coded := 0, 0
	for i := range s.shards {
		sh := &s.shards[i]
		total += sh.n + sh.nbuf
		coded += sh.n
		if sh.nbuf >= idBufCap {
			t.Fatalf("shard %d: %d hashes in its buffer, cap %d", i, sh.nbuf, idBufCap)
		}
	}
	if total != n+1 {
		t.Fatalf("%d entries, want %d", total, n+1)
	}
	// The space the doc comment claims: about 6 bytes per hash in the
	// files (coded distances), about 1 in memory (bucket offsets and
	// signatures) once the lists hold most of them.
	inFile, inMemory := 0, 0
	for i := range s.shards {
		sh := &s.shards[i]
		if sh.file == nil {
			t.Fatalf("shard %d: list not in a file", i)
		}
		inFile += int(sh.offs[len(sh.offs)-1]+7) / 8
		inMemory += 8*len(sh.offs) + 8*len(sh.sigs)
	}
	perFile, perMemory := float64(inFile)/float64(coded), float64(inMemory)/float64(coded)
	t.Logf("%.2f bytes per coded hash in files, %.2f in memory", perFile, perMemory)
	if perFile > 6.2 || perMemory > 1.6 {
		t.Fatalf("%.2f bytes per coded hash in files, %.2f in memory", perFile, perMemory)
	}
	if coded < n/2 {
		t.Fatalf("only %d of %d hashes in the coded lists: the merge was not exercised", coded, n)
	}
	s.free()
	for i := range s.shards {
		if sh := &s.shards[i]; sh.buf != nil || sh.offs != nil || sh.code != nil || sh.n != 0 {
			t.Fatalf("shard %d holds its tables after free", i)
		}
	}
	if sz := unsafe.Sizeof(idShard{}); sz%64 != 0 || sz > 192 {
		t.Fatalf("idShard is %d bytes, not a multiple of a cache line", sz)
	}
}

// TestIDShardExact drives one shard with hash sets of different shapes —
// uniform, consecutive (Rice parameter 0), tight clusters far apart (long
// quotients), and the extremes of the range — against a map: every add
// must agree with it, through many merges.
func TestIDShardExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := map[string]func(i int) uint64{
		"uniform": func(int) uint64 { return rng.Uint64() },
		"consecutive": func(i int) uint64 {
			return uint64(rng.IntN(3*idBufCap)) + 1
		},
		"clusters": func(i int) uint64 {
			base := uint64(rng.IntN(8)) << 55
			return base + uint64(rng.IntN(5000)) + 1
		},
		"extremes": func(i int) uint64 {
			if i%2 == 0 {
				return ^uint64(0) - uint64(rng.IntN(4000))
			}
			return uint64(rng.IntN(4000)) | 1
		},
		"mixed": func(i int) uint64 {
			switch i % 3 {
			case 0:
				return rng.Uint64() | 1
			case 1:
				return uint64(rng.IntN(1000)) + 1
			}
			return ^uint64(0) - uint64(rng.IntN(1000))
		},
	}
	// With the lists in a file, and in memory where no file can be made.
	dirs := map[string]string{"file": t.TempDir(), "memory": filepath.Join(t.TempDir(), "missing")}
	for name, gen := range shapes {
		for mode, dir := range dirs {
			t.Run(name+"/"+mode, func(t *testing.T) {
				sh := idShard{dir: dir}
				defer func() {
					freeSlots(sh.buf, sh.bufMapped)
					freeSlots(sh.offs, sh.offsMapped)
					freeSlots(sh.code, sh.codeMapped)
					sh.closeFile()
				}()
				seen := map[uint64]bool{}
				for i := range 6 * idBufCap * 2 {
					v := gen(i)
					if v == 0 {
						v = 1
					}
					if got, want := sh.add(v), !seen[v]; got != want {
						t.Fatalf("add #%d (%#x): new=%v, want %v", i, v, got, want)
					}
					seen[v] = true
				}
				if sh.n+sh.nbuf != len(seen) {
					t.Fatalf("%d hashes held, want %d", sh.n+sh.nbuf, len(seen))
				}
				if sh.n == 0 {
					t.Fatal("no merge happened")
				}
				for v := range seen {
					if sh.add(v) {
						t.Fatalf("%#x reported as new on a repeat", v)
					}
				}
				if inFile := sh.file != nil; inFile != (mode == "file") || inFile == (sh.code != nil) {
					t.Fatalf("list in a file: %v, in memory: %v; mode %s", inFile, sh.code != nil, mode)
				}
			})
		}
	}
}

// TestRiceRoundTrip writes values of every width with every parameter and
// reads them back.
func TestRiceRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for k := uint(0); k <= 57; k++ {
		xs := make([]uint64, 500)
		total := 0
		for i := range xs {
			x := rng.Uint64() >> (64 - min(k+3, 63))
			xs[i] = x
			total += int(x>>k) + int(k) + 1
		}
		w := bitWriter{w: make([]uint64, total/64+2)}
		for _, x := range xs {
			w.rice(x, k)
		}
		r := bitReader{w: w.w}
		for i, x := range xs {
			if got := r.rice(k); got != x {
				t.Fatalf("k=%d value %d: read %#x, wrote %#x", k, i, got, x)
			}
		}
		if r.pos != w.pos {
			t.Fatalf("k=%d: read %d bits, wrote %d", k, r.pos, w.pos)
		}
	}
}

// BenchmarkIDSet adds a million distinct IDs, then repeats them.
func BenchmarkIDSet(b *testing.B) {
	ids := make([]string, 1_000_000)
	for i := range ids {
		ids[i] = "0b7a1f52-" + strconv.Itoa(i) + "-4c7e-9d3a-5f1e2b8c7a90"
	}
	b.ResetTimer()
	for range b.N {
		s := newIDSet(b.TempDir())
		for _, id := range ids {
			s.add(event.KindEntraSignIn, id)
		}
		for _, id := range ids {
			s.add(event.KindEntraSignIn, id)
		}
		s.free()
	}
}
