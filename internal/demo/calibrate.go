package demo

import (
	"bytes"
	"time"

	"github.com/klauspost/compress/gzip"
)

// sampleFires is how many events of each stream are rendered to estimate
// its bytes per event.
const sampleFires = 24

// measure collects bytes written in measuring mode.
type measure struct {
	plain, gz int64
	gzSample  bytes.Buffer
}

func (m *measure) add(f *family, data []byte, row []string) {
	n := int64(len(data) + 2)
	for _, c := range row {
		n += int64(len(c) + 3)
	}
	if !f.gz {
		m.plain += n
		return
	}
	m.gz += n
	if m.gzSample.Len() < 1<<20 {
		m.gzSample.Write(data)
		m.gzSample.WriteByte('\n')
	}
}

// gzRatio is the compressed-to-plain ratio of the gzipped sample.
func (m *measure) gzRatio() float64 {
	if m.gzSample.Len() == 0 {
		return 1
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
	zw.Write(m.gzSample.Bytes()) //nolint:errcheck // writes to memory
	zw.Close()                   //nolint:errcheck // writes to memory
	return float64(out.Len()) / float64(m.gzSample.Len())
}

// calibrate sets the background multipliers. Without Options.Size they
// stay at 1 (sign-ins ×3 with SignInHeavy). With it, every stream's
// expected event count over the window (its rate integrated over the
// slots) is multiplied by its bytes per event, measured by rendering a
// few events from a separate random stream, and the bulk and sign-in
// multipliers are solved so the expected total is Options.Size.
func (g *generator) calibrate() {
	g.scale, g.sigScale = 1, 1
	if g.opt.Size <= 0 {
		if g.opt.SignInHeavy {
			g.sigScale = 3
		}
		return
	}
	m := &generator{opt: g.opt, t: g.t, start: g.start, end: g.end, bg: newRNG(g.opt.Seed, 4),
		scale: 1, sigScale: 1, caPolicy: g.caPolicy, truth: newTruth(), meter: &measure{}}
	m.fam = newFamilies(m.t, m.start, m.end)
	m.out = &outputs{}
	type cost struct{ plain, gz float64 }
	var perVol [3]cost
	for _, s := range m.streamList() {
		e := s.expected(m.start, m.end)
		if e <= 0 {
			continue
		}
		t := firstActive(s, m.start, m.end)
		p0, z0 := m.meter.plain, m.meter.gz
		for range sampleFires {
			s.fire(m, t)
		}
		perVol[s.vol].plain += e * float64(m.meter.plain-p0) / sampleFires
		perVol[s.vol].gz += e * float64(m.meter.gz-z0) / sampleFires
	}
	ratio := m.meter.gzRatio()
	var stories float64
	for _, r := range g.pending {
		st := &measure{}
		st.add(r.fam, r.data, r.row)
		stories += float64(st.plain) + float64(st.gz)*ratio
	}
	bytesOf := func(c cost) float64 { return c.plain + c.gz*ratio }
	fixed := stories + bytesOf(perVol[volFixed])
	target := float64(g.opt.Size)
	if g.opt.SignInHeavy {
		if v := bytesOf(perVol[volSignIn]); v > 0 {
			g.sigScale = max(0, (target-fixed-bytesOf(perVol[volBulk]))/v)
		}
		return
	}
	if v := bytesOf(perVol[volBulk]) + bytesOf(perVol[volSignIn]); v > 0 {
		f := max(0, (target-fixed)/v)
		g.scale, g.sigScale = f, f
	}
}

// firstActive returns a time in the first slot where s has a positive rate.
func firstActive(s *stream, start, end time.Time) time.Time {
	for t := start; t.Before(end); t = t.Add(slot) {
		if s.rate(t) > 0 {
			return t.Add(time.Minute)
		}
	}
	return start
}
