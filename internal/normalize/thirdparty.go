package normalize

// Third-party export shapes: what incident-response tools, portals and
// SIEMs write when they save Entra and Microsoft 365 logs, as opposed to
// the formats Microsoft's APIs and pipelines emit (read by the other shape
// files). Each maps onto the canonical shape of its kind, so the built-in
// rules apply unchanged:
//
//   - thirdparty_powershell.go: PowerShell objects saved with
//     ConvertTo-Json or Export-Csv (Microsoft Graph PowerShell SDK,
//     Microsoft.Entra and AzureAD modules, Microsoft-Extractor-Suite's
//     Graph cmdlets before v3, Hawk, Sparrow).
//   - thirdparty_portal.go and thirdparty_portal_audit.go: the Microsoft
//     Entra admin center's "Download" CSV files of sign-ins and audit logs.
//   - thirdparty_splunk.go: Splunk search exports whose _raw holds the
//     original record.
//   - thirdparty_auditlogquery.go: Graph audit log query records
//     (Microsoft-Extractor-Suite's Get-UALGraph).
//   - thirdparty_hawk.go: Hawk's flattened unified audit log files.
//   - thirdparty_azuresdk.go: Azure Activity events saved by the Azure SDK
//     for Python (Untitled Goose Tool).
//
// They register at priorities 100–140, after every Microsoft format, so a
// record another shape claims is never taken here; the Splunk and Hawk
// wrappers are the exceptions, with strict detectors (see their files).

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// The export format names of the third-party shapes (event.Format).
const (
	formatPowerShell  = "powershell"
	formatEntraPortal = "entra-portal"
	formatSplunk      = "splunk"
)

// enumFold returns the member of enum whose letters and digits equal those
// of s, ignoring case and everything else ("Not Applied" → "notApplied",
// "Single-factor authentication" → "singleFactorAuthentication"), and
// whether there is one. Portals and PowerShell show Graph enum members in
// display form; rules compare the Graph spelling.
func enumFold(s []byte, enum []string) (string, bool) {
	var buf [64]byte
	key := buf[:0]
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			key = append(key, c)
		case 'A' <= c && c <= 'Z':
			key = append(key, c+'a'-'A')
		}
	}
	for _, e := range enum {
		if len(e) == len(key) && asciiEqualFold(key, e) {
			return e, true
		}
	}
	return "", false
}

// baseName returns the last element of a path written with / or \.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// setDotted sets obj[a][b]… = val for a dotted path, creating the objects on
// the way; an existing non-object member on the way is replaced.
func (n *Normalizer) setDotted(obj *fastjson.Value, path string, val *fastjson.Value) {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			obj.Set(path, val)
			return
		}
		next := obj.Get(path[:i])
		if next == nil || next.Type() != fastjson.TypeObject {
			next = n.Arena.NewObject()
			obj.Set(path[:i], next)
		}
		obj, path = next, path[i+1:]
	}
}

// cultureLayouts are the DateTime.ToString() forms of common Windows
// cultures that time.go's layouts do not cover (de-DE and ru-RU
// "15.01.2024 09:30:20", nl-NL "15-1-2024 09:30:20", ja-JP and zh-CN
// "2024/01/15 9:30:20"). PowerShell writes them when a script turns a
// DateTime into text, as Microsoft-Extractor-Suite's Graph cmdlets did
// with @{N='CreatedDateTime';E={$_.CreatedDateTime.ToString()}}.
var cultureLayouts = []string{
	"2.1.2006 15:04:05",
	"2-1-2006 15:04:05",
	"2006/1/2 15:04:05",
	"2.1.2006 3:04:05 PM",
}

// psTime parses a timestamp written by PowerShell: the layouts ParseTime
// knows, the culture forms above, and the "/Date(ms)/" form of Windows
// PowerShell 5.1's ConvertTo-Json. Times without a zone are UTC: the Graph
// PowerShell SDK parses Graph timestamps with DateTimeStyles.AdjustToUniversal
// (AutoRest's generated FromJson), so its DateTime values print in UTC.
func psTime(s []byte) (time.Time, bool) {
	s = bytes.TrimSpace(s)
	if t, ok := msDate(s); ok {
		return t, true
	}
	if t, ok := ParseTime(viewString(s)); ok {
		return t, true
	}
	for _, l := range cultureLayouts {
		if t, err := time.Parse(l, viewString(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// msDate parses the Microsoft JSON date "/Date(1705311020000)/", optionally
// with an offset suffix ("/Date(1705311020000+0100)/"), which only says in
// which zone the value was local: the milliseconds are UTC.
func msDate(s []byte) (time.Time, bool) {
	const prefix, suffix = "/Date(", ")/"
	if !bytes.HasPrefix(s, []byte(prefix)) || !bytes.HasSuffix(s, []byte(suffix)) {
		return time.Time{}, false
	}
	body := s[len(prefix) : len(s)-len(suffix)]
	// A sign after the first byte starts the offset; a leading "-" is a
	// date before 1970.
	if len(body) > 1 {
		if i := bytes.IndexAny(body[1:], "+-"); i >= 0 {
			body = body[:i+1]
		}
	}
	ms, err := strconv.ParseInt(viewString(body), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// canonicalizePSTime rewrites obj[key] to the canonical UTC form when psTime
// parses it, and returns the time.
func (n *Normalizer) canonicalizePSTime(obj *fastjson.Value, key string) (time.Time, bool) {
	b := stringBytes(obj.Get(key))
	if b == nil {
		return time.Time{}, false
	}
	t, ok := psTime(b)
	if ok {
		obj.Set(key, n.canonicalTime(t))
	}
	return t, ok
}

// booleanize rewrites obj[key] to a JSON boolean when it holds "True" or
// "False" text (CSV cells, PowerShell class text), and "Yes"/"No" when
// yesNo is set (the Entra portal's CSV).
func (n *Normalizer) booleanize(obj *fastjson.Value, key string, yesNo bool) {
	v := obj.Get(key)
	b, ok := booleanOf(v)
	if !ok && yesNo {
		s := bytes.TrimSpace(stringBytes(v))
		switch {
		case asciiEqualFold(s, "yes"):
			b, ok = true, true
		case asciiEqualFold(s, "no"):
			b, ok = false, true
		}
	}
	if !ok || v.Type() != fastjson.TypeString {
		return
	}
	if b {
		obj.Set(key, n.Arena.NewTrue())
	} else {
		obj.Set(key, n.Arena.NewFalse())
	}
}
