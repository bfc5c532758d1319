package event

import (
	"reflect"
	"testing"

	"github.com/valyala/fastjson"
)

func TestEach(t *testing.T) {
	doc := fastjson.MustParse(`{
		"status": {"errorCode": 65004, "additionalDetails": "MFA denied"},
		"authenticationDetails": [
			{"authenticationStepResultDetail": "MFA denied; user declined the authentication"},
			{"authenticationStepResultDetail": "MFA successfully completed"},
			{"other": 1}
		],
		"signInEventTypes": ["nonInteractiveUser", "interactiveUser"],
		"targetResources": [{"modifiedPropertiesByName": {"ConsentContext.IsAdminConsent": {"newValue": "False"}}}],
		"nested": [[{"a": "x"}], [{"a": "y"}]],
		"nothing": null
	}`)
	tests := []struct {
		path string
		want []string
	}{
		{"status.errorCode", []string{"65004"}},
		{"status.additionalDetails", []string{"MFA denied"}},
		{"authenticationDetails.authenticationStepResultDetail", []string{"MFA denied; user declined the authentication", "MFA successfully completed"}},
		{"signInEventTypes", []string{"nonInteractiveUser", "interactiveUser"}},
		{"targetResources.modifiedPropertiesByName.ConsentContext.IsAdminConsent.newValue", []string{"False"}},
		{"nested.a", []string{"x", "y"}},
		{"nothing", []string{""}},
		{"missing", nil},
		{"status.errorCode.deeper", nil},
	}
	for _, tt := range tests {
		var got []string
		Each(doc, ParsePath(tt.path), func(v *fastjson.Value) bool {
			got = append(got, Text(v))
			return true
		})
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Each(%s) = %q, want %q", tt.path, got, tt.want)
		}
	}
	// Early stop.
	n := 0
	Each(doc, ParsePath("signInEventTypes"), func(*fastjson.Value) bool { n++; return false })
	if n != 1 {
		t.Errorf("Each did not stop early: %d calls", n)
	}
	if got := Text(Lookup(doc, ParsePath("authenticationDetails.authenticationStepResultDetail"))); got != "MFA denied; user declined the authentication" {
		t.Errorf("Lookup = %q", got)
	}
}

func TestKindNames(t *testing.T) {
	for _, k := range Kinds() {
		got, ok := ParseKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if _, ok := ParseKind("unknown"); ok {
		t.Error("ParseKind(unknown) accepted")
	}
}

func TestOriginString(t *testing.T) {
	if s := (Origin{File: "a.json", Line: 3}).String(); s != "a.json:3" {
		t.Errorf("got %q", s)
	}
	if s := (Origin{File: "a.json", Index: 7}).String(); s != "a.json#7" {
		t.Errorf("got %q", s)
	}
}
