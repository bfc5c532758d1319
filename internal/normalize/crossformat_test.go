package normalize

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// TestSameSignInEveryFormat feeds one sign-in (a 50126 failure of
// alice@contoso.com) exported in Graph, Azure Monitor, Log Analytics JSON,
// Log Analytics CSV and UAL form, and asserts identical canonical events,
// modulo what each format does not carry, listed here.
func TestSameSignInEveryFormat(t *testing.T) {
	type variant struct {
		file string
		// notCarried are canonical paths the format lacks: removed from the
		// reference before comparing.
		notCarried []string
		// extra are paths only this format carries: removed from it.
		extra []string
		// differ are paths both carry with different content: removed from
		// both.
		differ []string
		// precision is the time resolution of the format's timestamps.
		precision time.Duration
		// subtype is false when the format does not say which sign-in
		// stream the record belongs to.
		subtype bool
	}
	// Log Analytics still exports RiskEventTypes, deprecated in Graph.
	laExtra := []string{"riskEventTypes"}
	variants := []variant{
		{file: "azure-monitor.json", subtype: true},
		{file: "log-analytics.json", extra: laExtra, subtype: true},
		// The portal CSV writes datetime columns as "11/20/2026, 8:01:02.123 AM".
		{file: "log-analytics.csv", extra: laExtra, precision: time.Millisecond, subtype: true},
		// The UAL STS logon record carries a handful of the signIn members;
		// its LogonError is an error name ("InvalidUserNameOrPassword"), not
		// Graph's failure sentence; CreationTime has whole seconds.
		{file: "ual.json", precision: time.Second, differ: []string{"status.failureReason"}, notCarried: []string{
			"userDisplayName", "userId", "userType", "appDisplayName", "clientAppUsed", "correlationId",
			"conditionalAccessStatus", "originalRequestId", "isInteractive", "tokenIssuerName", "tokenIssuerType",
			"processingTimeInMilliseconds", "riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn",
			"riskState", "riskEventTypes_v2", "resourceDisplayName", "resourceServicePrincipalId",
			"resourceTenantId", "homeTenantId", "authenticationMethodsUsed", "authenticationRequirement",
			"authenticationProtocol", "signInIdentifier", "signInIdentifierType", "servicePrincipalId",
			"servicePrincipalName", "crossTenantAccessType", "autonomousSystemNumber", "uniqueTokenIdentifier",
			"status.additionalDetails", "deviceDetail", "location", "appliedConditionalAccessPolicies",
			"authenticationProcessingDetails", "networkLocationDetails", "authenticationDetails",
			"authenticationRequirementPolicies", "signInEventTypes",
		}},
	}

	dir := filepath.Join("testdata", "entra", "crossformat")
	n := New()
	ref := normalizeOne(t, n, filepath.Join(dir, "graph.json"))
	for _, v := range variants {
		t.Run(v.file, func(t *testing.T) {
			got := normalizeOne(t, New(), filepath.Join(dir, v.file))
			if got.Kind != ref.Kind || got.ID != ref.ID {
				t.Errorf("kind, id = %v, %q; want %v, %q", got.Kind, got.ID, ref.Kind, ref.ID)
			}
			if v.subtype && got.Subtype != ref.Subtype {
				t.Errorf("subtype %q, want %q", got.Subtype, ref.Subtype)
			}
			if want := ref.Time.Truncate(max(v.precision, 1)); !got.Time.Equal(want) {
				t.Errorf("time %v, want %v", got.Time, want)
			}

			want, have := docMap(t, ref), docMap(t, got)
			for _, p := range v.notCarried {
				deletePath(want, p)
			}
			for _, p := range v.extra {
				deletePath(have, p)
			}
			for _, p := range v.differ {
				if lookupPath(have, p) == nil {
					t.Errorf("%s: missing", p)
				}
				deletePath(want, p)
				deletePath(have, p)
			}
			if v.precision > 0 {
				want["createdDateTime"] = ref.Time.Truncate(v.precision).Format(time.RFC3339Nano)
			}
			if !reflect.DeepEqual(want, have) {
				w, _ := json.MarshalIndent(want, "", "  ")
				h, _ := json.MarshalIndent(have, "", "  ")
				t.Errorf("canonical events differ\n got: %s\nwant: %s", h, w)
			}
		})
	}
}

// normalizeOne returns an owned copy of the single event a fixture holds.
func normalizeOne(t *testing.T, n *Normalizer, path string) *event.Stored {
	t.Helper()
	recs := readRecords(t, path)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", path, len(recs))
	}
	ev, err := n.Normalize(recs[0])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ev.Clone()
}

func docMap(t *testing.T, s *event.Stored) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(s.Event, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func lookupPath(m map[string]any, p string) any {
	var cur any = m
	for _, k := range strings.Split(p, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[k]
	}
	return cur
}

func deletePath(m map[string]any, p string) {
	parent, key := m, p
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		obj, ok := lookupPath(m, p[:i]).(map[string]any)
		if !ok {
			return
		}
		parent, key = obj, p[i+1:]
	}
	delete(parent, key)
}
