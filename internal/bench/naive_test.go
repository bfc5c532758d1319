package bench

import (
	"testing"

	"github.com/idsentry/idsentry/internal/sigma"
)

const naiveRules = `title: Declined consent
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        status.errorCode: 65004
    condition: selection
---
title: Scripted client
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        userAgent|contains: 'python-requests'
    filter:
        ipAddress|startswith: '10.'
    condition: selection and not filter
---
title: Not a sign-in rule
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
    condition: selection
`

func TestNaive(t *testing.T) {
	rules, errs := sigma.Parse("naive.yml", []byte(naiveRules))
	for _, e := range errs {
		if !e.Warning {
			t.Fatal(e)
		}
	}
	n := NewNaive(rules)
	if got := n.Rules(signInKind); got != 2 {
		t.Fatalf("%d sign-in rules, want 2", got)
	}
	for _, tc := range []struct {
		name, line string
		hits       int
		ok         bool
	}{
		{"declined", `{"category":"SignInLogs","callerIpAddress":"192.0.2.1","properties":{"status":{"errorCode":65004}}}`, 1, true},
		{"scripted", `{"category":"NonInteractiveUserSignInLogs","properties":{"userAgent":"Python-Requests/2.31","ipAddress":"192.0.2.1"}}`, 1, true},
		{"scripted from the filter's range", `{"category":"SignInLogs","properties":{"userAgent":"python-requests/2.31","ipAddress":"10.0.0.1"}}`, 0, true},
		{"ip from the envelope", `{"category":"SignInLogs","callerIpAddress":"10.1.1.1","properties":{"userAgent":"python-requests"}}`, 0, true},
		{"both", `{"category":"SignInLogs","properties":{"userAgent":"python-requests","status":{"errorCode":65004}}}`, 2, true},
		{"benign", `{"category":"SignInLogs","properties":{"userAgent":"Mozilla/5.0","status":{"errorCode":0}}}`, 0, true},
		{"not a sign-in", `{"category":"AuditLogs","properties":{}}`, 0, false},
		{"not JSON", `{"category":`, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, ok := n.Record([]byte(tc.line))
			if hits != tc.hits || ok != tc.ok {
				t.Errorf("Record = %d, %v; want %d, %v", hits, ok, tc.hits, tc.ok)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"abc", "abc", true},
		{"a*c", "abbbc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"*b*", "abc", true},
		{"*b", "abc", false},
	} {
		if got := glob(tc.p, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

func TestReadsProduct(t *testing.T) {
	for _, tc := range []struct {
		yml  string
		want bool
	}{
		{"logsource:\n    product: azure\n    service: signinlogs\n", true},
		{"logsource:\n  product: 'm365'\n", true},
		{"logsource:\r\n    product: kubernetes\r\n", true},
		{"logsource:\n    product: gcp\n", false},
		{"logsource:\n    category: process_creation\n    product: windows\n", false},
		{"description: the product: azure is great\n", false},
	} {
		if got := readsProduct([]byte(tc.yml)); got != tc.want {
			t.Errorf("readsProduct(%q) = %v, want %v", tc.yml, got, tc.want)
		}
	}
}
