package normalize

import (
	"errors"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Azure Monitor diagnostic records of the Entra sign-in categories (Event
// Hubs, storage accounts; {"records":[…]} envelopes or one per line). The
// signIn resource is the "properties" object; the envelope adds the stream
// (category), time, resultType (a string), resultDescription and
// callerIpAddress. Schema: MicrosoftDocs/entra-docs
// docs/identity/monitoring-health/reference-azure-monitor-sign-ins-log-schema.md.

func init() {
	register(shape{
		format:    formatAzureMonitor,
		kind:      event.KindEntraSignIn,
		priority:  10,
		detect:    isAzureMonitorSignIn,
		normalize: normalizeAzureMonitorSignIn,
	})
}

// isAzureMonitorSignIn recognises a diagnostic record of a sign-in category
// or with operationName "Sign-in activity".
func isAzureMonitorSignIn(v *fastjson.Value, _ ingest.Container) bool {
	if v.Get("properties") == nil {
		return false
	}
	if c := stringBytes(foldMember(v, "category")); c != nil {
		if _, ok := signInCategories[string(c)]; ok {
			return true
		}
	}
	return isString(foldMember(v, "operationName"), "Sign-in activity")
}

var errPropertiesNotObject = errors.New("properties is not a JSON object")

func normalizeAzureMonitorSignIn(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	props := n.objectOf(v.Get("properties"))
	if props == nil {
		return errPropertiesNotObject
	}
	fb := signInFallback{
		time:   foldMember(v, "time"),
		code:   foldMember(v, "resultType"),
		reason: foldMember(v, "resultDescription"),
	}
	if c := stringBytes(foldMember(v, "category")); c != nil {
		fb.eventType = signInCategories[string(c)]
	}
	setWhenBlank(props, "ipAddress", foldMember(v, "callerIpAddress"))
	n.finishSignIn(props, ev, fb)
	return nil
}
