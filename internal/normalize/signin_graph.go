package normalize

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Microsoft Graph signIn records (/auditLogs/signIns, v1.0 and beta), as
// elements of a Graph page or one per line: already the canonical shape.

func init() {
	register(shape{
		format:    formatGraph,
		kind:      event.KindEntraSignIn,
		priority:  20,
		detect:    isGraphSignIn,
		normalize: normalizeGraphSignIn,
	})
}

// isGraphSignIn recognises a signIn resource: createdDateTime plus a member
// only sign-ins have (application and user objects carry createdDateTime
// and appId or userPrincipalName too, but neither status, ipAddress nor
// signInEventTypes).
func isGraphSignIn(v *fastjson.Value, _ ingest.Container) bool {
	if v.Get("createdDateTime") == nil || v.Get("properties") != nil {
		return false
	}
	if t := stringBytes(v.Get("@odata.type")); t != nil {
		return string(t) == "#microsoft.graph.signIn"
	}
	st := v.Get("status")
	return (st != nil && st.Type() == fastjson.TypeObject) ||
		v.Get("ipAddress") != nil || v.Get("signInEventTypes") != nil
}

func normalizeGraphSignIn(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	keepLastDuplicate(v)
	n.finishSignIn(v, ev, signInFallback{})
	return nil
}
