package alert

import (
	"bytes"
	"hash/maphash"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParseSpec parses arbitrary YAML as an idsentry attribute; a spec that
// parses is then used to build an alert. Nothing may panic.
func FuzzParseSpec(f *testing.F) {
	files, _ := filepath.Glob("testdata/specs/*.yml")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"group-by: [a]\nhaving: 'count > 1'",
		"group-by: [a]\nwindow: 1h\nhaving: 'count >= 3 && distinct[\"b\"] >= 1 || count > 7'",
		"message: '{{a|name}} {{distinct.b}} {{values.c}} {{options.x}}'\noptions: {x: [1, 2]}",
		"tiers: [{level: high, when: 'values[\"a\"][0] == \"x\"'}]",
		"allowlist: {a: ['*?*']}\nentities: [{type: ip, address: '{{a|domain}}'}]",
		"window: 1d\nrisk: [{type: user, field: a, score: 100}]\nthreats: [{type: url, field: b}]",
		"&x {a: *x}", "!!binary aGk=", "[", "~",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var doc yaml.Node
		if yaml.Unmarshal(src, &doc) != nil {
			return
		}
		s, errs := ParseSpec(&doc, RuleRef{ID: "fuzz", Tags: []string{"attack.impact"}})
		for _, e := range errs {
			if e.Line < 1 || e.Col < 1 || e.Error() == "" {
				t.Fatalf("bad position: %+v", e)
			}
		}
		if s == nil {
			return
		}
		_ = s.Fields()
		fields := map[string][]string{}
		for i, name := range s.Fields() {
			fields[name] = []string{"v@x.test", string(rune('a' + i%26))}
		}
		b := NewBuilder(Options{})
		p := NewPruner(s, maphash.MakeSeed())
		for i := 0; i < 3; i++ {
			_ = b.Add(Match{Spec: s, Time: t0, Fields: fields, Why: []FieldValue{{Field: "a", Value: "b"}}})
			if p != nil {
				p.Observe(fields)
			}
		}
		alerts := b.Finish()
		// The Pruner never drops the matches of a key that alerts.
		if p != nil && len(alerts) > 0 && !p.MayFire(fields) {
			t.Fatalf("pruner drops a key that alerts: having %q", s.having.src)
		}
		for _, a := range alerts {
			_ = RiskEvents(&a)
		}
		if _, err := s.Tune(map[string]string{"allowlist.a": "v*"}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzLoadIdentities feeds arbitrary bytes to the identity loader.
func FuzzLoadIdentities(f *testing.F) {
	files, _ := filepath.Glob("testdata/identities/*")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"value":[{"userPrincipalName":"a@b","memberOf":[{"@odata.type":"#microsoft.graph.group"}]}]}`))
	f.Add([]byte("AccountUPN,Tags\r\na,\"[1,\"\r\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		ids, err := LoadIdentities(bytes.NewReader(src))
		if err != nil {
			return
		}
		for _, u := range ids.UPNs() {
			if _, ok := ids.Lookup(u); !ok {
				t.Fatalf("UPN %q listed but not found", u)
			}
		}
	})
}

// FuzzParseBusinessHours checks the hours parser never panics and that
// what it accepts renders back to something it accepts.
func FuzzParseBusinessHours(f *testing.F) {
	for _, s := range []string{"Mon-Fri 08:00-18:00 UTC", "sat-mon 22:00-06:00", "Mon 00:00-24:00 Europe/Paris", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseBusinessHours(s)
		if err != nil {
			return
		}
		_ = h.Outside(t0)
		if _, err := ParseBusinessHours(h.String()); err != nil {
			t.Fatalf("%q -> %q: %v", s, h.String(), err)
		}
	})
}
