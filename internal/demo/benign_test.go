package demo

import (
	"encoding/json"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// smallRun generates one small tenant per test binary for the tests that
// read every record.
var smallRun = sync.OnceValues(func() (*Manifest, error) {
	dir, err := os.MkdirTemp("", "idsentry-demo-small-")
	if err != nil {
		return nil, err
	}
	return Generate(small(dir, 3))
})

func smallDemo(t *testing.T) *Manifest {
	t.Helper()
	m, err := smallRun()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return m
}

// seed004Agents is seed 004's scripted-client list plus the attack tools of
// detections.md §4 #46.
var seed004Agents = regexp.MustCompile(`(?i)python-requests|curl/|wget/|go-http-client|okhttp|node-fetch|axios|postmanruntime|libcurl|ruby|aiohttp|httpx|java/|azurehound|bloodhound|roadtools|teamfiltration|BAV2ROPC`)

var attackerNet = netip.MustParsePrefix("203.0.113.0/24")

// signInView is what the benign checks need from a sign-in in any format.
type signInView struct {
	upn, ip, country, ua, kind, authReq, code string
}

func viewSignIn(t *testing.T, fi FileInfo, o map[string]any) (signInView, bool) {
	switch {
	case fi.Format == fmtLACSV || fi.Format == fmtLAJSON:
		var loc map[string]any
		json.Unmarshal([]byte(str(o, "LocationDetails")), &loc) //nolint:errcheck // checked in TestRecordShapes
		return signInView{str(o, "UserPrincipalName"), str(o, "IPAddress"), str(loc, "countryOrRegion"), str(o, "UserAgent"),
			str(o, "Category"), str(o, "AuthenticationRequirement"), str(o, "ResultType")}, true
	case fi.Format == fmtGraphPage:
		kinds, _ := o["signInEventTypes"].([]any)
		kind := ""
		if len(kinds) > 0 {
			kind, _ = kinds[0].(string)
		}
		return signInView{str(o, "userPrincipalName"), str(o, "ipAddress"), str(o, "location.countryOrRegion"), str(o, "userAgent"),
			kind, str(o, "authenticationRequirement"), str(o, "status.errorCode")}, true
	case fi.Format == fmtAzureNDJSON || fi.Format == fmtAzureRecords:
		p, _ := o["properties"].(map[string]any)
		return signInView{str(p, "userPrincipalName"), str(p, "ipAddress"), str(p, "location.countryOrRegion"), str(p, "userAgent"),
			str(o, "category"), str(p, "authenticationRequirement"), str(p, "status.errorCode")}, true
	}
	return signInView{}, false
}

// TestBenignLooksBenign checks that no background record looks like a
// story: every record that is not in the ground truth must come from the
// user's home country over an office or infrastructure address with a
// browser or Office client, and must not perform any story's activity.
func TestBenignLooksBenign(t *testing.T) {
	m := smallDemo(t)
	tf := groundTruth(t, m.Dir)
	inStory := map[string]bool{}
	for _, s := range append(tf.Stories, tf.Traps...) {
		for _, r := range s.Records {
			inStory[r.File+"#"+strconv.FormatInt(r.Index, 10)] = true
		}
	}
	var tj tenantJSON
	if err := json.Unmarshal(content(t, m.Dir, pathTenant), &tj); err != nil {
		t.Fatal(err)
	}
	home := map[string]string{}
	for _, u := range tj.Users {
		home[u.UPN] = u.Country
	}
	benignAudits := []string{"Update user", "Add member to group", "Remove member from group"}
	benignUAL := []string{"MailItemsAccessed", "Send", "FileAccessed", "FileModified", "FileUploaded", "UserLoggedIn", "UserLoginFailed",
		"Update user.", "Add member to group.", "Remove member from group."}
	for _, fi := range m.Files {
		if len(fi.Kinds) == 0 || fi.Kind == "app_inventory" {
			continue
		}
		for _, r := range records(t, m.Dir, fi) {
			if inStory[fi.Path+"#"+strconv.Itoa(r.index)] {
				continue
			}
			where := fi.Path + ":" + strconv.Itoa(r.line)
			o := r.obj
			if fi.Format == fmtUALPurview {
				o = decode(t, where, str(o, "AuditData"))
			}
			kind := fi.Kind
			if fi.Format == fmtUALBlob || fi.Format == fmtUALPurview {
				kind = "m365_audit"
			}
			switch kind {
			case "entra_signin":
				v, _ := viewSignIn(t, fi, o)
				addr, err := netip.ParseAddr(v.ip)
				switch {
				case err != nil || attackerNet.Contains(addr):
					t.Errorf("%s: background sign-in from %q", where, v.ip)
				case seed004Agents.MatchString(v.ua):
					t.Errorf("%s: background sign-in with user agent %q", where, v.ua)
				case v.upn != "" && v.country != home[v.upn]:
					t.Errorf("%s: %s signs in from %s, home %s", where, v.upn, v.country, home[v.upn])
				case strings.Contains(strings.ToLower(v.kind), "noninteractive") && v.authReq == "singleFactorAuthentication" && v.code == "0":
					t.Errorf("%s: background non-interactive single-factor success (only the allowlisted backup service may)", where)
				}
			case "entra_audit":
				act := str(o, "activityDisplayName")
				if act == "" {
					act = str(o, "ActivityDisplayName")
				}
				if act == "" {
					act = str(o, "properties.activityDisplayName")
				}
				if !slices.Contains(benignAudits, act) {
					t.Errorf("%s: background audit activity %q", where, act)
				}
			case "m365_audit":
				op := str(o, "Operation")
				if !slices.Contains(benignUAL, op) || str(o, "AppId") != "" {
					t.Errorf("%s: background UAL operation %q (AppId %q)", where, op, str(o, "AppId"))
				}
				if ip, err := netip.ParseAddr(str(o, "ClientIP")); err == nil && attackerNet.Contains(ip) {
					t.Errorf("%s: background UAL record from %s", where, ip)
				}
				props, _ := o["ExtendedProperties"].([]any)
				for _, p := range props {
					if kv, _ := p.(map[string]any); str(kv, "Name") == "UserAgent" && seed004Agents.MatchString(str(kv, "Value")) {
						t.Errorf("%s: background UAL sign-in with user agent %q", where, str(kv, "Value"))
					}
				}
			case "k8s_audit":
				if str(o, "objectRef.resource") == "secrets" || str(o, "objectRef.subresource") == "token" || str(o, "responseStatus.code") != "200" {
					t.Errorf("%s: background Kubernetes request %s %s -> %s", where, str(o, "verb"), str(o, "requestURI"), str(o, "responseStatus.code"))
				}
			case "aws_cloudtrail":
				if n := str(o, "eventName"); n == "GetFederationToken" || n == "GetSessionToken" || str(o, "userIdentity.type") == "FederatedUser" {
					t.Errorf("%s: background CloudTrail %s by %s", where, n, str(o, "userIdentity.type"))
				}
			case "azure_keyvault":
				if str(o, "identity.claim.appid") != "" && str(o, "operationName") != "SecretGet" {
					t.Errorf("%s: background Key Vault %s", where, str(o, "operationName"))
				}
			case "azure_activity":
				op := str(o, "operationName")
				if strings.Contains(op, "ROLEASSIGNMENTS") || strings.Contains(op, "ACCESSPOLICIES") || strings.Contains(op, "ELEVATEACCESS") {
					t.Errorf("%s: background Azure Activity %s", where, op)
				}
			}
		}
	}
}

// TestTrapsLookMalicious checks that the traps really do look like attacks,
// so a rule that ignores them has been tuned rather than blind.
func TestTrapsLookMalicious(t *testing.T) {
	m := smallDemo(t)
	tf := groundTruth(t, m.Dir)
	files := map[string]FileInfo{}
	for _, f := range m.Files {
		files[f.Path] = f
	}
	for _, s := range tf.Traps {
		if s.ID != trapVeeam {
			continue
		}
		ips := map[string]bool{}
		cache := map[string][]testRec{}
		for _, r := range s.Records {
			if cache[r.File] == nil {
				cache[r.File] = records(t, m.Dir, files[r.File])
			}
			rec := cache[r.File][r.Index]
			v, ok := viewSignIn(t, files[r.File], rec.obj)
			if !ok {
				continue
			}
			ips[v.ip] = true
			if v.authReq != "singleFactorAuthentication" || v.code != "0" {
				t.Errorf("backup trap record %s is not a single-factor success", r.ID)
			}
		}
		if len(s.Records) <= 10 || len(ips) < 2 {
			t.Errorf("backup trap has %d records from %d IPs, want > 10 from >= 2", len(s.Records), len(ips))
		}
	}
}
