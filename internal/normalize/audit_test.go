package normalize

import (
	"testing"

	"github.com/idsentry/idsentry/internal/event"
)

// FuzzAudit feeds mutations of the directory-audit fixtures (every export
// format, Purview rows included) to the normaliser.
func FuzzAudit(f *testing.F) {
	fuzzSeeds(f, event.KindEntraAudit)
	n := New()
	f.Fuzz(func(t *testing.T, data []byte, container uint8) {
		fuzzNormalize(t, n, data, container)
	})
}
