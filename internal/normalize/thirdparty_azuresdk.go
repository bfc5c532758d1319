package normalize

// Azure Activity log events saved by the Azure SDK for Python: the
// EventData model of azure-mgmt-monitor (MonitorManagementClient
// .activity_logs.list) turned into a dict with as_dict(), whose keys are
// the model's attribute names, the REST API's in snake_case:
//
//	{"authorization":{"action":…,"scope":…},"caller":…,"claims":{…},
//	 "correlation_id":…,"event_data_id":…,"event_name":{"value":…,"localized_value":…},
//	 "category":{…},"http_request":{"client_ip_address":…,"method":…},
//	 "operation_name":{"value":…,"localized_value":…},"properties":{…},
//	 "status":{…},"sub_status":{…},"event_timestamp":"…","resource_id":…, …}
//
// CISA's Untitled Goose Tool writes them one per line
// (cisagov/untitledgoosetool goosey/azure_dumper.py, auxillary_activity_log:
// f.write(json.dumps(event.as_dict()))), into
// <subscription>/Activity Log/azure_activity_log_<date>.json. The keys are
// put back in the REST API's camelCase (the content of properties and
// claims, whose keys come from the data, is left alone) and the event is
// read as an Azure REST activity event.

import (
	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

const formatAzureSDK = "azure-sdk"

func init() {
	register(shape{
		format:    formatAzureSDK,
		kind:      event.KindAzureActivity,
		priority:  130,
		detect:    isAzureSDKActivity,
		normalize: normalizeAzureSDKActivity,
	})
}

func isAzureSDKActivity(v *fastjson.Value, _ ingest.Container) bool {
	op := v.Get("operation_name")
	return v.Get("event_timestamp") != nil && op != nil && op.Type() == fastjson.TypeObject
}

// sdkOpaque are the members whose content keeps its keys.
var sdkOpaque = map[string]bool{"properties": true, "claims": true}

func normalizeAzureSDKActivity(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	return normalizeAzureActivityREST(n, n.camelKeys(v, 0), ev)
}

// camelKeys returns object v with its keys in camelCase, and those of the
// objects inside it, except under properties and claims.
func (n *Normalizer) camelKeys(v *fastjson.Value, depth int) *fastjson.Value {
	if v.Type() != fastjson.TypeObject || depth > 8 {
		return v
	}
	out := n.Arena.NewObject()
	o, _ := v.Object()
	o.Visit(func(k []byte, x *fastjson.Value) {
		name := snakeToCamel(k)
		if !sdkOpaque[name] {
			x = n.camelKeys(x, depth+1)
		}
		if out.Get(name) == nil {
			out.Set(name, x)
		}
	})
	return out
}

// snakeToCamel turns "client_ip_address" into "clientIpAddress"; a name
// without "_" is returned as it is.
func snakeToCamel(k []byte) string {
	b := make([]byte, 0, len(k))
	up := false
	for _, c := range k {
		switch {
		case c == '_' && len(b) > 0:
			up = true
		case up && 'a' <= c && c <= 'z':
			b = append(b, c-('a'-'A'))
			up = false
		default:
			b = append(b, c)
			up = false
		}
	}
	return string(b)
}
