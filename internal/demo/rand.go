package demo

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"net/netip"
	"time"
)

// rng wraps a PCG-seeded generator with the helpers the generator needs.
// Every random choice in the package goes through one of these, so output is
// a pure function of the seed.
type rng struct{ *rand.Rand }

// newRNG returns a generator for one independent stream of the seed. Streams
// keep the tenant, the stories and the background apart, so changing the
// background volume never changes a story record.
func newRNG(seed int64, stream uint64) rng {
	return rng{rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15^stream))}
}

// guid returns a random RFC 4122 version-4 GUID in lower-case text form.
func (r rng) guid() string {
	var b [16]byte
	r.fill(b[:])
	return formatGUID(b)
}

// hashGUID returns a version-4-shaped GUID that is a function of parts:
// an identifier the generator derives without drawing from a stream.
func hashGUID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return formatGUID([16]byte(h.Sum(nil)))
}

// formatGUID renders 16 random bytes as a version-4 GUID in lower-case
// text form.
func formatGUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

func (r rng) fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}

// hexID returns n random bytes as upper-case hex (PUIDs, request IDs).
func (r rng) hexID(n int) string {
	b := make([]byte, n)
	r.fill(b)
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*n)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return string(out)
}

// token returns n random bytes in unpadded base64url, the shape of
// uniqueTokenIdentifier.
func (r rng) token(n int) string {
	b := make([]byte, n)
	r.fill(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pick returns a random element of xs.
func pick[T any](r rng, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// between returns a duration uniformly in [lo, hi).
func (r rng) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// exp returns an exponentially distributed value with mean 1.
func (r rng) exp() float64 { return r.ExpFloat64() }

// hostIn returns the n-th usable host address of prefix p (1-based), or the
// zero address when n is out of range.
func hostIn(p netip.Prefix, n int) netip.Addr {
	b := p.Masked().Addr().As16()
	carry := uint64(n)
	for i := 15; i >= 0 && carry > 0; i-- {
		s := uint64(b[i]) + carry&0xff
		b[i] = byte(s)
		carry = carry>>8 + s>>8
	}
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		a = a.Unmap()
	}
	if !p.Contains(a) {
		return netip.Addr{}
	}
	return a
}
